"""Warm-intro paths against brute force (networkx simple paths) on random weighted graphs."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import polars as pl
import pytest

from reach.algorithms.intros import hop_limited_best, warm_intro_paths
from reach.graph import build_graph


def weighted_graph(seed: int, n: int = 40, p: float = 0.12):
    rng = np.random.default_rng(seed)
    g = nx.gnp_random_graph(n, p, seed=seed)
    for a, b in g.edges:
        g.edges[a, b]["s"] = float(np.round(rng.uniform(0.05, 1.0), 3))
    ids = [f"p{i:03d}" for i in range(n)]
    people = pl.DataFrame({"person_id": ids, "display_name": ids})
    ties = pl.DataFrame(
        {
            "person_a": [ids[min(a, b)] for a, b in g.edges],
            "person_b": [ids[max(a, b)] for a, b in g.edges],
            "strength": [g.edges[e]["s"] for e in g.edges],
        },
        schema={"person_a": pl.String, "person_b": pl.String, "strength": pl.Float64},
    )
    return g, build_graph(people.to_arrow(), ties.to_arrow())


def brute_force(g: nx.Graph, team: set[int], target: int, max_hops: int, blocked: set[int]) -> dict[int, tuple]:
    """Best (is_intro, -strength) path per introducer, over every simple path of <= max_hops hops."""
    best: dict[int, tuple] = {}
    for m in team:
        if m == target:
            continue
        for path in nx.all_simple_paths(g, m, target, cutoff=max_hops):
            inner = path[1:-1]
            if any(v in team or v in blocked for v in inner):
                continue
            s = math.prod(g.edges[a, b]["s"] for a, b in zip(path, path[1:], strict=False))
            intro = path[-2] if len(path) > 2 else m
            key = (len(path) > 2, -s)
            if intro not in best or key < best[intro][0]:
                best[intro] = (key, path)
    return best


@pytest.mark.parametrize("seed", range(20))
def test_two_hop_paths_match_brute_force(seed):
    g, rg = weighted_graph(seed)
    rng = np.random.default_rng(seed)
    team = {int(x) for x in rng.choice(40, 3, replace=False)}
    targets = [int(x) for x in rng.choice(40, 6, replace=False)]
    blocked = {int(rng.integers(40))} - team
    res = warm_intro_paths(
        rg,
        np.array(sorted(team)),
        np.array(targets),
        max_hops=2,
        top_k=3,
        blocked=np.array(sorted(blocked), dtype=np.int64),
    )
    for t in targets:
        got = res.paths.filter(pl.col("target") == t)
        if t in team:
            assert got["hops"].to_list() == [0]
            continue
        want = sorted(brute_force(g, team, t, 2, blocked).values(), key=lambda kv: kv[0])[:3]
        assert got.height == len(want)
        assert got["strength"].to_list() == pytest.approx([-k[1] for k, _ in want])
        assert len(set(got["introducer"].to_list())) == got.height  # different introducers
        for row in got.iter_rows(named=True):
            path = row["path"]
            assert path[0] in team and path[-1] == t
            assert math.prod(g.edges[a, b]["s"] for a, b in zip(path, path[1:], strict=False)) == pytest.approx(
                row["strength"]
            )
            assert row["bottleneck"] == pytest.approx(
                min(g.edges[a, b]["s"] for a, b in zip(path, path[1:], strict=False))
            )
        if not want:
            assert t in res.unreached


@pytest.mark.parametrize("seed", range(15))
@pytest.mark.parametrize("max_hops", [3, 4])
def test_deeper_best_path_matches_brute_force(seed, max_hops):
    g, rg = weighted_graph(seed, n=25, p=0.1)
    rng = np.random.default_rng(seed + 100)
    team = {int(x) for x in rng.choice(25, 2, replace=False)}
    targets = [int(x) for x in rng.choice(25, 5, replace=False) if int(x) not in team]
    res = warm_intro_paths(rg, np.array(sorted(team)), np.array(targets), max_hops=max_hops, top_k=1)
    for t in targets:
        want = brute_force(g, team, t, max_hops, set())
        got = res.paths.filter(pl.col("target") == t)
        if not want:
            assert got.height == 0
            continue
        (is_intro, neg_s), _ = min(want.values(), key=lambda kv: kv[0])
        assert got.height == 1
        assert (got["hops"][0] > 1) == is_intro
        assert got["strength"][0] == pytest.approx(-neg_s)


def test_hop_limit_is_respected_and_prefers_warmer_longer_paths():
    # a - x (0.1) - t : 2 hops, 0.1 ; a - y - z - t with strong ties: 3 hops, 0.729
    ids = ["a", "t", "x", "y", "z"]
    people = pl.DataFrame({"person_id": ids})
    ties = pl.DataFrame(
        {
            "person_a": ["a", "t", "a", "y", "t"],
            "person_b": ["x", "x", "y", "z", "z"],
            "strength": [0.1, 1.0, 0.9, 0.9, 0.9],
        }
    )
    rg = build_graph(people.to_arrow(), ties.to_arrow())
    a, t = rg.vertex("a"), rg.vertex("t")
    two = warm_intro_paths(rg, np.array([a]), np.array([t]), max_hops=2, top_k=1).paths
    three = warm_intro_paths(rg, np.array([a]), np.array([t]), max_hops=3, top_k=1).paths
    assert two["hops"][0] == 2 and two["strength"][0] == pytest.approx(0.1)
    assert three["hops"][0] == 3 and three["strength"][0] == pytest.approx(0.729)
    cost, _, layer = hop_limited_best(rg, np.array([a]), max_hops=1)
    assert np.isinf(cost[t]) and layer[rg.vertex("x")] == 1


def test_direct_tie_beats_any_intro_and_max_asks_spreads_introducers():
    # team member m knows t1 weakly; introducer i knows everyone strongly
    ids = ["i", "m", "t1", "t2", "t3", "j"]
    people = pl.DataFrame({"person_id": ids})
    ties = pl.DataFrame(
        {
            "person_a": ["m", "i", "i", "i", "i", "j", "j"],
            "person_b": ["t1", "m", "t1", "t2", "t3", "m", "t3"],
            "strength": [0.05, 1.0, 1.0, 1.0, 1.0, 0.5, 0.5],
        }
    )
    rg = build_graph(people.to_arrow(), ties.to_arrow())
    v = rg.vertex
    res = warm_intro_paths(rg, np.array([v("m")]), np.array([v("t1"), v("t2"), v("t3")]), top_k=1).paths
    first = res.filter(pl.col("target") == v("t1")).row(0, named=True)
    assert first["hops"] == 1 and first["strength"] == pytest.approx(0.05)
    capped = warm_intro_paths(rg, np.array([v("m")]), np.array([v("t1"), v("t2"), v("t3")]), top_k=1, max_asks=1).paths
    intros = capped.filter(pl.col("hops") == 2)["introducer"].to_list()
    assert intros.count(v("i")) == 1  # i asked once; t3 goes through j instead
    t3 = capped.filter(pl.col("target") == v("t3")).row(0, named=True)
    assert t3["introducer"] == v("j") and t3["best_strength"] == pytest.approx(1.0)


def test_a_team_member_listed_twice_as_target_gets_one_row():
    from reach.graph import graph_from_edges

    rg = graph_from_edges([("a", "b"), ("b", "c")])
    a, c = rg.vertex("a"), rg.vertex("c")
    res = warm_intro_paths(rg, np.array([a]), np.array([a, c, a]))
    assert res.paths.filter(pl.col("target") == a).height == 1
    assert res.paths["target"].to_list() == [a, c] and res.unreached == []
