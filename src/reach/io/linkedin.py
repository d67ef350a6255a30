"""LinkedIn data export: ``Connections.csv``.

Quirks handled (see ``shared/FORMATS.md`` 4.1): the ``Notes:`` preamble of 0 to 4 lines (quoted or
not), a UTF-8 BOM, CRLF, blank rows, rows of commas only, quoted commas and quotes, the older layout
without ``URL``, and ``12 Mar 2024`` dates. Columns are mapped by name, never by position.

Each row is a connection between the export's owner and the person on the row.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from reach.errors import InputFormatError
from reach.io.base import Format, Parsed, owner_record, rejects_table
from reach.io.text import decode
from reach.schema import RECORDS

CONNECTION_COLUMNS = {
    "first name": "first_name",
    "last name": "last_name",
    "url": "linkedin_url",
    "profile url": "linkedin_url",
    "email address": "email",
    "company": "company",
    "position": "title",
    "connected on": "connected_on",
}
REQUIRED = {"first_name", "last_name", "connected_on"}
MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def _norm_header(cell: str) -> str:
    return cell.strip().strip('"').strip().lower().lstrip("\ufeff")


def find_header(lines: list[str]) -> int | None:
    """Index of the ``First Name,Last Name,...,Connected On`` header among the first lines, or None."""
    for i, line in enumerate(lines[:20]):
        cells = {_norm_header(c) for c in line.split(",")}
        if {"first name", "last name", "connected on"} <= cells:
            return i
    return None


def sniff(head: str, path: Path | None = None) -> float:
    return 1.0 if find_header(head.splitlines()) is not None else 0.0


def parse_connected_on(value: str) -> datetime | None:
    """Parse ``12 Mar 2024`` (also ``12-Mar-24`` and ISO ``2024-03-12``); None when unparseable."""
    value = value.strip()
    if not value:
        return None
    parts = value.replace("-", " ").replace("/", " ").split()
    try:
        if len(parts) == 3 and parts[1][:3].lower() in MONTHS:
            year = int(parts[2])
            year += 2000 if year < 100 else 0
            return datetime(year, MONTHS[parts[1][:3].lower()], int(parts[0]), tzinfo=UTC)
        if len(parts) == 3 and len(parts[0]) == 4:
            return datetime(int(parts[0]), int(parts[1]), int(parts[2]), tzinfo=UTC)
    except ValueError:
        return None
    return None


def read_connections(path: Path, *, owner: str | None, options: dict | None = None) -> Parsed:
    """Parse a LinkedIn ``Connections.csv``; ``owner`` (whose export it is) is required."""
    if not owner:
        msg = f"{path}: a LinkedIn export is one person's connections; say whose with --owner (an email or name)"
        raise InputFormatError(msg)
    text = decode(Path(path).read_bytes()).lstrip("\ufeff")
    header_idx = find_header(text[:65536].split("\n"))
    if header_idx is None:
        msg = f"{path}: no LinkedIn Connections header (First Name,Last Name,...,Connected On) in the first 20 lines"
        raise InputFormatError(msg)
    # csv reads from the header's first character so that line numbers stay exact
    start = 0
    for _ in range(header_idx):
        start = text.find("\n", start) + 1 or len(text)
    reader = csv.reader(io.StringIO(text[start:], newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        msg = f"{path}: line {header_idx + 1}: cannot read the header: {exc}"
        raise InputFormatError(msg) from exc
    colmap: dict[int, str] = {}
    for i, cell in enumerate(header):
        name = CONNECTION_COLUMNS.get(_norm_header(cell))
        if name and name not in colmap.values():
            colmap[i] = name
    missing = REQUIRED - set(colmap.values())
    if missing:
        msg = f"{path}: line {header_idx + 1}: header lacks {', '.join(sorted(missing))}"
        raise InputFormatError(msg)

    records = [owner_record(owner)]
    inter_src, inter_dst, inter_line, inter_at = [], [], [], []
    rejects: list[tuple[int | None, str, str | None]] = []
    n_rows = n_skipped = 0
    line_base = header_idx + 1  # lines consumed before the csv reader's first data line
    prev = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = line_base + reader.line_num
            rejects.append((line, f"malformed CSV: {exc}", None))
            prev = reader.line_num
            continue
        line = line_base + prev + 1
        prev = reader.line_num
        if not any(cell.strip() for cell in row):
            n_skipped += 1
            continue
        n_rows += 1
        if len(row) > len(header):
            rejects.append((line, f"row has {len(row)} columns, the header has {len(header)}", ",".join(row)))
            continue
        values = {name: row[i].strip() for i, name in colmap.items() if i < len(row)}
        first, last = values.get("first_name", ""), values.get("last_name", "")
        url, email = values.get("linkedin_url", ""), values.get("email", "")
        if not (first or last or url or email):
            rejects.append((line, "row has no name, profile URL or email", ",".join(row)))
            continue
        rid = len(records)
        name = " ".join(p for p in (first, last) if p) or None
        records.append({
            "record_id": rid, "line": line, "role": "contact", "display_name": name,
            "first_name": first or None, "last_name": last or None,
            "company": values.get("company") or None, "title": values.get("title") or None,
            "emails": [email] if email else None, "linkedin_url": url or None,
        })
        inter_src.append(0)
        inter_dst.append(rid)
        inter_line.append(line)
        inter_at.append(parse_connected_on(values.get("connected_on", "")))
    n = len(inter_src)
    interactions = pa.table({
        "line": pa.array(inter_line, pa.int64()),
        "src_record": pa.array(inter_src, pa.int64()),
        "dst_record": pa.array(inter_dst, pa.int64()),
        "channel": pa.array(["connection"] * n, pa.string()),
        "at": pa.array(inter_at, pa.timestamp("us", tz="UTC")),
        "weight": pa.array([1.0] * n, pa.float64()),
        "n_participants": pa.array([2] * n, pa.int32()),
    })
    rec_schema = pa.schema([f for f in RECORDS if f.name != "source_id"])
    return Parsed(
        records=pa.Table.from_pylist(records, schema=rec_schema),
        interactions=interactions,
        rejects=rejects_table(rejects),
        n_rows=n_rows,
        n_skipped=n_skipped,
    )


FORMATS = [
    Format("linkedin-connections", "LinkedIn data export Connections.csv", sniff, read_connections, needs_owner=True),
]
