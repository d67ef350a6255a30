"""KONECT ``out.*`` files (the Koblenz Network Collection's edge lists).

Line 1 is ``% <structure> <weights>``: structure ``sym`` (undirected), ``asym`` (directed) or ``bip``
(two-mode: the first column is a left node, the second a right node, each numbered from 1 on its own);
weights ``unweighted``, ``positive``, ``posweighted``, ``signed``, ``multisigned``, ``weighted``,
``multiweighted``, ``dynamic`` ... Line 2 is optionally ``% EDGES NODES [RIGHT-NODES]``. Then one edge
``U V [WEIGHT [UNIX-TIME]]`` per line, separated by spaces or tabs. Nodes are ``1..NODES`` (keys are
the numbers as text; ``left:U`` and ``right:V`` for two-mode networks); weights must be positive
(signed networks' negative edges go to rejects, see :mod:`reach.io.graphfile`); times are kept.
Parsing is vectorised (polars); a line that is not an edge is a reject with its line.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl

from reach.errors import InputFormatError
from reach.io.base import EXCERPT_CHARS, Format, Parsed
from reach.io.graphfile import GraphData, graph_parsed, numeric_rows, read_text

HEADER = re.compile(r"%\s*(sym|asym|bip)\s+(\w+)", re.I)
COUNTS = re.compile(r"%\s*(\d+)\s+(\d+)(?:\s+(\d+))?\s*$")
MAX_NODES = 100_000_000


def sniff(head: str, path: Path | None = None) -> float:
    return 0.96 if HEADER.match(head) else 0.0


def read_konect(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Parse a KONECT edge file into node records and edge interactions (see the module docs)."""
    text = read_text(path)
    lines = text.split("\n", 2)
    m = HEADER.match(lines[0].strip())
    if not m:
        msg = f"{path}: line 1: not a KONECT file: expected '% sym|asym|bip <weights>'"
        raise InputFormatError(msg)
    structure, weights = m.group(1).lower(), m.group(2).lower()
    counts = COUNTS.match(lines[1].strip()) if len(lines) > 1 else None
    rows = numeric_rows(text, n_cols=4)
    u, v = pl.col("c0"), pl.col("c1")
    n_left = int(counts.group(2)) if counts else None
    n_right = int(counts.group(3) or counts.group(2)) if counts else None
    if (n_left or 0) > MAX_NODES or (n_right or 0) > MAX_NODES:
        msg = f"{path}: line 2: more than {MAX_NODES:,} nodes declared"
        raise InputFormatError(msg)
    reason = (
        pl.when((pl.col("n_tok") < 2) | (pl.col("n_tok") > 4))
        .then(pl.format("expected 2 to 4 columns (u, v, weight, time), found {}", "n_tok"))
        .when(u.is_null() | v.is_null() | (u != u.round(0)) | (v != v.round(0)) | (u < 1) | (v < 1))
        .then(pl.lit("node is not a positive integer"))
        .when((pl.col("n_tok") >= 3) & pl.col("c2").is_null())
        .then(pl.lit("weight is not a number"))
        .when((pl.col("n_tok") >= 4) & pl.col("c3").is_null())
        .then(pl.lit("time is not a number"))
    )
    if n_left is not None:
        reason = reason.when((u > n_left) | (v > (n_right if structure == "bip" else n_left))).then(
            pl.lit("node number beyond the count on line 2")
        )
    rows = rows.with_columns(reason.otherwise(None).alias("reason"))
    bad = rows.filter(pl.col("reason").is_not_null())
    good = rows.filter(pl.col("reason").is_null())
    rejects = [(ln, r, raw[:EXCERPT_CHARS]) for ln, r, raw in bad.select("line", "reason", "raw").iter_rows()]
    src = good["c0"].cast(pl.Int64).to_numpy() - 1
    dst = good["c1"].cast(pl.Int64).to_numpy() - 1
    if n_left is None:
        n_left = int(src.max()) + 1 if src.shape[0] else 0
        n_right = int(dst.max()) + 1 if dst.shape[0] else 0
        if structure != "bip":
            n_left = n_right = max(n_left, n_right)
    if n_left > MAX_NODES or n_right > MAX_NODES:
        msg = f"{path}: node numbers beyond {MAX_NODES:,}"
        raise InputFormatError(msg)
    notes = []
    if structure == "bip":
        ids = [f"left:{k}" for k in range(1, n_left + 1)] + [f"right:{k}" for k in range(1, n_right + 1)]
        dst = dst + n_left
        notes.append(f"KONECT: two-mode network, {n_left:,} left + {n_right:,} right nodes")
    else:
        ids = [str(k) for k in range(1, n_left + 1)]
    if counts and int(counts.group(1)) != rows.height:
        notes.append(f"KONECT: line 2 declares {int(counts.group(1)):,} edges, the file has {rows.height:,}")
    weight = good["c2"].to_numpy().astype(np.float64)  # null (no column) reads as NaN: weight 1
    data = GraphData(
        kind="KONECT",
        ids=ids,
        labels=[None] * len(ids),
        node_lines=[None] * len(ids),
        attributes=[None] * len(ids),
        src=src,
        dst=dst,
        weight=weight,
        edge_lines=good["line"].to_numpy(),
        directed=np.full(good.height, structure == "asym"),
        rejects=rejects,
        notes=notes,
        n_rows=rows.height,
        n_skipped=text.count("\n%") + 1,
        at=good["c3"].to_numpy().astype(np.float64)
        if weights in ("dynamic",) or good["c3"].null_count() < good.height
        else None,
    )
    return graph_parsed(data, path)


FORMATS = [
    Format("konect", "KONECT out.* edge file (% sym|asym|bip header)", sniff, read_konect),
]
