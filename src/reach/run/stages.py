"""The stages of a run, in order: each takes the run state and says what it did."""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from reach.errors import ConfigError, PersonNotFound, WorkspaceError
from reach.io.files import atomic_write_text, ensure_private_dir
from reach.run.config import LAST_RUN, TMP_PREFIX, RunConfig
from reach.run.publish import publish
from reach.run.summary import Progress, RunSummary

log = logging.getLogger("reach.run")


@dataclass
class State:
    """What the stages of one run share: the config, the summary, the graph, the tables so far."""

    cfg: RunConfig
    summary: RunSummary
    progress: Progress
    final: Path
    now: datetime
    tmp: Path | None = None
    ws: Any = None
    rg: Any = None
    team_v: np.ndarray | None = None
    imports: list = field(default_factory=list)
    target_rows: list[dict] = field(default_factory=list)
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    community_labels: np.ndarray | None = None
    previous: Path | None = None  # the last finished run's outputs folder
    previous_keys: dict = field(default_factory=dict)  # its analysis keys (see _reuse)
    keys: dict = field(default_factory=dict)
    build_fingerprint: str | None = None  # digest of the build the graph was read from
    do_not_ask: tuple[str, ...] = ()  # person ids
    candidate_people: tuple[str, ...] = ()  # person ids

    @property
    def team_ids(self) -> list[str]:
        return [str(self.rg.person_ids[v]) for v in self.team_v]

    def tick(self, done: int, total: int | None) -> None:
        self.progress.tick(done, total)


# ------------------------------------------------------------------ stages
GRAPHML_AUTO_MAX_TIES = 1_000_000  # graphml = "auto": larger graphs make files of gigabytes Gephi cannot open


def stage_import(st: State) -> dict:
    """Import every source file; files already imported (same SHA-256) are skipped."""
    from reach.imports import import_paths
    from reach.workspace import Workspace

    cfg = st.cfg
    st.ws = Workspace.open(cfg.workspace, create=True)
    jobs = [(f, src) for src in cfg.sources for f in src.files]
    for i, (f, src) in enumerate(jobs, 1):
        result = import_paths(
            cfg.workspace, [f], fmt=src.format, owner=src.owner, options=src.options or None, source=src.name
        )
        st.imports.extend(result.files)
        st.tick(i, len(jobs))
    s = st.summary
    s.files = {
        "total": len(st.imports),
        **{k: sum(f.status == k for f in st.imports) for k in ("imported", "unchanged", "failed")},
    }
    for f in st.imports:
        if f.status == "failed":
            s.notes.append(f"import failed: {f.error}")
        elif f.change:
            s.notes.append(f"{f.path}: {f.change.text()}")
    sids = {f.source_id for f in st.imports if f.source_id and f.status != "failed"}
    sources = pl.from_arrow(st.ws.sources())
    s.rows = int(sources.filter(pl.col("source_id").is_in(list(sids)))["n_rows"].sum()) if sids else 0
    rejects = pl.from_arrow(st.ws.raw("rejects"))
    rejects = rejects.filter(pl.col("source_id").is_in(list(sids))) if sids else rejects.head(0)
    st.tables["rejects"] = rejects.sort("path", "line")
    s.rejects = rejects.height
    s.reject_rate = round(s.rejects / s.rows, 6) if s.rows else 0.0
    known = {r["source_id"]: r for r in sources.iter_rows(named=True)}
    cols = ("format", "n_rows", "n_records", "n_interactions", "n_rejects")
    st.tables["imports"] = pl.DataFrame(
        [
            {
                "path": f.path,
                "status": f.status,
                "source_id": f.source_id,
                "error": f.error,
                **{
                    k: (known[f.source_id][k] if f.status == "unchanged" and f.source_id in known else getattr(f, k))
                    for k in cols
                },
            }
            for f in st.imports
        ],
        schema={
            "path": pl.String,
            "status": pl.String,
            "format": pl.String,
            "source_id": pl.String,
            "n_rows": pl.Int64,
            "n_records": pl.Int64,
            "n_interactions": pl.Int64,
            "n_rejects": pl.Int64,
            "error": pl.String,
        },
    )
    return {**s.files, "rejects": s.rejects}


