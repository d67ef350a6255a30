"""The relationship graph: the TIES table as an undirected igraph graph plus person_id <-> vertex maps.

Vertex ``i`` is person ``person_ids[i]`` (people sorted by ``person_id``); edge ``j`` is tie ``j`` of the
ties table, with its strength in ``strength[j]``. The graph is built with ``Graph(n)`` and one
``add_edges`` call on an ``(m, 2)`` int array: no Python loop over edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import igraph as ig
import numpy as np
import polars as pl
import pyarrow as pa


@dataclass
class ReachGraph:
    """An undirected relationship graph with its people and tie strengths."""

    graph: ig.Graph
    people: pl.DataFrame  # PEOPLE columns, row i = vertex i
    strength: np.ndarray  # float64, one per edge
    edges: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))  # (m, 2) vertex pairs
    ties: pl.DataFrame | None = None  # the TIES rows, row j = edge j (evidence for explanations)
    _index: dict[str, int] | None = field(default=None, repr=False)

    @property
    def n_people(self) -> int:
        return self.graph.vcount()

    @property
    def n_ties(self) -> int:
        return self.graph.ecount()

    @cached_property
    def person_ids(self) -> np.ndarray:
        return self.people["person_id"].to_numpy()

    def vertex(self, person_id: str) -> int:
        """Vertex index of ``person_id`` (KeyError if absent)."""
        if self._index is None:
            self._index = {pid: i for i, pid in enumerate(self.people["person_id"].to_list())}
        return self._index[person_id]

    def vertices(self, person_ids: pl.Series | list[str]) -> np.ndarray:
        """Vertex indices for many person ids at once (a join, not a loop); -1 where unknown."""
        wanted = pl.DataFrame({"person_id": pl.Series(list(person_ids) if isinstance(person_ids, list) else person_ids,
                                                      dtype=pl.String)})
        idx = self.people.select("person_id").with_row_index("v")
        out = wanted.join(idx, on="person_id", how="left", maintain_order="left")
        return out["v"].fill_null(-1).cast(pl.Int64).to_numpy()

    @cached_property
    def cost(self) -> np.ndarray:
        """Routing cost per edge, ``-ln(strength)``."""
        return -np.log(self.strength)

    @cached_property
    def adjacency(self):
        """The adjacency as a scipy CSR matrix (both directions), built once per graph."""
        return self.csr()

    def csr(self):
        """The adjacency as a scipy CSR matrix (both directions), for vectorised neighbourhood work."""
        import scipy.sparse as sp

        edges = self.edges
        n = self.n_people
        rows = np.concatenate([edges[:, 0], edges[:, 1]])
        cols = np.concatenate([edges[:, 1], edges[:, 0]])
        data = np.ones(rows.shape[0], dtype=np.int8)
        return sp.csr_matrix((data, (rows, cols)), shape=(n, n))


def build_graph(people: pa.Table, ties: pa.Table) -> ReachGraph:
    """Build a :class:`ReachGraph` from PEOPLE and TIES tables (people sorted by person_id)."""
    ppl = pl.from_arrow(people).sort("person_id")
    idx = ppl.select("person_id").with_row_index("v")
    t = pl.from_arrow(ties)
    t = (
        t.join(idx.rename({"person_id": "person_a", "v": "va"}), on="person_a", how="inner", maintain_order="left")
        .join(idx.rename({"person_id": "person_b", "v": "vb"}), on="person_b", how="inner", maintain_order="left")
    )
    g = ig.Graph(ppl.height)
    edges = np.column_stack([t["va"].to_numpy().astype(np.int64), t["vb"].to_numpy().astype(np.int64)])
    if t.height:
        g.add_edges(edges)
    return ReachGraph(graph=g, people=ppl, strength=t["strength"].to_numpy().astype(np.float64), edges=edges,
                      ties=t.drop("va", "vb"))


def graph_from_edges(edges: list[tuple[str, str]] | np.ndarray, *, strength: float = 0.5) -> ReachGraph:
    """A small graph from ``(a, b)`` person-id pairs: for tests, doctests and examples."""
    pairs = [(str(a), str(b)) for a, b in edges]
    ids = sorted({p for pair in pairs for p in pair})
    people = pl.DataFrame({"person_id": ids, "display_name": ids, "key": ids})
    uniq = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b})
    ties = pl.DataFrame({"person_a": [a for a, _ in uniq], "person_b": [b for _, b in uniq],
                         "strength": [strength] * len(uniq)}, schema={"person_a": pl.String, "person_b": pl.String,
                                                                      "strength": pl.Float64})
    return build_graph(people.to_arrow(), ties.to_arrow())
