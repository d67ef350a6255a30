"""Bit-parallel breadth-first search: 64 BFS runs at once, one bit per source in a ``uint64`` word.

Each vertex holds one word whose bit ``j`` says "reached from source ``j``". A level of all 64 runs is
vectorised numpy work over the CSR adjacency (:class:`reach.adjacency.Csr`), and it is direction
optimising (Beamer et al. 2012): a level whose frontier touches few adjacency slots pushes the
frontier words to their neighbours (``np.bitwise_or.at``); a level whose frontier is large pulls,
OR-ing every vertex's neighbours' words in one pass (``np.bitwise_or.reduceat``). Newly reached bits
are counted with ``np.bitwise_count`` or byte histograms. Used for the distance distribution
(:func:`reach.algorithms.stats.distance_distribution`) and for reach beyond two hops.
"""

from __future__ import annotations

import numpy as np

from reach.adjacency import Csr, slots_of

BOTTOM_UP = 0.25  # a level pulls when the frontier's slots exceed this share of all adjacency slots
WORD = 64  # sources per uint64 word

_BYTE_BITS = ((np.arange(256)[:, None] >> np.arange(8)[None, :]) & 1).astype(np.int64)  # (256, 8)


def bit_counts(words: np.ndarray) -> np.ndarray:
    """How many of ``words`` (uint64) have each of the 64 bits set: eight byte histograms."""
    b = words.astype("<u8", copy=False).view(np.uint8).reshape(-1, 8)
    out = np.empty(WORD, dtype=np.int64)
    for byte in range(8):
        h = np.bincount(b[:, byte], minlength=256)
        out[8 * byte : 8 * byte + 8] = h @ _BYTE_BITS
    return out


def _expand(csr: Csr, frontier: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """OR of the frontier words of each vertex's neighbours (``rows``: the nonzero frontier vertices)."""
    n = csr.n
    touched = int(csr.degree[rows].sum())
    out = np.zeros(n, dtype=np.uint64)
    if touched > BOTTOM_UP * csr.n_slots:
        if csr.nz_rows.size:
            out[csr.nz_rows] = np.bitwise_or.reduceat(frontier[csr.indices], csr.nz_starts)
    elif touched:
        owner, slot = slots_of(csr, rows)
        np.bitwise_or.at(out, csr.indices[slot], frontier[rows][owner])
    return out


def bit_bfs_levels(csr: Csr, sources: np.ndarray, *, max_hops: int | None = None):
    """Bit-parallel BFS from up to 64 distinct sources: yields ``(k, new)`` per level ``k >= 1``.

    ``new`` is a uint64 word per vertex whose bit ``j`` is set when the vertex is at exactly ``k``
    hops from ``sources[j]``.
    """
    if sources.shape[0] > WORD:
        msg = f"at most {WORD} sources per bit-parallel BFS, got {sources.shape[0]}"
        raise ValueError(msg)
    n = csr.n
    frontier = np.zeros(n, dtype=np.uint64)
    frontier[sources] = np.left_shift(np.uint64(1), np.arange(sources.shape[0], dtype=np.uint64))
    visited = frontier.copy()
    rows = np.sort(sources)
    k = 0
    while rows.size and (max_hops is None or k < max_hops):
        k += 1
        new = _expand(csr, frontier, rows)
        new &= ~visited
        rows = np.flatnonzero(new)
        if not rows.size:
            return
        visited |= new
        frontier = new
        yield k, new
