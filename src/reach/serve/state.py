"""What the web app serves from: one loaded build of the workspace, replaced whole when a new build appears.

A :class:`Snapshot` holds everything a page needs (the graph, the people behind it, the records and
identifiers that explain them, the sources) and never changes after it is made; a :class:`ServedWorkspace`
hands out the current one and swaps in a new one when the build on disk changes. It only ever reads
the workspace: it never builds, imports or writes.

A build on disk is taken only when it is whole: no live process holds the workspace lock, and the
manifest and the build files are the same (digest, sizes, modification times) before and after they
were read. Anything else keeps the previous snapshot in service and tries again on the next request.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from reach.errors import WorkspaceError
from reach.graph import ReachGraph, build_graph
from reach.workspace import BUILD_TABLES, Workspace

log = logging.getLogger("reach.serve")

RECORD_COLUMNS = [
    "record_id",
    "source_id",
    "line",
    "role",
    "key",
    "owner",
    "display_name",
    "first_name",
    "last_name",
    "company",
    "title",
    "location",
    "emails",
    "phones",
    "linkedin_url",
]


def build_stamp(ws: Workspace) -> tuple:
    """What identifies the build on disk: the manifest's build entry and the size and mtime of every file."""
    files = [ws.manifest_path, ws.root / "sources.parquet", *(ws.build_path(t) for t in BUILD_TABLES)]
    parts: list = []
    for f in files:
        try:
            st = f.stat()
            parts.append((f.name, st.st_size, st.st_mtime_ns, st.st_ino))
        except FileNotFoundError:
            parts.append((f.name, None))
    return tuple(parts)


