"""Bit-parallel breadth-first search: distance histograms from many sources at once.

Each vertex holds a row of ``words`` 64-bit words, one bit per source in the batch. One BFS level
for all 64 x ``words`` sources is a gather of the frontier rows along the CSR adjacency and an OR
per vertex (``np.bitwise_or.reduceat``); newly reached bits are counted with ``np.bitwise_count``.
So a level costs O(edges x words) vectorised numpy work instead of one Python-level BFS per source.
On Email-Enron's largest component (33,696 people) the exact all-pairs histogram takes about a
third of the time of igraph's ``path_length_hist``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

# the gather of one level holds nnz x words uint64; keep it near this many bytes
GATHER_BUDGET_BYTES = 256 * 1024 * 1024


def _batch_words(nnz: int, n_sources: int) -> int:
    by_memory = max(1, GATHER_BUDGET_BYTES // max(1, nnz * 8))
    return int(max(1, min(8, by_memory, -(-n_sources // 64))))


def distance_histogram(adj: sp.csr_matrix, sources: np.ndarray) -> np.ndarray:
    """Number of (source, vertex) pairs at each hop distance 1, 2, ... (index 0 = distance 1).

    ``adj`` is a symmetric CSR adjacency without self-loops; ``sources`` are vertex indices. Pairs are
    ordered: a pair of sources is counted once from each side.
    """
    n = adj.shape[0]
    sources = np.asarray(sources, dtype=np.int64)
    if n == 0 or sources.size == 0 or adj.nnz == 0:
        return np.zeros(0, dtype=np.int64)
    indptr = adj.indptr.astype(np.int64)
    indices = adj.indices.astype(np.int64)
    has_nbrs = np.diff(indptr) > 0
    starts = indptr[:-1][has_nbrs]
    words = _batch_words(adj.nnz, sources.size)
    per_batch = 64 * words
    total = np.zeros(0, dtype=np.int64)
    for b in range(0, sources.size, per_batch):
        batch = sources[b:b + per_batch]
        k = np.arange(batch.size)
        visited = np.zeros((n, words), dtype=np.uint64)
        bits = np.left_shift(np.uint64(1), (k % 64).astype(np.uint64))
        np.bitwise_or.at(visited, (batch, k // 64), bits)
        frontier = visited.copy()
        counts = []
        while True:
            reached = np.zeros_like(frontier)
            reached[has_nbrs] = np.bitwise_or.reduceat(frontier[indices], starts, axis=0)
            reached &= ~visited
            c = int(np.bitwise_count(reached).sum(dtype=np.int64))
            if c == 0:
                break
            counts.append(c)
            visited |= reached
            frontier = reached
        if len(counts) > total.size:
            total = np.pad(total, (0, len(counts) - total.size))
        total[: len(counts)] += np.asarray(counts, dtype=np.int64)
    return total


def adjacency_of(graph) -> sp.csr_matrix:
    """Symmetric CSR adjacency of an igraph graph (self-loops dropped)."""
    e = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    e = e[e[:, 0] != e[:, 1]]
    n = graph.vcount()
    rows = np.concatenate([e[:, 0], e[:, 1]])
    cols = np.concatenate([e[:, 1], e[:, 0]])
    adj = sp.csr_matrix((np.ones(rows.shape[0], dtype=np.int8), (rows, cols)), shape=(n, n))
    adj.sum_duplicates()
    return adj
