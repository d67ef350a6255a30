"""The vectorised half of community detection on large graphs: best-gain moves and aggregation.

Pure numpy/scipy over a symmetric weighted adjacency, no igraph: :func:`_local_moving` moves every
vertex at once to the neighbouring community with the best modularity gain (half of the would-be
movers per sweep, so neighbours do not swap forever), :func:`_aggregate` turns communities into the
vertices of a smaller graph, :func:`_split_disconnected` keeps every community connected, and
:func:`_modularity_np` scores a partition. :mod:`reach.algorithms.communities` drives them (coarsening
down to a size igraph's Leiden handles quickly, then projecting back and refining).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import scipy.sparse as sp

THREADS = 2  # local-moving sweeps on graphs of THREAD_SLOTS adjacency slots or more run in this many threads
THREAD_SLOTS = 2_000_000
SHORT_ROWS = 40  # below this many adjacency slots per vertex a sweep sums relabelled rows instead of a sparse product


def _adjacency(edges: np.ndarray, w: np.ndarray, n: int, *, upper: bool = False):
    """Weighted adjacency as a scipy CSR matrix, both directions, self-loops left out (they never move).

    ``upper``: the edges are those of :func:`_aggregate` (pairs ``a <= b`` sorted by ``a`` then ``b``, no
    duplicates), so the upper triangle is already in CSR order and only its transpose is added.
    """
    if upper:
        keep = edges[:, 0] != edges[:, 1]
        a, b, wk = edges[keep, 0], edges[keep, 1], w[keep]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(a, minlength=n), out=indptr[1:])
        up = sp.csr_matrix((wk, b.astype(np.int32), indptr), shape=(n, n))
        up.has_sorted_indices = True
        return (up + up.T.tocsr()).tocsr()
    a = edges[:, 0].astype(np.int32)
    b = edges[:, 1].astype(np.int32)
    keep = a != b
    if not keep.all():
        a, b, w = a[keep], b[keep], w[keep]
    return sp.csr_matrix((np.concatenate([w, w]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n))


def _local_moving(
    adj, deg: np.ndarray, gamma: float, labels: np.ndarray, sweeps: int, share: float = 1.0
) -> np.ndarray:
    """Synchronous, vectorised Louvain local moving: each sweep moves every vertex at once to its best community.

    In a sweep every active vertex ``v`` computes its tie weight ``w_vC`` to each neighbouring community
    (one sparse product with the membership matrix) and the modularity gain
    ``w_vC - gamma k_v K_C / 2m`` against staying; vertices with a positive best gain move together.
    Two singletons that pick each other move only towards the smaller label (Lu et al. 2015, Grappolo),
    which stops the classic swap oscillation. Only vertices next to a moved vertex stay active. On large
    graphs the rows are cut into two blocks handled by two threads (numpy and scipy release the GIL).
    Deterministic: no random choices (ties go to the first community in the product's order).
    """
    n = adj.shape[0]
    two_m = float(deg.sum())
    c = np.asarray(labels, dtype=np.int64).copy()
    if two_m <= 0 or n == 0 or adj.nnz == 0:
        return c
    scale = gamma / two_m
    n_blocks = THREADS if adj.nnz >= THREAD_SLOTS else 1
    cuts = np.searchsorted(adj.indptr, np.linspace(0, adj.nnz, n_blocks + 1).astype(np.int64))
    cuts[0], cuts[-1] = 0, n
    blocks = [
        (int(a), int(b), _row_block(adj, int(a), int(b)) if n_blocks > 1 else adj) for a, b in pairwise(cuts) if b > a
    ]
    active = np.diff(adj.indptr) > 0
    singletons = np.array_equal(c, np.arange(n))
    sparse_rows = adj.nnz < SHORT_ROWS * n

    def propose(block, K, singles):
        r0, r1, rows_adj = block
        act = np.flatnonzero(active[r0:r1])
        if act.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if act.size < 0.5 * (r1 - r0):
            rows_adj = rows_adj[act]
        else:
            act = None  # every row of the block (inactive ones are dropped at the end)
        if singles:
            wc = rows_adj
        elif sparse_rows:  # short rows over many columns: relabel and sum duplicates
            wc = _community_weights(rows_adj, c)
        else:  # long rows (aggregated levels): scipy's product, its dense accumulator stays in cache
            wc = rows_adj @ sp.csr_matrix((np.ones(n), c, np.arange(n + 1)), shape=(n, n))
        verts = np.arange(r0, r1) if act is None else act + r0
        cnt = np.diff(wc.indptr)
        cols = wc.indices
        kv = deg[verts]
        cv = c[verts]
        kr = np.repeat(kv * scale, cnt)
        score = K[cols]
        score *= kr
        np.subtract(wc.data, score, out=score)
        # a singleton's own community is itself, and the adjacency has no self-loops
        own = np.zeros(0, dtype=np.int64) if singles else np.flatnonzero(cols == np.repeat(cv.astype(cols.dtype), cnt))
        own_row = np.searchsorted(wc.indptr, own, side="right") - 1
        score[own] += kr[own] * kv[own_row]  # the vertex itself does not count in its own community's total
        stay = -scale * kv * (K[cv] - kv)
        stay[own_row] = score[own]
        nz = cnt > 0
        best = np.full(verts.shape[0], -np.inf)
        best[nz] = np.maximum.reduceat(score, wc.indptr[:-1][nz])
        cand = score == np.repeat(best, cnt)
        cand[own] = False
        hit = np.flatnonzero(cand)
        row = np.searchsorted(wc.indptr, hit, side="right") - 1
        first = np.ones(row.shape[0], dtype=bool)
        first[1:] = row[1:] != row[:-1]
        hit, row = hit[first], row[first]
        ok = best[row] - stay[row] > 1e-12 * (kv[row] + 1.0)
        v, target = verts[row[ok]], cols[hit[ok]].astype(np.int64)
        if act is None:
            keep = active[v]
            v, target = v[keep], target[keep]
        return v, target

    pool = None
    if len(blocks) > 1:
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(len(blocks))
    try:
        for sweep in range(sweeps):
            K = np.bincount(c, weights=deg, minlength=n)
            if pool is None:
                found = [propose(b, K, singletons) for b in blocks]
            else:
                found = list(pool.map(lambda b, K=K, s=singletons: propose(b, K, s), blocks))
            v = np.concatenate([f[0] for f in found])
            target = np.concatenate([f[1] for f in found])
            size = np.bincount(c, minlength=n)
            ok = ~((size[c[v]] == 1) & (size[target] == 1) & (target > c[v]))
            held = np.zeros(0, dtype=np.int64)
            if share < 1.0 and v.size:  # a fixed pseudo-random share of the movers, new each sweep
                h = (v.astype(np.uint64) + np.uint64(sweep + 1)) * np.uint64(0x9E3779B97F4A7C15)
                pick = (h >> np.uint64(40)).astype(np.float64) < share * float(1 << 24)
                held = v[ok & ~pick]  # they try again next sweep
                ok &= pick
            v, target = v[ok], target[ok]
            if v.size == 0 and held.size == 0:
                break
            c[v] = target
            singletons = singletons and v.size == 0
            moved = np.zeros(n)
            moved[v] = 1.0
            active = (adj @ moved) > 0
            active[v] = True
            active[held] = True
    finally:
        if pool is not None:
            pool.shutdown()
    return c


def _row_block(adj, a: int, b: int):
    """Rows ``a:b`` of a CSR matrix as a CSR matrix sharing its data and indices (slicing would copy them)."""
    s, e = int(adj.indptr[a]), int(adj.indptr[b])
    block = sp.csr_matrix((b - a, adj.shape[1]), dtype=adj.dtype)  # empty, then the views set as they are:
    block.data, block.indices = adj.data[s:e], adj.indices[s:e]  # the constructor copies views under half their base
    block.indptr = (adj.indptr[a : b + 1] - s).astype(adj.indices.dtype, copy=False)
    block.has_sorted_indices = adj.has_sorted_indices
    return block


def _community_weights(rows_adj, labels: np.ndarray):
    """``rows_adj @ M`` for the membership matrix ``M`` of ``labels``: each row's tie weight to each community.

    The columns are relabelled and the duplicates summed (a per-row sort of short rows): on graphs with
    short rows and many communities about twice as fast as scipy's sparse product, whose accumulator
    then misses the cache. The adjacency itself is left untouched.
    """
    cols = np.take(labels.astype(rows_adj.indices.dtype, copy=False), rows_adj.indices)
    wc = sp.csr_matrix((rows_adj.data.copy(), cols, rows_adj.indptr.copy()), shape=rows_adj.shape)
    wc.sum_duplicates()
    return wc


def _compress(labels: np.ndarray, n: int) -> tuple[np.ndarray, int]:
    """Labels in ``0..n-1`` renumbered ``0..k-1`` (in label order) and ``k``; no sorting."""
    used = np.zeros(max(n, 1), dtype=bool)
    used[labels] = True
    remap = np.cumsum(used) - 1
    return remap[labels], int(used.sum())


def _aggregate(edges: np.ndarray, w: np.ndarray, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The graph of the communities: one edge per pair of communities with their summed weight, ties inside
    a community as a self-loop (so strengths and modularity are those of the projected partition).
    """
    a = labels[edges[:, 0]]
    b = labels[edges[:, 1]]
    agg = sp.csr_matrix((w, (np.minimum(a, b), np.maximum(a, b))), shape=(k, k))
    agg.sum_duplicates()
    rows = np.repeat(np.arange(k, dtype=np.int64), np.diff(agg.indptr))
    return np.column_stack([rows, agg.indices.astype(np.int64)]), agg.data


def _split_disconnected(edges: np.ndarray, labels: np.ndarray, n: int) -> np.ndarray:
    """Each community's connected pieces as communities of their own (never lowers modularity)."""
    from scipy.sparse.csgraph import connected_components

    inside = labels[edges[:, 0]] == labels[edges[:, 1]]
    e = edges[inside]
    g = sp.csr_matrix((np.ones(e.shape[0], dtype=np.int8), (e[:, 0], e[:, 1])), shape=(n, n))
    k, comp = connected_components(g, directed=False)
    return comp.astype(np.int64) if k > 0 else labels


def _modularity_np(
    edges: np.ndarray, w: np.ndarray, deg: np.ndarray, labels: np.ndarray, gamma: float
) -> tuple[float, float]:
    """Modularity at resolution 1 and at ``gamma`` of ``labels`` (self-loops counted as igraph does)."""
    two_m = float(deg.sum())
    if two_m <= 0:
        return 0.0, 0.0
    inside = labels[edges[:, 0]] == labels[edges[:, 1]]  # a self-loop counts twice, as in igraph
    w_in = 2.0 * float(w[inside].sum())
    kappa = np.bincount(labels, weights=deg)
    expected = float(np.dot(kappa, kappa)) / two_m**2
    return w_in / two_m - expected, w_in / two_m - gamma * expected
