"""Graph operations on other graph families, each side in its own process: ``scripts/bench.py --graph NAME``.

    python scripts/bench.py --graph kron18            # Graph500 Kronecker scale 18 (2.44M edges)
    python scripts/bench.py --graph enron --json      # SNAP Email-Enron from ../shared/data

The family (``scripts/graph_families.py``) is written once as a text edge list with a ``#`` line and
cached under ``--data``. Every side reads that file and answers the same questions, with a check
value compared across sides:

* ``graph_build``: the edge array to the structure the side queries; ``graph_mb`` is what the built
  graph holds (resident set size after minus before, the edge array already loaded);
* ``two_hop_reach``: 1,000 random non-isolated sources: per-source counts within two hops, the
  union and the people reached by exactly one source (sum of per-source totals, union, sum unique);
* ``bfs``: one full single-source BFS (vertices reached), median over five sources;
* ``separation``: 50 point-to-point hop distances between random non-isolated vertices (their sum and
  how many are connected), each with one shortest path where the side can give one;
* ``communities(resolution=1)``: classic modularity (the modularity of each side's partition is
  computed by one function, :func:`modularity`, for every side).

Sides: reach, scipy, networkit (1 thread), python-graphblas, igraph, networkx (the slow ones are
timed on a subset and extrapolated, said in the row). Peers that are not installed are skipped
(``pip install '.[bench]'``). Peak memory is the side's process peak RSS (VmHWM reset per stage).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
from bench import Stage, measure, peak_mb, reset_peak
from graph_families import read_snap, write_family

FAMILY_SIDES = ("reach", "scipy", "networkit", "graphblas", "igraph", "networkx")
MODULES = {"networkit": "networkit", "graphblas": "graphblas", "igraph": "igraph", "networkx": "networkx"}
N_SOURCES, N_PAIRS = 1000, 50


def ensure_family(name: str, data: Path, seed: int) -> tuple[Path, dict]:
    path = data / f"{name}-s{seed}.txt"
    man = data / f"{name}-s{seed}.json"
    if path.exists() and man.exists():
        return path, json.loads(man.read_text())
    m = write_family(name, path, seed=seed)
    man.write_text(json.dumps(m))
    return path, m


def family_workload(path: Path, seed: int) -> dict:
    edges = read_snap(path)
    n = int(edges.max()) + 1
    deg = np.bincount(edges.ravel(), minlength=n)
    present = np.flatnonzero(deg > 0)
    rng = np.random.default_rng(seed + 11)
    return {
        "n": n,
        "m": int(edges.shape[0]),
        "n_present": int(present.shape[0]),
        "sources": rng.choice(present, size=min(N_SOURCES, present.shape[0]), replace=False).tolist(),
        "bfs_sources": rng.choice(present, size=5, replace=False).tolist(),
        "pairs": rng.choice(present, size=(N_PAIRS, 2)).tolist(),
    }


def rss_mb() -> float:
    with Path("/proc/self/status").open() as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def modularity(edges: np.ndarray, labels: np.ndarray) -> float:
    """Classic modularity of ``labels`` on the simple undirected graph ``edges`` (one function for every side)."""
    labels = np.asarray(labels, dtype=np.int64)
    m = edges.shape[0]
    n = labels.shape[0]
    deg = np.bincount(edges.ravel(), minlength=n).astype(np.float64)
    inside = np.bincount(
        labels[edges[:, 0]][labels[edges[:, 0]] == labels[edges[:, 1]]], minlength=int(labels.max()) + 1
    )
    tot = np.bincount(labels, weights=deg, minlength=int(labels.max()) + 1)
    return float(inside.sum() / m - np.sum((tot / (2 * m)) ** 2))


def reach_counts(within: list[np.ndarray], sources: list[int]) -> dict:
    """Sum of totals, union and sum of unique counts from per-source vertex sets (sources left out of union)."""
    src = np.asarray(sources)
    total = sum(int(w.shape[0]) for w in within)
    allv = np.concatenate(within) if within else np.zeros(0, np.int64)
    allv = allv[~np.isin(allv, src)]
    cnt = np.bincount(allv)
    return {"sum_total": total, "team_total": int((cnt > 0).sum()), "sum_unique": int((cnt == 1).sum())}


def _graph_stage(op, build, impl):
    before = rss_mb()
    st, g = measure(op, build, repeats=1, impl=impl)
    st.extra["graph_mb"] = round(rss_mb() - before, 1)
    return st, g


def _sep_check(d: list[int]) -> dict:
    return {"sum_hops": int(sum(x for x in d if x >= 0)), "connected": int(sum(1 for x in d if x >= 0))}


# ------------------------------------------------------------------ sides
def side_reach(path: Path, wl: dict, repeats: int, budget: float) -> list[Stage]:
    import polars as pl

    from reach.algorithms.communities import detect_communities
    from reach.algorithms.neighbourhood import two_hop_reach
    from reach.algorithms.separation import hop_distances, shortest_path, single_source_distances
    from reach.graph import ReachGraph

    out = []
    edges = read_snap(path)
    n = wl["n"]

    def build():
        rg = ReachGraph(
            people=pl.DataFrame({"person_id": pl.arange(0, n, eager=True).cast(pl.String)}),
            strength=np.ones(edges.shape[0]),
            edges=edges,
        )
        rg.csr  # noqa: B018 - the CSR every kernel uses
        return rg

    st, rg = _graph_stage("graph_build", build, "ReachGraph(edges) + CSR adjacency")
    out.append(st)
    src = np.asarray(wl["sources"])

    def two_hop():
        r = two_hop_reach(rg, src)
        return {
            "sum_total": int(r.per_source["n_total"].sum()),
            "team_total": r.team["n_total"],
            "sum_unique": int(r.per_source["n_unique"].sum()),
        }

    st, _ = measure(
        "two_hop_reach",
        two_hop,
        repeats=repeats,
        check=lambda r: r,
        impl="neighbourhood.two_hop_reach (degree-ordered: pairs or 128-source bitmaps per group)",
    )
    out.append(st)
    it = iter(wl["bfs_sources"] * max(1, repeats))
    st, _ = measure(
        "bfs",
        lambda: single_source_distances(rg, int(next(it))),
        repeats=repeats,
        check=lambda d: int((d >= 0).sum()),
        impl="separation.single_source_distances",
    )
    out.append(st)
    pairs = np.asarray(wl["pairs"])

    def sep():
        d = []
        for s, t in pairs.tolist():
            try:
                d.append(len(shortest_path(rg, s, t)) - 1)
            except Exception:  # noqa: BLE001 - not connected
                d.append(-1)
        return d

    st, _ = measure(
        "separation",
        sep,
        repeats=repeats,
        check=_sep_check,
        impl="separation.shortest_path per pair (bidirectional BFS, with the path)",
    )
    out.append(st)
    st, _ = measure(
        "separation.batch",
        lambda: hop_distances(rg, pairs[:, 0], pairs[:, 1]).tolist(),
        repeats=repeats,
        check=_sep_check,
        impl="separation.hop_distances (64 pairs per word, bidirectional; hops only)",
    )
    out.append(st)
    st, _ = measure(
        "communities(resolution=1)",
        lambda: detect_communities(rg, resolution=1.0),
        repeats=1,
        impl="communities.detect_communities(resolution=1.0)",
        check=lambda r: {"communities": r.n_communities, "modularity": round(modularity(edges, r.labels), 4)},
    )
    out.append(st)
    return out


def side_scipy(path: Path, wl: dict, repeats: int, budget: float) -> list[Stage]:
    import scipy.sparse as sp
    from scipy.sparse.csgraph import shortest_path

    out = []
    e = read_snap(path)
    n = wl["n"]
    st, a = _graph_stage(
        "graph_build",
        lambda: sp.csr_matrix(
            (np.ones(2 * e.shape[0], bool), (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])), shape=(n, n)
        ),
        "scipy csr_matrix (bool data: int8 products overflow and miss pairs; bool is also the fastest)",
    )
    out.append(st)
    src = np.asarray(wl["sources"])

    def two_hop():
        s1 = a[src]
        r = (s1 @ a + s1).tocsr()
        row = np.repeat(np.arange(src.shape[0]), np.diff(r.indptr))
        keep = r.indices != src[row]
        cols = r.indices[keep]
        not_src = np.ones(n, bool)
        not_src[src] = False
        colcount = np.bincount(cols[not_src[cols]], minlength=n)
        return {
            "sum_total": int(cols.shape[0]),
            "team_total": int((colcount > 0).sum()),
            "sum_unique": int((colcount == 1).sum()),
        }

    st, _ = measure(
        "two_hop_reach", two_hop, repeats=repeats, impl="A[S] @ A + A[S] (sparse product)", check=lambda r: r
    )
    out.append(st)
    it = iter(wl["bfs_sources"] * max(1, repeats))
    st, _ = measure(
        "bfs",
        lambda: shortest_path(a, unweighted=True, directed=False, indices=next(it)),
        repeats=repeats,
        impl="csgraph.shortest_path(unweighted=True)",
        check=lambda d: int(np.isfinite(d).sum()),
    )
    out.append(st)
    pairs = wl["pairs"]

    def sep():
        d = []
        for s, t in pairs:
            x = shortest_path(a, unweighted=True, directed=False, indices=s)[t]
            d.append(int(x) if np.isfinite(x) else -1)
        return d

    st, _ = measure(
        "separation", sep, repeats=1, impl="csgraph.shortest_path per pair (full BFS each)", check=_sep_check
    )
    out.append(st)
    return out


def side_networkit(path: Path, wl: dict, repeats: int, budget: float) -> list[Stage]:
    import networkit as nk

    nk.engineering.setNumberOfThreads(1)
    out = []
    e = read_snap(path)
    n = wl["n"]
    u, v = e[:, 0].astype(np.uint64), e[:, 1].astype(np.uint64)
    st, g = _graph_stage(
        "graph_build", lambda: nk.GraphFromCoo((np.ones(u.shape[0]), (u, v)), n, directed=False), "nk.GraphFromCoo"
    )
    out.append(st)
    it = iter(wl["bfs_sources"] * max(1, repeats))

    def bfs():
        b = nk.distance.BFS(g, next(it), storePaths=False)
        b.run()
        return int((np.asarray(b.getDistances()) < 1e300).sum())

    st, _ = measure("bfs", bfs, repeats=repeats, impl="distance.BFS", check=lambda c: c)
    out.append(st)

    def sep():
        d = []
        for s, t in wl["pairs"]:
            b = nk.distance.BidirectionalBFS(g, s, t, storePred=True)
            b.run()
            x = b.getDistance()
            b.getPath()
            d.append(int(x) if x < 1e300 and (x > 0 or s == t) else (0 if s == t else -1))
        return d

    st, _ = measure("separation", sep, repeats=repeats, impl="distance.BidirectionalBFS + getPath", check=_sep_check)
    out.append(st)
    st, _ = measure(
        "communities(resolution=1)",
        lambda: nk.community.detectCommunities(g, algo=nk.community.PLM(g, True), inspect=False),
        repeats=1,
        impl="community.PLM (Louvain + refinement, 1 thread)",
        check=lambda p: {
            "communities": p.numberOfSubsets(),
            "modularity": round(modularity(e, np.asarray(p.getVector())), 4),
        },
    )
    out.append(st)
    return out


def side_graphblas(path: Path, wl: dict, repeats: int, budget: float) -> list[Stage]:
    import graphblas as gb

    out = []
    e = read_snap(path)
    n = wl["n"]
    st, a = _graph_stage(
        "graph_build",
        lambda: gb.Matrix.from_coo(
            np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]], True, nrows=n, ncols=n, dtype=bool
        ),
        "Matrix.from_coo (bool)",
    )
    out.append(st)
    src = wl["sources"]

    def two_hop():
        s1 = a[src, :].new()
        r = s1.mxm(a, gb.semiring.any_pair).new()
        r(accum=gb.binary.lor) << s1
        rows, cols, _ = r.to_coo()
        srcs = np.asarray(src)
        keep = cols != srcs[rows]
        cols = cols[keep]
        not_src = np.ones(n, bool)
        not_src[srcs] = False
        colcount = np.bincount(cols[not_src[cols]], minlength=n)
        return {
            "sum_total": int(cols.shape[0]),
            "team_total": int((colcount > 0).sum()),
            "sum_unique": int((colcount == 1).sum()),
        }

    st, _ = measure("two_hop_reach", two_hop, repeats=repeats, impl="mxm(A[S], A, any_pair) + A[S]", check=lambda r: r)
    out.append(st)
    it = iter(wl["bfs_sources"] * max(1, repeats))

    def bfs():
        s = next(it)
        q = gb.Vector(bool, n)
        q[s] = True
        seen = q.dup()
        while q.nvals:
            q(~seen.S, replace=True) << q.vxm(a, gb.semiring.any_pair)
            seen(q.S) << True
        return int(seen.nvals)

    st, _ = measure("bfs", bfs, repeats=repeats, impl="vxm(any_pair) per level, visited mask", check=lambda c: c)
    out.append(st)
    return out


def side_igraph(path: Path, wl: dict, repeats: int, budget: float) -> list[Stage]:
    import igraph as ig

    out = []
    e = read_snap(path)
    n = wl["n"]

    def make():
        g = ig.Graph(n)
        g.add_edges(e)
        return g

    st, g = _graph_stage("graph_build", make, "Graph(n) + add_edges(numpy)")
    out.append(st)
    src = wl["sources"]

    def two_hop():
        return reach_counts([np.asarray(x[1:], dtype=np.int64) for x in g.neighborhood(src, order=2)], src)

    est = time.perf_counter()
    g.neighborhood(src[:20], order=2)
    if (time.perf_counter() - est) / 20 * len(src) > budget:
        k = 20
        st, _ = measure(
            "two_hop_reach",
            lambda: g.neighborhood(src[:k], order=2),
            repeats=1,
            scale=len(src) / k,
            impl="neighborhood(order=2) sizes",
            note=f"timed on {k} of {len(src)} sources and extrapolated",
        )
    else:
        st, _ = measure(
            "two_hop_reach",
            two_hop,
            repeats=repeats,
            impl="neighborhood(order=2) + numpy union/unique",
            check=lambda r: r,
        )
    out.append(st)
    it = iter(wl["bfs_sources"] * max(1, repeats))
    st, _ = measure("bfs", lambda: g.bfs(next(it))[0], repeats=repeats, impl="Graph.bfs", check=len)
    out.append(st)

    def sep():
        d = []
        for s, t in wl["pairs"]:
            p = g.get_shortest_path(s, t)
            d.append(len(p) - 1 if p else (0 if s == t else -1))
        return d

    st, _ = measure("separation", sep, repeats=repeats, impl="get_shortest_path per pair", check=_sep_check)
    out.append(st)
    st, _ = measure(
        "communities(resolution=1)",
        lambda: g.community_leiden(objective_function="modularity", n_iterations=2),
        repeats=1,
        impl="community_leiden(modularity, 2 iterations)",
        check=lambda p: {"communities": len(p), "modularity": round(modularity(e, np.asarray(p.membership)), 4)},
    )
    out.append(st)
    return out


def side_networkx(path: Path, wl: dict, repeats: int, budget: float) -> list[Stage]:
    import networkx as nx

    out = []
    e = read_snap(path)

    def make():
        g = nx.Graph()
        g.add_edges_from(zip(e[:, 0].tolist(), e[:, 1].tolist(), strict=True))
        return g

    if e.shape[0] > 3_000_000:
        return [Stage("graph_build", float("nan"), 0, peak_mb(), impl="nx.Graph", note="skipped: over 3M edges")]
    st, g = _graph_stage("graph_build", make, "nx.Graph().add_edges_from")
    out.append(st)
    src = wl["sources"]

    def within(s):
        d = nx.single_source_shortest_path_length(g, s, cutoff=2)
        return np.fromiter((v for v, k in d.items() if k), dtype=np.int64)

    est = time.perf_counter()
    for s in src[:10]:
        within(s)
    per = (time.perf_counter() - est) / 10
    if per * len(src) > budget:
        k = max(10, int(budget / per / 4))
        st, _ = measure(
            "two_hop_reach",
            lambda: [within(s) for s in src[:k]],
            repeats=1,
            scale=len(src) / k,
            impl="single_source_shortest_path_length(cutoff=2)",
            note=f"timed on {k} of {len(src)} sources and extrapolated",
        )
    else:
        st, _ = measure(
            "two_hop_reach",
            lambda: reach_counts([within(s) for s in src], src),
            repeats=1,
            impl="single_source_shortest_path_length(cutoff=2) + union",
            check=lambda r: r,
        )
    out.append(st)

    def sep():
        d = []
        for s, t in wl["pairs"]:
            try:
                d.append(len(nx.bidirectional_shortest_path(g, s, t)) - 1)
            except nx.NetworkXNoPath:
                d.append(-1)
        return d

    st, _ = measure("separation", sep, repeats=repeats, impl="nx.bidirectional_shortest_path", check=_sep_check)
    out.append(st)
    return out


SIDE_FUNCS = {
    "reach": side_reach,
    "scipy": side_scipy,
    "networkit": side_networkit,
    "graphblas": side_graphblas,
    "igraph": side_igraph,
    "networkx": side_networkx,
}


def run_side(side: str, path: Path, wl: dict, repeats: int, budget: float) -> list[Stage]:
    reset_peak()
    return SIDE_FUNCS[side](path, wl, repeats, budget)


# ------------------------------------------------------------------ driver
def family_main(args, script: str) -> None:
    """Run every side on the family in its own process and print the ratios."""
    import importlib.util
    import subprocess
    import sys

    args.data.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    path, man = ensure_family(args.graph, args.data, args.seed)
    wl = family_workload(path, args.seed)
    wl_path = args.data / f"{args.graph}-s{args.seed}.workload.json"
    wl_path.write_text(json.dumps(wl))
    gen_s = time.perf_counter() - t0
    sides = [s.strip() for s in args.sides.split(",") if s.strip()] if args.sides else list(FAMILY_SIDES)
    results: dict[str, dict[str, dict]] = {}
    notes = []
    for side in sides:
        mod = MODULES.get(side)
        if mod and importlib.util.find_spec(mod) is None:
            notes.append(f"{side} is not installed: skipped (pip install '.[bench]')")
            continue
        cmd = [
            sys.executable,
            script,
            "--child",
            side,
            "--graph",
            args.graph,
            "--workload",
            str(wl_path),
            "--data",
            str(args.data),
            "--repeats",
            str(args.repeats),
            "--budget",
            str(args.budget),
            "--seed",
            str(args.seed),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            notes.append(f"{side} side failed: {(proc.stderr.strip().splitlines() or ['failed'])[-1]}")
            continue
        rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        results[side] = {r["op"]: r for r in rows}
    family_report(args, man, wl, results, notes, gen_s)


def family_child(args) -> None:
    wl = json.loads(args.workload.read_text())
    path, _ = ensure_family(args.graph, args.data, args.seed)
    for st in run_side(args.child, path, wl, args.repeats, args.budget):
        print(
            json.dumps(
                {
                    "op": st.op,
                    "seconds": st.seconds,
                    "runs": st.runs,
                    "peak_mb": st.peak_mb,
                    "impl": st.impl,
                    "note": st.note,
                    "check": st.check,
                    **st.extra,
                },
                default=str,
            ),
            flush=True,
        )


def family_report(args, man: dict, wl: dict, results: dict, notes: list[str], gen_s: float) -> None:
    reach = results.get("reach", {})
    ops = list(reach) + [op for side in results.values() for op in side if op not in reach]
    ops = list(dict.fromkeys(ops))
    lines = []
    for op in ops:
        r = reach.get(op)
        peer_op = "separation" if op == "separation.batch" else op  # the same 50 questions, asked at once
        peers = {
            side: rows[peer_op]
            for side, rows in results.items()
            if side != "reach" and peer_op in rows and rows[peer_op]["seconds"] == rows[peer_op]["seconds"]
        }
        best = min(peers.items(), key=lambda kv: kv[1]["seconds"]) if peers else (None, None)
        row = {
            "op": op,
            "graph": args.graph,
            "reach_s": round(r["seconds"], 4) if r and op in reach else None,
            "best_peer": best[0],
            "best_peer_s": round(best[1]["seconds"], 4) if best[1] else None,
            "reach_over_best": (
                round(reach[op]["seconds"] / best[1]["seconds"], 2)
                if op in reach and best[1] and best[1]["seconds"] > 0
                else None
            ),
            "reach_peak_mb": round(reach[op]["peak_mb"], 1) if op in reach else None,
            "peers": {
                side: {
                    "s": round(p["seconds"], 4),
                    "peak_mb": round(p["peak_mb"], 1),
                    "check": p.get("check"),
                    "impl": p["impl"],
                    "note": p.get("note", ""),
                    **({"graph_mb": p["graph_mb"]} if "graph_mb" in p else {}),
                }
                for side, p in peers.items()
            },
            "check": reach[op].get("check") if op in reach else None,
            "impl": reach[op]["impl"] if op in reach else None,
        }
        if op in reach and "graph_mb" in reach[op]:
            row["reach_graph_mb"] = reach[op]["graph_mb"]
        lines.append(row)
    if args.json:
        for row in lines:
            print(json.dumps(row, default=str))
        for note in notes:
            print(json.dumps({"op": "note", "graph": args.graph, "note": note}))
        return
    print(
        f"{man['description']}: {wl['n']:,} ids ({wl['n_present']:,} with a tie), {wl['m']:,} edges; "
        f"ready in {gen_s:.1f} s; repeats {args.repeats}; every side in its own process, back to back"
    )
    print("ratio = reach s / best peer s (<= 1: reach at or ahead of the best peer); peak MB per side's process")
    hdr = f"{'op':28} {'reach s':>9} {'best peer':>10} {'peer s':>9} {'ratio':>6} {'reach MB':>9}  checks"
    print(hdr)
    print("-" * len(hdr))
    for row in lines:
        rs = f"{row['reach_s']:9.3f}" if row["reach_s"] is not None else f"{'-':>9}"
        ps = f"{row['best_peer_s']:9.3f}" if row["best_peer_s"] is not None else f"{'-':>9}"
        ratio = f"{row['reach_over_best']:6.2f}" if row["reach_over_best"] is not None else f"{'-':>6}"
        mb = f"{row['reach_peak_mb']:9.0f}" if row["reach_peak_mb"] is not None else f"{'-':>9}"
        checks = [f"reach {row['check']}"] if row["check"] is not None else []
        checks += [f"{s} {p['check']}" for s, p in row["peers"].items() if p["check"] is not None]
        print(f"{row['op']:28} {rs} {str(row['best_peer'] or '-'):>10} {ps} {ratio} {mb}  {'; '.join(checks)}")
        if row["op"] == "graph_build":
            mbs = ", ".join(f"{s} {p['graph_mb']:.0f}" for s, p in row["peers"].items() if "graph_mb" in p)
            print(f"{'':28} graph held (MB): reach {row.get('reach_graph_mb', float('nan')):.0f}, {mbs}")
    print("implementations:")
    for row in lines:
        if row["impl"]:
            print(f"  {row['op']}: reach = {row['impl']}")
        for s, p in row["peers"].items():
            print(f"  {'':{len(row['op'])}}  {s} = {p['impl']}{' (' + p['note'] + ')' if p['note'] else ''}")
    for note in notes:
        print(f"note: {note}")
