"""GML (Graph Modelling Language) files, as networkx, igraph, Cytoscape, yEd and Newman's data sets write them.

A GML file is a tree of ``key value`` pairs, where a value is an integer, a real, a quoted string
or a bracketed list: ``graph [ directed 1 node [ id 1 label "Ana" value 3 ] edge [ source 1
target 2 value 2.5 ] ]``. Lines starting with ``#`` are comments; top-level keys such as
``Creator`` and ``Version`` are ignored. Strings may hold HTML character entities (``&amp;``,
``&#38;``), which are decoded.

Each ``node`` needs an ``id``; its ``label`` (or ``name``) is its name, and its other scalar keys
(``value``, ``group``, ...) are kept as attributes; nested lists (``graphics``) are left out. Each
``edge`` needs a ``source`` and a ``target``; its ``weight`` or, failing that, its ``value`` is the
weight (Newman's files keep edge weights in ``value``). A graph with ``directed 1`` has directed
edges, which become undirected ties (see :mod:`reach.io.graphfile`). A node without an id, a second
node with the same id, and an edge to an undeclared node are rejects with their lines; a file that
is not GML at all is refused.

The tokeniser is one regular expression over the whole text; the tree walk is a loop over tokens.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np

from reach.errors import InputFormatError
from reach.io.base import Format, Parsed
from reach.io.graphfile import GraphData, graph_parsed, line_of, line_starts, positions, read_text, to_number

TOKEN = re.compile(
    r"""(?P<ws>\s+)|(?P<comment>\#[^\n]*)|"(?P<str>[^"]*)"|(?P<open>\[)|(?P<close>\])"""
    r"""|(?P<key>[A-Za-z_][A-Za-z0-9_]*)|(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(?P<bad>.)""",
    re.S,
)
SNIFF = re.compile(r"""^(?:\s|\#[^\n]*\n|(?:Creator|Version|creator|version)\s+(?:"[^"]*"|\S+))*graph\s*\[""")
MAX_DEPTH = 64


def sniff(head: str, path: Path | None = None) -> float:
    return 0.95 if SNIFF.match(head) else 0.0


def _tokens(text: str, path: Path):
    """(kind, value, offset) for every token but blanks and comments."""
    for m in TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        if kind == "bad":
            starts = line_starts(text)
            line = int(line_of(starts, [m.start()])[0])
            msg = f"{path}: line {line}: not GML: unexpected {m.group()!r}"
            raise InputFormatError(msg)
        yield kind, m.group(kind), m.start()


def _scalar(kind: str, value: str) -> object:
    if kind == "str":
        return html.unescape(value) if "&" in value else value
    if re.fullmatch(r"[-+]?\d+", value):
        return int(value)
    return float(value)


def _parse(text: str, path: Path) -> tuple[list[tuple[int, dict]], list[tuple[int, dict]], dict]:
    """The graph's nodes and edges as ``(offset, scalar attributes)``, and the graph's own scalars."""
    toks = _tokens(text, path)
    nodes: list[tuple[int, dict]] = []
    edges: list[tuple[int, dict]] = []
    graph: dict = {}
    found_graph = False
    # stack of (name, attributes, offset); depth 0 is the file's top level
    stack: list[tuple[str, dict, int]] = [("", {}, 0)]
    key: tuple[str, int] | None = None
    for kind, value, offset in toks:
        if key is None:
            if kind == "key":
                key = (value, offset)
                continue
            if kind == "close" and len(stack) > 1:
                name, attrs, start = stack.pop()
                depth = len(stack)
                if depth == 1 and name == "graph":
                    graph = attrs
                elif depth == 2 and stack[1][0] == "graph":
                    if name == "node":
                        nodes.append((start, attrs))
                    elif name == "edge":
                        edges.append((start, attrs))
                continue
            line = int(line_of(line_starts(text), [offset])[0])
            msg = f"{path}: line {line}: not GML: expected a key, found {value!r}"
            raise InputFormatError(msg)
        name, start = key
        key = None
        if kind == "open":
            if len(stack) >= MAX_DEPTH:
                line = int(line_of(line_starts(text), [offset])[0])
                msg = f"{path}: line {line}: lists nested more than {MAX_DEPTH} deep"
                raise InputFormatError(msg)
            if len(stack) == 1 and name == "graph":
                if found_graph:
                    line = int(line_of(line_starts(text), [start])[0])
                    msg = f"{path}: line {line}: a second graph in one GML file; split the file to import each"
                    raise InputFormatError(msg)
                found_graph = True
            stack.append((name, {}, start))
        elif kind in ("str", "num"):
            stack[-1][1].setdefault(name, _scalar(kind, value))
        else:
            line = int(line_of(line_starts(text), [offset])[0])
            msg = f"{path}: line {line}: not GML: key {name!r} has no value"
            raise InputFormatError(msg)
    if len(stack) > 1 or key is not None:
        line = int(line_of(line_starts(text), [stack[-1][2]])[0])
        msg = f"{path}: line {line}: GML file ends inside {stack[-1][0]!r} (a ']' is missing)"
        raise InputFormatError(msg)
    if not found_graph:
        msg = f"{path}: not GML: no 'graph [ ... ]' in the file"
        raise InputFormatError(msg)
    return nodes, edges, graph


