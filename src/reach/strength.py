"""Ties and their strength: interactions between records -> undirected person pairs.

The default model (``docs/tie-strength.md`` gives the reasoning) maps evidence to a strength in
(0, 1]. For a pair with participant-weighted counts per channel ``n_c`` (an email to k recipients
counts 1/k for each; a meeting of k+1 people counts 1/k for each pair)::

    activity  = sum_c w_c * ln(1 + n_c)                      diminishing returns per channel
    activity += reciprocity_weight * ln(1 + min(a->b, b->a))  contact answered in both directions
    activity *= 1 + multiplex_boost * (channels - 1)         several channels: a richer tie
    activity *= 1 + duration_boost * min(1, years_known / 5)
    activity *= 0.5 ** (days_since_last / half_life)         recency (undated evidence is not decayed)
    half_life = clip(rhythm_factor * typical_gap, min_half_life_days, half_life_days)
    typical_gap = (last - first) / (n_interactions - 1)      the pair's own rhythm (0 for one contact)
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

import numpy as np
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
DEFAULT_CHANNEL_WEIGHTS = {
    "email": 0.6,
    "meeting": 0.9,
    "message": 0.5,
    "edge": 0.7,
    "call": 0.9,
    "invitation": 0.1,
    "contact": 0.1,
    "reaction": 0.05,
    "other": 0.2,
}


@dataclass(frozen=True)
class StrengthSettings:
    """Weights of the default tie-strength model (see the module docs for the formula)."""

    channel_weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_CHANNEL_WEIGHTS))
    connection_weight: float = 0.15
    reciprocity_weight: float = 0.1
    multiplex_boost: float = 0.15
    duration_boost: float = 0.2
    half_life_days: float = 365.0  # the longest half-life: a slow, steady relationship still cools
    # recency is judged against the pair's own rhythm: silence is long for two who wrote daily, not for
    # two who write once a quarter (rhythm_factor = 0: every pair decays with half_life_days)
    rhythm_factor: float = 2.0
    min_half_life_days: float = 7.0  # also the half-life of a pair seen once (no rhythm yet)
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
        problems = [
            f"{where}: unknown key {k!r} (expected one of: {', '.join(sorted(known))})" for k in data if k not in known
        ]
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


def _person_codes(membership: pa.Table) -> tuple[pl.Series, np.ndarray, np.ndarray]:
    """``(person_ids sorted, record_ids, code per record)``: code ``i`` is ``person_ids[i]``.

    Codes follow the sorted order of the ids, so comparing codes compares the ids.
    """
    mem = pl.from_arrow(membership).select("record_id", "person_id")
    persons = mem["person_id"].unique().sort()
    coded = mem.join(persons.to_frame().with_row_index("code"), on="person_id")
    return persons, coded["record_id"].to_numpy(), coded["code"].cast(pl.Int64).to_numpy()


def _record_lookup(record_ids: np.ndarray, codes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The code of each record in ``wanted`` (-1 for a record without a person): an array gather."""
    if wanted.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    hi = int(max(record_ids.max(initial=-1), wanted.max()))
    lo = int(min(record_ids.min(initial=0), wanted.min()))
    if lo >= 0 and hi < 8 * (record_ids.shape[0] + wanted.shape[0]) + 1_000_000:
        table = np.full(hi + 1, -1, dtype=np.int64)
        table[record_ids] = codes
        return table[wanted]
    ref = pl.DataFrame({"r": record_ids, "c": codes})
    out = pl.DataFrame({"r": wanted}).join(ref, on="r", how="left", maintain_order="left")["c"]
    return out.fill_null(-1).to_numpy()


# events with no initiator: one per pair whichever side exported it, and in neither direction count
UNDIRECTED_EVENTS = ("connection",)


def count_events(
    event_key: pl.Series,
    channel: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    at: np.ndarray,
    volume: np.ndarray,
    weight: np.ndarray,
    undirected: np.ndarray,
) -> np.ndarray:
    """Which interactions count: one per event, person pair and channel (``interactions.event_key``).

    Rows without a key are their own event. Of the copies of one event between the same two people (the
    sender's and the recipient's mailbox, every attendee's calendar, an export and its re-download) one
    row counts, and it takes the earliest date and the smallest volume (the fullest recipient list) of
    all copies, so the result does not depend on which copy came first. ``at``, ``volume`` and ``weight``
    are updated in place; returns the mask of counted rows. One hash group-by over the keyed rows only.
    """
    counted = np.ones(src.shape[0], dtype=bool)
    keyed = (
        np.flatnonzero(event_key.is_not_null().to_numpy())
        if event_key.null_count() < event_key.len()
        else np.zeros(0, dtype=np.int64)
    )
    if not keyed.size:
        return counted
    s, d, und = src[keyed], dst[keyed], undirected[keyed]
    nat = np.iinfo(np.int64).min
    frame = pl.DataFrame(
        {
            "i": keyed,
            "k": event_key.gather(keyed),
            "ch": channel[keyed],
            "s": np.where(und, np.minimum(s, d), s),
            "d": np.where(und, np.maximum(s, d), d),
            "at": pl.Series(at[keyed]).replace(nat, None),
            "v": volume[keyed],
            "w": weight[keyed],
        }
    )
    rep = frame.group_by("k", "ch", "s", "d").agg(
        pl.col("i").min(), pl.col("at").min(), pl.col("v").min(), pl.col("w").max()
    )
    if rep.height == keyed.size:
        return counted
    idx = rep["i"].to_numpy()
    counted[keyed] = False
    counted[idx] = True
    at[idx] = rep["at"].fill_null(nat).to_numpy()
    volume[idx] = rep["v"].to_numpy()
    weight[idx] = rep["w"].to_numpy()
    return counted


