"""Typed options of every feature: frozen dataclasses, the single source of defaults, ranges and documentation.

Each field's metadata holds its meaning (``doc``) and, for numbers, its allowed range (``lo``/``hi``); the CLI
reads its defaults and ranges from here (:func:`default`, :func:`bounds`), the run config checks its sections
against the same fields (:func:`check_section`), and constructing an options object checks every field and
reports all problems at once (:class:`reach.errors.ConfigError`).
"""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from reach.errors import ConfigError

EXACT_LIMIT = 50_000  # exact all-pairs distances up to this many people in the largest component


def opt(
    default: Any,
    doc: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    choices: tuple[str, ...] = (),
    section: bool = True,
) -> Any:
    """A documented option field; ``section=False`` for fields the run config takes from elsewhere (team, targets)."""
    if isinstance(default, tuple):
        return field(default=default, metadata={"doc": doc, "lo": lo, "hi": hi, "choices": choices, "section": section})
    return field(default=default, metadata={"doc": doc, "lo": lo, "hi": hi, "choices": choices, "section": section})


class Problems:
    """Collects every problem (``where: what``) before one error is raised for all of them."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.items.append(f"{where}: {what}" if where else what)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, prefix: str = "") -> None:
        if self.items:
            msg = (f"{prefix}: " if prefix else "") + "; ".join(self.items)
            raise ConfigError(msg)


def _show(v: object) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def convert(cls: type, name: str, value: Any) -> tuple[Any, str | None]:
    """``value`` checked and converted for field ``name`` of ``cls``: (value, None) or (None, what is wrong)."""
    f = {x.name: x for x in dataclasses.fields(cls)}[name]
    hint = _hints(cls)[name]
    meta = f.metadata
    args = typing.get_args(hint)
    optional = type(None) in args
    if value is None and optional:
        return None, None
    base = next((a for a in args if a is not type(None)), hint) if args and hint is not tuple else hint
    if typing.get_origin(hint) is tuple or base == tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(x, str) and x.strip() for x in value):
            return None, f"expected a list of non-empty strings, got {_show(value)}"
        return tuple(x.strip() for x in value), None
    if meta.get("choices") and value in meta["choices"]:
        return value, None
    if base is bool:
        if not isinstance(value, bool):
            return None, f"expected true or false, got {_show(value)}"
        return value, None
    lo, hi = meta.get("lo"), meta.get("hi")
    if base is int or (float in args and meta.get("choices")) or base is float:
        is_int = base is int
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        ok = ok and (not is_int or isinstance(value, int))
        if ok:
            ok = (lo is None or value >= lo) and (hi is None or value <= hi)
            if ok and meta.get("choices") and lo == 0 and value == 0:
                ok = False
        if not ok:
            what = "a whole number" if is_int else "a number"
            rng = f" from {lo:g}" if lo is not None else ""
            rng += f" to {hi:g}" if hi is not None else (" up" if lo is not None else "")
            extra = f" or {' or '.join(repr(c) for c in meta['choices'])}" if meta.get("choices") else ""
            return None, f"expected {what}{rng}{extra}, got {_show(value)}"
        return (int(value) if is_int else float(value)), None
    if base is datetime:
        try:
            if isinstance(value, datetime):
                d = value
            elif isinstance(value, date):
                d = datetime(value.year, value.month, value.day)
            else:
                d = datetime.fromisoformat(str(value))
        except ValueError:
            return None, f"expected a date like 2024-01-31, got {_show(value)}"
        return (d if d.tzinfo else d.replace(tzinfo=UTC)), None
    if base is str:
        if meta.get("choices"):
            return None, f"expected one of {', '.join(repr(c) for c in meta['choices'])}, got {_show(value)}"
        if not isinstance(value, str) or not value.strip():
            return None, f"expected a non-empty string, got {_show(value)}"
        return value, None
    return value, None


class Options:
    """Base of the feature options: every field is checked on construction, all problems reported at once."""

    def __post_init__(self) -> None:
        problems = Problems()
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value, err = convert(type(self), f.name, getattr(self, f.name))
            if err:
                problems.add(f.name, err)
            else:
                object.__setattr__(self, f.name, value)
        problems.raise_if_any(type(self).__name__)


def section_fields(cls: type) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(cls) if f.metadata.get("section", True)]


def check_section(cls: type, table: dict, where: str, problems: Problems, **fixed: Any) -> Any:
    """An options object from a config section: unknown keys and bad values go to ``problems`` (the defaults
    stand in for them), ``fixed`` fills the fields the section does not hold (team, targets).
    """
    allowed = {f.name for f in section_fields(cls)}
    values: dict[str, Any] = {}
    for k, v in table.items():
        if k not in allowed:
            problems.add(f"{where}.{k}", f"unknown key (expected one of: {', '.join(sorted(allowed))})")
            continue
        value, err = convert(cls, k, v)
        if err:
            problems.add(f"{where}.{k}", err)
        else:
            values[k] = value
    return cls(**values, **fixed)


def default(cls: type, name: str) -> Any:
    return {f.name: f.default for f in dataclasses.fields(cls)}[name]


def bounds(cls: type, name: str) -> tuple[Any, Any]:
    meta = {f.name: f.metadata for f in dataclasses.fields(cls)}[name]
    return meta.get("lo"), meta.get("hi")


def doc(cls: type, name: str) -> str:
    return {f.name: f.metadata.get("doc", "") for f in dataclasses.fields(cls)}[name]


TEAM_DOC = "Team members (default: every owner of an import)."


@dataclass(frozen=True)
class PathOptions(Options):
    max_hops: int | None = opt(None, "Give up beyond this many hops.", lo=1, hi=50)


@dataclass(frozen=True)
class ReachOptions(Options):
    sources: tuple[str, ...] = opt((), "The people whose reach is counted.", section=False)
    hops: int = opt(2, "Count people up to this many hops away.", lo=1, hi=6)


@dataclass(frozen=True)
class ReachedOptions(Options):
    team: tuple[str, ...] = opt((), TEAM_DOC, section=False)
    hops: int = opt(2, "People up to this many hops from the team are listed.", lo=1, hi=6)


@dataclass(frozen=True)
class StatsOptions(Options):
    exact_limit: int = opt(
        EXACT_LIMIT, "Exact all-pairs distances up to this many people in the largest component.", lo=2
    )
    samples: int = opt(1000, "BFS sources when the distances are estimated.", lo=1)
    seed: int = opt(0, "Seed of the sampled sources.", lo=0, section=False)


@dataclass(frozen=True)
class IntrosOptions(Options):
    targets: tuple[str, ...] = opt((), "The people to be introduced to.", section=False)
    team: tuple[str, ...] = opt((), TEAM_DOC, section=False)
    max_hops: int = opt(2, "Longest path (in ties) to a target.", lo=1, hi=6)
    top: int = opt(3, "Paths per target, each through a different introducer.", lo=1, hi=50)
    max_asks: int | None = opt(None, "Ask no introducer more than this many times across all targets.", lo=1)
    do_not_ask: tuple[str, ...] = opt((), "People never to ask for an introduction.")
    since: datetime | None = opt(None, "Leave out ties whose last contact is older than this date.")


@dataclass(frozen=True)
class CandidatesOptions(Options):
    title: str | None = opt(None, "Text (or regex with `regex`) the job title must contain.")
    company: str | None = opt(None, "Text the company must contain.")
    location: str | None = opt(None, "Text the location must contain.")
    regex: bool = opt(False, "Treat title, company and location as regular expressions.")
    people: tuple[str, ...] = opt((), "Only these people.")
    team: tuple[str, ...] = opt((), TEAM_DOC, section=False)
    exclude_companies: tuple[str, ...] = opt((), "Also leave out people at these companies.")
    exclude_domains: tuple[str, ...] = opt((), "Also leave out people with email at these domains.")
    max_hops: int = opt(2, "Longest path (in ties) from the team.", lo=1, hi=6)
    limit: int = opt(100, "Most candidates listed.", lo=1)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.regex:
            import polars as pl

            problems = Problems()
            for k in ("title", "company", "location"):
                pattern = getattr(self, k)
                if pattern:
                    try:
                        pl.select(pl.lit("").str.contains(pattern))
                    except Exception as exc:  # noqa: BLE001 - polars raises ComputeError for a bad pattern
                        problems.add(k, f"not a valid regular expression: {str(exc).splitlines()[0]}")
            problems.raise_if_any(type(self).__name__)


@dataclass(frozen=True)
class AccountsOptions(Options):
    accounts: tuple[str, ...] = opt(
        (), "Target accounts: a company name and/or email domains separated by ';'.", section=False
    )
    team: tuple[str, ...] = opt((), TEAM_DOC, section=False)
    top_titles: int = opt(3, "Most senior people per account to find paths to.", lo=1, hi=20)


@dataclass(frozen=True)
class TeamOptions(Options):
    team: tuple[str, ...] = opt((), TEAM_DOC, section=False)
    targets: tuple[str, ...] = opt((), "Targets for the best-new-connection advice.", section=False)
    hops: int = opt(2, "Reach counted within this many hops.", lo=1, hi=4)
    top: int = opt(10, "Best new connections listed.", lo=1)


@dataclass(frozen=True)
class CommunitiesOptions(Options):
    team: tuple[str, ...] = opt((), TEAM_DOC, section=False)
    method: str = opt("leiden", "Community detection method.", choices=("leiden", "louvain"))
    resolution: float | str = opt(
        "auto",
        ("Leiden resolution: 'auto' (estimated from the graph, Newman 2016) or a number (1 = classic modularity)."),
        lo=0,
        choices=("auto",),
    )
    seed: int = opt(0, "Seed of the community detection.", lo=0, section=False)


@dataclass(frozen=True)
class BrokersOptions(Options):
    team: tuple[str, ...] = opt((), TEAM_DOC, section=False)
    targets: tuple[str, ...] = opt((), "Targets: adds how many of them each broker carries.", section=False)
    top: int = opt(20, "Brokers listed.", lo=1, hi=1000)
    seed: int = opt(0, "Seed of the communities and sampled betweenness.", lo=0, section=False)


@dataclass(frozen=True)
class PeopleOptions(Options):
    search: str | None = opt(None, "Text the name, email, company, title or key must contain.")
    limit: int = opt(50, "Most people listed.", lo=1)
