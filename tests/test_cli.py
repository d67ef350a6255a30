"""The CLI end to end with click's CliRunner: happy paths, output formats and error paths."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reach.cli import cli

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()

    def _run(*args: str):
        return runner.invoke(cli, ["--workspace", str(tmp_path / "ws"), *args], catch_exceptions=False)

    return _run


@pytest.fixture
def small_graph(tmp_path) -> Path:
    path = tmp_path / "g.txt"
    path.write_text("# toy\nana ben\nben cara\ncara dan\ndan eve\nana fay\nzed yan\n")
    return path


def test_import_then_path_reach_stats(run, small_graph):
    res = run("import", str(small_graph))
    assert res.exit_code == 0, res.output
    assert "6 rows" in res.output and "8 people and 6 ties" in res.output

    res = run("path", "ana", "dan", "--format", "json")
    data = json.loads(res.output)
    assert data["hops"] == 3
    assert [s["key"] for s in data["path"]] == ["ana", "ben", "cara", "dan"]

    res = run("reach", "--from", "ana", "--from", "eve", "--format", "json")
    data = json.loads(res.output)
    per = {r["display_name"]: r for r in data["sources"]}
    assert per["ana"]["n_hop1"] == 2 and per["ana"]["n_hop2"] == 1
    assert per["eve"]["n_hop1"] == 1 and per["eve"]["n_hop2"] == 1
    assert data["team"]["n_total"] == 4  # ben, fay, cara, dan

    res = run("stats", "--format", "json")
    data = json.loads(res.output)
    assert data["people"] == 8 and data["components"] == 2 and data["largest_component_people"] == 6


def test_csv_output_to_file_is_spreadsheet_safe(run, tmp_path):
    src = tmp_path / "g.txt"
    src.write_text("=cmd|x +1\n")
    run("import", str(src))
    out = tmp_path / "people.csv"
    res = run("people", "--format", "csv", "--output", str(out))
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert {r["key"] for r in rows} == {"'=cmd|x", "'+1"}


def test_unknown_person_is_one_line_exit_1(run, small_graph):
    run("import", str(small_graph))
    res = run("path", "ana", "nobody")
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [
        "reach: error: no person matches 'nobody' (tried person id, key, email, owner and name)"
    ]


def test_no_path_exit_1(run, small_graph):
    run("import", str(small_graph))
    res = run("path", "ana", "zed")
    assert res.exit_code == 1 and "not connected" in res.output
    res = run("path", "ana", "dan", "--max-hops", "2")
    assert res.exit_code == 1 and "not within 2 hops" in res.output


def test_empty_workspace_exit_2(run):
    res = run("stats")
    assert res.exit_code == 2
    assert "no reach workspace" in res.output and "Traceback" not in res.output


def test_unrecognised_and_binary_files_exit_2(run, tmp_path):
    bin_file = tmp_path / "photo.jpg"
    bin_file.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4)
    prose = tmp_path / "prose.txt"
    prose.write_text("Dear team, here are my notes from the offsite, with several words per line.\n")
    res = run("import", str(bin_file), str(prose))
    assert res.exit_code == 2
    assert "photo.jpg: looks like a binary file" in res.output
    assert "prose.txt: unrecognised format" in res.output
    res = run("import", str(tmp_path / "missing.txt"))
    assert res.exit_code == 2 and "missing.txt: no such file" in res.output


def test_linkedin_needs_owner(run, shared_data):
    path = shared_data / "contacts_csv" / "linkedin_Connections.tombarr.csv"
    res = run("import", str(path))
    assert res.exit_code == 2 and "--owner" in res.output
    res = run("import", str(path), "--owner", "me@example.com", "--output-format", "json")
    assert res.exit_code == 0
    assert json.loads(res.output)["people"] == 2


def test_rejects_are_listed_with_file_and_line(run, tmp_path):
    src = tmp_path / "g.txt"
    src.write_text("a b\nb c d e f\nc d\n")
    res = run("import", str(src))
    assert res.exit_code == 0
    res = run("rejects", "--format", "json")
    data = json.loads(res.output)
    assert data["total"] == 1
    assert data["rejects"][0]["line"] == 2 and data["rejects"][0]["path"] == str(src)


def _commands():
    return sorted(cli.commands)


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help_with_an_example_and_is_in_the_readme(name):
    res = CliRunner().invoke(cli, [name, "--help"])
    assert res.exit_code == 0
    assert "Example:" in res.output
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"`reach {name}\b", readme), f"README does not document `reach {name}`"


def test_people_says_how_many_match_beyond_the_limit(tmp_path):
    """`reach people X` with more matches than --limit says "first 50 of N"; N counted by brute force."""
    emails = [f"john.smith{i}@example.org" for i in range(120)] + ["someone.else@example.org"]
    edges = tmp_path / "edges.csv"
    edges.write_text("source,target\n" + "".join(f"{e},hub@example.org\n" for e in emails))
    runner = CliRunner()
    ws = str(tmp_path / "ws")
    assert runner.invoke(cli, ["-w", ws, "import", str(edges), "--format", "edgelist"]).exit_code == 0
    res = runner.invoke(cli, ["-w", ws, "people", "john.smith", "--format", "json"])
    data = json.loads(res.output)
    expected = sum("john.smith" in e for e in emails)
    assert data["total"] == expected and len(data["people"]) == 50
    table = runner.invoke(cli, ["-w", ws, "people", "john.smith"]).output
    assert f"first 50 of {expected} people" in table
    assert "1 person" in runner.invoke(cli, ["-w", ws, "people", "someone.else"]).output


def test_explain_counts_are_pluralised_by_their_number(run, small_graph):
    assert run("import", str(small_graph)).exit_code == 0
    tie = json.loads(run("explain", "ana", "ben", "--format", "json").output)["tie"]
    text = run("explain", "ana", "ben").output
    assert tie["n_edges"] == 1 and tie["n_emails"] == 0
    assert "1 edge-list line," in text and "edge-list lines" not in text
    assert "0 emails," in text and "1 interaction:" in text
