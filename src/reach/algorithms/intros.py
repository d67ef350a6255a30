"""Warm-introduction paths from a team to target people.

Path strength is the product of tie strengths along the path (path cost ``-ln(strength)`` summed);
the bottleneck is its weakest tie. A direct tie beats any introduction, whatever the strengths;
introductions are ranked by path strength (fewer hops break ties).

* Up to two hops (the default) introducers are computed exactly as the common neighbours of team
  members and targets: one join of the team's adjacency rows with the targets' rows (CSR), no
  per-pair loop.
* Beyond two hops, a hop-limited best-path search runs from the whole team at once: ``max_hops``
  rounds of relaxation over the edge arrays (Bellman-Ford layered by hop count, vectorised with
  numpy), which gives for every person the warmest path from any team member within the hop limit.

Diversity: each target gets up to ``top_k`` paths through different introducers (the person who
knows the target). Across targets, an introducer is asked at most ``max_asks`` times; paths are
assigned greedily from the warmest down, and each target's loss against its unconstrained best path
is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reach.adjacency import slots_of, sorted_unique
from reach.graph import ReachGraph


@dataclass
class IntroResult:
    """``paths``: one row per suggested path (see :func:`warm_intro_paths`); ``unreached``: targets without one."""

    paths: pl.DataFrame
    unreached: list[int]


def _directed_edges(rg: ReachGraph, allowed: np.ndarray | None = None) -> pl.DataFrame:
    """Both directions of every tie: u, v, s (strength), e (edge index); optionally only allowed edges."""
    e = rg.edges
    idx = np.arange(e.shape[0], dtype=np.int64)
    if allowed is not None:
        e, idx = e[allowed], idx[allowed]
    s = rg.strength[idx]
    return pl.DataFrame({
        "u": np.concatenate([e[:, 0], e[:, 1]]), "v": np.concatenate([e[:, 1], e[:, 0]]),
        "s": np.concatenate([s, s]), "e": np.concatenate([idx, idx]),
    })


def two_hop_candidates(rg: ReachGraph, team: np.ndarray, targets: np.ndarray, *, blocked: np.ndarray | None = None,
                       allowed_edges: np.ndarray | None = None) -> pl.DataFrame:
    """Every direct and one-introducer path from a team member to a target.

    Columns: target, member, introducer (= member for direct ties), hops, strength, bottleneck,
    e1, e2 (edge indices; e2 = -1 for direct ties). Team members are never introducers; ``blocked``
    vertices (a do-not-ask list) are never introducers either. Only the team's and the targets'
    adjacency rows are read (a join of the two on the person in the middle), so the cost does not
    grow with the size of the graph: at 10M ties, 50 members and 1,000 targets, a few milliseconds.
    """
    csr = rg.csr
    team_u = sorted_unique(np.asarray(team, dtype=np.int64).ravel())
    targ_u = sorted_unique(np.asarray(targets, dtype=np.int64).ravel())

    def rows(verts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        owner, slot = slots_of(csr, verts)
        e = csr.edge[slot].astype(np.int64)
        keep = allowed_edges[e] if allowed_edges is not None else slice(None)
        return verts[owner][keep], csr.indices[slot].astype(np.int64)[keep], e[keep]

    member, mid, e1 = rows(team_u)
    target, mid2, e2 = rows(targ_u)
    s = rg.strength
    from_team = pl.DataFrame({"member": member, "mid": mid, "s1": s[e1], "e1": e1})
    to_target = pl.DataFrame({"mid": mid2, "target": target, "s2": s[e2], "e2": e2})
    targ_s = pl.Series("target", targ_u, dtype=pl.Int64).implode()
    direct = from_team.filter(pl.col("mid").is_in(targ_s)).select(
        pl.col("mid").alias("target"), "member", pl.col("member").alias("introducer"), pl.lit(1).alias("hops"),
        pl.col("s1").alias("strength"), pl.col("s1").alias("bottleneck"), "e1", pl.lit(-1, pl.Int64).alias("e2"))
    excluded = team_u if blocked is None else np.concatenate([team_u, np.asarray(blocked, dtype=np.int64).ravel()])
    via = (
        from_team.filter(~pl.col("mid").is_in(pl.Series(excluded, dtype=pl.Int64).implode()))
        .join(to_target, on="mid")
        .filter(pl.col("target") != pl.col("member"))
        .select("target", "member", pl.col("mid").alias("introducer"), pl.lit(2).alias("hops"),
                (pl.col("s1") * pl.col("s2")).alias("strength"),
                pl.min_horizontal("s1", "s2").alias("bottleneck"), "e1", "e2")
    )
    return pl.concat([direct, via])


def hop_limited_best(rg: ReachGraph, team: np.ndarray, *, max_hops: int, blocked: np.ndarray | None = None,
                     allowed_edges: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Warmest path from any team member to every vertex within ``max_hops`` (layered Bellman-Ford).

    Returns ``cost`` (n,) summed -ln(strength) (inf if unreachable), ``pred`` (max_hops+1, n) the
    predecessor at each layer (-1 none) and ``layer`` (n,) the layer of the best path. Blocked
    vertices can be endpoints but never intermediaries.
    """
    n = rg.n_people
    e = rg.edges if allowed_edges is None else rg.edges[allowed_edges]
    c = rg.cost if allowed_edges is None else rg.cost[allowed_edges]
    u = np.concatenate([e[:, 0], e[:, 1]])
    v = np.concatenate([e[:, 1], e[:, 0]])
    w = np.concatenate([c, c])
    no_relay = np.zeros(n, dtype=bool)
    if blocked is not None and blocked.size:
        no_relay[blocked] = True
    cur = np.full(n, np.inf)
    cur[team] = 0.0
    pred = np.full((max_hops + 1, n), -1, dtype=np.int64)
    costs = [cur.copy()]
    for k in range(1, max_hops + 1):
        src_cost = costs[-1].copy()
        if k > 1:
            src_cost[no_relay] = np.inf
        cand = src_cost[u] + w
        best = np.full(n, np.inf)
        np.minimum.at(best, v, cand)
        # predecessor: the lowest-index edge achieving the minimum (deterministic)
        hit = np.isfinite(cand) & (cand == best[v])
        order = np.lexsort((u[hit], v[hit]))
        vv, uu = v[hit][order], u[hit][order]
        first = np.ones(vv.shape[0], dtype=bool)
        first[1:] = vv[1:] != vv[:-1]
        pred[k, vv[first]] = uu[first]
        costs.append(best)
    stack = np.vstack(costs)  # (max_hops+1, n): best cost using exactly k hops
    # a path with fewer hops wins ties; argmin returns the first (lowest layer) minimum
    layer = np.argmin(stack, axis=0)
    cost = stack[layer, np.arange(n)]
    return cost, pred, layer


