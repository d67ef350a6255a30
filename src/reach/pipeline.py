"""Wiring: the only module that calls both the file layer (io/, workspace) and the pure stages.

Library entry points the CLI wraps: :func:`import_paths`, :func:`build`, :func:`load_graph`,
:func:`resolve_people`, :func:`degrees_of_separation`, :func:`team_reach`, :func:`workspace_stats`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow as pa

from reach.algorithms.neighbourhood import ReachResult, two_hop_reach
from reach.algorithms.separation import shortest_path
from reach.algorithms.stats import NetworkStats, network_stats
from reach.errors import InputFormatError, NoPath, WorkspaceError
from reach.graph import ReachGraph, build_graph
from reach.identity import ResolveSettings, resolve
from reach.io.files import sha256_file
from reach.io.formats import Format, detect_format, get_format
from reach.people import find_person
from reach.schema import INTERACTIONS, RECORDS, REJECTS, conform
from reach.strength import StrengthSettings, compute_ties
from reach.workspace import Workspace

log = logging.getLogger("reach.pipeline")


# ------------------------------------------------------------------ import
@dataclass
class FileImport:
    """What happened to one input file."""

    path: str
    status: str  # imported | unchanged | failed
    format: str | None = None
    source_id: str | None = None
    n_rows: int = 0
    n_records: int = 0
    n_interactions: int = 0
    n_rejects: int = 0
    n_skipped: int = 0
    error: str | None = None


@dataclass
class ImportSummary:
    files: list[FileImport] = field(default_factory=list)

    @property
    def n_failed(self) -> int:
        return sum(f.status == "failed" for f in self.files)

    def totals(self) -> dict[str, int]:
        keys = ("n_rows", "n_records", "n_interactions", "n_rejects", "n_skipped")
        return {k: sum(getattr(f, k) for f in self.files) for k in keys}


def expand_paths(paths: list[str | os.PathLike[str]]) -> list[Path]:
    """Files named directly, and every non-hidden file under named directories (sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and not any(
                part.startswith(".") for part in f.relative_to(p).parts))
        else:
            out.append(p)
    return out


def _with_source(parsed_records: pa.Table, parsed_inter: pa.Table, parsed_rejects: pa.Table, *,
                 source_id: str, path: str, base: int) -> dict[str, pa.Table]:
    n_rec = parsed_records.num_rows
    recs = pl.from_arrow(parsed_records).with_columns(
        (pl.col("record_id").cast(pl.Int64) + base).alias("record_id"), pl.lit(source_id).alias("source_id")
    )
    inter = pl.from_arrow(parsed_inter).with_columns(
        (pl.col("src_record").cast(pl.Int64) + base).alias("src_record"),
        (pl.col("dst_record").cast(pl.Int64) + base).alias("dst_record"),
        pl.lit(source_id).alias("source_id"),
    ) if parsed_inter.num_rows else pl.from_arrow(INTERACTIONS.empty_table())
    rej = pl.from_arrow(parsed_rejects).with_columns(pl.lit(source_id).alias("source_id"), pl.lit(path).alias("path")) \
        if parsed_rejects.num_rows else pl.from_arrow(REJECTS.empty_table())
    tables = {
        "records": conform(recs.to_arrow(), RECORDS) if n_rec else RECORDS.empty_table(),
        "interactions": conform(inter.to_arrow(), INTERACTIONS),
        "rejects": conform(rej.to_arrow(), REJECTS),
    }
    return tables


def import_file(ws: Workspace, path: Path, *, fmt: str | None = None, owner: str | None = None,
                options: dict | None = None) -> FileImport:
    """Import one file into ``ws`` (the caller holds the workspace lock)."""
    result = FileImport(path=str(path), status="failed")
    try:
        if not path.exists():
            msg = f"{path}: no such file"
            raise InputFormatError(msg)
        if not os.access(path, os.R_OK):
            msg = f"{path}: permission denied"
            raise InputFormatError(msg)
        sha = sha256_file(path)
        source_id = sha[:16]
        result.source_id = source_id
        if source_id in set(ws.source_ids()):
            result.status = "unchanged"
            return result
        form: Format = get_format(fmt) if fmt else detect_format(path)
        result.format = form.name
        parsed = form.read(path, owner=owner, options=options or {})
        base = ws.next_record_id()
        tables = _with_source(parsed.records, parsed.interactions, parsed.rejects,
                              source_id=source_id, path=str(path), base=base)
        row = {
            "source_id": source_id, "path": str(path), "sha256": sha, "format": form.name,
            "owner": owner if form.needs_owner else None, "imported_at": datetime.now(UTC),
            "n_bytes": path.stat().st_size, "n_rows": parsed.n_rows,
            "n_records": tables["records"].num_rows, "n_interactions": tables["interactions"].num_rows,
            "n_rejects": tables["rejects"].num_rows, "n_skipped": parsed.n_skipped,
        }
        ws.add_source(row, tables)
        result.status = "imported"
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
    return result


