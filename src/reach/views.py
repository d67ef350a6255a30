"""The recruiter, sales and team views: candidates, target accounts, team reach order, best new connection.

Pure functions over a :class:`ReachGraph` (and its people frame); matching people to text is done
with polars expressions over the whole people table, and reach with the vectorised algorithms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import polars as pl

from reach.algorithms.neighbourhood import bfs_distances, reach_masks
from reach.graph import ReachGraph
from reach.organisations import company_key, is_free_mail

SENIORITY = [  # (regex on the lower-cased title, rank: higher is more senior)
    (r"\b(ceo|cto|cfo|coo|cio|cmo|cpo|chief|founder|co-founder|president|owner|managing director|partner)\b", 5),
    (r"\b(svp|evp|vp|vice president|head of|general manager)\b", 4),
    (r"\b(director|principal)\b", 3),
    (r"\b(manager|lead|senior|sr\.?|staff)\b", 2),
]


def seniority(title: pl.Expr) -> pl.Expr:
    """0 (unknown) to 5 (C-level, founder) from a job title."""
    t = title.str.to_lowercase().fill_null("")
    expr = pl.lit(1)
    for pattern, rank in reversed(SENIORITY):
        expr = pl.when(t.str.contains(pattern)).then(pl.lit(rank)).otherwise(expr)
    return pl.when(title.is_null()).then(pl.lit(0)).otherwise(expr)


def email_domains(people: pl.DataFrame) -> pl.Series:
    """The email domains of each person, as a list column."""
    return people.select(pl.col("emails").list.eval(pl.element().str.extract(r"@(.+)$", 1)).alias("domains"))["domains"]


def own_company(rg: ReachGraph, team: np.ndarray) -> tuple[set[str], set[str]]:
    """The team's company keys and (non-free-mail) email domains."""
    ppl = rg.people[team.tolist()]
    companies = set(ppl.select(company_key(pl.col("company")).alias("k"))["k"].drop_nulls().to_list())
    domains = {d for ds in email_domains(ppl).to_list() if ds for d in ds if d and not is_free_mail(d)}
    return companies, domains


def matches_text(col: str, pattern: str | None, *, regex: bool) -> pl.Expr:
    if not pattern:
        return pl.lit(True)
    if regex:
        return pl.col(col).str.contains(f"(?i){pattern}").fill_null(False)
    return pl.col(col).str.to_lowercase().str.contains(pattern.lower(), literal=True).fill_null(False)


def at_companies(people: pl.DataFrame, companies: set[str], domains: set[str]) -> pl.Series:
    """Whether each person works at one of ``companies`` (normalised keys) or has an email at ``domains``."""
    by_company = people.select(company_key(pl.col("company")).is_in(list(companies)).fill_null(False).alias("k"))["k"]
    doms = email_domains(people)
    dom_list = sorted(domains)
    by_domain = (
        doms.list.eval(
            pl.element().is_in(dom_list) | pl.any_horizontal([pl.element().str.ends_with("." + d) for d in dom_list])
            if dom_list
            else pl.lit(False)
        )
        .list.any()
        .fill_null(False)
    )
    return by_company | by_domain


@dataclass
class Account:
    """A target account: display label, company keys and email domains that identify it."""

    label: str
    companies: set[str]
    domains: set[str]


def parse_account(line: str) -> Account:
    """``"Acme Inc."``, ``"acme.com"`` or ``"Acme Inc.; acme.com; acme.co.uk"`` (one account per line)."""
    parts = [p.strip() for p in re.split(r"[;|]", line) if p.strip()]
    companies, domains = set(), set()
    for p in parts:
        if re.fullmatch(r"(?:[a-z0-9-]+\.)+[a-z]{2,}", p.lower()) and " " not in p:
            d = p.lower().removeprefix("www.")
            domains.add(d)
            companies.add(d.split(".")[0])  # acme.com also names the company Acme
        else:
            key = pl.select(company_key(pl.lit(p))).item()
            if key:
                companies.add(key)
    return Account(label=parts[0] if parts else line, companies=companies, domains=domains)


def greedy_team_order(rg: ReachGraph, team: np.ndarray, *, hops: int = 2) -> pl.DataFrame:
    """Team members in the order that adds the most new people within ``hops`` (greedy set cover).

    Columns: ``order``, ``vertex``, ``n_reach`` (alone), ``n_new`` (added at that step), ``n_cumulative``.
    """
    masks = [m > 0 for m in reach_masks(rg, team, hops=hops)]
    is_team = np.zeros(rg.n_people, dtype=bool)
    is_team[team] = True
    covered = np.zeros(rg.n_people, dtype=bool)
    left = list(range(len(team)))
    rows = []
    while left:
        gains = [int(np.count_nonzero(masks[i] & ~covered & ~is_team)) for i in left]
        k = int(np.argmax(gains))
        i = left.pop(k)
        covered |= masks[i] & ~is_team
        rows.append(
            {
                "order": len(rows) + 1,
                "vertex": int(team[i]),
                "n_reach": int(np.count_nonzero(masks[i] & ~is_team)),
                "n_new": gains[k],
                "n_cumulative": int(np.count_nonzero(covered)),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "order": pl.Int64,
            "vertex": pl.Int64,
            "n_reach": pl.Int64,
            "n_new": pl.Int64,
            "n_cumulative": pl.Int64,
        },
    )


def best_new_connections(rg: ReachGraph, team: np.ndarray, targets: np.ndarray, *, top: int = 10) -> pl.DataFrame:
    """Which one new connection (a team member meeting person ``x``) would bring most uncovered targets within 2 hops.

    A target is covered when it is within two hops of the team. Connecting to ``x`` covers ``x`` and
    every neighbour of ``x``. Computed as one group-by over the uncovered targets' ties. Columns:
    ``vertex``, ``n_targets_gained``, ``distance`` (current hops from the team, -1 if unreachable).
    """
    dist = bfs_distances(rg, team, max_hops=6)
    uncovered = np.array([t for t in np.unique(targets) if dist[t] < 0 or dist[t] > 2], dtype=np.int64)
    if uncovered.size == 0:
        return pl.DataFrame(schema={"vertex": pl.Int64, "n_targets_gained": pl.Int64, "distance": pl.Int64})
    e = rg.edges
    u = np.concatenate([e[:, 0], e[:, 1]])
    v = np.concatenate([e[:, 1], e[:, 0]])
    sel = np.isin(v, uncovered)
    cand = pl.DataFrame({"vertex": np.concatenate([u[sel], uncovered]), "target": np.concatenate([v[sel], uncovered])})
    is_team = np.isin(cand["vertex"].to_numpy(), team)
    gain = (
        cand.filter(~pl.Series(is_team))
        .unique()
        .group_by("vertex")
        .agg(pl.len().cast(pl.Int64).alias("n_targets_gained"))
        .sort(["n_targets_gained", "vertex"], descending=[True, False])
        .head(top)
    )
    return gain.with_columns(pl.Series("distance", dist[gain["vertex"].to_numpy()]))
