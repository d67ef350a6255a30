"""Strength labels and tie reasons: one band table, the scalar and the column form agree, reasons from evidence."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reach.strength import StrengthSettings, strength_expr
from reach.strength_labels import LABELS, STRENGTH_BANDS, strength_label, strength_label_expr, tie_reason

DOCS = Path(__file__).resolve().parent.parent / "docs" / "tie-strength.md"


def oracle(x: float) -> str:
    """The documented thresholds, written out by hand."""
    if x >= 0.6:
        return "strong"
    if x >= 0.3:
        return "good"
    if x >= 0.1:
        return "weak"
    return "cold"


@settings(deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=1, max_size=50))
def test_scalar_and_column_labels_agree_with_the_documented_thresholds(values):
    col = pl.DataFrame({"strength": values}).select(strength_label_expr("strength"))["strength"].to_list()
    assert col == [strength_label(v) for v in values] == [oracle(v) for v in values]


@settings(deadline=None)
@given(st.floats(min_value=0.0, max_value=1.0), st.floats(min_value=0.0, max_value=1.0))
def test_a_stronger_tie_never_gets_a_colder_label(a, b):
    lo, hi = sorted((a, b))
    assert LABELS.index(strength_label(hi)) <= LABELS.index(strength_label(lo))


def test_boundaries_and_missing_values():
    assert [strength_label(x) for x in (0.6, 0.5999, 0.3, 0.2999, 0.1, 0.0999)] == [
        "strong",
        "good",
        "good",
        "weak",
        "weak",
        "cold",
    ]
    assert strength_label(None) is None and strength_label(float("nan")) is None
    got = pl.DataFrame({"s": [None, float("nan"), 0.7]}).select(strength_label_expr("s"))["s"].to_list()
    assert got == [None, None, "strong"]


def test_docs_table_lists_the_bands_of_the_code():
    text = DOCS.read_text(encoding="utf-8")
    for name, lo in STRENGTH_BANDS:
        assert re.search(rf"\| {name} \| >= {lo}", text), name
    assert "| cold | < 0.1 |" in text


def _model_strength(v_contact: float, n_connections: int) -> float:
    """The default model's strength (reach.strength.strength_expr) for one undated tie."""
    ev = pl.DataFrame(
        {
            "v_contact": [v_contact],
            "n_a_to_b": [0],
            "n_b_to_a": [0],
            "n_channels": [1],
            "n_interactions": [1],
            "n_connections": [n_connections],
            "first_at": pl.Series([None], dtype=pl.Datetime("us", "UTC")),
            "last_at": pl.Series([None], dtype=pl.Datetime("us", "UTC")),
        }
    )
    return ev.select(strength_expr(StrengthSettings(), None, ["contact"]))["literal"].item()


def test_documented_examples_of_evidence_get_their_labels():
    """A bare LinkedIn connection is weak, an address-book entry alone is cold (the docs' third column)."""
    bare, book = _model_strength(0.0, 1), _model_strength(1.0, 0)
    assert bare == pytest.approx(0.148, abs=1e-3) and book == pytest.approx(0.076, abs=1e-3)
    assert strength_label(bare) == "weak" and strength_label(book) == "cold"


def test_tie_reason_says_label_channels_counts_and_last_contact():
    ties = pl.DataFrame(
        {
            "strength": [0.72, 0.148, 0.076, 0.5],
            "n_emails": [4, 0, 0, 0],
            "n_meetings": [1, 0, 0, 0],
            "n_messages": [2, 0, 0, 0],
            "n_connections": [1, 1, 0, 0],
            "n_edges": [0, 0, 0, 1],
            "n_other": [0, 0, 1, 0],
            "last_at": [datetime(2026, 1, 15, tzinfo=UTC), datetime(2024, 1, 2, tzinfo=UTC), None, None],
        }
    )
    assert tie_reason(ties).to_list() == [
        "strong: 4 emails, 1 meeting, 2 messages, LinkedIn, last 2026-01-15",
        "weak: LinkedIn only, 2024-01-02",
        "cold: 1 other contact, undated",
        "good: 1 edge-list line, undated",
    ]
