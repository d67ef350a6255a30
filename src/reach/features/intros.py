"""Warm introductions: ranked paths from the team to each target, with the evidence behind every tie."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reach.algorithms.intros import warm_intro_paths
from reach.evidence import describe_paths
from reach.features.common import allowed_ties, resolve_people, team_vertices
from reach.features.options import IntrosOptions
from reach.graph import ReachGraph
from reach.reports.outputs import conform


@dataclass
class IntroReport:
    paths: pl.DataFrame  # the columns of OUTPUT_TABLES["intros"]
    unreached: list[str]  # person_ids of targets without a path
    team: list[str]  # person_ids of the team members

    def as_dict(self) -> dict:
        return {"team": self.team, "paths": self.paths.to_dicts(), "unreached": self.unreached}


def intros(rg: ReachGraph, opts: IntrosOptions) -> IntroReport:
    """Ranked warm-intro paths from the team to each of ``opts.targets`` (a direct tie first, then by path
    strength), the top paths through different introducers, ``max_asks`` capping each introducer.
    """
    team_v = team_vertices(rg, opts.team)
    target_v = np.asarray(resolve_people(rg, opts.targets), dtype=np.int64)
    blocked = np.asarray(resolve_people(rg, opts.do_not_ask), dtype=np.int64) if opts.do_not_ask else None
    res = warm_intro_paths(
        rg,
        team_v,
        target_v,
        max_hops=opts.max_hops,
        top_k=opts.top,
        max_asks=opts.max_asks,
        blocked=blocked,
        allowed_edges=allowed_ties(rg, since=opts.since),
    )
    return IntroReport(
        paths=conform(describe_paths(rg, res.paths), "intros"),
        unreached=[str(rg.person_ids[v]) for v in res.unreached],
        team=[str(rg.person_ids[v]) for v in team_v],
    )
