"""The run lock, and publishing outputs: written to a temp folder, renamed into place."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

from reach.errors import WorkspaceError
from reach.io.files import ensure_private_dir
from reach.run.config import OLD_PREFIX, RUN_LOCK, TMP_PREFIX

log = logging.getLogger("reach.run")

# ------------------------------------------------------------------ locking and publishing
@contextlib.contextmanager
def run_lock(workspace: Path):
    """Hold ``WORKSPACE/run.lock`` for the whole run; raise :class:`WorkspaceError` if another run holds it.

    An OS lock (``flock``) that the kernel releases when the holder dies, so a killed run never
    leaves a stale lock; the file keeps the holder's pid for the message.
    """
    ensure_private_dir(workspace)
    path = workspace / RUN_LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: best effort with msvcrt
            import msvcrt

            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            except OSError:
                _refuse(path)
        else:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                _refuse(path)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {datetime.now(UTC).isoformat(timespec='seconds')}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the lock


def _refuse(path: Path) -> None:
    try:
        holder = path.read_text(encoding="utf-8").split()
    except OSError:
        holder = []
    who = f" (process {holder[0]}, started {holder[1]})" if len(holder) >= 2 else ""
    msg = f"another reach run is using workspace {path.parent}{who}; try again when it has finished"
    raise WorkspaceError(msg)


from reach.workspace import _pid_alive


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
            os.replace(p, final)
            log.warning("restored the previous outputs %s after an interrupted run", final)
        else:
            shutil.rmtree(p, ignore_errors=True)


def publish(tmp: Path, final: Path) -> None:
    """Move the finished outputs folder into place (the old one is renamed away first, then removed)."""
    old = None
    if final.exists():
        old = final.parent / f"{OLD_PREFIX}{final.name}-{secrets.token_hex(4)}"
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