def import_paths(workspace: str | os.PathLike[str], paths: list[str | os.PathLike[str]], *, fmt: str | None = None,
                 owner: str | None = None, options: dict | None = None) -> ImportSummary:
    """Import files (or directories of files) into the workspace, creating it if needed.

    Files already imported (same SHA-256) are reported ``unchanged``; a file that cannot be read is
    reported ``failed`` with its message and the others still import.
    """
    ws = Workspace.open(workspace, create=True)
    summary = ImportSummary()
    files = expand_paths(paths)
    if not files:
        msg = "no files to import"
        raise InputFormatError(msg)
    with ws.lock():
        for path in files:
            summary.files.append(import_file(ws, path, fmt=fmt, owner=owner, options=options))
    return summary


# ------------------------------------------------------------------ build
@dataclass(frozen=True)
class BuildSettings:
    resolve: ResolveSettings = field(default_factory=ResolveSettings)
    strength: StrengthSettings = field(default_factory=StrengthSettings)

    def as_dict(self) -> dict:
        return {"resolve": self.resolve.as_dict(), "strength": self.strength.as_dict()}


def build(workspace: str | os.PathLike[str] | Workspace, *, settings: BuildSettings | None = None,
          force: bool = False) -> dict[str, int]:
    """Resolve people and compute ties from everything imported; skipped when nothing changed."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)
    settings = settings or load_settings(ws)
    digest = ws.inputs_digest(settings.as_dict())
    if not force and ws.build_is_current(digest):
        return {"people": ws.built("people").num_rows, "ties": ws.built("ties").num_rows, "rebuilt": 0}
    if not ws.source_ids():
        msg = f"workspace {ws.root} is empty; import something first (`reach import FILE`)"
        raise WorkspaceError(msg)
    with ws.lock():
        records = ws.raw("records")
        resolved = resolve(records, settings=settings.resolve)
        ties = compute_ties(ws.raw("interactions"), resolved["membership"], settings=settings.strength)
        ws.write_build({
            "identifiers": resolved["identifiers"], "membership": resolved["membership"],
            "people": resolved["people"], "ties": ties,
        }, digest)
    n_ignored = resolved["ignored"].num_rows
    if n_ignored:
        log.warning("%d shared emails/phones were not used to merge people", n_ignored)
    return {"people": resolved["people"].num_rows, "ties": ties.num_rows, "rebuilt": 1, "ignored": n_ignored}


def load_graph(workspace: str | os.PathLike[str] | Workspace) -> ReachGraph:
    """Build (if needed) and load the workspace's relationship graph."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)
    build(ws)
    return build_graph(ws.built("people"), ws.built("ties"))


# ------------------------------------------------------------------ queries
def resolve_people(rg: ReachGraph, queries: list[str]) -> list[int]:
    """Vertex index for each person reference (see :func:`reach.people.find_person`)."""
    return [rg.vertex(find_person(rg.people, q)) for q in queries]


@dataclass
class PathResult:
    source: str
    target: str
    hops: int | None
    path: pl.DataFrame  # step, person_id, display_name, key, strength_to_next

    def as_dict(self) -> dict:
        return {"source": self.source, "target": self.target, "hops": self.hops,
                "connected": self.hops is not None, "path": self.path.to_dicts()}


