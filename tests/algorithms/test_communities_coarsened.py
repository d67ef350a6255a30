"""Community detection on large graphs: the coarsened path (vectorised local moving, then the optimiser on the
aggregated graph), checked against networkx's Louvain and modularity on medium graphs, plus its invariants."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reach.algorithms import coarsen, communities
from reach.algorithms.communities import detect_communities, normalized_mutual_information
from reach.graph import ReachGraph, build_graph


def planted(n: int, m: int, mu: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(edges, strength, labels)``: groups of 20-400 people, a share ``mu`` of ties leaving the group,
    stronger ties inside than across (the generator of scripts/bench_communities.py, in short)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(20, 401, size=n // 20 + 1)
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n)) + 1]
    sizes[-1] -= int(sizes.sum()) - n
    sizes = sizes[sizes > 0]
    labels = np.repeat(np.arange(sizes.shape[0]), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    u = rng.integers(0, n, 2 * m)
    inside = rng.random(2 * m) >= mu
    c = labels[u]
    v = np.where(inside, starts[c] + (rng.random(2 * m) * sizes[c]).astype(np.int64), rng.integers(0, n, 2 * m))
    key = np.minimum(u, v) * n + np.maximum(u, v)
    ok = u != v
    key, inside = key[ok], inside[ok]
    order = np.argsort(key, kind="stable")
    key, inside = key[order], inside[order]
    first = np.ones(key.shape[0], dtype=bool)
    first[1:] = key[1:] != key[:-1]
    pick = np.sort(rng.permutation(int(first.sum()))[:m])
    key, inside = key[first][pick], inside[first][pick]
    strength = np.where(inside, rng.uniform(0.2, 1.0, key.shape[0]), rng.uniform(0.05, 0.8, key.shape[0]))
    return np.column_stack(np.divmod(key, n)), strength, labels


def reach_graph(edges: np.ndarray, strength: np.ndarray, n: int) -> ReachGraph:
    people = pl.DataFrame({"person_id": [f"p{i:06d}" for i in range(n)]})
    return ReachGraph(people=people, strength=strength, edges=np.asarray(edges, dtype=np.int64))


def nx_graph(edges: np.ndarray, strength: np.ndarray, n: int) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(zip(edges[:, 0].tolist(), edges[:, 1].tolist(), strength.tolist(), strict=True))
    return g


def nx_modularity(g: nx.Graph, labels: np.ndarray, resolution: float = 1.0) -> float:
    comms = [set(np.flatnonzero(labels == c).tolist()) for c in range(int(labels.max()) + 1)]
    return nx.community.modularity(g, comms, weight="weight", resolution=resolution)


# ------------------------------------------------------------------ against networkx
@pytest.mark.parametrize(
    ("n", "m", "mu", "seed"),
    [(5000, 50_000, 0.3, 1), (5000, 50_000, 0.5, 2), (20_000, 150_000, 0.4, 3), (3000, 60_000, 0.6, 4)],
)
def test_coarsened_modularity_at_least_networkx_louvain(n, m, mu, seed):
    """Classic modularity (networkx's own function as the oracle) no worse than networkx's Louvain."""
    edges, strength, truth = planted(n, m, mu, seed)
    rg = reach_graph(edges, strength, n)
    g = nx_graph(edges, strength, n)
    res = detect_communities(rg, resolution=1.0, coarsen=True)
    q = nx_modularity(g, res.labels)
    assert res.modularity == pytest.approx(q, abs=1e-9)
    assert res.quality == pytest.approx(q, abs=1e-9)
    q_nx = nx.community.modularity(g, nx.community.louvain_communities(g, weight="weight", seed=0), weight="weight")
    assert q >= q_nx - 1e-3  # equal or better, or a hair below (1.2e-4 on the mu = 0.5 graph)
    assert normalized_mutual_information(res.labels, truth) >= 0.95


def test_coarsened_heavy_tailed_graph_close_to_networkx_louvain():
    """No planted groups, heavy-tailed degrees: within a small margin of networkx's Louvain."""
    g = nx.powerlaw_cluster_graph(4000, 8, 0.3, seed=5)
    edges = np.array(g.edges, dtype=np.int64)
    strength = np.random.default_rng(5).uniform(0.1, 1.0, edges.shape[0])
    for (a, b), s in zip(edges.tolist(), strength.tolist(), strict=True):
        g[a][b]["weight"] = s
    res = detect_communities(reach_graph(edges, strength, 4000), resolution=1.0, coarsen=True)
    q = nx_modularity(g, res.labels)
    q_nx = nx.community.modularity(g, nx.community.louvain_communities(g, weight="weight", seed=0), weight="weight")
    assert q >= q_nx - 0.01


@pytest.mark.parametrize("mu", [0.3, 0.5])
def test_coarsened_auto_resolution_recovers_small_planted_groups(mu):
    """Groups far below the resolution limit (sqrt(2m) ~ 630 ties) are found, as on the direct path."""
    n, m = 20_000, 200_000
    edges, strength, truth = planted(n, m, mu, 7)
    res = detect_communities(reach_graph(edges, strength, n), coarsen=True)
    assert res.resolution > 1.0
    assert normalized_mutual_information(res.labels, truth) >= 0.97
    plain = detect_communities(reach_graph(edges, strength, n), resolution=1.0, coarsen=True)
    assert plain.n_communities < len(set(truth.tolist())) <= res.n_communities + 5


# ------------------------------------------------------------------ invariants
def test_coarsened_is_deterministic_and_seeded():
    edges, strength, _ = planted(8000, 80_000, 0.5, 11)
    rg = reach_graph(edges, strength, 8000)
    a = detect_communities(rg, seed=3, coarsen=True)
    b = detect_communities(rg, seed=3, coarsen=True)
    assert np.array_equal(a.labels, b.labels)
    assert a.modularity == b.modularity and a.resolution == b.resolution and a.n_rounds == b.n_rounds


def test_default_switches_to_coarsening_on_large_graphs(monkeypatch):
    edges, strength, _ = planted(4000, 30_000, 0.4, 13)
    rg = reach_graph(edges, strength, 4000)
    forced = detect_communities(rg, coarsen=True)
    monkeypatch.setattr(communities, "COARSEN_TIES", 10_000)
    assert np.array_equal(detect_communities(rg).labels, forced.labels)
    monkeypatch.setattr(communities, "COARSEN_TIES", 100_000)
    assert np.array_equal(detect_communities(rg).labels, detect_communities(rg, coarsen=False).labels)


def test_coarsened_without_ties_or_with_equal_strengths():
    rg = build_graph(
        pl.DataFrame({"person_id": ["a", "b", "c"]}).to_arrow(),
        pl.DataFrame(
            {"person_a": [], "person_b": [], "strength": []},
            schema={"person_a": pl.String, "person_b": pl.String, "strength": pl.Float64},
        ).to_arrow(),
    )
    res = detect_communities(rg, coarsen=True)
    assert res.labels.tolist() == [0, 1, 2] and res.modularity == 0.0
    edges, _, _ = planted(3000, 30_000, 0.3, 17)
    w = detect_communities(reach_graph(edges, np.full(edges.shape[0], 0.4), 3000), coarsen=True)
    u = detect_communities(reach_graph(edges, np.full(edges.shape[0], 0.4), 3000), coarsen=True, weights=None)
    assert not w.weighted and np.array_equal(w.labels, u.labels)


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 60))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=200))
    strengths = draw(st.lists(st.floats(0.01, 1.0), min_size=len(pairs), max_size=len(pairs)))
    return n, pairs, strengths


