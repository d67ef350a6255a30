"""scripts/make_synthetic.py: deterministic for a seed, and every file it writes imports cleanly."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import polars as pl
import pytest

REPO = Path(__file__).resolve().parents[1]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def synth():
    return _load("make_synthetic")


@pytest.fixture(scope="module")
def folder(tmp_path_factory, synth) -> Path:
    out = tmp_path_factory.mktemp("synthetic") / "a"
    synth.generate(out, people=400, team=4, seed=3, log=lambda *_: None)
    return out


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes(folder, synth, tmp_path):
    again = tmp_path / "b"
    synth.generate(again, people=400, team=4, seed=3, log=lambda *_: None)
    assert _digest(again) == _digest(folder)
    other = tmp_path / "c"
    synth.generate(other, people=400, team=4, seed=4, log=lambda *_: None)
    assert _digest(other)["edges.txt"] != _digest(folder)["edges.txt"]


def test_layout_and_graph(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["people"] == 400 and len(manifest["team_ids"]) == 4
    assert {f["format"] for f in manifest["files"]} == {"linkedin-connections", "google-csv", "mbox", "ics"}
    lines = (folder / "edges.txt").read_text().splitlines()
    assert lines[0].startswith("#")
    pairs = [tuple(map(int, ln.split("\t"))) for ln in lines if not ln.startswith("#")]
    assert len(pairs) == manifest["ties"] == 4000  # mean degree 20
    assert all(a < b for a, b in pairs) and len(set(pairs)) == len(pairs)
    people = pl.read_parquet(folder / "people.parquet")
    assert people.height == 400 and people["work_email"].n_unique() == 400
    assert people["work_email"].str.ends_with(".example").all()
    assert people["personal_email"].str.ends_with(".example").all()
    assert people["phone"].str.contains("-555-").all()


def test_linkedin_export_is_the_real_layout(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    path = folder / next(f["file"] for f in manifest["files"] if f["format"] == "linkedin-connections")
    lines = path.read_text().splitlines()
    assert lines[0] == "Notes:" and lines[1].startswith('"When exporting') and lines[2] == ""
    assert lines[3] == "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
    assert ',""' not in lines[4]  # empty cells are empty, not quoted
    import re

    assert re.search(r",\d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20\d\d$", lines[4])


def test_every_file_imports_and_every_record_has_a_truth_row(folder, tmp_path):
    from reach.imports import import_paths
    from reach.io.formats import registry
    from reach.workspace import Workspace

    manifest = json.loads((folder / "manifest.json").read_text())
    known = registry()
    ws_path = tmp_path / "ws"
    for f in manifest["files"]:
        if f["format"] not in known:
            continue  # an importer still being written
        summary = import_paths(ws_path, [folder / f["file"]], fmt=f["format"], owner=f["owner"])
        (res,) = summary.files
        assert res.status == "imported", res.error
        assert res.n_rejects == 0, f["file"]
    ws = Workspace.open(ws_path)
    src = pl.from_arrow(ws.sources()).select("source_id", "path")
    rec = pl.from_arrow(ws.raw("records")).join(src, on="source_id")
    rec = rec.with_columns(
        pl.col("path").map_elements(lambda p: str(Path(p).relative_to(folder)), return_dtype=pl.String).alias("file"),
        pl.col("emails").list.first().str.to_lowercase().alias("address"),
    )
    truth = pl.read_parquet(folder / "truth.parquet")
    contacts = rec.filter(pl.col("role") == "contact").join(truth, on=["file", "line"], how="anti")
    parties = rec.filter(pl.col("role") == "party").join(truth, on=["file", "address"], how="anti")
    assert contacts.height == 0, contacts.head()
    assert parties.height == 0, parties.head()
    # owner records of each file are in the truth too
    owners = rec.filter(pl.col("role") == "owner").join(truth.filter(pl.col("role") == "owner"), on="file", how="anti")
    assert owners.height == 0


def test_eval_identity_scores_a_folder(folder, tmp_path):
    ev = _load("eval_identity")
    ws = tmp_path / "ws"
    imp = ev.import_folder(folder, ws, log=lambda *_: None)
    assert not imp["failed"]
    res = ev.evaluate(folder, ws, log=lambda *_: None)
    assert res["unmatched"] == 0
    assert 0.0 < res["recall"] <= 1.0 and 0.0 < res["precision"] <= 1.0
    assert res["true_pairs"] > 0


def test_generator_refuses_a_population_smaller_than_the_team(synth, tmp_path):
    with pytest.raises(ValueError, match="at least"):
        synth.generate(tmp_path / "x", people=30, team=10, seed=0)
