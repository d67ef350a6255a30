"""Graph files (GML, GraphML, GEXF, Pajek, MatrixMarket, KONECT): counts against igraph/networkx/scipy readers,
detection from content, and fuzzing (only reach errors escape)."""

from __future__ import annotations

import html
import json
import warnings

import igraph as ig
import networkx as nx
import numpy as np
import polars as pl
import pytest
import scipy.io
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.errors import InputFormatError
from reach.io.formats import detect_format, get_format

GRAPHS = "real_exports_2/graphs"


def _pairs(parsed) -> set[frozenset]:
    it = pl.from_arrow(parsed.interactions)
    return {frozenset(p) for p in zip(it["src_record"].to_list(), it["dst_record"].to_list(), strict=True)}


def _igraph_simple(g: ig.Graph) -> tuple[int, int]:
    g = g.copy()
    g.to_undirected(mode="collapse")
    g.simplify()
    return g.vcount(), g.ecount()


def _read_igraph(path, kind):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return {"gml": ig.Graph.Read_GML, "graphml": ig.Graph.Read_GraphML, "pajek": ig.Graph.Read_Pajek}[kind](
            str(path)
        )


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        (f"{GRAPHS}/igraph.celegansneural.gml", "gml"),
        (f"{GRAPHS}/igraph.kegg_hsa05010.graphml", "graphml"),
        (f"{GRAPHS}/igraph.pajek_bipartite.net", "pajek"),
        ("classic_graphs/karate.gml", "gml"),
        ("classic_graphs/football.gml", "gml"),
        ("classic_graphs/dolphins.gml", "gml"),
        ("classic_graphs/lesmis.gml", "gml"),
    ],
)
def test_counts_match_igraph(shared_data, name, fmt):
    path = shared_data / name
    form = detect_format(path)
    assert form.name == fmt
    parsed = form.read(path, owner=None, options={})
    assert (parsed.records.num_rows, len(_pairs(parsed))) == _igraph_simple(_read_igraph(path, fmt))
    assert parsed.rejects.num_rows == 0


def test_signed_pajek_sets_negative_arcs_aside(shared_data):
    path = shared_data / GRAPHS / "igraph.pajek_links_crlf.net"
    assert detect_format(path).name == "pajek"
    parsed = get_format("pajek").read(path, owner=None, options={})
    g = _read_igraph(path, "pajek")
    positive = g.subgraph_edges([e.index for e in g.es if e["weight"] > 0], delete_vertices=False)
    assert (parsed.records.num_rows, len(_pairs(parsed))) == _igraph_simple(positive)
    assert parsed.rejects.num_rows == sum(1 for w in g.es["weight"] if w < 0)
    assert any("negative" in n for n in parsed.notes)


def test_gexf_counts_match_networkx(shared_data):
    path = shared_data / GRAPHS / "gephi07.LesMiserables.gexf"
    assert detect_format(path).name == "gexf"
    parsed = get_format("gexf").read(path, owner=None, options={})
    g = nx.Graph(nx.read_gexf(path))
    g.remove_edges_from(nx.selfloop_edges(g))
    assert (parsed.records.num_rows, len(_pairs(parsed))) == (g.number_of_nodes(), g.number_of_edges())
    labels = sorted(pl.from_arrow(parsed.records)["key"].to_list())
    assert labels == sorted(nx.get_node_attributes(nx.read_gexf(path), "label").values())


def test_matrixmarket_counts_match_scipy(shared_data):
    path = shared_data / GRAPHS / "networkrepo.soc-wiki-Vote.mtx"
    assert detect_format(path).name == "matrixmarket"
    parsed = get_format("matrixmarket").read(path, owner=None, options={})
    m = scipy.io.mmread(path).tocoo()
    pairs = {frozenset((int(a), int(b))) for a, b in zip(m.row, m.col, strict=True) if a != b}
    assert parsed.records.num_rows == m.shape[0]
    assert len(_pairs(parsed)) == len(pairs)


