#!/usr/bin/env python
"""Benchmark every reach stage on synthetic data, beside networkx, scipy, networkit and igraph.

    python scripts/bench.py --size S            # 10k people, ~100k ties: table
    python scripts/bench.py --size XS --json    # ~2k people: quick (CI smoke; no timing assertions)
    python scripts/bench.py --size L --json > bench-L.jsonl

Sizes: XS 2,000 people; S 10,000 (~100k ties); M 100,000 (~1M ties); L 1,000,000 (~10M ties); a team
of 50 (20 at XS). The data is written once by ``scripts/make_synthetic.py`` (seed 0) into ``--data``
(default ``$TMPDIR/reach-bench/<size>``) and reused; generating it is not timed.

What runs. Each side runs in its own subprocess, so its memory is its own:

* reach: import (the edge list, then every export with its owner), resolve, strengths and graph build
  on everything imported; then, on the graph of the edge list alone (the same graph the baselines
  load): two-hop reach of 1,000 sources, warm intros to 1,000 targets from the 50-person team (up to
  two hops), single-source BFS, Dijkstra from one person to 1,000 targets with paths, the distance
  distribution (1,000 sampled sources above 50,000 people, exact below) and communities; finally the
  whole import + build in a fresh workspace, and the whole nightly ``reach run`` (a config over every
  export, the team, 1,000 targets and the five largest companies as accounts). Graph build is timed up
  to a graph every kernel can query (vertex pairs and the CSR adjacency); the igraph ``Graph`` is built
  lazily, only by the operations that use igraph (clustering, betweenness, communities, GraphML).
* baselines do the same operation on the edge list: networkx, scipy sparse CSR where it applies,
  networkit when installed, igraph where reach does not already use it the same way.

Dijkstra and intros need tie strengths; an edge list gives every tie the same one, so those two
operations use a synthetic strength per tie (a hash of its two node ids, in (0.05, 1]) on every side.

Timing: seconds are the median of up to ``--repeats`` runs (a stage that takes more than a few
seconds runs fewer times; ``runs`` says how many). An operation that would take longer than
``--budget`` seconds on a side is timed on a subset (BFS sources, or a subgraph) and extrapolated;
the row says so. Peak memory (``peak_mb``) is the side's peak resident set size while the stage ran,
read from Linux ``VmHWM`` after resetting it (``/proc/self/clear_refs``) before the stage; it includes
what the process already held (the graph). Where the reset is not possible the figure is the
process's peak so far (``ru_maxrss``), said in the header. The machine may be shared: times are
wall-clock.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SIZES = {"XS": (2_000, 20), "S": (10_000, 50), "M": (100_000, 50), "L": (1_000_000, 50)}
SIDES = ("reach", "networkx", "scipy", "networkit", "igraph")
N_SOURCES = 1000
N_TARGETS = 1000


# ------------------------------------------------------------------ memory and timing
def _status() -> dict[str, float]:
    out = {}
    try:
        with Path("/proc/self/status").open() as fh:
            for line in fh:
                if line.startswith(("VmHWM", "VmRSS")):
                    key, val = line.split(":")
                    out[key] = int(val.split()[0]) / 1024.0
    except OSError:
        pass
    return out


def reset_peak() -> bool:
    """Reset the peak RSS (Linux >= 4.0); False when not possible."""
    try:
        with Path("/proc/self/clear_refs").open("w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def peak_mb() -> float:
    st = _status()
    if "VmHWM" in st:
        return st["VmHWM"]
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@dataclass
class Stage:
    op: str
    seconds: float
    runs: int
    peak_mb: float
    impl: str = ""
    note: str = ""
    check: object = None
    extra: dict = field(default_factory=dict)


def measure(
    op: str, fn, *, repeats: int, impl: str = "", note: str = "", quick: float = 2.0, check=None, scale: float = 1.0
) -> tuple[Stage, object]:
    """Run ``fn`` up to ``repeats`` times (once more only while runs stay under ``quick`` seconds)."""
    reset_peak()
    times, result = [], None
    for i in range(max(1, repeats)):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        if i + 1 < repeats and sum(times) > quick * max(1, repeats) / 2:
            break
    sec = statistics.median(times) * scale
    return Stage(
        op=op,
        seconds=sec,
        runs=len(times),
        peak_mb=peak_mb(),
        impl=impl,
        note=note,
        check=check(result) if check else None,
    ), result


def synthetic_strength(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """A fixed pseudo-random strength in (0.05, 1] per tie, from its two node ids (order-free)."""
    a = np.minimum(u, v).astype(np.uint64)
    b = np.maximum(u, v).astype(np.uint64)
    x = a * np.uint64(0x9E3779B97F4A7C15) ^ (b + np.uint64(0x632BE59BD9B4E019))
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return 0.05 + 0.95 * ((x >> np.uint64(11)).astype(np.float64) + 1.0) / float(1 << 53)


def read_edges(path: Path) -> np.ndarray:
    import pyarrow.csv as pacsv

    tab = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=["u", "v"], skip_rows=3),
        parse_options=pacsv.ParseOptions(delimiter="\t"),
    )
    return np.column_stack([tab["u"].to_numpy(), tab["v"].to_numpy()]).astype(np.int64)


# ------------------------------------------------------------------ the shared workload
def ensure_data(size: str, data: Path, seed: int) -> Path:
    people, team = SIZES[size]
    manifest = data / "manifest.json"
    if manifest.exists():
        m = json.loads(manifest.read_text())
        if m.get("people") == people and m.get("team") == team and m.get("seed") == seed:
            return data
    cmd = [
        sys.executable,
        str(REPO / "scripts" / "make_synthetic.py"),
        "--people",
        str(people),
        "--team",
        str(team),
        "--seed",
        str(seed),
        "--quiet",
        str(data),
    ]
    subprocess.run(cmd, check=True)
    return data


def make_workload(data: Path, seed: int) -> dict:
    """Sources, team, targets: node ids of the edge list, the same for every side."""
    manifest = json.loads((data / "manifest.json").read_text())
    edges = read_edges(data / "edges.txt")
    n = int(manifest["people"])
    deg = np.bincount(edges.ravel(), minlength=n)
    present = np.flatnonzero(deg > 0)
    rng = np.random.default_rng(seed + 7)
    team = np.array(manifest["team_ids"], dtype=np.int64)
    k = min(N_SOURCES, present.shape[0])
    non_team = np.setdiff1d(present, team)
    # the largest component: BFS from the biggest hub (every side finds the same vertex set)
    from reach.adjacency import csr_from_edges
    from reach.algorithms.neighbourhood import bfs_distances

    csr = csr_from_edges(edges, n)
    lcc = np.flatnonzero(bfs_distances(csr, int(np.argmax(deg))) >= 0)
    return {
        "n": n,
        "m": int(edges.shape[0]),
        "lcc": int(lcc.shape[0]),
        "reach_sources": rng.choice(present, size=k, replace=False).tolist(),
        "team": team.tolist(),
        "targets": rng.choice(non_team, size=min(N_TARGETS, non_team.shape[0]), replace=False).tolist(),
        "bfs_sources": rng.choice(lcc, size=5, replace=False).tolist(),
        "dijkstra_source": int(rng.choice(lcc)),
        "dijkstra_targets": rng.choice(lcc, size=min(N_TARGETS, lcc.shape[0]), replace=False).tolist(),
        "exports": manifest["files"],
    }


def nmi(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised mutual information of two labelings (arithmetic mean of the entropies)."""
    a = np.unique(a, return_inverse=True)[1].ravel()
    b = np.unique(b, return_inverse=True)[1].ravel()
    n = a.shape[0]
    joint = np.bincount(a * (int(b.max()) + 1) + b)
    nz = np.flatnonzero(joint)
    pij = joint[nz] / n
    pa, pb = np.bincount(a) / n, np.bincount(b) / n
    ia, ib = np.divmod(nz, int(b.max()) + 1)
    mi = float(np.sum(pij * np.log(pij / (pa[ia] * pb[ib]))))
    ha, hb = float(-np.sum(pa[pa > 0] * np.log(pa[pa > 0]))), float(-np.sum(pb[pb > 0] * np.log(pb[pb > 0])))
    return 1.0 if ha + hb == 0 else mi / ((ha + hb) / 2)


