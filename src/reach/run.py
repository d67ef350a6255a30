"""`reach run PIPELINE.toml`: the whole job in one call, for a nightly schedule.

:func:`run_pipeline` validates the config (every problem at once, before any work), then runs the
stages in order: ``import`` (incremental: files already imported, by content hash, are skipped),
``build`` (people and ties; skipped when nothing changed), ``graph``, ``intros`` (targets, candidates,
accounts), ``reach`` (team reach and plan), ``communities``, ``stats``, ``report`` (tables, changes
since the previous run, GraphML, plots, HTML). It returns a :class:`RunSummary` whose ``exit_code`` is
0 (ok), 1 (finished, but files failed or rejects went over the thresholds) or 2 (a stage failed).

Safety: a second run on the same workspace is refused while one is going (an OS lock on
``WORKSPACE/run.lock``, released by the kernel if the process dies). Outputs are written into a temp
folder beside the final one and renamed into place at the end, so a killed or failed run leaves the
previous outputs as they were and never a half-written file. The previous run's folder is remembered
in ``WORKSPACE/last_run.json``, which the next run compares against.

Config keys (paths relative to the config file) are described in :func:`load_run_config` and in
``docs/outputs.md``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import glob as globlib
import json
import logging
import os
import secrets
import shutil
import string
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import polars as pl

from reach.errors import ConfigError, PersonNotFound, ReachError, WorkspaceError
from reach.io.files import atomic_write_text, ensure_private_dir

log = logging.getLogger("reach.run")

STAGES = ("import", "build", "graph", "intros", "reach", "communities", "stats", "report")
DATE_FIELDS = {"date": "%Y-%m-%d", "time": "%H%M%S", "datetime": "%Y-%m-%dT%H%M%S"}
LAST_RUN = "last_run.json"
RUN_LOCK = "run.lock"
TMP_PREFIX = ".reach-tmp-"
OLD_PREFIX = ".reach-old-"

ProgressCallback = Callable[[str, int, "int | None"], None]


class RunConfigError(ConfigError):
    """A run config with one or more problems; ``problems`` lists each as ``file: key: what is wrong``."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        n = len(problems)
        msg = f"{path}: {n} problem{'s' if n != 1 else ''} in the run config: " + "; ".join(problems)
        super().__init__(msg)


# ------------------------------------------------------------------ config
@dataclass(frozen=True)
class SourceSpec:
    """One ``[[sources]]`` entry with its files resolved."""

    files: tuple[Path, ...]
    spec: str  # the path or glob as written
    owner: str | None = None
    format: str | None = None
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RunConfig:
    """A validated run config (see :func:`load_run_config` for the keys)."""

    path: Path
    workspace: Path
    folder: str  # outputs folder template, absolute, with {date}/{time}/{datetime}
    sources: tuple[SourceSpec, ...] = ()
    team: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    seed: int = 0
    candidates: dict = field(default_factory=dict)
    intros: dict = field(default_factory=dict)
    communities: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    strength: dict = field(default_factory=dict)
    resolve: dict = field(default_factory=dict)
    csv: bool = False
    plots: bool = True
    html: bool = True
    graphml: bool | str = "auto"  # true, false or "auto" (written up to GRAPHML_AUTO_MAX_TIES ties)
    top_targets: int = 4
    max_failed_files: int = 0
    max_rejects: int | None = None
    max_reject_rate: float | None = 0.05
    strength_change: float = 0.05

    def output_folder(self, now: datetime) -> Path:
        return Path(self.folder.format(**{k: now.strftime(f) for k, f in DATE_FIELDS.items()}))


SECTIONS: dict[str, set[str]] = {
    "": {"workspace", "seed", "team", "targets", "accounts", "sources", "candidates", "intros", "communities",
         "stats", "strength", "resolve", "outputs", "thresholds"},
    "sources": {"path", "glob", "owner", "format", "options"},
    "targets": {"list", "file"},
    "accounts": {"list", "file"},
    "candidates": {"title", "company", "location", "regex", "people", "people_file", "exclude_companies",
                   "exclude_domains", "max_hops", "limit"},
    "intros": {"max_hops", "top", "max_asks", "do_not_ask", "since"},
    "communities": {"method", "resolution"},
    "stats": {"exact_limit", "samples"},
    "resolve": {"max_names_per_identifier", "default_region", "fold_gmail", "name_company_domain", "name_shared_export",
                "fuzzy_threshold"},
    "outputs": {"folder", "csv", "plots", "html", "graphml", "top_targets"},
    "thresholds": {"max_failed_files", "max_rejects", "max_reject_rate", "strength_change"},
}


