"""Degrees of separation and shortest paths."""

from __future__ import annotations

import warnings

import numpy as np

from reach.errors import NoPath
from reach.graph import ReachGraph


def shortest_path(rg: ReachGraph, source: int, target: int, *, max_hops: int | None = None) -> list[int]:
    """One shortest (fewest hops) path from vertex ``source`` to ``target``, both ends included.

    Among equally short paths igraph's BFS order decides, which is deterministic for a given graph.
    Raises :class:`NoPath` when they are not connected, or only by more than ``max_hops`` hops.
    """
    if source == target:
        return [source]
    with warnings.catch_warnings():  # igraph warns when the target is unreachable; we raise NoPath instead
        warnings.simplefilter("ignore", RuntimeWarning)
        path = rg.graph.get_shortest_path(source, to=target, mode="all", output="vpath")
    if not path:
        msg = "not connected: no chain of ties links them"
        raise NoPath(msg)
    if max_hops is not None and len(path) - 1 > max_hops:
        msg = f"not within {max_hops} hops (they are {len(path) - 1} hops apart)"
        raise NoPath(msg)
    return [int(v) for v in path]


def single_source_distances(rg: ReachGraph, source: int, *, max_hops: int | None = None) -> np.ndarray:
    """Hop distance from ``source`` to every vertex; -1 for unreachable (or beyond ``max_hops``)."""
    vids, layers, _ = rg.graph.bfs(source, mode="all")
    dist = np.full(rg.n_people, -1, dtype=np.int64)
    vids = np.asarray(vids, dtype=np.int64)
    layers = np.asarray(layers, dtype=np.int64)
    sizes = np.diff(layers)
    levels = np.repeat(np.arange(sizes.shape[0], dtype=np.int64), sizes)
    dist[vids[: levels.shape[0]]] = levels
    if max_hops is not None:
        dist[dist > max_hops] = -1
    return dist