def stage_build(st: State) -> dict:
    """Resolve people and compute tie strengths (skipped when sources and settings are unchanged)."""
    from reach.builder import build

    # the config's [strength]/[resolve] become the workspace's until the next run, so that commands run
    # on this workspace afterwards see the same graph (settings.load_settings applies them)
    given = {k: v for k, v in (("strength", st.cfg.strength), ("resolve", st.cfg.resolve)) if v}
    st.ws.write_run_settings({"config": str(st.cfg.path), **given} if given else None)
    res = build(st.ws)
    st.summary.rebuilt = bool(res.get("rebuilt"))
    return {"people": int(res["people"]), "ties": int(res["ties"]), "rebuilt": st.summary.rebuilt}


def stage_graph(st: State) -> dict:
    """Load the graph, find the team and the targets."""
    from reach.features import team_vertices
    from reach.graph import build_graph
    from reach.people import lookup_people

    built, st.build_fingerprint = st.ws.built_together(("people", "ties"))
    st.rg = rg = build_graph(built["people"], built["ties"])
    try:
        st.team_v = team_vertices(rg, st.cfg.team)
    except PersonNotFound as exc:
        msg = f"{st.cfg.path}: team: {exc}"
        raise ConfigError(msg) from exc
    except WorkspaceError as exc:  # no team given and no import has an owner
        msg = (
            f'{st.cfg.path}: team: no team members; list them (`team = ["ana@example.com", ...]`) '
            "or give the sources an `owner`"
        )
        raise ConfigError(msg) from exc
    rows = []
    for ref, found in zip(st.cfg.targets, lookup_people(rg.people, list(st.cfg.targets)), strict=True):
        if isinstance(found, PersonNotFound):
            rows.append({"target": ref, "person_id": None, "found": False, "note": str(found)})
            st.summary.notes.append(f"target {ref!r}: {found}")
            continue
        p = rg.people.row(rg.vertex(found), named=True)
        rows.append(
            {
                "target": ref,
                "person_id": found,
                "name": p.get("display_name"),
                "company": p.get("company"),
                "title": p.get("title"),
                "found": True,
            }
        )
    st.target_rows = rows
    st.do_not_ask = _person_ids(st, rg, st.cfg.intros.get("do_not_ask") or (), "intros.do_not_ask")
    st.candidate_people = _person_ids(st, rg, st.cfg.candidates.get("people") or (), "candidates.people")
    if st.cfg.pseudonymise:  # from here on every stage sees hashed names (reach.privacy), so every output has them
        _pseudonymise(st)
        rg = st.rg
    s = st.summary
    s.people, s.ties, s.team, s.targets = rg.n_people, rg.n_ties, len(st.team_v), len(rows)
    return {
        "people": rg.n_people,
        "ties": rg.n_ties,
        "team": len(st.team_v),
        "targets_found": sum(r["found"] for r in rows),
    }


def _person_ids(st: State, rg, refs, key: str) -> tuple[str, ...]:
    """The person ids of the people a config key names (a reference that matches nobody is a config error)."""
    from reach.features import resolve_people

    try:
        return tuple(str(rg.person_ids[v]) for v in resolve_people(rg, list(refs)))
    except PersonNotFound as exc:
        msg = f"{st.cfg.path}: {key}: {exc}"
        raise ConfigError(msg) from exc


def _pseudonymise(st: State) -> None:
    """Swap in the pseudonymised graph and hash what the targets and notes say of people."""
    from reach.privacy import pseudonym, pseudonymise_frame, pseudonymised_graph

    key = st.ws.secret_key()
    st.rg = pseudonymised_graph(st.rg, key)
    for name in ("rejects", "imports"):  # the raw rows' excerpts, and file names (which can hold names)
        if name in st.tables:
            st.tables[name] = pseudonymise_frame(st.tables[name], key)
    names = st.rg.people["display_name"]
    for r in st.target_rows:
        r["target"] = pseudonym(r["target"], key)
        if r["found"]:
            r["name"] = names[st.rg.vertex(r["person_id"])]
        else:
            r["note"] = "no single person matches this reference"
    st.summary.notes = [n for n in st.summary.notes if not n.startswith("target ")]
    st.summary.notes += [f"target {r['target']}: {r['note']}" for r in st.target_rows if not r["found"]]