def planted(data: Path):
    """A function scoring community labels (per node id) by NMI against the planted departments and companies."""
    import polars as pl

    ppl = pl.read_parquet(data / "people.parquet", columns=["person_id", "company_id", "department_id"]).sort(
        "person_id"
    )
    dept = ppl["department_id"].to_numpy()
    comp = ppl["company_id"].to_numpy()

    def score(node_ids: np.ndarray, labels: np.ndarray) -> dict:
        return {
            "nmi_department": round(nmi(dept[node_ids], labels), 3),
            "nmi_company": round(nmi(comp[node_ids], labels), 3),
        }

    return score


def _dist_note(k_used: int, k_want: int) -> str:
    return "" if k_used >= k_want else f"timed on {k_used} of {k_want} BFS sources and extrapolated"


# ------------------------------------------------------------------ the reach side
def child_reach(data: Path, wl: dict, repeats: int, budget: float, check_accuracy: bool) -> list[Stage]:

    import polars as pl

    from reach.algorithms.intros import warm_intro_paths
    from reach.algorithms.neighbourhood import two_hop_reach
    from reach.algorithms.separation import single_source_distances, warmest_paths
    from reach.algorithms.stats import distance_distribution
    from reach.builder import build, load_graph
    from reach.graph import build_graph
    from reach.identity import resolve
    from reach.imports import import_paths
    from reach.strength import compute_ties
    from reach.workspace import Workspace

    out: list[Stage] = []
    tmp = Path(tempfile.mkdtemp(prefix="reach-bench-"))
    edges_path = data / "edges.txt"
    exports = [(data / f["file"], f["format"], f["owner"]) for f in wl["exports"]]
    from reach.io.formats import registry

    known = registry()
    skipped = sorted({fmt for _, fmt, _ in exports if fmt not in known})
    exports = [e for e in exports if e[1] in known]
    skip_note = f"formats not registered, skipped: {', '.join(skipped)}" if skipped else ""

    # parsing alone: the edge list file to Arrow tables (records and interactions), beside pyarrow's CSV reader
    from reach.io.edgelist import read_edgelist

    st, parsed = measure(
        "parse.edgelist",
        lambda: read_edgelist(edges_path),
        repeats=repeats,
        impl="io.edgelist.read_edgelist (file -> records + interactions Arrow tables)",
        check=lambda p: p.interactions.num_rows,
    )
    st.note = f"{parsed.n_rows / st.seconds / 1e6:.1f} M rows/s"
    parsed = None
    out.append(st)

    # import: the edge list, then the exports, into a fresh workspace each run
    t_edges, t_exp, peaks = [], [], []
    per_format: dict[str, float] = {}
    ws_path = None
    for r in range(max(1, repeats)):
        ws_path = tmp / f"ws{r}"
        reset_peak()
        t0 = time.perf_counter()
        import_paths(ws_path, [edges_path])
        t1 = time.perf_counter()
        for path, fmt, owner in exports:
            ta = time.perf_counter()
            import_paths(ws_path, [path], fmt=fmt, owner=owner)
            per_format[fmt] = per_format.get(fmt, 0.0) + time.perf_counter() - ta
        t2 = time.perf_counter()
        t_edges.append(t1 - t0)
        t_exp.append(t2 - t1)
        peaks.append(peak_mb())
        if sum(t_edges) + sum(t_exp) > 2.0 * repeats:
            break
    out.append(
        Stage(
            "import.edgelist",
            statistics.median(t_edges),
            len(t_edges),
            max(peaks),
            impl="imports.import_paths(edges.txt)",
        )
    )
    runs = len(t_exp)
    split = ", ".join(f"{fmt} {sec / runs:.2f} s" for fmt, sec in sorted(per_format.items()))
    out.append(
        Stage(
            "import.exports",
            statistics.median(t_exp),
            runs,
            max(peaks),
            impl=f"imports.import_paths per file with its owner ({len(exports)} files)",
            note="; ".join(x for x in (f"per format: {split}", skip_note) if x),
        )
    )
    ws = Workspace.open(ws_path)
    records, interactions = ws.raw("records"), ws.raw("interactions")
    st, resolved = measure(
        "resolve",
        lambda: resolve(records),
        repeats=repeats,
        impl="identity.resolve",
        note=f"{records.num_rows:,} records (edge list + exports)",
    )
    out.append(st)
    st, ties = measure(
        "strengths",
        lambda: compute_ties(interactions, resolved["membership"]),
        repeats=repeats,
        impl="strength.compute_ties",
        note=f"{interactions.num_rows:,} interactions",
    )
    out.append(st)
    people = resolved["people"]

    def build_ready():
        g = build_graph(people, ties)
        g.csr  # noqa: B018 - the CSR adjacency: built once per graph, used by every kernel below
        return g

    st, rg_all = measure(
        "graph_build",
        build_ready,
        repeats=repeats,
        impl="graph.build_graph + CSR adjacency (igraph Graph built lazily, on first use)",
        note=f"{people.num_rows:,} people, {ties.num_rows:,} ties (edge list + exports)",
    )
    out.append(st)

    # the graph of the edge list alone: the same graph the baselines load
    ppl_all = rg_all.people
    keep = ppl_all["key"].is_not_null().to_numpy()
    ids = ppl_all["person_id"].filter(pl.Series(keep))
    tie_df = pl.from_arrow(ties)
    tie_df = tie_df.filter(pl.col("person_a").is_in(ids.implode()) & pl.col("person_b").is_in(ids.implode()))
    rg = build_graph(ppl_all.filter(pl.Series(keep)).to_arrow(), tie_df.to_arrow())
    rg_all = resolved = records = interactions = None  # free them before the graph work
    key_to_v = dict(zip(rg.people["key"].cast(pl.Int64).to_list(), range(rg.n_people), strict=True))

    def verts(ids_: list[int]) -> np.ndarray:
        return np.array([key_to_v[i] for i in ids_], dtype=np.int64)

    src_v = verts(wl["reach_sources"])
    team_v, targ_v = verts(wl["team"]), verts(wl["targets"])
    node_of_v = rg.people["key"].cast(pl.Int64).to_numpy()
    strength = synthetic_strength(node_of_v[rg.edges[:, 0]], node_of_v[rg.edges[:, 1]])
    rg_w = rg.with_strength(strength)  # shares rg's CSR adjacency, as any graph's kernels do

    def reach_check(res):
        return {
            "sum_total": int(res.per_source["n_total"].sum()),
            "team_total": res.team["n_total"],
            "sum_unique": int(res.per_source["n_unique"].sum()),
        }

    est = time.perf_counter()
    two_hop_reach(rg, src_v[:20])
    per_src = (time.perf_counter() - est) / 20
    if per_src * len(src_v) > budget:
        k = max(20, int(budget / per_src / 2))
        st, _ = measure(
            "two_hop_reach",
            lambda: two_hop_reach(rg, src_v[:k]),
            repeats=1,
            impl="neighbourhood.two_hop_reach",
            scale=len(src_v) / k,
            note=f"timed on {k} of {len(src_v)} sources and extrapolated",
        )
    else:
        st, _ = measure(
            "two_hop_reach",
            lambda: two_hop_reach(rg, src_v),
            repeats=repeats,
            impl="neighbourhood.two_hop_reach",
            check=reach_check,
        )
    out.append(st)
    st, _ = measure(
        "intros",
        lambda: warm_intro_paths(rg_w, team_v, targ_v, max_hops=2, top_k=3),
        repeats=repeats,
        impl="intros.warm_intro_paths(max_hops=2, top_k=3)",
        check=lambda r: {"paths": r.paths.height, "unreached": len(r.unreached)},
        note="synthetic tie strengths",
    )
    out.append(st)
    bfs_v = verts(wl["bfs_sources"])
    it = iter(list(bfs_v) * max(1, repeats))
    st, _ = measure(
        "bfs",
        lambda: single_source_distances(rg, int(next(it))),
        repeats=repeats,
        impl="separation.single_source_distances (direction-optimising BFS on CSR)",
        check=lambda d: int((d >= 0).sum()),
    )
    out.append(st)

    dsrc = key_to_v[wl["dijkstra_source"]]
    dtarg = verts(wl["dijkstra_targets"])
    warmest_paths(rg_w, dsrc, dtarg[:2])  # builds the cost matrix once per graph
    st, _ = measure(
        "dijkstra",
        lambda: warmest_paths(rg_w, dsrc, dtarg),
        repeats=repeats,
        impl="separation.warmest_paths (scipy csgraph Dijkstra + vectorised path walk)",
        check=lambda df: round(float(-np.log(df["strength"].drop_nulls()).sum()), 4),
        note="synthetic tie strengths; cost matrix cached per graph",
    )
    out.append(st)

    lcc = np.flatnonzero(single_source_distances(rg, int(np.argmax(rg.degree))) >= 0)
    exact = lcc.shape[0] <= 50_000

    def dd_check(d):
        return round(d.average(), 4)

    st, dd = measure(
        "distance_distribution",
        lambda: distance_distribution(rg, vertices=lcc, n_samples=N_SOURCES),
        repeats=repeats,
        impl="stats.distance_distribution (bit-parallel, direction-optimising BFS)",
        check=dd_check,
        note="exact" if exact else f"{N_SOURCES} sampled sources",
    )
    if check_accuracy:
        st.extra["accuracy"] = _accuracy(rg, lcc, dd, exact)
    out.append(st)

    truth = planted(data)
    from reach.algorithms.communities import detect_communities

    st, _ = measure(
        "communities",
        lambda: detect_communities(rg),
        repeats=1,
        impl="communities.detect_communities (resolution estimated from the graph)",
        check=lambda r: {
            "communities": r.n_communities,
            "modularity": round(r.modularity, 3),
            **truth(node_of_v, r.labels),
        },
    )
    out.append(st)
    st, _ = measure(
        "communities(resolution=1)",
        lambda: detect_communities(rg, resolution=1.0),
        repeats=1,
        impl="communities.detect_communities(resolution=1.0): classic modularity",
        check=lambda r: {
            "communities": r.n_communities,
            "modularity": round(r.modularity, 3),
            **truth(node_of_v, r.labels),
        },
    )
    out.append(st)
    rg = rg_w = None  # free the graph before the whole pipeline runs again

    def whole():
        ws_new = tmp / f"whole{time.perf_counter_ns()}"
        import_paths(ws_new, [edges_path])
        for path, fmt, owner in exports:
            import_paths(ws_new, [path], fmt=fmt, owner=owner)
        build(ws_new)
        return load_graph(ws_new).n_people

    st, _ = measure(
        "import_build",
        whole,
        repeats=repeats,
        impl="import_paths (all) + build + load_graph",
        check=lambda n: n,
        note=skip_note,
    )
    out.append(st)

    config = write_run_config(data, tmp / "run", wl, exports)

    def nightly():
        from reach.run import run_pipeline

        return run_pipeline(config, quiet=True, out=config.parent / "out")

    st, summary = measure(
        "run",
        nightly,
        repeats=1,
        impl="run.run_pipeline (the whole `reach run`, first run)",
        check=lambda r: {
            "status": r.status,
            "people": r.people,
            "ties": r.ties,
            "targets_reachable": r.targets_reachable,
            "communities": r.communities,
        },
    )
    st.note = "stages: " + ", ".join(
        f"{x['stage']} {x['seconds']:.1f} s" for x in summary.stages if x.get("seconds") is not None
    )
    out.append(st)
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    return out


