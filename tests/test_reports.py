"""The report pieces on hand-made inputs: output shaping, changes between runs, GraphML, plots, HTML."""

from __future__ import annotations

import re

import matplotlib
import numpy as np
import polars as pl
import pytest

from reach.graph import graph_from_edges
from reach.reports import html, outputs, plots
from reach.reports.render import to_csv

matplotlib.use("Agg")


# ------------------------------------------------------------------ outputs
def test_conform_gives_every_documented_column_even_when_empty():
    for name, spec in outputs.OUTPUT_TABLES.items():
        df = outputs.conform(None, name)
        assert df.columns == [c for c, _, _ in spec.columns] and df.height == 0
    partial = outputs.conform(pl.DataFrame({"distance": [1, 2], "extra": ["x", "y"]}), "distances")
    assert partial.columns == ["distance", "pairs"] and partial["pairs"].null_count() == 2


def test_csv_ready_flattens_nested_columns_and_to_csv_escapes_them():
    df = pl.DataFrame(
        {
            "community": [0],
            "top_companies": [[{"value": "=Acme", "n_people": 3}, {"value": "Globex", "n_people": 1}]],
            "emails": [["a@x.example", "b@x.example"]],
        },
        schema={"community": pl.Int64, "top_companies": outputs.TOP, "emails": pl.List(pl.String)},
    )
    flat = outputs.csv_ready(df)
    assert flat.row(0) == (0, "=Acme (3); Globex (1)", "a@x.example; b@x.example")
    assert "'=Acme (3); Globex (1)" in to_csv(flat)


def _reached(rows):
    return pl.DataFrame(
        rows,
        schema={"person_id": pl.String, "name": pl.String, "distance": pl.Int64, "only_member": pl.String},
        orient="row",
    )


def _targets(rows):
    return pl.DataFrame(
        rows,
        schema={"person_id": pl.String, "name": pl.String, "reachable": pl.Boolean, "best_strength": pl.Float64},
        orient="row",
    )


def test_compute_changes_finds_each_kind_and_respects_the_threshold():
    prev = {
        "reached": _reached([("a", "A", 1, None), ("b", "B", 2, None), ("gone", "Gone", 2, None)]),
        "targets": _targets(
            [("t1", "T1", True, 0.30), ("t2", "T2", True, 0.50), ("t3", "T3", False, None), ("t4", "T4", True, 0.40)]
        ),
        "account_paths": None,
    }
    cur = {
        "reached": _reached([("a", "A", 2, None), ("b", "B", 1, None), ("new", "New", 2, "Ana")]),
        "targets": _targets(
            [("t1", "T1", True, 0.45), ("t2", "T2", True, 0.52), ("t3", "T3", True, 0.2), ("t4", "T4", False, None)]
        ),
    }
    ch = outputs.compute_changes(prev, cur, strength_change=0.05)
    got = {(r["change"], r["person_id"]) for r in ch.iter_rows(named=True)}
    assert got == {
        ("farther", "a"),
        ("closer", "b"),
        ("left_reach", "gone"),
        ("new_in_reach", "new"),
        ("warmer", "t1"),
        ("newly_reachable", "t3"),
        ("went_cold", "t4"),
    }
    assert ch["change"].to_list()[0] == "newly_reachable"  # the most actionable first
    new = ch.filter(pl.col("change") == "new_in_reach").row(0, named=True)
    assert "only through Ana" in new["detail"] and new["previous"] is None and new["current"] == 2
    warmer = ch.filter(pl.col("change") == "warmer").row(0, named=True)
    assert warmer["delta"] == pytest.approx(0.15)
    # a first run (nothing before) has no changes; a bigger threshold drops the small moves
    assert outputs.compute_changes({}, cur).height == 0
    big = outputs.compute_changes(prev, cur, strength_change=0.5)
    assert "warmer" not in set(big["change"])


def test_write_graphml_round_trips_through_networkx(tmp_path):
    nx = pytest.importorskip("networkx")
    rg = graph_from_edges([("a", "b"), ("b", "c"), ("c", "a"), ("d", "e")], strength=0.4)
    path = tmp_path / "g.graphml"
    outputs.write_graphml(rg, path, community=np.array([0, 0, 0, 1, 1]), team=np.array([0]))
    g = nx.read_graphml(path)
    assert g.number_of_nodes() == 5 and g.number_of_edges() == 4
    comm = {d["person_id"]: d["community"] for _, d in g.nodes(data=True)}
    assert comm == {"a": 0, "b": 0, "c": 0, "d": 1, "e": 1}
    assert [d["person_id"] for _, d in g.nodes(data=True) if d["is_team"]] == ["a"]
    assert {d["strength"] for _, _, d in g.edges(data=True)} == {0.4}
    assert not list(tmp_path.glob(".*tmp"))


