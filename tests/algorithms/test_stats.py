"""Network statistics against SNAP's published tables (shared/data/README.md) and networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from reach.algorithms.stats import distance_distribution, effective_diameter, network_stats
from reach.builder import load_graph
from reach.features import StatsOptions, stats
from reach.graph import graph_from_edges
from reach.imports import import_paths


def stats_of(tmp_path, path):
    import_paths(tmp_path / "ws", [path])
    return stats(load_graph(tmp_path / "ws"), StatsOptions()).as_dict()


def test_email_eu_core_reproduces_published_table(shared_data, tmp_path):
    d = stats_of(tmp_path, shared_data / "snap_email_eu_core" / "email-Eu-core.txt")
    assert d["people"] == 1005
    assert d["ties"] == 16064  # undirected simple edges of the 25571 directed ones
    assert d["largest_component_people"] == 986
    assert round(d["average_clustering"], 4) == 0.3994
    assert d["triangles"] == 105461
    assert d["diameter"] == 7 and d["diameter_exact"]
    assert abs(d["effective_diameter_90"] - 2.9) <= 0.1


def test_ca_grqc_reproduces_published_table(shared_data, tmp_path):
    d = stats_of(tmp_path, shared_data / "snap_ca_grqc" / "CA-GrQc.txt")
    assert d["people"] == 5242
    assert d["ties"] == 14484  # SNAP's 14496 counts 12 self-loops, which are not ties
    assert d["largest_component_people"] == 4158
    assert d["largest_component_ties"] == 13422  # SNAP's 13428 less 6 self-loops
    assert round(d["average_clustering"], 4) == 0.5296
    assert d["triangles"] == 48260
    assert d["diameter"] == 17
    assert abs(d["effective_diameter_90"] - 7.6) <= 0.1


@pytest.mark.slow
def test_email_enron_reproduces_published_table(shared_data, tmp_path):
    d = stats_of(tmp_path, shared_data / "snap_email_enron" / "Email-Enron.txt")
    assert (d["people"], d["ties"]) == (36692, 183831)
    assert (d["largest_component_people"], d["largest_component_ties"]) == (33696, 180811)
    assert round(d["average_clustering"], 4) == 0.4970
    assert d["triangles"] == 727044
    assert d["diameter"] == 13  # exact; SNAP's sampled 11 is a lower bound
    assert abs(d["effective_diameter_90"] - 4.8) <= 0.1


@pytest.mark.parametrize("seed", range(10))
def test_exact_distance_distribution_matches_networkx(seed):
    g = nx.connected_watts_strogatz_graph(120, 4, 0.1, seed=seed)
    rg = graph_from_edges([(str(a), str(b)) for a, b in g.edges])
    dist = distance_distribution(rg, exact_limit=10_000)
    want: dict[int, int] = {}
    for _, lengths in nx.all_pairs_shortest_path_length(g):
        for d in lengths.values():
            if d:
                want[d] = want.get(d, 0) + 1
    assert dist.exact
    assert dist.counts == {k: v / 2 for k, v in want.items()}
    assert dist.average() == pytest.approx(nx.average_shortest_path_length(g))
    assert dist.max_distance() == nx.diameter(g)


def test_sampled_distance_distribution_is_close_to_exact():
    g = nx.connected_watts_strogatz_graph(3000, 6, 0.05, seed=1)
    rg = graph_from_edges([(str(a), str(b)) for a, b in g.edges])
    exact = distance_distribution(rg, exact_limit=10_000)
    est = distance_distribution(rg, exact_limit=100, n_samples=300, seed=3)
    assert not est.exact and est.n_sources == 300
    assert est.n_pairs == pytest.approx(exact.n_pairs, rel=1e-9)
    assert est.average() == pytest.approx(exact.average(), rel=0.02)
    assert est.effective_diameter() == pytest.approx(exact.effective_diameter(), abs=0.2)
    st = network_stats(rg, exact_limit=100, n_samples=300)
    assert not st.diameter_exact and st.diameter <= exact.max_distance()


def test_effective_diameter_interpolates_like_snap():
    # 10 pairs at 1, 80 at 2, 10 at 3: 90% of 100 = 90 pairs reached exactly at d=2
    assert effective_diameter({1: 10, 2: 80, 3: 10}) == pytest.approx(2.0)
    # 50 at 1, 50 at 2: target 90 -> 1 + (90-50)/50 = 1.8
    assert effective_diameter({1: 50, 2: 50}) == pytest.approx(1.8)
    # all at distance 1: interpolates from 0 pairs at distance 0
    assert effective_diameter({1: 10}) == pytest.approx(0.9)


def test_clustering_matches_networkx_average_clustering():
    g = nx.powerlaw_cluster_graph(300, 3, 0.4, seed=7)
    rg = graph_from_edges([(str(a), str(b)) for a, b in g.edges])
    st = network_stats(rg)
    assert st.average_clustering == pytest.approx(nx.average_clustering(g))
    assert st.n_triangles == sum(nx.triangles(g).values()) // 3
    assert st.n_components == nx.number_connected_components(g)
    assert np.isclose(st.distances.average(), nx.average_shortest_path_length(g))
