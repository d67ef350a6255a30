"""Brokers: people who bridge (betweenness, constraint, communities connected, targets the team would lose)."""

from __future__ import annotations

import numpy as np
import polars as pl

from reach.algorithms.brokers import brokers as broker_scores
from reach.algorithms.communities import detect_communities
from reach.features.common import resolve_people, team_or_none, team_vertices
from reach.features.options import BrokersOptions
from reach.graph import ReachGraph
from reach.reports.outputs import conform


def brokers(rg: ReachGraph, opts: BrokersOptions, *, membership: np.ndarray | None = None) -> pl.DataFrame:
    """The ``top`` brokers, best first (columns of OUTPUT_TABLES["brokers"]).

    The team (named, or every owner of an import; none when there is neither) gives ``is_team`` and the
    targets lost without each broker; with ``targets``, the brokers are those the team's paths to the
    targets depend on most. ``membership`` (vertex labels) saves detecting the communities again.
    """
    team_v = team_vertices(rg, opts.team) if opts.targets else team_or_none(rg, opts.team)
    sources = team_v if team_v.size else None
    if membership is None:
        membership = detect_communities(rg, seed=opts.seed).labels
    if not opts.targets:
        rows = broker_scores(rg, sources=sources, targets=None, membership=membership, seed=opts.seed, top=opts.top)
    else:
        target_v = np.asarray(resolve_people(rg, opts.targets), dtype=np.int64)
        rows = broker_scores(
            rg, sources=sources, targets=target_v, membership=membership, seed=opts.seed, top=rg.n_people
        )
        rows = rows.sort(["n_targets_lost", "n_targets_via", "betweenness"], descending=True).head(opts.top)
        rows = rows.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("rank"))
    return conform(rows.rename({"display_name": "name", "is_source": "is_team"}, strict=False), "brokers")