def write_run_config(data: Path, folder: Path, wl: dict, exports: list[tuple[Path, str, str]]) -> Path:
    """A ``reach run`` config over the synthetic exports: the team, 1,000 targets and the 5 largest accounts."""
    import polars as pl

    folder.mkdir(parents=True, exist_ok=True)
    ppl = pl.read_parquet(data / "people.parquet", columns=["person_id", "company", "work_email"]).sort("person_id")
    targets = ppl["work_email"].gather(wl["targets"][:N_TARGETS]).to_list()
    (folder / "targets.txt").write_text("\n".join(targets) + "\n", encoding="utf-8")
    big = ppl.group_by("company").agg(pl.len(), pl.col("work_email").first()).sort("len", descending=True).head(5)
    accounts = [f"{c}; {e.split('@', 1)[1]}" for c, e in big.select("company", "work_email").rows()]
    owners = sorted({o for _, _, o in exports})
    lines = [
        f"workspace = {json.dumps(str(folder / 'ws'))}",
        "seed = 0",
        f"team = {json.dumps(owners)}",
        f"accounts = {json.dumps(accounts)}",
        "[targets]",
        'file = "targets.txt"',
        "",
        "[[sources]]",
        f"path = {json.dumps(str(data / 'edges.txt'))}",
        'format = "edgelist"',
        "",
    ]
    for path, fmt, owner in exports:
        lines += [
            "[[sources]]",
            f"path = {json.dumps(str(path))}",
            f"format = {json.dumps(fmt)}",
            f"owner = {json.dumps(owner)}",
            "",
        ]
    cfg = folder / "pipeline.toml"
    cfg.write_text("\n".join(lines), encoding="utf-8")
    return cfg


