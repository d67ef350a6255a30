"""Ties and their strength: interactions between records -> undirected person pairs.

The default model (documented in ``docs/tie-strength.md``) turns evidence counts into a strength in
(0, 1]::

    evidence = sum over channels c of  w_c * ln(1 + n_c)          (diminishing returns per channel)
             + w_connection * [connected]                          (a bare connection is weak)
    evidence *= reciprocity_boost   if both sides initiated contact
    evidence *= 0.5 ** (days_since_last / half_life_days)          (recency; undated ties are not decayed)
    strength = floor + (1 - floor) * (1 - exp(-evidence))

``as_of`` defaults to the latest dated interaction in the input, so the same inputs always give the
same strengths. Path cost for routing is ``-ln(strength)``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime

import polars as pl
import pyarrow as pa

from reach.schema import TIES, conform

CHANNEL_COLUMNS = {
    "edge": "n_edges",
    "connection": "n_connections",
    "email": "n_emails",
    "meeting": "n_meetings",
    "message": "n_messages",
}


@dataclass(frozen=True)
class StrengthSettings:
    """Weights of the default tie-strength model."""

    channel_weights: dict[str, float] = field(
        default_factory=lambda: {"email": 0.6, "meeting": 0.9, "message": 0.5, "edge": 0.7, "other": 0.2}
    )
    connection_weight: float = 0.15
    reciprocity_boost: float = 1.5
    half_life_days: float = 365.0
    floor: float = 0.01
    # interactions that are not evidence of a personal tie (mail to many recipients)
    ignored_channels: tuple[str, ...] = ("broadcast",)
    as_of: datetime | None = None

    def as_dict(self) -> dict:
        d = asdict(self)
        d["as_of"] = self.as_of.isoformat() if self.as_of else None
        return d


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
    it = it.with_columns(
        pl.when(forward).then(pl.col("src")).otherwise(pl.col("dst")).alias("person_a"),
        pl.when(forward).then(pl.col("dst")).otherwise(pl.col("src")).alias("person_b"),
        forward.alias("a_started"),
    )
    known = list(CHANNEL_COLUMNS)
    aggs = [pl.len().alias("n_interactions"),
            pl.col("a_started").sum().alias("n_a_to_b"),
            (~pl.col("a_started")).sum().alias("n_b_to_a")]
    aggs += [(pl.col("channel") == ch).sum().alias(col) for ch, col in CHANNEL_COLUMNS.items()]
    aggs += [
        (~pl.col("channel").is_in(known)).sum().alias("n_other"),
        pl.col("weight").sum().alias("weight_sum"),
        pl.col("weight").filter(pl.col("channel") == "edge").sum().alias("weight_edges"),
        pl.col("channel").n_unique().cast(pl.Int32).alias("n_channels"),
        pl.col("source_id").n_unique().cast(pl.Int32).alias("n_sources"),
        pl.col("at").min().alias("first_at"),
        pl.col("at").max().alias("last_at"),
    ]
    ties = it.group_by("person_a", "person_b").agg(aggs)
    return ties.with_columns(pl.col(c).cast(pl.Int64) for c in
                             ["n_interactions", "n_a_to_b", "n_b_to_a", "n_other", *CHANNEL_COLUMNS.values()])


def strength_expr(settings: StrengthSettings, as_of: datetime | None) -> pl.Expr:
    """The default model as one polars expression over the aggregated evidence columns."""
    w = settings.channel_weights
    evidence = (
        w.get("email", 0) * pl.col("n_emails").log1p()
        + w.get("meeting", 0) * pl.col("n_meetings").log1p()
        + w.get("message", 0) * pl.col("n_messages").log1p()
        + w.get("edge", 0) * pl.col("weight_edges").log1p()
        + w.get("other", 0) * pl.col("n_other").log1p()
        + settings.connection_weight * (pl.col("n_connections") > 0).cast(pl.Float64)
    )
    reciprocal = (pl.col("n_a_to_b") > 0) & (pl.col("n_b_to_a") > 0)
    evidence = pl.when(reciprocal).then(evidence * settings.reciprocity_boost).otherwise(evidence)
    if as_of is not None and settings.half_life_days > 0:
        days = (pl.lit(as_of).dt.replace_time_zone("UTC") - pl.col("last_at")).dt.total_seconds() / 86400.0
        decay = (pl.lit(0.5) ** (days.clip(lower_bound=0.0) / settings.half_life_days)).fill_null(1.0)
        evidence = evidence * decay
    floor = settings.floor
    return (floor + (1 - floor) * (1 - (-evidence).exp())).clip(floor, 1.0)


def compute_ties(interactions: pa.Table, membership: pa.Table, *, settings: StrengthSettings | None = None) -> pa.Table:
    """The TIES table: evidence per person pair and its strength."""
    settings = settings or StrengthSettings()
    ties = aggregate_ties(interactions, membership, ignored_channels=settings.ignored_channels)
    as_of = settings.as_of
    if as_of is None and ties.height and ties["last_at"].null_count() < ties.height:
        as_of = ties["last_at"].max()
    ties = ties.with_columns(strength_expr(settings, as_of).alias("strength")).sort("person_a", "person_b")
    return conform(ties.to_arrow(), TIES)


def path_cost(strength: float) -> float:
    """Routing cost of a tie: ``-ln(strength)``; the warmest path minimises the sum."""
    return -math.log(strength)
