"""The tie-strength model: range, monotonicity, stability and edge cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reach.errors import ConfigError
from reach.schema import INTERACTIONS, MEMBERSHIP, conform
from reach.strength import StrengthSettings, compute_ties

T0 = datetime(2024, 1, 1, tzinfo=UTC)
AS_OF = datetime(2025, 1, 1, tzinfo=UTC)
MEMBERS = conform(pa.table({"record_id": [0, 1, 2, 3], "person_id": ["pa", "pb", "pc", "pa"]}), MEMBERSHIP)


def inter(rows: list[tuple[int, int, str, datetime | None, int]]) -> pa.Table:
    return conform(
        pa.table(
            {
                "source_id": ["s"] * len(rows),
                "line": list(range(1, len(rows) + 1)),
                "src_record": [r[0] for r in rows],
                "dst_record": [r[1] for r in rows],
                "channel": [r[2] for r in rows],
                "at": pa.array([r[3] for r in rows], pa.timestamp("us", tz="UTC")),
                "weight": [1.0] * len(rows),
                "n_participants": pa.array([r[4] for r in rows], pa.int32()),
            }
        ),
        INTERACTIONS,
    )


def strength(rows, **kw) -> float:
    t = pl.from_arrow(compute_ties(inter(rows), MEMBERS, settings=StrengthSettings(as_of=AS_OF, **kw)))
    t = t.filter((pl.col("person_a") == "pa") & (pl.col("person_b") == "pb"))
    return float(t["strength"][0]) if t.height else 0.0


def emails(n_ab: int, n_ba: int, when: datetime = T0, k: int = 2):
    return [(0, 1, "email", when, k)] * n_ab + [(1, 0, "email", when, k)] * n_ba


def test_strength_is_in_unit_interval_and_a_bare_connection_is_weak():
    s_conn = strength([(0, 1, "connection", T0, 2)])
    s_mail = strength(emails(10, 10, AS_OF))
    assert 0 < s_conn < 0.2
    assert s_conn < s_mail <= 1.0


@settings(max_examples=80, deadline=None)
@given(n_ab=st.integers(1, 30), n_ba=st.integers(0, 30), days=st.integers(0, 2000), extra=st.integers(1, 10))
def test_more_recent_contact_never_lowers_strength(n_ab, n_ba, days, extra):
    older = strength(emails(n_ab, n_ba, AS_OF - timedelta(days=days + extra)))
    newer = strength(emails(n_ab, n_ba, AS_OF - timedelta(days=days)))
    assert newer >= older


@settings(max_examples=80, deadline=None)
@given(n_ab=st.integers(1, 30), n_ba=st.integers(0, 29), days=st.integers(0, 1000))
def test_more_contact_either_way_never_lowers_strength(n_ab, n_ba, days):
    when = AS_OF - timedelta(days=days)
    base = strength(emails(n_ab, n_ba, when))
    assert strength(emails(n_ab, n_ba + 1, when)) >= base
    assert strength(emails(n_ab + 1, n_ba, when)) >= base


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 30))
def test_reciprocal_contact_beats_one_sided_contact_of_the_same_volume(n):
    assert strength(emails(n, n, AS_OF)) > strength(emails(2 * n, 0, AS_OF))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 20), k=st.integers(2, 30))
def test_larger_meetings_count_less(n, k):
    small = strength([(0, 1, "meeting", AS_OF, k)] * n)
    large = strength([(0, 1, "meeting", AS_OF, k + 5)] * n)
    assert large <= small


def test_recomputing_gives_identical_strengths():
    rows = emails(3, 2, T0) + [(0, 2, "meeting", AS_OF, 4), (2, 1, "connection", None, 2)]
    a = compute_ties(inter(rows), MEMBERS, settings=StrengthSettings())
    b = compute_ties(inter(list(reversed(rows))), MEMBERS, settings=StrengthSettings())
    assert a.equals(b)


def test_self_ties_are_dropped_and_aliases_of_one_person_merge():
    # records 0 and 3 are both person pa (e.g. the owner's two addresses)
    ties = compute_ties(inter([(0, 3, "email", T0, 2), (3, 1, "email", T0, 2), (0, 1, "email", T0, 2)]), MEMBERS)
    t = pl.from_arrow(ties)
    assert t.height == 1
    assert t.row(0, named=True)["n_emails"] == 2


def test_broadcast_mail_is_not_a_tie():
    ties = compute_ties(inter([(0, 1, "broadcast", T0, 40)]), MEMBERS)
    assert ties.num_rows == 0


def test_settings_report_every_problem_at_once():
    with pytest.raises(ConfigError) as err:
        StrengthSettings.from_dict({"half_lfe_days": 3, "floor": 2, "reciprocity_weight": "high"})
    msg = str(err.value)
    assert "unknown key 'half_lfe_days'" in msg and "floor" in msg and "reciprocity_weight" in msg
