"""The graph's adjacency as compressed sparse rows (CSR), and the joins that turn ties into vertex pairs.

The CSR arrays are the structure every neighbourhood kernel works on (BFS, reach, intro candidates,
distance distributions). They are built by one sort of the ``(m, 2)`` edge array, no Python loop
over edges, and kept beside the igraph graph on the :class:`~reach.graph.ReachGraph` (the edge array
is the source of truth; both are derived from it).

Note: ``np.unique`` (hash based since numpy 2.3) is about 100x slower than sorting on large int64
arrays on the reference machine, so this module de-duplicates by sorting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa


# ------------------------------------------------------------------ CSR
@dataclass(frozen=True, eq=False)
class Csr:
    """An undirected graph as compressed sparse rows.

    ``indices[indptr[v]:indptr[v + 1]]`` are the neighbours of ``v`` (both directions of every edge
    are stored; a self-loop is left out); ``edge`` gives the edge index (row of ``ReachGraph.edges``)
    of each slot; ``degree`` is ``np.diff(indptr)``. ``nz_rows``/``nz_starts`` are the vertices with
    at least one neighbour and their first slot (for ``reduceat`` over rows).
    """

    indptr: np.ndarray
    indices: np.ndarray
    edge: np.ndarray
    degree: np.ndarray
    nz_rows: np.ndarray
    nz_starts: np.ndarray
    n_loops: int = 0  # self-loops in the edge array (left out of the adjacency)

    @property
    def n(self) -> int:
        return int(self.degree.shape[0])

    @property
    def n_slots(self) -> int:
        return int(self.indices.shape[0])


def csr_from_edges(edges: np.ndarray, n: int) -> Csr:
    """CSR adjacency of ``n`` vertices from an ``(m, 2)`` array of vertex pairs (one sort, no loop).

    Examples
    --------
    >>> c = csr_from_edges(np.array([[0, 1], [1, 2]]), 4)
    >>> c.degree.tolist(), sorted(c.indices[c.indptr[1]:c.indptr[2]].tolist())
    ([1, 2, 1, 0], [0, 2])
    """
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    m = edges.shape[0]
    loops = edges[:, 0] == edges[:, 1]
    eid = np.flatnonzero(~loops) if loops.any() else None
    e = edges[eid] if eid is not None else edges
    k = e.shape[0]
    slots = 2 * k
    idx_dtype = np.int32 if n < 2**31 else np.int64
    if slots and n * slots < 2**62:
        # sort (vertex, slot) pairs packed in one int64, in place: slot order is kept within each row
        order = np.empty(slots, dtype=np.int64)
        order[:k] = e[:, 0]
        order[k:] = e[:, 1]
        order *= slots
        order += np.arange(slots, dtype=np.int64)
        order.sort()
        np.remainder(order, slots, out=order)
    else:
        order = np.argsort(np.concatenate([e[:, 0], e[:, 1]]), kind="stable")
    dst = np.empty(slots, dtype=idx_dtype)
    dst[:k] = e[:, 1]
    dst[k:] = e[:, 0]
    indices = dst[order]
    del dst
    order[order >= k] -= k  # slot -> row of e
    edge = eid[order] if eid is not None else order
    edge = edge.astype(np.int32) if m < 2**31 else edge
    degree = (np.bincount(e[:, 0], minlength=n) + np.bincount(e[:, 1], minlength=n)).astype(np.int64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(degree, out=indptr[1:])
    nz = np.flatnonzero(degree)
    return Csr(
        indptr=indptr,
        indices=indices,
        edge=edge,
        degree=degree,
        nz_rows=nz,
        nz_starts=indptr[nz],
        n_loops=int(loops.sum()),
    )


def tie_vertices(person_ids: pl.Series, ties: pa.Table) -> np.ndarray:
    """``(m, 2)`` vertex pairs of the TIES rows, vertex ``i`` being ``person_ids[i]``; -1 for an unknown person.

    The join inside :func:`reach.graph.build_graph` done with Arrow's hash lookup (``index_in``),
    each distinct run of a sorted column (``person_a``) looked up once: about 2x faster at 10M ties.

    Examples
    --------
    >>> ties = pa.table({"person_a": ["a", "a", "b"], "person_b": ["b", "c", "x"]})
    >>> tie_vertices(pl.Series(["a", "b", "c"]), ties).tolist()
    [[0, 1], [0, 2], [1, -1]]
    """
    import pyarrow.compute as pc

    value_set = person_ids.to_arrow().cast(pa.string())
    cols = []
    for name in ("person_a", "person_b"):
        col = ties.column(name).cast(pa.string()).combine_chunks()
        runs = pc.run_end_encode(col) if len(col) else None
        if runs is not None and len(runs.values) * 2 < len(col):
            found = pc.index_in(runs.values, value_set=value_set).fill_null(-1).to_numpy(zero_copy_only=False)
            lens = np.diff(runs.run_ends.to_numpy(), prepend=0)
            idx = np.repeat(found.astype(np.int64), lens)
        else:
            idx = pc.index_in(col, value_set=value_set).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        cols.append(idx)
    if not cols[0].shape[0]:
        return np.zeros((0, 2), dtype=np.int64)
    return np.column_stack(cols)


def slots_of(csr: Csr, verts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(owner, slot)`` for every adjacency slot of every vertex in ``verts`` (owner indexes ``verts``)."""
    starts = csr.indptr[verts]
    lens = csr.degree[verts]
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(verts.shape[0], dtype=np.int64), lens)
    ends = np.cumsum(lens)
    slot = np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - lens), lens)
    return owner, slot


def sorted_unique(a: np.ndarray) -> np.ndarray:
    s = np.sort(a)
    if s.shape[0] < 2:
        return s
    keep = np.empty(s.shape[0], dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def edge_ids(csr: Csr, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The edge index of the tie between ``a[i]`` and ``b[i]`` for every ``i``; -1 where they are not tied.

    Reads only the rows of ``a`` (meant for paths and short lists of pairs, not for every edge).

    Examples
    --------
    >>> c = csr_from_edges(np.array([[0, 1], [1, 2]]), 4)
    >>> edge_ids(c, np.array([2, 0, 0]), np.array([1, 1, 3])).tolist()
    [1, 0, -1]
    """
    a = np.asarray(a, dtype=np.int64).ravel()
    b = np.asarray(b, dtype=np.int64).ravel()
    out = np.full(a.shape[0], -1, dtype=np.int64)
    owner, slot = slots_of(csr, a)
    hit = csr.indices[slot] == b[owner]
    owner, slot = owner[hit][::-1], slot[hit][::-1]  # reversed: the first slot of each owner is written last
    out[owner] = csr.edge[slot]
    return out