def stage_intros(st: State) -> dict:
    """Warm-intro paths to the targets, recruiter candidates and sales account coverage."""
    from reach.features import (
        AccountsOptions,
        CandidatesOptions,
        IntrosOptions,
        accounts,
        candidates,
        intros,
    )
    from reach.reports.outputs import conform
    from reach.strength_labels import strength_label

    cfg, rg = st.cfg, st.rg
    found = tuple(dict.fromkeys(r["person_id"] for r in st.target_rows if r["found"]))
    team = tuple(st.team_ids)
    o = {**cfg.intros, "do_not_ask": st.do_not_ask}
    paths = intros(rg, IntrosOptions(targets=found, team=team, **o)).paths if found else None
    st.tables["intros"] = paths = conform(paths, "intros")
    st.tick(1, 3)
    best = {r["target_id"]: r for r in paths.filter(pl.col("rank") == 1).iter_rows(named=True)}
    n_paths = dict(paths.group_by("target_id").len().iter_rows()) if paths.height else {}
    for r in st.target_rows:
        b = best.get(r["person_id"])
        r.update(
            {
                "reachable": b is not None,
                "hops": b["hops"] if b else None,
                "best_strength": b["best_strength"] if b else None,
                "strength_label": strength_label(b["best_strength"]) if b else None,
                "best_path": b["path"] if b else None,
                "n_paths": int(n_paths.get(r["person_id"], 0)),
            }
        )
        if not r["found"]:
            r["reachable"] = False
    st.tables["targets"] = conform(
        pl.DataFrame(st.target_rows, infer_schema_length=None) if st.target_rows else None, "targets"
    )
    st.summary.targets_reachable = sum(bool(r.get("reachable")) for r in st.target_rows)

    c = {**cfg.candidates, "people": st.candidate_people}
    st.tables["candidates"] = candidates(rg, CandidatesOptions(team=team, **c))
    st.summary.candidates = st.tables["candidates"].height
    st.tick(2, 3)
    if cfg.accounts:
        st.tables.update(accounts(rg, AccountsOptions(accounts=tuple(cfg.accounts), team=team)).tables())
    st.summary.accounts = len(cfg.accounts)
    st.tick(3, 3)
    return {
        "targets": len(st.target_rows),
        "reachable": st.summary.targets_reachable,
        "paths": paths.height,
        "candidates": st.summary.candidates,
        "accounts": len(cfg.accounts),
    }


def stage_reach(st: State) -> dict:
    """Team reach within two hops, greedy team order, best new connections, who is reached by whom."""
    from reach.features import ReachedOptions, ReachOptions, TeamOptions, reached, team_plan, team_reach

    team = tuple(st.team_ids)
    rr = team_reach(st.rg, ReachOptions(sources=team, hops=2))
    targets = tuple(r["person_id"] for r in st.target_rows if r["found"])
    st.tables.update(team_plan(st.rg, TeamOptions(team=team, targets=targets)).tables())
    st.tick(1, 2)
    st.tables["reached"] = reached(st.rg, ReachedOptions(team=team, hops=2))
    s = st.summary
    s.team_reach = int(rr.team["n_total"])
    st.stats.update(
        {
            "team_size": len(st.team_v),
            "team_hop1": rr.team["n_hop1"],
            "team_hop2": rr.team["n_hop2"],
            "team_total": rr.team["n_total"],
        }
    )
    st.tick(2, 2)
    return {"team_hop1": rr.team["n_hop1"], "team_hop2": rr.team["n_hop2"], "team_total": rr.team["n_total"]}


RUN_BROKERS = 100  # brokers in a run's brokers table


