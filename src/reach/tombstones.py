"""Erasure that lasts: tombstones of forgotten people, so that later imports drop them.

``reach forget`` keeps, in ``WORKSPACE/tombstones.json``, keyed hashes (HMAC-SHA256 with the workspace's
secret key, domain-separated from pseudonymisation) of the forgotten person's normalised identifiers:
emails, phones, LinkedIn profiles, owner labels and edge-list keys. Never an identifier in clear, so the
file says how many people were forgotten but not who. Every import hashes the identifiers of the records it
read the same way and drops, before anything is written, each record with a tombstoned identifier, the
interactions it takes part in, and reject rows whose text holds a tombstoned email address or LinkedIn
profile. Names are not tombstoned (two people share names), so a record of a newer export that names the
person without any identifier of theirs is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import polars as pl
import pyarrow as pa

from reach.errors import WorkspaceError
from reach.identity import ResolveSettings, linkedin_slug, normalise_email, record_identifiers
from reach.io.base import Parsed
from reach.io.files import atomic_write_text
from reach.schema import RECORDS, conform
from reach.workspace import Workspace

KINDS = ("email", "phone", "linkedin", "owner", "key")
FILE = "tombstones.json"
_DOMAIN = b"reach-tombstone\0"
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_LINKEDIN = re.compile(r"(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/in/[^\s,;\"'<>]+", re.IGNORECASE)


@dataclass(frozen=True)
class Dropped:
    """What an import left out because it matched a tombstone."""

    records: int = 0
    interactions: int = 0
    rejects: int = 0

    def __bool__(self) -> bool:
        return bool(self.records or self.interactions or self.rejects)


def _hash(key: bytes, kinds: pl.Series, values: pl.Series) -> pl.Series:
    out = [
        hmac.new(key, _DOMAIN + f"{k}:{v}".encode(), hashlib.sha256).hexdigest()
        for k, v in zip(kinds.to_list(), values.to_list(), strict=True)
    ]
    return pl.Series("hash", out, dtype=pl.String)


def _path(ws: Workspace):
    return ws.root / FILE


def load(ws: Workspace) -> list[dict]:
    """The tombstones: one entry per forgotten person, ``{"forgotten_at", "hashes"}``."""
    path = _path(ws)
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return list(data["people"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"cannot read {path}: {exc}; it holds the tombstones of forgotten people, restore it from a backup"
        raise WorkspaceError(msg) from exc


def held(ws: Workspace) -> set[str]:
    return {h for entry in load(ws) for h in [*entry["hashes"], *entry.get("person", [])]}


def add(ws: Workspace, identifiers: pl.DataFrame, *, person_id: str | None = None) -> int:
    """Keep a tombstone of one person's identifiers (``kind``, ``value`` columns); returns hashes added."""
    ids = identifiers.filter(pl.col("kind").is_in(KINDS)).unique(["kind", "value"])
    hashes = sorted(set(_hash(ws.secret_key(), ids["kind"], ids["value"]).to_list()))
    if not hashes:
        return 0
    people = load(ws)
    entry = {"forgotten_at": datetime.now(UTC).isoformat(timespec="seconds"), "hashes": hashes}
    if person_id is not None:  # kept apart: it drops the person from earlier run tables, not from imports
        entry["person"] = person_hashes(ws, [person_id]).to_list()
    people.append(entry)
    atomic_write_text(_path(ws), json.dumps({"version": 1, "people": people}, indent=1) + "\n")
    return len(hashes)


PERSON_COLUMNS = ("person_id", "target_id", "introducer_id", "member_id")


def person_hashes(ws: Workspace, person_ids: list[str]) -> pl.Series:
    """The tombstone hashes of person ids (``forget`` keeps the forgotten person's id among its hashes)."""
    return _hash(ws.secret_key(), pl.Series(["person"] * len(person_ids)), pl.Series(person_ids, dtype=pl.String))


def without_forgotten(ws: Workspace, tables: dict[str, pl.DataFrame | None]) -> dict[str, pl.DataFrame | None]:
    """Earlier run tables without the rows of forgotten people (by any person column), so that nothing read
    back from an earlier outputs folder (the nightly ``changes``) publishes a forgotten person again.
    """
    gone = held(ws)
    if not gone:
        return tables
    frames = {name: df for name, df in tables.items() if df is not None and df.height}
    ids = (
        pl.concat(
            [df[c].cast(pl.String) for df in frames.values() for c in PERSON_COLUMNS if c in df.columns]
            or [pl.Series([], dtype=pl.String)]
        )
        .drop_nulls()
        .unique()
    )
    # each distinct id hashed once, whatever the number of tables and columns it stands in
    forgotten = ids.filter(person_hashes(ws, ids.to_list()).is_in(list(gone))).implode()
    out = dict(tables)
    for name, df in frames.items():
        cols = [c for c in PERSON_COLUMNS if c in df.columns]
        if cols:
            out[name] = df.filter(
                ~pl.any_horizontal([pl.col(c).cast(pl.String).is_in(forgotten) for c in cols]).fill_null(False)
            )
    return out


