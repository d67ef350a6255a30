"""The classic graphs in ../shared/data/classic_graphs import directly as GML, keep their node attributes,
and `reach communities` on the imported graph recovers the ground truth at the bars the edge-list route
is held to in tests/algorithms/test_communities.py (football NMI >= 0.88; karate and dolphins no worse
than plain modularity less 0.05)."""

from __future__ import annotations

import html
import json
import warnings

import igraph as ig
import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from reach.algorithms.communities import detect_communities, normalized_mutual_information
from reach.builder import load_graph
from reach.cli import cli
from reach.imports import import_paths
from reach.io.formats import detect_format
from reach.workspace import Workspace

# name -> (ground-truth attribute, nodes, edges) as the data README gives them
CLASSIC = {
    "karate": ("value", 34, 78),
    "football": ("value", 115, 613),
    "dolphins": ("group", 62, 159),
    "lesmis": (None, 77, 254),
}


def _igraph(path) -> ig.Graph:
    with warnings.catch_warnings():  # football.gml has an HTML entity igraph warns about
        warnings.simplefilter("ignore", RuntimeWarning)
        return ig.Graph.Read_GML(str(path))


def _igraph_key(g: ig.Graph) -> list[str]:
    """Each igraph vertex's key as reach documents it: the label when labels are distinct, else the id."""
    if "label" in g.vs.attributes() and len(set(g.vs["label"])) == g.vcount():
        return [html.unescape(lab) for lab in g.vs["label"]]  # GML writes non-ASCII as HTML entities
    return [str(int(i)) for i in g.vs["id"]]


@pytest.fixture(scope="module")
def imported(shared_data, tmp_path_factory):
    out = {}
    for name in CLASSIC:
        path = shared_data / "classic_graphs" / f"{name}.gml"
        ws = tmp_path_factory.mktemp(name) / "ws"
        summary = import_paths(ws, [path])
        assert [f.status for f in summary.files] == ["imported"], summary.files[0].error
        out[name] = (path, ws, load_graph(ws))
    return out


def _attributes(ws) -> dict[str, dict]:
    """key -> the node attributes reach kept (records.attributes)."""
    rec = pl.from_arrow(Workspace.open(ws).raw("records")).filter(pl.col("role") == "node")
    return {k: json.loads(a) for k, a in zip(rec["key"].to_list(), rec["attributes"].to_list(), strict=True)}


@pytest.mark.parametrize("name", list(CLASSIC))
def test_classic_graph_imports_as_gml_with_its_attributes(imported, name):
    path, ws, rg = imported[name]
    attr, n_nodes, n_edges = CLASSIC[name]
    assert detect_format(path).name == "gml"
    g = _igraph(path)
    simple = g.copy()
    simple.simplify()
    assert (rg.n_people, rg.n_ties) == (g.vcount(), simple.ecount()) == (n_nodes, n_edges)
    keys = _igraph_key(g)
    assert sorted(rg.people["key"].to_list()) == sorted(keys)
    kept = _attributes(ws)
    for v, key in zip(g.vs, keys, strict=True):
        assert int(kept[key].get("id", key)) == int(v["id"])  # nodes keyed by id keep it as their key
        if attr:
            assert kept[key][attr] == int(v[attr])  # the ground truth travels with the person
    if name == "lesmis":  # weighted co-appearances: heavier ties are stronger
        weight = {frozenset(_igraph_key(g)[i] for i in e.tuple): e["value"] for e in g.es}
        key_of = rg.people["key"].to_list()
        pairs = [frozenset((key_of[a], key_of[b])) for a, b in rg.edges]
        w = np.array([weight[p] for p in pairs])
        assert np.corrcoef(w, rg.strength)[0, 1] > 0.5


def _cli_membership(ws, *extra: str) -> dict[str, int]:
    res = CliRunner().invoke(cli, ["-w", str(ws), "communities", "--members", "--format", "json", *extra])
    assert res.exit_code == 0, res.output
    return {row["person_id"]: row["community"] for row in json.loads(res.output)["membership"]}


def _truth_and_labels(ws, rg, attr: str, membership: dict[str, int]) -> tuple[list[int], list[int]]:
    kept = _attributes(ws)
    keys = rg.people["key"].to_list()
    ids = rg.people["person_id"].to_list()
    return [kept[k][attr] for k in keys], [membership[p] for p in ids]


def test_reach_communities_recovers_football_conferences_from_the_gml(imported):
    _, ws, rg = imported["football"]
    truth, labels = _truth_and_labels(ws, rg, "value", _cli_membership(ws))
    assert len(set(truth)) == 12
    assert normalized_mutual_information(labels, truth) >= 0.88


@pytest.mark.parametrize("name", ["karate", "dolphins"])
def test_reach_communities_on_two_faction_gml_no_worse_than_plain_modularity(imported, name):
    _, ws, rg = imported[name]
    attr = CLASSIC[name][0]
    truth, auto = _truth_and_labels(ws, rg, attr, _cli_membership(ws))
    plain = np.mean(
        [
            normalized_mutual_information(detect_communities(rg, seed=s, resolution=1.0, n_runs=1).labels, truth)
            for s in range(5)
        ]
    )
    assert normalized_mutual_information(auto, truth) >= plain - 0.05