def _walk_back(pred: np.ndarray, layer: int, target: int) -> list[int]:
    path = [target]
    v = target
    for k in range(layer, 0, -1):
        v = int(pred[k, v])
        path.append(v)
    return path[::-1]


def warm_intro_paths(rg: ReachGraph, team: np.ndarray, targets: np.ndarray, *, max_hops: int = 2, top_k: int = 3,
                     max_asks: int | None = None, blocked: np.ndarray | None = None,
                     allowed_edges: np.ndarray | None = None) -> IntroResult:
    """Ranked warm-intro paths from ``team`` vertices to each of ``targets``.

    Output columns: ``target``, ``rank`` (1 = best), ``hops``, ``strength`` (product), ``bottleneck``
    (weakest tie), ``member`` (team member who asks), ``introducer`` (who knows the target; the member
    for direct ties), ``path`` (vertex list), ``edges`` (tie indices along the path), ``best_strength``
    (the target's best path ignoring ``max_asks``). A target who is a team member gets a 0-hop row.
    """
    team = np.unique(np.asarray(team, dtype=np.int64))
    targets = np.asarray(targets, dtype=np.int64)
    if max_hops <= 2:
        cand = two_hop_candidates(rg, team, targets, blocked=blocked, allowed_edges=allowed_edges)
        if max_hops == 1:
            cand = cand.filter(pl.col("hops") == 1)
        cand = cand.with_columns(
            pl.when(pl.col("hops") == 1).then(pl.concat_list("member", "target"))
            .otherwise(pl.concat_list("member", "introducer", "target")).alias("path"),
            pl.when(pl.col("hops") == 1).then(pl.concat_list("e1")).otherwise(pl.concat_list("e1", "e2")).alias("edges"),
        ).drop("e1", "e2")
    else:
        cand = _deep_candidates(rg, team, targets, max_hops=max_hops, blocked=blocked, allowed_edges=allowed_edges,
                                max_paths_per_target=max(top_k, 1) * (2 if max_asks else 1))
    # best path per (target, introducer): a direct tie beats an intro, then warmest, then lowest ids
    cand = cand.with_columns((pl.col("hops") > 1).alias("_intro")).sort(
        ["target", "_intro", "strength", "hops", "member", "introducer"],
        descending=[False, False, True, False, False, False]).drop("_intro")
    per_intro = cand.unique(subset=["target", "introducer"], keep="first", maintain_order=True)
    best = per_intro.group_by("target").agg(pl.col("strength").first().alias("best_strength"))
    assigned = _assign(per_intro, top_k=top_k, max_asks=max_asks, team=team)
    assigned = assigned.join(best, on="target", how="left")
    in_team = [int(t) for t in targets if t in set(team.tolist())]
    if in_team:
        selfrows = pl.DataFrame({"target": in_team, "rank": [1] * len(in_team), "hops": [0] * len(in_team),
                                 "strength": [1.0] * len(in_team), "bottleneck": [1.0] * len(in_team),
                                 "member": in_team, "introducer": in_team, "path": [[t] for t in in_team],
                                 "edges": [[] for _ in in_team], "best_strength": [1.0] * len(in_team)},
                                schema=assigned.schema)
        assigned = pl.concat([assigned.filter(~pl.col("target").is_in(in_team)), selfrows])
    order = pl.DataFrame({"target": targets, "_o": np.arange(targets.shape[0])}).unique("target", keep="first")
    assigned = assigned.join(order, on="target").sort("_o", "rank").drop("_o")
    reached = set(assigned["target"].to_list())
    return IntroResult(paths=assigned, unreached=[int(t) for t in targets if int(t) not in reached])


