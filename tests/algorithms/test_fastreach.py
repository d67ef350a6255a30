"""The vectorised kernels in reach.algorithms.fastreach against networkx and the implementations they replace."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from polars.testing import assert_frame_equal

from reach.algorithms import fastreach as fr
from reach.algorithms.neighbourhood import multi_source_hops
from reach.algorithms.neighbourhood import two_hop_reach as two_hop_reach_igraph
from reach.algorithms.separation import single_source_distances
from reach.algorithms.stats import distance_distribution as distance_distribution_igraph
from reach.graph import ReachGraph, graph_from_edges


def random_graph(seed: int, *, n: int = 90) -> tuple[nx.Graph, ReachGraph]:
    """Sparse random graphs of varied shape: G(n, p), heavy-tailed, and clustered, some disconnected."""
    kind = seed % 3
    if kind == 0:
        g = nx.gnp_random_graph(n, 0.02 + 0.001 * (seed % 40), seed=seed)
    elif kind == 1:
        g = nx.barabasi_albert_graph(n, 1 + seed % 3, seed=seed)
    else:
        g = nx.relaxed_caveman_graph(6, max(3, n // 6), 0.15, seed=seed)
    g = nx.relabel_nodes(g, {v: f"n{v:03d}" for v in g.nodes})
    g.add_edge("z1", "z2")  # always a separate component
    return g, graph_from_edges(list(g.edges))


def nx_reach(g: nx.Graph, sources: list[str], hops: int) -> tuple[dict, dict, dict]:
    """Per-source ring sizes, unique counts and team counts, the way two_hop_reach defines them."""
    src_set = set(sources)
    dists = {s: nx.single_source_shortest_path_length(g, s, cutoff=hops) for s in sources}
    rings = {s: [sum(1 for d in ds.values() if d == k) for k in range(1, hops + 1)] for s, ds in dists.items()}
    covered: dict[str, int] = {}
    best: dict[str, int] = {}
    for ds in dists.values():
        for v, d in ds.items():
            if d >= 1 and v not in src_set:
                covered[v] = covered.get(v, 0) + 1
                best[v] = min(best.get(v, d), d)
    unique = {s: sum(1 for v, d in ds.items() if d >= 1 and covered.get(v) == 1) for s, ds in dists.items()}
    team = {f"n_hop{k}": sum(1 for d in best.values() if d == k) for k in range(1, hops + 1)}
    team["n_total"] = len(best)
    team["n_sources"] = len(sources)
    return rings, unique, team


@pytest.mark.parametrize("seed", range(40))
def test_bfs_distances_match_networkx_and_igraph(seed):
    g, rg = random_graph(seed)
    rng = np.random.default_rng(seed)
    for s in rng.choice(rg.n_people, 4, replace=False):
        got = fr.bfs_distances(rg, int(s))
        assert np.array_equal(got, single_source_distances(rg, int(s)))
        want = nx.single_source_shortest_path_length(g, rg.person_ids[s])
        assert got.tolist() == [want.get(pid, -1) for pid in rg.person_ids]
    many = rng.choice(rg.n_people, 5, replace=True)
    for max_hops in (0, 1, 2, 3, None):
        got = fr.bfs_distances(rg, many, max_hops=max_hops)
        if max_hops is not None:
            assert np.array_equal(got, multi_source_hops(rg, many, max_hops=max_hops))
        want = nx.multi_source_dijkstra_path_length(g, {rg.person_ids[v] for v in many})
        assert got.tolist() == [d if max_hops is None or d <= max_hops else -1
                                for d in (want.get(pid, -1) for pid in rg.person_ids)]


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("hops", [1, 2, 3])
def test_two_hop_reach_matches_networkx_and_the_igraph_version(seed, hops):
    g, rg = random_graph(seed)
    rng = np.random.default_rng(1000 + seed)
    sources = rng.choice(rg.n_people, 1 + seed % 12, replace=True)  # duplicates are dropped, order kept
    got = fr.two_hop_reach(rg, sources, hops=hops)
    old = two_hop_reach_igraph(rg, sources, hops=hops)
    assert_frame_equal(got.per_source, old.per_source)
    assert got.team == old.team
    order = [rg.person_ids[v] for v in dict.fromkeys(sources.tolist())]
    rings, unique, team = nx_reach(g, order, hops)
    for row in got.per_source.iter_rows(named=True):
        assert [row[f"n_hop{k}"] for k in range(1, hops + 1)] == rings[row["person_id"]]
        assert row["n_total"] == sum(rings[row["person_id"]])
        assert row["n_unique"] == unique[row["person_id"]]
    assert got.team == team


def test_two_hop_reach_many_chunks_and_words(monkeypatch):
    """Chunking (pairs) and 64-source words (bits) must not change the answer."""
    _, rg = random_graph(7, n=400)
    sources = np.arange(0, rg.n_people, 3)
    want2 = two_hop_reach_igraph(rg, sources, hops=2)
    want3 = two_hop_reach_igraph(rg, sources, hops=3)
    monkeypatch.setattr(fr, "CHUNK_PAIRS", 50)
    assert_frame_equal(fr.two_hop_reach(rg, sources, hops=2).per_source, want2.per_source)
    assert fr.two_hop_reach(rg, sources, hops=2).team == want2.team
    got3 = fr.two_hop_reach(rg, sources, hops=3)  # 134 sources: three words
    assert_frame_equal(got3.per_source, want3.per_source)
    assert got3.team == want3.team


def test_two_hop_reach_edge_cases():
    rg = graph_from_edges([("a", "b"), ("b", "c")])
    empty = fr.two_hop_reach(rg, np.array([], dtype=np.int64))
    assert empty.per_source.height == 0 and empty.team["n_total"] == 0
    one = fr.two_hop_reach(rg, np.array([rg.vertex("a")]))
    assert one.per_source.select("n_hop1", "n_hop2", "n_total", "n_unique").row(0) == (1, 1, 2, 2)
    with pytest.raises(ValueError, match="hops"):
        fr.two_hop_reach(rg, np.array([0]), hops=0)
    with pytest.raises(ValueError, match="source"):
        fr.two_hop_reach(rg, np.array([7]))


def test_csr_ignores_self_loops_and_keeps_edge_ids():
    edges = np.array([[0, 1], [2, 2], [1, 3], [3, 0]])
    c = fr.csr_from_edges(edges, 5)
    assert c.degree.tolist() == [2, 2, 0, 2, 0]
    for v in range(5):
        for slot in range(c.indptr[v], c.indptr[v + 1]):
            e = edges[c.edge[slot]]
            assert {int(e[0]), int(e[1])} == {v, int(c.indices[slot])}
    assert fr.bfs_distances(c, 2).tolist() == [-1, -1, 0, -1, -1]


def test_csr_with_duplicate_edges_counts_people_once():
    # graph_from_edges never repeats a tie, but a caller's CSR might
    c = fr.csr_from_edges(np.array([[0, 1], [1, 0], [1, 2], [1, 2]]), 3)
    assert fr.bfs_distances(c, 0).tolist() == [0, 1, 2]
    words = list(fr.bit_bfs_levels(c, np.array([0, 2])))
    assert [k for k, _ in words] == [1, 2]


@pytest.mark.parametrize("seed", range(25))
def test_distance_distribution_matches_the_igraph_version(seed):
    _, rg = random_graph(seed, n=70)
    comps = rg.graph.connected_components()
    giant = comps.giant()
    lcc = np.flatnonzero(np.asarray(comps.membership) == int(np.argmax(comps.sizes())))
    for limit, samples in ((10**6, 1000), (5, 10), (5, 500)):
        want = distance_distribution_igraph(giant, exact_limit=limit, n_samples=samples, seed=seed)
        got = fr.distance_distribution(rg, vertices=lcc, exact_limit=limit, n_samples=samples, seed=seed)
        assert got.counts == want.counts
        assert (got.exact, got.n_sources) == (want.exact, want.n_sources)


def test_distance_distribution_exact_matches_networkx():
    g = nx.connected_watts_strogatz_graph(150, 4, 0.1, seed=3)
    rg = graph_from_edges([(f"v{a:03d}", f"v{b:03d}") for a, b in g.edges])
    got = fr.distance_distribution(rg)
    want: dict[int, float] = {}
    for _, lengths in nx.all_pairs_shortest_path_length(g):
        for d in lengths.values():
            if d:
                want[d] = want.get(d, 0) + 0.5
    assert got.exact and got.counts == want


@pytest.mark.parametrize("seed", range(20))
def test_warmest_paths_match_networkx_dijkstra(seed):
    _, rg = random_graph(seed, n=60)
    rng = np.random.default_rng(seed)
    strength = rng.uniform(0.05, 1.0, rg.n_ties)
    strength[: max(1, rg.n_ties // 10)] = 1.0  # ties of full strength cost nothing
    rg.strength = strength
    wg = nx.Graph()
    wg.add_nodes_from(range(rg.n_people))
    for (a, b), s in zip(rg.edges.tolist(), strength.tolist(), strict=True):
        wg.add_edge(a, b, cost=-np.log(s), s=s)
    source = int(rng.integers(rg.n_people))
    targets = rng.choice(rg.n_people, 15, replace=False)
    got = fr.warmest_paths(rg, source, targets)
    want = nx.single_source_dijkstra_path_length(wg, source, weight="cost")
    for row in got.iter_rows(named=True):
        t = row["target"]
        if t not in want:
            assert row["hops"] is None and row["path"] is None and row["strength"] is None
            continue
        path = row["path"]
        assert path[0] == source and path[-1] == t and row["hops"] == len(path) - 1
        assert all(wg.has_edge(a, b) for a, b in itertools.pairwise(path))
        along = float(np.prod([wg[a][b]["s"] for a, b in itertools.pairwise(path)]))
        assert along == pytest.approx(np.exp(-want[t]), rel=1e-9)
        assert row["strength"] == pytest.approx(along, rel=1e-9)


def test_tie_vertices_is_the_build_graph_join():
    import polars as pl

    _, rg = random_graph(5, n=50)
    ties = rg.ties.select("person_a", "person_b").to_arrow()
    assert np.array_equal(fr.tie_vertices(rg.people["person_id"], ties), rg.edges)
    missing = pl.DataFrame({"person_a": ["zz"], "person_b": [rg.person_ids[0]]}).to_arrow()
    assert fr.tie_vertices(rg.people["person_id"], missing).tolist() == [[-1, 0]]


@pytest.mark.slow
def test_kernels_at_a_million_ties():
    """Scale: a 100k-person, 1M-tie heavy-tailed graph; fast paths agree with the igraph versions."""
    import igraph as ig

    n = 100_000
    g = ig.Graph.Barabasi(n, 10, power=1.0)
    import polars as pl

    edges = np.asarray(g.get_edgelist(), dtype=np.int64)
    ids = [f"p{i:06d}" for i in range(n)]
    people = pl.DataFrame({"person_id": ids, "display_name": ids, "key": ids}).to_arrow()
    ties = pl.DataFrame({"person_a": [ids[a] for a in edges[:, 0]], "person_b": [ids[b] for b in edges[:, 1]],
                         "strength": np.full(edges.shape[0], 0.5)}).to_arrow()
    from reach.graph import build_graph

    rg = build_graph(people, ties)
    rng = np.random.default_rng(0)
    sources = rng.choice(n, 300, replace=False)
    want = two_hop_reach_igraph(rg, sources)
    got = fr.two_hop_reach(rg, sources)
    assert_frame_equal(got.per_source, want.per_source)
    assert got.team == want.team
    assert np.array_equal(fr.bfs_distances(rg, 5), single_source_distances(rg, 5))


@pytest.mark.parametrize("seed", range(30))
def test_two_hop_candidates_and_intros_match_the_table_version(seed, monkeypatch):
    import polars as pl

    from reach.algorithms import intros

    _, rg = random_graph(seed, n=80)
    rng = np.random.default_rng(seed)
    rg.strength = rng.uniform(0.05, 1.0, rg.n_ties)
    team = rng.choice(rg.n_people, 4, replace=False)
    targets = rng.choice(rg.n_people, 25, replace=True)  # repeats and team members included on purpose
    blocked = rng.choice(rg.n_people, 3, replace=False) if seed % 2 else None
    allowed = rng.random(rg.n_ties) < 0.8 if seed % 3 == 0 else None
    keys = ["target", "member", "introducer", "hops", "e1", "e2"]
    want = intros.two_hop_candidates(rg, team, targets, blocked=blocked, allowed_edges=allowed).sort(keys)
    got = fr.two_hop_candidates(rg, team, targets, blocked=blocked, allowed_edges=allowed)
    assert isinstance(got, pl.DataFrame)
    assert_frame_equal(got.sort(keys), want)
    slow = intros.warm_intro_paths(rg, team, targets, top_k=2, max_asks=2 if seed % 2 else None, blocked=blocked,
                                   allowed_edges=allowed)
    monkeypatch.setattr(intros, "two_hop_candidates", fr.two_hop_candidates)
    fast = intros.warm_intro_paths(rg, team, targets, top_k=2, max_asks=2 if seed % 2 else None, blocked=blocked,
                                   allowed_edges=allowed)
    assert_frame_equal(fast.paths, slow.paths)
    assert fast.unreached == slow.unreached
