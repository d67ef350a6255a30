"""Import walking and hashing: which files a path names, their content hash, and importing each into a workspace.

:func:`import_paths` is what `reach import` and the run's import stage call; :func:`import_file` imports one
file (the caller holds the workspace lock). Files are known by the SHA-256 of their content, so importing the
same file twice adds nothing; a file imported again from the same place (or under the same ``--source`` name)
for the same owner with new content is a new version of that source and supersedes the previous one
(:mod:`reach.versions`).
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from reach.errors import InputFormatError
from reach.io.files import sha256_file
from reach.io.formats import Format, detect_format, get_format, registry
from reach.io.sanitise import sanitise
from reach.io.text import collecting_notes
from reach.schema import INTERACTIONS, RECORDS, REJECTS, conform
from reach.tombstones import drop_forgotten
from reach.versions import VersionChange, current_version, new_source_id, source_name, version_change
from reach.workspace import Workspace, is_reach_folder

log = logging.getLogger("reach.imports")


@dataclass
class FileImport:
    """What happened to one input file."""

    path: str
    status: str  # imported | unchanged | failed
    format: str | None = None
    source_id: str | None = None
    name: str | None = None  # the source it is a version of
    version: int | None = None
    change: VersionChange | None = None  # set when it superseded an older version
    n_rows: int = 0
    n_records: int = 0
    n_interactions: int = 0
    n_rejects: int = 0
    n_skipped: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)  # what the reader folded or set aside (graph files)


@dataclass
class ImportSummary:
    files: list[FileImport] = field(default_factory=list)

    @property
    def n_failed(self) -> int:
        return sum(f.status == "failed" for f in self.files)

    def totals(self) -> dict[str, int]:
        keys = ("n_rows", "n_records", "n_interactions", "n_rejects", "n_skipped")
        return {k: sum(getattr(f, k) for f in self.files) for k in keys}


def _is_export_folder(path: Path) -> bool:
    """A folder that is one export as a whole (a Slack export, a maildir), not a folder of exports."""
    return any(f.accepts_dirs and f.sniff("", path) > 0 for f in registry().values())


def expand_paths(paths: list[str | os.PathLike[str]]) -> list[Path]:
    """Files named directly; folders that are one export (Slack, maildir) as they are; and every
    non-hidden file or export folder under other folders (sorted).

    Inside a folder, a symbolic link is followed only when it leads to a place inside that folder, each real
    folder is visited once (a link loop ends), and folders reach wrote (workspaces, outputs) are skipped.
    """
    out: list[Path] = []

    def walk(folder: Path, root: Path, seen: set[Path]) -> None:
        real = folder.resolve()
        if real in seen:
            log.warning("%s: already visited (a link loop?): skipped", folder)
            return
        seen.add(real)
        for child in sorted(folder.iterdir()):
            if child.name.startswith("."):
                continue
            if child.is_symlink() and not child.resolve().is_relative_to(root):
                log.warning("%s: a link to outside %s: skipped", child, root)
                continue
            if child.is_dir():
                if is_reach_folder(child):
                    log.warning("%s: a folder reach wrote (workspace or outputs), not an export: skipped", child)
                elif _is_export_folder(child):
                    out.append(child)
                else:
                    walk(child, root, seen)
            elif child.is_file():
                out.append(child)

    for p in map(Path, paths):
        if p.is_dir() and not _is_export_folder(p):
            walk(p, p.resolve(), set())
        else:
            out.append(p)
    return out


def content_hash(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (relative names and contents, in sorted order)."""
    if not path.is_dir():
        return sha256_file(path)
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(path)).encode() + b"\0")
        h.update(bytes.fromhex(sha256_file(f)))
    return h.hexdigest()


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else path.stat().st_size


def _with_source(
    parsed_records: pa.Table, parsed_inter: pa.Table, parsed_rejects: pa.Table, *, source_id: str, path: str, base: int
) -> dict[str, pa.Table]:
    """The parsed tables with the source id added and record ids shifted into the workspace's range.

    Arrow compute throughout (no round trip through another library): at ten million interactions
    the copies are what costs.
    """

    def shifted(t: pa.Table, cols: tuple[str, ...], extra: dict[str, str]) -> pa.Table:
        for c in cols:
            t = t.set_column(t.schema.get_field_index(c), c, pc.add(t.column(c).cast(pa.int64()), base))
        for c, v in extra.items():
            t = t.append_column(c, pa.repeat(pa.scalar(v, pa.string()), t.num_rows))
        return t

    inter = (
        conform(shifted(parsed_inter, ("src_record", "dst_record"), {"source_id": source_id}), INTERACTIONS)
        if parsed_inter.num_rows
        else INTERACTIONS.empty_table()
    )
    return {
        "records": conform(shifted(parsed_records, ("record_id",), {"source_id": source_id}), RECORDS)
        if parsed_records.num_rows
        else RECORDS.empty_table(),
        "interactions": with_pair_event_keys(inter),
        "rejects": conform(shifted(parsed_rejects, (), {"source_id": source_id, "path": path}), REJECTS)
        if parsed_rejects.num_rows
        else REJECTS.empty_table(),
    }


