"""Community detection: who clusters with whom.

Default method, and why
-----------------------
Communities are found by maximising modularity with igraph's Leiden algorithm, with tie strengths as
edge weights, iterated until an iteration gains less than 0.001 modularity (igraph's own
``n_iterations=-1`` waits for no gain at all: tens of seconds on large graphs without clear structure).
Plain modularity at resolution 1 has a known *resolution limit* (Fortunato & Barthelemy 2007): in a
graph with ``m`` ties it may merge groups with fewer than about ``sqrt(2m)`` ties inside. On
email-Eu-core (42 departments) it reports only 7 communities besides the isolated people. So by
default the resolution is not fixed at 1 but estimated from the graph itself, by the self-consistent
rule of Newman (2016), "Equivalence between modularity optimization and maximum likelihood methods for
community detection", Phys. Rev. E 94, 052315: modularity at resolution ``gamma`` is the
log-likelihood of a degree-corrected planted-partition model whose in- and out-group rates ``w_in``,
``w_out`` fix

    gamma = (w_in - w_out) / (ln w_in - ln w_out),
    w_in  = 2 m_in / (sum_r K_r^2 / 2m),     w_out = (2m - 2 m_in) / (2m - sum_r K_r^2 / 2m),

with ``m_in`` the weight inside communities and ``K_r`` the total degree of community ``r``. Starting
from ``gamma = 1`` we alternate: a rough partition at ``gamma`` (one Leiden iteration, warm-started
from the previous partition), re-estimate ``gamma`` from it, until it moves by less than 2 % or after
``max_rounds`` rounds; then the partition is refined at the final ``gamma`` until stable.
Graphs with a few large groups get ``gamma < 1``, graphs with many small groups ``gamma > 1``. The
estimate is invariant to scaling all weights, so equal strengths give the unweighted answer (and in
that case the weights are dropped altogether, so the result is identical to ``weights=None``).
Finally ``n_runs`` independent runs at the chosen ``gamma`` are compared and the partition with the
highest modularity at that ``gamma`` is kept (a best-of-several-seeds guard against an unlucky run).

Isolated people (no ties) form one-person communities. Small separate components become their own
communities (modularity never joins disconnected groups). Community ids are canonical: ``0`` is the
largest community, ties broken by the smallest vertex in it, so ids are stable for a fixed ``seed``.

Figures measured with ``scripts/bench_communities.py`` (seeds 0-4): NMI against the 42 departments of
SNAP email-Eu-core 0.72-0.73 (plain Leiden at resolution 1: 0.56-0.61; networkx Louvain 0.56-0.59),
against the 12 football conferences 0.92 (plain Leiden 0.89, networkx Louvain 0.86-0.89); on karate
and dolphins (two factions each) the estimate stays small (1.1 and 1.5) and NMI matches plain
modularity (tested). A planted partition of 100,000 people and 1,000,000 ties (458 groups) is
recovered exactly in 3-4 s on two busy cores, where resolution 1 merges small groups (networkx Louvain
finds 339, in 25 s).

Large graphs
------------
Above 250,000 ties (``coarsen=None``; ``coarsen=True``/``False`` forces either way) one Leiden iteration
on the whole graph is already too slow (about 17 s at ten million ties, and igraph needs another 5-12 s
just to build its graph), so the graph is first *coarsened* with numpy/scipy, without igraph:

1. Vectorised local moving (synchronous Louvain): in a sweep every vertex computes its tie weight to
   each neighbouring community with one sparse product (adjacency x membership matrix) and moves, all
   at once, to the community with the best modularity gain. Two singletons that choose each other
   move only towards the smaller label (the Grappolo rule, Lu et al. 2015); only vertices next to a
   mover stay active. 4 sweeps on the people, from singletons, at resolution 1. On the people (short
   rows, many communities) the tie weights per neighbouring community are summed by relabelling the
   adjacency's columns and summing duplicates (a per-row sort), twice as fast as scipy's product there.
2. The pieces become the vertices of an aggregated graph (summed weights; the ties inside a piece as a
   self-loop, so every partition keeps its modularity), and step 1 repeats on it (4 sweeps, half of
   the would-be movers moving in each, as heavy vertices moving together overshoot) until it has at
   most 1,500,000 ties or stops shrinking. With ``resolution="auto"`` each level after the first runs
   at Newman's estimate for the partition so far (at least 1): it comes down level by level (on the L
   graph below 548, 522, 418, 355) towards the final one (332), so the pieces stay finer than the
   communities sought. A level that stops shrinking is not wasted: its partition is the first rough
   partition of the rounds.
3. The resolution rounds, the refinement and the best of ``n_runs`` (counted on the aggregated graph)
   run as above, with igraph, on the aggregated graph. Its self-loops are left out and the strengths
   given as node weights (CPM at ``gamma / 2m``, the same objective): igraph's Leiden miscounts
   self-loops in modularity and over-merges heavy vertices otherwise. If coarsening stalled above
   1,500,000 ties (an estimated resolution with many small communities: their graph stays dense), the
   rounds are local-moving sweeps instead (2 per round, 4 for the final partition).
4. The partition is projected back level by level, each level refined by local moving at the final
   resolution (2 sweeps on the people and 3 on each aggregated level; with an estimated resolution 1
   and 2, as its many small communities settle sooner), and communities that came apart are split into
   their connected pieces (which never lowers modularity), so communities are connected as with Leiden.

With a *fixed* resolution (``resolution=1.0``: classic modularity) the coarsened path is instead one
multi-level Louvain with PLM's refinement, all in numpy (:mod:`reach.algorithms.louvain`: chunked
asynchronous local moving, aggregation while anything moves, each level moved again after projecting
back), then the communities are split into their connected pieces; ``seed`` orders its sweeps and
``n_runs`` (default 1 there) seeded runs are compared. Large sweeps propose two chunks at a time in
two threads. Measured on two cores shared with a dozen other jobs (load 10-16, so CPU seconds are the
steadier figure), networkit PLM with refinement in one thread:

=================================  ==============================  ==============================
graph                              reach ``resolution=1.0``        networkit PLM
=================================  ==============================  ==============================
Kronecker 18 (262k ids, 2.44M)     Q 0.1102-0.1110, 4.3-4.9 CPU s  Q 0.1106, 4.0-4.7 CPU s
Kronecker 20 (1M ids, 9.99M)       Q 0.1004, 18.5 CPU s            Q 0.1013, 32.9 CPU s
planted 1M people, 10M ties        Q 0.7607, 17.4 CPU s            Q 0.7604, 18.9 CPU s
=================================  ==============================  ==============================

(The steps above found Q 0.095 on Kronecker 18.)

All of it is deterministic (``seed`` only reaches igraph, and the fixed-resolution Louvain's order).
Large sweeps run in two threads (row blocks). Modularity is computed from the edge array. The CSR
adjacency cached on the graph (``rg.csr``) is reused, and the igraph ``Graph`` of the people is never
built.

Measured (scripts/bench_communities.py and the synthetic data of scripts/bench.py; two cores shared with
other jobs at load average 1-2.5, so wall-clock times are noisy, 30-50 % higher at load 4; networkit PLM
with refinement, one thread; the CSR adjacency, 0.5 s at ten million ties, is counted only when not cached):

=============================  ======================  ======================  =====================
graph                          reach auto              reach resolution=1      networkit PLM
=============================  ======================  ======================  =====================
planted 1M people, 10M ties,   5.3-5.7 s, Q 0.7598,    8.1 s, Q 0.7601,        7.0 s, Q 0.7607,
4,751 groups (mu 0.3)          4,726 groups, NMI 1.00  950 groups, NMI 0.901   1,150, NMI 0.916
synthetic L (1M, 10M)          8.6-10.9 s, Q 0.4344,   7.8-11 s, Q 0.5742,     17.1 s, Q 0.5744,
                               16,392, NMI department  124, NMI 0.51 / 0.55    58, NMI 0.51 / 0.55
                               0.93, company 0.97
synthetic M (100k, 1M)         2.1 s, Q 0.421, 2,058,  1.0-2.0 s, Q 0.5685,    2.1 s, Q 0.5679, 39
                               NMI 0.925 / 0.953       41
planted 100k, 1M (458 groups)  1.7 s, exact            1.2 s, Q 0.7580         1.1 s, Q 0.7583
=============================  ======================  ======================  =====================

On L the default took 14.6-18.6 s before the changes of this version (same machine and load): level
estimates taken as a running maximum (548 throughout), 10 sweeps per aggregated level, a stalled level's
partition thrown away, scipy's sparse product on the people, and 2 / 3 refinement sweeps. Now the
level-0 sweeps (about 3-4 s of the total) are the largest single cost.

Before coarsening, the defaults took 107 s on L (plus 5 s for the igraph graph; Q 0.475, 1,520
communities, NMI 0.79 / 0.85) and 4.6 s on M (NMI 0.89 / 0.97). igraph's Leiden at resolution 1 takes
6.5 s on M (Q 0.5687) and 17.5 s for one iteration on L; networkx's Louvain 75 s on M (Q 0.5639). On
medium planted graphs the coarsened path matches networkx's Louvain modularity to within 1e-3
(tested). The estimated resolution favours the planted departments and companies over classic
modularity: on L it gives Q 0.435 where resolution 1 gives 0.574 (the cities); ask for
``resolution=1.0`` when classic modularity is the goal.

Limitations: a graph without community structure (a random graph) is still cut into communities, as
by every modularity method, and finer than at resolution 1; there the estimate keeps growing until
``max_rounds`` (a million-tie preferential-attachment graph takes about 14 s, the worst case seen; on
the coarsened path 8 s, with an even higher resolution, about 116, as the first estimate comes from
the fine level-0 pieces).

``resolution=<float>`` turns the estimate off (``resolution=1.0`` is classic modularity);
``method="louvain"`` uses igraph's multilevel algorithm instead of Leiden (no warm starts).
igraph draws from one process-wide random generator: it is swapped for a seeded one during each run
and restored afterwards, so concurrent calls from several threads are not reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import igraph as ig
import numpy as np
import polars as pl

from reach.algorithms.coarsen import (
    _adjacency,
    _aggregate,
    _compress,
    _local_moving,
    _modularity_np,
    _split_disconnected,
)
from reach.algorithms.louvain import louvain
from reach.graph import ReachGraph

METHODS = ("leiden", "louvain")
WEIGHTS = ("strength", None)
GAMMA_TOL = 0.02  # stop the resolution estimate when it moves by less than 2 %
LEIDEN_TOL = 1e-3  # iterate Leiden until one iteration gains at most this much quality (modularity units)
LEIDEN_MAX_ITERATIONS = 50
RUN_BUDGET = 1_000_000  # default n_runs: as many runs as fit this many ties in all (1 to 4)
ROUND_BUDGET = 4_000_000  # default max_rounds: as many rounds as fit this many ties in all (3 to 10)
COARSEN_TIES = 250_000  # default: graphs with more ties are coarsened first (see "Large graphs")
COARSE_TIES = 1_500_000  # coarsen until the aggregated graph has at most this many ties (or stops shrinking)
COARSE_MAX_LEVELS = 6
COARSE_MIN_SHRINK = 0.8  # stop coarsening when a level keeps more than this share of its vertices
LEVEL_SHARE = 0.5  # share of the would-be movers that move in a sweep on the aggregated levels
LEVEL_SWEEPS = (4, 4)  # synchronous local-moving sweeps on the full graph, on each aggregated level
REFINE_SWEEPS = (2, 3)  # sweeps on the full graph, on each aggregated level, after projecting the partition back
REFINE_SWEEPS_AUTO = (1, 2)  # the same with an estimated resolution (its many small communities settle sooner)
ROUND_SWEEPS = (2, 4)  # local-moving sweeps per resolution round, and for the final partition, when coarsening stalls


@dataclass
class CommunityResult:
    """A partition of the people into communities.

    ``membership`` has one row per person (vertex order, i.e. sorted by ``person_id``): ``person_id``,
    ``community`` (0 = largest). ``sizes`` has ``community``, ``n_people``, largest first.
    ``modularity`` is classic modularity (resolution 1) of the partition, with the weights used;
    ``quality`` is modularity at the ``resolution`` actually used. ``labels`` is the community of
    each vertex as an int64 array and ``edges`` the ``(m, 2)`` vertex pairs of the graph (a reference,
    not a copy), so that :func:`summarise_communities` can count neighbours.
    """

    membership: pl.DataFrame
    sizes: pl.DataFrame
    modularity: float
    quality: float
    resolution: float
    method: str
    seed: int | None
    weighted: bool
    n_rounds: int  # partitions computed to reach the resolution, the final one included (1 when it was given)
    n_runs: int  # independent runs compared at the final resolution
    labels: np.ndarray = field(repr=False)
    edges: np.ndarray = field(repr=False)

    @property
    def n_communities(self) -> int:
        return int(self.sizes.height)

    def as_dict(self) -> dict:
        """Summary figures as plain Python values (for reports and JSON)."""
        return {
            "method": self.method,
            "communities": self.n_communities,
            "modularity": round(self.modularity, 6),
            "resolution": round(self.resolution, 6),
            "quality": round(self.quality, 6),
            "weighted": self.weighted,
            "seed": self.seed,
            "rounds": self.n_rounds,
            "runs": self.n_runs,
            "largest": int(self.sizes["n_people"][0]) if self.sizes.height else 0,
        }


def detect_communities(
    rg: ReachGraph,
    *,
    method: str = "leiden",
    resolution: float | Literal["auto"] = "auto",
    seed: int | None = 0,
    weights: str | None = "strength",
    n_runs: int | None = None,
    max_rounds: int | None = None,
    coarsen: bool | None = None,
) -> CommunityResult:
    """Partition the people into communities by modularity (see the module docstring for the method).

    Parameters
    ----------
    rg : ReachGraph
        The relationship graph.
    method : {"leiden", "louvain"}
        The modularity optimiser: igraph's Leiden (default) or multilevel (Louvain).
    resolution : float or "auto"
        ``"auto"`` (default) estimates it self-consistently (Newman 2016); a positive number fixes it
        (``1.0`` is classic modularity; larger gives more, smaller communities).
    seed : int or None
        Seed for the optimiser's random choices; the same seed gives the same partition. ``None``
        draws fresh entropy.
    weights : {"strength", None}
        Weight ties by their strength (default) or count every tie as one.
    n_runs : int or None
        Independent runs at the final resolution, best modularity kept. ``None``: as many as fit a
        budget of a million ties in all, between 1 and 4 (4 up to 250,000 ties, 1 from a million ties),
        so that a million ties take seconds; when coarsening, counted on the aggregated graph.
    max_rounds : int or None
        At most this many rough partitions while estimating the resolution. ``None``: 10, fewer on
        graphs of more than 400,000 ties (4,000,000 / ties, at least 3), to stay within seconds.
    coarsen : bool or None
        Coarsen the graph with vectorised local moving before the optimiser runs (see "Large graphs"
        in the module docstring). ``None`` (default): on graphs of more than 250,000 ties.

    Returns
    -------
    CommunityResult

    Raises
    ------
    ValueError
        Unknown ``method`` or ``weights``, a non-positive ``resolution``, ``n_runs`` or ``max_rounds``.

    Examples
    --------
    >>> from reach.graph import graph_from_edges
    >>> rg = graph_from_edges([("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"), ("c", "d")])
    >>> res = detect_communities(rg, seed=1)
    >>> res.membership["community"].to_list()
    [0, 0, 0, 1, 1, 1]
    >>> res.n_communities
    2
    """
    if method not in METHODS:
        msg = f"unknown community method {method!r}; expected one of: {', '.join(METHODS)}"
        raise ValueError(msg)
    if weights not in WEIGHTS:
        msg = f"unknown weights {weights!r}; expected 'strength' or None"
        raise ValueError(msg)
    auto = isinstance(resolution, str)
    if auto and resolution != "auto":
        msg = f"resolution must be a positive number or 'auto', got {resolution!r}"
        raise ValueError(msg)
    if not auto and not (float(resolution) > 0 and np.isfinite(float(resolution))):
        msg = f"resolution must be a positive number or 'auto', got {resolution!r}"
        raise ValueError(msg)
    runs_given = n_runs is not None
    if n_runs is None:
        n_runs = int(min(4, max(1, RUN_BUDGET // max(rg.n_ties, 1))))
    if max_rounds is None:
        max_rounds = int(min(10, max(3, ROUND_BUDGET // max(rg.n_ties, 1))))
    if n_runs < 1 or max_rounds < 1:
        msg = f"n_runs and max_rounds must be at least 1, got {n_runs} and {max_rounds}"
        raise ValueError(msg)

    w = _weights(rg, weights)
    edges = graph_edges(rg)
    seeds = _seed_stream(seed)
    run = _leiden if method == "leiden" else _louvain
    if coarsen is None:
        coarsen = edges.shape[0] > COARSEN_TIES

    gamma = 1.0 if auto else float(resolution)
    if coarsen:
        labels, gamma, n_rounds, modularity, best_q, n_runs = _coarsened(
            edges,
            w,
            rg.n_people,
            gamma,
            auto=auto,
            run=run,
            seeds=seeds,
            n_runs=n_runs if runs_given else None,
            max_rounds=max_rounds,
            csr=getattr(rg, "csr", None),
        )
    else:
        g, n = rg.graph, rg.n_people
        labels, gamma, n_rounds, best_q = _optimise(
            lambda gam, sd, init, its: run(g, w, gam, sd, init, its),
            lambda lab, gam: _modularity(g, lab, w, gam),
            lambda lab: planted_partition_resolution(edges, lab, w, n=n),
            gamma,
            auto=auto,
            seeds=seeds,
            n_runs=n_runs,
            max_rounds=max_rounds,
        )
        modularity = None

    labels = canonical_labels(labels)
    sizes = np.bincount(labels) if labels.size else np.zeros(0, dtype=np.int64)
    if modularity is None:
        modularity = _modularity(rg.graph, labels, w, 1.0)
    return CommunityResult(
        membership=pl.DataFrame({"person_id": rg.people["person_id"], "community": pl.Series(labels, dtype=pl.Int64)}),
        sizes=pl.DataFrame(
            {
                "community": pl.Series(np.arange(sizes.shape[0]), dtype=pl.Int64),
                "n_people": pl.Series(sizes, dtype=pl.Int64),
            }
        ),
        modularity=float(modularity),
        quality=float(best_q),
        resolution=float(gamma),
        method=method,
        seed=seed,
        weighted=w is not None,
        n_rounds=n_rounds,
        n_runs=n_runs,
        labels=labels,
        edges=edges,
    )


def _optimise(
    run,
    quality,
    estimate,
    gamma: float,
    *,
    auto: bool,
    seeds,
    n_runs: int,
    max_rounds: int,
    init: np.ndarray | None = None,
) -> tuple[np.ndarray, float, int, float]:
    """The resolution rounds, the refined partition and the best of ``n_runs``: ``(labels, gamma, rounds, quality)``.

    ``run(gamma, seed, init, max_iterations)`` partitions the graph, ``quality(labels, gamma)`` scores a
    partition and ``estimate(labels)`` is Newman's resolution for it. ``init``, a partition already
    found at ``gamma``, serves as the first rough partition (and as the start of the final one).
    """
    labels = init
    n_rounds = 0
    while auto and n_rounds < max_rounds:  # rough partitions (one Leiden pass each) to estimate gamma
        if n_rounds or init is None:
            labels = run(gamma, next(seeds), labels, 1)
        n_rounds += 1
        new = estimate(labels)
        if new is None or abs(new - gamma) <= GAMMA_TOL * gamma:
            break
        gamma = new
    labels = run(gamma, next(seeds), labels, LEIDEN_MAX_ITERATIONS)  # refined until stable
    n_rounds += 1
    best_q = quality(labels, gamma)
    for _ in range(n_runs - 1):
        cand = run(gamma, next(seeds), None, LEIDEN_MAX_ITERATIONS)
        q = quality(cand, gamma)
        if q > best_q:
            best_q, labels = q, cand
    return labels, gamma, n_rounds, best_q


def _coarsened(
    edges: np.ndarray,
    w: np.ndarray | None,
    n: int,
    gamma: float,
    *,
    auto: bool,
    run,
    seeds,
    n_runs: int | None,
    max_rounds: int,
    csr=None,
) -> tuple[np.ndarray, float, int, float, float, int]:
    """The large-graph path: ``(labels, gamma, rounds, modularity, quality, runs)`` (see "Large graphs")."""
    ew = np.ones(edges.shape[0]) if w is None else w
    if not (edges[:, 0] != edges[:, 1]).any():  # no ties between people: everyone alone
        return np.arange(n, dtype=np.int64), gamma, 1, 0.0, 0.0, 1
    if csr is not None:  # the graph's cached CSR (reach.adjacency.Csr): no second sort of the edges
        import scipy.sparse as sp

        adj = sp.csr_matrix((ew[csr.edge], csr.indices, csr.indptr), shape=(n, n))
    else:
        adj = _adjacency(edges, ew, n)
    deg = np.bincount(edges.ravel(), weights=np.repeat(ew, 2), minlength=n)
    if not auto:  # a fixed resolution: multi-level Louvain with refinement, all in numpy (reach.algorithms.louvain)
        return _louvain_fixed(edges, ew, adj, deg, n, gamma, seeds, 1 if n_runs is None else n_runs)
    gamma_c = gamma  # coarsening resolution: classic modularity's when the resolution is estimated
    # level 0: vectorised local moving on the full graph; then on each aggregated graph until it is small
    maps, levels = (
        [],
        [],
    )  # maps[i]: level-i vertex -> level-(i + 1) vertex; levels[i]: level i's (adjacency, strengths)
    cur_edges, cur_w, cur_n, cur_adj, cur_deg = edges, ew, n, adj, deg
    stalled = None  # the partition of a level that hardly shrank: the first rough partition of the rounds
    for level in range(COARSE_MAX_LEVELS):
        sweeps = LEVEL_SWEEPS[min(level, 1)]
        lab = _local_moving(cur_adj, cur_deg, gamma_c, np.arange(cur_n), sweeps, 1.0 if level == 0 else LEVEL_SHARE)
        lab, k = _compress(lab, cur_n)
        if k > COARSE_MIN_SHRINK * cur_n:  # hardly shrinking any more
            stalled = lab
            break
        maps.append(lab)
        levels.append((cur_adj, cur_deg))
        cur_edges, cur_w = _aggregate(cur_edges, cur_w, lab, k)
        cur_n = k
        if auto:  # the next level (and the first round) at the resolution this partition suggests
            est = planted_partition_resolution(cur_edges, np.arange(k), cur_w, n=k)
            gamma_c = max(gamma, est) if est is not None else gamma_c
        if cur_edges.shape[0] <= COARSE_TIES or level == COARSE_MAX_LEVELS - 1:
            break
        cur_adj = _adjacency(cur_edges, cur_w, cur_n, upper=True)
        cur_deg = np.bincount(cur_edges.ravel(), weights=np.repeat(cur_w, 2), minlength=cur_n)
    # the optimiser (resolution rounds included) on the small aggregated graph. Its self-loops (the ties inside
    # each piece) are left out of the igraph graph and the strengths passed as node weights instead: igraph's
    # Leiden miscounts self-loops under modularity and over-merges heavy pieces (multilevel does not).
    nw = np.bincount(cur_edges.ravel(), weights=np.repeat(cur_w, 2), minlength=cur_n)
    loops = cur_edges[:, 0] == cur_edges[:, 1]
    if n_runs is None:  # the runs are on the aggregated graph: as many as its size allows
        n_runs = int(min(4, max(1, RUN_BUDGET // max(cur_edges.shape[0], 1))))

    def quality(lab: np.ndarray, gam: float) -> float:
        return _modularity_np(cur_edges, cur_w, nw, lab, gam)[1]

    if cur_edges.shape[0] > COARSE_TIES:  # coarsening stalled (a high resolution): vectorised rounds there too
        top_adj = cur_adj if cur_adj.shape[0] == cur_n else _adjacency(cur_edges, cur_w, cur_n, upper=True)
        n_runs = 1  # local moving is deterministic: further runs would repeat the first

        def run_agg(gam, sd, init, its):
            start = np.arange(cur_n) if init is None else init
            return _local_moving(top_adj, nw, gam, start, ROUND_SWEEPS[0] if its == 1 else ROUND_SWEEPS[1])
    elif run is _leiden:
        g = ig.Graph(n=cur_n, edges=cur_edges[~loops].astype(np.int32))
        w_nl = cur_w[~loops]

        def run_agg(gam, sd, init, its):
            return _leiden(g, w_nl, gam, sd, init, its, node_weights=nw, quality=quality)
    else:
        g = ig.Graph(n=cur_n, edges=cur_edges.astype(np.int32))

        def run_agg(gam, sd, init, its):
            return _louvain(g, cur_w, gam, sd, init, its)

    top, gamma, n_rounds, _ = _optimise(
        run_agg,
        quality,
        lambda lab: planted_partition_resolution(cur_edges, lab, cur_w, n=cur_n),
        gamma_c,
        auto=auto,
        seeds=seeds,
        n_runs=n_runs,
        max_rounds=max_rounds,
        init=stalled,
    )
    labels = np.asarray(top, dtype=np.int64)
    # project back level by level, refining each level by local moving at the final resolution; then split
    # the communities that came apart
    refine = REFINE_SWEEPS_AUTO if auto else REFINE_SWEEPS
    for i in range(len(maps) - 1, -1, -1):
        labels = labels[maps[i]]
        labels = _local_moving(*levels[i], gamma, labels, refine[min(i, 1)])
    labels = _split_disconnected(edges, labels, n)
    modularity, quality = _modularity_np(edges, ew, deg, labels, gamma)
    return labels, gamma, n_rounds, modularity, quality, n_runs


def _louvain_fixed(
    edges: np.ndarray, ew: np.ndarray, adj, deg: np.ndarray, n: int, gamma: float, seeds, n_runs: int
) -> tuple[np.ndarray, float, int, float, float, int]:
    """The best of ``n_runs`` seeded Louvain runs at ``gamma``, communities split into their connected pieces."""
    best = None
    for _ in range(n_runs):
        labels = _split_disconnected(edges, louvain(adj, deg, gamma, seed=next(seeds)), n)
        modularity, quality = _modularity_np(edges, ew, deg, labels, gamma)
        if best is None or quality > best[1]:
            best = (labels, quality, modularity)
    labels, quality, modularity = best
    return labels, gamma, 1, modularity, quality, n_runs


def planted_partition_resolution(
    edges: np.ndarray, labels: np.ndarray, weights: np.ndarray | None, *, n: int
) -> float | None:
    """Newman's (2016) resolution for a partition, from its fitted planted-partition rates.

    Returns ``None`` when the rates are undefined or show no assortative structure (one community,
    all singletons, no ties, or ``w_in <= w_out``).
    """
    if edges.shape[0] == 0:
        return None
    w = np.ones(edges.shape[0]) if weights is None else weights
    deg = np.bincount(edges.ravel(), weights=np.repeat(w, 2), minlength=n)
    two_m = float(deg.sum())
    inside = labels[edges[:, 0]] == labels[edges[:, 1]]
    two_m_in = 2.0 * float(w[inside].sum())
    kappa = np.bincount(labels, weights=deg)
    expected_in = float(np.dot(kappa, kappa)) / two_m
    if two_m_in <= 0 or expected_in <= 0 or two_m - expected_in <= 0 or two_m - two_m_in <= 0:
        return None
    w_in = two_m_in / expected_in
    w_out = (two_m - two_m_in) / (two_m - expected_in)
    if not w_in > w_out:
        return None
    gamma = (w_in - w_out) / (np.log(w_in) - np.log(w_out))
    return float(gamma) if np.isfinite(gamma) and gamma > 0 else None


def normalized_mutual_information(labels_a: Sequence | np.ndarray, labels_b: Sequence | np.ndarray) -> float:
    """NMI of two partitions of the same items: ``I(A; B) / ((H(A) + H(B)) / 2)``, in [0, 1].

    The arithmetic-mean normalisation, as scikit-learn's ``normalized_mutual_info_score`` uses by
    default. Two single-block partitions score 1.0.

    Examples
    --------
    >>> normalized_mutual_information([0, 0, 1, 1], [5, 5, 7, 7])
    1.0
    >>> round(normalized_mutual_information([0, 0, 1, 1], [0, 1, 0, 1]), 6)
    0.0
    """
    a = np.unique(np.asarray(labels_a), return_inverse=True)[1].ravel()
    b = np.unique(np.asarray(labels_b), return_inverse=True)[1].ravel()
    if a.shape != b.shape:
        msg = f"partitions differ in length: {a.shape[0]} and {b.shape[0]} items"
        raise ValueError(msg)
    n = a.shape[0]
    if n == 0:
        return 1.0
    pair, joint = np.unique(a.astype(np.int64) * (int(b.max()) + 1) + b, return_counts=True)
    pa = np.bincount(a) / n
    pb = np.bincount(b) / n
    pij = joint / n
    ia, ib = np.divmod(pair, int(b.max()) + 1)
    mi = float(np.sum(pij * np.log(pij / (pa[ia] * pb[ib]))))
    ha = float(-np.sum(pa * np.log(pa)))
    hb = float(-np.sum(pb * np.log(pb)))
    if ha == 0.0 and hb == 0.0:
        return 1.0
    return max(0.0, min(1.0, mi / ((ha + hb) / 2)))


def canonical_labels(labels: np.ndarray) -> np.ndarray:
    """Relabel communities 0..k-1 by size (largest first), ties by their smallest vertex."""
    labels = np.asarray(labels, dtype=np.int64)
    if labels.size == 0:
        return labels
    uniq, first, inverse, counts = np.unique(labels, return_index=True, return_inverse=True, return_counts=True)
    order = np.lexsort((first, -counts))  # by size desc, then first vertex
    rank = np.empty(uniq.shape[0], dtype=np.int64)
    rank[order] = np.arange(uniq.shape[0])
    return rank[inverse]


def summarise_communities(
    result: CommunityResult, people_df: pl.DataFrame, team_vertex_ids: Sequence[int] | np.ndarray = (), *, top: int = 3
) -> pl.DataFrame:
    """One row per community: its size, top companies and email domains, and the team's reach into it.

    Parameters
    ----------
    result : CommunityResult
        From :func:`detect_communities`.
    people_df : polars.DataFrame
        The PEOPLE table (``person_id``, ``company``, ``emails``), e.g. ``rg.people``; joined on ``person_id``.
    team_vertex_ids : sequence of int
        Vertex ids of the team members.
    top : int
        How many companies and domains to list.

    Returns
    -------
    polars.DataFrame
        Sorted by ``community``. Columns: ``community`` (0 = largest), ``n_people``; ``top_companies``
        and ``top_domains``: lists of ``{value, n_people}`` (most people first, ties by name, nulls and
        empty values skipped; a person with two addresses at one domain counts once); ``n_team``: team
        members in the community; ``n_team_reach``: community members adjacent to at least one team
        member (team members themselves not counted); ``team_reach``: list of ``{person_id, n_hop1}``,
        for each team member with at least one neighbour in the community, ``n_hop1`` = how many of its
        neighbours are in the community (most first).
    """
    labels = result.labels
    n = labels.shape[0]
    k = result.n_communities
    team = np.unique(np.asarray(team_vertex_ids, dtype=np.int64))
    if team.size and (team.min() < 0 or team.max() >= n):
        msg = f"team vertex ids must be in 0..{n - 1}, got {team.tolist()}"
        raise ValueError(msg)
    members = result.membership.with_row_index("v")
    info = members.join(_people_columns(people_df), on="person_id", how="left")

    companies = _top_values(info.select("community", "person_id", pl.col("company").alias("value")), top)
    domains = _top_values(
        info.select("community", "person_id", pl.col("emails").alias("value"))
        .explode("value")
        .with_columns(pl.col("value").str.split("@").list.last().str.to_lowercase()),
        top,
    )

    is_team = np.zeros(n, dtype=bool)
    is_team[team] = True
    counts = _neighbour_counts(result.edges, labels, team, n)  # (team, community) neighbours in the community
    adj_team = _adjacent_to(result.edges, is_team, n) & ~is_team
    team_ids = members["person_id"].gather(team).to_list() if team.size else []
    reach_rows = [
        {"community": int(c), "person_id": team_ids[t], "n_hop1": int(counts[t, c])}
        for t, c in zip(*np.nonzero(counts), strict=True)
    ]
    reach = pl.DataFrame(reach_rows, schema={"community": pl.Int64, "person_id": pl.String, "n_hop1": pl.Int64})
    reach = (
        reach.sort(["community", "n_hop1", "person_id"], descending=[False, True, False])
        .group_by("community", maintain_order=True)
        .agg(pl.struct("person_id", "n_hop1").alias("team_reach"))
    )

    out = pl.DataFrame(
        {
            "community": pl.Series(np.arange(k), dtype=pl.Int64),
            "n_people": pl.Series(np.bincount(labels, minlength=k), dtype=pl.Int64),
            "n_team": pl.Series(np.bincount(labels[team], minlength=k), dtype=pl.Int64),
            "n_team_reach": pl.Series(np.bincount(labels[adj_team], minlength=k), dtype=pl.Int64),
        }
    )
    empty = pl.lit([], dtype=pl.List(pl.Struct({"value": pl.String, "n_people": pl.Int64})))
    out = (
        out.join(companies.rename({"top": "top_companies"}), on="community", how="left")
        .join(domains.rename({"top": "top_domains"}), on="community", how="left")
        .join(reach, on="community", how="left")
        .with_columns(
            pl.col("top_companies").fill_null(empty),
            pl.col("top_domains").fill_null(empty),
            pl.col("team_reach").fill_null(pl.lit([], dtype=reach.schema["team_reach"])),
        )
        .select("community", "n_people", "top_companies", "top_domains", "n_team", "n_team_reach", "team_reach")
        .sort("community")
    )
    return out


# ------------------------------------------------------------------ helpers
def graph_edges(rg: ReachGraph) -> np.ndarray:
    """The ``(m, 2)`` vertex pairs, edge ``j`` = tie ``j`` (taken from igraph if ``rg.edges`` was not filled in)."""
    edges = np.asarray(rg.edges, dtype=np.int64).reshape(-1, 2)
    if edges.shape[0] != rg.n_ties:
        edges = np.asarray(rg.graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    return edges


def _weights(rg: ReachGraph, weights: str | None) -> np.ndarray | None:
    if weights is None or rg.n_ties == 0:
        return None
    w = np.asarray(rg.strength, dtype=np.float64)
    if not np.all(np.isfinite(w)) or np.any(w <= 0):
        msg = "tie strengths must be positive and finite to weight communities; use weights=None"
        raise ValueError(msg)
    if np.all(w == w[0]):
        return None  # equal weights: exactly the unweighted problem
    return w


def _seed_stream(seed: int | None):
    """An endless, deterministic stream of per-run seeds derived from ``seed``."""
    ss = np.random.SeedSequence(seed)
    i = 0
    while True:
        yield int(np.random.SeedSequence(ss.entropy, spawn_key=(i,)).generate_state(1)[0])
        i += 1


class _SeededIgraph:
    """Swap igraph's process-wide random generator for a seeded one, and restore it."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def __enter__(self) -> None:
        ig.set_random_number_generator(self.rng)

    def __exit__(self, *exc: object) -> None:
        ig.set_random_number_generator(random)


