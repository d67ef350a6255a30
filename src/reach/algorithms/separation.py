"""Degrees of separation: hop distances, shortest paths and warmest paths.

Hop distances from one person to everyone come from a breadth-first search on the CSR adjacency
(:func:`reach.algorithms.neighbourhood.bfs_distances`). Between two people a bidirectional BFS
(:func:`shortest_path`) expands the smaller frontier and stops where the sides meet; many pairs at
once share one search, 64 pairs per machine word (:func:`hop_distances`).
The warmest path (highest product of tie strengths) is Dijkstra on ``-ln(strength)``
(``scipy.sparse.csgraph``), with every target's path walked back at once.
"""

from __future__ import annotations

import weakref

import numpy as np
import polars as pl

from reach.adjacency import Csr, slots_of, sorted_unique
from reach.algorithms.bitbfs import WORD
from reach.algorithms.neighbourhood import bfs_distances
from reach.errors import NoPath
from reach.graph import ReachGraph


def shortest_path(rg: ReachGraph, source: int, target: int, *, max_hops: int | None = None) -> list[int]:
    """One shortest (fewest hops) path from vertex ``source`` to ``target``, both ends included.

    A bidirectional breadth-first search: each step expands the side whose frontier touches fewer
    adjacency slots, and the search stops at the level where the two sides meet, so a query costs
    the neighbourhoods it crosses, not the graph. The path is deterministic: it runs through the
    lowest-numbered meeting edge, and from each end of it to the lowest-numbered neighbour one level
    nearer that end's search root. Raises :class:`NoPath` when they are not connected, or only by
    more than ``max_hops`` hops.
    """
    source, target = int(source), int(target)
    csr = rg if isinstance(rg, Csr) else rg.csr
    for v in (source, target):
        if not 0 <= v < csr.n:
            msg = f"vertices must be in 0..{csr.n - 1}"
            raise ValueError(msg)
    if source == target:
        return [source]
    found = _bidirectional(csr, source, target, max_hops)
    if found is None:
        if max_hops is not None and bfs_distances(csr, source, max_hops=None)[target] >= 0:
            d = int(bfs_distances(csr, source)[target])
            msg = f"not within {max_hops} hops (they are {d} hops apart)"
            raise NoPath(msg)
        msg = "not connected: no chain of ties links them"
        raise NoPath(msg)
    mark, u, w = found  # u on the source side, w on the target side, tied
    return _walk_back(csr, mark, u)[::-1] + _walk_back(csr, mark, w)


def _walk_back(csr: Csr, mark: np.ndarray, v: int) -> list[int]:
    """From ``v`` to its search root: each step to the lowest-numbered neighbour one level nearer."""
    m = int(mark[v])
    path = [v]
    step = -1 if m > 0 else 1
    while m not in (1, -1):
        m += step
        nb = csr.indices[csr.indptr[v] : csr.indptr[v + 1]]
        v = int(nb[mark[nb] == m].min())
        path.append(v)
    return path


def _bidirectional(csr: Csr, source: int, target: int, max_hops: int | None) -> tuple[np.ndarray, int, int] | None:
    """Bidirectional BFS; ``(mark, u, w)`` with ``mark`` = depth + 1 from the source, -(depth + 1) from the
    target (0 unseen) and ``(u, w)`` the lowest-numbered tie joining the two sides; None when they do not meet.
    """
    mark = np.zeros(csr.n, dtype=np.int32)
    mark[source], mark[target] = 1, -1
    fronts = {1: np.array([source], dtype=np.int64), -1: np.array([target], dtype=np.int64)}
    depth = {1: 0, -1: 0}
    while fronts[1].size and fronts[-1].size:
        if max_hops is not None and depth[1] + depth[-1] >= max_hops:
            return None
        cost = {sgn: int(csr.degree[f].sum()) for sgn, f in fronts.items()}
        sgn = 1 if cost[1] <= cost[-1] else -1
        owner, slot = slots_of(csr, fronts[sgn])
        nb = csr.indices[slot].astype(np.int64)
        m = mark[nb]
        meet = (m * sgn) < 0
        if meet.any():
            # the first meeting level: every meeting vertex lies on the other side's frontier
            a = fronts[sgn][owner[meet]]
            b = nb[meet]
            key = np.minimum(a, b) * csr.n + np.maximum(a, b)
            i = int(np.argmin(key))
            u, w = (int(a[i]), int(b[i])) if sgn == 1 else (int(b[i]), int(a[i]))
            return mark, u, w
        new = sorted_unique(nb[m == 0])
        depth[sgn] += 1
        mark[new] = sgn * (depth[sgn] + 1)
        fronts[sgn] = new
    return None


