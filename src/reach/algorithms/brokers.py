"""Brokers: the people who hold the network together, and the team's reach in particular.

Four views of brokerage, one row per person:

* **betweenness**: the share of shortest (fewest-hop) paths between other pairs that pass through a
  person, normalised as networkx's ``betweenness_centrality(normalized=True)`` does (divided by
  ``(n - 1)(n - 2) / 2``). Exact (igraph, Brandes) on small graphs; on large graphs estimated from
  ``k`` randomly chosen (seeded) source people, paths from those sources to everyone, scaled by
  ``n / k``: an unbiased estimate, as networkx's ``k=`` option. The sampled sources run through a
  level-at-a-time numpy Brandes over the CSR adjacency (:func:`source_dependencies`).
* **constraint**: Burt's constraint (igraph), low for people whose contacts are not otherwise
  connected (structural holes), high for people inside one tight clique. Weighted by tie strength by
  default. Null for people with no ties. It only breaks ties in the ranking, so on graphs of more than
  ``CONSTRAINT_ALL`` people with ``top`` given it is computed for the rows shown (and everyone tied
  with the last of them), null for the rest: on a million people and ten million ties igraph takes
  over a minute for everyone, and a few seconds for the top hundred.
* **team brokerage** (when ``sources``, the team, are given): ``n_targets_lost`` counts the targets
  that are two hops from the team *only* through this person: remove the person and the team no longer
  reaches them within two hops. ``n_targets_via`` counts the targets two hops from the team that this
  person connects (one of possibly several intermediaries). Targets one hop from the team are never
  lost. Computed for everyone at once with two sparse matrix-vector products.
* **communities bridged** (when a community membership is given): how many distinct communities the
  person's neighbours belong to.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
import scipy.sparse as sp

from reach.adjacency import Csr, slots_of
from reach.algorithms.bitbfs import BOTTOM_UP
from reach.algorithms.communities import CommunityResult
from reach.errors import PersonNotFound
from reach.graph import ReachGraph

WORK = 50_000_000  # BFS work budget, in people * (people + ties): about a second of igraph time
MIN_SAMPLE = 32  # sampled betweenness uses at least this many sources
CONSTRAINT_ALL = 200_000  # above this many people, constraint is computed for the ranked rows only


def brokers(
    rg: ReachGraph,
    *,
    sources: Sequence[int] | Sequence[str] | np.ndarray | None = None,
    targets: Sequence[int] | Sequence[str] | np.ndarray | None = None,
    membership: CommunityResult | np.ndarray | None = None,
    k_sample: int | None = None,
    seed: int = 0,
    top: int | None = 20,
    weights: str | None = "strength",
) -> pl.DataFrame:
    """Rank people as brokers: betweenness, Burt's constraint, the team's dependence on them.

    Parameters
    ----------
    rg : ReachGraph
        The relationship graph.
    sources : sequence of int or str, optional
        The team, as vertex ids or person ids. Adds ``is_source``, ``n_targets_lost`` and ``n_targets_via``.
    targets : sequence of int or str, optional
        The people the team wants to reach (vertex ids or person ids). ``None`` with ``sources`` given:
        everyone outside the team. Team members are never targets.
    membership : CommunityResult or array of int, optional
        Community per vertex (e.g. from :func:`reach.algorithms.communities.detect_communities`). Adds
        ``community``, ``n_communities_bridged`` and ``bridged_communities``.
    k_sample : int, optional
        Estimate betweenness from this many sampled source people (exact if ``>= n_people``). ``None``:
        exact when ``n_people * (n_people + n_ties) <= 5e7`` (one BFS per person costs about that much),
        otherwise as many sources as that budget allows, at least 32.
    seed : int
        Seed for choosing the sampled sources.
    top : int or None
        Keep the first ``top`` rows (``None``: everyone).
    weights : {"strength", None}
        Weight Burt's constraint by tie strength, or not. Betweenness always counts hops.

    Returns
    -------
    polars.DataFrame
        One row per person, best brokers first: by ``n_targets_lost`` (when sources are given), then
        ``betweenness`` (descending), ``constraint`` (ascending, nulls last), ``person_id``. Columns:
        ``rank`` (1-based), ``person_id``, ``display_name`` (when the people table has it), ``degree``
        (number of ties), ``betweenness`` (float, 0..1), ``betweenness_exact`` (bool, False when sampled),
        ``constraint`` (float or null); with ``sources``: ``is_source`` (bool), ``n_targets_lost``,
        ``n_targets_via`` (int); with ``membership``: ``community`` (the person's own), ``n_communities_bridged``
        (distinct communities among the neighbours), ``bridged_communities`` (their ids, ascending).

    Raises
    ------
    ValueError
        Bad ``k_sample``, ``top`` or ``weights``; ``targets`` without ``sources``; empty ``sources``;
        vertex ids out of range or a membership of the wrong length.
    PersonNotFound
        A person id in ``sources`` or ``targets`` is not in the graph.

    Examples
    --------
    >>> from reach.graph import graph_from_edges
    >>> rg = graph_from_edges([("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"), ("c", "d")])
    >>> brokers(rg, top=2)["person_id"].to_list()
    ['c', 'd']
    """
    if weights not in ("strength", None):
        msg = f"unknown weights {weights!r}; expected 'strength' or None"
        raise ValueError(msg)
    if k_sample is not None and k_sample < 1:
        msg = f"k_sample must be at least 1, got {k_sample}"
        raise ValueError(msg)
    if top is not None and top < 0:
        msg = f"top must be 0 or more, got {top}"
        raise ValueError(msg)
    if targets is not None and sources is None:
        msg = "targets were given without sources: team brokerage needs the team (sources)"
        raise ValueError(msg)
    n = rg.n_people
    adj = adjacency(rg)
    degree = np.diff(adj.indptr).astype(np.int64)
    between, exact = betweenness(rg, k_sample=k_sample, seed=seed)
    cols: dict[str, pl.Series] = {
        "person_id": pl.Series(rg.people["person_id"], dtype=pl.String),
        "degree": pl.Series(degree, dtype=pl.Int64),
        "betweenness": pl.Series(between, dtype=pl.Float64),
        "betweenness_exact": pl.Series(np.full(n, exact), dtype=pl.Boolean),
    }
    if "display_name" in rg.people.columns:
        cols = {"person_id": cols.pop("person_id"), "display_name": rg.people["display_name"], **cols}
    order = []
    if sources is not None:
        team = _vertex_ids(rg, sources, "sources")
        if team.size == 0:
            msg = "sources is empty: give at least one team member"
            raise ValueError(msg)
        tgt = None if targets is None else _vertex_ids(rg, targets, "targets")
        lost, via = team_brokerage(adj, team, tgt)
        is_team = np.zeros(n, dtype=bool)
        is_team[team] = True
        cols |= {
            "is_source": pl.Series(is_team, dtype=pl.Boolean),
            "n_targets_lost": pl.Series(lost, dtype=pl.Int64),
            "n_targets_via": pl.Series(via, dtype=pl.Int64),
        }
        order.append(("n_targets_lost", True))
    if membership is not None:
        labels = membership.labels if isinstance(membership, CommunityResult) else np.asarray(membership, np.int64)
        if labels.shape != (n,):
            msg = f"membership has {labels.shape[0] if labels.ndim else 0} entries for a graph of {n} people"
            raise ValueError(msg)
        cols |= {"community": pl.Series(labels, dtype=pl.Int64), **bridged_communities(adj, labels)}
    order.append(("betweenness", True))
    if top is None or n <= CONSTRAINT_ALL:
        cons = constraint(rg, weights=weights)
    else:  # constraint breaks ties only: needed down to the last row tied with row `top`
        keys = pl.DataFrame({c: cols[c] for c, _ in order}).with_row_index("v")
        keys = keys.sort([c for c, _ in order], descending=[d for _, d in order])
        if top and keys.height:
            edge = keys.row(min(top, keys.height) - 1, named=True)
            tied_or_above = pl.lit(False)
            for i, (c, d) in enumerate(order):  # lexicographic: (k0, k1, ...) >= edge in the ranking order
                better = (pl.col(c) > edge[c]) if d else (pl.col(c) < edge[c])
                same_before = pl.all_horizontal([pl.col(x) == edge[x] for x, _ in order[:i]] or [pl.lit(True)])
                tied_or_above = tied_or_above | (same_before & better)
            same_all = pl.all_horizontal([pl.col(x) == edge[x] for x, _ in order])
            need = keys.filter(tied_or_above | same_all)["v"].to_numpy()
        else:
            need = np.zeros(0, dtype=np.int64)
        cons = np.full(n, np.nan)
        cons[need] = constraint(rg, weights=weights, vertices=need)
    cols["constraint"] = pl.Series(cons, dtype=pl.Float64, nan_to_null=True)
    df = pl.DataFrame(cols)
    order += [("constraint", False), ("person_id", False)]
    df = df.sort([c for c, _ in order], descending=[d for _, d in order], nulls_last=True)
    df = df.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))
    return df if top is None else df.head(top)


def adjacency(rg: ReachGraph) -> sp.csr_matrix:
    """Symmetric 0/1 adjacency (int64 CSR, sorted indices), self-loops and repeated ties dropped.

    A scipy view of the graph's own CSR (:attr:`ReachGraph.csr`, which leaves self-loops out), not a
    second build from the edge list.
    """
    c = rg.csr
    a = sp.csr_matrix((np.ones(c.n_slots, dtype=np.int64), c.indices, c.indptr), shape=(c.n, c.n))
    a.sum_duplicates()  # sorts each row's indices too
    a.data[:] = 1
    return a


def betweenness(rg: ReachGraph, *, k_sample: int | None = None, seed: int = 0) -> tuple[np.ndarray, bool]:
    """Normalised hop betweenness per vertex and whether it is exact (see the module docstring)."""
    n = rg.n_people
    if n <= 2 or rg.n_ties == 0:
        return np.zeros(n), True
    k = k_sample
    if k is None:
        per_bfs = n + rg.n_ties
        k = n if n * per_bfs <= WORK else max(MIN_SAMPLE, WORK // per_bfs)
    scale = 2.0 / ((n - 1) * (n - 2))
    if k >= n:
        return np.asarray(rg.graph.betweenness(directed=False), dtype=np.float64) * scale, True
    picked = sample_sources(n, k, seed)
    # each (source, target) count is halved on an undirected graph, which is exactly the unordered-pair
    # convention of the exact betweenness; scaling by n / k makes the estimate unbiased.
    return source_dependencies(rg.csr, picked) * (n / k) * scale, False


def source_dependencies(csr: Csr, sources: np.ndarray) -> np.ndarray:
    """Half the sum over ``sources`` of Brandes' dependencies: how much each person lies on shortest paths
    from those sources to everyone (igraph's ``betweenness(sources=...)`` on an undirected graph).

    Brandes (2001) with the per-source BFS and the backward accumulation done a level at a time over the
    CSR adjacency: each level is a gather of its people's neighbours and a ``bincount``, so a source
    costs a few passes over the ties in numpy, several times faster than igraph's per-vertex loop on
    millions of ties. Path counts are floats (exact up to 2**53 shortest paths per pair).
    """
    n = csr.n
    total = np.zeros(n)
    pull_above = BOTTOM_UP * csr.n_slots  # a level touching more slots than this pulls over all of them

    def over_neighbours(x: np.ndarray) -> np.ndarray:
        """For every person, the sum of ``x`` over their neighbours: one pass over the adjacency."""
        out = np.zeros(n)
        if csr.nz_rows.size:
            out[csr.nz_rows] = np.add.reduceat(x[csr.indices], csr.nz_starts)
        return out

    for s in np.asarray(sources, dtype=np.int64).ravel():
        dist = np.full(n, -1, dtype=np.int64)
        sigma = np.zeros(n)
        dist[s], sigma[s] = 0, 1.0
        levels = [np.array([s], dtype=np.int64)]
        while True:  # forward: each level's people, their number of shortest paths from s
            front, k = levels[-1], len(levels) - 1
            if int(csr.degree[front].sum()) > pull_above:
                paths = over_neighbours(np.where(dist == k, sigma, 0.0))
                paths[dist >= 0] = 0.0
            else:
                owner, slot = slots_of(csr, front)
                nb = csr.indices[slot]
                fresh = dist[nb] < 0
                paths = np.bincount(nb[fresh], weights=sigma[front][owner[fresh]], minlength=n)
            new = np.flatnonzero(paths)
            if not new.size:
                break
            dist[new] = k + 1
            sigma[new] = paths[new]
            levels.append(new)
        delta = np.zeros(n)
        for k in range(len(levels) - 2, -1, -1):  # backward: dependencies, deepest level first
            front, nxt = levels[k], levels[k + 1]
            x = np.zeros(n)
            x[nxt] = (1.0 + delta[nxt]) / sigma[nxt]
            if int(csr.degree[front].sum()) > pull_above:
                delta[front] = sigma[front] * over_neighbours(x)[front]
            else:
                owner, slot = slots_of(csr, front)
                delta[front] = sigma[front] * np.bincount(owner, weights=x[csr.indices[slot]], minlength=front.shape[0])
        delta[s] = 0.0
        total += delta
    return total / 2.0


def sample_sources(n: int, k: int, seed: int) -> np.ndarray:
    """The ``k`` source vertices used by sampled betweenness (sorted), deterministic for ``seed``."""
    return np.sort(np.random.default_rng(seed).choice(n, size=k, replace=False))


def constraint(rg: ReachGraph, *, weights: str | None = "strength", vertices: np.ndarray | None = None) -> np.ndarray:
    """Burt's constraint per vertex, or for ``vertices`` only (NaN for people with no ties)."""
    if rg.n_people == 0 or (vertices is not None and len(vertices) == 0):
        return np.zeros(0)
    w = rg.strength.tolist() if weights == "strength" and rg.n_ties else None
    vs = None if vertices is None else [int(v) for v in vertices]
    return np.asarray(rg.graph.constraint(vertices=vs, weights=w), dtype=np.float64)


def team_brokerage(
    adj: sp.csr_matrix, team: np.ndarray, targets: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``(n_targets_lost, n_targets_via)`` per vertex for a team (see the module docstring).

    A target two hops from the team has as intermediaries its neighbours that are next to the team.
    Exactly one intermediary means removing that person loses the target: summing the ids of each
    target's intermediaries (one sparse product) names that person directly.
    """
    n = adj.shape[0]
    is_team = np.zeros(n, dtype=bool)
    is_team[team] = True
    is_target = ~is_team
    if targets is not None:
        is_target = np.zeros(n, dtype=bool)
        is_target[targets] = True
        is_target &= ~is_team
    hop1 = (adj @ is_team.astype(np.int64) > 0) & ~is_team
    n_mid = adj @ hop1.astype(np.int64)  # intermediaries of each vertex
    hop2 = is_target & ~hop1 & (n_mid > 0)
    sole = hop2 & (n_mid == 1)
    mid_id = adj @ np.where(hop1, np.arange(1, n + 1, dtype=np.int64), 0) - 1  # the one intermediary of `sole`
    lost = np.bincount(mid_id[sole], minlength=n).astype(np.int64)
    via = np.where(hop1, adj @ hop2.astype(np.int64), 0).astype(np.int64)
    return lost, via


def bridged_communities(adj: sp.csr_matrix, labels: np.ndarray) -> dict[str, pl.Series]:
    """``n_communities_bridged`` and ``bridged_communities`` per vertex: distinct communities of its neighbours."""
    n = adj.shape[0]
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(adj.indptr))
    pairs = pl.DataFrame({"v": rows, "c": labels[adj.indices]}).unique()
    per = pairs.sort("v", "c").group_by("v", maintain_order=True).agg(pl.col("c").alias("bridged_communities"))
    full = pl.DataFrame({"v": np.arange(n, dtype=np.int64)}).join(per, on="v", how="left", maintain_order="left")
    lists = full["bridged_communities"].fill_null(pl.lit([], dtype=pl.List(pl.Int64)))
    return {
        "n_communities_bridged": lists.list.len().cast(pl.Int64).alias("n_communities_bridged"),
        "bridged_communities": lists.alias("bridged_communities"),
    }


def _vertex_ids(rg: ReachGraph, people: Sequence[int] | Sequence[str] | np.ndarray, what: str) -> np.ndarray:
    """Vertex ids from vertex ids or person ids, de-duplicated."""
    arr = np.asarray(list(people) if not isinstance(people, np.ndarray) else people)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind in "iu":
        ids = arr.astype(np.int64)
        bad = ids[(ids < 0) | (ids >= rg.n_people)]
        if bad.size:
            msg = f"{what}: vertex ids must be in 0..{rg.n_people - 1}, got {bad[:5].tolist()}"
            raise ValueError(msg)
    else:
        ids = rg.vertices([str(p) for p in arr.tolist()])
        if (ids < 0).any():
            missing = [str(p) for p, i in zip(arr.tolist(), ids, strict=True) if i < 0]
            msg = f"{what}: no such person {', '.join(missing[:5])}; check the ids with `reach people`"
            raise PersonNotFound(msg)
    return np.unique(ids)