def _accuracy(rg, lcc, dd, exact: bool) -> dict:
    """How far the estimate is from a reference: exact at small sizes, 8x the sources otherwise."""
    if exact:
        return {"reference": "exact", "max_abs_share_diff": 0.0, "avg_rel_diff": 0.0}
    from reach.algorithms.stats import distance_distribution

    ref = distance_distribution(rg, vertices=lcc, n_samples=8 * N_SOURCES, seed=12345)
    a = {k: v / dd.n_pairs for k, v in dd.counts.items()}
    b = {k: v / ref.n_pairs for k, v in ref.counts.items()}
    diff = max(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in set(a) | set(b))
    return {
        "reference": f"{ref.n_sources} other sampled sources",
        "max_abs_share_diff": round(diff, 5),
        "avg_rel_diff": round(abs(dd.average() - ref.average()) / ref.average(), 5),
        "eff90_rel_diff": round(abs(dd.effective_diameter() - ref.effective_diameter()) / ref.effective_diameter(), 5),
    }


# ------------------------------------------------------------------ baselines
def _bfs_extrapolated(op, run_one, sources, n_want, budget, impl, check=None):
    """Distance distribution by BFS from sources, timed on as many as fit the budget, extrapolated."""
    reset_peak()
    t0 = time.perf_counter()
    hist: dict[int, int] = {}
    done = 0
    for s in sources[:n_want]:
        for d, c in run_one(int(s)).items():
            hist[d] = hist.get(d, 0) + c
        done += 1
        if time.perf_counter() - t0 > budget / 2 and done >= 2:
            break
    sec = (time.perf_counter() - t0) * n_want / done
    total = sum(c for d, c in hist.items() if d > 0)
    avg = sum(d * c for d, c in hist.items() if d > 0) / total if total else 0.0
    return Stage(
        op,
        sec,
        1,
        peak_mb(),
        impl=impl,
        note=_dist_note(done, n_want),
        check=round(avg, 4) if done >= n_want or check else None,
    )