def hop_distances(
    rg: ReachGraph | Csr, sources: np.ndarray, targets: np.ndarray, *, max_hops: int | None = None
) -> np.ndarray:
    """Hops between ``sources[i]`` and ``targets[i]`` for every pair; -1 when not connected (or beyond ``max_hops``).

    Many pairs in one search: 64 pairs share a word per vertex and side (bit ``j`` = "seen by pair
    ``j``'s search from that side"), and each step expands, for every unfinished pair, the side whose
    frontier touches fewer slots; a pair stops at the level where its two sides meet. For the hops
    from many people to the nearest of a group (candidates against a team) use one multi-source
    :func:`reach.algorithms.neighbourhood.bfs_distances` instead.

    Examples
    --------
    >>> from reach.adjacency import csr_from_edges
    >>> c = csr_from_edges(np.array([[0, 1], [1, 2], [2, 3], [4, 5]]), 6)
    >>> hop_distances(c, np.array([0, 0, 3, 2]), np.array([3, 4, 3, 0])).tolist()
    [3, -1, 0, 2]
    >>> hop_distances(c, np.array([0]), np.array([3]), max_hops=2).tolist()
    [-1]
    """
    csr = rg if isinstance(rg, Csr) else rg.csr
    src = np.asarray(sources, dtype=np.int64).ravel()
    tgt = np.asarray(targets, dtype=np.int64).ravel()
    if src.shape != tgt.shape:
        msg = f"sources and targets must pair up: {src.shape[0]} sources, {tgt.shape[0]} targets"
        raise ValueError(msg)
    if src.size and (min(src.min(), tgt.min()) < 0 or max(src.max(), tgt.max()) >= csr.n):
        msg = f"vertices must be in 0..{csr.n - 1}"
        raise ValueError(msg)
    out = np.full(src.shape[0], -1, dtype=np.int64)
    for lo in range(0, src.shape[0], WORD):
        out[lo : lo + WORD] = _hop_word(csr, src[lo : lo + WORD], tgt[lo : lo + WORD], max_hops)
    return out


def _hop_word(csr: Csr, src: np.ndarray, tgt: np.ndarray, max_hops: int | None) -> np.ndarray:
    """Bidirectional BFS for up to 64 pairs at once (see :func:`hop_distances`)."""
    k = src.shape[0]
    res = np.where(src == tgt, 0, -1).astype(np.int64)
    live = src != tgt
    seen = [np.zeros(csr.n, dtype=np.uint64), np.zeros(csr.n, dtype=np.uint64)]
    q = np.arange(k, dtype=np.int64)
    bits = np.left_shift(np.uint64(1), q.astype(np.uint64))
    np.bitwise_or.at(seen[0], src[live], bits[live])
    np.bitwise_or.at(seen[1], tgt[live], bits[live])
    fv = [src[live], tgt[live]]  # frontier (vertex, pair) of each side
    fq = [q[live], q[live]]
    depth = np.zeros((2, k), dtype=np.int64)
    while live.any():
        if max_hops is not None:
            live &= depth.sum(axis=0) < max_hops
        cost = np.stack([np.bincount(fq[x], weights=csr.degree[fv[x]], minlength=k) for x in (0, 1)])
        empty = (np.stack([np.bincount(fq[x], minlength=k) for x in (0, 1)]) == 0).any(axis=0)
        live &= ~empty  # one side has nowhere left to go: not connected
        if not live.any():
            break
        side = (cost[1] < cost[0]).astype(np.int64)  # per pair: expand the cheaper side
        for x in (0, 1):
            take = live[fq[x]] & (side[fq[x]] == x)
            if not take.any():
                continue
            v, pq = fv[x][take], fq[x][take]
            owner, slot = slots_of(csr, v)
            w = csr.indices[slot].astype(np.int64)
            wq = pq[owner]
            b = bits[wq]
            met = (seen[1 - x][w] & b) != 0
            if met.any():
                mq = sorted_unique(wq[met])
                res[mq] = depth[0, mq] + depth[1, mq] + 1  # the first meeting is on the other frontier
                live[mq] = False
            fresh = ((seen[x][w] & b) == 0) & live[wq]
            key = sorted_unique(w[fresh] * WORD + wq[fresh])
            nv, nq = np.divmod(key, WORD)
            np.bitwise_or.at(seen[x], nv, bits[nq])
            moved = np.zeros(k, dtype=bool)
            moved[pq] = True
            depth[x, moved & live] += 1
            keep_old = ~take & live[fq[x]]
            fv[x] = np.concatenate([fv[x][keep_old], nv])
            fq[x] = np.concatenate([fq[x][keep_old], nq])
        for x in (0, 1):
            alive = live[fq[x]]
            fv[x], fq[x] = fv[x][alive], fq[x][alive]
    return res


def single_source_distances(rg: ReachGraph, source: int, *, max_hops: int | None = None) -> np.ndarray:
    """Hop distance from ``source`` to every vertex; -1 for unreachable (or beyond ``max_hops``)."""
    return bfs_distances(rg, int(source), max_hops=max_hops)


_WEIGHTED: dict[tuple[int, int], tuple[weakref.ref, object]] = {}


def _cost_matrix(rg: ReachGraph):
    """Scipy CSR of routing costs ``-ln(strength)`` (both directions), cached while ``rg.strength`` lives."""
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
    return pl.DataFrame(
        {
            "target": pl.Series(targets, dtype=pl.Int64),
            "hops": pl.Series(hops, dtype=pl.Int64).replace(-1, None),
            "strength": pl.Series(strength, dtype=pl.Float64).fill_nan(None),
            "path": pl.Series(paths, dtype=pl.List(pl.Int64)),
        }
    )