def summary(ws: Workspace) -> dict[str, int]:
    people = load(ws)
    return {"people": len(people), "hashes": len({h for p in people for h in p["hashes"]})}


def _reject_hashes(key: bytes, excerpts: pl.Series, settings: ResolveSettings) -> list[set[str]]:
    """Per reject row, the hashes of the email addresses and LinkedIn profiles its text holds."""
    df = pl.DataFrame({"row": np.arange(excerpts.len()), "text": excerpts.fill_null("")})
    emails = df.select("row", pl.col("text").str.extract_all(_EMAIL.pattern).alias("v")).explode("v")
    emails = emails.drop_nulls("v").select(
        "row", pl.lit("email").alias("kind"), normalise_email(pl.col("v"), fold_gmail=settings.fold_gmail).alias("v")
    )
    links = df.select("row", pl.col("text").str.extract_all(_LINKEDIN.pattern).alias("v")).explode("v")
    links = links.drop_nulls("v").select("row", pl.lit("linkedin").alias("kind"), linkedin_slug(pl.col("v")).alias("v"))
    found = pl.concat([emails, links]).drop_nulls("v")
    out: list[set[str]] = [set() for _ in range(excerpts.len())]
    if found.height:
        for row, h in zip(found["row"].to_list(), _hash(key, found["kind"], found["v"]).to_list(), strict=True):
            out[row].add(h)
    return out


def drop_forgotten(ws: Workspace, parsed: Parsed, *, settings: ResolveSettings | None = None) -> tuple[Parsed, Dropped]:
    """``parsed`` without the records of forgotten people, their interactions and the reject rows naming them.

    Local record ids stay 0..n-1 (as :func:`reach.io.sanitise.sanitise` keeps them).
    """
    tomb = held(ws)
    if not tomb:
        return parsed, Dropped()
    if settings is None:  # normalised as the workspace's builds normalise (fold_gmail, default_region)
        from reach.settings import load_settings

        settings = load_settings(ws).resolve
    key = ws.secret_key()
    records, interactions, rejects = parsed.records, parsed.interactions, parsed.rejects
    n = records.num_rows
    drop = np.zeros(n, dtype=bool)
    if n:
        with_source = records.append_column("source_id", pa.repeat(pa.scalar("import", pa.string()), n))
        ids = pl.from_arrow(record_identifiers(conform(with_source, RECORDS), settings=settings))
        ids = ids.filter(pl.col("kind").is_in(KINDS))
        if ids.height:
            hit = _hash(key, ids["kind"], ids["value"]).is_in(list(tomb)).to_numpy()
            drop[ids["record_id"].to_numpy()[hit]] = True
    keep = ~drop
    n_inter = interactions.num_rows
    if drop.any():
        new_id = np.cumsum(keep) - 1
        src = interactions.column("src_record").to_numpy(zero_copy_only=False)
        dst = interactions.column("dst_record").to_numpy(zero_copy_only=False)
        ok = keep[src] & keep[dst]
        interactions = interactions.filter(pa.array(ok))
        for col, ids_ in (("src_record", src[ok]), ("dst_record", dst[ok])):
            interactions = interactions.set_column(
                interactions.schema.get_field_index(col), col, pa.array(new_id[ids_], pa.int64())
            )
        records = records.filter(pa.array(keep))
        records = records.set_column(
            records.schema.get_field_index("record_id"), "record_id", pa.array(np.arange(records.num_rows), pa.int64())
        )
    n_rej = rejects.num_rows
    if n_rej and "excerpt" in rejects.column_names:
        found = _reject_hashes(key, pl.from_arrow(rejects.column("excerpt")).cast(pl.String), settings)
        rejects = rejects.filter(pa.array([not (hs & tomb) for hs in found]))
    dropped = Dropped(int(drop.sum()), n_inter - interactions.num_rows, n_rej - rejects.num_rows)
    if not dropped:
        return parsed, dropped
    out = Parsed(
        records=records,
        interactions=interactions,
        rejects=rejects,
        n_rows=parsed.n_rows,
        n_skipped=parsed.n_skipped,
        notes=parsed.notes,
    )
    return out, dropped