def stage_communities(st: State) -> dict:
    """Communities (Leiden, self-consistent resolution) and brokers, or the last run's when nothing changed."""
    from reach.features import BrokersOptions, CommunitiesOptions, brokers, communities

    rg = st.rg
    reused = _reuse(st, "communities", ["communities", "community_members", "brokers", "stats"])
    if reused is not None:
        members = rg.people.select("person_id").join(
            reused["community_members"], on="person_id", how="left", maintain_order="left"
        )
        if members["community"].null_count() == 0 and reused["community_members"].height == rg.n_people:
            st.community_labels = members["community"].to_numpy().astype(np.int64)
            st.tables.update({k: reused[k] for k in ("communities", "community_members", "brokers")})
            n, modularity = reused["communities"].height, float(reused["stats"]["modularity"][0])
            st.summary.communities, st.summary.modularity = n, round(modularity, 6)
            st.stats.update({"communities": n, "modularity": modularity})
            return {"communities": n, "modularity": round(modularity, 4), "reused": True}
    team = tuple(st.team_ids)
    rep = communities(rg, CommunitiesOptions(team=team, seed=st.cfg.seed, **st.cfg.communities))
    st.community_labels, modularity = rep.labels, float(rep.result.modularity)
    st.tables.update(rep.tables())
    st.tables["brokers"] = brokers(
        rg, BrokersOptions(team=team, top=RUN_BROKERS, seed=st.cfg.seed), membership=rep.labels
    )
    n = int(rep.summary.height)
    st.summary.communities, st.summary.modularity = n, round(modularity, 6)
    st.stats.update({"communities": n, "modularity": modularity})
    return {"communities": n, "modularity": round(modularity, 4), "reused": False}


def stage_stats(st: State) -> dict:
    """Size, components, clustering and the distance distribution."""
    from reach.features import StatsOptions, stats

    o = st.cfg.stats
    reused = _reuse(st, "stats", ["stats", "distances"])
    if reused is not None:
        row = reused["stats"].row(0, named=True)
        st.stats.update({k: row[k] for k in STATS_GRAPH_COLUMNS})
        st.tables["distances"] = reused["distances"]
        return {
            "components": row["components"],
            "average_distance": row["average_distance"],
            "diameter": row["diameter"],
            "reused": True,
        }
    rep = stats(st.rg, StatsOptions(exact_limit=o["exact_limit"], samples=o["samples"], seed=st.cfg.seed))
    d = rep.as_dict()
    st.stats.update({k: v for k, v in d.items() if k != "distance_distribution"})
    st.tables["distances"] = rep.distances
    return {
        "components": d["components"],
        "average_distance": d["average_distance"],
        "diameter": d["diameter"],
        "reused": False,
    }


def stage_report(st: State) -> dict:
    """Tables, changes since the previous run, GraphML, plots and HTML into a temp folder, then rename into place."""
    from reach.reports import outputs

    cfg, s, rg = st.cfg, st.summary, st.rg
    _finish_status(st)
    prev_dir = st.previous
    tables = _tables(st)
    if prev_dir is not None:
        previous = {n: outputs.read_output(prev_dir, n) for n in ("reached", "targets", "account_paths")}
        tables["changes"] = outputs.compute_changes(previous, tables, strength_change=cfg.strength_change)
        s.previous_outputs = str(prev_dir)
    else:
        tables["changes"] = outputs.empty("changes")
    s.changes = dict(sorted(tables["changes"].group_by("change").len().iter_rows())) if tables["changes"].height else {}

    parent = st.final.parent
    if not parent.exists():  # an existing folder (say a shared reports folder) keeps its permissions
        ensure_private_dir(parent)
    st.tmp = ensure_private_dir(parent / f"{TMP_PREFIX}{st.final.name}-{os.getpid()}-{secrets.token_hex(4)}")
    names = [n for n in outputs.OUTPUT_TABLES if n in tables]
    graphml = cfg.graphml is True or (cfg.graphml == "auto" and rg.n_ties <= GRAPHML_AUTO_MAX_TIES)
    if cfg.graphml == "auto" and not graphml:
        s.notes.append(
            f"graph.graphml not written: {rg.n_ties:,} ties would make a file of gigabytes; "
            "set [outputs] graphml = true to write it anyway"
        )
    steps = len(names) + int(graphml) + 4 * int(cfg.plots) + int(cfg.html) + 1
    done = 0
    for name in names:
        s.written += outputs.write_table(tables[name], st.tmp, name, csv=cfg.csv)
        done += 1
        st.tick(done, steps)
    if graphml:
        outputs.write_graphml(rg, st.tmp / "graph.graphml", community=st.community_labels, team=st.team_v)
        s.written.append("graph.graphml")
        done += 1
        st.tick(done, steps)
    images: dict[str, bytes] = {}
    if cfg.plots:
        for name, png in _plots(st, tables):
            images[name] = png
            s.written.append(f"plots/{name}.png")
            done += 1
            st.tick(done, steps)
    s.outputs = str(st.final)
    if cfg.html:
        from reach.reports.html import render_report

        s.written.append("report.html")
        report = render_report(s.as_dict(), {n: outputs.conform(tables[n], n) for n in names}, images)
        atomic_write_text(st.tmp / "report.html", report)
        done += 1
        st.tick(done, steps)
    s.written.append("summary.json")
    atomic_write_text(st.tmp / "summary.json", s.to_json())
    publish(st.tmp, st.final)
    st.tmp = None
    atomic_write_text(
        st.ws.root / LAST_RUN,
        json.dumps(
            {
                "outputs": str(st.final),
                "config": str(cfg.path),
                "started_at": s.started_at,
                "finished_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                "status": s.status,
                "analysis": st.keys,
            },
            indent=2,
        )
        + "\n",
    )
    st.tick(steps, steps)
    return {"files": len(s.written), "changes": int(tables["changes"].height), "outputs": str(st.final)}


