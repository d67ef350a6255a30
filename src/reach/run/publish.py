"""The run lock, and publishing outputs: written to a temp folder, renamed into place."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import logging
import os
import secrets
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

from reach import __version__
from reach.errors import UnsafeOutput, WorkspaceError
from reach.io.files import LockBusy, atomic_write_text, ensure_private_dir, hold_lock
from reach.run.config import OLD_PREFIX, RUN_LOCK, TMP_PREFIX
from reach.workspace import OUTPUTS_MARKER, _pid_alive

log = logging.getLogger("reach.run")


# ------------------------------------------------------------------ locking and publishing
@contextlib.contextmanager
def run_lock(workspace: Path):
    """Hold ``WORKSPACE/run.lock`` for the whole run; raise :class:`WorkspaceError` if another run holds it
    (the same OS lock as the workspace's own, :func:`reach.io.files.hold_lock`).
    """
    ensure_private_dir(workspace)
    path = workspace / RUN_LOCK
    try:
        with hold_lock(path):
            yield
    except LockBusy as exc:
        holder = exc.holder.split()
        who = f" (process {holder[0]}, started {holder[1]})" if len(holder) >= 2 else ""
        msg = f"another reach run is using workspace {path.parent}{who}; try again when it has finished"
        raise WorkspaceError(msg) from None


MARKER = OUTPUTS_MARKER


# ------------------------------------------------------------------ what an outputs folder may replace
def check_outputs_folder(
    final: Path,
    *,
    workspace: Path,
    config: Path | None = None,
    sources: Iterable[Path] = (),
    source_folders: Iterable[Path] = (),
) -> None:
    """Refuse (:class:`UnsafeOutput`) an outputs folder whose publishing could delete the user's data.

    Publishing replaces ``final`` as a whole, so it may only be a new or empty folder, or a folder reach
    published before (it carries :data:`MARKER`, which lists what reach wrote) holding nothing else.
    It must not hold the workspace, the config or an export, nor lie inside an exports folder (the next
    run would import its own outputs). Called before any work is done.
    """
    final = _absolute(final)
    where = f"outputs folder {final}"
    ws = _absolute(workspace)
    if _within(ws, final):
        msg = f"{where} holds the workspace {ws}; choose a folder of its own, e.g. out/{{date}}"
        raise UnsafeOutput(msg)
    if config is not None and _within(_absolute(config), final):
        msg = f"{where} holds the run config {_absolute(config)}; choose a folder of its own, e.g. out/{{date}}"
        raise UnsafeOutput(msg)
    for src in sources:
        if _within(_absolute(src), final):
            msg = (
                f"{where} holds the export {_absolute(src)}, which publishing would delete; "
                "choose a folder of its own, e.g. out/{date}"
            )
            raise UnsafeOutput(msg)
    for folder in source_folders:
        if _within(final, _absolute(folder)):
            msg = (
                f"{where} is inside the exports folder {_absolute(folder)} (the next run would "
                "import its own outputs); choose a folder outside it"
            )
            raise UnsafeOutput(msg)
    if final.is_symlink() or (final.exists() and not final.is_dir()):
        msg = f"{where} exists and is not a folder; reach will not replace it"
        raise UnsafeOutput(msg)
    if final.is_dir():
        foreign = foreign_files(final)
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            msg = (
                f"{where} holds {len(foreign)} file(s) reach did not write ({shown}); publishing "
                "replaces the whole folder, so reach only replaces a folder it created. Move them "
                "away or choose another folder"
            )
            raise UnsafeOutput(msg)


def foreign_files(folder: Path) -> list[str]:
    """Paths under ``folder`` (relative, sorted) that reach's marker does not list as written by reach."""
    written = _written(folder)
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        rel = path.relative_to(folder).as_posix()
        if rel != MARKER and rel not in written:
            found.append(rel)
    return found


def _written(folder: Path) -> set[str]:
    """What reach wrote into a folder it published: its marker, or (outputs of reach 0.1) summary.json's list."""
    for name, key in ((MARKER, "files"), ("summary.json", "written")):
        try:
            listed = json.loads((folder / name).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(listed, list) and all(isinstance(x, str) for x in listed):
            return set(listed) | ({"summary.json"} if name == "summary.json" else set())
    return set()


def check_output_file(path: Path, *, workspace: Path, sources: Iterable[Path] = ()) -> None:
    """Refuse ``--output FILE`` where writing would overwrite the workspace or an imported export."""
    path = _absolute(path)
    if path.is_dir():
        msg = f"--output {path} is a folder; give a file name"
        raise UnsafeOutput(msg)
    if _within(path, _absolute(workspace)):
        msg = f"--output {path} is inside the workspace {_absolute(workspace)}; write it elsewhere"
        raise UnsafeOutput(msg)
    for src in sources:
        if _within(path, _absolute(src)):
            msg = f"--output {path} is the imported export {_absolute(src)}; it would be overwritten"
            raise UnsafeOutput(msg)


def _absolute(p: Path) -> Path:
    return Path(os.path.abspath(Path(p).expanduser())).resolve()


def _within(path: Path, root: Path) -> bool:
    """``path`` is ``root`` or lies below it."""
    return path == root or root in path.parents


# ------------------------------------------------------------------ recovering and publishing
def recover(final: Path) -> None:
    """Clean up after a killed run: drop its temp folders, restore outputs caught between two renames."""
    parent = final.parent
    if not parent.is_dir():
        return
    for p in parent.glob(f"{TMP_PREFIX}*"):
        pid = p.name.rsplit("-", 2)[-2] if p.name.count("-") >= 3 else ""
        if p.is_dir() and not (pid.isdigit() and int(pid) != os.getpid() and _pid_alive(int(pid))):
            shutil.rmtree(p, ignore_errors=True)
    for p in sorted(parent.glob(f"{OLD_PREFIX}{final.name}-*")):
        if not final.exists():
            Path(p).replace(final)
            log.warning("restored the previous outputs %s after an interrupted run", final)
        else:
            shutil.rmtree(p, ignore_errors=True)


def publish(tmp: Path, final: Path) -> None:
    """Switch the finished outputs folder ``tmp`` into place as ``final``.

    Writes :data:`MARKER` (the list of files) into ``tmp`` first. Where the kernel can exchange two
    names atomically (Linux ``renameat2(RENAME_EXCHANGE)``) the old and new folders swap in one step, so
    no kill leaves ``final`` missing; the old one, now under the temp name, is then removed (or by the
    next run's :func:`recover`). Elsewhere the old folder is renamed away first and restored by
    :func:`recover` if a kill lands between the two renames.
    """
    files = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
    atomic_write_text(tmp / MARKER, json.dumps({"reach": __version__, "files": files}, indent=1) + "\n")
    if final.is_dir() and _exchange(tmp, final):
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = None
    if final.exists():
        old = final.parent / f"{OLD_PREFIX}{final.name}-{secrets.token_hex(4)}"
        Path(final).replace(old)
    Path(tmp).replace(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2`` with ``RENAME_EXCHANGE``); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))
