"""Reach: who is within one, two (or more) hops of each source and of the team.

All of it runs on the CSR adjacency (:class:`reach.adjacency.Csr`), vectorised:

* :func:`bfs_distances`: level-synchronous, direction-optimising BFS (Beamer et al. 2012): a level
  whose frontier touches few edges gathers the frontier's neighbours ("top-down"); a level whose
  frontier is large asks every vertex whether any neighbour is in the frontier ("bottom-up", one
  pass over the adjacency). Several sources at once give the distance to the nearest source.
* :func:`two_hop_reach`: for hops <= 2, the pairs (source, person within two hops) of a chunk of
  sources are enumerated by walking the adjacency twice and de-duplicated by one sort of 64-bit
  keys; unique contributions and the team's union are counted from those pairs. For hops >= 3 a
  bit-parallel BFS (:mod:`reach.algorithms.bitbfs`) runs 64 sources per machine word.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reach.adjacency import Csr, slots_of, sorted_unique
from reach.algorithms.bitbfs import BOTTOM_UP, WORD, bit_bfs_levels, bit_counts
from reach.graph import ReachGraph

CHUNK_PAIRS = 8_000_000  # two-hop walk pairs enumerated per chunk of sources (bounds memory)


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


def bfs_distances(rg: ReachGraph | Csr, sources: int | np.ndarray, *, max_hops: int | None = None) -> np.ndarray:
    """Hops from the nearest of ``sources`` to every vertex; -1 when unreachable (or beyond ``max_hops``).

    Examples
    --------
    >>> from reach.adjacency import csr_from_edges
    >>> c = csr_from_edges(np.array([[0, 1], [1, 2], [3, 4]]), 5)
    >>> bfs_distances(c, 0).tolist()
    [0, 1, 2, -1, -1]
    >>> bfs_distances(c, np.array([0, 4]), max_hops=1).tolist()
    [0, 1, -1, 1, 0]
    """
    csr = rg if isinstance(rg, Csr) else rg.csr
    n = csr.n
    dist = np.full(n, -1, dtype=np.int64)
    frontier = sorted_unique(np.atleast_1d(np.asarray(sources, dtype=np.int64)))
    if frontier.size and (frontier[0] < 0 or frontier[-1] >= n):
        msg = f"source vertices must be in 0..{n - 1}"
        raise ValueError(msg)
    dist[frontier] = 0
    unvisited = n - frontier.shape[0]
    k = 0
    while frontier.size and unvisited and (max_hops is None or k < max_hops):
        k += 1
        touched = int(csr.degree[frontier].sum())
        if touched > BOTTOM_UP * csr.n_slots:
            in_frontier = np.zeros(n, dtype=bool)
            in_frontier[frontier] = True
            hit = np.zeros(n, dtype=bool)
            if csr.nz_rows.size:
                hit[csr.nz_rows] = np.logical_or.reduceat(in_frontier[csr.indices], csr.nz_starts)
            frontier = np.flatnonzero(hit & (dist < 0))
        else:
            _, slot = slots_of(csr, frontier)
            nb = csr.indices[slot]
            nb = nb[dist[nb] < 0]
            if nb.shape[0] * 16 < n:
                frontier = sorted_unique(nb).astype(np.int64)
            else:
                mark = np.zeros(n, dtype=bool)
                mark[nb] = True
                frontier = np.flatnonzero(mark)
        dist[frontier] = k
        unvisited -= frontier.shape[0]
    return dist


def two_hop_reach(rg: ReachGraph, sources: np.ndarray, *, hops: int = 2) -> ReachResult:
    """Count people within ``hops`` of each source vertex, the team's union and unique contributions.

    One row per distinct source, in the order given: ``n_hop{k}`` and ``n_total`` count everyone at
    that distance (other sources included); ``n_unique`` and the team counts leave sources out.

    For ``hops <= 2`` the work is proportional to the two-step walks from the sources (the sum of
    their neighbours' degrees), enumerated in chunks of at most ``CHUNK_PAIRS`` so memory stays
    bounded; for more hops, to the edges reached by a bit-parallel BFS per 64 sources.

    Examples
    --------
    >>> from reach.graph import graph_from_edges
    >>> rg = graph_from_edges([("a", "b"), ("b", "c"), ("c", "d"), ("x", "y")])
    >>> res = two_hop_reach(rg, np.array([rg.vertex("a"), rg.vertex("d"), rg.vertex("x")]))
    >>> res.per_source.select("n_hop1", "n_hop2", "n_total", "n_unique").rows()
    [(1, 1, 2, 0), (1, 1, 2, 0), (1, 0, 1, 1)]
    >>> res.team
    {'n_hop1': 3, 'n_hop2': 0, 'n_total': 3, 'n_sources': 3}
    """
    sources = np.asarray(sources, dtype=np.int64).ravel()
    _, first = np.unique(sources, return_index=True)  # small array: the hash path is fine here
    sources = sources[np.sort(first)]
    csr = rg if isinstance(rg, Csr) else rg.csr
    n = csr.n
    if sources.size and (sources.min() < 0 or sources.max() >= n):
        msg = f"source vertices must be in 0..{n - 1}"
        raise ValueError(msg)
    if hops < 1:
        msg = f"hops must be at least 1, got {hops}"
        raise ValueError(msg)
    is_source = np.zeros(n, dtype=bool)
    is_source[sources] = True
    if hops <= 2:
        counts, covered, best, per_unique = _reach_by_pairs(csr, sources, hops=hops, is_source=is_source)
    else:
        counts, covered, best, per_unique = _reach_by_bits(csr, sources, hops=hops, is_source=is_source)
    ids = rg.person_ids
    data: dict[str, object] = {"person_id": pl.Series([str(ids[s]) for s in sources], dtype=pl.String)}
    for k in range(1, hops + 1):
        data[f"n_hop{k}"] = pl.Series(counts[:, k - 1], dtype=pl.Int64)
    data["n_total"] = pl.Series(counts.sum(axis=1), dtype=pl.Int64)
    data["n_unique"] = pl.Series(per_unique, dtype=pl.Int64)
    team = {f"n_hop{k}": int(np.count_nonzero(best == k)) for k in range(1, hops + 1)}
    team["n_total"] = int(np.count_nonzero(best > 0))
    team["n_sources"] = int(sources.shape[0])
    del covered
    return ReachResult(hops=hops, per_source=pl.DataFrame(data), team=team)


def _chunks_by_cost(cost: np.ndarray, budget: int) -> list[tuple[int, int]]:
    """Consecutive index ranges whose summed cost stays within ``budget`` (a range holds at least one)."""
    out, start, acc = [], 0, 0
    for i, c in enumerate(cost.tolist()):
        if i > start and acc + c > budget:
            out.append((start, i))
            start, acc = i, 0
        acc += c
    if start < cost.shape[0]:
        out.append((start, cost.shape[0]))
    return out


def _reach_by_pairs(csr: Csr, sources: np.ndarray, *, hops: int, is_source: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-source ring counts, coverage, team best distance and unique counts for hops <= 2."""
    n = csr.n
    k = sources.shape[0]
    counts = np.zeros((k, hops), dtype=np.int64)
    covered = np.zeros(n, dtype=np.int64)
    best = np.zeros(n, dtype=np.int8)
    # walk pairs per source: sum of the neighbours' degrees
    owner, slot = slots_of(csr, sources)
    nb_deg = csr.degree[csr.indices[slot]]
    walk = np.bincount(owner, weights=nb_deg, minlength=k).astype(np.int64) + csr.degree[sources]
    kept: list[tuple[int, int, np.ndarray]] = []
    for lo, hi in _chunks_by_cost(walk if hops == 2 else csr.degree[sources], CHUNK_PAIRS):
        chunk = sources[lo:hi]
        j1, s1 = slots_of(csr, chunk)
        u = csr.indices[s1].astype(np.int64)
        key1 = sorted_unique(j1 * n + u)  # (source, neighbour), de-duplicated
        if hops == 2:
            i2, s2 = slots_of(csr, u)
            key2 = j1[i2] * n + csr.indices[s2]
            allk = sorted_unique(np.concatenate([key1, key2]))
        else:
            allk = key1
        j_all, w_all = np.divmod(allk, n)
        self_hit = w_all == chunk[j_all]
        j_all, w_all = j_all[~self_hit], w_all[~self_hit]
        n_within = np.bincount(j_all, minlength=chunk.shape[0])
        n1 = np.bincount(key1 // n, minlength=chunk.shape[0])
        counts[lo:hi, 0] = n1
        if hops == 2:
            counts[lo:hi, 1] = n_within - n1
        # the team: distance to the nearest source, sources left out
        w1 = key1 % n
        best[w1[~is_source[w1]]] = 1
        far = w_all[~is_source[w_all]]
        best[far[best[far] == 0]] = 2
        covered += np.bincount(far, minlength=n)
        keep = ~is_source[w_all]
        kept.append((lo, hi, np.stack([j_all[keep], w_all[keep]])))
    per_unique = np.zeros(k, dtype=np.int64)
    for lo, hi, jw in kept:
        solo = covered[jw[1]] == 1
        per_unique[lo:hi] = np.bincount(jw[0][solo], minlength=hi - lo)
    return counts, covered, best, per_unique


def _reach_by_bits(csr: Csr, sources: np.ndarray, *, hops: int, is_source: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-source ring counts, coverage, team best distance and unique counts, for any hops."""
    n = csr.n
    k_src = sources.shape[0]
    counts = np.zeros((k_src, hops), dtype=np.int64)
    covered = np.zeros(n, dtype=np.int64)
    best = np.zeros(n, dtype=np.int8)
    within: list[tuple[int, np.ndarray]] = []
    for lo in range(0, k_src, WORD):
        chunk = sources[lo:lo + WORD]
        reached = np.zeros(n, dtype=np.uint64)
        for k, new in bit_bfs_levels(csr, chunk, max_hops=hops):
            counts[lo:lo + chunk.shape[0], k - 1] = bit_counts(new[new != 0])[: chunk.shape[0]]
            reached |= new
            hit = (new != 0) & ~is_source & ((best == 0) | (best > k))  # nearest over every word
            best[hit] = k
        reached[is_source] = 0
        covered += np.bitwise_count(reached).astype(np.int64)
        within.append((lo, reached))
    per_unique = np.zeros(k_src, dtype=np.int64)
    solo = covered == 1
    for lo, reached in within:
        width = min(WORD, k_src - lo)
        per_unique[lo:lo + width] = bit_counts(reached[solo])[:width]
    return counts, covered, best, per_unique


def reach_masks(rg: ReachGraph | Csr, sources: np.ndarray, *, hops: int) -> list[np.ndarray]:
    """For each source, an int8 array of hop distance (1..hops) per vertex, 0 where not within reach."""
    out = []
    for s in np.asarray(sources, dtype=np.int64).ravel():
        d = bfs_distances(rg, int(s), max_hops=hops)
        out.append(np.where(d > 0, d, 0).astype(np.int8))
    return out