def lock_held(ws: Workspace) -> bool:
    """Whether a process holds the workspace's write lock (an import or a build is writing).

    The lock is an OS lock on ``.lock``: a shared lock taken and released at once, on a read-only
    descriptor, tells without writing anything.
    """
    try:
        fd = os.open(ws.lock_path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except ImportError:  # pragma: no cover - no flock: trust the manifest and file stamps alone
        return False
    finally:
        os.close(fd)


@dataclass(eq=False)
class Snapshot:
    """One whole build of the workspace, as the pages read it (immutable once made)."""

    root: Path
    stamp: tuple
    built_at: str | None
    digest: str | None
    stale: bool  # imports or settings changed since this build
    rg: ReachGraph
    team: np.ndarray  # vertices of the team (owners of imports)
    sources: pl.DataFrame
    records: pl.DataFrame
    membership: pl.DataFrame
    identifiers: pl.DataFrame
    pseudonymised: bool
    cache: dict = field(default_factory=dict)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def n_exports(self) -> int:
        return self.sources.height

    def cached(self, key: object, compute):
        """``compute()`` once per snapshot and key (results of slow whole-graph queries)."""
        with self._cache_lock:
            if key in self.cache:
                return self.cache[key]
        value = compute()
        with self._cache_lock:
            return self.cache.setdefault(key, value)


def _read_records(ws: Workspace, source_ids: list[str]) -> pl.DataFrame:
    frames = []
    for sid in source_ids:
        path = ws.raw_path("records", sid)
        if path.exists():
            t = pq.read_table(path)
            frames.append(pl.from_arrow(t.select([c for c in RECORD_COLUMNS if c in t.column_names])))
    if not frames:
        return pl.DataFrame(schema={"record_id": pl.Int64, "source_id": pl.String})
    return pl.concat(frames, how="diagonal_relaxed")


def load_snapshot(root: Path, *, pseudonymise: bool) -> Snapshot:
    """Read the workspace's current build (raises :class:`WorkspaceError` when there is none or it is changing)."""
    from reach.settings import load_settings

    ws = Workspace.open(root)
    if lock_held(ws):
        msg = f"workspace {root} is being written (an import or build is running)"
        raise WorkspaceError(msg)
    before = build_stamp(ws)
    manifest = ws.manifest()
    build = manifest.get("build") or {}
    if not build:
        msg = f"workspace {root} has not been built yet; run `reach build` or `reach run`"
        raise WorkspaceError(msg)
    built, _fingerprint = ws.built_together(("people", "ties", "membership", "identifiers"))
    people, ties = built["people"], built["ties"]
    membership = pl.from_arrow(built["membership"])
    identifiers = pl.from_arrow(built["identifiers"])
    sources = pl.from_arrow(ws.sources()).drop("sha256")
    records = _read_records(ws, sources["source_id"].to_list()).join(
        membership.select("record_id"), on="record_id", how="semi"
    )
    try:
        stale = ws.inputs_digest(load_settings(ws).as_dict()) != build.get("digest")
    except Exception:  # a broken settings file is the CLI's to report; serve what was built
        stale = False
    if build_stamp(ws) != before or lock_held(ws):
        msg = f"workspace {root} changed while it was read"
        raise WorkspaceError(msg)
    if pseudonymise:
        from reach.privacy import pseudonymise_frame

        key = ws.secret_key()
        people = pseudonymise_frame(pl.from_arrow(people), key).to_arrow().cast(people.schema)
        records = pseudonymise_frame(records, key)
        identifiers = pseudonymise_frame(identifiers, key)
        sources = pseudonymise_frame(
            sources.with_columns(pl.format("{} export {}", pl.col("format"), pl.col("source_id")).alias("path")), key
        )
    rg = build_graph(people, ties)
    team = rg.people.with_row_index("v").filter(pl.col("owner").is_not_null())["v"].to_numpy().astype(np.int64)
    return Snapshot(
        root=Path(root),
        stamp=before,
        built_at=build.get("built_at"),
        digest=build.get("digest"),
        stale=stale,
        rg=rg,
        team=team,
        sources=sources,
        records=records,
        membership=membership.sort("person_id"),
        identifiers=identifiers,
        pseudonymised=pseudonymise,
    )


class ServedWorkspace:
    """The snapshot in service, replaced when a new whole build is on disk (checked on every request)."""

    def __init__(self, root: str | os.PathLike[str], *, pseudonymise: bool = False) -> None:
        self.root = Path(root)
        self.pseudonymise = pseudonymise
        self._snapshot: Snapshot | None = None
        self._loading = threading.Lock()
        self._force = False
        self.last_error: str | None = None
        self.reloads = 0

    def request_reload(self) -> None:
        """Look at the disk on the next request even if nothing seems to have changed (SIGHUP)."""
        self._force = True

    def load(self) -> Snapshot:
        """Load the first snapshot (at start: errors propagate)."""
        self._snapshot = load_snapshot(self.root, pseudonymise=self.pseudonymise)
        return self._snapshot

    def current(self) -> Snapshot:
        """The snapshot to serve this request from: a newer whole build if there is one, else the one in service."""
        snap = self._snapshot
        if snap is None:
            return self.load()
        try:
            changed = self._force or build_stamp(Workspace(self.root)) != snap.stamp
        except OSError:
            changed = False
        if not changed:
            return snap
        # one request loads; the others keep being served from the snapshot in service meanwhile
        if not self._loading.acquire(blocking=False):
            return snap
        try:
            self._force = False
            new = load_snapshot(self.root, pseudonymise=self.pseudonymise)
        except (WorkspaceError, OSError, ValueError) as exc:
            self.last_error = str(exc)
            log.info("kept the build in service: %s", exc)
            return snap
        except Exception as exc:  # a file caught mid-write can fail to parse in many ways; the old build stays
            self.last_error = f"new build not readable yet: {exc}"
            log.info("kept the build in service: %s", exc)
            return snap
        finally:
            self._loading.release()
        self.last_error = None
        self.reloads += 1
        self._snapshot = new
        log.info("serving the build of %s", new.built_at)
        return new
