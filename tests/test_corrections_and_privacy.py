"""`reach person/explain/merge/split/forget` and pseudonymised outputs, through the library and the CLI."""

from __future__ import annotations

import json

import polars as pl
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from reach.builder import find_person_id, load_graph
from reach.cli import cli
from reach.corrections import forget, merge_people, split_person
from reach.features import explain, explain_person
from reach.imports import import_paths
from reach.workspace import Workspace

CONNECTIONS = (
    '\ufeffNotes:\r\n"When exporting your connection data, you may notice that some of the email addresses are '
    'missing."\r\n\r\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n'
    'Grace,Lee,https://www.linkedin.com/in/grace-lee-42,grace.lee@acme.example,"Acme, Inc.",VP Engineering,'
    "12 Mar 2024\r\n"
    "Dev,Patel,https://www.linkedin.com/in/devpatel,,Globex,CTO,01 Feb 2023\r\n"
    "Omar,Haddad,https://www.linkedin.com/in/omar-h,,Acme,Engineer,05 May 2022\r\n"
)


@pytest.fixture
def ws(tmp_path):
    li = tmp_path / "Connections.csv"
    li.write_bytes(CONNECTIONS.encode())
    edges = tmp_path / "mail.csv"
    edges.write_text(
        "source,target,weight\nana@northwind.example,grace.lee@acme.example,4\n"
        "grace.lee@acme.example,omar@acme.example,2\nben@northwind.example,grace.lee@acme.example,1\n"
    )
    import_paths(tmp_path / "ws", [li], owner="ana@northwind.example")
    import_paths(tmp_path / "ws", [edges])
    return tmp_path / "ws"


def test_person_report_shows_records_and_why_merged(ws):
    rep = explain_person(ws, "Grace Lee")
    assert rep.records.height == 2  # the LinkedIn row and the edge-list node
    assert set(rep.records["format"].to_list()) == {"linkedin-connections", "edgelist"}
    assert any("email grace.lee@acme.example" in r for r in rep.reasons())


def test_explain_lists_each_export_behind_the_tie(ws):
    ex = explain(ws, "ana@northwind.example", "grace.lee@acme.example")
    assert ex.tie is not None and ex.tie["n_connections"] == 1 and ex.tie["n_edges"] == 1
    assert set(ex.by_source["format"].to_list()) == {"linkedin-connections", "edgelist"}
    assert 0 < ex.tie["strength"] <= 1
    assert sorted(ex.evidence["line"].to_list()) == [2, 5]


def test_merge_and_split_hold_on_every_build(ws):
    omar_li = find_person_id(ws, "linkedin.com/in/omar-h")
    omar_mail = find_person_id(ws, "omar@acme.example")
    assert omar_li != omar_mail
    merged = merge_people(ws, "linkedin.com/in/omar-h", "omar@acme.example")
    assert find_person_id(ws, "omar@acme.example") == merged == find_person_id(ws, "Omar Haddad")
    split_person(ws, "Grace Lee", on="email:grace.lee@acme.example")
    rg = load_graph(ws)
    assert rg.people.filter(pl.col("display_name") == "Grace Lee").height == 1  # only the LinkedIn record named
    assert find_person_id(ws, "grace.lee@acme.example") != find_person_id(ws, "linkedin.com/in/grace-lee-42")
    assert find_person_id(ws, "omar@acme.example") == merged  # the merge still holds


def test_forget_leaves_no_trace_in_any_workspace_file(ws):
    needles = ["grace", "acme.example/in", "grace-lee-42", "Grace"]
    forget(ws, "Grace Lee")
    w = Workspace.open(ws)
    for path in w.files():
        raw = path.read_bytes()
        assert b"grace" not in raw.lower(), path
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            text = json.dumps(table.to_pylist(), default=str).lower()
            for n in needles:
                assert n.lower() not in text, (path, n)
    # everyone else is still there
    assert find_person_id(ws, "Dev Patel")
    assert load_graph(ws).n_people == 5  # ana (owner = her edge-list key), dev, omar twice (LinkedIn, mail), ben


def test_pseudonymised_output_hides_names_and_emails(ws):
    runner = CliRunner()
    res = runner.invoke(cli, ["-w", str(ws), "--pseudonymise", "people", "--format", "json"])
    assert res.exit_code == 0
    assert "grace" not in res.output.lower() and "@" not in res.output
    again = runner.invoke(cli, ["-w", str(ws), "--pseudonymise", "people", "--format", "json"])
    assert again.output == res.output  # keyed hash: stable within a workspace
    assert "Acme" in res.output  # companies are kept


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_pseudonymised_person_hides_identifier_values(ws, fmt):
    """`reach person` lists identifiers as (kind, value) rows: the values are personal data too."""
    runner = CliRunner()
    plain = runner.invoke(cli, ["-w", str(ws), "person", "grace.lee@acme.example", "--format", "json"])
    assert plain.exit_code == 0 and "grace.lee@acme.example" in plain.output
    res = runner.invoke(cli, ["-w", str(ws), "--pseudonymise", "person", "grace.lee@acme.example", "--format", fmt])
    assert res.exit_code == 0, res.output
    assert "@" not in res.output and "grace" not in res.output.lower()


def test_cli_person_explain_forget(ws):
    runner = CliRunner()
    res = runner.invoke(cli, ["-w", str(ws), "explain", "ana@northwind.example", "Grace Lee"])
    assert res.exit_code == 0 and "strength" in res.output and "Connections.csv" in res.output
    res = runner.invoke(cli, ["-w", str(ws), "split", "Grace Lee"])
    assert res.exit_code == 1 and "--on KIND:VALUE" in res.output
    res = runner.invoke(cli, ["-w", str(ws), "forget", "Dev Patel", "--yes"])
    assert res.exit_code == 0 and "1 records" in res.output
    res = runner.invoke(cli, ["-w", str(ws), "person", "Dev Patel"])
    assert res.exit_code == 1 and "no person matches" in res.output