def test_konect_counts_match_stdlib(shared_data):
    path = shared_data / GRAPHS / "konect.out.moreno_train_train"
    assert detect_format(path).name == "konect"
    parsed = get_format("konect").read(path, owner=None, options={})
    rows = [ln.split() for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("%")]
    pairs = {frozenset((r[0], r[1])) for r in rows if r[0] != r[1]}
    assert parsed.records.num_rows == len({t for r in rows for t in r[:2]})
    assert len(_pairs(parsed)) == len(pairs)
    rec = pl.from_arrow(parsed.records)
    it = pl.from_arrow(parsed.interactions)
    want = {frozenset((r[0], r[1])): float(r[2]) for r in rows}
    keys = rec["key"].to_list()
    got = {frozenset((keys[a], keys[b])): w for a, b, w in it.select("src_record", "dst_record", "weight").iter_rows()}
    assert got == want


def test_gml_node_attributes_kept(shared_data):
    path = shared_data / "classic_graphs" / "football.gml"
    parsed = get_format("gml").read(path, owner=None, options={})
    g = _read_igraph(path, "gml")
    truth = {html.unescape(k): v for k, v in zip(g.vs["label"], g.vs["value"], strict=True)}  # igraph keeps &#38;
    rec = pl.from_arrow(parsed.records)
    got = {k: json.loads(a)["value"] for k, a in zip(rec["key"], rec["attributes"], strict=True)}
    assert got == {k: int(v) for k, v in truth.items()}


def test_football_gml_imports_and_communities_match_conferences(shared_data, tmp_path):
    from reach.algorithms.communities import detect_communities, normalized_mutual_information
    from reach.pipeline import import_paths, load_graph

    path = shared_data / "classic_graphs" / "football.gml"
    summary = import_paths(tmp_path / "ws", [path])
    assert summary.files[0].format == "gml" and summary.files[0].n_rejects == 0
    rg = load_graph(tmp_path / "ws")
    g = _read_igraph(path, "gml")
    truth = {html.unescape(k): v for k, v in zip(g.vs["label"], g.vs["value"], strict=True)}  # igraph keeps &#38;
    labels = np.array([truth[k] for k in rg.people["key"].to_list()])
    assert rg.n_people == 115 and rg.n_ties == 613
    assert normalized_mutual_information(detect_communities(rg).labels, labels) >= 0.88


def test_directed_gml_reports_what_was_folded(tmp_path):
    path = tmp_path / "d.gml"
    path.write_text(
        'graph [ directed 1 node [ id 1 label "a" ] node [ id 2 label "b" ] node [ id 3 ]\n'
        "edge [ source 1 target 2 ] edge [ source 2 target 1 ] edge [ source 1 target 2 ]\n"
        "edge [ source 3 target 3 ] edge [ source 1 target 9 ] ]\n"
    )
    parsed = get_format("gml").read(path, owner=None, options={})
    notes = " ".join(parsed.notes)
    assert "1 reciprocal" in notes and "1 parallel" in notes and "1 self-loops" in notes
    assert len(_pairs(parsed)) == 1
    assert "not declared" in pl.from_arrow(parsed.rejects)["reason"][0]


READERS = ["gml", "graphml", "gexf", "pajek", "matrixmarket", "konect"]
PREFIX = {
    "gml": "graph [ ",
    "graphml": "<graphml>",
    "gexf": "<gexf>",
    "pajek": "*Vertices 3\n",
    "matrixmarket": "%%MatrixMarket matrix coordinate real general\n",
    "konect": "% sym weighted\n",
}
ALPHABET = st.sampled_from(
    list('0123456789 \n\t[]"<>/=-.e*%abcdefghijklmnopqrstuvwxyz')
    + [
        "node",
        "edge",
        "id ",
        "source ",
        "target ",
        "label ",
        '<node id="1"/>',
        '<edge source="1" target="2"/>',
        "*Edges\n",
        "*Arcs\n",
        "</graphml>",
        "</gexf>",
        "weight",
        "&amp;",
        "\r\n",
        "\ufeff",
        "é",
    ]
)


@pytest.mark.parametrize("fmt", READERS)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(ALPHABET, max_size=60).map("".join))
def test_fuzz_only_reach_errors_escape(tmp_path_factory, fmt, body):
    path = tmp_path_factory.mktemp("gf") / "g.txt"
    path.write_bytes((PREFIX[fmt] + body).encode())
    try:
        parsed = get_format(fmt).read(path, owner=None, options={})
    except InputFormatError:
        return
    it = pl.from_arrow(parsed.interactions)
    n = parsed.records.num_rows
    assert it.height == 0 or (it["src_record"].max() < n and it["dst_record"].max() < n and it["src_record"].min() >= 0)
