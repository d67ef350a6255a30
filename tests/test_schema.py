from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from reach.errors import SchemaError
from reach.schema import PEOPLE, TABLES, TIES, conform, schema_markdown, validate_table

REPO = Path(__file__).resolve().parents[1]


def test_validate_table_reports_every_problem_at_once():
    bad = pa.table({"person_a": ["a"], "strength": ["high"], "surprise": [1]})
    with pytest.raises(SchemaError) as err:
        validate_table(bad, TIES)
    msg = str(err.value)
    assert "missing column 'person_b'" in msg
    assert "column 'strength' is string" in msg
    assert "unexpected column 'surprise'" in msg


def test_conform_fills_missing_nullable_columns_and_orders():
    t = conform(pa.table({"n_sources": [1], "n_records": [2], "person_id": ["p1"]}), PEOPLE)
    assert t.schema.names == PEOPLE.names
    assert t.column("display_name").null_count == 1
    assert t.schema.field("n_records").type == pa.int32()


def test_conform_rejects_nulls_in_required_columns():
    with pytest.raises(SchemaError, match="person_id"):
        conform(pa.table({"person_id": pa.array([None], pa.string()), "n_records": [1], "n_sources": [1]}), PEOPLE)


def test_every_table_has_metadata_and_documented_columns():
    for name, schema in TABLES.items():
        assert schema.metadata[b"reach.schema"].decode().startswith(name + "/")


def test_docs_schema_md_is_generated_from_the_schema_module():
    assert (REPO / "docs" / "schema.md").read_text(encoding="utf-8") == schema_markdown()
