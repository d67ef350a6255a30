"""What every feature needs: people references to vertices, the team, and which ties may be used."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import polars as pl

from reach.errors import PersonNotFound, WorkspaceError
from reach.graph import ReachGraph
from reach.people import lookup_people


def resolve_people(rg: ReachGraph, queries: Sequence[str]) -> list[int]:
    """Vertex index for each person reference (see :func:`reach.people.find_person`); the first unknown or
    ambiguous reference raises :class:`PersonNotFound`.
    """
    found = lookup_people(rg.people, list(queries))
    for f in found:
        if isinstance(f, PersonNotFound):
            raise f
    return [rg.vertex(f) for f in found]


def team_vertices(rg: ReachGraph, team: Sequence[str] | None) -> np.ndarray:
    """Vertices of the named team members, or of every owner of an import when ``team`` is empty."""
    if team:
        return np.asarray(resolve_people(rg, team), dtype=np.int64)
    owners = rg.people.with_row_index("v").filter(pl.col("owner").is_not_null())["v"]
    if not owners.len():
        msg = "no team: name team members with --from (nothing was imported with --owner)"
        raise WorkspaceError(msg)
    return owners.to_numpy().astype(np.int64)


def team_or_none(rg: ReachGraph, team: Sequence[str] | None) -> np.ndarray:
    """The team's vertices, or none when no team is named and nothing was imported with an owner."""
    try:
        return team_vertices(rg, team)
    except WorkspaceError:
        return np.zeros(0, dtype=np.int64)


def allowed_ties(rg: ReachGraph, *, since: datetime | None) -> np.ndarray | None:
    """Mask of ties usable for routing: dated ties last active before ``since`` are left out."""
    if since is None or rg.ties is None:
        return None
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    last = rg.ties["last_at"]
    return (last.is_null() | (last >= since)).to_numpy()
