"""Communities of the relationship graph and what each holds (companies, domains, the team's reach into it)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reach.algorithms.communities import CommunityResult, detect_communities, summarise_communities
from reach.features.common import team_or_none
from reach.features.options import CommunitiesOptions
from reach.graph import ReachGraph
from reach.reports.outputs import conform


@dataclass
class CommunitiesReport:
    result: CommunityResult
    summary: pl.DataFrame  # OUTPUT_TABLES["communities"]
    members: pl.DataFrame  # OUTPUT_TABLES["community_members"]

    @property
    def labels(self) -> np.ndarray:
        return np.asarray(self.result.labels, dtype=np.int64)

    def tables(self) -> dict[str, pl.DataFrame]:
        return {"communities": self.summary, "community_members": self.members}


def communities(rg: ReachGraph, opts: CommunitiesOptions) -> CommunitiesReport:
    """Leiden (or Louvain) communities on tie strengths with a fixed seed, summarised (the team is optional)."""
    res = detect_communities(rg, method=opts.method, resolution=opts.resolution, seed=opts.seed)
    summary = summarise_communities(res, rg.people, team_or_none(rg, opts.team))
    members = pl.DataFrame(
        {
            "person_id": rg.people["person_id"],
            "name": rg.people["display_name"],
            "community": pl.Series(np.asarray(res.labels), dtype=pl.Int64),
        }
    )
    return CommunitiesReport(
        result=res,
        summary=conform(summary, "communities"),
        members=conform(members.sort(["community", "name"], nulls_last=True), "community_members"),
    )
