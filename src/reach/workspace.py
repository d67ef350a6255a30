"""The workspace: a private directory holding every table as Parquet plus a manifest.

Layout::

    WORKSPACE/
      manifest.json              schema version, record-id counter, build state
      sources.parquet            one row per imported version of each source (the commit point of an import)
      raw/records/<source_id>.parquet
      raw/interactions/<source_id>.parquet
      raw/rejects/<source_id>.parquet
      build/{identifiers,membership,people,ties}.parquet   derived by `reach.build`
      .lock                      held while a command writes

An import writes its partitions first, then reserves its record ids in the manifest, then appends
its row to ``sources.parquet``; a partition whose source is not in ``sources.parquet`` is ignored, so
a run killed at any point leaves the workspace as it was before the import. A new version of a source
commits the same way, its row and the older version's ``superseded_at`` in one write of ``sources.parquet``;
the older version's partitions are deleted after that (a leftover is never read, and is removed by the next
import).

Schema version 1 workspaces (before export versions) are migrated when opened: every row gets its source
``name`` (the absolute path it was imported from) and version, and of two imports of one path for one
owner the older is marked superseded and its partitions are removed, as a re-import does now.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from reach import __version__
from reach.errors import WorkspaceError
from reach.io.files import (
    LockBusy,
    atomic_write_bytes,
    atomic_write_text,
    ensure_private_dir,
    hold_lock,
    read_parquet,
    read_parquet_table,
    remove_stale_temp_files,
    sha256_file,
    write_parquet,
)
from reach.schema import INTERACTIONS, RECORDS, REJECTS, SCHEMA_VERSION, SOURCES, TABLES, TS

RAW_TABLES = {"records": RECORDS, "interactions": INTERACTIONS, "rejects": REJECTS}
BUILD_TABLES = ("identifiers", "membership", "people", "ties")
BUILD_DIGEST_KEY = b"reach.build_digest"  # Parquet metadata: which build a build table belongs to
DEFAULT_WORKSPACE = "reach-workspace"
OUTPUTS_MARKER = ".reach-outputs.json"  # written into every outputs folder reach publishes: what it wrote there


def is_reach_folder(folder: Path) -> bool:
    """A folder reach itself wrote (a workspace, a run's outputs folder): never an export to import."""
    ws = Workspace(folder)
    return (ws.manifest_path.is_file() and (folder / "raw").is_dir()) or (folder / OUTPUTS_MARKER).exists()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


@dataclass
class Workspace:
    """A reach workspace directory. Create with :meth:`open`."""

    root: Path

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, root: str | os.PathLike[str], *, create: bool = False) -> Workspace:
        """Open the workspace at ``root``; create it when ``create`` is true and it does not exist."""
        path = Path(root)
        ws = cls(path)
        if not ws.manifest_path.exists():
            if not create:
                msg = (
                    f"no reach workspace at {path} (nothing imported yet); "
                    "run `reach import FILE` first or pass --workspace"
                )
                raise WorkspaceError(msg)
            if path.exists() and not path.is_dir():
                msg = f"workspace path {path} exists and is not a directory"
                raise WorkspaceError(msg)
            ensure_private_dir(path)
            ws._write_manifest(
                {
                    "schema_version": SCHEMA_VERSION,
                    "reach_version": __version__,
                    "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "next_record_id": 0,
                    "build": None,
                }
            )
        manifest = ws.manifest()
        if manifest.get("schema_version") == 1 and SCHEMA_VERSION == 2:
            ws._migrate_from_1()
            manifest = ws.manifest()
        if manifest.get("schema_version") != SCHEMA_VERSION:
            msg = (
                f"workspace {path} has schema version {manifest.get('schema_version')}, this reach "
                f"reads version {SCHEMA_VERSION}; re-import into a new workspace"
            )
            raise WorkspaceError(msg)
        return ws

    # ---------------------------------------------------------------- paths
    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def lock_path(self) -> Path:
        return self.root / ".lock"

    @property
    def overrides_path(self) -> Path:
        return self.root / "overrides.json"

    @property
    def settings_path(self) -> Path:
        return self.root / "settings.toml"

    def overrides(self) -> dict:
        if not self.overrides_path.exists():
            return {"merge": [], "ignore": [], "detach": []}
        try:
            return json.loads(self.overrides_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            msg = f"cannot read {self.overrides_path}: {exc}"
            raise WorkspaceError(msg) from exc

    def write_overrides(self, overrides: dict) -> None:
        atomic_write_text(self.overrides_path, json.dumps(overrides, indent=2, sort_keys=True) + "\n")

    @property
    def run_settings_path(self) -> Path:
        return self.root / "run-settings.json"

    def run_settings(self) -> dict:
        """The ``[strength]``/``[resolve]`` of the last ``reach run`` config that had them (``{}`` if none).

        They apply on top of ``settings.toml`` to every build of this workspace, interactive commands
        included, so a query after the nightly run sees the run's graph instead of rebuilding another.
        """
        if not self.run_settings_path.exists():
            return {}
        try:
            return json.loads(self.run_settings_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            msg = f"cannot read {self.run_settings_path}: {exc}"
            raise WorkspaceError(msg) from exc

    def write_run_settings(self, settings: dict | None) -> None:
        """Keep (or with ``None``/empty, drop) the run config's build settings; see :meth:`run_settings`."""
        if settings:
            text = json.dumps(settings, indent=2, sort_keys=True, default=str) + "\n"
            if not self.run_settings_path.exists() or self.run_settings_path.read_text(encoding="utf-8") != text:
                atomic_write_text(self.run_settings_path, text)
        else:
            with contextlib.suppress(FileNotFoundError):
                self.run_settings_path.unlink()

    def secret_key(self) -> bytes:
        """The workspace's pseudonymisation key (created on first use, readable by its owner only)."""
        path = self.root / "secret.key"
        if not path.exists():
            atomic_write_bytes(path, os.urandom(32))
        return path.read_bytes()

    def raw_path(self, table: str, source_id: str) -> Path:
        return self.root / "raw" / table / f"{source_id}.parquet"

    def build_path(self, table: str) -> Path:
        return self.root / "build" / f"{table}.parquet"

    # ---------------------------------------------------------------- manifest
    def manifest(self) -> dict:
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            msg = f"cannot read workspace manifest {self.manifest_path}: {exc}"
            raise WorkspaceError(msg) from exc

    def _write_manifest(self, manifest: dict) -> None:
        atomic_write_text(self.manifest_path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")

    def update_manifest(self, **changes: object) -> dict:
        manifest = self.manifest()
        manifest.update(changes)
        self._write_manifest(manifest)
        return manifest

    # ---------------------------------------------------------------- locking
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the workspace's write lock (an OS lock: never stale after a kill); refuse if another
        process holds it. On taking it, temp files left by a killed write are removed.
        """
        try:
            with hold_lock(self.lock_path, reentrant=True):
                remove_stale_temp_files(self.root, always_under=("raw", "build"))
                yield
        except LockBusy as exc:
            pid = exc.holder.split()[0] if exc.holder else "another process"
            msg = f"workspace {self.root} is in use by process {pid}; try again when it has finished"
            raise WorkspaceError(msg) from None

    def _migrate_from_1(self) -> None:
        """Schema 1 -> 2: name and number the versions of every source (see the module docs)."""
        with self.lock():
            if self.manifest().get("schema_version") != 1:  # another process migrated it meanwhile
                return
            hist = self.history()
            if hist.num_rows:
                names = [os.path.abspath(p) for p in hist.column("path").to_pylist()]
                hist = hist.set_column(
                    hist.schema.get_field_index("source_name"), "source_name", pa.array(names, pa.string())
                )
                hist = number_versions(hist)
                self.replace_sources(hist)
                self.remove_orphan_partitions()
            self.update_manifest(schema_version=SCHEMA_VERSION)

    # ---------------------------------------------------------------- tables
    def history(self) -> pa.Table:
        """Every imported version of every source (superseded ones have ``superseded_at`` set)."""
        path = self.root / "sources.parquet"
        if not path.exists():
            return SOURCES.empty_table()
        return read_parquet(path, SOURCES)

    def sources(self) -> pa.Table:
        """The current version of every source: one row per source."""
        hist = self.history()
        return hist.filter(pc.is_null(hist.column("superseded_at")))

    def source_ids(self) -> list[str]:
        """Ids of the current versions (the sources every build reads)."""
        return self.sources().column("source_id").to_pylist()

    def raw_table(self, table: str, source_id: str) -> pa.Table:
        return read_parquet(self.raw_path(table, source_id), RAW_TABLES[table])

    def raw(self, table: str) -> pa.Table:
        """Concatenate one raw table over every committed source."""
        schema = RAW_TABLES[table]
        parts = [
            read_parquet(self.raw_path(table, sid), schema)
            for sid in self.source_ids()
            if self.raw_path(table, sid).exists()
        ]
        if not parts:
            return schema.empty_table()
        return pa.concat_tables(parts)

    def add_source(self, source_row: dict, tables: dict[str, pa.Table], *, supersedes: str | None = None) -> None:
        """Commit one imported source: partitions, record-id reservation, then the sources row.

        With ``supersedes`` (the source id of the current version of the same source) that version is
        marked superseded in the same write, and its partitions are deleted afterwards.
        """
        sid = source_row["source_id"]
        for name, table in tables.items():
            write_parquet(table, self.raw_path(name, sid))
        n_records = tables["records"].num_rows
        manifest = self.manifest()
        self.update_manifest(next_record_id=int(manifest["next_record_id"]) + n_records)
        hist = self.history()
        if supersedes is not None:
            old = pc.equal(hist.column("source_id"), supersedes)
            at = pc.if_else(old, pa.scalar(source_row["imported_at"], TS), hist.column("superseded_at"))
            hist = hist.set_column(hist.schema.get_field_index("superseded_at"), "superseded_at", at)
        row = pa.Table.from_pylist([source_row], schema=SOURCES)
        self.replace_sources(pa.concat_tables([hist, row]))
        self.remove_orphan_partitions()

    def remove_orphan_partitions(self) -> None:
        """Delete raw partitions of superseded versions (and of imports killed before their commit)."""
        current = set(self.source_ids())
        for name in RAW_TABLES:
            folder = self.root / "raw" / name
            if not folder.is_dir():
                continue
            for f in folder.glob("*.parquet"):
                if f.stem not in current:
                    with contextlib.suppress(FileNotFoundError):
                        f.unlink()

    def remove_sources(self, source_ids: list[str]) -> None:
        """Drop these rows (any version) from the sources table and their partitions."""
        hist = self.history()
        keep = pc.invert(pc.is_in(hist.column("source_id"), pa.array(source_ids, pa.string())))
        self.replace_sources(hist.filter(keep))
        for sid in source_ids:
            for name in RAW_TABLES:
                with contextlib.suppress(FileNotFoundError):
                    self.raw_path(name, sid).unlink()

    def replace_raw(self, table: str, source_id: str, data: pa.Table) -> None:
        write_parquet(data, self.raw_path(table, source_id))

    def replace_sources(self, history: pa.Table) -> None:
        """Write the whole sources table (every version: pass :meth:`history`, not :meth:`sources`)."""
        write_parquet(history, self.root / "sources.parquet")

    def next_record_id(self) -> int:
        return int(self.manifest()["next_record_id"])

    # ---------------------------------------------------------------- build state
    def inputs_digest(self, settings: dict | None = None) -> str:
        """A digest of what a build depends on: the committed sources and the build settings."""
        h = hashlib.sha256()
        for sid in sorted(self.source_ids()):
            h.update(sid.encode())
        h.update(json.dumps(settings or {}, sort_keys=True).encode())
        return h.hexdigest()[:16]

    def build_is_current(self, digest: str) -> bool:
        build = self.manifest().get("build") or {}
        return build.get("digest") == digest and all(self.build_path(t).exists() for t in BUILD_TABLES)

    def clear_build(self) -> None:
        for name in BUILD_TABLES:
            with contextlib.suppress(FileNotFoundError):
                self.build_path(name).unlink()
        self.update_manifest(build=None)

    def write_build(self, tables: dict[str, pa.Table], digest: str) -> None:
        """Write the build tables, each stamped with the build's digest (see :meth:`built_together`)."""
        for name, table in tables.items():
            meta = dict(table.schema.metadata or {}) | {BUILD_DIGEST_KEY: digest.encode()}
            write_parquet(table.replace_schema_metadata(meta), self.build_path(name))
        self.update_manifest(build={"digest": digest, "built_at": datetime.now(UTC).isoformat(timespec="seconds")})

    def built(self, table: str) -> pa.Table:
        path = self.build_path(table)
        if not path.exists():
            msg = f"workspace {self.root} has not been built yet; run `reach build`"
            raise WorkspaceError(msg)
        return read_parquet(path, TABLES[table])

    def built_together(self, tables: tuple[str, ...] = ("people", "ties")) -> tuple[dict[str, pa.Table], str]:
        """Build tables that belong to one build, and that build's fingerprint.

        A build is replaced file by file, and an import may rebuild while a run or a server reads: tables read
        one after the other could come from two builds. Every build table carries its build's digest; the
        tables are read again until they agree (the fingerprint is that digest). Tables written before digests
        were stamped are fingerprinted by their bytes.
        """
        for _attempt in range(20):
            raw: dict[str, pa.Table] = {}
            for name in tables:
                path = self.build_path(name)
                try:
                    raw[name] = pq.read_table(path)
                except FileNotFoundError:
                    msg = f"workspace {self.root} has not been built yet; run `reach build`"
                    raise WorkspaceError(msg) from None
            digests = {(t.schema.metadata or {}).get(BUILD_DIGEST_KEY) for t in raw.values()}
            if len(digests) == 1:
                (digest,) = digests
                if digest is None:
                    digest = (
                        hashlib.sha256(b"".join(bytes.fromhex(sha256_file(self.build_path(n))) for n in tables))
                        .hexdigest()
                        .encode()
                    )
                out = {n: read_parquet_table(t, TABLES[n]) for n, t in raw.items()}
                return out, digest.decode()
            time.sleep(0.05 * (1 + _attempt))  # a build is being written: wait for its last table
        msg = f"workspace {self.root}: the build kept changing while it was read; try again when imports finish"
        raise WorkspaceError(msg)

    def files(self) -> list[Path]:
        """Every file in the workspace (for audits such as `forget`)."""
        return sorted(p for p in self.root.rglob("*") if p.is_file())


def same_owner(a: str | None, b: str | None) -> bool:
    """Owner labels compared as a person writes them (case and surrounding spaces ignored)."""
    return (a or "").strip().lower() == (b or "").strip().lower()


def number_versions(history: pa.Table) -> pa.Table:
    """Number the versions of each source (same ``source_name`` and owner) by import time; every version but the
    newest gets ``superseded_at`` (the next version's import time) unless it already has one.
    """
    import polars as pl

    df = pl.from_arrow(history).with_row_index("_row")
    df = df.with_columns(
        pl.col("owner").fill_null("").str.strip_chars().str.to_lowercase().alias("_owner"),
    ).sort("imported_at", "_row")
    df = df.with_columns(
        (pl.int_range(pl.len()).over("source_name", "_owner") + 1).cast(pl.Int64).alias("version"),
        pl.coalesce(pl.col("superseded_at"), pl.col("imported_at").shift(-1).over("source_name", "_owner")).alias(
            "superseded_at"
        ),
    )
    return df.sort("_row").drop("_row", "_owner").to_arrow().select(SOURCES.names).cast(SOURCES)
