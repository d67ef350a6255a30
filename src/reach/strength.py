"""Ties and their strength: interactions between records -> undirected person pairs.

The default model (``docs/tie-strength.md`` gives the reasoning) maps evidence to a strength in
(0, 1]. For a pair with participant-weighted counts per channel ``n_c`` (an email to k recipients
counts 1/k for each; a meeting of k+1 people counts 1/k for each pair)::

    activity  = sum_c w_c * ln(1 + n_c)                      diminishing returns per channel
    activity += reciprocity_weight * ln(1 + min(a->b, b->a))  contact answered in both directions
    activity *= 1 + multiplex_boost * (channels - 1)         several channels: a richer tie
    activity *= 1 + duration_boost * min(1, years_known / 5)
    activity *= 0.5 ** (days_since_last / half_life_days)    recency (undated evidence is not decayed)
    evidence  = activity + connection_weight * [connected]   a bare connection stays weak
    strength  = floor + (1 - floor) * (1 - exp(-evidence))

``as_of`` defaults to the latest dated interaction in the input, so the same inputs always give the
same strengths. Path cost for routing is ``-ln(strength)``: the warmest path maximises the product.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow as pa

from reach.errors import ConfigError
from reach.schema import TIES, conform

CHANNEL_COLUMNS = {
    "edge": "n_edges",
    "connection": "n_connections",
    "email": "n_emails",
    "meeting": "n_meetings",
    "message": "n_messages",
}
DEFAULT_CHANNEL_WEIGHTS = {"email": 0.6, "meeting": 0.9, "message": 0.5, "edge": 0.7, "call": 0.9,
                           "invitation": 0.1, "contact": 0.1, "reaction": 0.05, "other": 0.2}


@dataclass(frozen=True)
class StrengthSettings:
    """Weights of the default tie-strength model (see the module docs for the formula)."""

    channel_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CHANNEL_WEIGHTS))
    connection_weight: float = 0.15
    reciprocity_weight: float = 0.5
    multiplex_boost: float = 0.15
    duration_boost: float = 0.2
    half_life_days: float = 365.0
    floor: float = 0.01
    # interactions that are not evidence of a personal tie (mail to many recipients)
    ignored_channels: tuple[str, ...] = ("broadcast",)
    as_of: datetime | None = None

    def as_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["ignored_channels"] = list(self.ignored_channels)
        d["as_of"] = self.as_of.isoformat() if self.as_of else None
        return d

    @classmethod
    def from_dict(cls, data: dict, *, where: str = "settings") -> StrengthSettings:
        """Build settings from a mapping, reporting every unknown key and bad value at once."""
        known = {f.name for f in fields(cls)}
        problems = [f"{where}: unknown key {k!r} (expected one of: {', '.join(sorted(known))})"
                    for k in data if k not in known]
        kwargs: dict = {}
        for k, v in data.items():
            if k not in known:
                continue
            if k == "channel_weights":
                if not isinstance(v, dict) or not all(isinstance(x, int | float) and x >= 0 for x in v.values()):
                    problems.append(f"{where}.channel_weights: expected a table of non-negative numbers")
                    continue
                kwargs[k] = {**DEFAULT_CHANNEL_WEIGHTS, **{str(c): float(x) for c, x in v.items()}}
            elif k == "ignored_channels":
                kwargs[k] = tuple(str(x) for x in v)
            elif k == "as_of":
                try:
                    kwargs[k] = v if isinstance(v, datetime) else datetime.fromisoformat(str(v))
                except ValueError:
                    problems.append(f"{where}.as_of: not an ISO date: {v!r}")
                    continue
                if kwargs[k].tzinfo is None:
                    kwargs[k] = kwargs[k].replace(tzinfo=UTC)
            elif not isinstance(v, int | float) or isinstance(v, bool) or v < 0:
                problems.append(f"{where}.{k}: expected a non-negative number, got {v!r}")
            else:
                kwargs[k] = float(v)
        if "floor" in kwargs and not 0 < kwargs["floor"] < 1:
            problems.append(f"{where}.floor: must be between 0 and 1 (exclusive)")
        if problems:
            raise ConfigError("; ".join(problems))
        return cls(**kwargs)

    @classmethod
    def from_toml(cls, path: Path) -> StrengthSettings:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            msg = f"{path}: cannot read settings: {exc}"
            raise ConfigError(msg) from exc
        return cls.from_dict(data.get("strength", data), where=f"{path} [strength]")


def aggregate_ties(interactions: pa.Table, membership: pa.Table, *, ignored_channels: tuple[str, ...] = ()
                   ) -> pl.DataFrame:
    """Evidence per undirected person pair (person_a < person_b), self-ties dropped."""
    mem = pl.from_arrow(membership)
    it = (
        pl.from_arrow(interactions)
        .filter(~pl.col("channel").is_in(list(ignored_channels)))
        .join(mem.rename({"record_id": "src_record", "person_id": "src"}), on="src_record")
        .join(mem.rename({"record_id": "dst_record", "person_id": "dst"}), on="dst_record")
        .filter(pl.col("src") != pl.col("dst"))
    )
    forward = pl.col("src") < pl.col("dst")
    share = 1.0 / (pl.col("n_participants").cast(pl.Float64) - 1.0).clip(lower_bound=1.0)
    it = it.with_columns(
        pl.when(forward).then(pl.col("src")).otherwise(pl.col("dst")).alias("person_a"),
        pl.when(forward).then(pl.col("dst")).otherwise(pl.col("src")).alias("person_b"),
        forward.alias("a_started"),
        share.alias("share"),
    )
    known = list(CHANNEL_COLUMNS)
    aggs = [pl.len().alias("n_interactions"),
            pl.col("a_started").sum().alias("n_a_to_b"),
            (~pl.col("a_started")).sum().alias("n_b_to_a")]
    aggs += [(pl.col("channel") == ch).sum().alias(col) for ch, col in CHANNEL_COLUMNS.items()]
    aggs += [
        (~pl.col("channel").is_in(known)).sum().alias("n_other"),
        pl.col("weight").sum().alias("weight_sum"),
        pl.col("channel").n_unique().cast(pl.Int32).alias("n_channels"),
        pl.col("source_id").n_unique().cast(pl.Int32).alias("n_sources"),
        pl.col("at").min().alias("first_at"),
        pl.col("at").max().alias("last_at"),
    ]
    ties = it.group_by("person_a", "person_b").agg(aggs)
    # participant-weighted volume per channel (edge lists: their weight column)
    volume = (
        it.with_columns(pl.when(pl.col("channel") == "edge").then(pl.col("weight")).otherwise(pl.col("share"))
                        .alias("v"))
        .group_by("person_a", "person_b", "channel").agg(pl.col("v").sum())
        .pivot(on="channel", index=["person_a", "person_b"], values="v")
    )
    volume = volume.rename({c: f"v_{c}" for c in volume.columns if c not in ("person_a", "person_b")})
    ties = ties.join(volume, on=["person_a", "person_b"], how="left")
    return ties.with_columns(pl.col(c).cast(pl.Int64) for c in
                             ["n_interactions", "n_a_to_b", "n_b_to_a", "n_other", *CHANNEL_COLUMNS.values()])


def strength_expr(settings: StrengthSettings, as_of: datetime | None, channels: list[str]) -> pl.Expr:
    """The default model as one polars expression over the aggregated evidence columns."""
    w = settings.channel_weights
    activity = pl.lit(0.0)
    for ch in channels:
        if ch == "connection":
            continue
        activity = activity + w.get(ch, w.get("other", 0.0)) * pl.col(f"v_{ch}").fill_null(0.0).log1p()
    answered = pl.min_horizontal("n_a_to_b", "n_b_to_a").cast(pl.Float64)
    activity = activity + settings.reciprocity_weight * answered.log1p()
    activity = activity * (1 + settings.multiplex_boost * (pl.col("n_channels") - 1).clip(lower_bound=0))
    years = ((pl.col("last_at") - pl.col("first_at")).dt.total_seconds() / (365.25 * 86400)).fill_null(0.0)
    activity = activity * (1 + settings.duration_boost * (years / 5).clip(0.0, 1.0))
    if as_of is not None and settings.half_life_days > 0:
        days = (pl.lit(as_of).dt.convert_time_zone("UTC") - pl.col("last_at")).dt.total_seconds() / 86400.0
        decay = (pl.lit(0.5) ** (days.clip(lower_bound=0.0) / settings.half_life_days)).fill_null(1.0)
        activity = activity * decay
    evidence = activity + settings.connection_weight * (pl.col("n_connections") > 0).cast(pl.Float64)
    floor = settings.floor
    return (floor + (1 - floor) * (1 - (-evidence).exp())).clip(floor, 1.0)


def compute_ties(interactions: pa.Table, membership: pa.Table, *, settings: StrengthSettings | None = None) -> pa.Table:
    """The TIES table: evidence per person pair and its strength."""
    settings = settings or StrengthSettings()
    ties = aggregate_ties(interactions, membership, ignored_channels=settings.ignored_channels)
    channels = [c[2:] for c in ties.columns if c.startswith("v_")]
    as_of = settings.as_of
    if as_of is None and ties.height and ties["last_at"].null_count() < ties.height:
        as_of = ties["last_at"].max()
    ties = ties.with_columns(strength_expr(settings, as_of, channels).alias("strength")).sort("person_a", "person_b")
    return conform(ties.to_arrow(), TIES)


def path_cost(strength: float) -> float:
    """Routing cost of a tie: ``-ln(strength)``; the warmest path minimises the sum."""
    return -math.log(strength)