def aggregate_ties(
    interactions: pa.Table, membership: pa.Table, *, ignored_channels: tuple[str, ...] = ()
) -> pl.DataFrame:
    """Evidence per undirected person pair (person_a < person_b), self-ties dropped, sorted by the pair.

    Vectorised: records are mapped to integer person codes by an array gather, each pair becomes one
    int64 key (and, with the source, a second key), the interactions are sorted once by that key, and
    every count, volume, date and distinct-source count is a ``reduceat`` over the sorted runs. Nearly
    every pair is its own group, which makes a hash group-by slow; one sort is not.
    """
    persons, rec_ids, rec_codes = _person_codes(membership)
    n_p = max(persons.len(), 1)
    it = pl.from_arrow(interactions)
    if "event_key" not in it.columns:  # tables from before event keys: every row its own event
        it = it.with_columns(pl.lit(None, pl.String).alias("event_key"))
    if ignored_channels:
        it = it.filter(~pl.col("channel").is_in(list(ignored_channels)))
    src = _record_lookup(rec_ids, rec_codes, it["src_record"].to_numpy())
    dst = _record_lookup(rec_ids, rec_codes, it["dst_record"].to_numpy())
    keep = (src >= 0) & (dst >= 0) & (src != dst)
    channels = it["channel"].unique().sort().to_list()
    cols = it.select(
        pl.col("channel").cast(pl.Enum(channels)).to_physical().alias("ch"),
        pl.col("source_id").cast(pl.Categorical).to_physical().alias("source"),
        pl.col("at").dt.epoch("us").fill_null(np.iinfo(np.int64).min).alias("at"),
        "weight",
        "event_key",
        # participant-weighted volume (edge lists: their weight column)
        pl.when(pl.col("channel") == "edge")
        .then(pl.col("weight"))
        .otherwise(1.0 / (pl.col("n_participants").cast(pl.Float64) - 1.0).clip(lower_bound=1.0))
        .alias("v"),
    ).filter(pl.Series(keep))
    src, dst = src[keep], dst[keep]
    ch_all = cols["ch"].to_numpy()
    undirected_codes = [i for i, c in enumerate(channels) if c in UNDIRECTED_EVENTS]
    undirected = np.isin(ch_all, undirected_codes) if undirected_codes else np.zeros(ch_all.shape[0], dtype=bool)
    at_all = cols["at"].to_numpy().copy()
    v_all = cols["v"].to_numpy().astype(np.float64, copy=True)
    w_all = cols["weight"].to_numpy().astype(np.float64, copy=True)
    counted = count_events(cols["event_key"], ch_all, src, dst, at_all, v_all, w_all, undirected)
    all_counted = bool(counted.all())
    key = np.minimum(src, dst) * n_p + np.maximum(src, dst)
    source = cols["source"].to_numpy().astype(np.int64)
    n_src = int(source.max()) + 1 if source.size else 1
    if float(n_p) * n_p * n_src < 2.0**62:  # one int64 key for (pair, source): one multi-threaded sort
        order = pl.Series(key * n_src + source).arg_sort().to_numpy()
    else:
        order = np.lexsort((source, key))
    ks = key[order]
    m = ks.shape[0]
    new_pair = np.r_[True, ks[1:] != ks[:-1]] if m else np.zeros(0, dtype=bool)
    starts = np.flatnonzero(new_pair)
    g = np.cumsum(new_pair) - 1  # the pair (group) of each sorted interaction
    n_g = starts.shape[0]
    n_ch = max(len(channels), 1)
    cnt = None if all_counted else counted[order]  # copies of an event already counted weigh nothing
    cell = g * n_ch + ch_all[order]  # (pair, channel) of each sorted interaction
    counts_2d = np.bincount(cell, weights=cnt, minlength=n_g * n_ch).astype(np.int64).reshape(n_g, n_ch)
    v_sorted = v_all[order] if all_counted else v_all[order] * cnt
    volume_2d = np.bincount(cell, weights=v_sorted, minlength=n_g * n_ch).reshape(n_g, n_ch)
    nat, big = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    at = at_all[order]
    if not all_counted:
        at = np.where(cnt, at, nat)
    first = np.minimum.reduceat(np.where(at == nat, big, at), starts) if m else at
    last = np.maximum.reduceat(at, starts) if m else at
    uniq = ks[starts]
    directed = counted & ~undirected
    data: dict[str, object] = {
        "person_a": persons.gather(uniq // n_p),
        "person_b": persons.gather(uniq % n_p),
        "vertex_a": uniq // n_p,
        "vertex_b": uniq % n_p,  # codes follow the sorted person ids: the graph's vertex ids
        "n_interactions": np.diff(np.append(starts, m))
        if all_counted
        else np.bincount(g, weights=cnt, minlength=n_g).astype(np.int64),
        "n_a_to_b": np.bincount(g, weights=(directed & (src < dst))[order], minlength=n_g).astype(np.int64),
        "n_b_to_a": np.bincount(g, weights=(directed & (src > dst))[order], minlength=n_g).astype(np.int64),
    }
    counts = {c: counts_2d[:, i] for i, c in enumerate(channels)}
    data |= {f"v_{c}": volume_2d[:, i] for i, c in enumerate(channels)}
    w_sorted = w_all[order] if all_counted else w_all[order] * cnt
    data["weight_sum"] = np.bincount(g, weights=w_sorted, minlength=n_g)
    # provenance: every source that holds evidence of the tie, copies included (never part of a strength)
    ss = source[order]
    new_source = np.r_[True, (ks[1:] != ks[:-1]) | (ss[1:] != ss[:-1])] if m else new_pair
    data["n_sources"] = np.bincount(g, weights=new_source, minlength=n_g).astype(np.int32)
    ties = pl.DataFrame(data).with_columns(
        pl.Series("first_at", first).replace(big, None).cast(pl.Datetime("us", "UTC")),
        pl.Series("last_at", last).replace(nat, None).cast(pl.Datetime("us", "UTC")),
    )
    zero = np.zeros(uniq.shape[0], dtype=np.int64)
    unknown = [counts[c] for c in channels if c not in CHANNEL_COLUMNS]
    return ties.with_columns(
        *[pl.Series(col, counts.get(c, zero), dtype=pl.Int64) for c, col in CHANNEL_COLUMNS.items()],
        pl.Series("n_other", np.sum(unknown, axis=0) if unknown else zero, dtype=pl.Int64),
        pl.Series("n_channels", np.sum([c > 0 for c in counts.values()], axis=0) if counts else zero, dtype=pl.Int32),
    ).with_columns(pl.col(c).cast(pl.Int64) for c in ["n_interactions", "n_a_to_b", "n_b_to_a"])


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
        decay = (pl.lit(0.5) ** (days.clip(lower_bound=0.0) / half_life_expr(settings))).fill_null(1.0)
        activity = activity * decay
    evidence = activity + settings.connection_weight * (pl.col("n_connections") > 0).cast(pl.Float64)
    floor = settings.floor
    return (floor + (1 - floor) * (1 - (-evidence).exp())).clip(floor, 1.0)


def half_life_expr(settings: StrengthSettings) -> pl.Expr:
    """Each pair's recency half-life in days: its typical gap between contacts times ``rhythm_factor``,
    between ``min_half_life_days`` and ``half_life_days`` (a pair seen once gets the shortest).
    """
    longest = settings.half_life_days
    if settings.rhythm_factor <= 0:
        return pl.lit(longest)
    span = (pl.col("last_at") - pl.col("first_at")).dt.total_seconds().fill_null(0.0) / 86400.0
    n = pl.col("n_interactions").cast(pl.Float64)
    gap = pl.when(n > 1).then(span / (n - 1)).otherwise(pl.lit(0.0))
    shortest = min(settings.min_half_life_days, longest)
    return (settings.rhythm_factor * gap).clip(shortest, longest)


def compute_ties(interactions: pa.Table, membership: pa.Table, *, settings: StrengthSettings | None = None) -> pa.Table:
    """The TIES table: evidence per person pair and its strength."""
    settings = settings or StrengthSettings()
    ties = aggregate_ties(interactions, membership, ignored_channels=settings.ignored_channels)
    channels = [c[2:] for c in ties.columns if c.startswith("v_")]
    as_of = settings.as_of
    if as_of is None and ties.height and ties["last_at"].null_count() < ties.height:
        as_of = ties["last_at"].max()
    ties = ties.with_columns(strength_expr(settings, as_of, channels).alias("strength"))  # already sorted by pair
    return conform(ties.to_arrow(), TIES)


def path_cost(strength: float) -> float:
    """Routing cost of a tie: ``-ln(strength)``; the warmest path minimises the sum."""
    return -math.log(strength)