def _text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_gml(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Parse a GML file into node records and edge interactions (see the module docs)."""
    text = read_text(path)
    nodes, edges, graph = _parse(text, path)
    starts = line_starts(text)
    node_lines = line_of(starts, [o for o, _ in nodes]).tolist()
    edge_lines = line_of(starts, [o for o, _ in edges])
    rejects = []
    ids, labels, lines, attrs = [], [], [], []
    seen: set[str] = set()
    for line, (_, a) in zip(node_lines, nodes, strict=True):
        if "id" not in a:
            rejects.append((line, "node has no id", None))
            continue
        nid = _text(a.pop("id"))
        if nid in seen:
            rejects.append((line, f"node id {nid} is declared twice", None))
            continue
        seen.add(nid)
        label = a.pop("label", None)
        if label is None:
            label = a.pop("name", None)
        ids.append(nid)
        labels.append(None if label is None else _text(label))
        lines.append(line)
        attrs.append(a)
    directed_graph = to_number(graph.get("directed")) == 1
    src_ref, dst_ref, weights, e_lines, e_dir = [], [], [], [], []
    for line, (_, a) in zip(edge_lines.tolist(), edges, strict=True):
        if "source" not in a or "target" not in a:
            rejects.append((line, "edge has no source or no target", None))
            continue
        w = a.get("weight", a.get("value"))
        wf = to_number(w) if w is not None else float("nan")
        if w is not None and wf is None:
            rejects.append((line, f"edge weight {w!r} is not a number", None))
            continue
        src_ref.append(_text(a["source"]))
        dst_ref.append(_text(a["target"]))
        weights.append(wf)
        e_lines.append(line)
        d = a.get("directed")
        e_dir.append(directed_graph if d is None else to_number(d) == 1)
    src = positions(ids, src_ref)
    dst = positions(ids, dst_ref)
    missing = (src < 0) | (dst < 0)
    for i in np.flatnonzero(missing):
        ref = src_ref[i] if src[i] < 0 else dst_ref[i]
        rejects.append((e_lines[i], f"edge refers to node {ref}, which is not declared", None))
    keep = ~missing
    data = GraphData(
        kind="GML",
        ids=ids,
        labels=labels,
        node_lines=lines,
        attributes=attrs,
        src=src[keep],
        dst=dst[keep],
        weight=np.asarray(weights, dtype=np.float64)[keep],
        edge_lines=np.asarray(e_lines, dtype=np.int64)[keep],
        directed=np.asarray(e_dir, dtype=bool)[keep],
        rejects=rejects,
        n_rows=len(nodes) + len(edges),
    )
    return graph_parsed(data, path)


FORMATS = [
    Format("gml", "GML graph file (networkx, igraph, Cytoscape, yEd, Newman's data sets)", sniff, read_gml),
]
