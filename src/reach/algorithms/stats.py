"""Network statistics: size, components, clustering and the distance distribution.

The distance distribution is taken on the largest connected component: exact (a BFS from every
node) up to ``exact_limit`` people, otherwise estimated from BFS runs from ``n_samples`` random
sources (seeded). The 90th-percentile effective diameter is interpolated the way SNAP defines it:
with ``F(d)`` the fraction of connected pairs at distance ``<= d`` and ``d*`` the first distance where
``F(d*) >= q``, ``eff = (d* - 1) + (q - F(d* - 1)) / (F(d*) - F(d* - 1))``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reach.adjacency import Csr
from reach.algorithms.bitbfs import WORD, bit_bfs_levels
from reach.algorithms.neighbourhood import bfs_distances
from reach.graph import ReachGraph


@dataclass
class DistanceDistribution:
    """Pairs of people by hop distance in the largest component."""

    counts: dict[int, float]  # distance -> number of unordered pairs (estimated when sampled)
    exact: bool
    n_sources: int  # BFS sources used (all nodes when exact)

    @property
    def n_pairs(self) -> float:
        return float(sum(self.counts.values()))

    def average(self) -> float:
        if not self.counts:
            return 0.0
        return float(sum(d * c for d, c in self.counts.items()) / self.n_pairs)

    def max_distance(self) -> int:
        return max(self.counts, default=0)

    def effective_diameter(self, q: float = 0.9) -> float:
        """SNAP's interpolated ``q``-quantile of the pair-distance distribution."""
        return effective_diameter(self.counts, q)


@dataclass
class NetworkStats:
    n_people: int
    n_ties: int
    n_components: int
    largest_component_people: int
    largest_component_ties: int
    average_clustering: float
    n_triangles: int
    distances: DistanceDistribution
    diameter: int
    diameter_exact: bool
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        d = self.distances
        return {
            "people": self.n_people,
            "ties": self.n_ties,
            "components": self.n_components,
            "largest_component_people": self.largest_component_people,
            "largest_component_ties": self.largest_component_ties,
            "largest_component_share": round(self.largest_component_people / self.n_people, 4)
            if self.n_people
            else 0.0,
            "average_clustering": round(self.average_clustering, 6),
            "triangles": self.n_triangles,
            "distance_exact": d.exact,
            "distance_sources": d.n_sources,
            "average_distance": round(d.average(), 4),
            "diameter": self.diameter,
            "diameter_exact": self.diameter_exact,
            "effective_diameter_90": round(d.effective_diameter(0.9), 4),
            "distance_distribution": {
                str(k): (int(v) if d.exact else round(v, 1)) for k, v in sorted(d.counts.items())
            },
        }


def effective_diameter(counts: dict[int, float], q: float = 0.9) -> float:
    """Interpolated ``q``-quantile of a distance histogram (distance -> pairs), as SNAP computes it."""
    if not counts:
        return 0.0
    ds = np.array(sorted(counts), dtype=np.float64)
    cdf = np.cumsum([counts[int(d)] for d in ds], dtype=np.float64)
    total = cdf[-1]
    target = q * total
    i = int(np.searchsorted(cdf, target, side="left"))
    if i >= len(ds):
        return float(ds[-1])
    prev_d, prev_c = (ds[i - 1], cdf[i - 1]) if i > 0 else (ds[i] - 1.0, 0.0)
    if cdf[i] == prev_c:
        return float(ds[i])
    return float(prev_d + (target - prev_c) * (ds[i] - prev_d) / (cdf[i] - prev_c))


