"""Recruiter view: people matching filters within reach of the team, each with their best introducer."""

from __future__ import annotations

import numpy as np
import polars as pl

from reach.algorithms.intros import warm_intro_paths
from reach.evidence import describe_paths
from reach.features.common import resolve_people, team_vertices
from reach.features.options import CandidatesOptions
from reach.graph import ReachGraph
from reach.organisations import company_key
from reach.reports.outputs import conform
from reach.views import at_companies, matches_text, own_company


def candidates(rg: ReachGraph, opts: CandidatesOptions) -> pl.DataFrame:
    """People matching the filters within ``max_hops`` of the team (columns of OUTPUT_TABLES["candidates"]).

    People at the team's own company (its company names and non-free-mail email domains, plus
    ``exclude_companies``/``exclude_domains``) are left out. Sorted by hops, then path strength.
    """
    team_v = team_vertices(rg, opts.team)
    ppl = rg.people.with_row_index("v")
    cond = (
        matches_text("title", opts.title, regex=opts.regex)
        & matches_text("company", opts.company, regex=opts.regex)
        & matches_text("location", opts.location, regex=opts.regex)
    )
    if opts.people:
        cond = cond & pl.col("v").is_in(resolve_people(rg, opts.people))
    companies, domains = own_company(rg, team_v)
    companies |= {pl.select(company_key(pl.lit(c))).item() for c in opts.exclude_companies if c}
    domains |= {d.lower().lstrip("@") for d in opts.exclude_domains}
    ppl = ppl.with_columns(at_companies(rg.people, companies, domains).alias("own"))
    pool = ppl.filter(cond & ~pl.col("own") & ~pl.col("v").is_in(team_v.tolist()))
    res = warm_intro_paths(rg, team_v, pool["v"].to_numpy().astype(np.int64), max_hops=opts.max_hops, top_k=1)
    paths = describe_paths(rg, res.paths).rename({"target_id": "person_id", "target": "name"})
    info = rg.people.select("person_id", "title", "company", "location")
    out = paths.join(info, on="person_id", how="left").sort(["hops", "strength"], descending=[False, True])
    return conform(out.head(opts.limit), "candidates")
