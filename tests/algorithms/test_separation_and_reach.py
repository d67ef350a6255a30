"""Distances, paths and reach counts checked against networkx on the same graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from reach.algorithms.neighbourhood import two_hop_reach
from reach.algorithms.separation import shortest_path, single_source_distances
from reach.errors import NoPath
from reach.graph import graph_from_edges


def random_graph(seed: int, n: int = 60, p: float = 0.05) -> tuple[nx.Graph, list[tuple[str, str]]]:
    g = nx.gnp_random_graph(n, p, seed=seed)
    g = nx.relabel_nodes(g, {i: f"n{i:03d}" for i in g.nodes})
    return g, list(g.edges)


@pytest.mark.parametrize("seed", range(25))
def test_single_source_distances_match_networkx(seed):
    g, edges = random_graph(seed)
    edges = edges + [("n998", "n999")]  # a separate pair so unreachable is always tested
    g.add_edge("n998", "n999")
    rg = graph_from_edges(edges)
    for src in ["n000", "n010", "n998"]:
        if g.degree(src) == 0:  # isolated nodes are not in an edge-built graph
            continue
        want = nx.single_source_shortest_path_length(g, src)
        got = single_source_distances(rg, rg.vertex(src))
        for v, pid in enumerate(rg.person_ids):
            assert got[v] == want.get(pid, -1)


@pytest.mark.parametrize("seed", range(25))
def test_shortest_path_is_valid_and_shortest(seed):
    g, edges = random_graph(seed, n=40, p=0.08)
    rg = graph_from_edges(edges)
    rng = np.random.default_rng(seed)
    nodes = sorted(g.nodes)
    for _ in range(10):
        a, b = (str(x) for x in rng.choice(nodes, 2, replace=False))
        if a not in rg.people["person_id"].to_list() or b not in rg.people["person_id"].to_list():
            continue
        if nx.has_path(g, a, b):
            path = [rg.person_ids[v] for v in shortest_path(rg, rg.vertex(a), rg.vertex(b))]
            assert path[0] == a and path[-1] == b
            assert len(path) - 1 == nx.shortest_path_length(g, a, b)
            assert all(g.has_edge(u, v) for u, v in zip(path, path[1:], strict=False))
            assert tuple(path) in {tuple(p) for p in nx.all_shortest_paths(g, a, b)}
        else:
            with pytest.raises(NoPath):
                shortest_path(rg, rg.vertex(a), rg.vertex(b))


def test_max_hops_limits_paths():
    rg = graph_from_edges([("a", "b"), ("b", "c"), ("c", "d")])
    assert len(shortest_path(rg, rg.vertex("a"), rg.vertex("d"), max_hops=3)) == 4
    with pytest.raises(NoPath, match="3 hops apart"):
        shortest_path(rg, rg.vertex("a"), rg.vertex("d"), max_hops=2)


@pytest.mark.parametrize("seed", range(30))
def test_two_hop_reach_matches_networkx_and_brute_force(seed):
    g, edges = random_graph(seed, n=80, p=0.04)
    rg = graph_from_edges(edges)
    present = [n for n in sorted(g.nodes) if g.degree(n) > 0]
    rng = np.random.default_rng(seed)
    team = [str(x) for x in rng.choice(present, size=min(4, len(present)), replace=False)]
    res = two_hop_reach(rg, np.array([rg.vertex(t) for t in team]), hops=2)
    within = {}
    for t in team:
        d = nx.single_source_shortest_path_length(g, t, cutoff=2)
        within[t] = {v for v, k in d.items() if k > 0}
        row = res.per_source.filter(res.per_source["person_id"] == t).row(0, named=True)
        assert row["n_hop1"] == sum(1 for k in d.values() if k == 1)
        assert row["n_hop2"] == sum(1 for k in d.values() if k == 2)
    team_set = set(team)
    union = set().union(*within.values()) - team_set
    assert res.team["n_total"] == len(union)
    nearest = {v: min(nx.shortest_path_length(g, t, v) for t in team if nx.has_path(g, t, v)) for v in union}
    assert res.team["n_hop1"] == sum(1 for k in nearest.values() if k == 1)
    assert res.team["n_hop2"] == sum(1 for k in nearest.values() if k == 2)
    for t in team:
        others = set().union(*(within[o] for o in team if o != t))
        unique = (within[t] - team_set) - others
        row = res.per_source.filter(res.per_source["person_id"] == t).row(0, named=True)
        assert row["n_unique"] == len(unique)


def test_reach_keeps_the_order_sources_were_given():
    rg = graph_from_edges([("a", "b"), ("b", "c"), ("c", "d")])
    res = two_hop_reach(rg, np.array([rg.vertex("c"), rg.vertex("a"), rg.vertex("c")]))
    assert res.per_source["person_id"].to_list() == ["c", "a"]
