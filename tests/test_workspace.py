from __future__ import annotations

import os
import stat

import pyarrow as pa
import pytest

from reach.errors import WorkspaceError
from reach.io import files
from reach.builder import build
from reach.imports import import_paths
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


def test_lock_refuses_a_second_writer(tmp_path):
    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.lock_path.write_text("1")  # pid 1 is alive: someone else holds it
    with pytest.raises(WorkspaceError, match="in use by process 1"), ws.lock():
        pass
    ws.lock_path.write_text("999999999")  # a dead process: stale lock is taken over
    with ws.lock():
        assert ws.lock_path.read_text() == str(os.getpid())
    assert not ws.lock_path.exists()


def test_missing_workspace_is_a_clear_error(tmp_path):
    with pytest.raises(WorkspaceError, match="no reach workspace"):
        Workspace.open(tmp_path / "nowhere")