def child_networkx(data: Path, wl: dict, repeats: int, budget: float) -> list[Stage]:
    import networkx as nx

    out: list[Stage] = []
    path = data / "edges.txt"
    est_read = wl["m"] * 3e-6
    if est_read > budget:  # time the reader on a prefix of the file and extrapolate
        frac = budget / est_read / 2
        lines = path.read_text().splitlines(keepends=True)
        part = Path(tempfile.mkdtemp()) / "part.txt"
        part.write_text("".join(lines[: int(len(lines) * frac)]))
        del lines
        st, _ = measure(
            "import.edgelist",
            lambda: nx.read_edgelist(part, nodetype=int),
            repeats=1,
            scale=1 / frac,
            impl="nx.read_edgelist",
            note=f"timed on {frac:.0%} of the lines and extrapolated",
        )
    else:
        st, _ = measure(
            "import.edgelist", lambda: nx.read_edgelist(path, nodetype=int), repeats=repeats, impl="nx.read_edgelist"
        )
    out.append(st)
    edges = read_edges(path)
    out.append(
        dataclass_replace(
            st,
            op="import_build",
            note=(st.note + "; " if st.note else "") + "edge list only: no exports, no identity resolution",
        )
    )

    def make():
        g = nx.Graph()
        g.add_nodes_from(range(wl["n"]))
        g.add_edges_from(zip(edges[:, 0].tolist(), edges[:, 1].tolist(), strict=True))
        return g

    st, g = measure("graph_build", make, repeats=min(repeats, 2), impl="nx.Graph().add_edges_from")
    out.append(st)
    g.remove_nodes_from([v for v in range(wl["n"]) if g.degree(v) == 0])

    def two_hop():
        sources = wl["reach_sources"]
        is_src = set(sources)
        rings = []
        covered: dict[int, int] = {}
        best: dict[int, int] = {}
        for s in sources:
            h1 = set(g[s])
            h2 = set()
            for u in h1:
                h2.update(g[u])
            h2 -= h1
            h2.discard(s)
            rings.append((s, h1, h2))
            for w in h1:
                if w not in is_src:
                    covered[w] = covered.get(w, 0) + 1
                    best[w] = 1
            for w in h2:
                if w not in is_src:
                    covered[w] = covered.get(w, 0) + 1
                    best.setdefault(w, 2)
        uniq = sum(1 for _, h1, h2 in rings for w in h1 | h2 if covered.get(w) == 1)
        return {"sum_total": sum(len(h1) + len(h2) for _, h1, h2 in rings), "team_total": len(best), "sum_unique": uniq}

    st, _ = measure(
        "two_hop_reach", two_hop, repeats=repeats, impl="sets of neighbours of neighbours", check=lambda r: r
    )
    out.append(st)
    w = synthetic_strength(edges[:, 0], edges[:, 1])
    for (a, b), s in zip(edges.tolist(), w.tolist(), strict=True):
        g[a][b]["s"] = s
        g[a][b]["cost"] = -math.log(s)
    team = set(wl["team"])

    def intros():
        n_paths = unreached = 0
        for t in wl["targets"]:
            cand: dict[int, float] = {}
            for i, d in g[t].items():
                if i in team:
                    cand[i] = max(cand.get(i, 0.0), 1.0 + d["s"])  # a direct tie ranks first
                    continue
                for m in team.intersection(g[i]):
                    cand[i] = max(cand.get(i, 0.0), g[m][i]["s"] * d["s"])
            top = sorted(cand.values(), reverse=True)[:3]
            n_paths += len(top)
            unreached += not top
        return {"paths": n_paths, "unreached": unreached}

    st, _ = measure(
        "intros",
        intros,
        repeats=repeats,
        impl="common neighbours of team and target",
        check=lambda r: r,
        note="synthetic tie strengths",
    )
    out.append(st)
    it = iter(wl["bfs_sources"] * max(1, repeats))
    st, _ = measure(
        "bfs",
        lambda: nx.single_source_shortest_path_length(g, next(it)),
        repeats=repeats,
        impl="nx.single_source_shortest_path_length",
        check=len,
    )
    out.append(st)

    def dijkstra():
        dist, _paths = nx.single_source_dijkstra(g, wl["dijkstra_source"], weight="cost")
        return sum(dist[t] for t in wl["dijkstra_targets"] if t in dist)

    st, _ = measure(
        "dijkstra",
        dijkstra,
        repeats=min(repeats, 2),
        impl="nx.single_source_dijkstra (with paths)",
        check=lambda c: round(c, 4),
        note="synthetic tie strengths",
    )
    out.append(st)
    lcc = max(nx.connected_components(g), key=len)
    sources = _dist_sources(wl, sorted(lcc))

    def one(s):
        counts: dict[int, int] = {}
        for d in nx.single_source_shortest_path_length(g, s).values():
            counts[d] = counts.get(d, 0) + 1
        return counts

    out.append(
        _bfs_extrapolated(
            "distance_distribution",
            one,
            sources,
            len(sources),
            budget,
            "nx.single_source_shortest_path_length per source",
        )
    )
    if g.number_of_edges() * 20e-6 > budget:  # Louvain on a subgraph and extrapolate by ties
        frac = budget / (g.number_of_edges() * 20e-6) / 2
        sub = nx.Graph(
            list(
                zip(
                    edges[: int(len(edges) * frac), 0].tolist(),
                    edges[: int(len(edges) * frac), 1].tolist(),
                    strict=True,
                )
            )
        )
        st, _ = measure(
            "communities",
            lambda: nx.community.louvain_communities(sub, seed=0),
            repeats=1,
            scale=1 / frac,
            impl="nx.community.louvain_communities",
            note=f"timed on the first {frac:.0%} of the ties and extrapolated",
        )
    else:
        st, _ = measure(
            "communities",
            lambda: nx.community.louvain_communities(g, seed=0),
            repeats=1,
            impl="nx.community.louvain_communities",
            check=lambda c: {"communities": len(c), "modularity": round(nx.community.modularity(g, c), 3)},
        )
    out.append(st)
    return out


