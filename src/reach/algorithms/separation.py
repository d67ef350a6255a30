"""Degrees of separation: hop distances, shortest paths and warmest paths.

Hop distances and shortest paths come from a breadth-first search on the CSR adjacency
(:func:`reach.algorithms.neighbourhood.bfs_distances`); a path is walked back from the target one
ring at a time, always to the lowest-numbered neighbour one hop nearer, so it is deterministic.
The warmest path (highest product of tie strengths) is Dijkstra on ``-ln(strength)``
(``scipy.sparse.csgraph``), with every target's path walked back at once.
"""

from __future__ import annotations

import weakref

import numpy as np
import polars as pl

from reach.algorithms.neighbourhood import bfs_distances
from reach.errors import NoPath
from reach.graph import ReachGraph


def shortest_path(rg: ReachGraph, source: int, target: int, *, max_hops: int | None = None) -> list[int]:
    """One shortest (fewest hops) path from vertex ``source`` to ``target``, both ends included.

    Among equally short paths the one through the lowest-numbered people (from the target back) is
    chosen, so the answer is the same on every run. Raises :class:`NoPath` when they are not
    connected, or only by more than ``max_hops`` hops.
    """
    if source == target:
        return [source]
    dist = bfs_distances(rg, source)
    d = int(dist[target])
    if d < 0:
        msg = "not connected: no chain of ties links them"
        raise NoPath(msg)
    if max_hops is not None and d > max_hops:
        msg = f"not within {max_hops} hops (they are {d} hops apart)"
        raise NoPath(msg)
    csr = rg.csr
    path = [int(target)]
    v = int(target)
    for k in range(d - 1, -1, -1):
        nb = csr.indices[csr.indptr[v]:csr.indptr[v + 1]]
        v = int(nb[dist[nb] == k].min())
        path.append(v)
    return path[::-1]


def single_source_distances(rg: ReachGraph, source: int, *, max_hops: int | None = None) -> np.ndarray:
    """Hop distance from ``source`` to every vertex; -1 for unreachable (or beyond ``max_hops``)."""
    return bfs_distances(rg, int(source), max_hops=max_hops)


_WEIGHTED: dict[tuple[int, int], tuple[weakref.ref, object]] = {}


def _cost_matrix(rg: ReachGraph):
    """scipy CSR of routing costs ``-ln(strength)`` (both directions), cached while ``rg.strength`` lives."""
    import scipy.sparse as sp

    key = (id(rg.strength), id(rg.edges))
    hit = _WEIGHTED.get(key)
    if hit is not None and hit[0]() is rg.strength:
        return hit[1]
    csr = rg.csr
    # csgraph ignores explicit zeros in sparse input, so a tie of strength 1 (cost 0) gets a tiny cost
    cost = np.maximum(rg.cost[csr.edge], 1e-12)
    mat = sp.csr_matrix((cost, csr.indices, csr.indptr), shape=(csr.n, csr.n))
    _WEIGHTED[key] = (weakref.ref(rg.strength, lambda _r, k=key: _WEIGHTED.pop(k, None)), mat)
    return mat


def warmest_paths(rg: ReachGraph, source: int, targets: np.ndarray, *, max_hops: int | None = None) -> pl.DataFrame:
    """The warmest path (highest product of tie strengths) from ``source`` to each target.

    Dijkstra on ``-ln(strength)`` from one source (``scipy.sparse.csgraph.dijkstra``), then every
    target's path is walked back through the predecessor array at once. Columns: ``target``,
    ``hops`` (null when unreachable), ``strength`` (product along the path; 1.0 for the source
    itself), ``path`` (vertex ids from source to target). With ``max_hops``, targets whose warmest
    path is longer are reported unreachable (the warmest path within a hop limit is
    :func:`reach.algorithms.intros.hop_limited_best`).
    """
    from scipy.sparse.csgraph import dijkstra

    targets = np.asarray(targets, dtype=np.int64).ravel()
    dist, pred = dijkstra(_cost_matrix(rg), directed=True, indices=int(source), return_predecessors=True)
    reach_t = np.isfinite(dist[targets])
    steps = [targets.copy()]
    cur = np.where(reach_t, targets, -9999)
    while True:
        live = (cur >= 0) & (cur != source)
        if not live.any():
            break
        nxt = np.full(cur.shape[0], -9999, dtype=np.int64)
        nxt[live] = pred[cur[live]]
        cur = nxt
        steps.append(np.where(live, cur, -1))
    walk = np.stack(steps, axis=1)  # target first, then predecessors; -1 / -9999 past the source
    hops = np.where(reach_t, (walk >= 0).sum(axis=1) - 1, -1)
    paths = [row[: h + 1][::-1].tolist() if h >= 0 else None for row, h in zip(walk, hops.tolist(), strict=True)]
    strength = np.where(reach_t, np.exp(-np.where(reach_t, dist[targets], 0.0)), np.nan)
    if max_hops is not None:
        far = hops > max_hops
        hops = np.where(far, -1, hops)
        strength = np.where(far, np.nan, strength)
        paths = [None if f else p for p, f in zip(paths, far.tolist(), strict=True)]
    return pl.DataFrame({
        "target": pl.Series(targets, dtype=pl.Int64),
        "hops": pl.Series(hops, dtype=pl.Int64).replace(-1, None),
        "strength": pl.Series(strength, dtype=pl.Float64).fill_nan(None),
        "path": pl.Series(paths, dtype=pl.List(pl.Int64)),
    })
