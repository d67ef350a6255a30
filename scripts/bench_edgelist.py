"""Text edge-list import speed: `reach import` of a Graph500 Kronecker edge list, beside pyarrow's CSV reader.

The graph is Graph500's Kronecker generator (R-MAT a=0.57, b=c=0.19, d=0.05, node ids permuted), made
undirected and simple (self-loops and duplicates dropped), written SNAP-style: a ``#`` comment line, then
``src<TAB>dst`` lines. Each measurement runs in its own process (so peak RSS is that step's alone):

- ``pyarrow``: ``pyarrow.csv.read_csv`` of the file to two int64 columns (the parser's speed, the bound);
- ``read``: reach's edge-list reader (file to record/interaction tables);
- ``import``: ``reach.pipeline.import_paths`` (file to workspace Parquet files);
- ``import+build``: import then resolve people and compute ties (what ``reach import`` does).

Usage: python scripts/bench_edgelist.py [--scale 18] [--edge-factor 10] [--sep tab|space] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def kronecker_edges(scale: int, edge_factor: int, *, seed: int = 1) -> np.ndarray:
    """Graph500 Kronecker edges as an (m, 2) int64 array, undirected simple, ids permuted."""
    rng = np.random.default_rng(seed)
    n, m = 1 << scale, edge_factor << scale
    a, b, c = 0.57, 0.19, 0.19
    ab, c_norm, a_norm = a + b, c / (1 - (a + b)), a / (a + b)
    ij = np.zeros((2, m), dtype=np.int64)
    for bit in range(scale):
        ii = rng.random(m) > ab
        jj = rng.random(m) > (c_norm * ii + a_norm * ~ii)
        ij[0] += ii.astype(np.int64) << bit
        ij[1] += jj.astype(np.int64) << bit
    perm = rng.permutation(n)
    ij = perm[ij]
    lo, hi = np.minimum(ij[0], ij[1]), np.maximum(ij[0], ij[1])
    keep = lo != hi
    pairs = np.unique(lo[keep] * n + hi[keep])
    edges = np.stack([pairs // n, pairs % n], axis=1)
    return edges[rng.permutation(edges.shape[0])]


def write_snap(edges: np.ndarray, path: Path, *, sep: str = "\t") -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with Path(path).open("wb") as fh:
        fh.write(f"# Kronecker graph: {edges.max() + 1} ids, {edges.shape[0]} undirected edges\n".encode())
        pacsv.write_csv(
            pa.table({"s": edges[:, 0], "d": edges[:, 1]}),
            fh,
            write_options=pacsv.WriteOptions(include_header=False, delimiter=sep, quoting_style="none"),
        )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _step(kind: str, path: Path) -> dict:
    """One measurement (run in a child process)."""
    if kind == "pyarrow":
        import pyarrow as pa
        import pyarrow.csv as pacsv

        t = time.perf_counter()
        first = path.open("rb").readline()
        delim = "\t" if b"\t" in first or b"\t" in path.open("rb").read(4096) else " "
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=["s", "d"], skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delim),
            convert_options=pacsv.ConvertOptions(column_types={"s": pa.int64(), "d": pa.int64()}),
        )
        return {"seconds": time.perf_counter() - t, "rows": table.num_rows, "peak_mb": _peak_mb()}
    if kind == "read":
        from reach.io.edgelist import read_edgelist

        t = time.perf_counter()
        parsed = read_edgelist(path)
        return {"seconds": time.perf_counter() - t, "rows": parsed.interactions.num_rows, "peak_mb": _peak_mb()}
    from reach.pipeline import build, import_paths

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        summary = import_paths(Path(tmp) / "ws", [path])
        out = {"rows": summary.files[0].n_interactions}
        if kind == "import+build":
            built = build(Path(tmp) / "ws")
            out["ties"] = built["ties"]
        out["seconds"] = time.perf_counter() - t
        out["peak_mb"] = _peak_mb()
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=int, default=18)
    ap.add_argument("--edge-factor", type=int, default=10)
    ap.add_argument("--sep", choices=["tab", "space"], default="tab")
    ap.add_argument("--steps", default="pyarrow,read,import,import+build")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_step(args.child[0], Path(args.child[1]))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"kron{args.scale}.txt"
        edges = kronecker_edges(args.scale, args.edge_factor)
        write_snap(edges, path, sep="\t" if args.sep == "tab" else " ")
        m = edges.shape[0]
        del edges
        results = {}
        for kind in args.steps.split(","):
            run = subprocess.run(
                [sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True, check=True
            )
            results[kind] = json.loads(run.stdout.strip().splitlines()[-1])
    if args.json:
        print(json.dumps({"edges": m, "scale": args.scale, "results": results}))
        return
    print(
        f"Kronecker scale {args.scale}, edge factor {args.edge_factor}: {m:,} undirected simple edges, "
        f"{args.sep}-separated, one '#' line"
    )
    print(f"{'step':<14} {'seconds':>8} {'M edges/s':>10} {'peak RSS MB':>12}")
    for kind, r in results.items():
        print(f"{kind:<14} {r['seconds']:>8.3f} {m / r['seconds'] / 1e6:>10.2f} {r['peak_mb']:>12.0f}")


if __name__ == "__main__":
    main()