def degrees_of_separation(rg: ReachGraph, source: str, target: str, *, max_hops: int | None = None) -> PathResult:
    """Hops between two people and one shortest path (raises :class:`NoPath`)."""
    s, t = resolve_people(rg, [source, target])
    verts = shortest_path(rg, s, t, max_hops=max_hops)
    eids = rg.graph.get_eids(list(zip(verts[:-1], verts[1:], strict=True))) if len(verts) > 1 else []
    strengths = [float(rg.strength[e]) for e in eids] + [None]
    cols = rg.people[verts].select("person_id", "display_name", "key")
    path = cols.with_columns(
        pl.Series("step", list(range(len(verts))), dtype=pl.Int64),
        pl.Series("strength_to_next", strengths, dtype=pl.Float64),
    ).select("step", "person_id", "display_name", "key", "strength_to_next")
    return PathResult(source=str(rg.person_ids[s]), target=str(rg.person_ids[t]), hops=len(verts) - 1, path=path)


def team_reach(rg: ReachGraph, sources: list[str], *, hops: int = 2) -> ReachResult:
    """Reach of each source person and of the team (see :func:`two_hop_reach`)."""
    verts = resolve_people(rg, sources)
    result = two_hop_reach(rg, verts, hops=hops)
    names = rg.people.select("person_id", "display_name")
    result.per_source = result.per_source.join(names, on="person_id", how="left").select(
        "person_id", "display_name", *[c for c in result.per_source.columns if c != "person_id"]
    )
    return result


def workspace_stats(rg: ReachGraph, *, exact_limit: int = 50_000, n_samples: int = 1000, seed: int = 0) -> NetworkStats:
    return network_stats(rg, exact_limit=exact_limit, n_samples=n_samples, seed=seed)


__all__ = [
    "BuildSettings", "FileImport", "ImportSummary", "NoPath", "PathResult", "build", "degrees_of_separation",
    "import_paths", "load_graph", "team_reach", "workspace_stats",
]


def find_people(workspace: str | os.PathLike[str] | Workspace, search: str | None, *, limit: int = 50) -> pl.DataFrame:
    """People whose name, company, title, key or email contains ``search`` (case-insensitive)."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)
    build(ws)
    ppl = pl.from_arrow(ws.built("people"))
    if search:
        q = search.lower()
        hay = pl.concat_str([pl.col("display_name"), pl.col("company"), pl.col("title"), pl.col("key"),
                             pl.col("emails").list.join(" "), pl.col("owner")], separator=" ", ignore_nulls=True)
        ppl = ppl.filter(hay.str.to_lowercase().str.contains(q, literal=True))
    return ppl.select("person_id", "display_name", "company", "title", "key", "emails", "owner", "n_records").head(limit)


# ------------------------------------------------------------------ settings, explanations, corrections
def load_settings(ws: Workspace) -> BuildSettings:
    """Build settings from the workspace's ``settings.toml`` ([resolve] and [strength]) and ``overrides.json``."""
    import tomllib

    from reach.errors import ConfigError
    from reach.identity import Overrides

    data: dict = {}
    if ws.settings_path.exists():
        try:
            data = tomllib.loads(ws.settings_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            msg = f"{ws.settings_path}: {exc}"
            raise ConfigError(msg) from exc
    unknown = [k for k in data if k not in ("resolve", "strength")]
    if unknown:
        msg = f"{ws.settings_path}: unknown section(s) {', '.join(unknown)}; expected [resolve] and [strength]"
        raise ConfigError(msg)
    res = dict(data.get("resolve", {}))
    allowed = {"max_names_per_identifier", "default_region", "fold_gmail", "fuzzy_threshold"}
    bad = sorted(set(res) - allowed)
    if bad:
        msg = f"{ws.settings_path} [resolve]: unknown key(s) {', '.join(bad)}; expected {', '.join(sorted(allowed))}"
        raise ConfigError(msg)
    resolve_settings = ResolveSettings(**res, overrides=Overrides.from_dict(ws.overrides()))
    strength = StrengthSettings.from_dict(data.get("strength", {}), where=f"{ws.settings_path} [strength]")
    return BuildSettings(resolve=resolve_settings, strength=strength)


def _open(workspace: str | os.PathLike[str] | Workspace) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)


def find_person_id(workspace: str | os.PathLike[str] | Workspace, query: str) -> str:
    ws = _open(workspace)
    build(ws, settings=load_settings(ws))
    return find_person(pl.from_arrow(ws.built("people")), query)


