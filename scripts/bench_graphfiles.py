"""Graph-file import speed: reach's reader of each graph format beside igraph's, networkx's or scipy's.

For every format reach reads (GML, GraphML, GEXF, Pajek, MatrixMarket, KONECT) it times, on the same
file, reach's reader (file to record/interaction tables, ``reach.io.formats.get_format(f).read``) and the
reference readers that exist for the format: igraph (``Read_GML``, ``Read_GraphML``, ``Read_Pajek``),
networkx (``read_gml``, ``read_graphml``, ``read_gexf``, ``read_pajek``, ``read_edgelist``) and scipy
(``scipy.io.mmread``). Files: the real ones in ../shared/data (classic_graphs, real_exports_2/graphs), and
one generated larger file per format (a G(n, m) random graph with integer weights, written here in the
format's plain syntax). Each time is the best of ``--repeat`` runs in this process; the machine may be
shared, so treat the figures as relative.

Usage: python scripts/bench_graphfiles.py [--edges 100000] [--repeat 3] [--skip-networkx] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"

REAL = [
    ("gml", "classic_graphs/lesmis.gml"),
    ("gml", "classic_graphs/football.gml"),
    ("gml", "real_exports_2/graphs/igraph.celegansneural.gml"),
    ("graphml", "real_exports_2/graphs/igraph.kegg_hsa05010.graphml"),
    ("gexf", "real_exports_2/graphs/gephi07.LesMiserables.gexf"),
    ("pajek", "real_exports_2/graphs/igraph.pajek_links_crlf.net"),
    ("matrixmarket", "real_exports_2/graphs/networkrepo.soc-wiki-Vote.mtx"),
    ("konect", "real_exports_2/graphs/konect.out.moreno_train_train"),
]


def random_graph(n_edges: int, *, seed: int = 7) -> tuple[int, np.ndarray, np.ndarray]:
    """(n, (m, 2) distinct node pairs without loops, integer weights 1..9) of a G(n, m) graph."""
    rng = np.random.default_rng(seed)
    n = max(10, n_edges // 5)
    pairs = rng.integers(0, n, size=(int(n_edges * 1.2) + 10, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs = np.unique(np.sort(pairs, axis=1), axis=0)[:n_edges]
    rng.shuffle(pairs)
    return n, pairs, rng.integers(1, 10, size=len(pairs))


def write_generated(fmt: str, folder: Path, n: int, pairs: np.ndarray, weight: np.ndarray) -> Path:
    """The generated graph in format ``fmt``, in that format's plain syntax."""
    ids = range(n)
    lines: list[str]
    if fmt == "gml":
        lines = ["graph [", "  directed 0"]
        lines += [f'  node [ id {i} label "n{i}" ]' for i in ids]
        lines += [f"  edge [ source {a} target {b} value {w} ]" for (a, b), w in zip(pairs, weight, strict=True)]
        lines.append("]")
        path = folder / "gen.gml"
    elif fmt == "graphml":
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
            '  <key id="w" for="edge" attr.name="weight" attr.type="double"/>',
            '  <graph id="G" edgedefault="undirected">',
        ]
        lines += [f'    <node id="n{i}"/>' for i in ids]
        lines += [
            f'    <edge source="n{a}" target="n{b}"><data key="w">{w}</data></edge>'
            for (a, b), w in zip(pairs, weight, strict=True)
        ]
        lines += ["  </graph>", "</graphml>"]
        path = folder / "gen.graphml"
    elif fmt == "gexf":
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
            '  <graph defaultedgetype="undirected">',
            "    <nodes>",
        ]
        lines += [f'      <node id="{i}" label="n{i}"/>' for i in ids]
        lines += ["    </nodes>", "    <edges>"]
        lines += [
            f'      <edge id="{k}" source="{a}" target="{b}" weight="{w}"/>'
            for k, ((a, b), w) in enumerate(zip(pairs, weight, strict=True))
        ]
        lines += ["    </edges>", "  </graph>", "</gexf>"]
        path = folder / "gen.gexf"
    elif fmt == "pajek":
        lines = [f"*Vertices {n}"] + [f'{i + 1} "n{i}"' for i in ids] + ["*Edges"]
        lines += [f"{a + 1} {b + 1} {w}" for (a, b), w in zip(pairs, weight, strict=True)]
        path = folder / "gen.net"
    elif fmt == "matrixmarket":
        lines = ["%%MatrixMarket matrix coordinate integer symmetric", f"{n} {n} {len(pairs)}"]
        lines += [f"{max(a, b) + 1} {min(a, b) + 1} {w}" for (a, b), w in zip(pairs, weight, strict=True)]
        path = folder / "gen.mtx"
    elif fmt == "konect":
        lines = ["% sym posweighted", f"% {len(pairs)} {n} {n}"]
        lines += [f"{a + 1} {b + 1} {w}" for (a, b), w in zip(pairs, weight, strict=True)]
        path = folder / "out.gen"
    else:
        msg = f"no generator for {fmt}"
        raise ValueError(msg)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _reach(fmt: str) -> Callable[[Path], tuple[int, int]]:
    from reach.io.formats import get_format

    form = get_format(fmt)

    def run(path: Path) -> tuple[int, int]:
        parsed = form.read(path, owner=None, options={})
        return parsed.records.num_rows, parsed.interactions.num_rows

    return run


