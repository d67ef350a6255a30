"""Calibration of the tie-strength model: does a strong tie today mean contact soon?

For a cut date, strengths are computed from the evidence dated before the cut only (``as_of`` = the
cut), and every pair that had a tie before the cut is labelled by whether the two were in contact in
the ``horizon_days`` after it. A model's scores are judged by ROC AUC (the chance that a random
pair who were in contact scores above a random pair who were not, ties counting one half) and by
precision at k (the share of the k highest-scored pairs that were in contact; pairs tied at the
k-th score count by their expected share under a random order, so the figure does not depend on an
arbitrary tie-break).

Pure computation over the ``interactions`` and ``membership`` tables: the script
``scripts/calibrate_strength.py`` imports the real data and prints the tables in
``docs/tie-strength.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pyarrow as pa
from scipy.stats import rankdata

from reach.strength import StrengthSettings, aggregate_ties, compute_ties


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC by the Mann-Whitney rank sum (average ranks for ties); NaN without both classes."""
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=bool)
    n_pos = int(labels.sum())
    n_neg = labels.shape[0] - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(scores, method="average")
    return float((ranks[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def precision_at_k(scores: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Expected share of positives among the ``k`` highest scores, ties at the cut-off broken at random.

    Pairs scored above the k-th score all count; of the pairs tied with it, the ``m`` places left are
    filled by a random subset, whose expected number of positives is ``m`` times the tied group's
    positive share. ``k`` larger than the number of pairs uses all of them.
    """
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels, dtype=bool)
    n = scores.shape[0]
    if n == 0 or k <= 0:
        return float("nan")
    k = min(k, n)
    kth = np.sort(scores)[::-1][k - 1]
    above = scores > kth
    tied = scores == kth
    m = k - int(above.sum())
    hits = labels[above].sum() + m * labels[tied].mean()
    return float(hits / k)


@dataclass(frozen=True)
class CutLabels:
    """Pairs with evidence before ``cut``: the ties computed from it and whether they met afterwards."""

    cut: datetime
    horizon_days: int
    ties: pl.DataFrame  # the TIES columns as of the cut, plus ``contact_after`` (bool)

    @property
    def labels(self) -> np.ndarray:
        return self.ties["contact_after"].to_numpy()


def label_cut(
    interactions: pa.Table,
    membership: pa.Table,
    cut: datetime,
    *,
    horizon_days: int = 90,
    settings: StrengthSettings | None = None,
) -> CutLabels:
    """Ties from the interactions dated before ``cut`` (strengths as of the cut), each labelled by contact
    in ``[cut, cut + horizon_days)``. Undated interactions are left out on both sides: they cannot be
    placed before or after the cut.
    """
    settings = replace(settings or StrengthSettings(), as_of=cut)
    it = pl.from_arrow(interactions)
    before = it.filter(pl.col("at") < cut).to_arrow()
    after = it.filter((pl.col("at") >= cut) & (pl.col("at") < cut + timedelta(days=horizon_days))).to_arrow()
    ties = pl.from_arrow(compute_ties(before, membership, settings=settings))
    met = aggregate_ties(after, membership, ignored_channels=settings.ignored_channels).select(
        "person_a", "person_b", pl.lit(True).alias("contact_after")
    )
    ties = ties.join(met, on=["person_a", "person_b"], how="left").with_columns(
        pl.col("contact_after").fill_null(False)
    )
    return CutLabels(cut=cut, horizon_days=horizon_days, ties=ties)


def strengths_for(
    interactions: pa.Table, membership: pa.Table, cut: datetime, settings: StrengthSettings, pairs: pl.DataFrame
) -> np.ndarray:
    """The model's strengths as of ``cut`` for ``pairs`` (person_a, person_b), in their order."""
    it = pl.from_arrow(interactions).filter(pl.col("at") < cut).to_arrow()
    ties = pl.from_arrow(compute_ties(it, membership, settings=replace(settings, as_of=cut)))
    joined = pairs.select("person_a", "person_b").join(
        ties.select("person_a", "person_b", "strength"), on=["person_a", "person_b"], how="left", maintain_order="left"
    )
    return joined["strength"].to_numpy()


def baseline_scores(cut: CutLabels, *, seed: int = 0) -> dict[str, np.ndarray]:
    """Single-feature scores for the same pairs: message count, recency only, connection only, random."""
    t = cut.ties
    last = t["last_at"].dt.epoch("s").fill_null(np.iinfo(np.int64).min // 2).to_numpy().astype(np.float64)
    rng = np.random.default_rng(seed)
    return {
        "message count": t["n_interactions"].to_numpy().astype(np.float64),
        "recency only": last,
        "connection only": (t["n_connections"].to_numpy() > 0).astype(np.float64),
        "random": rng.random(t.height),
    }


@dataclass(frozen=True)
class Score:
    model: str
    n_pairs: int
    n_positive: int
    auc: float
    p_at_10: float
    p_at_100: float


def score(model: str, scores: np.ndarray, labels: np.ndarray) -> Score:
    return Score(
        model=model,
        n_pairs=int(labels.shape[0]),
        n_positive=int(np.asarray(labels).sum()),
        auc=roc_auc(scores, labels),
        p_at_10=precision_at_k(scores, labels, 10),
        p_at_100=precision_at_k(scores, labels, 100),
    )


def evaluate(cut: CutLabels, strengths: dict[str, np.ndarray], *, seed: int = 0) -> list[Score]:
    """Scores of each named strength model and of every baseline on one labelled cut."""
    labels = cut.labels
    out = [score(name, s, labels) for name, s in strengths.items()]
    out += [score(name, s, labels) for name, s in baseline_scores(cut, seed=seed).items()]
    return out
