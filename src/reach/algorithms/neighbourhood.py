"""Reach: how many people are within one, two (or more) hops of each source and of the team."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reach.graph import ReachGraph


@dataclass
class ReachResult:
    """Per-source and team reach.

    ``per_source`` has one row per source: ``person_id``, ``n_hop1`` .. ``n_hop{hops}`` (people at
    exactly that distance, the source excluded), ``n_total`` (within ``hops``), ``n_unique`` (people
    within ``hops`` of this source and of no other source; sources themselves are never counted).
    ``team`` counts the union: ``n_hop{k}`` by distance to the nearest source, and ``n_total``.
    """

    hops: int
    per_source: pl.DataFrame
    team: dict[str, int]


def reach_masks(rg: ReachGraph, sources: np.ndarray, *, hops: int) -> list[np.ndarray]:
    """For each source, an int8 array of hop distance (1..hops) per vertex, 0 where not within reach."""
    out = []
    for s in sources:
        dist = np.zeros(rg.n_people, dtype=np.int8)
        for k in range(hops, 0, -1):  # nearer rings overwrite farther ones
            ring = rg.graph.neighborhood(int(s), order=k, mindist=k)
            dist[np.asarray(ring, dtype=np.int64)] = k
        dist[s] = 0
        out.append(dist)
    return out


def two_hop_reach(rg: ReachGraph, sources: np.ndarray, *, hops: int = 2) -> ReachResult:
    """Count people within ``hops`` of each source vertex, the team's union and unique contributions."""
    sources = np.asarray(sources, dtype=np.int64)
    _, first = np.unique(sources, return_index=True)
    sources = sources[np.sort(first)]  # de-duplicated, in the order given
    is_source = np.zeros(rg.n_people, dtype=bool)
    is_source[sources] = True
    masks = reach_masks(rg, sources, hops=hops)
    covered = np.zeros(rg.n_people, dtype=np.int32)
    best = np.zeros(rg.n_people, dtype=np.int8)
    for dist in masks:
        within = (dist > 0) & ~is_source
        covered += within
        best = np.where(within & ((best == 0) | (dist < best)), dist, best)
    rows = []
    for s, dist in zip(sources, masks, strict=True):
        within = (dist > 0) & ~is_source
        row = {"person_id": str(rg.person_ids[s])}
        for k in range(1, hops + 1):
            row[f"n_hop{k}"] = int(np.count_nonzero(dist == k))
        row["n_total"] = int(np.count_nonzero(dist > 0))
        row["n_unique"] = int(np.count_nonzero(within & (covered == 1)))
        rows.append(row)
    team = {f"n_hop{k}": int(np.count_nonzero(best == k)) for k in range(1, hops + 1)}
    team["n_total"] = int(np.count_nonzero(best > 0))
    team["n_sources"] = int(sources.shape[0])
    schema = {"person_id": pl.String, **{f"n_hop{k}": pl.Int64 for k in range(1, hops + 1)},
              "n_total": pl.Int64, "n_unique": pl.Int64}
    return ReachResult(hops=hops, per_source=pl.DataFrame(rows, schema=schema), team=team)


def multi_source_hops(rg: ReachGraph, sources: np.ndarray, *, max_hops: int) -> np.ndarray:
    """Hops from the nearest source to every vertex (-1 beyond ``max_hops``): level-synchronous BFS on CSR."""
    adj = rg.adjacency
    dist = np.full(rg.n_people, -1, dtype=np.int64)
    sources = np.asarray(sources, dtype=np.int64)
    dist[sources] = 0
    frontier = np.zeros(rg.n_people, dtype=np.int32)  # int32: an int8 product overflows at hubs
    frontier[sources] = 1
    for k in range(1, max_hops + 1):
        reached = (adj @ frontier) > 0
        new = reached & (dist < 0)
        if not new.any():
            break
        dist[new] = k
        frontier = new.astype(np.int32)
    return dist
