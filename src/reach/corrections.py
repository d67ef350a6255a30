"""Corrections to identity resolution (merge, split) and erasure (forget): each edits the workspace's overrides or
raw partitions and holds on every later build.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from reach import leftovers, tombstones
from reach.builder import build, find_person_id, open_workspace
from reach.errors import ReachError
from reach.features.explain import explain_person
from reach.identity import KIND_PRIORITY
from reach.leftovers import Leftover
from reach.settings import load_settings
from reach.workspace import Workspace, same_owner


def _best_identifier(ws: Workspace, person_id: str) -> str:
    mem = pl.from_arrow(ws.built("membership")).filter(pl.col("person_id") == person_id)
    ids = pl.from_arrow(ws.built("identifiers")).join(mem, on="record_id")
    ids = ids.with_columns(pl.col("kind").replace_strict(KIND_PRIORITY, return_dtype=pl.Int32).alias("p"))
    row = ids.sort("p", "value").row(0, named=True)
    return f"{row['kind']}:{row['value']}"


def merge_people(workspace: str | os.PathLike[str] | Workspace, a: str, b: str) -> str:
    """Record that two people are one; holds on every later build. Returns the merged person_id."""
    ws = open_workspace(workspace)
    ida, idb = _best_identifier(ws, find_person_id(ws, a)), _best_identifier(ws, find_person_id(ws, b))
    ov = ws.overrides()
    ov.setdefault("merge", [])
    if [ida, idb] not in ov["merge"] and ida != idb:
        ov["merge"].append([ida, idb])
    with ws.lock():
        ws.write_overrides(ov)
    return find_person_id(ws, a)


def split_person(
    workspace: str | os.PathLike[str] | Workspace, query: str, *, on: str | None = None, record: str | None = None
) -> None:
    """Stop merging on identifier ``on`` ("kind:value"), or make record ``record`` ("source_id:line") stand alone."""
    ws = open_workspace(workspace)
    report = explain_person(ws, query)
    ov = ws.overrides()
    if on:
        known = {f"{r['kind']}:{r['value']}" for r in report.identifiers.iter_rows(named=True)}
        if on not in known:
            msg = f"{on!r} is not an identifier of this person; they have: {', '.join(sorted(known))}"
            raise ReachError(msg)
        ov.setdefault("ignore", []).append(on)
    elif record:
        known = {f"{r['source_id']}:{r['line']}" for r in report.records.iter_rows(named=True)}
        if record not in known:
            msg = f"{record!r} is not one of this person's records; they have: {', '.join(sorted(known))}"
            raise ReachError(msg)
        ov.setdefault("detach", []).append(record)
    else:
        msg = "say what to split on: --on KIND:VALUE (an identifier) or --record SOURCE:LINE (see `reach person`)"
        raise ReachError(msg)
    with ws.lock():
        ws.write_overrides(ov)


@dataclass
class Forgotten:
    """What `forget` removed, the tombstone it kept, and the earlier run outputs that still hold the person."""

    records: int = 0
    interactions: int = 0
    rejects: int = 0
    tombstone_hashes: int = 0
    leftovers: list[Leftover] = field(default_factory=list)

    def __getitem__(self, key: str) -> int:  # counts["records"], as before
        return int(getattr(self, key))


def forget(workspace: str | os.PathLike[str] | Workspace, query: str) -> Forgotten:
    """Remove a person and every record, identifier, interaction and reject line of theirs from the workspace,
    and keep a tombstone so later imports drop them too (:mod:`reach.tombstones`).

    Raw partitions are rewritten without them, overrides that name their identifiers are dropped, the
    owner label of sources they owned is cleared, and the build is redone. The result names the outputs
    folders of earlier runs that still hold them (:mod:`reach.leftovers`): those are not edited.
    """
    ws = open_workspace(workspace)
    pid = find_person_id(ws, query)
    mem = pl.from_arrow(ws.built("membership")).filter(pl.col("person_id") == pid)
    rec_ids = mem["record_id"]
    records = pl.from_arrow(ws.raw("records")).filter(pl.col("record_id").is_in(rec_ids.implode()))
    ids = pl.from_arrow(ws.built("identifiers")).join(mem.select("record_id"), on="record_id")
    needles = set(ids.filter(pl.col("kind") != "record")["value"].to_list())
    for col in ("display_name", "first_name", "last_name", "key", "owner", "linkedin_url"):
        needles |= {v for v in records[col].drop_nulls().to_list() if len(v) >= 3}
    for col in ("emails", "phones"):
        needles |= {v for v in records[col].explode().drop_nulls().to_list() if len(v) >= 3}
    lowered = [n.lower() for n in needles]
    counts = {"records": 0, "interactions": 0, "rejects": 0}
    with ws.lock():
        # first: an import after a kill still drops them; the person id too, so that no earlier run's table
        # read back by a later run (its `changes`) publishes them again
        n_hashes = tombstones.add(ws, ids.select("kind", "value"), person_id=pid)
        for sid in ws.source_ids():
            for name, cond in (
                ("records", pl.col("record_id").is_in(rec_ids.implode())),
                (
                    "interactions",
                    pl.col("src_record").is_in(rec_ids.implode()) | pl.col("dst_record").is_in(rec_ids.implode()),
                ),
                (
                    "rejects",
                    pl.any_horizontal(
                        [pl.col("excerpt").str.to_lowercase().str.contains(n, literal=True) for n in lowered]
                    ).fill_null(False)
                    if lowered
                    else pl.lit(False),
                ),
            ):
                path = ws.raw_path(name, sid)
                if not path.exists():
                    continue
                table = pl.from_arrow(ws.raw_table(name, sid))
                drop = table.filter(cond)
                if drop.height:
                    counts[name] += drop.height
                    ws.replace_raw(name, sid, table.filter(~cond).to_arrow())
        src = pl.from_arrow(ws.history())
        src = src.with_columns(
            pl.when(pl.col("owner").str.to_lowercase().is_in(lowered))
            .then(None)
            .otherwise(pl.col("owner"))
            .alias("owner")
        )
        ws.replace_sources(src.to_arrow())
        ov = ws.overrides()
        refs = {f"{k}:{v}" for k, v in ids.select("kind", "value").iter_rows()}
        ov["merge"] = [p for p in ov.get("merge", []) if not set(p) & refs]
        ov["ignore"] = [r for r in ov.get("ignore", []) if r not in refs]
        ws.write_overrides(ov)
        ws.clear_build()
    build(ws, settings=load_settings(ws), force=True)
    return Forgotten(**counts, tombstone_hashes=n_hashes, leftovers=leftovers.holding(ws, needles | {pid}))


def remove_source(workspace: str | os.PathLike[str] | Workspace, ref: str) -> dict:
    """Take one imported source out of the workspace: its records, interactions and rejects leave every later
    build (the export file itself is not touched and can be imported again).

    ``ref`` is a source id (or a unique prefix of one, at least 4 characters), the path the file was imported
    from or the source's name. Its history of versions goes with it. Returns the removed ``sources`` row.
    This is the way out when one source breaks the build.
    """
    ws = open_workspace(workspace)
    rows = ws.sources().to_pylist()
    wanted = os.path.abspath(Path(ref).expanduser())
    hits = [
        r
        for r in rows
        if (len(ref) >= 4 and r["source_id"].startswith(ref))
        or r["path"] == ref
        or r["source_name"] == ref
        or os.path.abspath(r["path"]) == wanted
    ]
    if not hits:
        msg = f"no imported source matches {ref!r} (see `reach sources` for ids and paths)"
        raise ReachError(msg)
    if len({r["source_id"] for r in hits}) > 1:
        shown = ", ".join(f"{r['source_id']} ({r['path']})" for r in hits[:5])
        msg = f"{ref!r} matches {len(hits)} sources: {shown}; give the source id"
        raise ReachError(msg)
    hit = hits[0]
    versions = [
        r["source_id"]
        for r in ws.history().to_pylist()
        if r["source_id"] == hit["source_id"]
        or (r["source_name"] == hit["source_name"] and same_owner(r["owner"], hit["owner"]))
    ]
    with ws.lock():
        ws.remove_sources(versions)  # the source with its history of versions
    return hit
