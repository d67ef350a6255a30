"""Export versions: which source a file is a version of, and what changed between two versions.

A source is known by its ``name`` and its owner. The name is the absolute path the file (or export folder,
or ZIP) was imported from, unless the user names it (``reach import --source NAME``, a run config's
``[[sources]] name``), which lets a dated file (``Connections-2026-12-01.csv``) replace the one before it
(``Connections-2026-11-01.csv``). ``--new-source`` gives the file a name of its own, so it is imported
beside the others and supersedes nothing.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa

from reach.workspace import Workspace, same_owner

RECORD_CONTENT = (
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
    "attributes",
)
INTERACTION_CONTENT = ("channel", "at", "weight", "n_participants", "event_key")
# an interaction's parties are compared by who they are, not how they are named (a mailbox that grew may
# show a sender under a fuller name: their record changed, their messages did not)
PARTY_CONTENT = ("role", "key", "owner", "emails", "phones", "linkedin_url")


@dataclass(frozen=True)
class VersionChange:
    """What a new version changed against the one it superseded (content compared, ids and lines ignored)."""

    superseded: str  # source id of the previous version
    previous_version: int
    records_added: int
    records_removed: int
    interactions_added: int
    interactions_removed: int

    def text(self) -> str:
        return (
            f"version {self.previous_version + 1} supersedes version {self.previous_version} "
            f"({self.superseded}): records +{self.records_added} -{self.records_removed}, "
            f"interactions +{self.interactions_added} -{self.interactions_removed}"
        )


def source_name(path: Path, *, name: str | None = None, new_source: bool = False, sha: str = "") -> str:
    """The name of the source ``path`` is a version of (see the module docs)."""
    if name is not None:
        return name
    where = os.path.abspath(path)
    return f"{where}#{sha[:16]}" if new_source else where


def current_version(ws: Workspace, name: str, owner: str | None) -> dict | None:
    """The current row of the source called ``name`` for ``owner`` (None if there is none yet)."""
    for row in ws.sources().to_pylist():
        if row["source_name"] == name and same_owner(row["owner"], owner):
            return row
    return None


def new_source_id(ws: Workspace, sha: str, name: str, version: int) -> str:
    """``sha[:16]``, unless an earlier version already used that id (the same bytes imported back)."""
    sid = sha[:16]
    if sid in set(ws.history().column("source_id").to_pylist()):
        sid = hashlib.sha256(f"{sha}\0{name}\0{version}".encode()).hexdigest()[:16]
    return sid


def _fingerprints(records: pa.Table, columns: tuple[str, ...] = RECORD_CONTENT) -> pl.DataFrame:
    rec = pl.from_arrow(records.select(["record_id", *columns]))
    parts = [
        (pl.col(c).list.join("\x1f") if rec.schema[c] == pl.List(pl.String) else pl.col(c).cast(pl.String)).fill_null(
            "\x00"
        )
        for c in columns
    ]
    return rec.select("record_id", pl.concat_str(parts, separator="\x1e").alias("fp"))


def _interaction_fingerprints(inter: pa.Table, rec_fp: pl.DataFrame) -> pl.Series:
    df = pl.from_arrow(inter.select(["src_record", "dst_record", *INTERACTION_CONTENT]))
    df = df.join(rec_fp.rename({"record_id": "src_record", "fp": "s"}), on="src_record", how="left").join(
        rec_fp.rename({"record_id": "dst_record", "fp": "d"}), on="dst_record", how="left"
    )
    cols = ["s", "d", *INTERACTION_CONTENT]
    return df.select(
        pl.concat_str([pl.col(c).cast(pl.String).fill_null("\x00") for c in cols], separator="\x1e").alias("fp")
    )["fp"]


def _multiset_diff(old: pl.Series, new: pl.Series) -> tuple[int, int]:
    """(added, removed): rows of ``new`` without a partner in ``old``, and the reverse (duplicates counted)."""
    a = old.value_counts(name="n_old").rename({old.name: "fp"})
    b = new.value_counts(name="n_new").rename({new.name: "fp"})
    j = a.join(b, on="fp", how="full", coalesce=True).fill_null(0)
    d = j["n_new"].cast(pl.Int64) - j["n_old"].cast(pl.Int64)
    return int(d.clip(lower_bound=0).sum()), int((-d).clip(lower_bound=0).sum())


def version_change(ws: Workspace, previous: dict, tables: dict[str, pa.Table]) -> VersionChange:
    """Compare the new version's tables with the current version ``previous`` (a sources row)."""
    sid = previous["source_id"]
    old_rec = ws.raw_table("records", sid) if ws.raw_path("records", sid).exists() else tables["records"].slice(0, 0)
    old_int = (
        ws.raw_table("interactions", sid)
        if ws.raw_path("interactions", sid).exists()
        else tables["interactions"].slice(0, 0)
    )
    old_fp, new_fp = _fingerprints(old_rec), _fingerprints(tables["records"])
    rec_added, rec_removed = _multiset_diff(old_fp["fp"], new_fp["fp"])
    int_added, int_removed = _multiset_diff(
        _interaction_fingerprints(old_int, _fingerprints(old_rec, PARTY_CONTENT)),
        _interaction_fingerprints(tables["interactions"], _fingerprints(tables["records"], PARTY_CONTENT)),
    )
    return VersionChange(
        superseded=sid,
        previous_version=int(previous["version"] or 1),
        records_added=rec_added,
        records_removed=rec_removed,
        interactions_added=int_added,
        interactions_removed=int_removed,
    )
