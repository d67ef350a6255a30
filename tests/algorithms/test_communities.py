"""Community detection: accuracy on labelled real graphs, determinism, partition properties, summaries."""

from __future__ import annotations

import math
import warnings

import igraph as ig
import networkx as nx
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reach.algorithms.communities import (
    canonical_labels,
    detect_communities,
    normalized_mutual_information,
    planted_partition_resolution,
    summarise_communities,
)
from reach.builder import load_graph
from reach.graph import build_graph, graph_from_edges
from reach.imports import import_paths


# ------------------------------------------------------------------ NMI
def test_nmi_matches_hand_computed_case():
    # a = [0,0,1,1], b = [0,0,0,1]: H(a) = ln 2, H(b) = -(3/4 ln 3/4 + 1/4 ln 1/4),
    # I = 1/2 ln(4/3) + 1/4 ln(2/3) + 1/4 ln 2
    h_a = math.log(2)
    h_b = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    mi = 0.5 * math.log(4 / 3) + 0.25 * math.log(2 / 3) + 0.25 * math.log(2)
    want = mi / ((h_a + h_b) / 2)
    assert want == pytest.approx(0.343712, abs=1e-6)
    assert normalized_mutual_information([0, 0, 1, 1], [0, 0, 0, 1]) == pytest.approx(want, rel=1e-12)
    assert normalized_mutual_information([0, 0, 0, 1], [0, 0, 1, 1]) == pytest.approx(want, rel=1e-12)