def _assign(per_intro: pl.DataFrame, *, top_k: int, max_asks: int | None, team: np.ndarray) -> pl.DataFrame:
    """Keep up to ``top_k`` paths per target; with ``max_asks``, no introducer is used more than that.

    Greedy from the warmest path down (direct ties first); asks are only counted for introducers who
    are not team members. Vectorised when there is no ask limit.
    """
    cols = ["target", "hops", "strength", "bottleneck", "member", "introducer", "path", "edges"]
    ranked = per_intro.select(cols)
    if max_asks is None:
        out = ranked.with_columns(pl.int_range(pl.len()).over("target").alias("rank") + 1).filter(pl.col("rank") <= top_k)
        return out.select("target", pl.col("rank").cast(pl.Int64), *cols[1:])
    glob = ranked.with_row_index("_i").with_columns((pl.col("hops") > 1).alias("_intro")).sort(
        ["_intro", "strength", "_i"], descending=[False, True, False])
    team_set = set(team.tolist())
    asks: dict[int, int] = {}
    taken: dict[int, int] = {}
    keep = []
    # one pass over candidate paths (already capped to distinct introducers per target)
    for i, t, intro in zip(glob["_i"].to_list(), glob["target"].to_list(), glob["introducer"].to_list(), strict=True):
        if taken.get(t, 0) >= top_k:
            continue
        if intro not in team_set:
            if asks.get(intro, 0) >= max_asks:
                continue
            asks[intro] = asks.get(intro, 0) + 1
        taken[t] = taken.get(t, 0) + 1
        keep.append(i)
    out = ranked.with_row_index("_i").filter(pl.col("_i").is_in(keep)).drop("_i")
    out = out.with_columns((pl.col("hops") > 1).alias("_intro")).sort(
        ["target", "_intro", "strength", "hops"], descending=[False, False, True, False]).drop("_intro")
    out = out.with_columns((pl.int_range(pl.len()).over("target") + 1).cast(pl.Int64).alias("rank"))
    return out.select("target", "rank", *cols[1:])


def _deep_candidates(rg: ReachGraph, team: np.ndarray, targets: np.ndarray, *, max_hops: int,
                     blocked: np.ndarray | None, allowed_edges: np.ndarray | None,
                     max_paths_per_target: int = 10) -> pl.DataFrame:
    """Candidates beyond two hops: per target and per neighbour ``i`` of the target (the introducer),
    the warmest path from the team to ``i`` within ``max_hops - 1`` hops, extended by the tie (i, target)."""
    cost, pred, layer = hop_limited_best(rg, team, max_hops=max_hops - 1, blocked=blocked, allowed_edges=allowed_edges)
    d = _directed_edges(rg, allowed_edges)
    targ = pl.Series("t", targets, dtype=pl.Int64).implode()
    last = d.filter(pl.col("v").is_in(targ)).rename({"u": "introducer", "v": "target", "s": "s_last", "e": "e_last"})
    team_set = set(team.tolist())
    intro = last["introducer"].to_numpy()
    last = last.with_columns(pl.Series("c", cost[intro]), pl.Series("k", layer[intro].astype(np.int64)))
    last = last.filter(pl.col("c").is_finite())
    if blocked is not None and blocked.size:
        last = last.filter(~pl.col("introducer").is_in(pl.Series(blocked).implode()) |
                           pl.col("introducer").is_in(pl.Series(team).implode()))
    # only the warmest few introducers per target need their path walked back
    last = last.with_columns((pl.col("c") - pl.col("s_last").log()).alias("total")).sort("target", "k", "total")
    last = last.filter(pl.int_range(pl.len()).over("target") < 3 * max_paths_per_target)
    rows = []
    for r in last.iter_rows(named=True):
        path = _walk_back(pred, r["k"], r["introducer"]) + [r["target"]]
        if len(set(path)) < len(path):
            continue  # the best route to the introducer passes through the target itself
        eids = rg.edge_ids(path).tolist()
        s = rg.strength[eids]
        is_direct = r["introducer"] in team_set
        rows.append({"target": r["target"], "member": path[0], "introducer": r["introducer"] if not is_direct else path[0],
                     "hops": len(path) - 1, "strength": float(np.prod(s)), "bottleneck": float(s.min()),
                     "path": path, "edges": eids})
    schema = {"target": pl.Int64, "member": pl.Int64, "introducer": pl.Int64, "hops": pl.Int32, "strength": pl.Float64,
              "bottleneck": pl.Float64, "path": pl.List(pl.Int64), "edges": pl.List(pl.Int64)}
    return pl.DataFrame(rows, schema=schema)
