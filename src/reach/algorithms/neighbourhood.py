"""Reach: who is within one, two (or more) hops of each source and of the team.

All of it runs on the CSR adjacency (:class:`reach.adjacency.Csr`), vectorised:

* :func:`bfs_distances`: level-synchronous, direction-optimising BFS (Beamer et al. 2012): a level
  whose frontier touches few edges gathers the frontier's neighbours ("top-down"); a level whose
  frontier is large asks every vertex whether any neighbour is in the frontier ("bottom-up", one
  pass over the adjacency). Several sources at once give the distance to the nearest source.
* :func:`two_hop_reach`: for hops <= 2 the sources are ordered by their two-step walks (their
  degree plus their neighbours' degrees). Those whose walks would cost more than one pass over the
  adjacency (hubs and their neighbours, on heavy-tailed graphs) run in groups of 128 on bitmaps: two
  words per vertex, the first ring pushed, the second pulled with one gather and one ``reduceat``
  over all slots, so a hub in the first ring costs nothing extra. The rest get their pairs (source,
  person within two hops) from one boolean sparse product ``A[S] @ A + A[S]`` per chunk (scipy's
  SMMP merges each row's walks in a marker array, no sort). Unique contributions are counted in
  O(n) memory: per vertex, how many sources reach it and, while that is one, which. For hops >= 3 a
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
BIT_GROUP = 128  # sources per bitmap pass (two uint64 words per vertex)
PAIR_NS = 300.0  # cost per two-step walk on the pairs path (measured for the former sort; the product costs less)
SLOT_NS = 8.0  # measured cost per adjacency slot (and vertex) of one bitmap pass over BIT_GROUP sources


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
        counts, best, per_unique = _reach_within_two(csr, sources, hops=hops, is_source=is_source)
    else:
        counts, _covered, best, per_unique = _reach_by_bits(csr, sources, hops=hops, is_source=is_source)
    ids = rg.person_ids
    data: dict[str, object] = {"person_id": pl.Series([str(ids[s]) for s in sources], dtype=pl.String)}
    for k in range(1, hops + 1):
        data[f"n_hop{k}"] = pl.Series(counts[:, k - 1], dtype=pl.Int64)
    data["n_total"] = pl.Series(counts.sum(axis=1), dtype=pl.Int64)
    data["n_unique"] = pl.Series(per_unique, dtype=pl.Int64)
    team = {f"n_hop{k}": int(np.count_nonzero(best == k)) for k in range(1, hops + 1)}
    team["n_total"] = int(np.count_nonzero(best > 0))
    team["n_sources"] = int(sources.shape[0])
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


class _Coverage:
    """How many sources reach each vertex, and for a vertex reached by exactly one, which (O(n) memory).

    Chunks of sources report, per chunk, the vertices they reach (sources left out) with how many of
    the chunk's sources reach each and, where that is one, which source; a vertex's owner is kept
    while its count stays one. ``unique()`` counts, per source, the vertices only it reaches.
    """

    def __init__(self, n: int, k: int) -> None:
        self.count = np.zeros(n, dtype=np.int32)
        self.owner = np.full(n, -1, dtype=np.int32)
        self.k = k

    def add(self, verts: np.ndarray, times: np.ndarray, owner: np.ndarray) -> None:
        """``verts`` distinct; ``owner`` is the source index for ``times == 1`` (anything elsewhere)."""
        first = (times == 1) & (self.count[verts] == 0)
        self.owner[verts[first]] = owner[first]
        self.count[verts] += times.astype(np.int32)

    def unique(self) -> np.ndarray:
        solo = self.count == 1
        return np.bincount(self.owner[solo], minlength=self.k).astype(np.int64)


def _walks(csr: Csr, sources: np.ndarray) -> np.ndarray:
    """Two-step walks from each source: its degree plus its neighbours' degrees."""
    owner, slot = slots_of(csr, sources)
    nb_deg = csr.degree[csr.indices[slot]]
    return np.bincount(owner, weights=nb_deg, minlength=sources.shape[0]).astype(np.int64) + csr.degree[sources]


