"""Bit-parallel BFS histograms against networkx BFS, source by source."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reach.algorithms.bitbfs import adjacency_of, distance_histogram
from reach.graph import graph_from_edges


def oracle(g: nx.Graph, sources) -> list[int]:
    hist: dict[int, int] = {}
    for s in sources:
        for d in nx.single_source_shortest_path_length(g, s).values():
            if d:
                hist[d] = hist.get(d, 0) + 1
    return [hist.get(d, 0) for d in range(1, max(hist, default=0) + 1)]


@pytest.mark.parametrize("seed", range(12))
def test_histogram_matches_networkx_for_any_source_subset(seed):
    g = nx.gnp_random_graph(150, 0.03, seed=seed)  # usually disconnected: unreachable pairs are not counted
    g.add_edges_from([(0, 0)])  # a self-loop is ignored
    rng = np.random.default_rng(seed)
    sources = np.sort(rng.choice(150, size=int(rng.integers(1, 150)), replace=False))
    rg = graph_from_edges([(f"{a:03d}", f"{b:03d}") for a, b in g.edges] + [(f"{v:03d}", f"{v:03d}") for v in g.nodes])
    verts = np.array([rg.vertex(f"{s:03d}") for s in sources], dtype=np.int64)
    got = distance_histogram(adjacency_of(rg.graph), verts).tolist()
    assert got == oracle(g, sources)


@settings(max_examples=40, deadline=None)
@given(edges=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=120))
def test_histogram_property_all_sources(edges):
    g = nx.Graph()
    g.add_nodes_from(range(41))
    g.add_edges_from((a, b) for a, b in edges if a != b)
    rg = graph_from_edges([(f"{a:02d}", f"{b:02d}") for a, b in g.edges] + [(f"{v:02d}", f"{v:02d}") for v in range(41)])
    got = distance_histogram(adjacency_of(rg.graph), np.arange(rg.n_people)).tolist()
    assert got == oracle(g, range(41))
