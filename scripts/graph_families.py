"""Graph families for ``scripts/bench.py --graph``: Graph500 Kronecker graphs and real SNAP edge lists.

    python scripts/graph_families.py kron18 /tmp/kron18.txt    # write one as a SNAP-style text edge list

* ``kron16`` .. ``kron22``: the Graph500 generator (R-MAT with a=0.57, b=c=0.19, d=0.05; edge factor 10),
  vectorised in numpy: one uniform draw per (edge, bit level) picks the quadrant, as the Graph500
  reference code does; vertex ids are then permuted at random (so ids carry no degree information)
  and the edge list made simple and undirected (self-loops and repeated pairs dropped). Scale 18 is
  262,144 ids and about 2.44M edges; scale 20 about 1M ids and 10M edges.
* ``enron``, ``eu_core``, ``grqc``, ``collegemsg``: SNAP files from ``../shared/data`` (read only),
  made simple and undirected the same way.

Every family is written once as a text edge list ``u<TAB>v`` with one ``#`` comment line (what
``reach import`` reads) and cached; every benchmark side reads that file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared" / "data"
SNAP = {
    "enron": "snap_email_enron/Email-Enron.txt",
    "eu_core": "snap_email_eu_core/email-Eu-core.txt",
    "grqc": "snap_ca_grqc/CA-GrQc.txt",
    "collegemsg": "snap_collegemsg/CollegeMsg.txt",
}
A, B, C = 0.57, 0.19, 0.19  # d = 0.05
EDGE_FACTOR = 10


def kronecker_edges(scale: int, edge_factor: int = EDGE_FACTOR, *, seed: int = 0) -> np.ndarray:
    """Graph500 Kronecker (R-MAT) edges: ``(edge_factor * 2**scale, 2)`` int64, ids permuted, not yet simple."""
    rng = np.random.default_rng(seed)
    m = edge_factor << scale
    ab, c_norm, a_norm = A + B, C / (1.0 - (A + B)), A / (A + B)
    u = np.zeros(m, dtype=np.int64)
    v = np.zeros(m, dtype=np.int64)
    for level in range(scale):
        ii = rng.random(m) > ab  # row bit: lower half with probability c + d
        jj = rng.random(m) > np.where(ii, c_norm, a_norm)  # column bit given the row bit
        u |= ii.astype(np.int64) << level
        v |= jj.astype(np.int64) << level
    perm = rng.permutation(1 << scale)
    return np.column_stack([perm[u], perm[v]])


def simple_undirected(edges: np.ndarray, n: int) -> np.ndarray:
    """Each unordered pair once as ``(min, max)``, self-loops dropped, sorted (one sort of int64 keys)."""
    lo = np.minimum(edges[:, 0], edges[:, 1])
    hi = np.maximum(edges[:, 0], edges[:, 1])
    key = lo[lo != hi] * n + hi[lo != hi]
    key.sort()
    keep = np.ones(key.shape[0], dtype=bool)
    keep[1:] = key[1:] != key[:-1]
    key = key[keep]
    return np.column_stack([key // n, key % n])


def read_snap(path: Path) -> np.ndarray:
    """Integer pairs of a SNAP text edge list (``#`` comment lines, tabs or spaces)."""
    import pyarrow.csv as pacsv

    with Path(path).open("rb") as fh:
        head = fh.read(1 << 16)
    skip = 0
    for line in head.split(b"\n"):
        if not line.startswith(b"#"):
            break
        skip += 1
    delim = "\t" if b"\t" in head.split(b"\n")[skip] else " "
    tab = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=["u", "v"], skip_rows=skip),
        parse_options=pacsv.ParseOptions(delimiter=delim),
        convert_options=pacsv.ConvertOptions(include_columns=["u", "v"]),
    )
    return np.column_stack([tab["u"].to_numpy(), tab["v"].to_numpy()]).astype(np.int64)


def family_edges(name: str, *, seed: int = 0) -> tuple[np.ndarray, int, str]:
    """``(edges, n, description)`` of a family: simple undirected pairs over ids ``0..n-1``."""
    if name.startswith("kron"):
        scale = int(name[4:])
        n = 1 << scale
        edges = simple_undirected(kronecker_edges(scale, seed=seed), n)
        return (
            edges,
            n,
            (
                f"Graph500 Kronecker scale {scale} (R-MAT a=0.57 b=c=0.19 d=0.05, edge factor "
                f"{EDGE_FACTOR}, ids permuted, seed {seed})"
            ),
        )
    if name in SNAP:
        raw = read_snap(SHARED / SNAP[name])
        n = int(raw.max()) + 1
        return simple_undirected(raw, n), n, f"SNAP {SNAP[name]} (made simple and undirected)"
    msg = f"unknown graph family {name!r}: kron16..kron22 or one of {', '.join(SNAP)}"
    raise ValueError(msg)


def write_family(name: str, path: Path, *, seed: int = 0) -> dict:
    """Write the family as ``u<TAB>v`` lines after one ``#`` line; returns its manifest."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    edges, n, desc = family_edges(name, seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with Path(tmp).open("wb") as fh:
        fh.write(f"# {desc}: {n} ids, {edges.shape[0]} edges\n".encode())
        pacsv.write_csv(
            pa.table({"u": edges[:, 0], "v": edges[:, 1]}),
            fh,
            write_options=pacsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none"),
        )
    tmp.replace(path)
    return {"graph": name, "seed": seed, "n": n, "m": int(edges.shape[0]), "description": desc}


def main() -> None:
    name, out = sys.argv[1], Path(sys.argv[2])
    print(write_family(name, out))


if __name__ == "__main__":
    main()