def _leiden(
    g: ig.Graph,
    w: np.ndarray | None,
    gamma: float,
    seed: int,
    init: np.ndarray | None,
    max_iterations: int,
    node_weights: np.ndarray | None = None,
    quality=None,
) -> np.ndarray:
    """Leiden iterations from ``init`` (or singletons) until one gains at most LEIDEN_TOL quality.

    igraph's own ``n_iterations=-1`` iterates until *no* gain at all, which on graphs without clear
    structure means dozens of iterations creeping up by 1e-4 each (tens of seconds at a million ties).
    One iteration here is exactly one of igraph's (same random stream), so nothing else changes.
    With ``node_weights`` (the strengths of an aggregated graph whose self-loops were left out) the
    objective is CPM at ``gamma / sum(node_weights)``, which is modularity at ``gamma`` up to a constant,
    and ``quality(labels, gamma)`` measures the gain.
    """
    membership = None if init is None else init.tolist()
    last = -np.inf
    with _SeededIgraph(seed):
        for _ in range(max_iterations):
            if node_weights is None:
                part = g.community_leiden(
                    objective_function="modularity",
                    weights=w,
                    resolution=gamma,
                    n_iterations=1,
                    initial_membership=membership,
                )
                q = part.quality
            else:
                part = g.community_leiden(
                    objective_function="CPM",
                    weights=w,
                    node_weights=node_weights,
                    resolution=gamma / float(node_weights.sum()),
                    n_iterations=1,
                    initial_membership=membership,
                )
                q = quality(np.asarray(part.membership, dtype=np.int64), gamma)
            membership = part.membership
            if q - last <= LEIDEN_TOL:
                break
            last = q
    return np.asarray(membership, dtype=np.int64)


