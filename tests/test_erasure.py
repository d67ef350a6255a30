"""Erasure that lasts: after `reach forget X`, a newer export that still holds X does not bring them back.

Every Parquet file of the workspace is read with pyarrow (values, not compressed bytes) and searched for
X's identifiers and name; every command that finds people is asked for X.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from reach.cli import cli
from reach.corrections import forget
from reach.imports import import_paths
from reach.run import run_pipeline
from reach.tombstones import summary
from reach.workspace import Workspace

ANA, BEN, CY = "ana@example.com", "ben@example.com", "cy.cole@example.com"
CY_TOKENS = ["cy.cole@example.com", "cy cole", "cy-cole-9", "5550142"]

MSG = (
    "From {s} Mon Jan  1 00:00:00 2024\nFrom: {n} <{s}>\nTo: {t}\nDate: Mon, {d} Jan 2024 10:00:00 +0000\n"
    "Message-ID: <m{d}@example.com>\nSubject: hi\n\nbody\n\n"
)
NAMES = {ANA: "Ana Alves", BEN: "Ben Berg", CY: "Cy Cole"}
CONN = (
    'Notes:\n"When exporting your connection data, you may notice that some of the email addresses are missing."\n\n'
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
)
CONTACTS = "First Name,Last Name,Organization Name,Organization Title,E-mail 1 - Value,Phone 1 - Value\n"


def _mbox(rows) -> str:
    return "".join(MSG.format(s=s, n=NAMES[s], t=t, d=d) for s, t, d in rows)


def _write_exports(root: Path, *, newer: bool) -> dict[str, Path]:
    root.mkdir(exist_ok=True)
    mail = [(ANA, BEN, 2), (BEN, ANA, 3), (ANA, CY, 4), (CY, ANA, 5)]
    if newer:
        mail += [(CY, f"{ANA}, {BEN}", 6), (BEN, ANA, 7)]
    (root / "ana.mbox").write_text(_mbox(mail))
    contacts = (
        CONTACTS + "Ben,Berg,Acme,CTO,ben@example.com,\n" + "Cy,Cole,Beta,CEO,cy.cole@example.com,+1 202 555 0142\n"
    )
    if newer:
        contacts = contacts.replace("Beta,CEO", "Beta,Chair") + "Dee,Dunn,Gamma,VP,dee@example.com,\n"
    (root / "contacts.csv").write_text(contacts)
    conn = CONN + "Ben,Berg,https://www.linkedin.com/in/ben-berg,ben@example.com,Acme,CTO,01 Mar 2024\n"
    conn += "Cy,Cole,https://www.linkedin.com/in/cy-cole-9,cy.cole@example.com,Beta,CEO,02 Mar 2024\n"
    (root / "Connections.csv").write_text(conn)
    edges = "ana@example.com ben@example.com\n"
    if newer:  # an edge-list line naming X, and a bad line naming X: a reject
        edges += "ben@example.com cy.cole@example.com\ncy.cole@example.com ana@example.com heavy\n"
    (root / "edges.txt").write_text(edges)
    return {p.name: p for p in root.iterdir()}


def _import(ws: Path, files: dict[str, Path]) -> None:
    import_paths(ws, [files["ana.mbox"], files["contacts.csv"], files["Connections.csv"]], owner=ANA)
    import_paths(ws, [files["edges.txt"]])


def _parquet_text(ws: Path) -> dict[str, list[str]]:
    """Every text value of every Parquet file under the workspace, lists of text included, lower-cased."""
    out = {}
    for path in sorted(ws.rglob("*.parquet")):
        values: list[str] = []
        for col in pq.read_table(path).columns:
            t = col.type
            if pa.types.is_list(t):
                col = pc.list_flatten(col)
                t = col.type
            if pa.types.is_string(t) or pa.types.is_large_string(t):
                values += [v.lower() for v in col.to_pylist() if v is not None]
        out[str(path.relative_to(ws))] = values
    return out


def _holds(values: list[str], token: str) -> bool:
    return any(token in v for v in values)


@pytest.fixture
def forgotten(tmp_path):
    ws = tmp_path / "ws"
    files = _write_exports(tmp_path / "exports", newer=False)
    _import(ws, files)
    tables = _parquet_text(ws)
    assert any(_holds(v, CY) for v in tables.values())  # the check can see them before
    forget(ws, "Cy Cole")
    return ws, tmp_path


def test_a_newer_export_holding_a_forgotten_person_does_not_bring_them_back(forgotten):
    ws, tmp = forgotten
    files = _write_exports(tmp / "exports", newer=True)  # the same paths: new versions
    _import(ws, files)
    w = Workspace.open(ws)
    assert w.raw("rejects").num_rows == 0  # the bad line named X: dropped, not kept as a reject
    assert sorted(w.history().column("version").to_pylist()) == [1, 1, 1, 1, 2, 2, 2]  # Connections.csv unchanged
    CliRunner().invoke(cli, ["-w", str(ws), "build"])
    for path, values in _parquet_text(ws).items():
        for token in CY_TOKENS:
            assert not _holds(values, token), (path, token)
    # the others are all there, Dee (new) included; Ben's messages to Ana count once each
    runner = CliRunner()
    people = json.loads(runner.invoke(cli, ["-w", str(ws), "people", "--format", "json"]).output)["people"]
    assert sorted(min(p["emails"]) for p in people) == [ANA, BEN, "dee@example.com"]
    for query in (CY, "Cy Cole", "linkedin.com/in/cy-cole-9", "+12025550142"):
        res = runner.invoke(cli, ["-w", str(ws), "person", query])
        assert res.exit_code == 1 and "no person matches" in res.output, query
    res = runner.invoke(cli, ["-w", str(ws), "people", "cole", "--format", "json"])
    assert json.loads(res.output)["people"] == []
    res = runner.invoke(cli, ["-w", str(ws), "explain", ANA, CY])
    assert res.exit_code == 1
    ex = json.loads(runner.invoke(cli, ["-w", str(ws), "explain", ANA, BEN, "--format", "json"]).output)
    # brute force over the newer mailbox: messages between Ana and Ben are those of days 2, 3 and 7
    assert ex["tie"]["n_emails"] == 3


def test_forget_list_counts_tombstones_without_identities(forgotten):
    ws, _ = forgotten
    assert summary(Workspace.open(ws)) == {"people": 1, "hashes": 3}  # email, phone, LinkedIn profile
    text = (ws / "tombstones.json").read_text()
    for token in [*CY_TOKENS, "cy", "cole"]:
        assert token not in text.lower()
    res = CliRunner().invoke(cli, ["-w", str(ws), "forget", "--list"])
    assert res.exit_code == 0, res.output
    assert "1 person forgotten" in res.output and "3 identifier hashes" in res.output
    assert "cy" not in res.output.lower()


def test_forget_names_the_earlier_run_outputs_that_still_hold_the_person(tmp_path):
    files = _write_exports(tmp_path / "exports", newer=False)
    cfg = tmp_path / "run.toml"
    cfg.write_text(
        'workspace = "ws"\n[outputs]\nfolder = "out/{date}"\nplots = false\ncsv = true\n'
        + "".join(f'[[sources]]\npath = "exports/{n}"\nowner = "{ANA}"\n' for n in ("ana.mbox", "contacts.csv"))
    )
    first = run_pipeline(cfg, quiet=True)
    assert first.exit_code == 0, first.error
    out = Path(first.outputs)
    res = CliRunner().invoke(cli, ["-w", str(tmp_path / "ws"), "forget", "Cy Cole", "--yes"])
    assert res.exit_code == 0, res.output
    assert str(out) in res.output and "still" in res.output
    assert "people.parquet" in res.output or "reached.parquet" in res.output
    # a folder without them is not named
    assert files  # (exports are untouched by forget)
    res = CliRunner().invoke(cli, ["-w", str(tmp_path / "ws"), "forget", "Ben Berg", "--yes"])
    assert str(out) in res.output  # Ben is in that run's outputs too
