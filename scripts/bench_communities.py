#!/usr/bin/env python
"""Benchmark reach's community detection beside networkx's Louvain, and its accuracy on labelled data.

1. Speed: a seeded planted-partition graph (default 100,000 people, 1,000,000 ties, communities of
   20-400 people, a fraction ``--mu`` of each person's ties leaving their community, stronger ties
   inside communities than across). reach's ``detect_communities`` (defaults) and networkx's
   ``louvain_communities`` (seed 0, same weights) each run in their own subprocess, so each peak
   memory (ru_maxrss, which includes building the graph) is its own. networkx runs on the same graph
   by default (about 20-30 s and 1 GB at a million ties); ``--nx-edges N`` runs it on a smaller graph
   from the same generator instead, and reach is then timed on that one too.
   Modularity (resolution 1, weighted) and NMI against the planted partition are computed the same
   way for both, outside the timings.
2. Accuracy: NMI of reach's defaults against email-Eu-core's 42 departments and the football
   conferences (from ../shared/data), next to plain Leiden (``resolution=1.0``) and networkx Louvain.

   ``--networkit`` adds networkit's PLM (Louvain with refinement, one thread, same weights) when it is
   installed; ``--resolution 1`` times reach at classic modularity instead of the estimated resolution.
   Each row also gives the process CPU seconds and the load average: on a shared machine wall-clock
   times move with the load (reach uses two threads on large graphs).

    python scripts/bench_communities.py                 # full run (about a minute, mostly networkx)
    python scripts/bench_communities.py --smoke         # small graph, quick
    python scripts/bench_communities.py --skip-networkx --json
    python scripts/bench_communities.py --size L --skip-networkx --skip-real --networkit   # 1M people, 10M ties
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
SIZES = {"M": (100_000, 1_000_000), "L": (1_000_000, 10_000_000)}  # --size presets (people, ties)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def planted_partition(
    n_nodes: int, n_edges: int, *, mu: float = 0.3, seed: int = 0, min_size: int = 20, max_size: int = 400
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(edges, strength, labels)`` of a seeded planted-partition graph (self-loops and repeats dropped)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(min_size, max_size + 1, size=n_nodes // min_size + 1)
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n_nodes)) + 1]
    sizes[-1] -= int(sizes.sum()) - n_nodes
    sizes = sizes[sizes > 0]
    labels = np.repeat(np.arange(sizes.shape[0]), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    draw = int(n_edges * 1.05) + 10  # a little extra for repeats and self-loops
    u = rng.integers(0, n_nodes, draw)
    inside = rng.random(draw) >= mu
    c = labels[u]
    v = np.where(inside, starts[c] + (rng.random(draw) * sizes[c]).astype(np.int64), rng.integers(0, n_nodes, draw))
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    keep = lo != hi
    key, inside = lo[keep] * n_nodes + hi[keep], inside[keep]
    # distinct pairs in (u, v) order, each with its first draw: np.unique(axis=0, return_index=True), by a
    # stable sort of one int64 key (np.unique on rows is very slow at ten million pairs)
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.ones(key.shape[0], dtype=bool)
    first[1:] = key[1:] != key[:-1]
    key, inside = key[first], inside[order[first]]
    pairs = np.column_stack(np.divmod(key, n_nodes))
    pick = np.sort(rng.permutation(pairs.shape[0])[:n_edges])
    pairs, inside = pairs[pick], inside[pick]
    strength = np.where(inside, rng.uniform(0.2, 1.0, pairs.shape[0]), rng.uniform(0.05, 0.8, pairs.shape[0]))
    return pairs.astype(np.int64), strength, labels


def modularity(edges: np.ndarray, w: np.ndarray, labels: np.ndarray) -> float:
    deg = np.bincount(edges.ravel(), weights=np.repeat(w, 2), minlength=labels.shape[0])
    two_m = deg.sum()
    inside = labels[edges[:, 0]] == labels[edges[:, 1]]
    kappa = np.bincount(labels, weights=deg)
    return float(2 * w[inside].sum() / two_m - np.dot(kappa, kappa) / two_m**2)


def child(side: str, n_nodes: int, n_edges: int, mu: float, resolution: float | str = "auto") -> dict:
    from reach.algorithms.communities import normalized_mutual_information

    edges, strength, truth = planted_partition(n_nodes, n_edges, mu=mu)
    t0 = time.perf_counter()
    if side == "reach":
        import polars as pl

        from reach.algorithms.communities import detect_communities
        from reach.graph import ReachGraph

        ids = pl.Series("person_id", [f"p{i:07d}" for i in range(n_nodes)])
        rg = ReachGraph(people=pl.DataFrame({"person_id": ids}), strength=strength, edges=edges)
        t1 = time.perf_counter()
        res = detect_communities(rg, resolution=resolution)  # includes the CSR adjacency (or igraph) it builds
        t2 = time.perf_counter()
        labels = res.labels
        extra = {"resolution": round(res.resolution, 3), "rounds": res.n_rounds, "runs": res.n_runs}
    elif side == "networkit":
        import networkit as nk

        nk.engineering.setNumberOfThreads(1)
        g = nk.GraphFromCoo(
            (strength, (edges[:, 0].astype(np.uint64), edges[:, 1].astype(np.uint64))),
            n_nodes,
            directed=False,
            weighted=True,
        )
        t1 = time.perf_counter()
        part = nk.community.detectCommunities(g, algo=nk.community.PLM(g, True), inspect=False)
        t2 = time.perf_counter()
        labels = np.asarray(part.getVector(), dtype=np.int64)
        extra = {}
    else:
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(range(n_nodes))
        g.add_weighted_edges_from(zip(edges[:, 0].tolist(), edges[:, 1].tolist(), strength.tolist(), strict=True))
        t1 = time.perf_counter()
        comms = nx.community.louvain_communities(g, weight="weight", seed=0)
        t2 = time.perf_counter()
        labels = np.empty(n_nodes, dtype=np.int64)
        for i, c in enumerate(comms):
            labels[list(c)] = i
        extra = {}
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "side": side,
        "nodes": n_nodes,
        "edges": int(edges.shape[0]),
        "graph_s": t1 - t0,
        "detect_s": t2 - t1,
        "process_cpu_s": cpu.ru_utime + cpu.ru_stime,
        "load_avg": os.getloadavg()[0],
        "peak_mb": peak_mb(),
        "communities": int(np.unique(labels).shape[0]),
        "planted": int(np.unique(truth).shape[0]),
        "modularity": modularity(edges, strength, labels),
        "nmi": normalized_mutual_information(labels, truth),
        **extra,
    }


def run_child(side: str, n_nodes: int, n_edges: int, mu: float, resolution: str = "auto") -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        side,
        "--nodes",
        str(n_nodes),
        "--edges",
        str(n_edges),
        "--mu",
        str(mu),
        "--resolution",
        resolution,
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def real_data() -> list[dict]:
    """NMI on email-Eu-core (departments) and football (conferences): reach defaults, plain Leiden, networkx."""
    import warnings

    import igraph as ig

    from reach.builder import load_graph
    from reach.graph import graph_from_edges
    from reach.imports import import_paths

    rows = []
    eu = DATA / "snap_email_eu_core"
    if eu.is_dir():
        with tempfile.TemporaryDirectory() as tmp:
            import_paths(Path(tmp) / "ws", [eu / "email-Eu-core.txt"])
            rg = load_graph(Path(tmp) / "ws")
        dept = dict(
            line.split()
            for line in (eu / "email-Eu-core-department-labels.txt").read_text().splitlines()
            if line.strip()
        )
        truth = np.array([int(dept[k]) for k in rg.people["key"].to_list()])
        rows.append(_real_row("email-Eu-core (42 departments)", rg, truth))
    fb = DATA / "classic_graphs" / "football.gml"
    if fb.exists():
        with warnings.catch_warnings():  # an HTML entity in a team name
            warnings.simplefilter("ignore", RuntimeWarning)
            g = ig.Graph.Read_GML(str(fb))
        rg = graph_from_edges([(f"{a:04d}", f"{b:04d}") for a, b in g.get_edgelist()])
        truth = np.array(g.vs["value"], dtype=np.int64)[[int(p) for p in rg.people["person_id"].to_list()]]
        rows.append(_real_row("football (12 conferences)", rg, truth))
    return rows


def _real_row(name: str, rg, truth: np.ndarray) -> dict:
    import networkx as nx

    from reach.algorithms.communities import detect_communities, normalized_mutual_information

    seeds = range(5)
    t0 = time.perf_counter()
    auto = [detect_communities(rg, seed=s) for s in seeds]
    t1 = time.perf_counter()
    plain = [detect_communities(rg, seed=s, resolution=1.0, n_runs=1) for s in seeds]
    g = nx.Graph()
    g.add_nodes_from(range(rg.n_people))
    g.add_weighted_edges_from(zip(rg.edges[:, 0].tolist(), rg.edges[:, 1].tolist(), rg.strength.tolist(), strict=True))
    nxl = []
    for s in seeds:
        lab = np.empty(rg.n_people, dtype=np.int64)
        for i, c in enumerate(nx.community.louvain_communities(g, weight="weight", seed=s)):
            lab[list(c)] = i
        nxl.append(lab)

    def nmis(labels_list: list[np.ndarray]) -> list[float]:
        return [round(normalized_mutual_information(lab, truth), 3) for lab in labels_list]

    return {
        "graph": name,
        "people": rg.n_people,
        "ties": rg.n_ties,
        "reach_nmi_seed0": round(normalized_mutual_information(auto[0].labels, truth), 4),
        "reach_nmi_seeds": nmis([r.labels for r in auto]),
        "reach_communities": auto[0].n_communities,
        "reach_resolution": round(auto[0].resolution, 3),
        "reach_s_per_run": (t1 - t0) / len(seeds),
        "plain_leiden_nmi_seeds": nmis([r.labels for r in plain]),
        "networkx_louvain_nmi_seeds": nmis(nxl),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--edges", type=int, default=1_000_000)
    ap.add_argument("--mu", type=float, default=0.3, help="share of ties leaving the community")
    ap.add_argument(
        "--nx-edges",
        type=int,
        default=0,
        help="run networkx on a graph of this many ties (same density) instead; 0 = the same graph",
    )
    ap.add_argument(
        "--size",
        choices=list(SIZES),
        help="preset people / ties: "
        + ", ".join(f"{k} {v[0]:,} / {v[1]:,}" for k, v in SIZES.items())
        + " (overrides --nodes and --edges)",
    )
    ap.add_argument("--resolution", default="auto", help="reach's resolution: 'auto' (default) or a number")
    ap.add_argument("--networkit", action="store_true", help="also run networkit's PLM (1 thread), if installed")
    ap.add_argument("--skip-networkx", action="store_true")
    ap.add_argument("--skip-real", action="store_true", help="skip the labelled real graphs")
    ap.add_argument("--smoke", action="store_true", help="small graphs, quick")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", choices=["reach", "networkx", "networkit"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    resolution = args.resolution if args.resolution == "auto" else float(args.resolution)
    if args.size:
        args.nodes, args.edges = SIZES[args.size]
    if args.child:
        print(json.dumps(child(args.child, args.nodes, args.edges, args.mu, resolution)))
        return
    if args.smoke:
        args.nodes, args.edges = 10_000, 100_000
    rows = [run_child("reach", args.nodes, args.edges, args.mu, args.resolution)]
    if args.networkit:
        rows.append(run_child("networkit", args.nodes, args.edges, args.mu))
    note = ""
    if not args.skip_networkx:
        nx_edges = args.nx_edges or args.edges
        nx_nodes = max(1, round(args.nodes * nx_edges / args.edges))
        if nx_edges != args.edges:
            note = f"networkx ran on a smaller graph of {nx_edges:,} ties (--nx-edges); reach is shown on both"
            rows.append(run_child("reach", nx_nodes, nx_edges, args.mu))
        rows.append(run_child("networkx", nx_nodes, nx_edges, args.mu))
    real = [] if args.skip_real else real_data()
    if args.json:
        print(json.dumps({"synthetic": rows, "real": real, "note": note}))
        return
    print(
        f"planted partition, mu={args.mu}, seed 0 (graph build time excluded from detect s; "
        f"load average {rows[0]['load_avg']:.1f} on {os.cpu_count()} cores)"
    )
    print(
        f"{'':9} {'people':>8} {'ties':>9} {'detect s':>9} {'peak MB':>8} {'comms':>6} {'planted':>7} "
        f"{'modularity':>10} {'NMI':>6}"
    )
    for r in rows:
        print(
            f"{r['side']:9} {r['nodes']:8d} {r['edges']:9d} {r['detect_s']:9.2f} {r['peak_mb']:8.0f} "
            f"{r['communities']:6d} {r['planted']:7d} {r['modularity']:10.4f} {r['nmi']:6.3f}"
            + (
                f"   (resolution {r['resolution']}, {r['rounds']} rounds, {r['runs']} runs)"
                if "resolution" in r
                else ""
            )
        )
    if note:
        print(f"note: {note}")
    for r in real:
        print(f"\n{r['graph']}: {r['people']} people, {r['ties']} ties")
        print(
            f"  reach defaults    NMI seed 0 = {r['reach_nmi_seed0']:.4f}; seeds 0-4 {r['reach_nmi_seeds']} "
            f"({r['reach_communities']} communities, resolution {r['reach_resolution']}, "
            f"{r['reach_s_per_run']:.3f} s per call)"
        )
        print(f"  plain Leiden (resolution 1, one run)  {r['plain_leiden_nmi_seeds']}")
        print(f"  networkx louvain_communities          {r['networkx_louvain_nmi_seeds']}")


if __name__ == "__main__":
    main()
