"""Acceptance: with --pseudonymise (and `[outputs] pseudonymise = true`) no output holds a name, email or phone.

The demo's sample exports are run through `reach run` with pseudonymisation on, then every query command is run
with --pseudonymise in every format; each output (stdout, and every file the run wrote, Parquet read as data) is
searched for every name, email address and phone number in the imported records.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from reach.cli import cli
from reach.run import run_pipeline
from reach.workspace import Workspace

from .conftest import SAMPLES

QUERIES = [
    ["people"],
    ["path", "ana@northwind.example", "omar.haddad@acme.example"],
    ["reach", "--from", "ana@northwind.example", "--from", "Ben Okafor"],
    ["stats"],
    ["intros", "--to", "omar.haddad@acme.example", "--to", "Priya Nair", "--do-not-ask", "grace.lee@acme.example"],
    ["candidates", "--title", "engineer"],
    ["team", "--to", "omar.haddad@acme.example", "--to", "kenji.watanabe@soylent.example"],
    ["communities"],
    ["communities", "--members"],
    ["brokers", "--to", "omar.haddad@acme.example"],
    ["person", "omar.haddad@acme.example"],
    ["explain", "ana@northwind.example", "grace.lee@acme.example"],
    ["sources"],
    ["rejects"],
]


def _config(tmp: Path) -> Path:
    text = (SAMPLES / "pipeline.toml").read_text(encoding="utf-8")
    text = re.sub(r'^path = "', f'path = "{SAMPLES.as_posix()}/', text, flags=re.M)
    text = text.replace('workspace = "../../reach-demo/workspace"', f'workspace = "{(tmp / "ws").as_posix()}"')
    text = text.replace(
        'folder = "../../reach-demo/out"', f'folder = "{(tmp / "out").as_posix()}"\npseudonymise = true'
    )
    cfg = tmp / "pipeline.toml"
    cfg.write_text(text, encoding="utf-8")
    return cfg


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pseudo")
    summary = run_pipeline(_config(tmp), quiet=True)
    assert summary.status in ("ok", "warnings"), summary.error
    return tmp, Path(summary.outputs)


def _identity_strings(ws: Path) -> set[str]:
    """Every name, email and phone in the imported records (at least 5 characters: shorter ones occur in words)."""
    records = pl.from_arrow(Workspace.open(ws).raw("records"))
    found: set[str] = set()
    for col in ("display_name", "first_name", "last_name", "owner"):
        found |= set(records[col].drop_nulls().to_list())
    for col in ("emails", "phones"):
        found |= set(records[col].explode().drop_nulls().to_list())
    companies = {str(v).lower() for c in ("company", "title") for v in records[c].drop_nulls().to_list()}
    return {s for s in found if len(s) >= 5 and s.lower() not in companies}


def _leaks(text: str, needles: set[str]) -> list[str]:
    low = text.lower()
    return sorted(n for n in needles if n.lower() in low)


def test_identity_strings_are_many(run):
    tmp, _ = run
    needles = _identity_strings(tmp / "ws")
    assert len(needles) > 100
    assert "omar.haddad@acme.example" in needles


def test_run_outputs_hold_no_identity(run):
    tmp, out = run
    needles = _identity_strings(tmp / "ws")
    files = [p for p in out.rglob("*") if p.is_file() and p.suffix != ".png"]
    assert {"intros.parquet", "graph.graphml", "report.html", "summary.json", "people.csv"} <= {p.name for p in files}
    for p in files:
        if p.suffix == ".parquet":
            text = pl.from_arrow(pq.read_table(p)).write_ndjson()
        else:  # embedded PNGs are base64: a five-letter name matches its letters by chance, case ignored
            text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", p.read_text(encoding="utf-8"))
        assert _leaks(text, needles) == [], p.name
    intros = pl.read_parquet(out / "intros.parquet")
    assert intros.height > 0 and intros["member"].str.starts_with("x").all()  # real rows, hashed names


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
@pytest.mark.parametrize("args", QUERIES, ids=lambda a: "-".join(a[:2]))
def test_query_commands_hold_no_identity(run, args, fmt):
    tmp, _ = run
    needles = _identity_strings(tmp / "ws")
    res = CliRunner().invoke(cli, ["--workspace", str(tmp / "ws"), "--pseudonymise", *args, "--format", fmt])
    assert res.exit_code in (0, 1), res.output
    assert res.output.strip()
    assert _leaks(res.output, needles) == []


def test_the_same_person_gets_the_same_token_in_every_command(run):
    tmp, out = run
    ws = ["--workspace", str(tmp / "ws"), "--pseudonymise"]
    people = CliRunner().invoke(cli, [*ws, "people", "omar.haddad", "--format", "json"])
    token = __import__("json").loads(people.output)["people"][0]["display_name"]
    intros = CliRunner().invoke(cli, [*ws, "intros", "--to", "omar.haddad@acme.example", "--format", "json"])
    assert {p["target"] for p in __import__("json").loads(intros.output)["paths"]} == {token}
    assert token in set(pl.read_parquet(out / "people.parquet")["display_name"])
