"""Multi-level Louvain with refinement in numpy: modularity at a fixed resolution on large graphs.

The classic algorithm (Blondel et al. 2008) with the refinement of networkit's PLM (Staudt & Meyerhenke
2016): local moving, aggregation of the communities into the vertices of a smaller graph, repeated while
anything moves; then the partition is projected back level by level and each level's vertices move
again from the projected partition. What differs from the sequential algorithm is the unit of work: a
sweep visits the active vertices in a random order cut into *chunks*, and the vertices of one chunk
choose their best community together (one relabel-and-sum per chunk over their adjacency rows, no
per-vertex Python loop) against the community totals left by the chunks before. With many chunks per
sweep almost no two vertices of a chunk are adjacent, so the moves are those of sequential Louvain
in a random order; with one chunk it would be synchronous local moving, which oscillates and stalls
lower. Two singletons of one chunk that choose each other join only the smaller label (the Grappolo
rule, Lu et al. 2015). Only the neighbours of vertices that moved stay active for the next sweep.

Everything works on a symmetric scipy CSR adjacency without self-loops and the strengths ``deg`` (the
self-loops of aggregated graphs are only in ``deg``: a vertex takes its own loop wherever it goes, so
moves never depend on it). Deterministic for a fixed ``seed``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

CHUNK_SLOTS = 1 << 17  # adjacency slots per chunk at most (a sweep has at least MIN_CHUNKS chunks)
MIN_CHUNKS = 8
MAX_SWEEPS = 24  # local-moving sweeps per level at most
MAX_LEVELS = 24
THREADS = 2  # chunks proposed at once (in threads) on graphs of THREAD_SLOTS adjacency slots or more
THREAD_SLOTS = 1_000_000
MIN_MOVED = 1e-3  # a sweep moving fewer than this share of the level's vertices ends the level's moving


def louvain(adj, deg: np.ndarray, gamma: float = 1.0, *, seed: int | None = 0, refine: bool = True) -> np.ndarray:
    """Community labels (``0..n-1``, not compacted) maximising modularity at resolution ``gamma``.

    ``adj`` is a symmetric scipy CSR matrix without diagonal, ``deg`` the strength of every vertex
    (its row sum plus twice its self-loop weight). ``refine``: move the vertices of every finer level
    again after projecting the partition back (PLM's refinement).
    """
    n = adj.shape[0]
    rng = np.random.default_rng(seed)
    deg = np.asarray(deg, dtype=np.float64)
    two_m = float(deg.sum())
    if n == 0 or two_m <= 0 or adj.nnz == 0:
        return np.arange(n, dtype=np.int64)
    levels: list[tuple[object, np.ndarray, np.ndarray]] = []  # (adjacency, strengths, map to the next level)
    cur_adj, cur_deg = adj, deg
    for _ in range(MAX_LEVELS):
        m = cur_adj.shape[0]
        lab = move_phase(cur_adj, cur_deg, gamma, np.arange(m, dtype=np.int64), rng, two_m=two_m)
        lab, k = compress(lab)
        if k == m:
            break
        levels.append((cur_adj, cur_deg, lab))
        cur_adj = aggregate(cur_adj, lab, k)
        cur_deg = np.bincount(lab, weights=cur_deg, minlength=k)
        if cur_adj.nnz == 0:
            break
    labels = np.arange(cur_adj.shape[0], dtype=np.int64)
    for i, (a, d, lab) in enumerate(reversed(levels)):
        labels = labels[lab]
        if refine and i < len(levels) - 1:  # the finest level is refined below, once, after the loop
            labels = move_phase(a, d, gamma, labels, rng, two_m=two_m)
    if refine and levels:
        labels = move_phase(adj, deg, gamma, labels, rng, two_m=two_m)
    return labels


def move_phase(
    adj,
    deg: np.ndarray,
    gamma: float,
    labels: np.ndarray,
    rng: np.random.Generator,
    *,
    two_m: float | None = None,
    max_sweeps: int = MAX_SWEEPS,
) -> np.ndarray:
    """Louvain local moving from ``labels`` until a sweep moves (almost) nobody: the new labels.

    Each sweep cuts the active vertices, in random order, into chunks of at most CHUNK_SLOTS adjacency
    slots (at least MIN_CHUNKS chunks); each chunk's vertices move at once to their best community given
    the community totals after the previous chunk. A vertex moves only for a positive gain.
    """
    n = adj.shape[0]
    c = np.asarray(labels, dtype=np.int64).copy()
    two_m = float(deg.sum()) if two_m is None else two_m
    if n == 0 or adj.nnz == 0 or two_m <= 0:
        return c
    scale = gamma / two_m
    indptr = adj.indptr
    rowlen = np.diff(indptr)
    K = np.bincount(c, weights=deg, minlength=n)
    size = np.bincount(c, minlength=n)
    active = rowlen > 0
    pool = ThreadPoolExecutor(THREADS) if THREADS > 1 and adj.nnz >= THREAD_SLOTS else None
    try:
        for _ in range(max_sweeps):
            act = np.flatnonzero(active)
            if act.size == 0:
                break
            active[:] = False
            order = act[rng.permutation(act.size)]
            slots = np.cumsum(rowlen[order])
            n_chunks = max(MIN_CHUNKS, int(slots[-1]) // CHUNK_SLOTS + 1)
            cuts = np.searchsorted(slots, np.linspace(0, slots[-1], n_chunks + 1)[1:-1])
            chunks = [np.sort(ch) for ch in np.split(order, cuts) if ch.size]
            moved = 0
            step = 1 if pool is None else THREADS
            for i in range(0, len(chunks), step):
                group = chunks[i : i + step]
                if pool is None or len(group) == 1:
                    found = [_propose(adj, deg, ch, c, K, size, scale) for ch in group]
                else:  # the chunks of a group choose against the same state (numpy and scipy release the GIL)
                    found = list(pool.map(lambda ch: _propose(adj, deg, ch, c, K, size, scale), group))
                for v, target, km, touched in found:
                    moved += _apply(v, target, km, touched, c, K, size, active)
            if moved <= MIN_MOVED * n:
                break
    finally:
        if pool is not None:
            pool.shutdown()
    return c


def _propose(adj, deg, verts, c, K, size, scale):
    """The moves of the vertices ``verts`` to their best communities, all at once, given ``c``, ``K``, ``size``.

    Returns ``(vertices, targets, their strengths, neighbours of the movers)``; reads the state only.
    """
    rows = adj[verts]
    r = verts.shape[0]
    wc = sp.csr_matrix((rows.data.copy(), np.take(c, rows.indices), rows.indptr.copy()), shape=(r, adj.shape[1]))
    wc.sum_duplicates()  # each row's tie weight to each neighbouring community
    cnt = np.diff(wc.indptr)
    cols = wc.indices
    row = np.repeat(np.arange(r), cnt)
    kv = deg[verts]
    cv = c[verts]
    kr = kv[row] * scale
    score = wc.data - kr * K[cols]
    own = np.flatnonzero(cols == cv[row])
    stay = -scale * kv * (K[cv] - kv)  # no tie into the own community
    stay[row[own]] = score[own] + kr[own] * kv[row[own]]
    score[own] = -np.inf
    nz = np.flatnonzero(cnt)
    best = np.full(r, -np.inf)
    best[nz] = np.maximum.reduceat(score, wc.indptr[nz])
    go = best - stay > 1e-12 * (kv + 1.0)
    hit = np.flatnonzero((score == best[row]) & go[row])
    first = np.ones(hit.shape[0], dtype=bool)
    first[1:] = row[hit[1:]] != row[hit[:-1]]
    hit = hit[first]
    mv = row[hit]
    target = cols[hit].astype(np.int64)
    src = cv[mv]
    # two singletons choosing each other: only the move towards the smaller label
    ok = ~((size[src] == 1) & (size[target] == 1) & (target > src))
    mv, target = mv[ok], target[ok]
    moved_rows = np.zeros(r, dtype=bool)
    moved_rows[mv] = True
    touched = rows.indices[np.repeat(moved_rows, np.diff(rows.indptr))]
    return verts[mv], target, kv[mv], touched


def _apply(v, target, km, touched, c, K, size, active) -> int:
    """Move ``v`` to ``target`` (strengths ``km``), updating the totals, and activate ``touched``."""
    if v.size == 0:
        return 0
    src = c[v]
    np.subtract.at(K, src, km)
    np.add.at(K, target, km)
    np.subtract.at(size, src, 1)
    np.add.at(size, target, 1)
    c[v] = target
    active[touched] = True
    return int(v.size)


def compress(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """Labels renumbered ``0..k-1`` in label order, and ``k``."""
    used = np.zeros(int(labels.max()) + 1 if labels.size else 1, dtype=bool)
    used[labels] = True
    remap = np.cumsum(used) - 1
    return remap[labels], int(used.sum())


def aggregate(adj, labels: np.ndarray, k: int):
    """The adjacency of the communities (summed weights, no diagonal): ``M^T A M`` for membership ``M``."""
    n = adj.shape[0]
    member = sp.csr_matrix((np.ones(n), labels, np.arange(n + 1)), shape=(n, k))
    out = (member.T.tocsr() @ adj @ member).tocsr()
    rows = np.repeat(np.arange(k), np.diff(out.indptr))
    keep = out.indices != rows
    indptr = np.zeros(k + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows[keep], minlength=k), out=indptr[1:])
    return sp.csr_matrix((out.data[keep], out.indices[keep], indptr), shape=(k, k))


def modularity(adj, deg: np.ndarray, labels: np.ndarray, gamma: float = 1.0) -> float:
    """Modularity at ``gamma`` of ``labels`` on the graph ``(adj, deg)`` (self-loops only in ``deg``)."""
    two_m = float(deg.sum())
    coo = adj.tocoo()
    inside = float(coo.data[labels[coo.row] == labels[coo.col]].sum()) + float(deg.sum() - adj.sum())
    kappa = np.bincount(labels, weights=deg)
    return inside / two_m - gamma * float(np.dot(kappa, kappa)) / two_m**2
