"""The team's reach: per member and for the union, who is reached by whom, and the greedy team plan."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reach.algorithms.neighbourhood import ReachResult, bfs_distances, reach_masks, two_hop_reach
from reach.features.common import resolve_people, team_vertices
from reach.features.options import ReachedOptions, ReachOptions, TeamOptions
from reach.graph import ReachGraph
from reach.reports.outputs import conform
from reach.views import best_new_connections, greedy_team_order


def team_reach(rg: ReachGraph, opts: ReachOptions) -> ReachResult:
    """Reach of each of ``opts.sources`` and of them together (see :func:`two_hop_reach`), with names."""
    verts = resolve_people(rg, opts.sources)
    result = two_hop_reach(rg, verts, hops=opts.hops)
    names = rg.people.select("person_id", "display_name")
    result.per_source = result.per_source.join(names, on="person_id", how="left").select(
        "person_id", "display_name", *[c for c in result.per_source.columns if c != "person_id"]
    )
    return result


def reached(rg: ReachGraph, opts: ReachedOptions) -> pl.DataFrame:
    """Everyone within ``hops`` of the team (team excluded), with the distance to the nearest member, how many
    members reach them and, when only one does, who (columns of OUTPUT_TABLES["reached"]).
    """
    team_v = team_vertices(rg, opts.team)
    masks = reach_masks(rg, team_v, hops=opts.hops)
    is_team = np.zeros(rg.n_people, dtype=bool)
    is_team[team_v] = True
    within = np.stack([(m > 0) & ~is_team for m in masks]) if masks else np.zeros((0, rg.n_people), dtype=bool)
    n_members = within.sum(axis=0)
    sel = np.nonzero(n_members > 0)[0]
    dist = bfs_distances(rg, team_v, max_hops=opts.hops)
    names = rg.people["display_name"].to_numpy()
    only_idx = np.argmax(within[:, sel], axis=0) if sel.size else np.zeros(0, dtype=np.int64)
    only = np.where(n_members[sel] == 1, names[team_v[only_idx]] if sel.size else np.zeros(0, dtype=object), None)
    ppl = rg.people[sel.tolist()] if sel.size else rg.people.head(0)
    out = pl.DataFrame(
        {
            "person_id": ppl["person_id"],
            "name": ppl["display_name"],
            "company": ppl["company"],
            "title": ppl["title"],
            "distance": pl.Series(dist[sel], dtype=pl.Int64),
            "n_members": pl.Series(n_members[sel], dtype=pl.Int64),
            "only_member": pl.Series(only.tolist(), dtype=pl.String),
        }
    )
    return conform(out.sort(["distance", "name", "person_id"], nulls_last=True), "reached")


@dataclass
class TeamPlan:
    order: pl.DataFrame  # OUTPUT_TABLES["team_reach"]
    connections: pl.DataFrame | None  # OUTPUT_TABLES["team_connections"]; None without targets

    def tables(self) -> dict[str, pl.DataFrame]:
        return {"team_reach": self.order} | (
            {"team_connections": self.connections} if self.connections is not None else {}
        )

    def as_dict(self) -> dict:
        return {"order": self.order.to_dicts()} | (
            {"connections": self.connections.to_dicts()} if self.connections is not None else {}
        )


def team_plan(rg: ReachGraph, opts: TeamOptions) -> TeamPlan:
    """Each member's reach in the greedy order of the new people they add, and the best single new connections
    for ``opts.targets``.
    """
    team_v = team_vertices(rg, opts.team)
    ids = [str(rg.person_ids[v]) for v in team_v]
    per = team_reach(rg, ReachOptions(sources=tuple(ids), hops=opts.hops)).per_source
    order = greedy_team_order(rg, team_v, hops=opts.hops)
    vert_ids = pl.DataFrame({"vertex": pl.Series(team_v, dtype=pl.Int64), "person_id": ids}).unique("vertex")
    order = order.join(vert_ids, on="vertex").drop("vertex").join(per, on="person_id", how="left").sort("order")
    connections = None
    if opts.targets:
        names = rg.people.with_row_index("vertex").select(pl.col("vertex").cast(pl.Int64), "person_id", "display_name")
        best = best_new_connections(
            rg, team_v, np.asarray(resolve_people(rg, opts.targets), dtype=np.int64), top=opts.top
        )
        connections = conform(
            best.join(names, on="vertex").sort(["n_targets_gained", "person_id"], descending=[True, False]),
            "team_connections",
        )
    return TeamPlan(order=conform(order, "team_reach"), connections=connections)