@settings(max_examples=60, deadline=None)
@given(graphs(), st.sampled_from(["leiden", "louvain"]), st.sampled_from(["auto", 1.0, 3.0]))
def test_coarsened_communities_partition_the_people(spec, method, resolution):
    n, pairs, strengths = spec
    seen = {}
    for (a, b), s in zip(pairs, strengths, strict=True):
        if a != b:
            seen[(min(a, b), max(a, b))] = s
    edges = np.array(list(seen), dtype=np.int64).reshape(-1, 2)
    rg = reach_graph(edges, np.array(list(seen.values()), dtype=np.float64), n)
    res = detect_communities(rg, method=method, resolution=resolution, coarsen=True)
    k = res.n_communities
    assert sorted(set(res.labels.tolist())) == list(range(k))
    sizes = res.sizes["n_people"].to_numpy()
    assert sizes.sum() == n and np.all(np.diff(sizes) <= 0)
    deg = np.bincount(edges.ravel(), minlength=n)
    assert np.all(sizes[res.labels[deg == 0]] == 1)  # isolates alone
    g = ig.Graph(n=n, edges=edges.tolist())
    for c in range(k):  # every community is connected (pieces that came apart were split)
        assert g.induced_subgraph(np.flatnonzero(res.labels == c).tolist()).is_connected()
    if edges.shape[0]:
        gx = nx.Graph()
        gx.add_nodes_from(range(n))
        gx.add_weighted_edges_from((a, b, s) for (a, b), s in seen.items())
        assert res.modularity == pytest.approx(nx_modularity(gx, res.labels), abs=1e-9)
        assert res.quality == pytest.approx(nx_modularity(gx, res.labels, res.resolution), abs=1e-9)


def test_aggregated_graph_keeps_modularity():
    """The aggregated graph (pieces as vertices, ties inside as self-loops) scores a partition as the
    full graph scores its projection, with igraph's convention for self-loops."""
    edges, strength, truth = planted(2000, 20_000, 0.4, 19)
    pieces = truth * 3 + (np.arange(2000) % 3)  # three pieces per planted group
    lab, k = coarsen._compress(pieces, int(pieces.max()) + 1)
    agg_edges, agg_w = coarsen._aggregate(edges, strength, lab, k)
    coarse = np.arange(k) // 3
    deg = np.bincount(agg_edges.ravel(), weights=np.repeat(agg_w, 2), minlength=k)
    q_agg = coarsen._modularity_np(agg_edges, agg_w, deg, coarse, 1.0)[0]
    g = ig.Graph(n=k, edges=agg_edges.tolist())
    assert q_agg == pytest.approx(g.modularity(coarse.tolist(), weights=agg_w.tolist()), abs=1e-12)
    full = nx_modularity(nx_graph(edges, strength, 2000), coarse[lab])
    assert q_agg == pytest.approx(full, abs=1e-9)


def test_threaded_sweeps_match_one_thread(monkeypatch):
    """Row blocks in two threads give exactly the single-threaded partition (the blocks never interact)."""
    edges, strength, _ = planted(6000, 60_000, 0.4, 23)
    rg = reach_graph(edges, strength, 6000)
    monkeypatch.setattr(coarsen, "THREAD_SLOTS", 10**12)
    one = detect_communities(rg, coarsen=True)
    monkeypatch.setattr(coarsen, "THREAD_SLOTS", 1000)
    two = detect_communities(rg, coarsen=True)
    assert np.array_equal(one.labels, two.labels) and one.modularity == two.modularity