def _louvain(
    g: ig.Graph, w: np.ndarray | None, gamma: float, seed: int, init: np.ndarray | None, max_iterations: int
) -> np.ndarray:
    del init, max_iterations  # igraph's multilevel cannot start from a partition and runs to the end
    with _SeededIgraph(seed):
        part = g.community_multilevel(weights=w, resolution=gamma)
    return np.asarray(part.membership, dtype=np.int64)


def _modularity(g: ig.Graph, labels: np.ndarray, w: np.ndarray | None, gamma: float) -> float:
    if g.ecount() == 0:
        return 0.0
    return float(g.modularity(labels.tolist(), weights=w, resolution=gamma))


def _people_columns(people_df: pl.DataFrame) -> pl.DataFrame:
    cols = {"company": pl.String, "emails": pl.List(pl.String)}
    df = people_df.select("person_id", *[c for c in cols if c in people_df.columns])
    return df.with_columns([pl.lit(None, dtype=t).alias(c) for c, t in cols.items() if c not in df.columns])


def _top_values(df: pl.DataFrame, top: int) -> pl.DataFrame:
    """Per community, the ``top`` most common values by distinct people: ``community``, ``top``."""
    df = df.filter(pl.col("value").is_not_null() & (pl.col("value").str.strip_chars() != "")).unique()
    counted = (
        df.group_by("community", "value")
        .agg(pl.len().cast(pl.Int64).alias("n_people"))
        .sort(["community", "n_people", "value"], descending=[False, True, False])
    )
    return (
        counted.group_by("community", maintain_order=True)
        .head(top)
        .group_by("community", maintain_order=True)
        .agg(pl.struct("value", "n_people").alias("top"))
    )


