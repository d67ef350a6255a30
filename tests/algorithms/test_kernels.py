"""The vectorised kernels on the CSR adjacency against networkx, scipy and brute force."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reach.adjacency import csr_from_edges, edge_ids, tie_vertices
from reach.algorithms import neighbourhood
from reach.algorithms.bitbfs import bit_bfs_levels
from reach.algorithms.intros import two_hop_candidates
from reach.algorithms.neighbourhood import bfs_distances, reach_masks, two_hop_reach
from reach.algorithms.separation import shortest_path, warmest_paths
from reach.algorithms.stats import distance_distribution
from reach.errors import NoPath
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


def nx_histogram(g: nx.Graph, sources) -> dict[int, int]:
    hist: dict[int, int] = {}
    for s in sources:
        for d in nx.single_source_shortest_path_length(g, s).values():
            if d:
                hist[d] = hist.get(d, 0) + 1
    return hist


@pytest.mark.parametrize("seed", range(40))
def test_bfs_distances_match_networkx(seed):
    g, rg = random_graph(seed)
    rng = np.random.default_rng(seed)
    for s in rng.choice(rg.n_people, 4, replace=False):
        got = bfs_distances(rg, int(s))
        want = nx.single_source_shortest_path_length(g, rg.person_ids[s])
        assert got.tolist() == [want.get(pid, -1) for pid in rg.person_ids]
    many = rng.choice(rg.n_people, 5, replace=True)
    for max_hops in (0, 1, 2, 3, None):
        got = bfs_distances(rg, many, max_hops=max_hops)
        want = nx.multi_source_dijkstra_path_length(g, {rg.person_ids[v] for v in many})
        assert got.tolist() == [
            d if max_hops is None or d <= max_hops else -1 for d in (want.get(pid, -1) for pid in rg.person_ids)
        ]


def test_bfs_counts_hubs_with_hundreds_of_source_neighbours():
    # a hub tied to 300 sources: an 8-bit frontier product would overflow and miss it
    rg = graph_from_edges([(f"s{i:03d}", "hub") for i in range(300)] + [("hub", "far")])
    sources = np.array([rg.vertex(f"s{i:03d}") for i in range(300)])
    dist = bfs_distances(rg, sources, max_hops=3)
    assert dist[rg.vertex("hub")] == 1 and dist[rg.vertex("far")] == 2


@pytest.mark.parametrize("seed", range(30))
def test_shortest_path_is_a_shortest_path_in_networkx(seed):
    g, rg = random_graph(seed)
    rng = np.random.default_rng(seed)
    for s, t in rng.choice(rg.n_people, (5, 2)):
        a, b = rg.person_ids[s], rg.person_ids[t]
        if not nx.has_path(g, a, b):
            continue
        path = shortest_path(rg, int(s), int(t))
        assert path[0] == s and path[-1] == t
        assert len(path) - 1 == nx.shortest_path_length(g, a, b)
        assert all(g.has_edge(rg.person_ids[x], rg.person_ids[y]) for x, y in itertools.pairwise(path))
        assert shortest_path(rg, int(s), int(t)) == path  # deterministic
        eids = rg.edge_ids(path)
        assert all({int(v) for v in rg.edges[e]} == {x, y} for e, x, y in zip(eids, path[:-1], path[1:], strict=True))


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("hops", [1, 2, 3])
def test_two_hop_reach_matches_networkx(seed, hops):
    g, rg = random_graph(seed)
    rng = np.random.default_rng(1000 + seed)
    sources = rng.choice(rg.n_people, 1 + seed % 12, replace=True)  # duplicates are dropped, order kept
    got = two_hop_reach(rg, sources, hops=hops)
    order = [rg.person_ids[v] for v in dict.fromkeys(sources.tolist())]
    assert got.per_source["person_id"].to_list() == order
    rings, unique, team = nx_reach(g, order, hops)
    for row in got.per_source.iter_rows(named=True):
        assert [row[f"n_hop{k}"] for k in range(1, hops + 1)] == rings[row["person_id"]]
        assert row["n_total"] == sum(rings[row["person_id"]])
        assert row["n_unique"] == unique[row["person_id"]]
    assert got.team == team
    masks = reach_masks(rg, np.array([rg.vertex(p) for p in order]), hops=hops)
    for p, m in zip(order, masks, strict=True):
        assert [int(np.count_nonzero(m == k)) for k in range(1, hops + 1)] == rings[p]


def test_two_hop_reach_many_chunks_and_words(monkeypatch):
    """Chunking (pairs) and 64-source words (bits) must not change the answer."""
    g, rg = random_graph(7, n=400)
    sources = np.arange(0, rg.n_people, 3)
    order = [rg.person_ids[v] for v in sources]
    monkeypatch.setattr(neighbourhood, "CHUNK_PAIRS", 50)
    for hops in (2, 3):  # 134 sources: three words at 3 hops
        got = two_hop_reach(rg, sources, hops=hops)
        rings, unique, team = nx_reach(g, order, hops)
        assert got.per_source[[f"n_hop{k}" for k in range(1, hops + 1)]].rows() == [tuple(rings[p]) for p in order]
        assert got.per_source["n_unique"].to_list() == [unique[p] for p in order]
        assert got.team == team


def test_two_hop_reach_edge_cases():
    rg = graph_from_edges([("a", "b"), ("b", "c")])
    empty = two_hop_reach(rg, np.array([], dtype=np.int64))
    assert empty.per_source.height == 0 and empty.team["n_total"] == 0
    one = two_hop_reach(rg, np.array([rg.vertex("a")]))
    assert one.per_source.select("n_hop1", "n_hop2", "n_total", "n_unique").row(0) == (1, 1, 2, 2)
    with pytest.raises(ValueError, match="hops"):
        two_hop_reach(rg, np.array([0]), hops=0)
    with pytest.raises(ValueError, match="source"):
        two_hop_reach(rg, np.array([7]))


def test_csr_ignores_self_loops_and_keeps_edge_ids():
    edges = np.array([[0, 1], [2, 2], [1, 3], [3, 0]])
    c = csr_from_edges(edges, 5)
    assert c.degree.tolist() == [2, 2, 0, 2, 0]
    for v in range(5):
        for slot in range(c.indptr[v], c.indptr[v + 1]):
            e = edges[c.edge[slot]]
            assert {int(e[0]), int(e[1])} == {v, int(c.indices[slot])}
    assert bfs_distances(c, 2).tolist() == [-1, -1, 0, -1, -1]
    assert edge_ids(c, np.array([0, 3, 1, 2]), np.array([1, 0, 0, 2])).tolist() == [0, 3, 0, -1]


def test_csr_with_duplicate_edges_counts_people_once():
    # graph_from_edges never repeats a tie, but a caller's CSR might
    c = csr_from_edges(np.array([[0, 1], [1, 0], [1, 2], [1, 2]]), 3)
    assert bfs_distances(c, 0).tolist() == [0, 1, 2]
    words = list(bit_bfs_levels(c, np.array([0, 2])))
    assert [k for k, _ in words] == [1, 2]


@pytest.mark.parametrize("seed", range(12))
def test_bit_bfs_levels_match_networkx_source_by_source(seed):
    g = nx.gnp_random_graph(150, 0.03, seed=seed)  # usually disconnected
    g.add_edges_from([(0, 0)])  # a self-loop is ignored
    c = csr_from_edges(np.array(list(g.edges), dtype=np.int64), 150)
    rng = np.random.default_rng(seed)
    sources = np.sort(rng.choice(150, size=int(rng.integers(1, 65)), replace=False))
    got = np.full((sources.shape[0], 150), -1)
    got[np.arange(sources.shape[0]), sources] = 0
    for k, new in bit_bfs_levels(c, sources):
        for j in range(sources.shape[0]):
            got[j, ((new >> np.uint64(j)) & np.uint64(1)).astype(bool)] = k
    for j, s in enumerate(sources):
        want = nx.single_source_shortest_path_length(g, int(s))
        assert got[j].tolist() == [want.get(v, -1) for v in range(150)]


@settings(max_examples=40, deadline=None)
@given(edges=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=120))
def test_distance_distribution_property_all_sources(edges):
    g = nx.Graph()
    g.add_nodes_from(range(41))
    g.add_edges_from((a, b) for a, b in edges if a != b)
    lcc = sorted(max(nx.connected_components(g), key=lambda c: (len(c), -min(c))))
    c = csr_from_edges(np.array(list(g.edges), dtype=np.int64).reshape(-1, 2), 41)
    got = distance_distribution(c, vertices=np.array(lcc))
    assert got.exact and got.counts == {d: n / 2 for d, n in nx_histogram(g, lcc).items()}


@pytest.mark.parametrize("seed", range(25))
def test_sampled_distance_distribution_matches_networkx_on_the_same_sources(seed):
    g, rg = random_graph(seed, n=70)
    comps = rg.graph.connected_components()
    lcc = np.flatnonzero(np.asarray(comps.membership) == int(np.argmax(comps.sizes())))
    for samples in (10, 500):
        got = distance_distribution(rg, vertices=lcc, exact_limit=5, n_samples=samples, seed=seed)
        k = min(samples, lcc.shape[0])
        picked = lcc[np.random.default_rng(seed).choice(lcc.shape[0], size=k, replace=False)]  # the documented draw
        hist = nx_histogram(g, [rg.person_ids[v] for v in picked])
        assert not got.exact and got.n_sources == k
        assert got.counts.keys() == hist.keys()
        for d, cnt in hist.items():
            assert got.counts[d] == pytest.approx(cnt * lcc.shape[0] / (2 * k))
    if lcc.shape[0] >= 2:  # every source sampled: the estimate is the exact count
        full = distance_distribution(rg, vertices=lcc, exact_limit=1, n_samples=10**6, seed=seed)
        exact = distance_distribution(rg, vertices=lcc)
        assert full.counts == pytest.approx(exact.counts)


def test_distance_distribution_exact_matches_networkx():
    g = nx.connected_watts_strogatz_graph(150, 4, 0.1, seed=3)
    rg = graph_from_edges([(f"v{a:03d}", f"v{b:03d}") for a, b in g.edges])
    got = distance_distribution(rg)
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
    got = warmest_paths(rg, source, targets)
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
    want = [[rg.vertex(a), rg.vertex(b)] for a, b in rg.ties.select("person_a", "person_b").rows()]
    assert tie_vertices(rg.people["person_id"], ties).tolist() == want == rg.edges.tolist()
    missing = pl.DataFrame({"person_a": ["zz"], "person_b": [rg.person_ids[0]]}).to_arrow()
    assert tie_vertices(rg.people["person_id"], missing).tolist() == [[-1, 0]]


def test_build_graph_leaves_out_ties_to_unknown_people_and_matches_igraph():
    import polars as pl

    from reach.graph import build_graph

    people = pl.DataFrame({"person_id": ["c", "a", "b"], "display_name": ["C", "A", "B"], "key": ["c", "a", "b"]})
    ties = pl.DataFrame({"person_a": ["a", "a", "b"], "person_b": ["b", "zz", "c"], "strength": [0.5, 0.9, 0.25]})
    rg = build_graph(people.to_arrow(), ties.to_arrow())
    assert rg.people["person_id"].to_list() == ["a", "b", "c"]
    assert rg.edges.tolist() == [[0, 1], [1, 2]] and rg.strength.tolist() == [0.5, 0.25]
    assert rg.ties["person_b"].to_list() == ["b", "c"]
    assert sorted(rg.graph.get_edgelist()) == [(0, 1), (1, 2)] and rg.degree.tolist() == [1, 2, 1]


@pytest.mark.slow
def test_kernels_at_a_million_ties():
    """Scale: a 100k-person, 1M-tie heavy-tailed graph; reach and BFS against scipy sparse products."""
    import igraph as ig
    import polars as pl
    import scipy.sparse as sp

    from reach.graph import build_graph

    n = 100_000
    g = ig.Graph.Barabasi(n, 10, power=1.0)
    edges = np.asarray(g.get_edgelist(), dtype=np.int64)
    ids = [f"p{i:06d}" for i in range(n)]
    people = pl.DataFrame({"person_id": ids, "display_name": ids, "key": ids}).to_arrow()
    ties = pl.DataFrame(
        {
            "person_a": [ids[a] for a in edges[:, 0]],
            "person_b": [ids[b] for b in edges[:, 1]],
            "strength": np.full(edges.shape[0], 0.5),
        }
    ).to_arrow()
    rg = build_graph(people, ties)
    a = sp.csr_matrix(
        (np.ones(2 * len(edges)), (np.r_[edges[:, 0], edges[:, 1]], np.r_[edges[:, 1], edges[:, 0]])), shape=(n, n)
    )
    a.data[:] = 1
    rng = np.random.default_rng(0)
    sources = rng.choice(n, 300, replace=False)
    rows = a[sources]
    two = ((rows + rows @ a) > 0).tolil()
    got = two_hop_reach(rg, sources)
    within = np.array([len(set(r) - {s}) for r, s in zip(two.rows, sources, strict=True)])
    assert got.per_source["n_total"].to_numpy().tolist() == within.tolist()
    assert got.per_source["n_hop1"].to_list() == [int((rows[i] > 0).sum()) for i in range(300)]
    d = bfs_distances(rg, 5)
    frontier = np.zeros(n, dtype=bool)
    frontier[5] = True
    seen = frontier.copy()
    k = 0
    while frontier.any():
        assert np.array_equal(np.flatnonzero(d == k), np.flatnonzero(frontier))
        nxt = (a @ frontier.astype(np.int64)) > 0
        frontier = nxt & ~seen
        seen |= frontier
        k += 1


def nx_candidates(g: nx.Graph, rg: ReachGraph, team, targets, blocked, allowed) -> set[tuple]:
    """(target, member, introducer, hops, e1, e2) by brute force over networkx neighbourhoods."""

    def eid(a, b):
        e = g[a][b]["e"]
        return e if allowed is None or allowed[e] else None

    out = set()
    team_set = set(team.tolist())
    bad = team_set | set(blocked.tolist() if blocked is not None else [])
    for t in set(targets.tolist()):
        for m in team_set:
            if g.has_edge(m, t) and eid(m, t) is not None:
                out.add((t, m, m, 1, eid(m, t), -1))
            if t == m:
                continue
            for c in set(g[m]) & set(g[t]):
                if c not in bad and eid(m, c) is not None and eid(c, t) is not None:
                    out.add((t, m, c, 2, eid(m, c), eid(c, t)))
    return out


@pytest.mark.parametrize("seed", range(30))
def test_two_hop_candidates_match_brute_force(seed):
    _, rg = random_graph(seed, n=80)
    g = nx.Graph()
    for e, (a, b) in enumerate(rg.edges.tolist()):
        g.add_edge(a, b, e=e)
    rng = np.random.default_rng(seed)
    rg.strength = rng.uniform(0.05, 1.0, rg.n_ties)
    team = rng.choice(rg.n_people, 4, replace=False)
    targets = rng.choice(rg.n_people, 25, replace=True)  # repeats and team members included on purpose
    blocked = rng.choice(rg.n_people, 3, replace=False) if seed % 2 else None
    allowed = rng.random(rg.n_ties) < 0.8 if seed % 3 == 0 else None
    got = two_hop_candidates(rg, team, targets, blocked=blocked, allowed_edges=allowed)
    keys = ["target", "member", "introducer", "hops", "e1", "e2"]
    assert set(got.select(keys).rows()) == nx_candidates(g, rg, team, targets, blocked, allowed)
    assert got.height == len(set(got.select(keys).rows()))
    s = rg.strength
    for r in got.iter_rows(named=True):
        ss = [s[r["e1"]]] + ([s[r["e2"]]] if r["e2"] >= 0 else [])
        assert r["strength"] == pytest.approx(float(np.prod(ss))) and r["bottleneck"] == min(ss)


def test_stored_vertex_columns_are_used_only_when_right():
    import polars as pl

    import reach.graph as graph_mod
    from reach.graph import build_graph
    from reach.strength import compute_ties

    records = pl.DataFrame({"record_id": [0, 1, 2, 3], "person_id": ["pc", "pa", "pb", "pd"]})
    inter = pl.DataFrame(
        {
            "source_id": ["s"] * 3,
            "line": [1, 2, 3],
            "src_record": [0, 1, 2],
            "dst_record": [1, 2, 3],
            "channel": ["email"] * 3,
            "at": [None] * 3,
            "weight": [1.0] * 3,
            "n_participants": [2] * 3,
        },
        schema_overrides={"at": pl.Datetime("us", "UTC"), "n_participants": pl.Int32},
    )
    ties = compute_ties(inter.to_arrow(), records.to_arrow())
    people = pl.DataFrame({"person_id": ["pd", "pa", "pc", "pb"]})
    want = [["pa", "pc"], ["pa", "pb"], ["pb", "pd"]]
    t = pl.from_arrow(ties)
    assert t.select("person_a", "person_b").rows() == [
        tuple(sorted(p)) for p in (("pa", "pb"), ("pa", "pc"), ("pb", "pd"))
    ]
    ids = sorted(people["person_id"].to_list())
    assert graph_mod._stored_vertices(pl.Series(ids), t) is not None  # a fresh build: used
    rg = build_graph(people.to_arrow(), ties)
    got = sorted(sorted(rg.person_ids[list(e)].tolist()) for e in rg.edges)
    assert got == sorted(sorted(p) for p in want)
    # the same ties with one more person in the people table: stored vertices are stale, ids are matched
    more = pl.concat([people, pl.DataFrame({"person_id": ["pa0"]})])
    assert graph_mod._stored_vertices(pl.Series(sorted(more["person_id"].to_list())), t) is None
    rg2 = build_graph(more.to_arrow(), ties)
    assert sorted(sorted(rg2.person_ids[list(e)].tolist()) for e in rg2.edges) == got


def test_with_strength_shares_the_adjacency_but_not_the_costs():
    rg = graph_from_edges([("a", "b"), ("b", "c")], strength=0.5)
    csr = rg.csr
    warmer = rg.with_strength(np.array([0.9, 0.8]))
    assert warmer.csr is csr and warmer.strength.tolist() == [0.9, 0.8] and rg.strength.tolist() == [0.5, 0.5]
    assert np.allclose(warmer.cost, -np.log([0.9, 0.8])) and np.allclose(rg.cost, -np.log([0.5, 0.5]))


@pytest.mark.parametrize("strategy", ["pairs", "bitmaps", "mixed"])
@pytest.mark.parametrize("seed", range(0, 40, 3))
def test_two_hop_reach_strategies_agree_with_networkx(monkeypatch, strategy, seed):
    """Pair enumeration, bitmaps (128 sources per pass) and the degree-ordered mix give the same answer."""
    g, rg = random_graph(seed, n=300)
    rng = np.random.default_rng(seed)
    sources = rng.choice(rg.n_people, 150, replace=False)  # two bitmap groups
    ns = {"pairs": 0.0, "bitmaps": 1e12, "mixed": neighbourhood.SLOT_NS * (rg.csr.n_slots + rg.n_people) / 3000}
    monkeypatch.setattr(neighbourhood, "PAIR_NS", ns[strategy])
    got = two_hop_reach(rg, sources)
    order = [rg.person_ids[v] for v in sources]
    rings, unique, team = nx_reach(g, order, 2)
    assert got.per_source[["n_hop1", "n_hop2"]].rows() == [tuple(rings[p]) for p in order]
    assert got.per_source["n_unique"].to_list() == [unique[p] for p in order]
    assert got.team == team


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 120),
    m=st.integers(1, 4),
    n_src=st.integers(1, 140),
    seed=st.integers(0, 10_000),
    bitmaps=st.booleans(),
)
def test_two_hop_reach_property_heavy_tailed_against_scipy(n, m, n_src, seed, bitmaps):
    """On heavy-tailed (preferential attachment) graphs, per-source counts and the union match A[S] @ A."""
    import scipy.sparse as sp

    g = nx.barabasi_albert_graph(n, min(m, n - 1), seed=seed)
    edges = np.array(list(g.edges), dtype=np.int64).reshape(-1, 2)
    rg = ReachGraph(
        people=pl.DataFrame({"person_id": [f"p{i:04d}" for i in range(n)]}),
        strength=np.ones(edges.shape[0]),
        edges=edges,
    )
    rng = np.random.default_rng(seed)
    sources = rng.choice(n, min(n_src, n), replace=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(neighbourhood, "PAIR_NS", 1e12 if bitmaps else 0.0)
        got = two_hop_reach(rg, sources)
    a = sp.csr_matrix(
        (np.ones(2 * edges.shape[0]), (np.r_[edges[:, 0], edges[:, 1]], np.r_[edges[:, 1], edges[:, 0]])), shape=(n, n)
    )
    s1 = a[sources]
    within = ((s1 @ a + s1) > 0).toarray()
    within[np.arange(sources.shape[0]), sources] = False
    assert got.per_source["n_total"].to_list() == within.sum(axis=1).tolist()
    assert got.per_source["n_hop1"].to_list() == (s1 > 0).sum(axis=1).A1.tolist()
    not_src = np.ones(n, dtype=bool)
    not_src[sources] = False
    cover = within[:, not_src].sum(axis=0)
    assert got.team["n_total"] == int((cover > 0).sum())
    assert got.per_source["n_unique"].to_list() == within[:, not_src][:, cover == 1].sum(axis=1).tolist()


def _heavy_tailed(seed: int, n: int) -> nx.Graph:
    """Preferential attachment plus a few isolated pairs: hubs, leaves and more than one component."""
    g = (
        nx.barabasi_albert_graph(n, 1 + seed % 3, seed=seed)
        if seed % 2
        else nx.powerlaw_cluster_graph(n, 1 + seed % 2, 0.3, seed=seed)
    )
    g.add_edges_from([(n, n + 1), (n + 2, n + 3)])
    g.add_nodes_from([n + 4])
    return g


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(6, 150),
    n_pairs=st.integers(1, 140),
    max_hops=st.one_of(st.none(), st.integers(0, 5)),
)
def test_hop_distances_and_bidirectional_paths_match_networkx(seed, n, n_pairs, max_hops):
    from reach.algorithms.separation import hop_distances

    g = _heavy_tailed(seed, n)
    nn = n + 5
    c = csr_from_edges(np.array(list(g.edges), dtype=np.int64), nn)
    rg = ReachGraph(
        people=pl.DataFrame({"person_id": [f"p{i:04d}" for i in range(nn)]}),
        strength=np.ones(g.number_of_edges()),
        edges=np.array(list(g.edges), dtype=np.int64),
    )
    rng = np.random.default_rng(seed)
    pairs = rng.choice(nn, (n_pairs, 2))
    want = []
    for s, t in pairs.tolist():
        try:
            d = nx.shortest_path_length(g, s, t)
        except nx.NetworkXNoPath:
            d = -1
        want.append(d if max_hops is None or d <= max_hops else -1)
    assert hop_distances(c, pairs[:, 0], pairs[:, 1], max_hops=max_hops).tolist() == want
    for (s, t), d in list(zip(pairs.tolist(), want, strict=True))[:10]:
        if d < 0:
            with pytest.raises(NoPath):
                shortest_path(rg, s, t, max_hops=max_hops)
            continue
        path = shortest_path(rg, s, t, max_hops=max_hops)
        assert path[0] == s and path[-1] == t and len(path) - 1 == d
        assert all(g.has_edge(x, y) for x, y in itertools.pairwise(path))
