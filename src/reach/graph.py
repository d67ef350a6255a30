"""The relationship graph: the TIES table as vertex pairs, plus person_id <-> vertex maps.

Vertex ``i`` is person ``person_ids[i]`` (people sorted by ``person_id``); edge ``j`` is tie ``j`` of the
ties table, with its strength in ``strength[j]``. The ``(m, 2)`` edge array is the source of truth.
Two structures are derived from it on first use and cached: the CSR adjacency
(:class:`reach.adjacency.Csr`), which every neighbourhood kernel uses (BFS, reach, intro candidates,
distances), and an igraph ``Graph``, which only the algorithms igraph does best ask for (clustering,
betweenness, constraint, Leiden, GraphML). Building the edge array is one hash lookup per column;
nothing is built per edge in Python.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property

import igraph as ig
import numpy as np
import polars as pl
import pyarrow as pa

from reach.adjacency import Csr, csr_from_edges, edge_ids, tie_vertices


@dataclass(eq=False)
class ReachGraph:
    """An undirected relationship graph with its people and tie strengths."""

    people: pl.DataFrame  # PEOPLE columns, row i = vertex i
    strength: np.ndarray  # float64, one per edge
    edges: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))  # (m, 2) vertex pairs
    ties: pl.DataFrame | None = None  # the TIES rows, row j = edge j (evidence for explanations)
    _index: dict[str, int] | None = field(default=None, repr=False)

    @property
    def n_people(self) -> int:
        return self.people.height

    @property
    def n_ties(self) -> int:
        return int(self.edges.shape[0])

    @cached_property
    def person_ids(self) -> np.ndarray:
        return self.people["person_id"].to_numpy()

    @cached_property
    def csr(self) -> Csr:
        """The adjacency as compressed sparse rows, built once (one sort of the edge array)."""
        return csr_from_edges(self.edges, self.n_people)

    @cached_property
    def graph(self) -> ig.Graph:
        """The same graph as an igraph ``Graph`` (edge ``j`` = tie ``j``), built on first use."""
        g = ig.Graph(self.n_people)
        if self.n_ties:
            g.add_edges(self.edges)
        return g

    @property
    def degree(self) -> np.ndarray:
        """Ties per person (int64, one per vertex)."""
        return self.csr.degree

    def vertex(self, person_id: str) -> int:
        """Vertex index of ``person_id`` (KeyError if absent)."""
        if self._index is None:
            self._index = {pid: i for i, pid in enumerate(self.people["person_id"].to_list())}
        return self._index[person_id]

    def vertices(self, person_ids: pl.Series | list[str]) -> np.ndarray:
        """Vertex indices for many person ids at once (a join, not a loop); -1 where unknown."""
        wanted = pl.DataFrame(
            {"person_id": pl.Series(list(person_ids) if isinstance(person_ids, list) else person_ids, dtype=pl.String)}
        )
        idx = self.people.select("person_id").with_row_index("v")
        out = wanted.join(idx, on="person_id", how="left", maintain_order="left")
        return out["v"].fill_null(-1).cast(pl.Int64).to_numpy()

    def edge_ids(self, path: list[int] | np.ndarray) -> np.ndarray:
        """Edge index of each consecutive pair of vertices on ``path`` (-1 where two are not tied)."""
        p = np.asarray(path, dtype=np.int64)
        if p.shape[0] < 2:
            return np.zeros(0, dtype=np.int64)
        return edge_ids(self.csr, p[:-1], p[1:])

    def with_strength(self, strength: np.ndarray) -> ReachGraph:
        """The same graph with other tie strengths (what-if analyses, tests): the adjacency, the igraph
        graph and the vertex maps are shared, not rebuilt; ``ties`` keeps the original evidence.
        """
        new = dataclasses.replace(self, strength=np.asarray(strength, dtype=np.float64))
        for name in ("csr", "graph", "person_ids"):  # cached properties that do not depend on strength
            if name in self.__dict__:
                new.__dict__[name] = self.__dict__[name]
        return new

    @cached_property
    def cost(self) -> np.ndarray:
        """Routing cost per edge, ``-ln(strength)``."""
        return -np.log(self.strength)


def _stored_vertices(person_ids: pl.Series, ties: pl.DataFrame) -> np.ndarray | None:
    """The ties' ``vertex_a``/``vertex_b`` columns when they are present and right for ``person_ids``, else None.

    A build writes them beside ``person_a``/``person_b`` (see :mod:`reach.strength`); they are checked
    against the ids (one gather and compare per column, several times cheaper than a hash lookup of
    millions of strings), so a ties table edited afterwards, or paired with other people, is never
    trusted: the ids are then matched by :func:`reach.adjacency.tie_vertices`.
    """
    if "vertex_a" not in ties.columns or "vertex_b" not in ties.columns or not ties.height:
        return None
    va, vb = ties["vertex_a"], ties["vertex_b"]
    if va.null_count() or vb.null_count():
        return None
    n = person_ids.len()
    if min(va.min(), vb.min()) < 0 or max(va.max(), vb.max()) >= n:
        return None
    if not ((person_ids.gather(va) == ties["person_a"]).all() and (person_ids.gather(vb) == ties["person_b"]).all()):
        return None
    return np.column_stack([va.cast(pl.Int64).to_numpy(), vb.cast(pl.Int64).to_numpy()])


def build_graph(people: pa.Table, ties: pa.Table) -> ReachGraph:
    """Build a :class:`ReachGraph` from PEOPLE and TIES tables (people sorted by person_id).

    Ties naming someone who is not among ``people`` are left out.
    """
    ppl = pl.from_arrow(people).sort("person_id")
    t = pl.from_arrow(ties)
    edges = _stored_vertices(ppl["person_id"], t)
    if edges is None:
        edges = tie_vertices(ppl["person_id"], ties)
    known = (edges >= 0).all(axis=1) if edges.shape[0] else np.zeros(0, dtype=bool)
    if not known.all():
        t = t.filter(pl.Series(known))
        edges = edges[known]
    strength = t["strength"].to_numpy().astype(np.float64) if t.height else np.zeros(0, dtype=np.float64)
    return ReachGraph(people=ppl, strength=strength, edges=np.ascontiguousarray(edges, dtype=np.int64), ties=t)


def graph_from_edges(edges: list[tuple[str, str]] | np.ndarray, *, strength: float = 0.5) -> ReachGraph:
    """A small graph from ``(a, b)`` person-id pairs: for tests, doctests and examples."""
    pairs = [(str(a), str(b)) for a, b in edges]
    ids = sorted({p for pair in pairs for p in pair})
    people = pl.DataFrame({"person_id": ids, "display_name": ids, "key": ids})
    uniq = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b})
    ties = pl.DataFrame(
        {"person_a": [a for a, _ in uniq], "person_b": [b for _, b in uniq], "strength": [strength] * len(uniq)},
        schema={"person_a": pl.String, "person_b": pl.String, "strength": pl.Float64},
    )
    return build_graph(people.to_arrow(), ties.to_arrow())