def _plan_two_hops(csr: Csr, walk: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Degree-ordered split of the sources: groups of up to ``BIT_GROUP`` for bitmaps, the rest for pairs.

    The sources with the most two-step walks (hubs and hub neighbours) go first: a group of them is
    run on bitmaps when enumerating its walks would cost more than one pass over the adjacency
    (``PAIR_NS`` per walk against ``SLOT_NS`` per adjacency slot and vertex); the rest enumerate pairs.
    """
    order = np.argsort(-walk, kind="stable")
    pass_cost = SLOT_NS * (csr.n_slots + csr.n)
    groups = []
    i = 0
    while i < order.shape[0]:
        grp = order[i : i + BIT_GROUP]
        if PAIR_NS * float(walk[grp].sum()) <= pass_cost:
            break
        groups.append(grp)
        i += grp.shape[0]
    return groups, order[i:]


def _reach_within_two(
    csr: Csr, sources: np.ndarray, *, hops: int, is_source: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-source ring counts, team best distance and unique counts for hops <= 2."""
    n = csr.n
    k = sources.shape[0]
    counts = np.zeros((k, hops), dtype=np.int64)
    best = np.zeros(n, dtype=np.int8)
    cover = _Coverage(n, k)
    if hops == 2:
        walk = _walks(csr, sources)
        groups, rest = _plan_two_hops(csr, walk)
        for grp in groups:
            _two_hops_by_bits(csr, sources, grp, counts, best, cover, is_source)
    else:
        walk = csr.degree[sources]
        rest = np.arange(k)
    rest = np.sort(rest)
    adj = _bool_adjacency(csr) if rest.size else None
    for lo, hi in _chunks_by_cost(walk[rest], CHUNK_PAIRS):
        _hops_by_pairs(csr, sources, rest[lo:hi], hops, counts, best, cover, is_source, adj)
    return counts, best, cover.unique()


def _hops_by_pairs(
    csr: Csr,
    sources: np.ndarray,
    idx: np.ndarray,
    hops: int,
    counts: np.ndarray,
    best: np.ndarray,
    cover: _Coverage,
    is_source: np.ndarray,
    adj=None,
) -> None:
    """The (source, vertex) pairs within ``hops`` <= 2 of ``sources[idx]``, by one boolean sparse product.

    ``A[S] @ A + A[S]`` (scipy's SMMP, which merges each row's walks in a dense marker array: no sort)
    gives each source's row of everyone within two hops; ``adj`` is the boolean adjacency (built here
    when not given).
    """
    n = csr.n
    if adj is None:
        adj = _bool_adjacency(csr)
    chunk = sources[idx]
    k = chunk.shape[0]
    s1 = adj[chunk]
    s1.sum_duplicates()  # repeated ties: one neighbour
    within = (s1 @ adj + s1).tocsr() if hops == 2 else s1
    row = np.repeat(np.arange(k), np.diff(within.indptr))
    col = within.indices.astype(np.int64)
    keep = col != chunk[row]  # a source is not within reach of itself
    row, col = row[keep], col[keep]
    n1 = np.diff(s1.indptr)
    counts[idx, 0] = n1
    if hops == 2:
        counts[idx, 1] = np.bincount(row, minlength=k) - n1
    # the team: distance to the nearest source, sources left out
    w1 = s1.indices
    best[w1[~is_source[w1]]] = 1
    keep = ~is_source[col]
    row, col = row[keep], col[keep]
    best[col[best[col] == 0]] = 2
    times = np.bincount(col, minlength=n)
    verts = np.flatnonzero(times)
    times = times[verts]
    owner_sum = np.bincount(col, weights=row.astype(np.float64), minlength=n)[verts]  # exact: far below 2**53
    owner = np.where(times == 1, owner_sum, 0.0).astype(np.int64)
    cover.add(verts, times, idx[owner])


def _bool_adjacency(csr: Csr):
    """The adjacency as a boolean scipy CSR matrix sharing the CSR's index arrays."""
    import scipy.sparse as sp

    indptr = csr.indptr.astype(csr.indices.dtype) if csr.n_slots < 2**31 else csr.indptr
    indices = csr.indices if indptr.dtype == csr.indices.dtype else csr.indices.astype(indptr.dtype)
    return sp.csr_matrix((np.ones(csr.n_slots, dtype=bool), indices, indptr), shape=(csr.n, csr.n), copy=False)


_U16_BITS: np.ndarray | None = None


def _bit_counts_2d(words: np.ndarray, width: int) -> np.ndarray:
    """Set bits per source of ``(rows, W)`` uint64 words: ``width`` counts (source ``64 w + b`` is bit b of word w).

    One histogram of every 16-bit quarter of a word column, then a product with the bits of each of
    the 65,536 values.
    """
    global _U16_BITS
    if _U16_BITS is None:
        _U16_BITS = ((np.arange(1 << 16)[:, None] >> np.arange(16)[None, :]) & 1).astype(np.float64)
    q = np.ascontiguousarray(words).astype("<u8", copy=False).view("<u2").reshape(words.shape[0], -1)
    hist = np.stack([np.bincount(q[:, c], minlength=1 << 16) for c in range(q.shape[1])]).astype(np.float64)
    return np.rint(hist @ _U16_BITS).astype(np.int64).ravel()[:width]  # exact: counts are far below 2**53


def _two_hops_by_bits(
    csr: Csr,
    sources: np.ndarray,
    grp: np.ndarray,
    counts: np.ndarray,
    best: np.ndarray,
    cover: _Coverage,
    is_source: np.ndarray,
) -> None:
    """Up to ``BIT_GROUP`` sources at once: one bit per source in ``W`` words per vertex.

    The first ring is pushed from the sources' own slots; the second pulls, for every vertex, the OR
    of its neighbours' words (one gather and one ``reduceat`` over the whole adjacency), which costs
    the same however many hubs the first ring holds.
    """
    n = csr.n
    width = grp.shape[0]
    nw = (width + WORD - 1) // WORD
    chunk = sources[grp]
    bit = np.left_shift(np.uint64(1), (np.arange(width) % WORD).astype(np.uint64))
    word = np.arange(width) // WORD
    seed = np.zeros((n, nw), dtype=np.uint64)
    owner, slot = slots_of(csr, chunk)
    nb = csr.indices[slot].astype(np.int64)
    np.bitwise_or.at(seed.reshape(-1), nb * nw + word[owner], bit[owner])
    rows1 = sorted_unique(nb)
    ring1 = seed[rows1]  # the first ring, on its own rows
    seed[chunk, word] |= bit
    within = np.zeros((n, nw), dtype=np.uint64)
    if csr.nz_rows.size:
        within[csr.nz_rows] = np.bitwise_or.reduceat(np.take(seed, csr.indices, axis=0), csr.nz_starts, axis=0)
    del seed
    within[rows1] |= ring1
    within[chunk, word] &= ~bit  # a source is not within reach of itself
    pop = np.bitwise_count(within).sum(axis=1, dtype=np.int64)
    rows = np.flatnonzero(pop)
    w_rows = within[rows]
    del within
    n1 = _bit_counts_2d(ring1, width)
    counts[grp, 0] = n1
    counts[grp, 1] = _bit_counts_2d(w_rows, width) - n1
    # the team and unique reach leave sources out
    r1 = rows1[~is_source[rows1]]
    best[r1] = 1
    keep = ~is_source[rows]
    rows, w_rows, times = rows[keep], w_rows[keep], pop[rows[keep]]
    best[rows[best[rows] == 0]] = 2
    one = times == 1
    w_one = w_rows[one]
    col = np.argmax(w_one != 0, axis=1)
    b = np.bitwise_count(w_one[np.arange(col.shape[0]), col] - np.uint64(1)).astype(np.int64)
    own = np.zeros(rows.shape[0], dtype=np.int64)
    own[one] = grp[col * WORD + b]
    cover.add(rows, times, own)


def _reach_by_bits(
    csr: Csr, sources: np.ndarray, *, hops: int, is_source: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-source ring counts, coverage, team best distance and unique counts, for any hops."""
    n = csr.n
    k_src = sources.shape[0]
    counts = np.zeros((k_src, hops), dtype=np.int64)
    covered = np.zeros(n, dtype=np.int64)
    best = np.zeros(n, dtype=np.int8)
    within: list[tuple[int, np.ndarray]] = []
    for lo in range(0, k_src, WORD):
        chunk = sources[lo : lo + WORD]
        reached = np.zeros(n, dtype=np.uint64)
        for k, new in bit_bfs_levels(csr, chunk, max_hops=hops):
            counts[lo : lo + chunk.shape[0], k - 1] = bit_counts(new[new != 0])[: chunk.shape[0]]
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
        per_unique[lo : lo + width] = bit_counts(reached[solo])[:width]
    return counts, covered, best, per_unique


def reach_masks(rg: ReachGraph | Csr, sources: np.ndarray, *, hops: int) -> list[np.ndarray]:
    """For each source, an int8 array of hop distance (1..hops) per vertex, 0 where not within reach."""
    out = []
    for s in np.asarray(sources, dtype=np.int64).ravel():
        d = bfs_distances(rg, int(s), max_hops=hops)
        out.append(np.where(d > 0, d, 0).astype(np.int8))
    return out
