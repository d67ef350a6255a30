"""Render command results as an aligned text table, JSON or CSV (formula-safe for spreadsheets)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from reach.io.files import atomic_write_text

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Output:
    """A command's result: ``data`` for JSON, ``rows`` for CSV and the table body, ``lines`` above it."""

    data: dict
    rows: pl.DataFrame | None = None
    lines: list[str] = field(default_factory=list)


def safe_cell(value: object) -> object:
    """Escape a string a spreadsheet would run as a formula by prefixing a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def to_csv(rows: pl.DataFrame) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(rows.columns)
    for row in rows.iter_rows():
        w.writerow(["" if v is None else safe_cell(_plain(v)) for v in row])
    return buf.getvalue()


def _plain(v: object) -> object:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, list):
        return ";".join(map(str, v))
    return v


def to_text_table(rows: pl.DataFrame, *, max_rows: int = 200) -> str:
    if rows.height == 0:
        return "(no rows)"
    shown = rows.head(max_rows)
    cells = [[str(c) for c in shown.columns]]
    for row in shown.iter_rows():
        cells.append(["" if v is None else str(_plain(v)) for v in row])
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    numeric = [dt.is_numeric() for dt in shown.dtypes]
    out = []
    for j, r in enumerate(cells):
        parts = [c.rjust(widths[i]) if numeric[i] and j else c.ljust(widths[i]) for i, c in enumerate(r)]
        out.append("  ".join(parts).rstrip())
        if j == 0:
            out.append("  ".join("-" * w for w in widths))
    if rows.height > max_rows:
        out.append(f"... {rows.height - max_rows} more rows (use --format csv or --output)")
    return "\n".join(out)


def render(output: Output, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(output.data, indent=2, sort_keys=False, default=str, ensure_ascii=False) + "\n"
    if fmt == "csv":
        if output.rows is None:
            rows = pl.DataFrame({"key": list(output.data), "value": [_scalar(v) for v in output.data.values()]})
            return to_csv(rows)
        return to_csv(output.rows)
    text = list(output.lines)
    if output.rows is not None:
        if text:
            text.append("")
        text.append(to_text_table(output.rows))
    return "\n".join(text) + "\n"


def _scalar(v: object) -> str:
    if isinstance(v, dict | list):
        return json.dumps(v, default=str)
    return str(v)


def emit(output: Output, fmt: str, path: Path | None) -> str | None:
    """Write the rendering to ``path`` atomically, or return it for stdout."""
    text = render(output, fmt)
    if path is None:
        return text
    atomic_write_text(Path(path), text)
    return None