def _finish_status(st: State) -> None:
    """Exit code 1 when files failed or rejects went over the thresholds, else 0."""
    cfg, s = st.cfg, st.summary
    warnings = []
    if s.files["failed"] > cfg.max_failed_files:
        warnings.append(f"{s.files['failed']} file(s) failed to import (allowed: {cfg.max_failed_files}); see imports")
    if cfg.max_rejects is not None and s.rejects > cfg.max_rejects:
        warnings.append(f"{s.rejects} rows set aside as rejects (allowed: {cfg.max_rejects})")
    if cfg.max_reject_rate is not None and s.rows and s.reject_rate > cfg.max_reject_rate:
        warnings.append(f"{s.reject_rate:.1%} of rows set aside as rejects (allowed: {cfg.max_reject_rate:.1%})")
    s.warnings = warnings
    s.status, s.exit_code = ("warnings", 1) if warnings else ("ok", 0)


def previous_run(ws_root: Path) -> tuple[Path | None, dict]:
    """The last finished run's outputs folder (None when there is none or it is gone) and its analysis keys."""
    path = ws_root / LAST_RUN
    if not path.exists():
        return None, {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        prev = Path(data["outputs"])
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("cannot read %s; changes since the last run are left out", path)
        return None, {}
    if not prev.is_dir():
        log.warning("the previous outputs %s are gone; changes since the last run are left out", prev)
        return None, {}
    keys = data.get("analysis")
    return prev, keys if isinstance(keys, dict) else {}


STATS_GRAPH_COLUMNS = (
    "people",
    "ties",
    "components",
    "largest_component_people",
    "largest_component_ties",
    "largest_component_share",
    "average_clustering",
    "triangles",
    "distance_exact",
    "average_distance",
    "diameter",
    "effective_diameter_90",
)  # stats.parquet from the graph alone


def _analysis_key(st: State, stage: str) -> str:
    """What a stage's result depends on: the built people and ties (their bytes), options, seed, team."""
    import hashlib

    from reach import __version__

    parts: dict[str, Any] = {
        "version": __version__,
        "seed": st.cfg.seed,
        "pseudonymise": st.cfg.pseudonymise,
        "build": st.build_fingerprint,  # the build this run's graph was read from, not what is on disk now
    }
    if stage == "communities":
        import importlib.util

        parts |= {
            "options": st.cfg.communities,
            "team": sorted(st.team_ids),
            "brokers": importlib.util.find_spec("reach.algorithms.brokers") is not None,
        }
    else:
        parts |= {"options": st.cfg.stats}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _reuse(st: State, stage: str, names: list[str]) -> dict[str, pl.DataFrame] | None:
    """The previous run's tables for ``stage`` when nothing it depends on changed (else None: compute).

    Communities and the distance distribution are the slow parts of a run on a large graph; an unchanged
    nightly run copies them from the last outputs instead of recomputing them.
    """
    from reach.reports.outputs import read_output

    key = st.keys[stage] = _analysis_key(st, stage)
    if st.previous is None or st.previous_keys.get(stage) != key:
        return None
    tables = {n: read_output(st.previous, n) for n in names}
    if any(t is None for n, t in tables.items() if n != "brokers"):
        return None
    if tables.get("brokers") is None:
        tables.pop("brokers", None)
    st.summary.notes.append(f"{stage}: unchanged since the last run, reused from {st.previous}")
    return tables


def _tables(st: State) -> dict[str, pl.DataFrame]:
    from reach.algorithms.neighbourhood import bfs_distances
    from reach.evidence import tie_evidence
    from reach.strength_labels import strength_label_expr, tie_reason

    rg, t = st.rg, dict(st.tables)
    ppl = rg.people
    dist = bfs_distances(rg, st.team_v)
    is_team = np.zeros(rg.n_people, dtype=bool)
    is_team[st.team_v] = True
    people = ppl.select("person_id", "display_name", "company", "title", "location", "emails").with_columns(
        pl.Series("is_team", is_team),
        pl.Series("distance", dist, dtype=pl.Int64),
        pl.Series("community", st.community_labels, dtype=pl.Int64)
        if st.community_labels is not None
        else pl.lit(None, pl.Int64).alias("community"),
        pl.Series("degree", rg.degree, dtype=pl.Int64),
    )
    t["people"] = people.with_columns(pl.when(pl.col("distance") >= 0).then(pl.col("distance")).alias("distance"))
    if rg.ties is not None and rg.ties.height:
        names = ppl.select("person_id", "display_name")
        ties = rg.ties.with_columns(
            strength_label_expr("strength").alias("strength_label"),
            tie_reason(rg.ties).alias("reason"),
            tie_evidence(rg.ties).alias("why"),
        )
        t["ties"] = ties.join(
            names.rename({"person_id": "person_a", "display_name": "name_a"}),
            on="person_a",
            how="left",
            maintain_order="left",
        ).join(
            names.rename({"person_id": "person_b", "display_name": "name_b"}),
            on="person_b",
            how="left",
            maintain_order="left",
        )
    stats = {
        "run_at": st.now.astimezone(UTC),
        **st.stats,
        "targets": st.summary.targets,
        "targets_reachable": st.summary.targets_reachable,
        "rejects": st.summary.rejects,
    }
    from reach.reports.outputs import OUTPUT_TABLES

    schema = OUTPUT_TABLES["stats"].schema
    t["stats"] = pl.DataFrame([{k: stats.get(k) for k in schema}], schema=schema)
    return t


def _plots(st: State, tables: dict[str, pl.DataFrame]):
    """Yield (name, PNG bytes) for each plot, saved under plots/."""
    from reach.reports import plots

    folder = ensure_private_dir(st.tmp / "plots")
    rg = st.rg
    intros = tables.get("intros")
    # names and tie strengths for the people on intro paths only (not a dict of the whole graph)
    on_paths = sorted({p for ps in intros["path_ids"].to_list() for p in (ps or [])}) if intros is not None else []
    verts = rg.vertices(on_paths)
    names = {pid: str(rg.people["display_name"][int(v)] or pid) for pid, v in zip(on_paths, verts, strict=True)}
    strengths: dict[tuple[str, str], float] = {}
    if intros is not None and intros.height:
        v_of = dict(zip(on_paths, verts.tolist(), strict=True))
        for ps in intros["path_ids"].to_list():
            p = [v_of[x] for x in ps or []]
            for a, b, e in zip(p[:-1], p[1:], rg.edge_ids(p).tolist(), strict=True):
                if e >= 0:
                    ids = (str(rg.person_ids[a]), str(rg.person_ids[b]))
                    strengths[ids] = strengths[ids[::-1]] = float(rg.strength[e])
    reachable = sorted(
        (r for r in st.target_rows if r.get("reachable") and r.get("hops")), key=lambda r: -(r["best_strength"] or 0.0)
    )
    top = list(dict.fromkeys(r["person_id"] for r in reachable))[: st.cfg.top_targets]
    figures = [
        (
            "distances",
            lambda: plots.distance_distribution(tables["distances"], exact=bool(st.stats.get("distance_exact", True))),
        ),
        ("team_reach", lambda: plots.team_reach(tables["team_reach"])),
        ("communities", lambda: plots.community_sizes(tables["communities"])),
        (
            "intro_paths",
            lambda: plots.intro_paths(
                intros if intros is not None else pl.DataFrame(),
                names=names,
                strengths=strengths,
                targets=top,
                max_targets=st.cfg.top_targets,
            ),
        ),
    ]
    for name, make in figures:
        fig = make()
        try:
            yield name, plots.save_png(fig, folder / f"{name}.png")
        finally:
            plots.close(fig)
