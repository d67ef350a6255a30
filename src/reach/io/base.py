"""What every importer returns, and small helpers they share."""

from __future__ import annotations

import contextlib
import gc
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import polars as pl
import pyarrow as pa

EXCERPT_CHARS = 120


@dataclass
class Parsed:
    """One file's contents as tables.

    ``records`` has the :data:`reach.schema.RECORDS` columns except ``source_id``, with local
    ``record_id`` values 0..n-1; ``interactions`` refers to those local ids and lacks ``source_id``;
    ``rejects`` has ``line``, ``reason`` and ``excerpt``. The import stage adds the source id and
    shifts record ids into the workspace's range.
    """

    records: pa.Table
    interactions: pa.Table
    rejects: pa.Table
    n_rows: int
    n_skipped: int = 0
    notes: list[str] = field(default_factory=list)


class Reader(Protocol):
    def __call__(self, path: Path, *, owner: str | None, options: dict) -> Parsed: ...


@dataclass(frozen=True)
class Format:
    """One importer: its name, a content sniffer scoring 0..1, and its reader.

    ``sniff(head_text, path)`` sees the decoded first 64 KiB of the file (BOM stripped) and its path
    (for ZIPs and folders it may open the path itself); ``read(path, owner=..., options=...)`` parses.
    Each module under ``reach.io`` lists its formats in a module-level ``FORMATS``; the registry in
    :mod:`reach.io.formats` discovers them.
    """

    name: str
    description: str
    sniff: Callable[[str, Path], float]
    read: Callable[..., Parsed]
    needs_owner: bool = False
    accepts_dirs: bool = False
    binary: bool = False  # e.g. ZIP exports: sniffed on the path, not on decoded text


REJECT_FIELDS = [
    pa.field("line", pa.int64()),
    pa.field("reason", pa.string()),
    pa.field("excerpt", pa.string()),
]


def rejects_table(rows: list[tuple[int | None, str, str | None]]) -> pa.Table:
    """Build a local rejects table from ``(line, reason, raw_text)`` tuples."""
    lines, reasons, excerpts = [], [], []
    for line, reason, raw in rows:
        lines.append(line)
        reasons.append(reason)
        excerpts.append(None if raw is None else raw[:EXCERPT_CHARS])
    return pa.table(
        {
            "line": pa.array(lines, pa.int64()),
            "reason": pa.array(reasons, pa.string()),
            "excerpt": pa.array(excerpts, pa.string()),
        }
    )


def event_key(*parts: object) -> str:
    """The event key of an interaction (``interactions.event_key``): a 96-bit BLAKE2b of its natural key.

    The parts are the fields that name the real-world event in every export that holds it (a mail's
    Message-ID, sender and date; a calendar event's UID and occurrence; ...); the person pair completes
    the identity when ties are counted. Stable across runs and versions (no per-process seed).
    """
    text = "\x1f".join(
        "" if p is None else p.decode("utf-8", "replace") if isinstance(p, bytes) else str(p) for p in parts
    )
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def event_keys(kind: str, columns: pl.DataFrame) -> list[str]:
    """:func:`event_key` of ``kind`` and each row of ``columns`` (nulls as empty fields)."""
    return [event_key(kind, *row) for row in columns.iter_rows()]


def owner_record(owner: str) -> dict:
    """The record standing for an export's owner (always local record 0 of owner-relative formats)."""
    owner = owner.strip()
    emails = [owner] if "@" in owner and " " not in owner else None
    return {"record_id": 0, "line": None, "role": "owner", "owner": owner, "display_name": owner, "emails": emails}


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: parsers that allocate many small, acyclic containers spend a
    third of their time in collections otherwise.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
