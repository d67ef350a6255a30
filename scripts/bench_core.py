#!/usr/bin/env python
"""Benchmark `reach import` + `reach stats` beside networkx doing the same work, in the same run.

Each side runs in its own subprocess so its peak memory (ru_maxrss) is its own. networkx computes the
same statistics: nodes, edges, components, largest component, average clustering, triangles and the
all-pairs distance distribution of the largest component. All-pairs BFS in networkx on a graph the
size of Email-Enron takes close to an hour, so its distance part is timed on ``--nx-sources`` BFS
sources and extrapolated to every node (said in the output).

    python scripts/bench_core.py                      # Email-Enron from ../shared/data
    python scripts/bench_core.py --smoke              # email-Eu-core, quick (used by CI; no timing assertions)
    python scripts/bench_core.py --file my-edges.txt --json
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

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def child_reach(path: Path) -> dict:
    from reach.builder import build, load_graph
    from reach.features import StatsOptions, stats
    from reach.imports import import_paths

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        import_paths(Path(tmp) / "ws", [path])
        t1 = time.perf_counter()
        build(Path(tmp) / "ws")
        t2 = time.perf_counter()
        rg = load_graph(Path(tmp) / "ws")
        t3 = time.perf_counter()
        st = stats(rg, StatsOptions()).as_dict()
        t4 = time.perf_counter()
    return {
        "side": "reach",
        "import_s": t1 - t0,
        "build_s": t2 - t1,
        "graph_s": t3 - t2,
        "stats_s": t4 - t3,
        "total_s": t4 - t0,
        "peak_mb": peak_mb(),
        "nodes": st["people"],
        "edges": st["ties"],
        "lcc": st["largest_component_people"],
        "clustering": st["average_clustering"],
        "diameter": st["diameter"],
        "eff90": st["effective_diameter_90"],
    }


def child_networkx(path: Path, nx_sources: int) -> dict:
    import random

    import networkx as nx

    t0 = time.perf_counter()
    g = nx.read_edgelist(path, comments="#", nodetype=str, create_using=nx.Graph)
    g.remove_edges_from(nx.selfloop_edges(g))
    t1 = time.perf_counter()
    comps = list(nx.connected_components(g))
    lcc = g.subgraph(max(comps, key=len))
    clustering = nx.average_clustering(g)
    triangles = sum(nx.triangles(g).values()) // 3
    t2 = time.perf_counter()
    nodes = list(lcc.nodes)
    exact = len(nodes) <= nx_sources
    sample = nodes if exact else random.Random(0).sample(nodes, nx_sources)
    hist: dict[int, int] = {}
    for s in sample:
        for d in nx.single_source_shortest_path_length(lcc, s).values():
            hist[d] = hist.get(d, 0) + 1
    t3 = time.perf_counter()
    dist_s = (t3 - t2) * (len(nodes) / len(sample))
    return {
        "side": "networkx",
        "import_s": t1 - t0,
        "build_s": 0.0,
        "graph_s": 0.0,
        "stats_s": (t2 - t1) + dist_s,
        "total_s": (t2 - t0) + dist_s,
        "peak_mb": peak_mb(),
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "lcc": lcc.number_of_nodes(),
        "clustering": round(clustering, 6),
        "triangles": triangles,
        "diameter": max(hist),
        "distance_extrapolated_from": None if exact else len(sample),
    }


def run_child(side: str, path: Path, nx_sources: int) -> dict:
    cmd = [sys.executable, __file__, "--child", side, "--file", str(path), "--nx-sources", str(nx_sources)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--file", type=Path, default=None)
    ap.add_argument("--smoke", action="store_true", help="small input, quick run (CI)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--nx-sources", type=int, default=300)
    ap.add_argument("--child", choices=["reach", "networkx"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    path = args.file or DATA / (
        "snap_email_eu_core/email-Eu-core.txt" if args.smoke else "snap_email_enron/Email-Enron.txt"
    )
    if args.child:
        res = child_reach(path) if args.child == "reach" else child_networkx(path, args.nx_sources)
        print(json.dumps(res))
        return
    if not path.exists():
        print(f"bench_core: {path} not found (needs ../shared/data); nothing to measure")
        return
    nx_sources = 10_000 if args.smoke else args.nx_sources
    rows = [run_child("reach", path, nx_sources), run_child("networkx", path, nx_sources)]
    if args.json:
        r, n = rows
        print(
            json.dumps(
                {
                    "op": "import+stats",
                    "size": path.name,
                    "reach_s": round(r["total_s"], 3),
                    "baseline": "networkx",
                    "baseline_s": round(n["total_s"], 3),
                    "ratio": round(n["total_s"] / r["total_s"], 1),
                    "peak_mb": round(r["peak_mb"], 1),
                    "baseline_peak_mb": round(n["peak_mb"], 1),
                }
            )
        )
        return
    print(f"input: {path.name}")
    print(f"{'':10} {'import s':>9} {'build s':>8} {'graph s':>8} {'stats s':>8} {'total s':>8} {'peak MB':>8}")
    for r in rows:
        print(
            f"{r['side']:10} {r['import_s']:9.2f} {r['build_s']:8.2f} {r['graph_s']:8.2f} {r['stats_s']:8.2f} "
            f"{r['total_s']:8.2f} {r['peak_mb']:8.0f}"
        )
    r, n = rows
    print(
        f"speed-up: {n['total_s'] / r['total_s']:.1f}x; both see {r['nodes']} nodes, {r['edges']} edges, "
        f"largest component {r['lcc']} (networkx: {n['nodes']}, {n['edges']}, {n['lcc']})"
    )
    print(
        f"average clustering reach {r['clustering']:.4f} / networkx {n['clustering']:.4f}; "
        f"diameter reach {r['diameter']} / networkx {n['diameter']}"
        + (
            f" (networkx distances extrapolated from {n['distance_extrapolated_from']} BFS sources; its diameter "
            "is a lower bound)"
            if n["distance_extrapolated_from"]
            else ""
        )
    )


if __name__ == "__main__":
    main()
