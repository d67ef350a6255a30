"""Where a forgotten person may still be found outside the workspace: the outputs of earlier runs.

``reach run`` publishes each run into a folder (``[outputs] folder``, often dated) that carries
:data:`reach.run.publish.MARKER`; ``WORKSPACE/last_run.json`` names the last one. The folders searched are
that one and every folder beside it that carries the marker. Parquet tables are read with pyarrow (every
text column, lists of text included); CSV, JSON, HTML and GraphML files are searched as text; images
(plots) cannot be searched and are reported as such when their folder holds the person in another file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from reach.run.config import LAST_RUN
from reach.run.publish import MARKER
from reach.workspace import Workspace

TEXT_SUFFIXES = {".csv", ".json", ".html", ".graphml", ".txt", ".md"}


@dataclass
class Leftover:
    """One earlier outputs folder that still holds the person: the files found, and images not searched."""

    folder: Path
    files: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


def output_folders(ws: Workspace) -> list[Path]:
    """The outputs folders of earlier runs on this workspace (see the module docs)."""
    path = ws.root / LAST_RUN
    try:
        last = Path(json.loads(path.read_text(encoding="utf-8"))["outputs"])
    except (OSError, ValueError, KeyError, TypeError):
        return []
    found = {last} if last.is_dir() else set()
    if last.parent.is_dir():
        found |= {p for p in last.parent.iterdir() if p.is_dir() and (p / MARKER).is_file()}
    return sorted(found)


def _text_columns(table: pa.Table) -> list[pa.ChunkedArray]:
    out = []
    for col in table.columns:
        t = col.type
        if pa.types.is_list(t) or pa.types.is_large_list(t):
            if pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type):
                out.append(pc.list_flatten(col))
        elif pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_dictionary(t):
            out.append(col.cast(pa.string()))
    return out


def _parquet_holds(path: Path, needles: list[str]) -> bool:
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowInvalid):
        return False
    for col in _text_columns(table):
        low = pc.utf8_lower(col)
        for n in needles:
            if pc.any(pc.match_substring(low, n)).as_py():
                return True
    return False


def _text_holds(path: Path, needles: list[str]) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").lower()
    except OSError:
        return False
    return any(n in text for n in needles)


def holding(ws: Workspace, needles: set[str]) -> list[Leftover]:
    """The earlier outputs folders where any of ``needles`` (names, emails, ids; case ignored) is found."""
    low = sorted({n.lower() for n in needles if n})
    if not low:
        return []
    out = []
    for folder in output_folders(ws):
        left = Leftover(folder)
        images = []
        for f in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = f.relative_to(folder).as_posix()
            if f.suffix == ".parquet":
                hit = _parquet_holds(f, low)
            elif f.suffix in TEXT_SUFFIXES:
                hit = _text_holds(f, low)
            else:
                images.append(rel)
                continue
            if hit:
                left.files.append(rel)
        if left.files:
            left.images = images
            out.append(left)
    return out
