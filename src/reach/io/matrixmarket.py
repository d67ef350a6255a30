"""MatrixMarket coordinate files (``.mtx``): SuiteSparse, Network Repository, scipy and MATLAB write them.

``%%MatrixMarket matrix coordinate <field> <symmetry>`` (Network Repository writes a single ``%``),
comment lines starting with ``%``, a size line ``ROWS COLS ENTRIES`` (which is not an edge), then one
entry ``I J [VALUE]`` per line, 1-based. ``pattern`` entries have no value (weight 1); ``real`` and
``integer`` values are weights and must be positive (see :mod:`reach.io.graphfile`); ``complex``
values and dense ``array`` files are refused, as is ``skew-symmetric`` (its entries come in pairs of
opposite sign, which is no weight of an undirected tie).

A square matrix is a graph on nodes ``1..ROWS`` (keys are the numbers as text): ``symmetric`` files
list each undirected edge once, ``general`` files are directed (i -> j) and become undirected ties
with counts of what was folded. A rectangular matrix is a two-mode network: rows are nodes
``row:I``, columns ``col:J``. Entries are parsed vectorised (polars); a line that is not an entry
is a reject with its line.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl

from reach.errors import InputFormatError
from reach.io.base import EXCERPT_CHARS, Format, Parsed
from reach.io.graphfile import GraphData, graph_parsed, numeric_rows, read_text

BANNER = re.compile(r"%%?MatrixMarket\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", re.I)
MAX_NODES = 100_000_000


def sniff(head: str, path: Path | None = None) -> float:
    return 0.97 if re.match(r"%%?MatrixMarket\s", head, re.I) else 0.0


def read_matrixmarket(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Parse a MatrixMarket coordinate file into node records and edge interactions (see the module docs)."""
    text = read_text(path)
    first = text.split("\n", 1)[0]
    m = BANNER.match(first.strip())
    if not m:
        msg = f"{path}: line 1: not MatrixMarket: expected '%%MatrixMarket matrix coordinate <field> <symmetry>'"
        raise InputFormatError(msg)
    obj, layout, field, symmetry = (g.lower() for g in m.groups())
    if obj != "matrix" or layout != "coordinate":
        msg = (
            f"{path}: line 1: MatrixMarket '{obj} {layout}' is not a sparse matrix; only 'matrix coordinate' "
            "files are graphs reach reads"
        )
        raise InputFormatError(msg)
    if field not in ("pattern", "real", "integer", "double"):
        msg = f"{path}: line 1: MatrixMarket field '{field}' has no weight a tie could have (pattern, real or integer)"
        raise InputFormatError(msg)
    if symmetry not in ("general", "symmetric"):
        msg = f"{path}: line 1: MatrixMarket symmetry '{symmetry}' is not a graph reach reads (general or symmetric)"
        raise InputFormatError(msg)
    rows = numeric_rows(text, n_cols=3)
    if rows.height == 0:
        msg = f"{path}: MatrixMarket file has no size line"
        raise InputFormatError(msg)
    size = rows.row(0, named=True)
    dims = [size["c0"], size["c1"], size["c2"]]
    if (
        size["n_tok"] != 3
        or any(v is None or v < 0 or not float(v).is_integer() for v in dims)
        or max(dims[0], dims[1]) > MAX_NODES
    ):
        msg = f"{path}: line {size['line']}: expected the size line 'ROWS COLS ENTRIES', found {size['raw'][:60]!r}"
        raise InputFormatError(msg)
    n_r, n_c, n_e = (int(v) for v in dims)
    ent = rows.slice(1)
    want = 2 if field == "pattern" else 3
    i, j = pl.col("c0"), pl.col("c1")
    reason = (
        pl.when(pl.col("n_tok") != want)
        .then(pl.format(f"expected {want} numbers per entry, found {{}}", "n_tok"))
        .when(i.is_null() | j.is_null() | (i != i.round(0)) | (j != j.round(0)))
        .then(pl.lit("row or column is not an integer"))
        .when((i < 1) | (i > n_r) | (j < 1) | (j > n_c))
        .then(pl.lit(f"row or column outside the {n_r} x {n_c} matrix"))
        .when(pl.lit(want == 3) & pl.col("c2").is_null())
        .then(pl.lit("value is not a number"))
        .otherwise(None)
    )
    ent = ent.with_columns(reason.alias("reason"))
    bad = ent.filter(pl.col("reason").is_not_null())
    good = ent.filter(pl.col("reason").is_null())
    rejects = [(ln, r, raw[:EXCERPT_CHARS]) for ln, r, raw in bad.select("line", "reason", "raw").iter_rows()]
    src = good["c0"].cast(pl.Int64).to_numpy() - 1
    dst = good["c1"].cast(pl.Int64).to_numpy() - 1
    notes = []
    if n_r == n_c:
        ids = [str(k) for k in range(1, n_r + 1)]
    else:
        ids = [f"row:{k}" for k in range(1, n_r + 1)] + [f"col:{k}" for k in range(1, n_c + 1)]
        dst = dst + n_r
        notes.append(f"MatrixMarket: a {n_r} x {n_c} matrix, read as a two-mode network (rows and columns)")
    if ent.height != n_e:
        notes.append(f"MatrixMarket: the size line declares {n_e:,} entries, the file has {ent.height:,}")
    weight = good["c2"].to_numpy().astype(np.float64) if want == 3 else np.full(good.height, np.nan)
    data = GraphData(
        kind="MatrixMarket",
        ids=ids,
        labels=[None] * len(ids),
        node_lines=[None] * len(ids),
        attributes=[None] * len(ids),
        src=src,
        dst=dst,
        weight=weight,
        edge_lines=good["line"].to_numpy(),
        directed=np.full(good.height, symmetry == "general" and n_r == n_c),
        rejects=rejects,
        notes=notes,
        n_rows=ent.height,
        n_skipped=text.count("\n%") + 1,
    )
    return graph_parsed(data, path)


FORMATS = [
    Format(
        "matrixmarket",
        "MatrixMarket coordinate file (.mtx: SuiteSparse, Network Repository, scipy)",
        sniff,
        read_matrixmarket,
    ),
]
