"""GEXF files (Gephi's format, versions 1.1 to 1.3).

``<node id="12" label="Ana"><attvalues><attvalue for="0" value="3"/></attvalues></node>`` with
the attribute titles declared in ``<attributes class="node"><attribute id="0" title="group"
type="integer"/></attributes>``; ``<edge source="12" target="7" weight="2.5" type="directed"/>``.
A node's label is its name and its attributes are kept under their titles; an edge's ``weight``
is its weight. ``defaultedgetype`` and each edge's ``type`` say which edges are directed; they
become undirected ties (see :mod:`reach.io.graphfile`). Hierarchical graphs (nodes inside nodes)
are read flat. Namespaces are ignored, so Gephi 0.7's broken viz namespace reads like any other.
The file is read by expat, one callback per element.
"""

from __future__ import annotations

import re
from pathlib import Path

from reach.errors import InputFormatError
from reach.io.base import Format, Parsed
from reach.io.graphfile import graph_parsed, parse_xml, to_number, xml_graph

NUMERIC = {"integer", "long", "float", "double"}
SNIFF = re.compile(r"<gexf[\s>]")


def sniff(head: str, path: Path | None = None) -> float:
    return 0.95 if head.lstrip().startswith("<") and SNIFF.search(head[:8192]) else 0.0


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen_gexf = False
        self.default_directed = False
        self.attr_class: str | None = None
        self.attrs: dict[str, dict[str, tuple[str, str]]] = {"node": {}, "edge": {}}  # id -> (title, type)
        self.nodes: list[tuple[str, str | None, int, dict]] = []
        self.edges: list[tuple[str, str, int, bool, str | None]] = []
        self.rejects: list[tuple[int | None, str, str | None]] = []
        self.stack: list[dict | None] = []  # attvalues of open nodes (None for an open edge)

    def start(self, p, name: str, a: dict) -> None:
        line = p.CurrentLineNumber
        if name == "gexf":
            self.seen_gexf = True
        elif not self.seen_gexf:
            msg = f"{self.path}: line {line}: not GEXF: the document is <{name}>, not <gexf>"
            raise InputFormatError(msg)
        elif name == "graph":
            self.default_directed = a.get("defaultedgetype", "undirected").lower() == "directed"
        elif name == "attributes":
            self.attr_class = a.get("class", "node").lower()
        elif name == "attribute" and self.attr_class in self.attrs:
            self.attrs[self.attr_class][a.get("id", "")] = (a.get("title", a.get("id", "")), a.get("type", "string"))
        elif name == "node":
            values: dict = {}
            nid = a.get("id")
            if nid is None:
                self.rejects.append((line, "node has no id", None))
            else:
                self.nodes.append((nid, a.get("label"), line, values))
            self.stack.append(values)
        elif name == "edge":
            src, dst = a.get("source"), a.get("target")
            if src is None or dst is None:
                self.rejects.append((line, "edge has no source or no target", None))
            else:
                typ = a.get("type")
                directed = self.default_directed if typ is None else typ.lower() == "directed"
                self.edges.append((src, dst, line, directed, a.get("weight")))
            self.stack.append(None)
        elif name == "attvalue" and self.stack and self.stack[-1] is not None:
            key = a.get("for", a.get("id"))
            if key is not None and "value" in a:
                self.stack[-1][key] = a["value"]

    def end(self, p, name: str) -> None:
        if name in ("node", "edge") and self.stack:
            self.stack.pop()
        elif name == "attributes":
            self.attr_class = None


def read_gexf(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Parse a GEXF file into node records and edge interactions (see the module docs)."""
    r = _Reader(Path(path))
    parse_xml(path, r.start, r.end)
    if not r.seen_gexf:
        msg = f"{path}: not GEXF: no <gexf> element"
        raise InputFormatError(msg)
    declared = r.attrs["node"]
    ids, labels, lines, attrs = [], [], [], []
    seen: set[str] = set()
    for nid, label, line, values in r.nodes:
        if nid in seen:
            r.rejects.append((line, f"node id {nid!r} is declared twice", None))
            continue
        seen.add(nid)
        out = {}
        for k, v in values.items():
            title, typ = declared.get(k, (k, "string"))
            num = to_number(v) if typ in NUMERIC else None
            out[title] = v if num is None else (int(num) if typ in ("integer", "long") and num.is_integer() else num)
        ids.append(nid)
        labels.append(label)
        lines.append(line)
        attrs.append(out)
    data = xml_graph(
        "GEXF",
        ids,
        r.edges,
        r.rejects,
        labels=labels,
        node_lines=lines,
        attributes=attrs,
        n_rows=len(r.nodes) + len(r.edges),
    )
    return graph_parsed(data, path)


FORMATS = [
    Format("gexf", "GEXF graph file (Gephi)", sniff, read_gexf),
]
