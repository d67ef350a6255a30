"""Network statistics: size, components, clustering, distances and the (effective) diameter."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from reach.algorithms.stats import NetworkStats, network_stats
from reach.features.options import StatsOptions
from reach.graph import ReachGraph
from reach.reports.outputs import conform


@dataclass
class StatsReport:
    stats: NetworkStats

    def as_dict(self) -> dict:
        return self.stats.as_dict()

    @property
    def distances(self) -> pl.DataFrame:
        """OUTPUT_TABLES["distances"]: pairs in the largest component per hop distance."""
        dist = self.stats.as_dict()["distance_distribution"]
        return conform(
            pl.DataFrame(
                {"distance": [int(k) for k in dist], "pairs": [float(v) for v in dist.values()]},
                schema={"distance": pl.Int64, "pairs": pl.Float64},
            ),
            "distances",
        )


def stats(rg: ReachGraph, opts: StatsOptions) -> StatsReport:
    """Exact distances up to ``exact_limit`` people in the largest component, else from ``samples`` BFS sources."""
    return StatsReport(network_stats(rg, exact_limit=opts.exact_limit, n_samples=opts.samples, seed=opts.seed))
