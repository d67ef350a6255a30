"""Poison values stop at the door: what later stages cannot take is set aside before an import commits.

Every importer's :class:`~reach.io.base.Parsed` goes through :func:`sanitise` before it is written to the
workspace. A value that a later stage would choke on (a date beyond what a datetime can hold, such as an
email dated ``Fri, 31 Dec 9999 23:59:59 -1200``; a non-finite weight; a control character in a name that
GraphML, HTML or a spreadsheet cannot hold) sends its row to rejects with its line and the reason, and
the rest of the file imports. Vectorised with Arrow compute: the cost is a few passes over the columns.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reach.io.base import Parsed

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)  # no export holds real contact before this
LATEST = datetime(2200, 1, 1, tzinfo=UTC)  # nor after this; year 10000 breaks every datetime library
# Characters XML 1.0 forbids (GraphML), that HTML shows as nothing and that spreadsheets mangle.
CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]"
TEXT_COLUMNS = (
    "key",
    "owner",
    "display_name",
    "first_name",
    "last_name",
    "company",
    "title",
    "location",
    "linkedin_url",
)
LIST_COLUMNS = ("emails", "phones")


def sanitise(parsed: Parsed) -> Parsed:
    """``parsed`` without the rows holding poison values; each one is a reject with its line and reason."""
    records, interactions, rejects = parsed.records, parsed.interactions, [parsed.rejects]
    bad_records, why = _records_with_controls(records)
    if bad_records.any():
        rejects.append(_rejects(records.filter(pa.array(bad_records)), why[bad_records]))
        keep = ~bad_records
        new_id = np.cumsum(keep) - 1  # local record ids stay 0..n-1
        src = interactions.column("src_record").to_numpy(zero_copy_only=False)
        dst = interactions.column("dst_record").to_numpy(zero_copy_only=False)
        ok = keep[src] & keep[dst]
        interactions = interactions.filter(pa.array(ok))
        interactions = interactions.set_column(
            interactions.schema.get_field_index("src_record"), "src_record", pa.array(new_id[src[ok]], pa.int64())
        )
        interactions = interactions.set_column(
            interactions.schema.get_field_index("dst_record"), "dst_record", pa.array(new_id[dst[ok]], pa.int64())
        )
        records = records.filter(pa.array(keep))
        records = records.set_column(
            records.schema.get_field_index("record_id"), "record_id", pa.array(np.arange(records.num_rows), pa.int64())
        )
    bad_inter, why_i = _interactions_out_of_range(interactions)
    if bad_inter.any():
        rejects.append(_rejects(interactions.filter(pa.array(bad_inter)), why_i[bad_inter]))
        interactions = interactions.filter(pa.array(~bad_inter))
    if len(rejects) == 1:
        return parsed
    return Parsed(
        records=records,
        interactions=interactions,
        rejects=_concat_rejects(rejects),
        n_rows=parsed.n_rows,
        n_skipped=parsed.n_skipped,
        notes=parsed.notes,
    )


def _records_with_controls(records: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    n = records.num_rows
    bad = np.zeros(n, dtype=bool)
    why = np.full(n, "", dtype=object)
    for col in TEXT_COLUMNS:
        if col not in records.column_names:
            continue
        hit = pc.fill_null(pc.match_substring_regex(records.column(col), CONTROL), False).to_numpy(zero_copy_only=False)
        why[hit & ~bad] = f"control character in {col} (GraphML, HTML and spreadsheets cannot hold it)"
        bad |= hit
    for col in LIST_COLUMNS:
        if col not in records.column_names:
            continue
        values = records.column(col).combine_chunks()
        flat = pc.list_flatten(values)
        if not len(flat):
            continue
        hit = pc.fill_null(pc.match_substring_regex(flat, CONTROL), False).to_numpy(zero_copy_only=False)
        rows = np.unique(pc.list_parent_indices(values).to_numpy()[hit])
        fresh = rows[~bad[rows]]
        why[fresh] = f"control character in {col}"
        bad[rows] = True
    return bad, why


def _interactions_out_of_range(interactions: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    n = interactions.num_rows
    why = np.full(n, "", dtype=object)
    at = interactions.column("at").cast(pa.int64())
    lo = int(EARLIEST.timestamp() * 1_000_000)
    hi = int(LATEST.timestamp() * 1_000_000)
    bad = pc.fill_null(pc.or_(pc.less(at, lo), pc.greater_equal(at, hi)), False).to_numpy(zero_copy_only=False)
    why[bad] = f"date outside {EARLIEST.year}-{LATEST.year - 1}"
    if "weight" in interactions.column_names:
        w = interactions.column("weight").to_numpy(zero_copy_only=False).astype(float)
        nonfinite = ~np.isfinite(w) & ~bad
        why[nonfinite] = "weight is not a finite number"
        bad |= ~np.isfinite(w)
    return bad, why


def _rejects(rows: pa.Table, reasons: np.ndarray) -> pa.Table:
    line = rows.column("line") if "line" in rows.column_names else pa.nulls(rows.num_rows, pa.int64())
    shown = rows.column("display_name") if "display_name" in rows.column_names else None
    if shown is None:
        excerpt = pa.nulls(rows.num_rows, pa.string())
    else:
        excerpt = pc.replace_substring_regex(pc.utf8_slice_codeunits(shown, 0, 120), CONTROL, "\ufffd")
    return pa.table(
        {
            "line": line.cast(pa.int64()),
            "reason": pa.array(list(reasons), pa.string()),
            "excerpt": excerpt.cast(pa.string()),
        }
    )


def _concat_rejects(parts: list[pa.Table]) -> pa.Table:
    cols = ("line", "reason", "excerpt")
    out = []
    for t in parts:
        if t.num_rows == 0:
            continue
        out.append(
            pa.table(
                {
                    c: (
                        t.column(c).cast(pa.int64() if c == "line" else pa.string())
                        if c in t.column_names
                        else pa.nulls(t.num_rows, pa.int64() if c == "line" else pa.string())
                    )
                    for c in cols
                }
            )
        )
    return pa.concat_tables(out) if out else parts[0]
