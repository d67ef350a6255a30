"""The calibration harness's metrics against brute force, and its labelling of a cut on hand-built data."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from reach.calibration import label_cut, precision_at_k, roc_auc
from reach.schema import INTERACTIONS, MEMBERSHIP, conform


def auc_by_pairs(scores, labels) -> float:
    """Every (positive, negative) pair: 1 if the positive scores higher, 1/2 if equal."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def precision_by_orders(scores, labels, k) -> float:
    """Mean precision at k over every order of the pairs consistent with the scores (ties in any order)."""
    idx = range(len(scores))
    values = []
    for perm in itertools.permutations(idx):
        if all(scores[perm[i]] >= scores[perm[i + 1]] for i in range(len(perm) - 1)):
            values.append(sum(labels[j] for j in perm[:k]) / k)
    return float(np.mean(values))


scored = st.lists(st.tuples(st.integers(0, 4), st.booleans()), min_size=2, max_size=7)


@settings(max_examples=200, deadline=None)
@given(scored)
def test_auc_matches_pair_counting(rows):
    scores = [float(s) for s, _ in rows]
    labels = [y for _, y in rows]
    got = roc_auc(np.array(scores), np.array(labels))
    if all(labels) or not any(labels):
        assert np.isnan(got)
    else:
        assert abs(got - auc_by_pairs(scores, labels)) < 1e-12


@settings(max_examples=120, deadline=None)
@given(scored, st.integers(1, 7))
def test_precision_at_k_is_the_mean_over_tie_orders(rows, k):
    scores = [float(s) for s, _ in rows]
    labels = [y for _, y in rows]
    k_eff = min(k, len(rows))
    got = precision_at_k(np.array(scores), np.array(labels), k)
    assert abs(got - precision_by_orders(scores, labels, k_eff)) < 1e-12


def test_auc_of_a_perfect_and_a_reversed_ranking():
    labels = np.array([True, True, False, False])
    assert roc_auc(np.array([4.0, 3, 2, 1]), labels) == 1.0
    assert roc_auc(np.array([1.0, 2, 3, 4]), labels) == 0.0


CUT = datetime(2024, 6, 1, tzinfo=UTC)


def test_label_cut_uses_only_evidence_before_the_cut_and_contact_within_the_horizon():
    # records 0..3 are people a..d; a-b met before and after the cut, a-c only before, a-d only after,
    # b-c before and 100 days after (outside the 90-day window)
    day = timedelta(days=1)
    rows = [
        (0, 1, CUT - 10 * day),
        (0, 1, CUT + 5 * day),
        (0, 2, CUT - 40 * day),
        (0, 3, CUT + 1 * day),
        (1, 2, CUT - 3 * day),
        (1, 2, CUT + 100 * day),
    ]
    inter = conform(
        pa.table(
            {
                "source_id": ["s"] * len(rows),
                "line": list(range(1, len(rows) + 1)),
                "src_record": [r[0] for r in rows],
                "dst_record": [r[1] for r in rows],
                "channel": ["email"] * len(rows),
                "at": pa.array([r[2] for r in rows], pa.timestamp("us", tz="UTC")),
                "weight": [1.0] * len(rows),
                "n_participants": pa.array([2] * len(rows), pa.int32()),
            }
        ),
        INTERACTIONS,
    )
    mem = conform(pa.table({"record_id": [0, 1, 2, 3], "person_id": ["a", "b", "c", "d"]}), MEMBERSHIP)
    cut = label_cut(inter, mem, CUT, horizon_days=90)
    got = {(r["person_a"], r["person_b"]): r["contact_after"] for r in cut.ties.iter_rows(named=True)}
    assert got == {("a", "b"): True, ("a", "c"): False, ("b", "c"): False}
    assert cut.ties["last_at"].max() < CUT