# ------------------------------------------------------------------ plots
def test_distance_distribution_plot():
    fig = plots.distance_distribution({1: 10, 2: 30, 3: 10})
    ax = fig.axes[0]
    assert len(ax.patches) == 3 and ax.get_xlabel() == "hops between two people"
    assert [t.get_text() for t in ax.texts] == ["20%", "60%", "20%"]
    plots.close(fig)
    fig = plots.distance_distribution({})
    assert "no connected pairs" in fig.axes[0].texts[0].get_text()
    plots.close(fig)


def test_team_reach_plot_shows_each_member_and_the_legend():
    df = pl.DataFrame({"display_name": ["Ana", "Ben"], "n_hop1": [3, 1], "n_hop2": [4, 2], "n_unique": [2, 0]})
    fig = plots.team_reach(df)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Ben", "Ana"]  # first member on top
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["1 hop (knows directly)", "2 hops (one introduction)", "only through this member"]
    assert len(ax.patches) == 6
    plots.close(fig)


def test_community_sizes_leaves_out_people_on_their_own():
    sizes = pl.DataFrame({"community": [0, 1, 2, 3], "n_people": [5, 3, 1, 1]})
    fig = plots.community_sizes(sizes)
    ax = fig.axes[0]
    assert len(ax.patches) == 2 and "2 people on their own" in ax.get_title(loc="left")
    plots.close(fig)


def test_intro_paths_plot_marks_team_introducers_and_targets():
    paths = pl.DataFrame(
        {
            "target_id": ["t", "t", "u"],
            "rank": [1, 2, 1],
            "strength": [0.5, 0.3, 0.8],
            "path_ids": [["m1", "i1", "t"], ["m2", "i2", "t"], ["m1", "u"]],
        }
    )
    names = {"m1": "Ana", "m2": "Ben", "i1": "Ivy", "i2": "Ian", "t": "Tess Target", "u": "Uma"}
    fig = plots.intro_paths(paths, names=names, strengths={("m1", "i1"): 0.9})
    assert len(fig.axes) == 2
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert {"Ana", "Ben", "Ivy", "Ian", "Tess Target", "Uma"} <= texts
    colours = {matplotlib.colors.to_hex(c.get_facecolor()[0]) for ax in fig.axes for c in ax.collections}
    assert {plots.TEAM, plots.INTRODUCER, plots.TARGET} <= colours
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["team member", "introducer", "target"]
    assert plots.png_bytes(fig)[:4] == b"\x89PNG"
    plots.close(fig)


# ------------------------------------------------------------------ html
def _page(**tables):
    summary = {
        "status": "warnings",
        "started_at": "2024-05-01T02:00:00",
        "config": "run.toml",
        "outputs": "out",
        "warnings": ["3 rows set aside"],
        "previous_outputs": None,
        "rejects": 3,
    }
    return html.render_report(summary, tables, {"distances": plots.png_bytes(plots.distance_distribution({1: 1}))})


def test_html_escapes_everything_and_loads_nothing_from_outside():
    evil = '<script>alert("x")</script>'
    targets = pl.DataFrame(
        {
            "target": [evil],
            "person_id": ["p1"],
            "name": [evil],
            "company": [None],
            "title": [None],
            "found": [True],
            "reachable": [True],
            "hops": [2],
            "best_strength": [0.5],
            "n_paths": [1],
            "note": [None],
        }
    )
    intros = outputs.conform(
        pl.DataFrame(
            {
                "target_id": ["p1"],
                "rank": [1],
                "path": [f"Ana -> {evil}"],
                "strength": [0.5],
                "bottleneck": [0.6],
                "why": ["Ana - X (0.6: 2 emails) | X - Y (0.8: connected)"],
            }
        ),
        "intros",
    )
    page = _page(targets=targets, intros=intros)
    assert evil not in page and "&lt;script&gt;" in page
    assert page.count("<script") == 2  # the sorting code and the JSON summary, nothing else
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert 'src="data:image/png;base64,' in page
    assert "<li>Ana - X (0.6: 2 emails)</li><li>X - Y (0.8: connected)</li>" in page
    assert 'class="badge warnings"' in page and "3 rows set aside" in page


def test_html_tables_are_sortable_and_long_ones_are_cut_with_a_note():
    df = pl.DataFrame({"name": [f"p{i}" for i in range(250)], "strength": [i / 250 for i in range(250)]})
    ids = html._Ids()
    out = html.table(df, ids, source="candidates.parquet")
    assert out.count("<tr>") == 201 and "50 more rows in <code>candidates.parquet</code>" in out
    assert 'class="sortable"' in out and 'class="filter"' in out and 'data-v="0.5"' in out
    empty_cols = html.table(pl.DataFrame({"a": [1], "b": [None]}, schema={"a": pl.Int64, "b": pl.String}), ids)
    assert "<th>b</th>" not in empty_cols  # columns with no value are left out