def explain_person(workspace: str | os.PathLike[str] | Workspace, query: str):
    """Every record and identifier behind a person, and why they were merged."""
    from reach.explain import person_report

    ws = _open(workspace)
    pid = find_person_id(ws, query)
    return person_report(pid, people=ws.built("people"), records=ws.raw("records"), identifiers=ws.built("identifiers"),
                         membership=ws.built("membership"), sources=ws.sources())


def explain(workspace: str | os.PathLike[str] | Workspace, a: str, b: str, *, max_evidence: int = 20):
    """The tie between two people and the interactions behind it."""
    from reach.explain import explain_tie

    ws = _open(workspace)
    pa_id, pb_id = find_person_id(ws, a), find_person_id(ws, b)
    return explain_tie(pa_id, pb_id, people=ws.built("people"), ties=ws.built("ties"),
                       interactions=ws.raw("interactions"), membership=ws.built("membership"),
                       sources=ws.sources(), max_evidence=max_evidence)


def _best_identifier(ws: Workspace, person_id: str) -> str:
    from reach.identity import KIND_PRIORITY

    mem = pl.from_arrow(ws.built("membership")).filter(pl.col("person_id") == person_id)
    ids = pl.from_arrow(ws.built("identifiers")).join(mem, on="record_id")
    ids = ids.with_columns(pl.col("kind").replace_strict(KIND_PRIORITY, return_dtype=pl.Int32).alias("p"))
    row = ids.sort("p", "value").row(0, named=True)
    return f"{row['kind']}:{row['value']}"


def merge_people(workspace: str | os.PathLike[str] | Workspace, a: str, b: str) -> str:
    """Record that two people are one; holds on every later build. Returns the merged person_id."""
    ws = _open(workspace)
    ida, idb = _best_identifier(ws, find_person_id(ws, a)), _best_identifier(ws, find_person_id(ws, b))
    ov = ws.overrides()
    ov.setdefault("merge", [])
    if [ida, idb] not in ov["merge"] and ida != idb:
        ov["merge"].append([ida, idb])
    with ws.lock():
        ws.write_overrides(ov)
    return find_person_id(ws, a)


def split_person(workspace: str | os.PathLike[str] | Workspace, query: str, *, on: str | None = None,
                 record: str | None = None) -> None:
    """Stop merging on identifier ``on`` ("kind:value"), or make record ``record`` ("source_id:line") stand alone."""
    from reach.errors import ReachError

    ws = _open(workspace)
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


def forget(workspace: str | os.PathLike[str] | Workspace, query: str) -> dict[str, int]:
    """Remove a person and every record, identifier, interaction and reject line of theirs from the workspace.

    Raw partitions are rewritten without them, overrides that name their identifiers are dropped, the
    owner label of sources they owned is cleared, and the build is redone. Source files are still
    known by their hash, so re-importing the same file does not bring them back.
    """
    ws = _open(workspace)
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
        for sid in ws.source_ids():
            for name, cond in (
                ("records", pl.col("record_id").is_in(rec_ids.implode())),
                ("interactions", pl.col("src_record").is_in(rec_ids.implode())
                 | pl.col("dst_record").is_in(rec_ids.implode())),
                ("rejects", pl.any_horizontal([pl.col("excerpt").str.to_lowercase().str.contains(n, literal=True)
                                               for n in lowered]).fill_null(False) if lowered else pl.lit(False)),
            ):
                path = ws.raw_path(name, sid)
                if not path.exists():
                    continue
                table = pl.from_arrow(ws.raw_table(name, sid))
                drop = table.filter(cond)
                if drop.height:
                    counts[name] += drop.height
                    ws.replace_raw(name, sid, table.filter(~cond).to_arrow())
        src = pl.from_arrow(ws.sources())
        src = src.with_columns(pl.when(pl.col("owner").str.to_lowercase().is_in(lowered)).then(None)
                               .otherwise(pl.col("owner")).alias("owner"))
        ws.replace_sources(src.to_arrow())
        ov = ws.overrides()
        refs = {f"{k}:{v}" for k, v in ids.select("kind", "value").iter_rows()}
        ov["merge"] = [p for p in ov.get("merge", []) if not set(p) & refs]
        ov["ignore"] = [r for r in ov.get("ignore", []) if r not in refs]
        ws.write_overrides(ov)
        ws.clear_build()
    build(ws, settings=load_settings(ws), force=True)
    return counts
