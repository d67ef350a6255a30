from __future__ import annotations

import os
import stat

import pyarrow as pa
import pytest

from reach.builder import build
from reach.errors import WorkspaceError
from reach.imports import import_paths
from reach.io import files
from reach.workspace import Workspace


def test_files_and_dirs_are_private(tmp_path):
    src = tmp_path / "g.txt"
    src.write_text("a b\nb c\n")
    ws_dir = tmp_path / "ws"
    import_paths(ws_dir, [src])
    build(ws_dir)
    ws = Workspace.open(ws_dir)
    assert stat.S_IMODE(ws_dir.stat().st_mode) == 0o700
    paths = ws.files()
    assert any(p.name == "people.parquet" for p in paths)
    for p in paths:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p


def test_importing_the_same_file_twice_adds_nothing(tmp_path):
    src = tmp_path / "g.txt"
    src.write_text("a b\nb c\n")
    first = import_paths(tmp_path / "ws", [src])
    copy = tmp_path / "copy.txt"
    copy.write_bytes(src.read_bytes())
    second = import_paths(tmp_path / "ws", [src, copy])
    assert [f.status for f in first.files] == ["imported"]
    assert [f.status for f in second.files] == ["unchanged", "unchanged"]
    ws = Workspace.open(tmp_path / "ws")
    assert ws.sources().num_rows == 1
    assert ws.raw("records").num_rows == 3


def test_record_ids_do_not_overlap_between_sources(tmp_path):
    (tmp_path / "a.txt").write_text("a b\n")
    (tmp_path / "b.txt").write_text("c d\nd e\n")
    import_paths(tmp_path / "ws", [tmp_path / "a.txt", tmp_path / "b.txt"])
    ids = Workspace.open(tmp_path / "ws").raw("records").column("record_id").to_pylist()
    assert sorted(ids) == list(range(5))


def test_failed_write_leaves_the_previous_file(tmp_path):
    target = tmp_path / "t.parquet"
    files.write_parquet(pa.table({"x": [1]}), target)

    def boom(fh):
        fh.write(b"partial")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        files.atomic_write_with(target, boom)
    assert files.read_parquet(target).column("x").to_pylist() == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_interrupted_import_is_invisible(tmp_path):
    ws = Workspace.open(tmp_path / "ws", create=True)
    # partitions written but never committed to sources.parquet: ignored
    files.write_parquet(pa.table({"x": [1]}), ws.raw_path("records", "deadbeefdeadbeef"))
    assert ws.raw("records").num_rows == 0


def test_lock_refuses_a_second_writer_and_is_never_stale(tmp_path):
    import subprocess
    import sys

    ws = Workspace.open(tmp_path / "ws", create=True)
    holder = subprocess.Popen(  # another process takes the lock and waits
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from reach.io.files import hold_lock\n"
            "with hold_lock(Path(sys.argv[1])):\n print('held', flush=True); time.sleep(60)",
            str(ws.lock_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(WorkspaceError, match=f"in use by process {holder.pid}"), ws.lock():
            pass
    finally:
        holder.kill()
        holder.wait()
    # the holder was killed: its pid is still in the file, but the kernel released the lock
    assert ws.lock_path.read_text().split()[0] == str(holder.pid)
    with ws.lock():
        assert ws.lock_path.read_text().split()[0] == str(os.getpid())
        with ws.lock():  # re-entrant in one process
            pass
    # a lock file naming a live pid (as after pid reuse) that holds no lock is no obstacle
    ws.lock_path.write_text("1 2020-01-01T00:00:00Z\n")
    with ws.lock():
        pass


def test_lock_removes_temp_files_a_killed_write_left(tmp_path):
    ws = Workspace.open(tmp_path / "ws", create=True)
    left = ws.raw_path("records", "deadbeefdeadbeef").parent / ".deadbeefdeadbeef.parquet.abc123.tmp"
    left.parent.mkdir(parents=True, exist_ok=True)
    left.write_bytes(b"personal data")
    with ws.lock():
        assert not left.exists()


def test_missing_workspace_is_a_clear_error(tmp_path):
    with pytest.raises(WorkspaceError, match="no reach workspace"):
        Workspace.open(tmp_path / "nowhere")


def test_every_workspace_folder_is_private(tmp_path):
    import stat

    from click.testing import CliRunner

    from reach.cli import cli

    edges = tmp_path / "e.txt"
    edges.write_text("a b\nb c\n")
    ws = tmp_path / "ws"
    assert CliRunner().invoke(cli, ["-w", str(ws), "import", str(edges)]).exit_code == 0
    assert CliRunner().invoke(cli, ["-w", str(ws), "build"]).exit_code == 0
    for p in [ws, *ws.rglob("*")]:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode & 0o077 == 0, f"{p} is {oct(mode)}"


def test_import_walk_stays_inside_the_folder_and_ends_link_loops(tmp_path):
    """A link loop is visited once, links out of the imported folder and folders reach wrote are skipped;
    the files found are exactly those os.walk finds without following links (the stdlib as oracle)."""
    import os
    from pathlib import Path

    from reach.imports import expand_paths

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "run.lock").write_text("1234 reach run\n")
    exports = tmp_path / "exports"
    (exports / "a" / "b").mkdir(parents=True)
    (exports / "a" / "one.csv").write_text("source,target\nx,y\n")
    (exports / "a" / "b" / "two.csv").write_text("source,target\ny,z\n")
    (exports / "a" / "b" / "loop").symlink_to(exports / "a")  # a loop back up
    (exports / "lock-link").symlink_to(outside / "run.lock")  # out of the folder
    (exports / "away").symlink_to(outside)
    (exports / "inside-link.csv").symlink_to(exports / "a" / "one.csv")  # inside: followed
    ws = exports / "ws"
    (ws / "raw").mkdir(parents=True)
    (ws / "manifest.json").write_text("{}")
    (ws / "run.lock").write_text("1 reach\n")
    found = sorted(str(p.relative_to(exports)) for p in expand_paths([exports]))
    expected = sorted(
        str((Path(d) / f).relative_to(exports))
        for d, dirs, files in os.walk(exports)
        if not Path(d).is_relative_to(ws)
        for f in files
        if not (Path(d) / f).is_symlink() or (Path(d) / f).resolve().is_relative_to(exports)
    )
    assert found == expected
    assert "inside-link.csv" in found and "lock-link" not in found