# channels whose event is the relationship itself: the person pair (and for address books, which side
# keeps the card) is the whole identity, so every export of it is the same event
PAIR_EVENTS = {"connection": "linkedin:connection", "contact": "address-book"}


def with_pair_event_keys(inter: pa.Table) -> pa.Table:
    """Fill the event key of connections and address-book entries (see :data:`PAIR_EVENTS`)."""
    if not inter.num_rows:
        return inter
    key = inter.column("event_key")
    channel = inter.column("channel")
    for ch, label in PAIR_EVENTS.items():
        key = pc.if_else(pc.and_(pc.is_null(key), pc.equal(channel, ch)), pa.scalar(label, pa.string()), key)
    return inter.set_column(inter.schema.get_field_index("event_key"), "event_key", key)


def import_file(
    ws: Workspace,
    path: Path,
    *,
    fmt: str | None = None,
    owner: str | None = None,
    options: dict | None = None,
    source: str | None = None,
    new_source: bool = False,
) -> FileImport:
    """Import one file into ``ws`` (the caller holds the workspace lock).

    ``source`` names the source the file is a version of (default: its absolute path); ``new_source``
    imports it as a source of its own that supersedes nothing.
    """
    result = FileImport(path=str(path), status="failed")
    try:
        if not path.exists():
            msg = f"{path}: no such file"
            raise InputFormatError(msg)
        if not os.access(path, os.R_OK):
            msg = f"{path}: permission denied"
            raise InputFormatError(msg)
        sha = content_hash(path)
        name = source_name(path, name=source, new_source=new_source, sha=sha)
        result.name = name
        same = [r for r in ws.sources().to_pylist() if r["sha256"] == sha]
        if same:  # these bytes are already the current version of a source
            result.status, result.source_id, result.version = "unchanged", same[0]["source_id"], same[0]["version"]
            return result
        previous = current_version(ws, name, owner)
        version = int(previous["version"] or 1) + 1 if previous else 1
        source_id = new_source_id(ws, sha, name, version)
        result.source_id = source_id
        form: Format = get_format(fmt) if fmt else detect_format(path)
        result.format = form.name
        with collecting_notes() as decode_notes:
            read = sanitise(form.read(path, owner=owner, options=options or {}))
        parsed, dropped = drop_forgotten(ws, read)
        if dropped:
            result.notes.append(
                f"{dropped.records} records, {dropped.interactions} interactions and {dropped.rejects} rejected "
                "rows of forgotten people left out (`reach forget --list`)"
            )
        base = ws.next_record_id()
        tables = _with_source(
            parsed.records, parsed.interactions, parsed.rejects, source_id=source_id, path=str(path), base=base
        )
        row = {
            "source_id": source_id,
            "path": str(path),
            "sha256": sha,
            "format": form.name,
            "owner": owner,
            "source_name": name,
            "version": version,
            "superseded_at": None,
            "imported_at": datetime.now(UTC),
            "n_bytes": _size(path),
            "n_rows": parsed.n_rows,
            "n_records": tables["records"].num_rows,
            "n_interactions": tables["interactions"].num_rows,
            "n_rejects": tables["rejects"].num_rows,
            "n_skipped": parsed.n_skipped,
        }
        if previous:
            result.change = version_change(ws, previous, tables)
        ws.add_source(row, tables, supersedes=previous["source_id"] if previous else None)
        result.status = "imported"
        result.version = version
        result.notes = [*parsed.notes, *decode_notes, *result.notes]
        for k in ("n_rows", "n_records", "n_interactions", "n_rejects", "n_skipped"):
            setattr(result, k, int(row[k]))
        if row["n_rejects"]:
            log.warning("%s: %d rows set aside (see `reach rejects`)", path, row["n_rejects"])
    except InputFormatError as exc:
        result.error = str(exc)
    except UnicodeError as exc:
        result.error = f"{path}: cannot decode text: {exc}"
    except MemoryError:
        result.error = f"{path}: file too large to import in memory"
    except OSError as exc:
        result.error = f"{path}: cannot read: {exc.strerror or exc}"
    return result


def import_paths(
    workspace: str | os.PathLike[str],
    paths: list[str | os.PathLike[str]],
    *,
    fmt: str | None = None,
    owner: str | None = None,
    options: dict | None = None,
    source: str | None = None,
    new_source: bool = False,
) -> ImportSummary:
    """Import files (or directories of files) into the workspace, creating it if needed.

    Files already imported (same SHA-256) are reported ``unchanged``; a file that cannot be read is
    reported ``failed`` with its message and the others still import. ``source`` (a name for the one
    export given) and ``new_source`` are as in :func:`import_file`.
    """
    if source is not None and new_source:
        msg = "give either a source name (--source) or --new-source, not both"
        raise InputFormatError(msg)
    files = expand_paths(paths)
    if not files:
        msg = "no files to import"
        raise InputFormatError(msg)
    if source is not None and len(files) > 1:
        msg = (
            f"--source names one export, but {len(files)} files were given; "
            "import them one at a time, or give a folder that is one export"
        )
        raise InputFormatError(msg)
    ws = Workspace.open(workspace, create=True)
    summary = ImportSummary()
    with ws.lock():
        for path in files:
            summary.files.append(
                import_file(ws, path, fmt=fmt, owner=owner, options=options, source=source, new_source=new_source)
            )
    return summary