def _adjacent_to(edges: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Vertices with at least one neighbour in ``mask``."""
    out = np.zeros(n, dtype=bool)
    if edges.shape[0]:
        out[edges[mask[edges[:, 0]], 1]] = True
        out[edges[mask[edges[:, 1]], 0]] = True
    return out


def _neighbour_counts(edges: np.ndarray, labels: np.ndarray, team: np.ndarray, n: int) -> np.ndarray:
    """``(len(team), k)`` counts: distinct neighbours of each team member in each community."""
    k = int(labels.max()) + 1 if labels.size else 0
    if team.size == 0 or edges.shape[0] == 0:
        return np.zeros((team.shape[0], k), dtype=np.int64)
    pos = np.full(n, -1, dtype=np.int64)
    pos[team] = np.arange(team.shape[0])
    a = np.concatenate([edges[:, 0], edges[:, 1]])
    b = np.concatenate([edges[:, 1], edges[:, 0]])
    keep = (pos[a] >= 0) & (a != b)
    pairs = np.unique(np.column_stack([pos[a[keep]], b[keep]]), axis=0)  # distinct (member, neighbour)
    flat = pairs[:, 0] * k + labels[pairs[:, 1]]
    return np.bincount(flat, minlength=team.shape[0] * k).reshape(team.shape[0], k)
