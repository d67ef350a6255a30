"""The run config: reading and checking `PIPELINE.toml`, every problem reported at once."""

from __future__ import annotations

import glob as globlib
import logging
import os
import string
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from reach.errors import ConfigError

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
    name: str | None = None  # the files are versions of this one source (a glob: its newest match only)
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
    pseudonymise: bool = False  # names, emails, phones and keys in every output replaced by keyed hashes
    max_failed_files: int = 0
    max_rejects: int | None = None
    max_reject_rate: float | None = 0.05
    strength_change: float = 0.05

    def output_folder(self, now: datetime) -> Path:
        return Path(self.folder.format(**{k: now.strftime(f) for k, f in DATE_FIELDS.items()}))


SECTIONS: dict[str, set[str]] = {
    "": {
        "workspace",
        "seed",
        "team",
        "targets",
        "accounts",
        "sources",
        "candidates",
        "intros",
        "communities",
        "stats",
        "strength",
        "resolve",
        "outputs",
        "thresholds",
    },
    "sources": {"path", "glob", "name", "owner", "format", "options"},
    "targets": {"list", "file"},
    "accounts": {"list", "file"},
    "candidates": {
        "title",
        "company",
        "location",
        "regex",
        "people",
        "people_file",
        "exclude_companies",
        "exclude_domains",
        "max_hops",
        "limit",
    },
    "intros": {"max_hops", "top", "max_asks", "do_not_ask", "since"},
    "communities": {"method", "resolution"},
    "stats": {"exact_limit", "samples"},
    "resolve": {
        "max_names_per_identifier",
        "default_region",
        "fold_gmail",
        "name_company_domain",
        "name_shared_export",
        "name_address_book",
        "fuzzy_threshold",
    },
    "outputs": {"folder", "csv", "plots", "html", "graphml", "top_targets", "pseudonymise"},
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
                self.add(
                    f"{where}{k}" if not where else f"{where}.{k}",
                    f"unknown key (expected one of: {', '.join(sorted(allowed))})",
                )

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

    def bool_(self, d: dict, key: str, where: str, *, default: bool) -> bool:
        v = d.get(key, default)
        if not isinstance(v, bool):
            self.add(where, f"expected true or false, got {_show(v)}")
            return default
        return v

    def int_(
        self, d: dict, key: str, where: str, default: int | None, *, lo: int | None = None, hi: int | None = None
    ) -> int | None:
        v = d.get(key, default)
        if v is None and key not in d:
            return default
        if not isinstance(v, int) or isinstance(v, bool) or (lo is not None and v < lo) or (hi is not None and v > hi):
            rng = f" from {lo}" if lo is not None else ""
            rng += f" to {hi}" if hi is not None else (" up" if lo is not None else "")
            self.add(where, f"expected a whole number{rng}, got {_show(v)}")
            return default
        return v

    def num(
        self,
        d: dict,
        key: str,
        where: str,
        default: float | None,
        *,
        lo: float = 0.0,
        hi: float | None = None,
        open_lo: bool = False,
    ) -> float | None:
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
    return {
        dict: "a table",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(v), type(v).__name__)


def _show(v: object) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _graphml_option(c: _Checker, out_t: dict) -> bool | str:
    v = out_t.get("graphml", "auto")
    if isinstance(v, bool) or v == "auto":
        return v
    c.add("outputs.graphml", f'expected true, false or "auto", got {_show(v)}')
    return "auto"


def load_run_config(
    path: str | os.PathLike[str],
    *,
    workspace: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
) -> RunConfig:
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
        name = "ana-linkedin"                 # optional: the source's name; with a glob such as
                                              # "exports/Connections-*.csv" only the match whose name sorts
                                              # last (the newest dated file) is imported, as the new version
                                              # of this source (see docs/sources.md)
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
                       name_shared_export, name_address_book, fuzzy_threshold (docs/tie-strength.md)
        [outputs]      folder ("out/{date}"; also {time}, {datetime}), csv (false), plots (true),
                       html (true), graphml ("auto": written up to a million ties; true or false to
                       force), top_targets (4: intro-path plots), pseudonymise (false: true replaces
                       names, emails, phones and keys in every output by keyed hashes)
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
        cand_t, "people_file", "candidates.people_file"
    )
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
    intros = {
        "max_hops": c.int_(intro_t, "max_hops", "intros.max_hops", 2, lo=1, hi=6),
        "top": c.int_(intro_t, "top", "intros.top", 3, lo=1, hi=20),
        "max_asks": c.int_(intro_t, "max_asks", "intros.max_asks", None, lo=1),
        "do_not_ask": c.str_list(intro_t, "do_not_ask", "intros.do_not_ask"),
        "since": _since(c, intro_t),
    }

    comm_t = c.table(data, "communities")
    method = comm_t.get("method", "leiden")
    if method not in ("leiden", "louvain"):
        c.add("communities.method", f"expected 'leiden' or 'louvain', got {_show(method)}")
        method = "leiden"
    resolution = comm_t.get("resolution", "auto")
    if resolution != "auto":
        resolution = c.num(comm_t, "resolution", "communities.resolution", 1.0, lo=0.0, open_lo=True)
    stats_t = c.table(data, "stats")
    from reach.features.options import StatsOptions, default

    stats = {
        "exact_limit": c.int_(stats_t, "exact_limit", "stats.exact_limit", default(StatsOptions, "exact_limit"), lo=2),
        "samples": c.int_(stats_t, "samples", "stats.samples", default(StatsOptions, "samples"), lo=1),
    }

    strength = _strength(c, data)
    resolve = _resolve(c, data)

    out_t = c.table(data, "outputs")
    folder = c.str_(out_t, "folder", "outputs.folder", required=out is None)
    if out is not None:  # an override is relative to the current directory, not to the config file
        folder = str(Path(out).expanduser().absolute())
    if folder:
        bad = sorted(
            {
                f
                for _, f, spec, conv in string.Formatter().parse(folder)
                if f is not None and (f not in DATE_FIELDS or spec or conv)
            }
            if _parses(folder)
            else {"?"}
        )
        if bad:
            c.add(
                "outputs.folder",
                f"unknown placeholder(s) {', '.join('{' + b + '}' for b in bad)} in {folder!r} "
                "(use {date}, {time} or {datetime}; double braces for a literal brace)",
            )
        folder = str(c.resolve(folder))

    thr = c.table(data, "thresholds")
    cfg = RunConfig(
        path=path.resolve(),
        workspace=ws if ws.is_absolute() else Path.cwd() / ws,
        folder=folder or "",
        sources=tuple(sources),
        team=tuple(team),
        targets=tuple(targets),
        accounts=tuple(accounts),
        seed=seed,
        candidates=cand,
        intros=intros,
        communities={"method": method, "resolution": resolution},
        stats=stats,
        strength=strength,
        resolve=resolve,
        csv=c.bool_(out_t, "csv", "outputs.csv", default=False),
        plots=c.bool_(out_t, "plots", "outputs.plots", default=True),
        html=c.bool_(out_t, "html", "outputs.html", default=True),
        graphml=_graphml_option(c, out_t),
        pseudonymise=c.bool_(out_t, "pseudonymise", "outputs.pseudonymise", default=False),
        top_targets=c.int_(out_t, "top_targets", "outputs.top_targets", 4, lo=1, hi=12) or 4,
        max_failed_files=c.int_(thr, "max_failed_files", "thresholds.max_failed_files", 0, lo=0) or 0,
        max_rejects=c.int_(thr, "max_rejects", "thresholds.max_rejects", None, lo=0),
        max_reject_rate=c.num(thr, "max_reject_rate", "thresholds.max_reject_rate", 0.05, lo=0.0, hi=1.0),
        strength_change=c.num(thr, "strength_change", "thresholds.strength_change", 0.05, lo=0.0, hi=1.0, open_lo=True)
        or 0.05,
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
    from reach.imports import expand_paths
    from reach.io.formats import registry

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
        name = c.str_(s, "name", f"{where}.name")
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
            # Path.glob takes relative patterns only; this one is absolute and may hold **
            matched = globlib.glob(pattern, recursive=True)  # noqa: PTH207
            files = expand_paths(sorted(Path(f) for f in matched))
            if not files:
                c.add(f"{where}.glob", f"{spec!r} matches no files (looked in {c.base})")
            elif name is not None:  # versions of one source: the newest (last-sorting) match is current
                files = [max(files, key=lambda f: (f.name, str(f)))]
        if name is not None and len(files) > 1:
            c.add(
                f"{where}.name",
                f"a named source is one export, but {spec!r} holds {len(files)} files; "
                "name a file, an export folder, or a glob whose newest match is the current version",
            )
        out.append(SourceSpec(files=tuple(files), spec=spec, owner=owner, name=name, format=fmt, options=dict(options)))
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
