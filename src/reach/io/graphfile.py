"""What the graph-file readers (GML, GraphML, GEXF, Pajek, MatrixMarket, KONECT) share.

Each reader turns its file into a :class:`GraphData`: the declared nodes (id, label, line, other
attributes) and the edges as positions into that node list, with weights, lines and directions.
:func:`graph_parsed` turns that into the record/interaction tables every edge list gives:

- one ``node`` record per declared node; its ``key`` is the node's label (or GraphML ``name``) when
  every node has one and no two are equal, otherwise the node's id (a label shared by two nodes
  cannot tell them apart, and a key that merged them would invent a person); the label is the
  display name; the id and every other scalar attribute are kept in ``attributes`` (JSON);
- one ``edge`` interaction per edge element or line, with its weight (1.0 when it has none).
  Weights must be positive finite numbers, as in edge lists: any other edge goes to rejects with
  its line (signed networks' negative edges are not ties reach can use for an introduction).
  Self-loops are skipped and counted. Ties are undirected and simple: reciprocal arcs and parallel
  edges fold into one tie each when people and ties are built, and the notes say how many did.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from reach.errors import InputFormatError
from reach.io.base import EXCERPT_CHARS, Parsed, rejects_table
from reach.io.text import decode

MAX_KEY_CHARS = 256


@dataclass
class GraphData:
    """A graph file's contents, before they become records and interactions.

    ``src``/``dst`` are positions into the node lists; ``directed`` is one flag per edge (a file may
    mix directed and undirected edges); ``weight`` holds NaN where an edge gave no weight.
    """

    kind: str  # "GML", "Pajek", ... for notes and messages
    ids: list[str]
    labels: list[str | None]
    node_lines: list[int | None]
    attributes: list[dict | None]
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    edge_lines: np.ndarray
    directed: np.ndarray
    rejects: list[tuple[int | None, str, str | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    n_rows: int = 0
    n_skipped: int = 0
    label_is_key: bool = True  # False: labels are only display names
    at: np.ndarray | None = None  # unix seconds per edge (NaN where unknown), for files with times


def read_text(path: Path) -> str:
    """The file's text (BOM removed, CRLF or CR line ends as LF)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise InputFormatError(msg) from exc
    text = decode(raw).lstrip("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def line_starts(text: str) -> np.ndarray:
    """Offsets where each line starts, for :func:`line_of`."""
    buf = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return np.concatenate([[0], np.flatnonzero(buf == 10) + 1])


def line_of(starts: np.ndarray, offsets: Sequence[int] | np.ndarray) -> np.ndarray:
    """1-based line numbers of character offsets."""
    return np.searchsorted(starts, np.asarray(offsets, dtype=np.int64), side="right").astype(np.int64)


def to_number(value: object) -> float | None:
    """A float from a number or numeric text, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _keys(data: GraphData) -> tuple[list[str], str]:
    """The key of every node and which of id/label it is."""
    labels = data.labels
    if data.label_is_key and labels and all(lab for lab in labels) and len(set(labels)) == len(labels):
        return [str(lab) for lab in labels], "label"
    return list(data.ids), "id"


def _fold_notes(kind: str, src: np.ndarray, dst: np.ndarray, directed: np.ndarray, n_nodes: int) -> list[str]:
    """What becomes of the edges (self-loops already removed) when ties are made undirected and simple."""
    m = src.shape[0]
    if m == 0:
        return [f"{kind}: {n_nodes:,} nodes and no ties"]
    n = np.int64(max(n_nodes, 1))
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    n_pairs = int(np.unique(lo * n + hi).shape[0])
    ident = np.where(directed, src * n + dst, lo * n + hi) * 2 + directed
    n_distinct = int(np.unique(ident).shape[0])
    notes = []
    n_dir = int(directed.sum())
    if n_dir:
        n_recip = n_distinct - n_pairs
        notes.append(
            f"{kind}: {n_dir:,} directed edges read as undirected ties"
            + (f"; {n_recip:,} reciprocal pairs fold into one tie each" if n_recip else "")
        )
    if m - n_distinct:
        notes.append(f"{kind}: {m - n_distinct:,} parallel edges fold into the tie they repeat")
    notes.append(f"{kind}: {n_nodes:,} nodes and {n_pairs:,} undirected ties")
    return notes


def graph_parsed(data: GraphData, path: Path) -> Parsed:
    """Records, interactions, rejects and notes of a graph file (see the module docs)."""
    keys, which = _keys(data)
    n = len(keys)
    too_long = next((i for i, k in enumerate(keys) if len(k) > MAX_KEY_CHARS), None)
    if too_long is not None:
        msg = f"{path}: line {data.node_lines[too_long]}: node key longer than {MAX_KEY_CHARS} characters"
        raise InputFormatError(msg)
    attrs = []
    for i, a in enumerate(data.attributes):
        a = dict(a or {})
        if which == "label" or data.labels[i] is not None:
            a.setdefault("id", data.ids[i])
        clean = {
            k: v
            for k, v in a.items()
            if isinstance(v, str | int | float | bool) and not (isinstance(v, float) and not math.isfinite(v))
        }
        attrs.append(json.dumps(clean, ensure_ascii=False, sort_keys=True) if clean else None)
    labels = [lab if lab else None for lab in data.labels]
    records = pa.table(
        {
            "record_id": pa.array(np.arange(n, dtype=np.int64)),
            "line": pa.array(data.node_lines, pa.int64()),
            "role": pa.repeat(pa.scalar("node"), n),
            "key": pa.array(keys, pa.string()),
            "display_name": pa.array([lab or k for lab, k in zip(labels, keys, strict=True)], pa.string()),
            "attributes": pa.array(attrs, pa.string()),
        }
    )
    src = np.asarray(data.src, dtype=np.int64)
    dst = np.asarray(data.dst, dtype=np.int64)
    weight = np.asarray(data.weight, dtype=np.float64)
    lines = np.asarray(data.edge_lines, dtype=np.int64)
    directed = np.asarray(data.directed, dtype=bool)
    rejects = list(data.rejects)
    has_w = ~np.isnan(weight)
    bad = has_w & ~((weight > 0) & np.isfinite(weight))
    if bad.any():
        for i in np.flatnonzero(bad):
            rejects.append((int(lines[i]), f"weight must be a positive number, found {weight[i]:g}", None))
        n_neg = int((weight[bad] < 0).sum())
        if n_neg:
            data.notes.append(
                f"{data.kind}: {n_neg:,} edges with negative weights (a signed network's negative "
                "ties) set aside; reach has no negative ties"
            )
    keep = ~bad
    weight = np.where(has_w, weight, 1.0)
    loop = src == dst
    n_loops = int((loop & keep).sum())
    keep &= ~loop
    if n_loops:
        data.notes.append(f"{data.kind}: {n_loops:,} self-loops skipped")
    src, dst, weight, lines, directed = src[keep], dst[keep], weight[keep], lines[keep], directed[keep]
    m = src.shape[0]
    stamp = pa.timestamp("us", tz="UTC")
    at = pa.nulls(m, stamp)
    if data.at is not None:
        secs = np.asarray(data.at, dtype=np.float64)[keep]
        known = np.isfinite(secs)
        at = pa.array(np.where(known, secs * 1e6, 0).astype(np.int64), pa.int64(), mask=~known).cast(stamp)
    interactions = pa.table(
        {
            "line": pa.array(lines),
            "src_record": pa.array(src),
            "dst_record": pa.array(dst),
            "channel": pa.repeat(pa.scalar("edge"), m),
            "at": at,
            "weight": pa.array(weight),
            "n_participants": pa.repeat(pa.scalar(2, pa.int32()), m),
        }
    )
    notes = [*data.notes, *_fold_notes(data.kind, src, dst, directed, n)]
    if which == "id" and any(data.labels):
        notes.append(
            f"{data.kind}: node labels are missing or repeated, so nodes are keyed by their ids "
            "(labels are kept as names)"
        )
    rej = rejects_table(sorted(rejects, key=lambda r: (r[0] is None, r[0] or 0)))
    return Parsed(
        records=records,
        interactions=interactions,
        rejects=rej,
        n_rows=data.n_rows,
        n_skipped=data.n_skipped + n_loops,
        notes=notes,
    )


def positions(ids: Sequence[str], refs: Sequence[str]) -> np.ndarray:
    """Position of each of ``refs`` in ``ids`` (-1 where it is not there), without a Python loop."""
    table = pl.DataFrame({"id": pl.Series(list(ids), dtype=pl.String), "pos": np.arange(len(ids), dtype=np.int64)})
    found = pl.DataFrame({"id": pl.Series(list(refs), dtype=pl.String)}).join(
        table, on="id", how="left", maintain_order="left"
    )["pos"]
    return found.fill_null(-1).to_numpy().astype(np.int64)


def xml_graph(kind: str, ids: list[str], edges, rejects: list, **node_data) -> GraphData:
    """A :class:`GraphData` from the node ids and ``(src, dst, line, directed, raw_weight)`` edges of an XML
    graph file (GraphML, GEXF): a weight that is not a number and an edge to an undeclared node go to
    ``rejects`` with their line; an empty weight is NaN (no weight).
    """
    src_ref, dst_ref, weights, e_lines, e_dir = [], [], [], [], []
    for src, dst, line, directed, raw in edges:
        w = float("nan")
        if raw is not None and raw.strip() != "":
            w = to_number(raw)
            if w is None:
                rejects.append((line, f"edge weight {raw[:40]!r} is not a number", None))
                continue
        src_ref.append(src)
        dst_ref.append(dst)
        weights.append(w)
        e_lines.append(line)
        e_dir.append(directed)
    s, d = positions(ids, src_ref), positions(ids, dst_ref)
    missing = (s < 0) | (d < 0)
    for i in np.flatnonzero(missing):
        ref = src_ref[i] if s[i] < 0 else dst_ref[i]
        rejects.append((e_lines[i], f"edge refers to node {ref[:64]!r}, which is not declared", None))
    keep = ~missing
    return GraphData(
        kind=kind,
        ids=ids,
        src=s[keep],
        dst=d[keep],
        weight=np.asarray(weights, dtype=np.float64)[keep],
        edge_lines=np.asarray(e_lines, dtype=np.int64)[keep],
        directed=np.asarray(e_dir, dtype=bool)[keep],
        rejects=rejects,
        **node_data,
    )


def excerpt(text: str) -> str:
    return text[:EXCERPT_CHARS]


NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def parse_xml(path: Path, start, end, chars=None) -> None:
    """Run expat over ``path`` with element callbacks ``start(parser, name, attrs)``, ``end(parser, name)`` and
    ``chars(text)``; namespaces are stripped from names. Documents declaring entities are refused (they are how
    entity-expansion bombs work, and graph files have no use for them); malformed XML is an error with its line.
    """
    import xml.parsers.expat as expat

    parser = expat.ParserCreate(namespace_separator="}")

    def local(name: str) -> str:
        return name.rsplit("}", 1)[-1]

    def refuse_entities(*_args) -> None:
        msg = f"{path}: line {parser.CurrentLineNumber}: XML entity declarations are not accepted in graph files"
        raise InputFormatError(msg)

    parser.EntityDeclHandler = refuse_entities
    parser.StartElementHandler = lambda name, attrs: start(parser, local(name), attrs)
    parser.EndElementHandler = lambda name: end(parser, local(name))
    if chars is not None:
        parser.CharacterDataHandler = chars
    parser.buffer_text = True
    try:
        with Path(path).open("rb") as fh:
            parser.ParseFile(fh)
    except expat.ExpatError as exc:
        msg = f"{path}: line {exc.lineno}: not well-formed XML ({expat.ErrorString(exc.code)})"
        raise InputFormatError(msg) from None
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise InputFormatError(msg) from exc


def numeric_rows(text: str, *, n_cols: int) -> pl.DataFrame:
    """Whitespace-separated numeric lines, vectorised: ``line`` (1-based), ``raw``, ``n_tok`` and ``c0``..
    ``c{n_cols-1}`` as Float64 (null where missing or not a number). Blank and ``%``/``#`` comment lines are
    left out.
    """
    from reach.io.edgelist import _lines

    body = pl.col("raw").str.strip_chars()
    frame = _lines(text).filter((body != "") & ~body.str.starts_with("%") & ~body.str.starts_with("#"))
    toks = body.str.replace_all(r"\s+", " ").str.split(" ")
    frame = frame.with_columns(toks.alias("tok")).with_columns(pl.col("tok").list.len().alias("n_tok"))
    return frame.with_columns(
        [
            pl.col("tok").list.get(i, null_on_oob=True).cast(pl.Float64, strict=False).alias(f"c{i}")
            for i in range(n_cols)
        ]
    ).drop("tok")