def distance_distribution(
    rg: ReachGraph | Csr,
    *,
    vertices: np.ndarray | None = None,
    exact_limit: int = 50_000,
    n_samples: int = 1000,
    seed: int = 0,
) -> DistanceDistribution:
    """Pairs of people by hop distance among ``vertices`` (a connected set, e.g. the largest component).

    ``vertices`` default to every vertex (which must then be connected). Exact (BFS from every vertex)
    up to ``exact_limit`` vertices, otherwise estimated from BFS runs from ``n_samples`` sources drawn
    from ``vertices`` (sorted) with ``seed``. The BFS runs are bit-parallel
    (:mod:`reach.algorithms.bitbfs`): 64 sources per pass.
    """
    csr = rg if isinstance(rg, Csr) else rg.csr
    verts = np.arange(csr.n, dtype=np.int64) if vertices is None else np.sort(np.asarray(vertices, dtype=np.int64))
    n = verts.shape[0]
    if n < 2:
        return DistanceDistribution(counts={}, exact=True, n_sources=n)
    exact = n <= exact_limit
    if exact:
        sample = verts
    else:
        rng = np.random.default_rng(seed)
        k = min(n_samples, n)
        sample = verts[rng.choice(n, size=k, replace=False)]
    total = np.zeros(0, dtype=np.float64)
    for lo in range(0, sample.shape[0], WORD):
        chunk = np.sort(sample[lo : lo + WORD])
        for k, new in bit_bfs_levels(csr, chunk):
            if total.shape[0] < k:
                total = np.pad(total, (0, k - total.shape[0]))
            total[k - 1] += float(np.bitwise_count(new).sum())
    if exact:
        counts = {i + 1: float(round(c / 2.0)) for i, c in enumerate(total) if c}  # ordered -> unordered pairs
        return DistanceDistribution(counts=counts, exact=True, n_sources=n)
    scale = n / (2.0 * sample.shape[0])
    counts = {i + 1: float(c * scale) for i, c in enumerate(total) if c}
    return DistanceDistribution(counts=counts, exact=False, n_sources=int(sample.shape[0]))


def diameter_lower_bound(rg: ReachGraph | Csr, vertices: np.ndarray, *, seed: int = 0, n_sweeps: int = 8) -> int:
    """A lower bound on the diameter of the component ``vertices`` by repeated double sweeps (BFS to a
    farthest person and again from there).
    """
    rng = np.random.default_rng(seed)
    best = 0
    for _ in range(n_sweeps):
        v = int(vertices[int(rng.integers(vertices.shape[0]))])
        for _ in range(2):
            dist = bfs_distances(rg, v)
            far = int(dist.max())
            best = max(best, far)
            v = int(np.flatnonzero(dist == far)[-1])
    return best


def network_stats(rg: ReachGraph, *, exact_limit: int = 50_000, n_samples: int = 1000, seed: int = 0) -> NetworkStats:
    """Compute :class:`NetworkStats` for a graph (see module docs for what is exact and what sampled)."""
    g = rg.graph
    notes: list[str] = []
    comps = g.connected_components()
    sizes = np.asarray(comps.sizes(), dtype=np.int64)
    n_comp = int(sizes.shape[0])
    if rg.n_people:
        membership = np.asarray(comps.membership, dtype=np.int64)
        lcc = np.flatnonzero(membership == int(np.argmax(sizes)))  # the first largest, as igraph's giant()
        lcc_n = int(lcc.shape[0])
        lcc_m = int(np.count_nonzero(membership[rg.edges[:, 0]] == membership[lcc[0]])) if rg.n_ties else 0
    else:
        lcc, lcc_n, lcc_m = np.zeros(0, dtype=np.int64), 0, 0
    local = np.asarray(g.transitivity_local_undirected(mode="zero"), dtype=np.float64)
    avg_clust = float(local.mean()) if local.size else 0.0
    deg = rg.degree.astype(np.float64)
    n_tri = int(round(float((local * deg * (deg - 1) / 2.0).sum()) / 3.0))
    dist = distance_distribution(rg, vertices=lcc, exact_limit=exact_limit, n_samples=n_samples, seed=seed)
    if dist.exact:
        diameter, exact_d = dist.max_distance(), True
    else:
        diameter = max(dist.max_distance(), diameter_lower_bound(rg, lcc, seed=seed))
        exact_d = False
        notes.append(f"distances estimated from {dist.n_sources} sampled sources; diameter is a lower bound")
    return NetworkStats(
        n_people=rg.n_people,
        n_ties=rg.n_ties,
        n_components=n_comp,
        largest_component_people=lcc_n,
        largest_component_ties=lcc_m,
        average_clustering=avg_clust,
        n_triangles=n_tri,
        distances=dist,
        diameter=diameter,
        diameter_exact=exact_d,
        notes=notes,
    )
