"""GraphML files, as igraph, networkx, Cytoscape, yEd and Gephi write them.

``<key id="d0" for="node" attr.name="name" attr.type="string"/>`` declares an attribute (with an
optional ``<default>``); ``<node id="n0"><data key="d0">Ana</data></node>`` and ``<edge source="n0"
target="n1"/>`` use them. A node's name is its ``name`` attribute (igraph, networkx), or else its
``label`` attribute (Cytoscape, Gephi); its other attributes are kept. An edge's weight is its
``weight`` attribute (or ``value``) when that is declared numeric. ``edgedefault`` and each edge's
``directed`` say which edges are directed; they become undirected ties (see
:mod:`reach.io.graphfile`). Nested graphs are read as one graph; hyperedges are not edges between
two people and are rejected with their lines. The file is read by expat (the C parser in Python's
standard library), one callback per element.
"""

from __future__ import annotations

import re
from pathlib import Path

from reach.errors import InputFormatError
from reach.io.base import Format, Parsed
from reach.io.graphfile import graph_parsed, parse_xml, to_number, xml_graph

NUMERIC = {"int", "long", "float", "double", "integer", "number"}
WEIGHT_NAMES = ("weight", "value")
SNIFF = re.compile(r"<graphml[\s>]")


def sniff(head: str, path: Path | None = None) -> float:
    return 0.95 if head.lstrip().startswith("<") and SNIFF.search(head[:8192]) else 0.0


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.keys: dict[str, tuple[str, str, str, str | None]] = {}  # id -> (for, name, type, default)
        self.key_open: str | None = None
        self.nodes: list[tuple[str, int, dict]] = []
        self.edges: list[tuple[str, str, int, bool, dict]] = []
        self.rejects: list[tuple[int | None, str, str | None]] = []
        self.defaults: list[bool] = []  # edgedefault of each open <graph>: True for directed
        self.current: dict | None = None  # attributes of the open node or edge
        self.data_key: str | None = None
        self.text: list[str] = []
        self.in_default = False
        self.seen_graphml = False
        self.n_graphs = 0

    def start(self, p, name: str, a: dict) -> None:
        line = p.CurrentLineNumber
        if name == "graphml":
            self.seen_graphml = True
        elif not self.seen_graphml:
            msg = f"{self.path}: line {line}: not GraphML: the document is <{name}>, not <graphml>"
            raise InputFormatError(msg)
        elif name == "key":
            self.key_open = a.get("id")
            self.keys[a.get("id", "")] = (
                a.get("for", "all"),
                a.get("attr.name", a.get("id", "")),
                a.get("attr.type", "string").lower(),
                None,
            )
        elif name == "default" and self.key_open is not None:
            self.in_default, self.text = True, []
        elif name == "graph":
            if not self.defaults:
                self.n_graphs += 1
            self.defaults.append(a.get("edgedefault", "directed").lower() == "directed")
        elif name == "node":
            nid = a.get("id")
            if nid is None:
                self.rejects.append((line, "node has no id", None))
                self.current = {}
                return
            self.current = {}
            self.nodes.append((nid, line, self.current))
        elif name == "edge":
            self.current = {}
            src, dst = a.get("source"), a.get("target")
            if src is None or dst is None:
                self.rejects.append((line, "edge has no source or no target", None))
                return
            d = a.get("directed")
            directed = (self.defaults[-1] if self.defaults else True) if d is None else d.lower() == "true"
            self.edges.append((src, dst, line, directed, self.current))
        elif name == "hyperedge":
            self.rejects.append((line, "hyperedge: not an edge between two nodes", None))
        elif name == "data":
            self.data_key, self.text = a.get("key"), []

    def end(self, p, name: str) -> None:
        if name == "data" and self.data_key is not None:
            if self.current is not None:
                self.current[self.data_key] = "".join(self.text)
            self.data_key = None
        elif name == "default" and self.in_default:
            kind, attr, typ, _ = self.keys[self.key_open]
            self.keys[self.key_open] = (kind, attr, typ, "".join(self.text))
            self.in_default = False
        elif name == "key":
            self.key_open = None
        elif name in ("node", "edge"):
            self.current = None
        elif name == "graph" and self.defaults:
            self.defaults.pop()

    def chars(self, text: str) -> None:
        if self.data_key is not None or self.in_default:
            self.text.append(text)


def _value(typ: str, raw: str) -> object:
    if typ in NUMERIC:
        v = to_number(raw)
        return raw if v is None else (int(v) if typ in ("int", "long", "integer") and v.is_integer() else v)
    if typ == "boolean":
        return raw.strip().lower() == "true"
    return raw


def read_graphml(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Parse a GraphML file into node records and edge interactions (see the module docs)."""
    r = _Reader(Path(path))
    parse_xml(path, r.start, r.end, r.chars)
    if not r.seen_graphml:
        msg = f"{path}: not GraphML: no <graphml> element"
        raise InputFormatError(msg)
    node_keys = {k: v for k, v in r.keys.items() if v[0] in ("node", "all")}
    edge_keys = {k: v for k, v in r.keys.items() if v[0] in ("edge", "all")}
    by_name = {v[1].lower(): k for k, v in node_keys.items()}
    label_key = by_name.get("name", by_name.get("label"))
    weight_key = next(
        (k for n in WEIGHT_NAMES for k, v in edge_keys.items() if v[1].lower() == n and v[2] in NUMERIC), None
    )
    ids, labels, lines, attrs = [], [], [], []
    seen: set[str] = set()
    for nid, line, data in r.nodes:
        if nid in seen:
            r.rejects.append((line, f"node id {nid!r} is declared twice", None))
            continue
        seen.add(nid)
        values = {}
        for k, (_, attr, typ, default) in node_keys.items():
            raw = data.get(k, default)
            if raw is not None and raw != "":
                values[k] = (attr, _value(typ, raw))
        label = values.pop(label_key, (None, None))[1] if label_key else None
        ids.append(nid)
        labels.append(None if label is None else str(label))
        lines.append(line)
        attrs.append(dict(values.values()))
    w_default = edge_keys[weight_key][3] if weight_key else None
    edges = (
        (src, dst, line, directed, data.get(weight_key, w_default) if weight_key else None)
        for src, dst, line, directed, data in r.edges
    )
    notes = [f"GraphML: {r.n_graphs} graphs in the file, read as one"] if r.n_graphs > 1 else []
    data = xml_graph(
        "GraphML",
        ids,
        edges,
        r.rejects,
        labels=labels,
        node_lines=lines,
        attributes=attrs,
        notes=notes,
        n_rows=len(r.nodes) + len(r.edges),
    )
    return graph_parsed(data, path)


FORMATS = [
    Format("graphml", "GraphML graph file (igraph, networkx, Cytoscape, yEd, Gephi)", sniff, read_graphml),
]
