"""Safe file writing: private permissions, temp file then rename; hashing; Parquet helpers."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.parquet as pq

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700

_HELD: dict[str, int] = {}  # locks this process holds: path -> nesting depth


class LockBusy(OSError):
    """Another process holds the lock; ``holder`` is what it wrote into the lock file ("pid started-at")."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(f"{path} is locked by {holder or 'another process'}")
        self.path, self.holder = path, holder


@contextlib.contextmanager
def hold_lock(path: Path, *, reentrant: bool = False) -> Iterator[None]:
    """Hold an exclusive OS lock (``flock``) on ``path``; raise :class:`LockBusy` if another process has it.

    The kernel releases the lock when the holder dies, so a killed command never leaves a stale lock,
    and a reused PID cannot keep one alive. The file (mode 0600) keeps the holder's pid and start time
    for messages; it is never removed (removing a lock file races with the next locker). With
    ``reentrant``, a second hold in the process that has it nests instead of being refused.
    """
    key = os.path.abspath(path)
    if key in _HELD:
        if not reentrant:
            raise LockBusy(Path(path), f"{os.getpid()} (this process)")
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: msvcrt byte-range lock
            import msvcrt

            lock = lambda: msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # noqa: E731
        else:
            lock = lambda: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # noqa: E731
        try:
            lock()
        except OSError:
            raise LockBusy(Path(path), os.read(fd, 200).decode("utf-8", "replace").strip()) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n".encode())
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
    finally:
        os.close(fd)  # releases the lock


def remove_stale_temp_files(folder: Path, *, older_than: float = 300.0, always_under: tuple[str, ...] = ()) -> int:
    """Remove temp files :func:`atomic_open` left behind when a process was killed mid-write.

    Files named ``.NAME.XXXX.tmp`` older than ``older_than`` seconds, or of any age below one of the
    sub-folders ``always_under`` (written only under a lock the caller holds). Returns how many went.
    """
    now, removed = time.time(), 0
    for p in folder.rglob(".*.tmp"):
        try:
            rel = p.relative_to(folder).parts
            if not p.is_file() or p.is_symlink():
                continue
            if (rel and rel[0] in always_under) or now - p.stat().st_mtime > older_than:
                p.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` readable by its owner only, with every folder created on the way private too; return it.

    (``mkdir(parents=True)`` gives only the last folder the mode; the ones above it would be 0755.)
    """
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for p in reversed(missing):
        with contextlib.suppress(FileExistsError):
            p.mkdir(mode=PRIVATE_DIR)
    with contextlib.suppress(OSError):
        path.chmod(PRIVATE_DIR)
    return path


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "wb", *, private: bool = True) -> Iterator[IO]:
    """Open a temp file beside ``path``; on success fsync and rename it over ``path``.

    The temp file is created with mode 0600 (``mkstemp``), so personal data is never readable by
    others, not even for a moment. On any exception the temp file is removed and ``path`` is left as
    it was.
    """
    path = Path(path)
    if private and not path.parent.exists():  # folders reach creates for personal data are private too
        ensure_private_dir(path.parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if not private:
            Path(tmp).chmod(0o644)
        encoding = None if "b" in mode else "utf-8"
        newline = None if "b" in mode else ""
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


def atomic_write_bytes(path: Path, data: bytes, *, private: bool = True) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb", private=private) as fh:
        fh.write(data)


def atomic_write_text(path: Path, text: str, *, private: bool = True) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_open(path, "w", private=private) as fh:
        fh.write(text)


def atomic_write_with(path: Path, writer: Callable[[IO], None], *, private: bool = True) -> None:
    """Call ``writer(binary_file)`` on a temp file and rename it to ``path`` on success."""
    with atomic_open(path, "wb", private=private) as fh:
        writer(fh)


def write_parquet(table: pa.Table, path: Path, *, private: bool = True) -> None:
    """Write ``table`` as Parquet (zstd) to ``path`` atomically.

    Only text columns are dictionary-encoded (ids and channels repeat; numbers rarely do): about 30 %
    faster to write and smaller than dictionary-encoding every column.
    """
    text = [
        f.name
        for f in table.schema
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type) or pa.types.is_string_view(f.type)
    ]
    atomic_write_with(
        path, lambda fh: pq.write_table(table, fh, compression="zstd", use_dictionary=text), private=private
    )


def read_parquet(path: Path, schema: pa.Schema | None = None) -> pa.Table:
    """Read a Parquet file, optionally cast to ``schema`` (keeps the schema's metadata).

    Columns added to a schema later (nullable ones) read as nulls from older files.
    """
    table = pq.read_table(path)
    return table if schema is None else read_parquet_table(table, schema)


def read_parquet_table(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """A table read from Parquet, cast to ``schema`` (nullable columns added since read as nulls)."""
    for field in schema:
        if field.name not in table.column_names and field.nullable:
            table = table.append_column(field.name, pa.nulls(table.num_rows, field.type))
    return table.select(schema.names).cast(schema)


def sha256_file(path: Path, *, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()