def test_nmi_edge_cases():
    assert normalized_mutual_information([3, 3, 9, 9, 1], ["x", "x", "y", "y", "z"]) == pytest.approx(1.0)
    assert normalized_mutual_information([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0, abs=1e-12)
    assert normalized_mutual_information([0, 0, 0], [1, 1, 1]) == 1.0
    assert normalized_mutual_information([0, 0, 0], [1, 2, 3]) == 0.0
    with pytest.raises(ValueError, match="differ in length"):
        normalized_mutual_information([0, 1], [0, 1, 2])


# ------------------------------------------------------------------ real labelled graphs
@pytest.fixture(scope="module")
def eu_core(shared_data, tmp_path_factory):
    folder = shared_data / "snap_email_eu_core"
    ws = tmp_path_factory.mktemp("eu") / "ws"
    import_paths(ws, [folder / "email-Eu-core.txt"])
    rg = load_graph(ws)
    dept = dict(
        line.split()
        for line in (folder / "email-Eu-core-department-labels.txt").read_text().splitlines()
        if line.strip()
    )
    truth = np.array([int(dept[k]) for k in rg.people["key"].to_list()])
    return rg, truth


def gml_graph(shared_data, name: str, attr: str):
    with warnings.catch_warnings():  # football.gml has an HTML entity igraph warns about
        warnings.simplefilter("ignore", RuntimeWarning)
        g = ig.Graph.Read_GML(str(shared_data / "classic_graphs" / f"{name}.gml"))
    rg = graph_from_edges([(f"{a:04d}", f"{b:04d}") for a, b in g.get_edgelist()])
    order = [int(p) for p in rg.people["person_id"].to_list()]
    return rg, np.array(g.vs[attr], dtype=np.int64)[order]


def test_email_eu_core_departments_recovered(eu_core):
    rg, truth = eu_core
    assert rg.n_people == 1005 and len(set(truth)) == 42
    res = detect_communities(rg)
    assert normalized_mutual_information(res.labels, truth) >= 0.60
    assert res.resolution > 1.0  # many small departments: the resolution limit is lifted
    # seeds other than the default clear the bar as well
    for seed in (1, 2):
        assert normalized_mutual_information(detect_communities(rg, seed=seed).labels, truth) >= 0.60


def test_football_conferences_recovered(shared_data):
    rg, truth = gml_graph(shared_data, "football", "value")
    assert rg.n_people == 115 and len(set(truth)) == 12
    assert normalized_mutual_information(detect_communities(rg).labels, truth) >= 0.88


@pytest.mark.parametrize(("name", "attr"), [("karate", "value"), ("dolphins", "group")])
def test_two_faction_graphs_no_worse_than_plain_modularity(shared_data, name, attr):
    """Few large groups: the estimated resolution must not shatter them."""
    rg, truth = gml_graph(shared_data, name, attr)
    plain = np.mean(
        [
            normalized_mutual_information(detect_communities(rg, seed=s, resolution=1.0, n_runs=1).labels, truth)
            for s in range(5)
        ]
    )
    auto = normalized_mutual_information(detect_communities(rg).labels, truth)
    assert auto >= plain - 0.05


def test_ring_of_cliques_beats_resolution_limit():
    """Fortunato & Barthelemy's example: 30 five-cliques in a ring; modularity at resolution 1 merges pairs."""
    k, size = 30, 5
    edges = [(f"c{c:02d}v{i}", f"c{c:02d}v{j}") for c in range(k) for i in range(size) for j in range(i + 1, size)]
    edges += [(f"c{c:02d}v0", f"c{(c + 1) % k:02d}v1") for c in range(k)]
    rg = graph_from_edges(edges)
    truth = np.array([int(p[1:3]) for p in rg.people["person_id"].to_list()])
    plain = detect_communities(rg, resolution=1.0)
    assert plain.n_communities < k
    res = detect_communities(rg)
    assert res.n_communities == k
    assert normalized_mutual_information(res.labels, truth) == 1.0


def test_weighted_eu_core_figures_are_sane(eu_core):
    rg, _ = eu_core
    res = detect_communities(rg)
    assert res.weighted
    assert 0.0 < res.modularity < 1.0
    assert res.sizes["n_people"].sum() == rg.n_people
    # the people outside the giant component have no ties (self-loops only): each is a community of one
    deg = np.bincount(rg.edges.ravel(), minlength=rg.n_people)
    iso = np.flatnonzero(deg == 0)
    assert iso.size > 0
    sizes = np.bincount(res.labels)
    assert np.all(sizes[res.labels[iso]] == 1)


# ------------------------------------------------------------------ determinism and equal weights
def random_edges(seed: int, n: int = 80, p: float = 0.06) -> list[tuple[str, str]]:
    g = nx.gnp_random_graph(n, p, seed=seed)
    return [(f"n{a:03d}", f"n{b:03d}") for a, b in g.edges]


@pytest.mark.parametrize("method", ["leiden", "louvain"])
def test_same_seed_same_partition(eu_core, method):
    rg, _ = eu_core
    a = detect_communities(rg, seed=7, method=method)
    b = detect_communities(rg, seed=7, method=method)
    assert a.membership.equals(b.membership)
    assert a.modularity == b.modularity and a.resolution == b.resolution


def test_seed_does_not_leak_into_igraph_global_state():
    import random

    rg = graph_from_edges(random_edges(3))
    random.seed(123)
    before = random.random()
    random.seed(123)
    detect_communities(rg, seed=5)
    assert random.random() == before  # our runs used their own generator, the module's was untouched


def test_equal_strengths_give_the_unweighted_partition():
    edges = random_edges(11, n=120, p=0.05)
    for strength in (0.5, 0.137, 1.0):
        rg = graph_from_edges(edges, strength=strength)
        w = detect_communities(rg, seed=3)
        u = detect_communities(rg, seed=3, weights=None)
        assert not w.weighted
        assert np.array_equal(w.labels, u.labels)
        assert w.resolution == u.resolution


@pytest.mark.parametrize("shift", [0, 1])
def test_strengths_decide_between_symmetric_splits(shift):
    """A six-cycle splits into pairs in several equally good ways; strong ties pick the one that wins."""
    ring = ["a", "b", "c", "d", "e", "f"]
    pairs = [(ring[i], ring[(i + 1) % 6]) for i in range(6)]
    strength = [1.0 if (i + shift) % 2 == 0 else 0.01 for i in range(6)]
    ties = pl.DataFrame({"person_a": [a for a, _ in pairs], "person_b": [b for _, b in pairs], "strength": strength})
    rg = build_graph(pl.DataFrame({"person_id": ring}).to_arrow(), ties.to_arrow())
    for resolution in ("auto", 1.0):
        res = detect_communities(rg, resolution=resolution)
        groups = {frozenset(np.flatnonzero(res.labels == c).tolist()) for c in range(res.n_communities)}
        want = {frozenset({i, (i + 1) % 6}) for i in range(6) if strength[i] == 1.0}
        assert groups == want


def test_modularity_matches_networkx():
    rg = graph_from_edges(random_edges(5, n=100, p=0.05))
    res = detect_communities(rg, resolution=1.0)
    g = nx.Graph()
    g.add_nodes_from(range(rg.n_people))
    g.add_edges_from(rg.edges.tolist())
    comms = [set(np.flatnonzero(res.labels == c).tolist()) for c in range(res.n_communities)]
    assert res.modularity == pytest.approx(nx.community.modularity(g, comms), abs=1e-9)
    assert res.quality == pytest.approx(res.modularity, abs=1e-12)
    assert res.n_rounds == 1 and res.resolution == 1.0


def test_resolution_estimate_is_scale_free_and_matches_formula():
    edges = np.array([[0, 1], [1, 2], [0, 2], [3, 4], [4, 5], [3, 5], [2, 3]])
    labels = np.array([0, 0, 0, 1, 1, 1])
    # m = 7, m_in = 6, K = (7, 7): w_in = 12 / (98 / 14) = 12 / 7, w_out = 2 / (14 - 7) = 2 / 7
    w_in, w_out = 12 / 7, 2 / 7
    want = (w_in - w_out) / (math.log(w_in) - math.log(w_out))
    assert planted_partition_resolution(edges, labels, None, n=6) == pytest.approx(want)
    assert planted_partition_resolution(edges, labels, np.full(7, 0.3), n=6) == pytest.approx(want)
    assert planted_partition_resolution(edges, np.zeros(6, dtype=np.int64), None, n=6) is None  # one community
    assert planted_partition_resolution(edges[:0], labels, None, n=6) is None


# ------------------------------------------------------------------ partition property
@st.composite
def graphs(draw):
    n = draw(st.integers(1, 40))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=120))
    strengths = draw(st.lists(st.floats(0.01, 1.0), min_size=len(pairs), max_size=len(pairs)))
    return n, pairs, strengths


