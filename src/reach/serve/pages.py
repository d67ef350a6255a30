"""What each page shows, computed from a :class:`~reach.serve.state.Snapshot` (no HTML here).

Each function takes the snapshot and what the user typed and returns plain values and polars frames
for a template; the queries themselves are the library's (intros, candidates, accounts, team plan,
communities, brokers, statistics), so a page and the matching CLI command give the same answer.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from reach.errors import ReachError
from reach.serve.state import Snapshot

MAX_TARGETS = 5000
NAME_COLUMNS = (
    "email",
    "e-mail",
    "email address",
    "e-mail address",
    "linkedin",
    "linkedin url",
    "profile url",
    "url",
    "name",
    "full name",
    "display name",
    "target",
    "person",
    "contact",
)


# ------------------------------------------------------------------ search
def _haystack(snap: Snapshot) -> pl.Series:
    """One lower-cased text per person (name, email, company, title, key, LinkedIn slug, owner), built once."""

    def compute() -> pl.Series:
        ppl = snap.rg.people
        hay = pl.concat_str(
            [
                pl.col("display_name"),
                pl.col("emails").list.join(" "),
                pl.col("company"),
                pl.col("title"),
                pl.col("key"),
                pl.col("linkedin"),
                pl.col("owner"),
            ],
            separator=" \u0000 ",
            ignore_nulls=True,
        ).str.to_lowercase()
        return ppl.select(hay.alias("hay"))["hay"]

    return snap.cached("haystack", compute)


def _choices(snap: Snapshot) -> list[str]:
    """Distinct names and companies, the vocabulary "did you mean" picks from."""

    def compute() -> list[str]:
        ppl = snap.rg.people
        names = pl.concat([ppl["display_name"], ppl["company"]]).drop_nulls().unique(maintain_order=True)
        return names.filter(names.str.len_chars() > 1).to_list()

    return snap.cached("choices", compute)


def suggestions(snap: Snapshot, text: str, *, limit: int = 5) -> list[str]:
    """Names or companies close to ``text`` (rapidfuzz WRatio over every distinct one)."""
    from rapidfuzz import fuzz, process, utils

    text = text.strip()
    if len(text) < 2:
        return []
    found = process.extract(
        text, _choices(snap), scorer=fuzz.WRatio, processor=utils.default_process, limit=limit, score_cutoff=70
    )
    return [name for name, _score, _i in found]


@dataclass
class SearchResult:
    query: str
    rows: pl.DataFrame
    total: int
    suggestions: list[str] = field(default_factory=list)


def search(snap: Snapshot, query: str, *, limit: int = 50) -> SearchResult:
    """People whose name, email, company, title, key or LinkedIn profile contains every word of ``query``.

    An email or a LinkedIn URL is matched as the identifier it is (``lookup_people``); with no match,
    ``suggestions`` holds the closest names and companies.
    """
    from reach.identity import linkedin_slug

    q = query.strip()
    ppl = snap.rg.people.with_row_index("v")
    if not q:
        return SearchResult(q, ppl.head(0), 0)
    words = [w for w in q.lower().split() if w]
    slug = pl.select(linkedin_slug(pl.lit(q))).item() if "linkedin." in q.lower() else None
    hay = _haystack(snap)
    mask: pl.Series | None = None
    if slug:
        mask = ppl["linkedin"] == slug
    else:
        for w in words:
            hit = hay.str.contains(w, literal=True)
            mask = hit if mask is None else (mask & hit)
    hits = ppl.filter(mask.fill_null(False))
    total = hits.height
    rows = (
        hits.with_columns(pl.col("v").is_in(snap.team.tolist()).alias("is_team"))
        .sort(["is_team", "n_sources", "display_name"], descending=[True, True, False], nulls_last=True)
        .head(limit)
    )
    return SearchResult(q, rows, total, [] if total else suggestions(snap, q))


# ------------------------------------------------------------------ person
@dataclass
class Step:
    a_id: str
    a: str
    b_id: str
    b: str
    strength: float
    why: str


@dataclass
class Route:
    rank: int
    hops: int
    strength: float
    member_id: str
    member: str
    introducer_id: str | None
    introducer: str | None
    steps: list[Step]
    draft: str | None = None  # the intro request to send, when the library drafts one


def _names(snap: Snapshot) -> np.ndarray:
    return snap.cached(
        "names",
        lambda: (
            snap.rg.people.select(pl.coalesce("display_name", pl.col("emails").list.first(), "key", "person_id"))
            .to_series()
            .to_numpy()
        ),
    )


def tie_lines(snap: Snapshot, edges: list[int]) -> dict[int, str]:
    """The evidence line of each tie (counts per channel, last contact, sources)."""
    from reach.evidence import tie_evidence

    edges = sorted(set(edges))
    if not edges or snap.rg.ties is None:
        return {}
    return dict(zip(edges, tie_evidence(snap.rg.ties[edges]).to_list(), strict=True))


def routes(snap: Snapshot, targets: np.ndarray, *, max_hops: int = 2, top_k: int = 3) -> list[list[Route]]:
    """The warmest routes from the team to each target, every tie with its evidence (one list per target)."""
    from reach.algorithms.intros import warm_intro_paths

    out: list[list[Route]] = [[] for _ in range(len(targets))]
    if not snap.team.size or not len(targets):
        return out
    res = warm_intro_paths(snap.rg, snap.team, np.asarray(targets, dtype=np.int64), max_hops=max_hops, top_k=top_k)
    paths = res.paths
    if not paths.height:
        return out
    names, ids, strength = _names(snap), snap.rg.person_ids, snap.rg.strength
    why = tie_lines(snap, [int(e) for es in paths["edges"].to_list() for e in es])
    where: dict[int, list[int]] = {}
    for i, t in enumerate(np.asarray(targets).tolist()):
        where.setdefault(int(t), []).append(i)
    for r in paths.sort(["target", "rank"]).iter_rows(named=True):
        p, es = r["path"], r["edges"]
        steps = [
            Step(str(ids[a]), str(names[a]), str(ids[b]), str(names[b]), float(strength[e]), why.get(int(e), ""))
            for a, b, e in zip(p[:-1], p[1:], es, strict=True)
        ]
        route = Route(
            rank=int(r["rank"]),
            hops=int(r["hops"]),
            strength=float(r["strength"]),
            member_id=str(ids[r["member"]]),
            member=str(names[r["member"]]),
            introducer_id=str(ids[r["introducer"]]) if r["hops"] > 1 else None,
            introducer=str(names[r["introducer"]]) if r["hops"] > 1 else None,
            steps=steps,
        )
        for i in where.get(int(r["target"]), []):
            out[i].append(route)
    return out


@dataclass
class PersonPage:
    person: dict
    vertex: int
    is_team: bool
    known_by: list[dict]  # team members with a direct tie: member, member_id, strength, why
    routes: list[Route]
    max_hops: int
    records: pl.DataFrame  # source path, format, line, role, display_name, company, title
    identifiers: pl.DataFrame  # kind, value, n_records
    reasons: list[str]
    n_ties: int


def person_page(snap: Snapshot, person_id: str, *, max_hops: int = 2) -> PersonPage | None:
    """Who they are, who on the team knows them and how well, and the warmest routes to them."""
    from reach.explain import PersonReport

    rg = snap.rg
    try:
        v = rg.vertex(person_id)
    except KeyError:
        return None
    person = rg.people.row(v, named=True)
    csr = rg.csr
    nbrs = csr.indices[csr.indptr[v] : csr.indptr[v + 1]]
    eids = csr.edge[csr.indptr[v] : csr.indptr[v + 1]]
    on_team = np.isin(nbrs, snap.team)
    why = tie_lines(snap, eids[on_team].tolist())
    names = _names(snap)
    known_by = sorted(
        (
            {
                "member": str(names[m]),
                "member_id": str(rg.person_ids[m]),
                "strength": float(rg.strength[e]),
                "why": why.get(int(e), ""),
            }
            for m, e in zip(nbrs[on_team], eids[on_team], strict=True)
        ),
        key=lambda d: -d["strength"],
    )
    is_team = bool(np.isin(v, snap.team))
    found = [] if is_team else routes(snap, np.array([v]), max_hops=max_hops, top_k=5)[0]
    # the records behind the person, from which exports (membership is sorted by person_id)
    mem = snap.membership
    lo = int(mem["person_id"].search_sorted(person_id, side="left"))
    hi = int(mem["person_id"].search_sorted(person_id, side="right"))
    rec_ids = mem["record_id"][lo:hi]
    recs = (
        snap.records.filter(pl.col("record_id").is_in(rec_ids.implode()))
        .join(snap.sources.select("source_id", "path", "format"), on="source_id", how="left")
        .sort("record_id")
    )
    ids = (
        snap.identifiers.filter(pl.col("record_id").is_in(rec_ids.implode()))
        .group_by("kind", "value")
        .agg(pl.col("record_id").n_unique().alias("n_records"))
        .sort("kind", "value")
    )
    report = PersonReport(person=person, records=recs, identifiers=ids)
    return PersonPage(
        person=person,
        vertex=v,
        is_team=is_team,
        known_by=known_by,
        routes=found,
        max_hops=max_hops,
        records=recs,
        identifiers=ids.filter(pl.col("kind") != "record"),
        reasons=report.reasons(),
        n_ties=int(nbrs.shape[0]),
    )


# ------------------------------------------------------------------ targets
def parse_targets(text: str, upload: bytes | None = None, filename: str | None = None) -> list[str]:
    """People named in pasted text and/or an uploaded file, in order, without repeats.

    A CSV with a header row naming an email, LinkedIn, name or first/last name column gives one
    target per row (the email when there is one, else the profile URL, else the name); anything else
    is one target per line (blank lines and ``#`` comments skipped).
    """
    items: list[str] = []
    for chunk in (text or "", _decode(upload) if upload else ""):
        items += _targets_from(chunk)
    seen: set[str] = set()
    out = []
    for it in items:
        k = it.casefold()
        if k not in seen:
            seen.add(k)
            out.append(it)
    if len(out) > MAX_TARGETS:
        msg = f"{filename or 'the list'}: {len(out)} targets; at most {MAX_TARGETS} at once"
        raise ReachError(msg)
    return out


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "utf-16") if data[:2] not in (b"\xff\xfe", b"\xfe\xff") else ("utf-16",):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace")


def _targets_from(text: str) -> list[str]:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return []
    head = lines[0]
    delim = next((d for d in (",", ";", "\t") if d in head), None)
    if delim:
        header = [h.strip().strip('"').strip().lower() for h in next(csv.reader([head], delimiter=delim))]
        cols = {h: i for i, h in enumerate(header)}
        pick = [cols[c] for c in NAME_COLUMNS if c in cols]
        first = next((cols[c] for c in ("first name", "first_name", "given name") if c in cols), None)
        last = next((cols[c] for c in ("last name", "last_name", "family name", "surname") if c in cols), None)
        if pick or (first is not None and last is not None):
            out = []
            for row in csv.reader(io.StringIO("\n".join(lines[1:])), delimiter=delim):
                vals = [row[i].strip() for i in pick if i < len(row) and row[i].strip()]
                if not vals and first is not None and last is not None:
                    vals = [" ".join(row[i].strip() for i in (first, last) if i < len(row) and row[i].strip())]
                if vals and vals[0]:
                    out.append(vals[0])
            return out
    return [ln.strip() for ln in lines]


@dataclass
class TargetRow:
    query: str
    status: str  # reached | unreached | unknown | team
    person_id: str | None = None
    name: str | None = None
    company: str | None = None
    title: str | None = None
    route: Route | None = None
    problem: str | None = None
    suggestions: list[str] = field(default_factory=list)


def target_rows(snap: Snapshot, queries: list[str], *, max_hops: int = 2) -> list[TargetRow]:
    """The best route to each named person; unknown names with "did you mean", unreached ones named."""
    from reach.errors import PersonNotFound
    from reach.people import lookup_people

    rg = snap.rg
    found = lookup_people(rg.people, queries)
    rows: list[TargetRow] = []
    verts: list[int] = []
    for q, f in zip(queries, found, strict=True):
        if isinstance(f, PersonNotFound):
            ambiguous = "ambiguous" in str(f)
            rows.append(TargetRow(q, "unknown", problem=str(f), suggestions=[] if ambiguous else suggestions(snap, q)))
            continue
        v = rg.vertex(f)
        p = rg.people.row(v, named=True)
        rows.append(
            TargetRow(
                q,
                "team" if v in set(snap.team.tolist()) else "unreached",
                person_id=f,
                name=str(_names(snap)[v]),
                company=p["company"],
                title=p["title"],
            )
        )
        verts.append(v)
    todo = [r for r in rows if r.status == "unreached"]
    best = routes(snap, np.array([rg.vertex(r.person_id) for r in todo], dtype=np.int64), max_hops=max_hops, top_k=1)
    for r, rs in zip(todo, best, strict=True):
        if rs:
            r.route, r.status = rs[0], "reached"
    return rows


def targets_frame(rows: list[TargetRow]) -> pl.DataFrame:
    """The targets table as CSV columns (one row per input line)."""

    def path(r: TargetRow) -> str | None:
        if r.route is None:
            return None
        return " -> ".join([r.route.steps[0].a] + [s.b for s in r.route.steps]) if r.route.steps else None

    def why(r: TargetRow) -> str | None:
        if r.route is None:
            return r.problem
        return " | ".join(f"{s.a} - {s.b} ({s.strength:.2f}: {s.why})" for s in r.route.steps)

    return pl.DataFrame(
        {
            "query": [r.query for r in rows],
            "status": [r.status for r in rows],
            "person_id": [r.person_id for r in rows],
            "name": [r.name for r in rows],
            "company": [r.company for r in rows],
            "title": [r.title for r in rows],
            "hops": [r.route.hops if r.route else None for r in rows],
            "strength": [round(r.route.strength, 6) if r.route else None for r in rows],
            "member": [r.route.member if r.route else None for r in rows],
            "introducer": [r.route.introducer if r.route else None for r in rows],
            "path": [path(r) for r in rows],
            "why": [why(r) for r in rows],
            "did_you_mean": ["; ".join(r.suggestions) or None for r in rows],
        },
        schema={
            "query": pl.String,
            "status": pl.String,
            "person_id": pl.String,
            "name": pl.String,
            "company": pl.String,
            "title": pl.String,
            "hops": pl.Int64,
            "strength": pl.Float64,
            "member": pl.String,
            "introducer": pl.String,
            "path": pl.String,
            "why": pl.String,
            "did_you_mean": pl.String,
        },
    )


# ------------------------------------------------------------------ candidates, accounts, team, network
def check_pattern(label: str, pattern: str | None, *, regex: bool) -> str | None:
    """A message when ``pattern`` is not a regular expression polars accepts, else None."""
    if not regex or not pattern:
        return None
    try:
        pl.select(pl.lit("").str.contains(f"(?i){pattern}"))
    except Exception as exc:  # polars reports a bad pattern as ComputeError
        first = str(exc).strip().splitlines()
        detail = next((ln.strip() for ln in first if ln.strip().startswith("error:")), first[-1] if first else "")
        return f"{label}: {pattern!r} is not a valid regular expression ({detail})"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"{label}: {pattern!r} is not a valid regular expression ({exc})"
    return None


def candidates(
    snap: Snapshot, *, title: str | None, company: str | None, location: str | None, regex: bool, limit: int = 100
) -> tuple[pl.DataFrame | None, list[str]]:
    """People matching the filters within two hops of the team, warmest first; or the messages why not."""
    from reach.features import CandidatesOptions
    from reach.features import candidates as candidates_fn

    problems = [
        m
        for m in (
            check_pattern("title", title, regex=regex),
            check_pattern("company", company, regex=regex),
            check_pattern("location", location, regex=regex),
        )
        if m
    ]
    if problems:
        return None, problems
    if not snap.team.size:
        return None, ["no team: nothing in this workspace was imported with --owner"]
    try:
        opts = CandidatesOptions(
            title=title or None, company=company or None, location=location or None, regex=regex, limit=limit
        )
    except ReachError as exc:
        return None, [str(exc)]
    return candidates_fn(snap.rg, opts), []


def accounts(snap: Snapshot, lines: list[str]) -> dict[str, pl.DataFrame]:
    from reach.features import AccountsOptions
    from reach.features import accounts as accounts_fn

    rep = accounts_fn(snap.rg, AccountsOptions(accounts=tuple(lines)))
    res = {"coverage": rep.coverage, "paths": rep.paths, "carriers": rep.carriers}
    info = snap.rg.people.select(pl.col("person_id").alias("target_id"), "title", "company")
    res["paths"] = res["paths"].join(info, on="target_id", how="left", maintain_order="left")
    return res


def team(snap: Snapshot, targets: list[str]) -> tuple[dict[str, pl.DataFrame], list[TargetRow]]:
    """Team members by unique reach added, and (for targets) the best single new connection."""
    from reach.features import TeamOptions, team_plan

    rows = target_rows(snap, targets) if targets else []
    known = tuple(r.person_id for r in rows if r.person_id)
    plan = snap.cached(("team", known), lambda: team_plan(snap.rg, TeamOptions(targets=known)))
    return plan, [r for r in rows if r.status == "unknown"]


def network(snap: Snapshot) -> dict:
    """Statistics, communities and brokers of the whole graph (computed once per build)."""
    from reach.features import (
        BrokersOptions,
        CommunitiesOptions,
        ReachOptions,
        StatsOptions,
        brokers,
        communities,
        stats,
        team_reach,
    )

    def compute() -> dict:
        st = stats(snap.rg, StatsOptions())
        com = communities(snap.rg, CommunitiesOptions())
        br = brokers(snap.rg, BrokersOptions(top=20), membership=com.labels)
        ids = tuple(str(snap.rg.person_ids[v]) for v in snap.team)
        reach = team_reach(snap.rg, ReachOptions(sources=ids)) if ids else None
        return {
            "stats": st.as_dict(),
            "communities": com.summary,
            "modularity": com.result.modularity,
            "resolution": com.result.resolution,
            "brokers": br,
            "reach": reach,
        }

    return snap.cached("network", compute)


_PLOTTING = threading.Lock()  # pyplot keeps global state: one figure at a time


def plot_png(snap: Snapshot, name: str) -> bytes | None:
    """One of the network page's plots as PNG bytes (made once per build)."""
    from reach.reports import plots

    def compute() -> bytes | None:
        net = network(snap)
        with _PLOTTING:
            return draw(net)

    def draw(net: dict) -> bytes | None:
        if name == "distances":
            fig = plots.distance_distribution(
                {int(k): float(v) for k, v in net["stats"]["distance_distribution"].items()},
                exact=bool(net["stats"]["distance_exact"]),
            )
        elif name == "communities":
            fig = plots.community_sizes(net["communities"])
        elif name == "team" and net["reach"] is not None:
            fig = plots.team_reach(net["reach"].per_source)
        else:
            return None
        try:
            return plots.png_bytes(fig)
        finally:
            plots.close(fig)

    return snap.cached(("plot", name), compute)
