"""Degrees of separation: hops between two people and one shortest path, with the strength of each tie."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from reach.algorithms.separation import shortest_path
from reach.features.common import resolve_people
from reach.features.options import PathOptions
from reach.graph import ReachGraph
from reach.strength_labels import strength_label_expr


@dataclass
class PathResult:
    source: str
    target: str
    hops: int | None
    path: pl.DataFrame  # step, person_id, display_name, key, strength_to_next, label_to_next

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "target": self.target,
            "hops": self.hops,
            "connected": self.hops is not None,
            "path": self.path.to_dicts(),
        }


def degrees_of_separation(rg: ReachGraph, source: str, target: str, opts: PathOptions | None = None) -> PathResult:
    """Hops between two people and one shortest path (raises :class:`reach.errors.NoPath`)."""
    opts = opts or PathOptions()
    s, t = resolve_people(rg, [source, target])
    verts = shortest_path(rg, s, t, max_hops=opts.max_hops)
    eids = rg.edge_ids(verts).tolist()
    strengths = [float(rg.strength[e]) for e in eids] + [None]
    path = (
        rg.people[verts]
        .select("person_id", "display_name", "key")
        .with_columns(
            pl.Series("step", list(range(len(verts))), dtype=pl.Int64),
            pl.Series("strength_to_next", strengths, dtype=pl.Float64),
        )
        .with_columns(strength_label_expr("strength_to_next").alias("label_to_next"))
        .select("step", "person_id", "display_name", "key", "strength_to_next", "label_to_next")
    )
    return PathResult(source=str(rg.person_ids[s]), target=str(rg.person_ids[t]), hops=len(verts) - 1, path=path)