def graph_with_isolates(n, pairs, strengths):
    ids = [f"p{i:03d}" for i in range(n)]
    seen = {}
    for (a, b), s in zip(pairs, strengths, strict=True):
        if a != b:
            seen[(min(a, b), max(a, b))] = s
    ties = pl.DataFrame(
        {"person_a": [ids[a] for a, _ in seen], "person_b": [ids[b] for _, b in seen], "strength": list(seen.values())},
        schema={"person_a": pl.String, "person_b": pl.String, "strength": pl.Float64},
    )
    return build_graph(pl.DataFrame({"person_id": ids}).to_arrow(), ties.to_arrow())


@settings(max_examples=60, deadline=None)
@given(graphs(), st.sampled_from(["leiden", "louvain"]), st.integers(0, 3))
def test_communities_partition_the_people(spec, method, seed):
    rg = graph_with_isolates(*spec)
    res = detect_communities(rg, method=method, seed=seed)
    m = res.membership
    assert m["person_id"].to_list() == rg.people["person_id"].to_list()  # every person exactly once
    assert m["community"].null_count() == 0
    k = res.n_communities
    assert sorted(set(res.labels.tolist())) == list(range(k))  # ids 0..k-1, none empty
    sizes = res.sizes["n_people"].to_numpy()
    assert sizes.sum() == rg.n_people and np.all(np.diff(sizes) <= 0)  # largest first
    assert np.array_equal(np.bincount(res.labels, minlength=k), sizes)
    deg = np.bincount(rg.edges.ravel(), minlength=rg.n_people)
    assert np.all(sizes[res.labels[deg == 0]] == 1)  # isolates alone
    comp = np.asarray(rg.graph.connected_components().membership)
    for c in range(k):  # never across components; Leiden's communities are connected
        members = np.flatnonzero(res.labels == c)
        assert len(set(comp[members].tolist())) == 1
        if method == "leiden":
            assert rg.graph.induced_subgraph(members.tolist()).is_connected()


def test_canonical_labels_order_by_size_then_first_vertex():
    assert canonical_labels(np.array([5, 5, 2, 9, 9, 9, 2])).tolist() == [1, 1, 2, 0, 0, 0, 2]
    assert canonical_labels(np.array([4, 3, 3, 4])).tolist() == [0, 1, 1, 0]


