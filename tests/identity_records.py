"""Hand-built RECORDS tables for the identity tests (one place, so every test builds them alike)."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from reach.schema import RECORDS, conform


def records(rows: list[dict], *, source_id: str = "s1", role: str = "contact") -> pa.Table:
    """A RECORDS table from row dicts; ``record_id``, ``line``, ``source_id`` and ``role`` filled in."""
    rows = [dict(r) for r in rows]
    for i, r in enumerate(rows):
        r.setdefault("record_id", i)
        r.setdefault("source_id", source_id)
        r.setdefault("line", i + 1)
        r.setdefault("role", role)
    return conform(pa.Table.from_pylist(rows, schema=RECORDS), RECORDS)


def people_of(res: dict) -> list[str]:
    """person_id of each record, in record order."""
    return pl.from_arrow(res["membership"]).sort("record_id")["person_id"].to_list()