def dataclass_replace(st: Stage, **kw) -> Stage:
    import dataclasses

    return dataclasses.replace(st, **kw)


def _dist_sources(wl: dict, lcc_sorted: list[int]) -> list[int]:
    """The sources reach's distance distribution uses: all of the component when small, else 1,000."""
    lcc = np.asarray(lcc_sorted, dtype=np.int64)
    if lcc.shape[0] <= 50_000:
        return lcc.tolist()
    rng = np.random.default_rng(0)
    return lcc[rng.choice(lcc.shape[0], size=N_SOURCES, replace=False)].tolist()


def child_scipy(data: Path, wl: dict, repeats: int, budget: float) -> list[Stage]:
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra, shortest_path

    out: list[Stage] = []
    path = data / "edges.txt"
    n = wl["n"]

    def load():
        e = read_edges(path)
        return sp.csr_matrix(
            (
                np.ones(2 * e.shape[0], np.int8),
                (np.concatenate([e[:, 0], e[:, 1]]), np.concatenate([e[:, 1], e[:, 0]])),
            ),
            shape=(n, n),
        )

    st, tab = measure(
        "parse.edgelist",
        lambda: read_edges(path),
        repeats=repeats,
        impl="pyarrow.csv.read_csv (two int64 columns, nothing else)",
        check=lambda e: e.shape[0],
    )
    st.note = f"{tab.shape[0] / st.seconds / 1e6:.1f} M rows/s"
    out.append(st)
    st, _ = measure("import.edgelist", load, repeats=repeats, impl="pyarrow.csv + scipy csr_matrix")
    out.append(st)
    out.append(dataclass_replace(st, op="import_build", note="edge list only: no exports, no identity resolution"))
    edges = read_edges(path)
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    st, a = measure(
        "graph_build",
        lambda: sp.csr_matrix((np.ones(rows.shape[0], np.int8), (rows, cols)), shape=(n, n)),
        repeats=repeats,
        impl="scipy csr_matrix",
    )
    out.append(st)
    src = np.array(wl["reach_sources"])
    a_bool = a.astype(bool)  # int8 products overflow (a wrapped count of 0 drops a pair); bool is also fastest

    def two_hop():
        s1 = a_bool[src]
        r = (s1 @ a_bool + s1).tocsr()
        row = np.repeat(np.arange(src.shape[0]), np.diff(r.indptr))
        cols = r.indices[r.indices != src[row]]  # within two hops, the source itself left out
        row = row[r.indices != src[row]]
        not_src = np.ones(n, bool)
        not_src[src] = False
        colcount = np.bincount(cols[not_src[cols]], minlength=n)
        uniq = int(((colcount[cols] == 1) & not_src[cols]).sum())
        return {"sum_total": int(cols.shape[0]), "team_total": int((colcount > 0).sum()), "sum_unique": uniq}

    st, _ = measure("two_hop_reach", two_hop, repeats=repeats, impl="A[S] @ A (sparse product)", check=lambda r: r)
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
    w = -np.log(synthetic_strength(edges[:, 0], edges[:, 1]))
    wm = sp.csr_matrix((np.concatenate([w, w]), (rows, cols)), shape=(n, n))

    def dij():
        dist, pred = dijkstra(wm, indices=wl["dijkstra_source"], return_predecessors=True)
        total = 0.0
        for t in wl["dijkstra_targets"]:
            if np.isfinite(dist[t]):
                v = t
                while v != wl["dijkstra_source"]:  # walk the path back, as a caller must
                    v = pred[v]
                total += dist[t]
        return total

    st, _ = measure(
        "dijkstra",
        dij,
        repeats=repeats,
        impl="csgraph.dijkstra + predecessor walk",
        check=lambda c: round(c, 4),
        note="synthetic tie strengths",
    )
    out.append(st)
    deg = np.diff(a.indptr)
    from reach.adjacency import csr_from_edges
    from reach.algorithms.neighbourhood import bfs_distances

    lcc = np.flatnonzero(bfs_distances(csr_from_edges(edges, n), int(np.argmax(deg))) >= 0)
    sources = _dist_sources(wl, lcc.tolist())

    def one(s):
        d = shortest_path(a, unweighted=True, directed=False, indices=s)
        d = d[np.isfinite(d)].astype(np.int64)
        c = np.bincount(d)
        return {i: int(x) for i, x in enumerate(c) if x}

    out.append(
        _bfs_extrapolated(
            "distance_distribution",
            one,
            sources,
            len(sources),
            budget,
            "csgraph.shortest_path(unweighted=True) per source",
        )
    )
    return out


