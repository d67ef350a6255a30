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

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from reach.algorithms.neighbourhood import ReachResult, two_hop_reach
from reach.algorithms.separation import shortest_path
from reach.algorithms.stats import NetworkStats, network_stats
from reach.errors import InputFormatError, NoPath, PersonNotFound, WorkspaceError
from reach.graph import ReachGraph, build_graph
from reach.identity import ResolveSettings, resolve
from reach.io.files import sha256_file
from reach.io.formats import Format, detect_format, get_format
from reach.people import find_person, lookup_people
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


def _is_export_folder(path: Path) -> bool:
    """A folder that is one export as a whole (a Slack export, a maildir), not a folder of exports."""
    from reach.io.formats import registry

    return any(f.accepts_dirs and f.sniff("", path) > 0 for f in registry().values())


def expand_paths(paths: list[str | os.PathLike[str]]) -> list[Path]:
    """Files named directly; folders that are one export (Slack, maildir) as they are; and every
    non-hidden file or export folder under other folders (sorted)."""
    out: list[Path] = []

    def walk(folder: Path) -> None:
        for child in sorted(folder.iterdir()):
            if child.name.startswith("."):
                continue
            if child.is_dir():
                if _is_export_folder(child):
                    out.append(child)
                else:
                    walk(child)
            elif child.is_file():
                out.append(child)

    for p in map(Path, paths):
        if p.is_dir() and not _is_export_folder(p):
            walk(p)
        else:
            out.append(p)
    return out


def content_hash(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (relative names and contents, in sorted order)."""
    if not path.is_dir():
        return sha256_file(path)
    import hashlib

    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(path)).encode() + b"\0")
        h.update(bytes.fromhex(sha256_file(f)))
    return h.hexdigest()


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else path.stat().st_size


def _with_source(parsed_records: pa.Table, parsed_inter: pa.Table, parsed_rejects: pa.Table, *,
                 source_id: str, path: str, base: int) -> dict[str, pa.Table]:
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

    inter = conform(shifted(parsed_inter, ("src_record", "dst_record"), {"source_id": source_id}), INTERACTIONS) \
        if parsed_inter.num_rows else INTERACTIONS.empty_table()
    return {
        "records": conform(shifted(parsed_records, ("record_id",), {"source_id": source_id}), RECORDS)
        if parsed_records.num_rows else RECORDS.empty_table(),
        "interactions": with_pair_event_keys(inter),
        "rejects": conform(shifted(parsed_rejects, (), {"source_id": source_id, "path": path}), REJECTS)
        if parsed_rejects.num_rows else REJECTS.empty_table(),
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
        sha = content_hash(path)
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
            "n_bytes": _size(path), "n_rows": parsed.n_rows,
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
    except OSError as exc:
        result.error = f"{path}: cannot read: {exc.strerror or exc}"
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
    n_fuzzy = resolved["fuzzy"].num_rows
    if n_ignored:
        log.warning("%d shared emails/phones were not used to merge people", n_ignored)
    if n_fuzzy:
        log.info("%d record pairs merged by the fuzzy name+company tier", n_fuzzy)
    return {"people": resolved["people"].num_rows, "ties": ties.num_rows, "rebuilt": 1, "ignored": n_ignored,
            "fuzzy_merges": n_fuzzy}


def load_graph(workspace: str | os.PathLike[str] | Workspace) -> ReachGraph:
    """Build (if needed) and load the workspace's relationship graph."""
    ws = workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)
    build(ws)
    return build_graph(ws.built("people"), ws.built("ties"))