def _references(fmt: str, *, networkx: bool) -> dict[str, Callable[[Path], tuple[int, int]]]:
    import igraph as ig

    out: dict[str, Callable[[Path], tuple[int, int]]] = {}
    ig_reader = {"gml": ig.Graph.Read_GML, "graphml": ig.Graph.Read_GraphML, "pajek": ig.Graph.Read_Pajek}.get(fmt)
    if ig_reader is not None:

        def run_ig(path: Path, reader=ig_reader) -> tuple[int, int]:
            g = reader(str(path))
            return g.vcount(), g.ecount()

        out["igraph"] = run_ig
    if fmt == "matrixmarket":
        import scipy.io

        def run_scipy(path: Path) -> tuple[int, int]:
            m = scipy.io.mmread(path)
            return m.shape[0], m.nnz

        out["scipy"] = run_scipy
    if networkx:
        import networkx as nx

        nx_reader = {
            "gml": lambda p: nx.read_gml(p, label="id"),
            "graphml": nx.read_graphml,
            "gexf": nx.read_gexf,
            "pajek": nx.read_pajek,
            "konect": lambda p: nx.read_edgelist(p, comments="%", data=(("weight", float),)),
        }.get(fmt)
        if nx_reader is not None:

            def run_nx(path: Path, reader=nx_reader) -> tuple[int, int]:
                g = reader(path)
                return g.number_of_nodes(), g.number_of_edges()

            out["networkx"] = run_nx
    return out


def best_of(fn: Callable[[Path], tuple[int, int]], path: Path, repeat: int) -> tuple[float | None, str]:
    """Best wall time of ``repeat`` runs, and the (nodes, edges) the reader saw (or its error)."""
    best = None
    seen = ""
    for _ in range(repeat):
        t0 = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                n, m = fn(path)
        except Exception as exc:  # a reference reader that cannot read the file: reported, not fatal
            return None, f"error: {type(exc).__name__}"
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
        seen = f"{n}/{m}"
    return best, seen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edges", type=int, default=100_000, help="edges of each generated file")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-networkx", action="store_true", help="networkx's readers are slow on the large files")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        n, pairs, weight = random_graph(args.edges)
        files = [(fmt, SHARED / rel, rel) for fmt, rel in REAL if (SHARED / rel).is_file()]
        for fmt in ("gml", "graphml", "gexf", "pajek", "matrixmarket", "konect"):
            path = write_generated(fmt, Path(tmp), n, pairs, weight)
            files.append((fmt, path, f"generated {path.name} ({len(pairs):,} edges)"))
        for fmt, path, label in files:
            row = {"format": fmt, "file": label, "bytes": path.stat().st_size}
            t, seen = best_of(_reach(fmt), path, args.repeat)
            row["reach_s"], row["reach_nodes_edges"] = t, seen
            for name, fn in _references(fmt, networkx=not args.skip_networkx).items():
                row[f"{name}_s"], row[f"{name}_nodes_edges"] = best_of(fn, path, args.repeat)
            rows.append(row)
            print(f"  {fmt:<12} {label}", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    refs = ["igraph", "networkx", "scipy"]
    head = ["format", "file", "MB", "reach s", *[f"{r} s" for r in refs], "nodes/edges (reach)"]
    table = []
    for r in rows:
        cells = [r["format"], r["file"], f"{r['bytes'] / 1e6:.2f}", _fmt(r["reach_s"])]
        cells += [_fmt(r.get(f"{ref}_s")) if f"{ref}_s" in r else "-" for ref in refs]
        cells.append(r["reach_nodes_edges"])
        table.append(cells)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *table, strict=True)]
    for line in [head, ["-" * w for w in widths], *table]:
        print("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)))
    print("\nbest of", args.repeat, "runs each; a shared machine: compare columns, not absolute times")
    return 0


def _fmt(t: float | None) -> str:
    return "n/a" if t is None else f"{t:.4f}"


if __name__ == "__main__":
    sys.exit(main())
