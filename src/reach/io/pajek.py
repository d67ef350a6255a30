"""Pajek ``.net`` files (Pajek, UCINET, igraph, networkx, Gephi write them).

Sections start with a ``*`` line, in any letter case:

- ``*Network NAME`` names the network (ignored);
- ``*Vertices N`` declares vertices 1..N, or ``*Vertices N N1`` a two-mode (bipartite) network whose
  first N1 vertices are one mode; the lines after it are ``NUMBER "label" [x y z] [drawing options]``
  (vertices without a line are named by their number);
- ``*Arcs`` (directed) and ``*Edges`` (undirected) lines are ``FROM TO [weight] [drawing options]``;
- ``*Arcslist`` and ``*Edgeslist`` lines are ``FROM TO1 TO2 ...``;
- ``*Matrix`` is N rows of N numbers, a non-zero entry in row i, column j being an arc i -> j of
  that weight;
- ``*Partition``, ``*Vector``, ``*Permutation`` and other sections are not ties and are skipped
  (said in the notes).

Lines starting with ``%`` are comments; a BOM and CRLF line ends are accepted. A vertex's label is
its name and key when every vertex has a distinct label, else vertices are keyed by number. In
signed networks negative weights are negative ties, which go to rejects (see
:mod:`reach.io.graphfile`); arcs become undirected ties with counts of what was folded. A line that
does not fit its section is a reject with its line; a file with no ``*Vertices`` section is refused.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from reach.errors import InputFormatError
from reach.io.base import Format, Parsed
from reach.io.graphfile import GraphData, excerpt, graph_parsed, read_text

SECTION = re.compile(r"\*(\w+)\s*(.*)$")
VERTEX = re.compile(r'\s*(\d+)\s*(?:"([^"]*)"|(\S+))?')
INT = re.compile(r"\d+")
EDGE_SECTIONS = {"arcs": True, "edges": False}
LIST_SECTIONS = {"arcslist": True, "edgeslist": False}
MAX_VERTICES = 50_000_000


def sniff(head: str, path: Path | None = None) -> float:
    for line in head.splitlines()[:50]:
        s = line.strip()
        if not s or s.startswith("%"):
            continue
        return 0.95 if re.match(r"\*(network|vertices)\b", s, re.I) else 0.0
    return 0.0


def read_pajek(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Parse a Pajek network into node records and edge interactions (see the module docs)."""
    text = read_text(path)
    n = None
    n_first = None
    labels: list[str | None] = []
    node_lines: list[int | None] = []
    src: list[int] = []
    dst: list[int] = []
    weight: list[float] = []
    e_lines: list[int] = []
    e_dir: list[bool] = []
    rejects: list[tuple[int | None, str, str | None]] = []
    skipped_sections: list[str] = []
    section = None
    matrix_row = 0
    n_rows = n_skipped = 0

    def vertex_no(tok: str, line_no: int, raw: str) -> int | None:
        if not INT.fullmatch(tok):
            rejects.append((line_no, f"{tok[:40]!r} is not a vertex number", excerpt(raw)))
            return None
        v = int(tok)
        if not 1 <= v <= n:
            rejects.append((line_no, f"vertex {v} is outside 1..{n} (*Vertices {n})", excerpt(raw)))
            return None
        return v - 1

    for line_no, raw in enumerate(text.split("\n"), start=1):
        s = raw.strip()
        if not s or s.startswith("%"):
            n_skipped += 1
            continue
        m = SECTION.match(s)
        if m:
            name, rest = m.group(1).lower(), m.group(2)
            if name == "vertices":
                if n is not None:
                    msg = f"{path}: line {line_no}: a second *Vertices section; one network per file, please"
                    raise InputFormatError(msg)
                parts = rest.split()
                if not parts or not all(INT.fullmatch(p) for p in parts[:2]) or int(parts[0]) > MAX_VERTICES:
                    msg = f"{path}: line {line_no}: *Vertices needs a vertex count, found {s[:60]!r}"
                    raise InputFormatError(msg)
                n = int(parts[0])
                n_first = int(parts[1]) if len(parts) > 1 else None
                if n_first is not None and not 0 < n_first < n:
                    msg = f"{path}: line {line_no}: two-mode *Vertices {n} {n_first}: the first mode must be 1..{n - 1}"
                    raise InputFormatError(msg)
                labels = [None] * n
                node_lines = [None] * n
                section = "vertices"
            elif name == "network":
                section = None
            elif name in EDGE_SECTIONS or name in LIST_SECTIONS or name == "matrix":
                if n is None:
                    msg = (
                        f"{path}: line {line_no}: *{m.group(1)} before *Vertices; "
                        "a Pajek network declares its vertices first"
                    )
                    raise InputFormatError(msg)
                section = name
                matrix_row = 0
            else:
                section = "skip"
                skipped_sections.append(f"*{m.group(1)}")
            continue
        if section is None:
            msg = f"{path}: line {line_no}: not Pajek: data before any *Vertices section"
            raise InputFormatError(msg)
        if section == "skip":
            n_skipped += 1
            continue
        n_rows += 1
        if section == "vertices":
            vm = VERTEX.match(s)
            if not vm:
                rejects.append((line_no, "vertex line does not start with a vertex number", excerpt(raw)))
                continue
            v = int(vm.group(1))
            if not 1 <= v <= n:
                rejects.append((line_no, f"vertex {v} is outside 1..{n} (*Vertices {n})", excerpt(raw)))
                continue
            if node_lines[v - 1] is not None:
                rejects.append((line_no, f"vertex {v} is listed twice", excerpt(raw)))
                continue
            label = vm.group(2) if vm.group(2) is not None else vm.group(3)
            labels[v - 1] = label
            node_lines[v - 1] = line_no
            continue
        toks = s.split()
        if section == "matrix":
            if matrix_row >= n:
                rejects.append((line_no, f"*Matrix has more than {n} rows", excerpt(raw)))
                continue
            try:
                row = np.array(toks, dtype=np.float64)
            except ValueError:
                rejects.append((line_no, "*Matrix row holds something that is not a number", excerpt(raw)))
                matrix_row += 1
                continue
            if row.shape[0] != n:
                rejects.append((line_no, f"*Matrix row has {row.shape[0]} entries, expected {n}", excerpt(raw)))
                matrix_row += 1
                continue
            cols = np.flatnonzero(row)
            src.extend([matrix_row] * cols.shape[0])
            dst.extend(cols.tolist())
            weight.extend(row[cols].tolist())
            e_lines.extend([line_no] * cols.shape[0])
            e_dir.extend([True] * cols.shape[0])
            matrix_row += 1
            continue
        if section in LIST_SECTIONS:
            if len(toks) < 2:
                n_skipped += 1  # a vertex with no neighbours
                continue
            a = vertex_no(toks[0], line_no, raw)
            bs = [vertex_no(t, line_no, raw) for t in toks[1:]]
            if a is None or any(b is None for b in bs):
                continue
            src.extend([a] * len(bs))
            dst.extend(bs)
            weight.extend([np.nan] * len(bs))
            e_lines.extend([line_no] * len(bs))
            e_dir.extend([LIST_SECTIONS[section]] * len(bs))
            continue
        if len(toks) < 2:
            rejects.append((line_no, "expected FROM TO [weight]", excerpt(raw)))
            continue
        a = vertex_no(toks[0], line_no, raw)
        b = vertex_no(toks[1], line_no, raw)
        if a is None or b is None:
            continue
        w = np.nan
        if len(toks) > 2:
            try:
                w = float(toks[2])
            except ValueError:
                w = np.nan  # drawing options only: an unweighted edge
        src.append(a)
        dst.append(b)
        weight.append(w)
        e_lines.append(line_no)
        e_dir.append(EDGE_SECTIONS[section])
    if n is None:
        msg = f"{path}: not Pajek: no *Vertices section"
        raise InputFormatError(msg)
    notes = []
    attrs: list[dict | None] = [None] * n
    if n_first is not None:
        notes.append(f"Pajek: two-mode network, {n_first:,} + {n - n_first:,} vertices")
        attrs = [{"mode": 1 if i < n_first else 2} for i in range(n)]
    if skipped_sections:
        notes.append(f"Pajek: sections that are not ties skipped: {', '.join(dict.fromkeys(skipped_sections))}")
    data = GraphData(
        kind="Pajek",
        ids=[str(i + 1) for i in range(n)],
        labels=labels,
        node_lines=node_lines,
        attributes=attrs,
        src=np.asarray(src, dtype=np.int64),
        dst=np.asarray(dst, dtype=np.int64),
        weight=np.asarray(weight, dtype=np.float64),
        edge_lines=np.asarray(e_lines, dtype=np.int64),
        directed=np.asarray(e_dir, dtype=bool),
        rejects=rejects,
        notes=notes,
        n_rows=n_rows,
        n_skipped=n_skipped,
    )
    return graph_parsed(data, path)


FORMATS = [
    Format("pajek", "Pajek .net network (*Vertices, *Arcs/*Edges, lists, matrix; two-mode, signed)", sniff, read_pajek),
]