def child_networkit(data: Path, wl: dict, repeats: int, budget: float) -> list[Stage]:
    import networkit as nk

    nk.engineering.setNumberOfThreads(1)
    out: list[Stage] = []
    path = data / "edges.txt"
    n = wl["n"]
    reader = nk.graphio.EdgeListReader("\t", 0, commentPrefix="#", continuous=True, directed=False)
    st, _ = measure(
        "import.edgelist", lambda: reader.read(str(path)), repeats=repeats, impl="graphio.EdgeListReader (1 thread)"
    )
    out.append(st)
    out.append(dataclass_replace(st, op="import_build", note="edge list only: no exports, no identity resolution"))
    edges = read_edges(path)
    u, v = edges[:, 0].astype(np.uint64), edges[:, 1].astype(np.uint64)
    st, g = measure(
        "graph_build",
        lambda: nk.GraphFromCoo((np.ones(u.shape[0]), (u, v)), n, directed=False),
        repeats=repeats,
        impl="nk.GraphFromCoo",
    )
    out.append(st)
    it = iter(wl["bfs_sources"] * max(1, repeats))

    def bfs():
        b = nk.distance.BFS(g, next(it), storePaths=False)
        b.run()
        d = np.asarray(b.getDistances())
        return int((d < 1e300).sum())

    st, _ = measure("bfs", bfs, repeats=repeats, impl="distance.BFS", check=lambda c: c)
    out.append(st)
    w = -np.log(synthetic_strength(edges[:, 0], edges[:, 1]))
    gw = nk.GraphFromCoo((w, (u, v)), n, directed=False, weighted=True)

    def dij():
        d = nk.distance.Dijkstra(gw, wl["dijkstra_source"], storePaths=True, storeNodesSortedByDistance=False)
        d.run()
        dist = d.getDistances()
        total = 0.0
        for t in wl["dijkstra_targets"]:
            if d.getPath(t):
                total += dist[t]
        return total

    st, _ = measure(
        "dijkstra",
        dij,
        repeats=repeats,
        impl="distance.Dijkstra(storePaths) + getPath",
        check=lambda c: round(c, 4),
        note="synthetic tie strengths",
    )
    out.append(st)
    from reach.adjacency import csr_from_edges
    from reach.algorithms.neighbourhood import bfs_distances

    deg = np.bincount(edges.ravel(), minlength=n)
    lcc = np.flatnonzero(bfs_distances(csr_from_edges(edges, n), int(np.argmax(deg))) >= 0)
    sources = _dist_sources(wl, lcc.tolist())

    def one(s):
        b = nk.distance.BFS(g, s, storePaths=False)
        b.run()
        d = np.asarray(b.getDistances())
        d = d[d < 1e300].astype(np.int64)
        c = np.bincount(d)
        return {i: int(x) for i, x in enumerate(c) if x}

    out.append(
        _bfs_extrapolated("distance_distribution", one, sources, len(sources), budget, "distance.BFS per source")
    )
    st, _ = measure(
        "communities",
        lambda: nk.community.detectCommunities(g, algo=nk.community.PLM(g, True)),
        repeats=1,
        impl="community.PLM (Louvain + refinement, 1 thread)",
        check=lambda p: {
            "communities": p.numberOfSubsets(),
            "modularity": round(nk.community.Modularity().getQuality(p, g), 3),
        },
    )
    out.append(st)
    return out


def child_igraph(data: Path, wl: dict, repeats: int, budget: float) -> list[Stage]:
    import igraph as ig

    out: list[Stage] = []
    edges = read_edges(data / "edges.txt")
    n = wl["n"]

    def make():
        g = ig.Graph(n)
        g.add_edges(edges)
        return g

    st, g = measure("graph_build", make, repeats=min(repeats, 2), impl="Graph(n) + add_edges(numpy)")
    out.append(st)
    src = wl["reach_sources"]
    st, _ = measure(
        "two_hop_reach",
        lambda: [len(x) for x in g.neighborhood(src, order=2)],
        repeats=repeats,
        impl="neighborhood(order=2) sizes only (no union or unique counts)",
    )
    out.append(st)
    w = -np.log(synthetic_strength(edges[:, 0], edges[:, 1]))
    g.es["cost"] = w.tolist()
    st, _ = measure(
        "dijkstra",
        lambda: g.get_shortest_paths(wl["dijkstra_source"], to=wl["dijkstra_targets"], weights="cost", output="vpath"),
        repeats=repeats,
        impl="get_shortest_paths(weights)",
        note="synthetic tie strengths",
    )
    out.append(st)
    truth = planted(data)
    st, _ = measure(
        "communities",
        lambda: g.community_leiden(objective_function="modularity", n_iterations=-1),
        repeats=1,
        impl="community_leiden(modularity, resolution 1)",
        check=lambda p: {
            "communities": len(p),
            "modularity": round(p.modularity, 3),
            **truth(np.arange(n), np.asarray(p.membership)),
        },
    )
    out.append(st)
    return out