# ------------------------------------------------------------------ queries
def resolve_people(rg: ReachGraph, queries: list[str]) -> list[int]:
    """Vertex index for each person reference (see :func:`reach.people.find_person`); the first unknown or
    ambiguous reference raises :class:`PersonNotFound`."""
    found = lookup_people(rg.people, list(queries))
    for f in found:
        if isinstance(f, PersonNotFound):
            raise f
    return [rg.vertex(f) for f in found]


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
    eids = rg.edge_ids(verts).tolist()
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
    """Build settings from the workspace's ``settings.toml`` ([resolve] and [strength]) and ``overrides.json``,
    with the last ``reach run`` config's [strength]/[resolve] on top (:meth:`Workspace.run_settings`)."""
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
    res = data.get("resolve", {})
    if not isinstance(res, dict):
        msg = f"{ws.settings_path}: expected a table [resolve], got {type(res).__name__}"
        raise ConfigError(msg)
    run = ws.run_settings()  # the last run config's sections win, key by key
    where = f"{ws.settings_path}" + (f" (+ {ws.run_settings_path})" if run else "")
    resolve_settings = ResolveSettings.from_dict({**res, **run.get("resolve", {})}, where=f"{where} [resolve]",
                                                 overrides=Overrides.from_dict(ws.overrides()))
    strength = StrengthSettings.from_dict({**data.get("strength", {}), **run.get("strength", {})},
                                          where=f"{where} [strength]")
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


# ------------------------------------------------------------------ warm introductions
def team_vertices(rg: ReachGraph, team: list[str] | None) -> list[int]:
    """Vertices of the named team members, or of every owner of an import when ``team`` is empty."""
    if team:
        return resolve_people(rg, team)
    owners = rg.people.with_row_index("v").filter(pl.col("owner").is_not_null())["v"].to_list()
    if not owners:
        msg = "no team: name team members with --from (nothing was imported with --owner)"
        raise WorkspaceError(msg)
    return [int(v) for v in owners]


def tie_evidence(ties: pl.DataFrame) -> pl.Series:
    """One readable line per tie: counts per channel, first and last contact, number of sources."""
    def part(col: str, label: str) -> pl.Expr:
        return pl.when(pl.col(col) > 0).then(pl.format(f"{{}} {label}", pl.col(col))).otherwise(None)

    need = {"n_emails": 0, "n_meetings": 0, "n_messages": 0, "n_connections": 0, "n_edges": 0, "n_other": 0,
            "n_sources": 0}
    ties = ties.with_columns([pl.lit(v).alias(c) for c, v in need.items() if c not in ties.columns])
    if "last_at" not in ties.columns:
        ties = ties.with_columns(pl.lit(None, pl.Datetime("us", "UTC")).alias("last_at"))
    conn = pl.when(pl.col("n_connections") > 0).then(pl.lit("connected")).otherwise(None)
    last = pl.when(pl.col("last_at").is_not_null()).then(
        pl.format("last {}", pl.col("last_at").dt.strftime("%Y-%m-%d"))).otherwise(None)
    srcs = pl.format("{} source(s)", pl.col("n_sources"))
    expr = pl.concat_str([part("n_emails", "emails"), part("n_meetings", "meetings"), part("n_messages", "messages"),
                          conn, part("n_edges", "edge-list lines"), part("n_other", "other"), last, srcs],
                         separator=", ", ignore_nulls=True)
    return ties.select(expr.alias("why"))["why"]


