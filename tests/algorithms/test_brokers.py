"""Brokers: betweenness and constraint against networkx, team brokerage against brute force, hand cases."""

from __future__ import annotations

import networkx as nx
import numpy as np
import polars as pl
import pytest

from reach.algorithms.brokers import adjacency, betweenness, brokers, constraint, sample_sources, team_brokerage
from reach.algorithms.communities import detect_communities
from reach.errors import PersonNotFound
from reach.graph import build_graph, graph_from_edges

BRIDGE = [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"), ("c", "d")]


def random_graph(seed: int, n: int = 40, p: float = 0.1, *, weighted: bool = False):
    """A random graph as both a networkx graph (vertex ids as nodes) and a ReachGraph, isolates included."""
    g = nx.gnp_random_graph(n, p, seed=seed)
    rng = np.random.default_rng(seed)
    ids = [f"n{i:03d}" for i in range(n)]
    edges = list(g.edges)
    strength = rng.uniform(0.05, 1.0, len(edges)) if weighted else np.full(len(edges), 0.5)
    ties = pl.DataFrame(
        {"person_a": [ids[a] for a, _ in edges], "person_b": [ids[b] for _, b in edges], "strength": strength},
        schema={"person_a": pl.String, "person_b": pl.String, "strength": pl.Float64},
    )
    rg = build_graph(pl.DataFrame({"person_id": ids}).to_arrow(), ties.to_arrow())
    for (a, b), s in zip(edges, strength, strict=True):
        g[a][b]["strength"] = float(s)
    return g, rg


# ------------------------------------------------------------------ hand-built
def test_bridge_endpoints_are_the_top_brokers():
    rg = graph_from_edges(BRIDGE)
    df = brokers(rg, top=None)
    assert df["person_id"].to_list()[:2] == ["c", "d"]
    assert df["rank"].to_list() == list(range(1, 7))
    top = df.filter(pl.col("person_id") == "c").row(0, named=True)
    # c lies on the shortest paths a-d, a-e, a-f, b-d, b-e, b-f: 6 of the 10 pairs not involving c
    assert top["betweenness"] == pytest.approx(0.6)
    assert top["betweenness_exact"] is True and top["degree"] == 3
    others = df.filter(~pl.col("person_id").is_in(["c", "d"]))
    assert (others["betweenness"] == 0).all()
    assert (others["constraint"] > top["constraint"]).all()  # clique members are more constrained


def test_bridge_team_brokerage_and_communities():
    rg = graph_from_edges(BRIDGE)
    comms = detect_communities(rg)
    df = brokers(rg, sources=["a"], targets=["d", "e", "f"], membership=comms, top=None)
    rows = {r["person_id"]: r for r in df.iter_rows(named=True)}
    assert df["person_id"][0] == "c"  # d is reached only through c
    assert rows["c"]["n_targets_lost"] == 1 and rows["c"]["n_targets_via"] == 1
    assert rows["b"]["n_targets_lost"] == 0
    assert rows["a"]["is_source"] and not rows["c"]["is_source"]
    assert rows["c"]["n_communities_bridged"] == 2 and rows["d"]["n_communities_bridged"] == 2
    assert rows["a"]["n_communities_bridged"] == 1
    assert rows["c"]["bridged_communities"] == sorted({rows["a"]["community"], rows["d"]["community"]})


def test_isolates_have_null_constraint_and_zero_betweenness():
    ties = pl.DataFrame({"person_a": ["a"], "person_b": ["b"], "strength": [0.4]})
    rg = build_graph(pl.DataFrame({"person_id": ["a", "b", "z"]}).to_arrow(), ties.to_arrow())
    df = brokers(rg, top=None)
    z = df.filter(pl.col("person_id") == "z").row(0, named=True)
    assert z["constraint"] is None and z["betweenness"] == 0.0 and z["degree"] == 0
    assert df["person_id"][-1] == "z"  # nulls sort last


def test_bad_arguments():
    rg = graph_from_edges(BRIDGE)
    with pytest.raises(ValueError, match="targets were given without sources"):
        brokers(rg, targets=["a"])
    with pytest.raises(ValueError, match="sources is empty"):
        brokers(rg, sources=[])
    with pytest.raises(ValueError, match="k_sample"):
        brokers(rg, k_sample=0)
    with pytest.raises(ValueError, match="vertex ids must be in 0..5"):
        brokers(rg, sources=[7])
    with pytest.raises(PersonNotFound, match="no such person zz"):
        brokers(rg, sources=["a", "zz"])
    with pytest.raises(ValueError, match="membership has 2 entries"):
        brokers(rg, membership=np.array([0, 1]))


def test_vertex_ids_and_person_ids_are_interchangeable():
    rg = graph_from_edges(BRIDGE)
    by_id = brokers(rg, sources=["a", "b"], targets=["e", "d"], top=None)
    by_vertex = brokers(
        rg, sources=np.array([rg.vertex("a"), rg.vertex("b")]), targets=[rg.vertex("e"), rg.vertex("d")], top=None
    )
    assert by_id.equals(by_vertex)


# ------------------------------------------------------------------ against networkx
@pytest.mark.parametrize("seed", range(20))
def test_exact_betweenness_matches_networkx(seed):
    g, rg = random_graph(seed, n=35, p=0.08 + 0.01 * (seed % 5))
    got, exact = betweenness(rg)
    want = nx.betweenness_centrality(g, normalized=True)
    assert exact
    np.testing.assert_allclose(got, [want[i] for i in range(rg.n_people)], atol=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_sampled_betweenness_is_networkx_subset_betweenness_scaled(seed):
    g, rg = random_graph(seed, n=50, p=0.08)
    n, k = rg.n_people, 12
    got, exact = betweenness(rg, k_sample=k, seed=seed)
    picked = sample_sources(n, k, seed)
    sub = nx.betweenness_centrality_subset(g, sources=picked.tolist(), targets=list(g.nodes), normalized=False)
    want = np.array([sub[i] for i in range(n)]) * (n / k) * 2 / ((n - 1) * (n - 2))
    assert not exact
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_sampled_betweenness_estimates_the_exact_value():
    _, rg = random_graph(0, n=400, p=0.015)
    exact, _ = betweenness(rg)
    est = np.mean([betweenness(rg, k_sample=100, seed=s)[0] for s in range(8)], axis=0)
    top = np.argsort(-exact)[:10]
    np.testing.assert_allclose(est[top], exact[top], rtol=0.25)
    assert np.corrcoef(est, exact)[0, 1] > 0.95


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("weighted", [False, True])
def test_constraint_matches_networkx(seed, weighted):
    g, rg = random_graph(seed, n=30, p=0.12, weighted=weighted)
    got = constraint(rg, weights="strength")
    want = nx.constraint(g, weight="strength" if weighted else None)
    np.testing.assert_allclose(got, [want[i] for i in range(rg.n_people)], atol=1e-12, equal_nan=True)
    if not weighted:  # equal strengths: weighting changes nothing
        np.testing.assert_allclose(constraint(rg, weights=None), got, atol=1e-12, equal_nan=True)


# ------------------------------------------------------------------ team brokerage against brute force
def reach2(g: nx.Graph, team: set, targets: set) -> set:
    near = set()
    for t in team:
        if t in g:
            near |= set(nx.single_source_shortest_path_length(g, t, cutoff=2))
    return (near & targets) - team


@pytest.mark.parametrize("seed", range(30))
def test_targets_lost_matches_removing_each_person(seed):
    g, rg = random_graph(seed, n=45, p=0.06 + 0.002 * seed)
    rng = np.random.default_rng(seed)
    team = set(rng.choice(45, size=3, replace=False).tolist())
    targets = set(rng.choice(45, size=20, replace=False).tolist()) if seed % 3 else set(range(45))
    lost, via = team_brokerage(
        adjacency(rg), np.array(sorted(team)), None if seed % 3 == 0 else np.array(sorted(targets))
    )
    base = reach2(g, team, targets)
    for v in range(45):
        if v in team:
            assert lost[v] == 0 and via[v] == 0
            continue
        h = g.copy()
        h.remove_node(v)
        want = len(base - {v}) - len(reach2(h, team, targets))
        assert lost[v] == want, v
        # via: targets exactly two hops from the team with v as one intermediary
        at2 = {x for x in base if all(not g.has_edge(t, x) for t in team)}
        next_to_team = any(g.has_edge(t, v) for t in team)
        assert via[v] == (len({x for x in at2 if g.has_edge(v, x)}) if next_to_team else 0)


def test_brokers_ranks_by_targets_lost_first():
    _, rg = random_graph(4, n=60, p=0.05)
    team = ["n000", "n001", "n002"]
    df = brokers(rg, sources=team, top=None)
    lost = df["n_targets_lost"].to_numpy()
    assert np.all(np.diff(lost) <= 0)
    assert df.height == rg.n_people
    assert brokers(rg, sources=team, top=5).equals(df.head(5))


def test_default_sampling_switches_on_for_large_graphs():
    n = 10_000  # n * (n + m) > 5e7: sampled by default
    ids = [f"n{i:05d}" for i in range(n)]
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, n, 3000), rng.integers(0, n, 3000)
    pairs = sorted({(min(x, y), max(x, y)) for x, y in zip(a.tolist(), b.tolist(), strict=True) if x != y})
    ties = pl.DataFrame(
        {"person_a": [ids[x] for x, _ in pairs], "person_b": [ids[y] for _, y in pairs], "strength": [0.5] * len(pairs)}
    )
    rg = build_graph(pl.DataFrame({"person_id": ids}).to_arrow(), ties.to_arrow())
    est, exact = betweenness(rg)
    assert not exact and est.shape == (n,)
    small = graph_from_edges(BRIDGE)
    assert betweenness(small)[1] and not betweenness(small, k_sample=3)[1]


@pytest.mark.parametrize("seed", range(12))
def test_constraint_for_the_ranked_rows_only_gives_the_same_top(seed, monkeypatch):
    """Large graphs compute constraint only down to the last row tied with row `top`: same top rows."""
    import reach.algorithms.brokers as mod

    g, rg = random_graph(seed, n=60, p=0.05 + 0.01 * (seed % 4), weighted=bool(seed % 2))
    team = [0, 1, 2] if seed % 3 else None
    top = 1 + seed * 3
    full = brokers(rg, sources=team, top=None, k_sample=20 if seed % 4 == 0 else None)
    monkeypatch.setattr(mod, "CONSTRAINT_ALL", 0)
    part = brokers(rg, sources=team, top=top, k_sample=20 if seed % 4 == 0 else None)
    from polars.testing import assert_frame_equal

    assert_frame_equal(part, full.head(top))
    want = nx.constraint(g, weight="strength")  # equal strengths when unweighted: the same ranking
    for r in part.iter_rows(named=True):
        v = rg.vertex(r["person_id"])
        if r["constraint"] is not None:
            assert r["constraint"] == pytest.approx(want[v], rel=1e-9)


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("pull", [0.0, 0.25, 10.0])  # every level pulls / the default mix / every level pushes
def test_source_dependencies_match_networkx_and_igraph(seed, pull, monkeypatch):
    import reach.algorithms.brokers as mod

    monkeypatch.setattr(mod, "BOTTOM_UP", pull)
    g, rg = random_graph(seed, n=50, p=0.04 + 0.004 * (seed % 10))
    rng = np.random.default_rng(seed)
    src = rng.choice(rg.n_people, 1 + seed % 12, replace=False)
    got = mod.source_dependencies(rg.csr, src)
    assert np.allclose(got, rg.graph.betweenness(directed=False, sources=src.tolist()), atol=1e-9)
    every = mod.source_dependencies(rg.csr, np.arange(rg.n_people))  # all sources: exact betweenness
    want = nx.betweenness_centrality(g, normalized=False)
    assert np.allclose(every, [want[v] for v in range(rg.n_people)], atol=1e-9)