# ------------------------------------------------------------------ driver
def run_child(side: str, args, wl_path: Path) -> tuple[list[dict], str]:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        side,
        "--workload",
        str(wl_path),
        "--data",
        str(args.data),
        "--repeats",
        str(args.repeats),
        "--budget",
        str(args.budget),
    ]
    if args.check_accuracy:
        cmd.append("--check-accuracy")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return [], (proc.stderr.strip().splitlines() or ["failed"])[-1]
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return rows, ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=list(SIZES), default="S")
    ap.add_argument("--json", action="store_true", help="one JSON object per line")
    ap.add_argument("--jsonl", type=Path, default=None, help="also write the JSON lines to this file")
    ap.add_argument("--data", type=Path, default=None, help="synthetic data folder (generated when missing)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=None, help="runs per stage (default 5 at XS/S, 3 at M, 2 at L)")
    ap.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds an operation may take before it is timed on a subset (default 60; 5 at XS)",
    )
    ap.add_argument("--sides", default=",".join(SIDES), help=f"comma-separated, from {', '.join(SIDES)}")
    ap.add_argument(
        "--check-accuracy",
        action="store_true",
        help="also compare the sampled distance distribution with an 8x larger sample (slow)",
    )
    ap.add_argument(
        "--graph",
        default=None,
        help="graph operations on another family instead of the synthetic workload: kron16..kron22 "
        "(Graph500 Kronecker) or a SNAP file of ../shared/data: enron, eu_core, grqc, collegemsg "
        "(see scripts/bench_families.py)",
    )
    ap.add_argument("--child", choices=(*SIDES, "graphblas", "networkx"), help=argparse.SUPPRESS)
    ap.add_argument("--workload", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.repeats is None:
        args.repeats = 3 if args.graph else {"XS": 3, "S": 5, "M": 3, "L": 2}[args.size]
    if args.budget is None:
        args.budget = 5.0 if args.size == "XS" and not args.graph else 60.0
    if args.graph:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_families import family_child, family_main

        args.data = args.data or Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "reach-bench" / "families"
        if args.child:
            family_child(args)
        else:
            if args.sides == ",".join(SIDES):
                args.sides = None
            family_main(args, __file__)
        return
    if args.child:
        wl = json.loads(args.workload.read_text())
        fn = {
            "reach": lambda: child_reach(args.data, wl, args.repeats, args.budget, args.check_accuracy),
            "networkx": lambda: child_networkx(args.data, wl, args.repeats, args.budget),
            "scipy": lambda: child_scipy(args.data, wl, args.repeats, args.budget),
            "networkit": lambda: child_networkit(args.data, wl, args.repeats, args.budget),
            "igraph": lambda: child_igraph(args.data, wl, args.repeats, args.budget),
        }[args.child]
        for st in fn():
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
        return

    args.data = (
        args.data or Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "reach-bench" / f"{args.size}-s{args.seed}"
    )
    t0 = time.perf_counter()
    ensure_data(args.size, args.data, args.seed)
    wl = make_workload(args.data, args.seed)
    wl_path = args.data / "workload.json"
    wl_path.write_text(json.dumps(wl))
    gen_s = time.perf_counter() - t0
    sides = [s.strip() for s in args.sides.split(",") if s.strip()]
    results: dict[str, list[dict]] = {}
    notes = []
    for side in sides:
        if side == "networkit":
            import importlib.util

            if importlib.util.find_spec("networkit") is None:
                notes.append("networkit is not installed: no networkit baseline (pip install networkit)")
                continue
        rows, err = run_child(side, args, wl_path)
        if err:
            notes.append(f"{side} side failed: {err}")
        results[side] = rows
    report(args, wl, results, notes, gen_s, peak_reset_ok=reset_peak())


def report(
    args, wl: dict, results: dict[str, list[dict]], notes: list[str], gen_s: float, *, peak_reset_ok: bool
) -> None:
    reach_rows = results.get("reach", [])
    base = {side: {r["op"]: r for r in rows} for side, rows in results.items() if side != "reach"}
    lines = []
    for r in reach_rows:
        plain = r["op"].split("(")[0]  # "communities(resolution=1)" is compared with the same baselines
        matches = [(side, ops[plain]) for side, ops in base.items() if plain in ops]
        if not matches:
            lines.append((r, None, None))
        for side, b in matches:
            lines.append((r, side, b))
    mem_note = (
        "peak_mb: process peak RSS during the stage (VmHWM reset before it)"
        if peak_reset_ok
        else "peak_mb: process peak RSS so far (ru_maxrss); VmHWM could not be reset here"
    )
    json_lines = []
    for r, side, b in lines:
        b_note = b.get("note") if b and b.get("note") != r.get("note") else ""
        row = {
            "op": r["op"],
            "size": args.size,
            "reach_s": round(r["seconds"], 4),
            "baseline": side,
            "baseline_s": round(b["seconds"], 4) if b else None,
            "ratio": round(b["seconds"] / r["seconds"], 2) if b and r["seconds"] > 0 else None,
            "peak_mb": round(r["peak_mb"], 1),
            "runs": r["runs"],
            "impl": r["impl"],
            "baseline_impl": b["impl"] if b else None,
            "baseline_peak_mb": round(b["peak_mb"], 1) if b else None,
            "note": "; ".join(x for x in (r.get("note"), f"{side}: {b_note}" if b_note else "") if x),
            "check": r.get("check"),
            "baseline_check": b.get("check") if b else None,
        }
        if "accuracy" in r:
            row["accuracy"] = r["accuracy"]
        json_lines.append(json.dumps(row, default=str))
    json_lines += [json.dumps({"op": "note", "size": args.size, "note": note}) for note in notes]
    if args.jsonl:
        args.jsonl.write_text("\n".join(json_lines) + "\n")
    if args.json:
        print("\n".join(json_lines))
        return
    print(
        f"size {args.size}: {wl['n']:,} people, {wl['m']:,} ties (largest component {wl['lcc']:,}); "
        f"data {args.data} (ready in {gen_s:.1f} s); repeats {args.repeats}, budget {args.budget:.0f} s"
    )
    print(mem_note + "; ratio = baseline s / reach s (> 1: reach is faster)")
    hdr = f"{'op':34} {'reach s':>9} {'peak MB':>8} {'runs':>4}  {'baseline':10} {'base s':>9} {'ratio':>7}  notes"
    print(hdr)
    print("-" * len(hdr))
    last = None
    for r, side, b in lines:
        first = r["op"] != last
        last = r["op"]
        left = f"{r['op']:34} {r['seconds']:9.3f} {r['peak_mb']:8.0f} {r['runs']:4d}" if first else " " * 57
        note = []
        if first and r.get("note"):
            note.append(r["note"])
        if b and b.get("note") and b["note"] != r.get("note"):
            note.append(f"{side}: {b['note']}")
        if b and b.get("check") is not None and r.get("check") is not None and b["check"] != r["check"]:
            note.append(f"check reach {r['check']} vs {side} {b['check']}")
        if side:
            ratio = b["seconds"] / r["seconds"] if r["seconds"] > 0 else float("nan")
            print(f"{left}  {side:10} {b['seconds']:9.3f} {ratio:7.2f}  {'; '.join(note)}")
        else:
            print(f"{left}  {'-':10} {'':>9} {'':>7}  {'; '.join(note)}")
    if any("accuracy" in r for r in reach_rows):
        for r in reach_rows:
            if "accuracy" in r:
                print(f"accuracy of {r['op']}: {r['accuracy']}")
    print("implementations:")
    seen = set()
    for r, side, b in lines:
        if r["op"] not in seen:
            seen.add(r["op"])
            print(f"  {r['op']}: reach = {r['impl']}")
        if b:
            print(f"  {'':{len(r['op'])}}  {side} = {b['impl']}")
    for note in notes:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
