"""Multi-level Louvain in numpy (reach.algorithms.louvain) against networkx and igraph as oracles."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from reach.algorithms import louvain as lv


def adjacency(edges: np.ndarray, w: np.ndarray, n: int):
    """Symmetric CSR without the diagonal, and the strengths (a self-loop counting twice, as networkx does)."""
    keep = edges[:, 0] != edges[:, 1]
    a, b, wk = edges[keep, 0], edges[keep, 1], w[keep]
    adj = sp.csr_matrix((np.concatenate([wk, wk]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n))
    deg = np.bincount(edges.ravel(), weights=np.repeat(w, 2), minlength=n)
    return adj, deg


def nx_graph(edges: np.ndarray, w: np.ndarray, n: int) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(zip(edges[:, 0].tolist(), edges[:, 1].tolist(), w.tolist(), strict=True))
    return g


def nx_q(g: nx.Graph, labels: np.ndarray, gamma: float = 1.0) -> float:
    comms = [set(np.flatnonzero(labels == c).tolist()) for c in np.unique(labels)]
    return nx.community.modularity(g, comms, weight="weight", resolution=gamma)


@st.composite
def weighted_graphs(draw):
    n = draw(st.integers(2, 40))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=1, max_size=120))
    key = sorted({(min(a, b), max(a, b)) for a, b in pairs})
    edges = np.array(key, dtype=np.int64).reshape(-1, 2)
    w = np.array(draw(st.lists(st.floats(0.1, 5.0), min_size=len(key), max_size=len(key))))
    return edges, w, n


@settings(max_examples=60, deadline=None)
@given(weighted_graphs(), st.integers(0, 3), st.sampled_from([0.5, 1.0, 2.0]))
def test_modularity_aggregation_and_result_against_networkx(graph, seed, gamma):
    """modularity() is networkx's; aggregating a partition keeps its modularity; the result partitions the
    vertices and is no worse than leaving everyone alone (Louvain's starting point)."""
    edges, w, n = graph
    g = nx_graph(edges, w, n)
    adj, deg = adjacency(edges, w, n)
    labels = lv.louvain(adj, deg, gamma, seed=seed)
    assert labels.shape == (n,)
    q = nx_q(g, labels, gamma)
    assert lv.modularity(adj, deg, labels, gamma) == pytest.approx(q, abs=1e-9)
    assert q >= nx_q(g, np.arange(n), gamma) - 1e-9
    rough = np.random.default_rng(seed).integers(0, 4, n)
    c, k = lv.compress(rough)
    agg = lv.aggregate(adj, c, k)
    agg_deg = np.bincount(c, weights=deg, minlength=k)
    assert agg.diagonal().sum() == 0
    top = np.arange(k) % 2
    assert lv.modularity(agg, agg_deg, top, gamma) == pytest.approx(nx_q(g, top[c], gamma), abs=1e-9)


def test_ring_of_cliques_found_exactly():
    """Twelve 8-cliques in a ring: the modularity optimum is the cliques (construction as oracle)."""
    g = nx.ring_of_cliques(12, 8)
    edges = np.array(g.edges, dtype=np.int64)
    adj, deg = adjacency(edges, np.ones(edges.shape[0]), g.number_of_nodes())
    labels = lv.louvain(adj, deg, 1.0, seed=0)
    truth = np.arange(g.number_of_nodes()) // 8
    assert len(np.unique(labels)) == 12
    assert all(len(np.unique(labels[truth == i])) == 1 for i in range(12))


@pytest.mark.parametrize("seed", [0, 1])
def test_heavy_tailed_graph_at_least_networkx_louvain(seed):
    """A weighted power-law cluster graph: modularity (networkx's function) at least networkx's Louvain's."""
    g = nx.powerlaw_cluster_graph(6000, 6, 0.2, seed=seed + 7)
    edges = np.array(g.edges, dtype=np.int64)
    w = np.random.default_rng(seed).uniform(0.1, 1.0, edges.shape[0])
    for (a, b), s in zip(edges.tolist(), w.tolist(), strict=True):
        g[a][b]["weight"] = s
    adj, deg = adjacency(edges, w, 6000)
    q = nx_q(g, lv.louvain(adj, deg, 1.0, seed=seed))
    q_nx = nx.community.modularity(g, nx.community.louvain_communities(g, weight="weight", seed=seed), weight="weight")
    assert q >= q_nx - 0.003


def test_real_snap_graph_against_igraph_louvain(shared_data):
    """SNAP CA-GrQc (co-authorship): modularity within 0.005 of igraph's multilevel (C Louvain), or better."""
    path = shared_data / "snap_ca_grqc" / "CA-GrQc.txt"
    raw = np.loadtxt(path, dtype=np.int64, comments="#")
    ids, inv = np.unique(raw.ravel(), return_inverse=True)
    e = inv.reshape(-1, 2)
    e = np.unique(np.sort(e[e[:, 0] != e[:, 1]], axis=1), axis=0)
    n = ids.shape[0]
    adj, deg = adjacency(e, np.ones(e.shape[0]), n)
    labels = lv.louvain(adj, deg, 1.0, seed=0)
    gi = ig.Graph(n=n, edges=e.tolist())
    q = gi.modularity(labels.tolist())
    q_ig = gi.modularity(gi.community_multilevel().membership)
    assert q >= q_ig - 0.005
    assert lv.modularity(adj, deg, labels) == pytest.approx(q, abs=1e-9)


def test_deterministic_for_a_seed_and_empty_graphs():
    g = nx.powerlaw_cluster_graph(500, 3, 0.3, seed=1)
    edges = np.array(g.edges, dtype=np.int64)
    adj, deg = adjacency(edges, np.ones(edges.shape[0]), 500)
    assert np.array_equal(lv.louvain(adj, deg, seed=4), lv.louvain(adj, deg, seed=4))
    empty = sp.csr_matrix((5, 5))
    assert lv.louvain(empty, np.zeros(5)).tolist() == [0, 1, 2, 3, 4]
    assert lv.louvain(sp.csr_matrix((0, 0)), np.zeros(0)).shape == (0,)
