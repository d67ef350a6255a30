"""reach only ever deletes what it wrote: outputs folders that hold the user's data are refused before any work."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from reach.cli import cli
from reach.errors import UnsafeOutput
from reach.run import run_pipeline
from reach.run.publish import MARKER, foreign_files, publish

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
DAY = datetime(2024, 5, 1, 2, 0).astimezone()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` with the SHA-256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def project(tmp_path: Path, folder: str) -> Path:
    """A user's folder: the config, a LinkedIn export folder, an edge list, and (once run) the workspace."""
    root = tmp_path / "team"
    (root / "linkedin").mkdir(parents=True)
    shutil.copy(SAMPLES / "linkedin" / "ana" / "Connections.csv", root / "linkedin" / "Connections.csv")
    shutil.copy(SAMPLES / "edgelist" / "northwind-referrals.csv", root / "referrals.csv")
    (root / "pipeline.toml").write_text(
        f'''
workspace = "ws"
team = ["ana@northwind.example"]
targets = ["omar.haddad@acme.example"]

[outputs]
folder = "{folder}"
plots = false

[[sources]]
path = "linkedin"
owner = "ana@northwind.example"

[[sources]]
path = "referrals.csv"
format = "edgelist"
''',
        encoding="utf-8",
    )
    return root


@pytest.mark.parametrize(
    ("folder", "why"),
    [
        (".", "holds the workspace"),
        ("linkedin", "holds the export"),
        ("linkedin/out", "inside the exports folder"),
    ],
)
def test_outputs_folder_holding_user_data_is_refused_before_any_work(tmp_path, folder, why):
    root = project(tmp_path, folder)
    (root / "ws").mkdir()  # a workspace from an earlier run
    (root / "ws" / "manifest.json").write_text("{}")
    before = snapshot(root)
    with pytest.raises(UnsafeOutput, match=why):
        run_pipeline(root / "pipeline.toml", quiet=True, progress=False, now=DAY)
    assert snapshot(root) == before


def test_config_folder_without_workspace_inside_is_refused_for_the_config(tmp_path):
    root = project(tmp_path, ".")
    (root / "pipeline.toml").write_text((root / "pipeline.toml").read_text().replace('"ws"', '"../elsewhere"'))
    before = snapshot(root)
    with pytest.raises(UnsafeOutput, match="holds the run config"):
        run_pipeline(root / "pipeline.toml", quiet=True, progress=False, now=DAY)
    assert snapshot(root) == before


def test_folder_with_a_foreign_file_is_refused_and_the_file_kept(tmp_path):
    root = project(tmp_path, "reports")
    (root / "reports").mkdir()
    (root / "reports" / "board.txt").write_text("minutes of the board meeting\n")
    with pytest.raises(UnsafeOutput, match=r"1 file\(s\) reach did not write \(board.txt\)"):
        run_pipeline(root / "pipeline.toml", quiet=True, progress=False, now=DAY)
    assert (root / "reports" / "board.txt").read_text() == "minutes of the board meeting\n"
    assert not (root / "ws").exists()  # refused before any work: nothing imported


def test_cli_out_and_check_refuse_with_exit_2(tmp_path):
    root = project(tmp_path, "out/{date}")
    (root / "reports").mkdir()
    (root / "reports" / "board.txt").write_text("keep me\n")
    before = snapshot(root)
    runner = CliRunner()
    for args in (
        ["run", str(root / "pipeline.toml"), "--out", str(root / "reports")],
        ["run", str(root / "pipeline.toml"), "--out", str(root / "linkedin")],
        ["run", str(root / "pipeline.toml"), "--out", str(root), "--check"],
    ):
        res = runner.invoke(cli, args)
        assert res.exit_code == 2, (args, res.output)
        assert "reach: error: outputs folder" in res.output
        assert "Traceback" not in res.output
    assert snapshot(root) == before


def test_a_folder_reach_published_is_replaced_but_not_once_a_foreign_file_is_added(tmp_path):
    root = project(tmp_path, "out")
    first = run_pipeline(root / "pipeline.toml", quiet=True, progress=False, now=DAY)
    assert first.exit_code in (0, 1), first.error
    out = root / "out"
    marker = json.loads((out / MARKER).read_text())
    on_disk = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MARKER)
    assert marker["files"] == on_disk
    assert foreign_files(out) == []
    second = run_pipeline(root / "pipeline.toml", quiet=True, progress=False, now=DAY)
    assert second.exit_code in (0, 1), second.error
    assert pl.read_parquet(out / "stats.parquet").height == 1
    (out / "notes.md").write_text("my notes\n")
    with pytest.raises(UnsafeOutput, match="notes.md"):
        run_pipeline(root / "pipeline.toml", quiet=True, progress=False, now=DAY)
    assert (out / "notes.md").read_text() == "my notes\n"
    assert not any(p.name.startswith(".reach-") and p.name != MARKER for p in root.iterdir())


def test_publish_swaps_folders_and_leaves_nothing_behind(tmp_path):
    final, tmp = tmp_path / "out", tmp_path / ".reach-tmp-out-1-ab"
    final.mkdir()
    (final / "old.parquet").write_bytes(b"old")
    tmp.mkdir()
    (tmp / "new.parquet").write_bytes(b"new")
    publish(tmp, final)
    assert sorted(p.name for p in final.iterdir()) == [MARKER, "new.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_output_file_never_overwrites_an_export_or_the_workspace(tmp_path):
    export = tmp_path / "edges.csv"
    export.write_text("a,b\nb,c\n")
    ws = tmp_path / "ws"
    runner = CliRunner()
    res = runner.invoke(cli, ["-w", str(ws), "import", str(export), "--format", "edgelist"])
    assert res.exit_code == 0, res.output
    before = export.read_bytes()
    for target in (export, ws / "people.csv"):
        res = runner.invoke(cli, ["-w", str(ws), "stats", "--format", "csv", "--output", str(target)])
        assert res.exit_code == 2, res.output
        assert "--output" in res.output
    assert export.read_bytes() == before
    assert not (ws / "people.csv").exists()
    res = runner.invoke(cli, ["-w", str(ws), "stats", "--format", "csv", "--output", str(tmp_path / "stats.csv")])
    assert res.exit_code == 0, res.output