def test_graph_without_ties_gives_singletons():
    rg = build_graph(
        pl.DataFrame({"person_id": ["a", "b", "c"]}).to_arrow(),
        pl.DataFrame(
            {"person_a": [], "person_b": [], "strength": []},
            schema={"person_a": pl.String, "person_b": pl.String, "strength": pl.Float64},
        ).to_arrow(),
    )
    res = detect_communities(rg)
    assert res.labels.tolist() == [0, 1, 2] and res.modularity == 0.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "infomap"}, "unknown community method 'infomap'"),
        ({"weights": "count"}, "unknown weights"),
        ({"resolution": 0}, "resolution must be a positive number"),
        ({"resolution": "high"}, "resolution must be a positive number"),
        ({"n_runs": 0}, "at least 1"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, match):
    rg = graph_from_edges([("a", "b")])
    with pytest.raises(ValueError, match=match):
        detect_communities(rg, **kwargs)


# ------------------------------------------------------------------ summaries
def test_summarise_communities_hand_built():
    people = pl.DataFrame(
        {
            "person_id": ["a", "b", "c", "d", "e", "f"],
            "company": ["Acme", "Acme", "Beta", "Zeta", "Zeta", None],
            "emails": [["a@acme.com"], ["b@acme.com", "b2@ACME.com"], ["c@beta.io"], ["d@zeta.org"], [], None],
        }
    )
    ties = pl.DataFrame(
        {
            "person_a": ["a", "a", "b", "d", "d", "e", "c"],
            "person_b": ["b", "c", "c", "e", "f", "f", "d"],
            "strength": [0.5] * 7,
        }
    )
    rg = build_graph(people.to_arrow(), ties.to_arrow())
    res = detect_communities(rg)
    lab = dict(zip(rg.people["person_id"].to_list(), res.labels.tolist(), strict=True))
    assert lab["a"] == lab["b"] == lab["c"] != lab["d"] == lab["e"] == lab["f"]
    out = summarise_communities(res, rg.people, [rg.vertex("a"), rg.vertex("d")]).to_dicts()
    abc, de = out[lab["a"]], out[lab["d"]]
    assert abc["n_people"] == 3 and de["n_people"] == 3
    assert abc["top_companies"] == [{"value": "Acme", "n_people": 2}, {"value": "Beta", "n_people": 1}]
    assert abc["top_domains"] == [{"value": "acme.com", "n_people": 2}, {"value": "beta.io", "n_people": 1}]
    assert de["top_companies"] == [{"value": "Zeta", "n_people": 2}]
    assert de["top_domains"] == [{"value": "zeta.org", "n_people": 1}]
    assert abc["n_team"] == 1 and de["n_team"] == 1
    # a's neighbours b, c are in its community; d's neighbours e, f in its own and c in a's
    assert abc["team_reach"] == [{"person_id": "a", "n_hop1": 2}, {"person_id": "d", "n_hop1": 1}]
    assert de["team_reach"] == [{"person_id": "d", "n_hop1": 2}]
    assert abc["n_team_reach"] == 2 and de["n_team_reach"] == 2  # b, c / e, f (team members not counted)


@pytest.mark.parametrize("seed", range(10))
def test_summarise_team_reach_matches_brute_force(seed):
    g = nx.gnp_random_graph(60, 0.08, seed=seed)
    rg = graph_from_edges([(f"n{a:03d}", f"n{b:03d}") for a, b in g.edges])
    res = detect_communities(rg, seed=seed)
    rng = np.random.default_rng(seed)
    team = rng.choice(rg.n_people, size=4, replace=False)
    out = summarise_communities(res, rg.people, team)
    nbrs = {v: set(rg.graph.neighbors(int(v))) for v in range(rg.n_people)}
    for row in out.iter_rows(named=True):
        c = row["community"]
        members = set(np.flatnonzero(res.labels == c).tolist())
        want = {str(rg.person_ids[t]): len(nbrs[int(t)] & members) for t in team}
        got = {d["person_id"]: d["n_hop1"] for d in row["team_reach"]}
        assert got == {p: k for p, k in want.items() if k > 0}
        reached = set().union(*(nbrs[int(t)] for t in team)) - set(team.tolist())
        assert row["n_team_reach"] == len(reached & members)
        assert row["n_team"] == len(set(team.tolist()) & members)