class _Checker:
    """Collects every problem in a config (splink's collect-then-raise)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.base = path.parent
        self.problems: list[str] = []

    def add(self, key: str, what: str) -> None:
        self.problems.append(f"{key}: {what}")

    def keys(self, table: dict, section: str, where: str) -> None:
        allowed = SECTIONS[section]
        for k in table:
            if k not in allowed:
                self.add(f"{where}{k}" if not where else f"{where}.{k}",
                         f"unknown key (expected one of: {', '.join(sorted(allowed))})")

    def table(self, data: dict, key: str) -> dict:
        v = data.get(key, {})
        if not isinstance(v, dict):
            self.add(key, f"expected a table [{key}], got {_kind(v)}")
            return {}
        self.keys(v, key, key)
        return v

    def str_(self, d: dict, key: str, where: str, *, required: bool = False) -> str | None:
        if key not in d:
            if required:
                self.add(where, "missing")
            return None
        v = d[key]
        if not isinstance(v, str) or not v.strip():
            self.add(where, f"expected a non-empty string, got {_show(v)}")
            return None
        return v

    def bool_(self, d: dict, key: str, where: str, default: bool) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            self.add(where, f"expected true or false, got {_show(v)}")
            return default
        return v

    def int_(self, d: dict, key: str, where: str, default: int | None, *, lo: int | None = None,
             hi: int | None = None) -> int | None:
        v = d.get(key, default)
        if v is None and key not in d:
            return default
        if not isinstance(v, int) or isinstance(v, bool) or (lo is not None and v < lo) or (hi is not None and v > hi):
            rng = f" from {lo}" if lo is not None else ""
            rng += f" to {hi}" if hi is not None else (" up" if lo is not None else "")
            self.add(where, f"expected a whole number{rng}, got {_show(v)}")
            return default
        return v

    def num(self, d: dict, key: str, where: str, default: float | None, *, lo: float = 0.0,
            hi: float | None = None, open_lo: bool = False) -> float | None:
        if key not in d:
            return default
        v = d[key]
        ok = isinstance(v, int | float) and not isinstance(v, bool) and np.isfinite(v)
        if ok:
            ok = (v > lo if open_lo else v >= lo) and (hi is None or v <= hi)
        if not ok:
            rng = f"{'above' if open_lo else 'from'} {lo:g}" + (f" to {hi:g}" if hi is not None else "")
            self.add(where, f"expected a number {rng}, got {_show(v)}")
            return default
        return float(v)

    def str_list(self, d: dict, key: str, where: str) -> list[str]:
        if key not in d:
            return []
        v = d[key]
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            self.add(where, f"expected a list of non-empty strings, got {_show(v)}")
            return []
        return [x.strip() for x in v]

    def file_lines(self, d: dict, key: str, where: str) -> list[str]:
        name = self.str_(d, key, where)
        if name is None:
            return []
        p = self.resolve(name)
        try:
            text = p.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            self.add(where, f"no such file: {p}")
            return []
        except (OSError, UnicodeError) as exc:
            self.add(where, f"cannot read {p}: {exc}")
            return []
        return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]

    def resolve(self, name: str) -> Path:
        p = Path(name).expanduser()
        return p if p.is_absolute() else self.base / p

    def list_or_table(self, data: dict, key: str) -> list[str]:
        """``key = [...]`` or ``[key] list = [...] file = "..."`` (one entry per line; # comments)."""
        if key not in data:
            return []
        v = data[key]
        if isinstance(v, list):
            return self.str_list(data, key, key)
        if isinstance(v, dict):
            self.keys(v, key, key)
            return self.str_list(v, "list", f"{key}.list") + self.file_lines(v, "file", f"{key}.file")
        self.add(key, f"expected a list of strings or a table with `list` and/or `file`, got {_kind(v)}")
        return []


def _kind(v: object) -> str:
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number"}.get(type(v), type(v).__name__)


def _show(v: object) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


GRAPHML_AUTO_MAX_TIES = 1_000_000  # graphml = "auto": larger graphs make files of gigabytes Gephi cannot open


def _graphml_option(c: _Checker, out_t: dict) -> bool | str:
    v = out_t.get("graphml", "auto")
    if isinstance(v, bool) or v == "auto":
        return v
    c.add("outputs.graphml", f'expected true, false or "auto", got {_show(v)}')
    return "auto"


def load_run_config(path: str | os.PathLike[str], *, workspace: str | os.PathLike[str] | None = None,
                    out: str | os.PathLike[str] | None = None) -> RunConfig:
    """Read and validate a run config; raise :class:`RunConfigError` listing every problem at once.

    Keys (paths are relative to the config file; ``workspace`` and ``out`` override the config's)::

        workspace = "ws"                      # the reach workspace (created on first run)
        seed = 0                              # community detection and sampled statistics
        team = ["ana@example.com", ...]       # team members (default: every owner of an import)
        targets = ["Grace Lee", ...]          # or [targets] list = [...], file = "targets.txt"
        accounts = ["Acme Inc.; acme.com"]    # or [accounts] list = [...], file = "accounts.txt"

        [[sources]]                           # one per export: `path` (file or folder) or `glob`
        path = "exports/Connections.csv"
        owner = "ana@example.com"             # whose export it is (needed by LinkedIn and mail formats)
        format = "linkedin-connections"       # optional: detected from content otherwise
        options = {}                          # passed to the importer

        [candidates]   title, company, location, regex, people, people_file, exclude_companies,
                       exclude_domains, max_hops (2), limit (100)
        [intros]       max_hops (2), top (3), max_asks, do_not_ask, since (a date)
        [communities]  method ("leiden" | "louvain"), resolution ("auto" or a number)
        [stats]        exact_limit (50000), samples (1000)
        [strength]     as in the workspace's settings.toml (docs/tie-strength.md); overrides it, for the
                       run and for every later command on the workspace until the next run
                       (kept in WORKSPACE/run-settings.json); the same for [resolve]
        [resolve]      max_names_per_identifier, default_region, fold_gmail, name_company_domain,
                       name_shared_export, fuzzy_threshold (docs/tie-strength.md)
        [outputs]      folder ("out/{date}"; also {time}, {datetime}), csv (false), plots (true),
                       html (true), graphml ("auto": written up to a million ties; true or false to
                       force), top_targets (4: intro-path plots)
        [thresholds]   max_failed_files (0), max_rejects (none), max_reject_rate (0.05 of rows),
                       strength_change (0.05: a path this much warmer or colder is a change)
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{path}: no such run config"
        raise ConfigError(msg) from None
    except (OSError, UnicodeError) as exc:
        msg = f"{path}: cannot read the run config: {exc}"
        raise ConfigError(msg) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RunConfigError(path, [f"not valid TOML: {exc}"]) from exc
    c = _Checker(path.resolve())
    c.keys(data, "", "")

    ws_name = c.str_(data, "workspace", "workspace", required=workspace is None)
    ws = Path(workspace) if workspace is not None else (c.resolve(ws_name) if ws_name else Path())
    seed = c.int_(data, "seed", "seed", 0, lo=0) or 0
    team = c.str_list(data, "team", "team")
    targets = c.list_or_table(data, "targets")
    accounts = c.list_or_table(data, "accounts")
    sources = _sources(c, data)

    cand_t = c.table(data, "candidates")
    cand: dict[str, Any] = {k: c.str_(cand_t, k, f"candidates.{k}") for k in ("title", "company", "location")}
    cand["regex"] = c.bool_(cand_t, "regex", "candidates.regex", default=False)
    cand["people"] = c.str_list(cand_t, "people", "candidates.people") + c.file_lines(
        cand_t, "people_file", "candidates.people_file")
    cand["exclude_companies"] = c.str_list(cand_t, "exclude_companies", "candidates.exclude_companies")
    cand["exclude_domains"] = c.str_list(cand_t, "exclude_domains", "candidates.exclude_domains")
    cand["max_hops"] = c.int_(cand_t, "max_hops", "candidates.max_hops", 2, lo=1, hi=6)
    cand["limit"] = c.int_(cand_t, "limit", "candidates.limit", 100, lo=1)
    if cand["regex"]:
        for k in ("title", "company", "location"):
            if cand[k]:
                try:
                    pl.select(pl.lit("").str.contains(cand[k]))
                except Exception as exc:  # noqa: BLE001 - polars raises ComputeError for a bad pattern
                    c.add(f"candidates.{k}", f"not a valid regular expression: {str(exc).splitlines()[0]}")

    intro_t = c.table(data, "intros")
    intros = {"max_hops": c.int_(intro_t, "max_hops", "intros.max_hops", 2, lo=1, hi=6),
              "top": c.int_(intro_t, "top", "intros.top", 3, lo=1, hi=20),
              "max_asks": c.int_(intro_t, "max_asks", "intros.max_asks", None, lo=1),
              "do_not_ask": c.str_list(intro_t, "do_not_ask", "intros.do_not_ask"),
              "since": _since(c, intro_t)}

    comm_t = c.table(data, "communities")
    method = comm_t.get("method", "leiden")
    if method not in ("leiden", "louvain"):
        c.add("communities.method", f"expected 'leiden' or 'louvain', got {_show(method)}")
        method = "leiden"
    resolution = comm_t.get("resolution", "auto")
    if resolution != "auto":
        resolution = c.num(comm_t, "resolution", "communities.resolution", 1.0, lo=0.0, open_lo=True)
    stats_t = c.table(data, "stats")
    stats = {"exact_limit": c.int_(stats_t, "exact_limit", "stats.exact_limit", 50_000, lo=2),
             "samples": c.int_(stats_t, "samples", "stats.samples", 1000, lo=1)}

    strength = _strength(c, data)
    resolve = _resolve(c, data)

    out_t = c.table(data, "outputs")
    folder = c.str_(out_t, "folder", "outputs.folder", required=out is None)
    if out is not None:  # an override is relative to the current directory, not to the config file
        folder = str(Path(out).expanduser().absolute())
    if folder:
        bad = sorted({f for _, f, spec, conv in string.Formatter().parse(folder) if f is not None
                      and (f not in DATE_FIELDS or spec or conv)} if _parses(folder) else {"?"})
        if bad:
            c.add("outputs.folder", f"unknown placeholder(s) {', '.join('{' + b + '}' for b in bad)} in {folder!r} "
                                    "(use {date}, {time} or {datetime}; double braces for a literal brace)")
        folder = str(c.resolve(folder))

    thr = c.table(data, "thresholds")
    cfg = RunConfig(
        path=path.resolve(), workspace=ws if ws.is_absolute() else Path.cwd() / ws, folder=folder or "",
        sources=tuple(sources), team=tuple(team), targets=tuple(targets), accounts=tuple(accounts), seed=seed,
        candidates=cand, intros=intros, communities={"method": method, "resolution": resolution}, stats=stats,
        strength=strength, resolve=resolve,
        csv=c.bool_(out_t, "csv", "outputs.csv", default=False), plots=c.bool_(out_t, "plots", "outputs.plots", True),
        html=c.bool_(out_t, "html", "outputs.html", default=True),
        graphml=_graphml_option(c, out_t),
        top_targets=c.int_(out_t, "top_targets", "outputs.top_targets", 4, lo=1, hi=12) or 4,
        max_failed_files=c.int_(thr, "max_failed_files", "thresholds.max_failed_files", 0, lo=0) or 0,
        max_rejects=c.int_(thr, "max_rejects", "thresholds.max_rejects", None, lo=0),
        max_reject_rate=c.num(thr, "max_reject_rate", "thresholds.max_reject_rate", 0.05, lo=0.0, hi=1.0),
        strength_change=c.num(thr, "strength_change", "thresholds.strength_change", 0.05, lo=0.0, hi=1.0,
                              open_lo=True) or 0.05,
    )
    if cfg.folder and _inside(Path(cfg.folder.split("{")[0]), cfg.workspace):
        c.add("outputs.folder", f"must not be inside the workspace {cfg.workspace}")
    if c.problems:
        raise RunConfigError(path, c.problems)
    return cfg


def _parses(folder: str) -> bool:
    try:
        list(string.Formatter().parse(folder))
    except ValueError:
        return False
    return True


def _inside(p: Path, root: Path) -> bool:
    try:
        p.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _sources(c: _Checker, data: dict) -> list[SourceSpec]:
    from reach.io.formats import registry
    from reach.pipeline import expand_paths

    raw = data.get("sources", [])
    if not isinstance(raw, list) or not all(isinstance(s, dict) for s in raw):
        c.add("sources", "expected [[sources]] tables (each with `path` or `glob`)")
        return []
    forms = registry()
    out = []
    for i, s in enumerate(raw, 1):
        where = f"sources[{i}]"
        c.keys(s, "sources", where)
        has_path, has_glob = "path" in s, "glob" in s
        if has_path == has_glob:
            c.add(where, "give exactly one of `path` (a file or folder) or `glob` (a pattern)")
            continue
        fmt = c.str_(s, "format", f"{where}.format")
        if fmt is not None and fmt not in forms:
            c.add(f"{where}.format", f"unknown format {fmt!r} (expected one of: {', '.join(forms)})")
            fmt = None
        owner = c.str_(s, "owner", f"{where}.owner")
        if fmt is not None and forms[fmt].needs_owner and owner is None:
            c.add(f"{where}.owner", f"missing: format {fmt!r} needs the export's owner (an email or name)")
        options = s.get("options", {})
        if not isinstance(options, dict):
            c.add(f"{where}.options", f"expected a table, got {_kind(options)}")
            options = {}
        files: list[Path] = []
        if has_path:
            spec = c.str_(s, "path", f"{where}.path")
            if spec is None:
                continue
            p = c.resolve(spec)
            if not p.exists():
                c.add(f"{where}.path", f"no such file or folder: {p}")
                continue
            files = expand_paths([p])
            if not files:
                c.add(f"{where}.path", f"folder {p} holds no files")
        else:
            spec = c.str_(s, "glob", f"{where}.glob")
            if spec is None:
                continue
            pattern = str(c.resolve(spec))
            files = expand_paths(sorted(Path(f) for f in globlib.glob(pattern, recursive=True)))
            if not files:
                c.add(f"{where}.glob", f"{spec!r} matches no files (looked in {c.base})")
        out.append(SourceSpec(files=tuple(files), spec=spec, owner=owner, format=fmt, options=dict(options)))
    return out


def _since(c: _Checker, t: dict) -> datetime | None:
    if "since" not in t:
        return None
    v = t["since"]
    try:
        if isinstance(v, datetime):
            d = v
        elif isinstance(v, date):
            d = datetime(v.year, v.month, v.day)
        else:
            d = datetime.fromisoformat(str(v))
    except ValueError:
        c.add("intros.since", f"expected a date like 2024-01-31, got {_show(v)}")
        return None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _strength(c: _Checker, data: dict) -> dict:
    from reach.strength import StrengthSettings

    t = data.get("strength", {})
    if not isinstance(t, dict):
        c.add("strength", f"expected a table [strength], got {_kind(t)}")
        return {}
    try:
        StrengthSettings.from_dict(t, where="strength")
    except ConfigError as exc:
        for part in str(exc).split("; "):
            key, _, what = part.partition(": ")
            c.add(key, what or part)
        return {}
    return dict(t)


def _resolve(c: _Checker, data: dict) -> dict:
    from reach.identity import ResolveSettings

    t = data.get("resolve", {})
    if not isinstance(t, dict):
        c.add("resolve", f"expected a table [resolve], got {_kind(t)}")
        return {}
    try:
        given = ResolveSettings.from_dict(t, where="resolve")
    except ConfigError as exc:
        for part in str(exc).split("; "):
            key, _, what = part.partition(": ")
            c.add(key, what or part)
        return {}
    return {k: getattr(given, k) for k in t}


# ------------------------------------------------------------------ summary
@dataclass
class RunSummary:
    """What a run did; ``as_dict()`` is the JSON `reach run` prints (keys are stable)."""

    config: str
    workspace: str
    outputs: str | None = None
    previous_outputs: str | None = None
    status: str = "running"  # ok | warnings | failed
    exit_code: int = 2
    error: str | None = None
    failed_stage: str | None = None
    started_at: str = ""
    finished_at: str | None = None
    seconds: float = 0.0
    stages: list[dict] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=lambda: {"total": 0, "imported": 0, "unchanged": 0, "failed": 0})
    rebuilt: bool | None = None
    people: int = 0
    ties: int = 0
    team: int = 0
    team_reach: int = 0
    targets: int = 0
    targets_reachable: int = 0
    candidates: int = 0
    accounts: int = 0
    communities: int = 0
    modularity: float | None = None
    rows: int = 0
    rejects: int = 0
    reject_rate: float = 0.0
    changes: dict[str, int] = field(default_factory=dict)
    candidate_filters: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, default=str, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ progress
class _Progress:
    """Stage progress: a callback and/or a one-line display on a terminal (carriage returns, no dependency)."""

    def __init__(self, callback: ProgressCallback | None, stream: TextIO | None) -> None:
        self.callback = callback
        self.stream = stream
        self.name = ""
        self.index = 0
        self.total = len(STAGES)
        self.t0 = time.perf_counter()
        self._last = 0.0

    def stage(self, name: str, index: int) -> None:
        self.name, self.index, self.t0 = name, index, time.perf_counter()
        self.tick(0, None, force=True)

    def tick(self, done: int, total: int | None, *, force: bool = False) -> None:
        if self.callback is not None:
            self.callback(self.name, done, total)
        if self.stream is None:
            return
        now = time.perf_counter()
        if not force and now - self._last < 0.1 and done != total:
            return
        self._last = now
        head = f"reach run [{self.index + 1}/{self.total}] {self.name:<11}"
        if total:
            filled = int(20 * done / total)
            bar = f" {'#' * filled}{'.' * (20 - filled)} {done}/{total}"
        else:
            bar = ""
        self.stream.write(f"\r\x1b[K{head}{bar}  {now - self.t0:.1f}s")
        self.stream.flush()

    def clear(self) -> None:
        if self.stream is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _make_progress(progress: bool | ProgressCallback | None, *, quiet: bool) -> _Progress:
    if callable(progress):
        return _Progress(progress, None)
    show = (not quiet and sys.stderr.isatty()) if progress is None else (bool(progress) and not quiet)
    return _Progress(None, sys.stderr if show else None)


# ------------------------------------------------------------------ locking and publishing
@contextlib.contextmanager
def run_lock(workspace: Path):
    """Hold ``WORKSPACE/run.lock`` for the whole run; raise :class:`WorkspaceError` if another run holds it.

    An OS lock (``flock``) that the kernel releases when the holder dies, so a killed run never
    leaves a stale lock; the file keeps the holder's pid for the message.
    """
    ensure_private_dir(workspace)
    path = workspace / RUN_LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: best effort with msvcrt
            import msvcrt

            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            except OSError:
                _refuse(path)
        else:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                _refuse(path)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {datetime.now(UTC).isoformat(timespec='seconds')}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the lock


def _refuse(path: Path) -> None:
    try:
        holder = path.read_text(encoding="utf-8").split()
    except OSError:
        holder = []
    who = f" (process {holder[0]}, started {holder[1]})" if len(holder) >= 2 else ""
    msg = f"another reach run is using workspace {path.parent}{who}; try again when it has finished"
    raise WorkspaceError(msg)


from reach.workspace import _pid_alive  # noqa: E402 - one liveness check for both locks


def _recover(final: Path) -> None:
    """Clean up after a killed run: drop its temp folders, restore outputs caught between two renames."""
    parent = final.parent
    if not parent.is_dir():
        return
    for p in parent.glob(f"{TMP_PREFIX}*"):
        pid = p.name.rsplit("-", 2)[-2] if p.name.count("-") >= 3 else ""
        if p.is_dir() and not (pid.isdigit() and int(pid) != os.getpid() and _pid_alive(int(pid))):
            shutil.rmtree(p, ignore_errors=True)
    for p in sorted(parent.glob(f"{OLD_PREFIX}{final.name}-*")):
        if not final.exists():
            os.replace(p, final)
            log.warning("restored the previous outputs %s after an interrupted run", final)
        else:
            shutil.rmtree(p, ignore_errors=True)


def _publish(tmp: Path, final: Path) -> None:
    """Move the finished outputs folder into place (the old one is renamed away first, then removed)."""
    old = None
    if final.exists():
        old = final.parent / f"{OLD_PREFIX}{final.name}-{secrets.token_hex(4)}"
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# ------------------------------------------------------------------ the run
@dataclass
class _State:
    cfg: RunConfig
    summary: RunSummary
    progress: _Progress
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

    @property
    def team_ids(self) -> list[str]:
        return [str(self.rg.person_ids[v]) for v in self.team_v]

    def tick(self, done: int, total: int | None) -> None:
        self.progress.tick(done, total)


def run_pipeline(config_path: str | os.PathLike[str], *, quiet: bool = False,
                 progress: bool | ProgressCallback | None = None, workspace: str | os.PathLike[str] | None = None,
                 out: str | os.PathLike[str] | None = None, now: datetime | None = None) -> RunSummary:
    """Run the whole pipeline described by a TOML config; return the :class:`RunSummary`.

    Parameters
    ----------
    config_path : path
        The run config (keys in :func:`load_run_config`).
    quiet : bool
        No progress display (stage timings still go to the ``reach.run`` logger at INFO).
    progress : bool, callable or None
        ``None``: a one-line progress display on stderr when it is a terminal; ``True``/``False``: force
        it on or off; a callable ``progress(stage, done, total)`` is called instead (``total`` may be None).
    workspace, out : path, optional
        Override the config's ``workspace`` and ``[outputs] folder`` (e.g. for `reach demo`).
    now : datetime, optional
        The time used for ``{date}``/``{time}`` in the outputs folder (default: now, local time).

    Raises
    ------
    RunConfigError
        The config has problems (all are listed); nothing was done.
    WorkspaceError
        Another run holds the workspace.

    A stage that fails does not raise: the summary has ``status="failed"``, ``exit_code=2``, ``error`` and
    ``failed_stage``, and the previous outputs are left as they were.
    """
    cfg = load_run_config(config_path, workspace=workspace, out=out)
    now = now or datetime.now().astimezone()
    final = cfg.output_folder(now)
    summary = RunSummary(config=str(cfg.path), workspace=str(cfg.workspace),
                         started_at=now.isoformat(timespec="seconds"),
                         candidate_filters={k: v for k, v in cfg.candidates.items() if k not in ("limit", "max_hops")})
    prog = _make_progress(progress, quiet=quiet)
    t_start = time.perf_counter()
    with run_lock(cfg.workspace):
        _recover(final)
        st = _State(cfg=cfg, summary=summary, progress=prog, final=final, now=now)
        st.previous, st.previous_keys = _previous_run(cfg.workspace)
        try:
            for i, name in enumerate(STAGES):
                prog.stage(name, i)
                t0 = time.perf_counter()
                try:
                    detail = globals()[f"stage_{name}"](st) or {}
                except Exception as exc:  # noqa: BLE001 - a failed stage is reported, never half-applied
                    secs = time.perf_counter() - t0
                    prog.clear()
                    summary.stages.append({"stage": name, "seconds": round(secs, 3), "status": "failed"})
                    _fail(summary, name, exc, kept=final.exists())
                    break
                secs = time.perf_counter() - t0
                prog.clear()
                summary.stages.append({"stage": name, "seconds": round(secs, 3), "status": "ok", **detail})
                log.info("stage %-11s %7.2fs  %s", name, secs, _detail_text(detail))
        finally:
            prog.clear()
            if st.tmp is not None and st.tmp.exists():
                shutil.rmtree(st.tmp, ignore_errors=True)
    summary.seconds = round(time.perf_counter() - t_start, 3)
    summary.finished_at = datetime.now().astimezone().isoformat(timespec="seconds")
    if summary.status == "failed":
        log.error("run failed after %.2fs: %s", summary.seconds, summary.error)
    else:
        log.info("run finished (%s) in %.2fs; outputs in %s", summary.status, summary.seconds, summary.outputs)
    return summary


def _fail(summary: RunSummary, stage: str, exc: BaseException, *, kept: bool) -> None:
    bug = not isinstance(exc, ReachError)
    what = f"{type(exc).__name__}: {exc}" if bug else str(exc)
    summary.status, summary.exit_code, summary.failed_stage = "failed", 2, stage
    summary.outputs = None
    outcome = "the previous outputs were left as they were" if kept else "no outputs were written"
    summary.error = (f"stage {stage!r} failed: {what}; {outcome}"
                     + (" (this is a bug in reach; run with --debug for the traceback)" if bug else ""))
    log.debug("stage %s failed", stage, exc_info=exc)


def _detail_text(detail: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in detail.items() if not isinstance(v, dict | list))


# ------------------------------------------------------------------ stages
def stage_import(st: _State) -> dict:
    """Import every source file; files already imported (same SHA-256) are skipped."""
    from reach.pipeline import import_paths
    from reach.workspace import Workspace

    cfg = st.cfg
    st.ws = Workspace.open(cfg.workspace, create=True)
    jobs = [(f, src) for src in cfg.sources for f in src.files]
    for i, (f, src) in enumerate(jobs, 1):
        result = import_paths(cfg.workspace, [f], fmt=src.format, owner=src.owner, options=src.options or None)
        st.imports.extend(result.files)
        st.tick(i, len(jobs))
    s = st.summary
    s.files = {"total": len(st.imports), **{k: sum(f.status == k for f in st.imports)
                                           for k in ("imported", "unchanged", "failed")}}
    for f in st.imports:
        if f.status == "failed":
            s.notes.append(f"import failed: {f.error}")
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
        [{"path": f.path, "status": f.status, "source_id": f.source_id, "error": f.error,
          **{k: (known[f.source_id][k] if f.status == "unchanged" and f.source_id in known else getattr(f, k))
             for k in cols}} for f in st.imports],
        schema={"path": pl.String, "status": pl.String, "format": pl.String, "source_id": pl.String,
                "n_rows": pl.Int64, "n_records": pl.Int64, "n_interactions": pl.Int64, "n_rejects": pl.Int64,
                "error": pl.String})
    return {**s.files, "rejects": s.rejects}


def stage_build(st: _State) -> dict:
    """Resolve people and compute tie strengths (skipped when sources and settings are unchanged)."""
    from reach.pipeline import build

    # the config's [strength]/[resolve] become the workspace's until the next run, so that commands run
    # on this workspace afterwards see the same graph (pipeline.load_settings applies them)
    given = {k: v for k, v in (("strength", st.cfg.strength), ("resolve", st.cfg.resolve)) if v}
    st.ws.write_run_settings({"config": str(st.cfg.path), **given} if given else None)
    res = build(st.ws)
    st.summary.rebuilt = bool(res.get("rebuilt"))
    return {"people": int(res["people"]), "ties": int(res["ties"]), "rebuilt": st.summary.rebuilt}


def stage_graph(st: _State) -> dict:
    """Load the graph, find the team and the targets."""
    from reach.graph import build_graph
    from reach.people import lookup_people
    from reach.pipeline import team_vertices

    st.rg = rg = build_graph(st.ws.built("people"), st.ws.built("ties"))
    try:
        st.team_v = np.asarray(team_vertices(rg, list(st.cfg.team) or None), dtype=np.int64)
    except PersonNotFound as exc:
        msg = f"{st.cfg.path}: team: {exc}"
        raise ConfigError(msg) from exc
    except WorkspaceError as exc:  # no team given and no import has an owner
        msg = (f"{st.cfg.path}: team: no team members; list them (`team = [\"ana@example.com\", ...]`) "
               "or give the sources an `owner`")
        raise ConfigError(msg) from exc
    rows = []
    for ref, found in zip(st.cfg.targets, lookup_people(rg.people, list(st.cfg.targets)), strict=True):
        if isinstance(found, PersonNotFound):
            rows.append({"target": ref, "person_id": None, "found": False, "note": str(found)})
            st.summary.notes.append(f"target {ref!r}: {found}")
            continue
        p = rg.people.row(rg.vertex(found), named=True)
        rows.append({"target": ref, "person_id": found, "name": p.get("display_name"), "company": p.get("company"),
                     "title": p.get("title"), "found": True})
    st.target_rows = rows
    s = st.summary
    s.people, s.ties, s.team, s.targets = rg.n_people, rg.n_ties, len(st.team_v), len(rows)
    return {"people": rg.n_people, "ties": rg.n_ties, "team": len(st.team_v),
            "targets_found": sum(r["found"] for r in rows)}


def stage_intros(st: _State) -> dict:
    """Warm-intro paths to the targets, recruiter candidates and sales account coverage."""
    from reach.algorithms.intros import warm_intro_paths
    from reach.pipeline import accounts, allowed_ties, candidates, describe_paths, resolve_people

    cfg, rg = st.cfg, st.rg
    o = cfg.intros
    found = list(dict.fromkeys(r["person_id"] for r in st.target_rows if r["found"]))
    if found:
        blocked = np.array(resolve_people(rg, o["do_not_ask"]), dtype=np.int64) if o["do_not_ask"] else None
        res = warm_intro_paths(rg, st.team_v, np.array([rg.vertex(p) for p in found], dtype=np.int64),
                               max_hops=o["max_hops"], top_k=o["top"], max_asks=o["max_asks"], blocked=blocked,
                               allowed_edges=allowed_ties(rg, since=o["since"]))
        paths = describe_paths(rg, res.paths)
        ids = rg.person_ids
        path_ids = [[str(ids[v]) for v in p] for p in res.paths["path"].to_list()]
        paths = paths.with_columns(pl.Series("path_ids", path_ids, dtype=pl.List(pl.String)))
    else:
        paths = None
    from reach.reports.outputs import conform

    intros = conform(paths, "intros")
    st.tables["intros"] = intros
    st.tick(1, 3)
    best = {r["target_id"]: r for r in intros.filter(pl.col("rank") == 1).iter_rows(named=True)}
    n_paths = dict(intros.group_by("target_id").len().iter_rows()) if intros.height else {}
    for r in st.target_rows:
        b = best.get(r["person_id"])
        r.update({"reachable": b is not None, "hops": b["hops"] if b else None,
                  "best_strength": b["best_strength"] if b else None, "best_path": b["path"] if b else None,
                  "n_paths": int(n_paths.get(r["person_id"], 0))})
        if not r["found"]:
            r["reachable"] = False
    st.tables["targets"] = conform(pl.DataFrame(st.target_rows, infer_schema_length=None) if st.target_rows
                                   else None, "targets")
    st.summary.targets_reachable = sum(bool(r.get("reachable")) for r in st.target_rows)

    c = cfg.candidates
    st.tables["candidates"] = candidates(
        rg, title=c["title"], company=c["company"], location=c["location"], regex=c["regex"],
        people_list=c["people"] or None, team=st.team_ids, exclude_companies=c["exclude_companies"],
        exclude_domains=c["exclude_domains"], max_hops=c["max_hops"], limit=c["limit"])
    st.summary.candidates = st.tables["candidates"].height
    st.tick(2, 3)
    if cfg.accounts:
        acc = accounts(rg, list(cfg.accounts), team=st.team_ids)
        st.tables["accounts"], st.tables["account_paths"] = acc["coverage"], acc["paths"]
        st.tables["account_carriers"] = acc["carriers"]
    st.summary.accounts = len(cfg.accounts)
    st.tick(3, 3)
    return {"targets": len(st.target_rows), "reachable": st.summary.targets_reachable,
            "paths": intros.height, "candidates": st.summary.candidates, "accounts": len(cfg.accounts)}


def stage_reach(st: _State) -> dict:
    """Team reach within two hops, greedy team order, best new connections, who is reached by whom."""
    from reach.algorithms.neighbourhood import bfs_distances, reach_masks
    from reach.pipeline import team_plan, team_reach

    rg, team_v = st.rg, st.team_v
    rr = team_reach(rg, st.team_ids, hops=2)
    targets = [r["person_id"] for r in st.target_rows if r["found"]]
    plan = team_plan(rg, team=st.team_ids, targets=targets or None)
    order = plan["order"].select("order", "person_id", "n_new", "n_cumulative")
    st.tables["team_reach"] = rr.per_source.join(order, on="person_id", how="left").sort("order")
    if "connections" in plan:
        st.tables["team_connections"] = plan["connections"]
    st.tick(1, 2)

    masks = reach_masks(rg, team_v, hops=2)
    is_team = np.zeros(rg.n_people, dtype=bool)
    is_team[team_v] = True
    within = np.stack([(m > 0) & ~is_team for m in masks]) if masks else np.zeros((0, rg.n_people), dtype=bool)
    n_members = within.sum(axis=0)
    dist = bfs_distances(rg, team_v)
    sel = np.nonzero((n_members > 0) & ~is_team)[0]
    names = rg.people["display_name"].to_numpy()
    member_names = [names[v] for v in team_v]
    only = [member_names[int(np.argmax(within[:, v]))] if n_members[v] == 1 else None for v in sel]
    ppl = rg.people[sel.tolist()] if sel.size else rg.people.head(0)
    st.tables["reached"] = pl.DataFrame({
        "person_id": ppl["person_id"], "name": ppl["display_name"], "company": ppl["company"], "title": ppl["title"],
        "distance": pl.Series(dist[sel], dtype=pl.Int64), "n_members": pl.Series(n_members[sel], dtype=pl.Int64),
        "only_member": pl.Series(only, dtype=pl.String),
    }).sort(["distance", "name", "person_id"], nulls_last=True)
    st.tables["_distance"] = pl.DataFrame({"distance": pl.Series(np.where(dist >= 0, dist, -1), dtype=pl.Int64)})
    s = st.summary
    s.team_reach = int(rr.team["n_total"])
    st.stats.update({"team_size": len(team_v), "team_hop1": rr.team["n_hop1"], "team_hop2": rr.team["n_hop2"],
                     "team_total": rr.team["n_total"]})
    st.tick(2, 2)
    return {"team_hop1": rr.team["n_hop1"], "team_hop2": rr.team["n_hop2"], "team_total": rr.team["n_total"]}


def stage_communities(st: _State) -> dict:
    """Communities (reach.algorithms.communities: Leiden, self-consistent resolution) and brokers."""
    rg = st.rg
    opts = st.cfg.communities
    reused = _reuse(st, "communities", ["communities", "community_members", "brokers", "stats"])
    if reused is not None:
        members = rg.people.select("person_id").join(reused["community_members"], on="person_id", how="left",
                                                     maintain_order="left")
        if members["community"].null_count() == 0 and reused["community_members"].height == rg.n_people:
            st.community_labels = members["community"].to_numpy().astype(np.int64)
            st.tables.update({k: reused[k] for k in ("communities", "community_members", "brokers")})
            n, modularity = reused["communities"].height, float(reused["stats"]["modularity"][0])
            st.summary.communities, st.summary.modularity = n, round(modularity, 6)
            st.stats.update({"communities": n, "modularity": modularity})
            return {"communities": n, "modularity": round(modularity, 4), "reused": True}
    from reach.algorithms.communities import detect_communities, summarise_communities

    res = detect_communities(rg, method=opts["method"], resolution=opts["resolution"], seed=st.cfg.seed)
    labels, modularity = np.asarray(res.labels, dtype=np.int64), float(res.modularity)
    summary_df = summarise_communities(res, rg.people, st.team_v)
    st.community_labels = labels
    st.tables["communities"] = summary_df
    st.tables["community_members"] = pl.DataFrame({
        "person_id": rg.people["person_id"], "name": rg.people["display_name"],
        "community": pl.Series(labels, dtype=pl.Int64)}).sort(["community", "name"], nulls_last=True)
    st.tables["brokers"] = _brokers(rg, labels, st.team_v, seed=st.cfg.seed)
    n = int(summary_df.height)
    st.summary.communities, st.summary.modularity = n, round(modularity, 6)
    st.stats.update({"communities": n, "modularity": modularity})
    return {"communities": n, "modularity": round(modularity, 4), "reused": False}


def _brokers(rg, labels: np.ndarray, team_v: np.ndarray, *, seed: int, top: int = 100) -> pl.DataFrame:
    """The ``top`` brokers (reach.algorithms.brokers), with the run's column names."""
    from reach.algorithms.brokers import brokers

    df = brokers(rg, sources=team_v if len(team_v) else None, membership=labels, seed=seed, top=top)
    return df.rename({"display_name": "name", "is_source": "is_team"}, strict=False)


def stage_stats(st: _State) -> dict:
    """Size, components, clustering and the distance distribution."""
    from reach.pipeline import workspace_stats

    o = st.cfg.stats
    reused = _reuse(st, "stats", ["stats", "distances"])
    if reused is not None:
        row = reused["stats"].row(0, named=True)
        st.stats.update({k: row[k] for k in STATS_GRAPH_COLUMNS})
        st.tables["distances"] = reused["distances"]
        return {"components": row["components"], "average_distance": row["average_distance"],
                "diameter": row["diameter"], "reused": True}
    d = workspace_stats(st.rg, exact_limit=o["exact_limit"], n_samples=o["samples"], seed=st.cfg.seed).as_dict()
    st.stats.update({k: v for k, v in d.items() if k != "distance_distribution"})
    dist = d["distance_distribution"]
    st.tables["distances"] = pl.DataFrame({"distance": [int(k) for k in dist], "pairs": [float(v) for v in dist.values()]},
                                          schema={"distance": pl.Int64, "pairs": pl.Float64})
    return {"components": d["components"], "average_distance": d["average_distance"], "diameter": d["diameter"],
            "reused": False}


def stage_report(st: _State) -> dict:
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
        s.notes.append(f"graph.graphml not written: {rg.n_ties:,} ties would make a file of gigabytes; "
                       "set [outputs] graphml = true to write it anyway")
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
    _publish(st.tmp, st.final)
    st.tmp = None
    atomic_write_text(st.ws.root / LAST_RUN, json.dumps({
        "outputs": str(st.final), "config": str(cfg.path), "started_at": s.started_at,
        "finished_at": datetime.now().astimezone().isoformat(timespec="seconds"), "status": s.status,
        "analysis": st.keys,
    }, indent=2) + "\n")
    st.tick(steps, steps)
    return {"files": len(s.written), "changes": int(tables["changes"].height), "outputs": str(st.final)}


def _finish_status(st: _State) -> None:
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


def _previous_run(ws_root: Path) -> tuple[Path | None, dict]:
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


STATS_GRAPH_COLUMNS = ("people", "ties", "components", "largest_component_people", "largest_component_ties",
                       "largest_component_share", "average_clustering", "triangles", "distance_exact",
                       "average_distance", "diameter", "effective_diameter_90")  # stats.parquet from the graph alone


def _analysis_key(st: _State, stage: str) -> str:
    """What a stage's result depends on: the built people and ties (their bytes), options, seed, team."""
    import hashlib

    from reach import __version__
    from reach.io.files import sha256_file

    parts: dict[str, Any] = {"version": __version__, "seed": st.cfg.seed,
                             "build": [sha256_file(st.ws.build_path(t)) for t in ("people", "ties")]}
    if stage == "communities":
        import importlib.util

        parts |= {"options": st.cfg.communities, "team": sorted(st.team_ids),
                  "brokers": importlib.util.find_spec("reach.algorithms.brokers") is not None}
    else:
        parts |= {"options": st.cfg.stats}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _reuse(st: _State, stage: str, names: list[str]) -> dict[str, pl.DataFrame] | None:
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


def _tables(st: _State) -> dict[str, pl.DataFrame]:
    from reach.pipeline import tie_evidence

    rg, t = st.rg, dict(st.tables)
    t.pop("_distance", None)
    ppl = rg.people
    dist = st.tables.get("_distance")
    is_team = np.zeros(rg.n_people, dtype=bool)
    is_team[st.team_v] = True
    people = ppl.select("person_id", "display_name", "company", "title", "location", "emails").with_columns(
        pl.Series("is_team", is_team),
        pl.Series("distance", [None if d < 0 else d for d in dist["distance"].to_list()] if dist is not None
                  else [None] * ppl.height, dtype=pl.Int64),
        pl.Series("community", st.community_labels, dtype=pl.Int64) if st.community_labels is not None
        else pl.lit(None, pl.Int64).alias("community"),
        pl.Series("degree", rg.degree, dtype=pl.Int64))
    t["people"] = people
    if rg.ties is not None and rg.ties.height:
        names = ppl.select("person_id", "display_name")
        ties = rg.ties.with_columns(tie_evidence(rg.ties).alias("why"))
        t["ties"] = (ties.join(names.rename({"person_id": "person_a", "display_name": "name_a"}), on="person_a",
                               how="left", maintain_order="left")
                     .join(names.rename({"person_id": "person_b", "display_name": "name_b"}), on="person_b",
                           how="left", maintain_order="left"))
    stats = {"run_at": st.now.astimezone(UTC), **st.stats, "targets": st.summary.targets,
             "targets_reachable": st.summary.targets_reachable, "rejects": st.summary.rejects}
    from reach.reports.outputs import OUTPUT_TABLES

    schema = OUTPUT_TABLES["stats"].schema
    t["stats"] = pl.DataFrame([{k: stats.get(k) for k in schema}], schema=schema)
    return t


def _plots(st: _State, tables: dict[str, pl.DataFrame]):
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
    reachable = sorted((r for r in st.target_rows if r.get("reachable") and r.get("hops")),
                       key=lambda r: -(r["best_strength"] or 0.0))
    top = list(dict.fromkeys(r["person_id"] for r in reachable))[: st.cfg.top_targets]
    figures = [
        ("distances", lambda: plots.distance_distribution(tables["distances"], exact=bool(st.stats.get("distance_exact", True)))),
        ("team_reach", lambda: plots.team_reach(tables["team_reach"])),
        ("communities", lambda: plots.community_sizes(tables["communities"])),
        ("intro_paths", lambda: plots.intro_paths(intros if intros is not None else pl.DataFrame(), names=names,
                                                  strengths=strengths, targets=top, max_targets=st.cfg.top_targets)),
    ]
    for name, make in figures:
        fig = make()
        try:
            yield name, plots.save_png(fig, folder / f"{name}.png")
        finally:
            plots.close(fig)


__all__ = ["RunConfig", "RunConfigError", "RunSummary", "load_run_config", "run_lock", "run_pipeline"]