def describe_paths(rg: ReachGraph, paths: pl.DataFrame) -> pl.DataFrame:
    """Add names, ids and per-tie evidence to vertex-index paths (the output of warm_intro_paths)."""
    names = rg.people["display_name"].fill_null(rg.people["person_id"]).to_numpy()
    ids = rg.person_ids
    used = sorted({int(e) for es in paths["edges"].to_list() for e in es}) if paths.height else []
    why: dict[int, str] = {}
    if used and rg.ties is not None and rg.ties.height:  # evidence for the ties on these paths only
        why = dict(zip(used, tie_evidence(rg.ties[used]).to_list(), strict=True))
    rows = []
    for r in paths.iter_rows(named=True):
        p = r["path"]
        steps = [f"{names[a]} - {names[b]} ({rg.strength[e]:.2f}: {why[e]})"
                 for a, b, e in zip(p[:-1], p[1:], r["edges"], strict=True)]
        rows.append({
            "target_id": ids[r["target"]], "target": names[r["target"]], "rank": r["rank"], "hops": r["hops"],
            "strength": round(float(r["strength"]), 6), "bottleneck": round(float(r["bottleneck"]), 6),
            "member_id": ids[r["member"]], "member": names[r["member"]],
            "introducer_id": ids[r["introducer"]] if r["hops"] > 1 else None,
            "introducer": names[r["introducer"]] if r["hops"] > 1 else None,
            "path": " -> ".join(str(names[v]) for v in p), "why": " | ".join(steps) or "a team member",
            "best_strength": round(float(r["best_strength"]), 6),
        })
    schema = {"target_id": pl.String, "target": pl.String, "rank": pl.Int64, "hops": pl.Int64, "strength": pl.Float64,
              "bottleneck": pl.Float64, "member_id": pl.String, "member": pl.String, "introducer_id": pl.String,
              "introducer": pl.String, "path": pl.String, "why": pl.String, "best_strength": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


@dataclass
class IntroReport:
    paths: pl.DataFrame
    unreached: list[str]
    team: list[str]

    def as_dict(self) -> dict:
        return {"team": self.team, "paths": self.paths.to_dicts(), "unreached": self.unreached}


def allowed_ties(rg: ReachGraph, *, since: datetime | None) -> np.ndarray | None:
    """Mask of ties usable for routing: dated ties last active before ``since`` are left out."""
    if since is None or rg.ties is None:
        return None
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    last = rg.ties["last_at"]
    return (last.is_null() | (last >= since)).to_numpy()


def intros(workspace: str | os.PathLike[str] | Workspace | ReachGraph, targets: list[str], *, team: list[str] | None = None,
           max_hops: int = 2, top_k: int = 3, max_asks: int | None = None, do_not_ask: list[str] | None = None,
           since: datetime | None = None) -> IntroReport:
    """Ranked warm-intro paths from the team to each target, with the evidence behind every tie."""
    from reach.algorithms.intros import warm_intro_paths

    rg = workspace if isinstance(workspace, ReachGraph) else load_graph(workspace)
    team_v = team_vertices(rg, team)
    target_v = resolve_people(rg, targets)
    blocked = np.array(resolve_people(rg, do_not_ask), dtype=np.int64) if do_not_ask else None
    res = warm_intro_paths(rg, np.array(team_v), np.array(target_v), max_hops=max_hops, top_k=top_k,
                           max_asks=max_asks, blocked=blocked, allowed_edges=allowed_ties(rg, since=since))
    return IntroReport(paths=describe_paths(rg, res.paths), unreached=[str(rg.person_ids[v]) for v in res.unreached],
                       team=[str(rg.person_ids[v]) for v in team_v])


# ------------------------------------------------------------------ recruiter, sales and team views
def candidates(workspace: str | os.PathLike[str] | Workspace | ReachGraph, *, title: str | None = None,
               company: str | None = None, location: str | None = None, regex: bool = False,
               people_list: list[str] | None = None, team: list[str] | None = None,
               exclude_companies: list[str] | None = None, exclude_domains: list[str] | None = None,
               max_hops: int = 2, limit: int = 100) -> pl.DataFrame:
    """People matching the filters within ``max_hops`` of the team, each with their best introducer.

    People at the team's own company (its company names and non-free-mail email domains, plus
    ``exclude_companies``/``exclude_domains``) are left out. Sorted by path strength.
    """
    from reach.algorithms.intros import warm_intro_paths
    from reach.identity import company_key
    from reach.views import at_companies, matches_text, own_company

    rg = workspace if isinstance(workspace, ReachGraph) else load_graph(workspace)
    team_v = np.array(team_vertices(rg, team), dtype=np.int64)
    ppl = rg.people.with_row_index("v")
    cond = matches_text("title", title, regex=regex) & matches_text("company", company, regex=regex) \
        & matches_text("location", location, regex=regex)
    if people_list:
        cond = cond & pl.col("v").is_in(resolve_people(rg, people_list))
    companies, domains = own_company(rg, team_v)
    companies |= {pl.select(company_key(pl.lit(c))).item() for c in exclude_companies or [] if c}
    domains |= {d.lower().lstrip("@") for d in exclude_domains or []}
    ppl = ppl.with_columns(at_companies(rg.people, companies, domains).alias("own"))
    pool = ppl.filter(cond & ~pl.col("own") & ~pl.col("v").is_in(team_v.tolist()))
    res = warm_intro_paths(rg, team_v, pool["v"].to_numpy().astype(np.int64), max_hops=max_hops, top_k=1)
    paths = describe_paths(rg, res.paths)
    info = rg.people.select(pl.col("person_id").alias("target_id"), "title", "company", "location")
    out = paths.join(info, on="target_id", how="left").sort(["hops", "strength"], descending=[False, True])
    return out.select("target_id", "target", "title", "company", "location", "hops", "strength", "bottleneck",
                      "member", "introducer", "path", "why").rename({"target_id": "person_id", "target": "name"}).head(limit)


def accounts(workspace: str | os.PathLike[str] | Workspace | ReachGraph, account_lines: list[str], *,
             team: list[str] | None = None, top_titles: int = 3) -> dict[str, pl.DataFrame]:
    """Coverage of target accounts: people known there, share within 1 and 2 hops, best paths to the most
    senior people, and the team members who carry each account.

    Returns ``coverage`` (one row per account), ``paths`` (best path to the ``top_titles`` most senior
    people of each account) and ``carriers`` (per account and team member: people within 1 and 2 hops).
    """
    from reach.algorithms.intros import warm_intro_paths
    from reach.algorithms.neighbourhood import bfs_distances
    from reach.views import at_companies, parse_account, seniority

    rg = workspace if isinstance(workspace, ReachGraph) else load_graph(workspace)
    team_v = np.array(team_vertices(rg, team), dtype=np.int64)
    dist = bfs_distances(rg, team_v, max_hops=2)
    member_dist = [bfs_distances(rg, np.array([m]), max_hops=2) for m in team_v]
    cov_rows, path_frames, carrier_rows = [], [], []
    for line in account_lines:
        acct = parse_account(line)
        mask = at_companies(rg.people, acct.companies, acct.domains).to_numpy()
        mask[team_v] = False
        verts = np.nonzero(mask)[0]
        d = dist[verts]
        cov_rows.append({"account": acct.label, "n_people": int(verts.size),
                         "n_hop1": int(np.count_nonzero(d == 1)), "n_hop2": int(np.count_nonzero(d == 2)),
                         "coverage_1hop": round(float(np.mean(d == 1)), 4) if verts.size else 0.0,
                         "coverage_2hop": round(float(np.mean((d >= 1) & (d <= 2))), 4) if verts.size else 0.0})
        for m, md in zip(team_v, member_dist, strict=True):
            dm = md[verts]
            if np.any((dm >= 1) & (dm <= 2)):
                carrier_rows.append({"account": acct.label, "member": rg.people["display_name"][int(m)],
                                     "member_id": str(rg.person_ids[m]), "n_hop1": int(np.count_nonzero(dm == 1)),
                                     "n_hop2": int(np.count_nonzero(dm == 2))})
        if verts.size:
            senior = rg.people[verts.tolist()].with_columns(pl.Series("v", verts), seniority(pl.col("title")).alias("rank"))
            top = senior.sort(["rank", "person_id"], descending=[True, False]).head(top_titles)
            res = warm_intro_paths(rg, team_v, top["v"].to_numpy().astype(np.int64), top_k=1)
            if res.paths.height:
                path_frames.append(describe_paths(rg, res.paths).with_columns(pl.lit(acct.label).alias("account")))
    coverage = pl.DataFrame(cov_rows, schema={"account": pl.String, "n_people": pl.Int64, "n_hop1": pl.Int64,
                                              "n_hop2": pl.Int64, "coverage_1hop": pl.Float64,
                                              "coverage_2hop": pl.Float64})
    paths = pl.concat(path_frames) if path_frames else describe_paths(rg, pl.DataFrame(
        schema={"target": pl.Int64, "rank": pl.Int64, "hops": pl.Int64, "strength": pl.Float64,
                "bottleneck": pl.Float64, "member": pl.Int64, "introducer": pl.Int64, "path": pl.List(pl.Int64),
                "edges": pl.List(pl.Int64), "best_strength": pl.Float64})).with_columns(pl.lit("").alias("account"))
    carriers = pl.DataFrame(carrier_rows, schema={"account": pl.String, "member": pl.String, "member_id": pl.String,
                                                  "n_hop1": pl.Int64, "n_hop2": pl.Int64})
    return {"coverage": coverage, "paths": paths.select("account", *[c for c in paths.columns if c != "account"]),
            "carriers": carriers.sort(["account", "n_hop1", "n_hop2"], descending=[False, True, True])}


def team_plan(workspace: str | os.PathLike[str] | Workspace | ReachGraph, *, team: list[str] | None = None,
              targets: list[str] | None = None, hops: int = 2, top: int = 10) -> dict[str, pl.DataFrame]:
    """Greedy team order by unique reach added, and the best single new connections for a target list."""
    from reach.views import best_new_connections, greedy_team_order

    rg = workspace if isinstance(workspace, ReachGraph) else load_graph(workspace)
    team_v = np.array(team_vertices(rg, team), dtype=np.int64)
    order = greedy_team_order(rg, team_v, hops=hops)
    names = rg.people.with_row_index("vertex").select(pl.col("vertex").cast(pl.Int64), "person_id", "display_name")
    order = order.join(names, on="vertex").sort("order").drop("vertex")
    out = {"order": order.select("order", "person_id", "display_name", "n_reach", "n_new", "n_cumulative")}
    if targets:
        best = best_new_connections(rg, team_v, np.array(resolve_people(rg, targets), dtype=np.int64), top=top)
        out["connections"] = best.join(names, on="vertex").select(
            "person_id", "display_name", "n_targets_gained", "distance").sort(
            ["n_targets_gained", "person_id"], descending=[True, False])
    return out


# ------------------------------------------------------------------ communities and brokers
def communities(workspace: str | os.PathLike[str] | Workspace | ReachGraph, *, team: list[str] | None = None,
                resolution: float | str = "auto", seed: int = 0, method: str = "leiden"):
    """Communities of the relationship graph and what each holds (companies, domains, team reach)."""
    from reach.algorithms.communities import detect_communities, summarise_communities

    rg = workspace if isinstance(workspace, ReachGraph) else load_graph(workspace)
    res = detect_communities(rg, method=method, resolution=resolution, seed=seed)
    try:
        team_v = np.array(team_vertices(rg, team), dtype=np.int64)
    except WorkspaceError:
        team_v = np.zeros(0, dtype=np.int64)
    return res, summarise_communities(res, rg.people, team_v)


def brokers(workspace: str | os.PathLike[str] | Workspace | ReachGraph, *, team: list[str] | None = None,
            targets: list[str] | None = None, seed: int = 0, top: int = 20) -> pl.DataFrame:
    """People who bridge: betweenness, constraint, and (with a team and targets) targets lost without them."""
    from reach.algorithms.brokers import brokers as brokers_fn
    from reach.algorithms.communities import detect_communities

    rg = workspace if isinstance(workspace, ReachGraph) else load_graph(workspace)
    team_v = np.array(team_vertices(rg, team), dtype=np.int64) if (team or targets) else None
    target_v = np.array(resolve_people(rg, targets), dtype=np.int64) if targets else None
    membership = detect_communities(rg, seed=seed).labels
    if target_v is None:
        return brokers_fn(rg, sources=team_v, targets=None, membership=membership, seed=seed, top=top)
    # with targets, the brokers that matter are those the team's paths to the targets depend on
    rows = brokers_fn(rg, sources=team_v, targets=target_v, membership=membership, seed=seed, top=rg.n_people)
    rows = rows.sort(["n_targets_lost", "n_targets_via", "betweenness"], descending=True).head(top)
    return rows.with_columns(pl.int_range(1, pl.len() + 1).alias("rank"))
