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
import pyarrow as pa

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
    return pl.DataFrame(
        {
            "u": np.concatenate([e[:, 0], e[:, 1]]),
            "v": np.concatenate([e[:, 1], e[:, 0]]),
            "s": np.concatenate([s, s]),
            "e": np.concatenate([idx, idx]),
        }
    )


def two_hop_candidates(
    rg: ReachGraph,
    team: np.ndarray,
    targets: np.ndarray,
    *,
    blocked: np.ndarray | None = None,
    allowed_edges: np.ndarray | None = None,
) -> pl.DataFrame:
    """Every direct and one-introducer path from a team member to a target (see :func:`_two_hop_arrays`)."""
    return pl.DataFrame(_two_hop_arrays(rg, team, targets, blocked=blocked, allowed_edges=allowed_edges))


def _two_hop_arrays(
    rg: ReachGraph,
    team: np.ndarray,
    targets: np.ndarray,
    *,
    blocked: np.ndarray | None = None,
    allowed_edges: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Every direct and one-introducer path from a team member to a target, as columns.

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
    # direct ties: a team member's neighbour who is a target
    is_target = np.zeros(rg.n_people, dtype=bool)
    is_target[targ_u] = True
    d = is_target[mid]
    # one introducer: join the team's rows and the targets' rows on the person in the middle (sort-merge)
    relay = np.ones(rg.n_people, dtype=bool)
    relay[team_u] = False
    if blocked is not None:
        relay[np.asarray(blocked, dtype=np.int64).ravel()] = False
    f = relay[mid]
    fm, fmid, fe1 = member[f], mid[f], e1[f]
    o = np.argsort(mid2, kind="stable")
    mid2, target, e2 = mid2[o], target[o], e2[o]
    lo = np.searchsorted(mid2, fmid, side="left")
    cnt = np.searchsorted(mid2, fmid, side="right") - lo
    left = np.repeat(np.arange(fm.shape[0]), cnt)
    right = np.arange(left.shape[0]) - np.repeat(np.cumsum(cnt) - cnt, cnt) + np.repeat(lo, cnt)
    keep = target[right] != fm[left]
    left, right = left[keep], right[keep]
    s1, s2 = s[fe1[left]], s[e2[right]]
    n_d = int(d.sum())
    return {
        "target": np.concatenate([mid[d], target[right]]),
        "member": np.concatenate([member[d], fm[left]]),
        "introducer": np.concatenate([member[d], fmid[left]]),
        "hops": np.concatenate([np.ones(n_d, dtype=np.int32), np.full(left.shape[0], 2, dtype=np.int32)]),
        "strength": np.concatenate([s[e1[d]], s1 * s2]),
        "bottleneck": np.concatenate([s[e1[d]], np.minimum(s1, s2)]),
        "e1": np.concatenate([e1[d], fe1[left]]),
        "e2": np.concatenate([np.full(n_d, -1, dtype=np.int64), e2[right]]),
    }


def hop_limited_best(
    rg: ReachGraph,
    team: np.ndarray,
    *,
    max_hops: int,
    blocked: np.ndarray | None = None,
    allowed_edges: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def warm_intro_paths(
    rg: ReachGraph,
    team: np.ndarray,
    targets: np.ndarray,
    *,
    max_hops: int = 2,
    top_k: int = 3,
    max_asks: int | None = None,
    blocked: np.ndarray | None = None,
    allowed_edges: np.ndarray | None = None,
) -> IntroResult:
    """Ranked warm-intro paths from ``team`` vertices to each of ``targets``.

    Output columns: ``target``, ``rank`` (1 = best), ``hops``, ``strength`` (product), ``bottleneck``
    (weakest tie), ``member`` (team member who asks), ``introducer`` (who knows the target; the member
    for direct ties), ``path`` (vertex list), ``edges`` (tie indices along the path), ``best_strength``
    (the target's best path ignoring ``max_asks``). A target who is a team member gets a 0-hop row.
    """
    team = sorted_unique(np.asarray(team, dtype=np.int64).ravel())
    targets = np.asarray(targets, dtype=np.int64).ravel()
    deep = None
    if max_hops <= 2:
        cand = _two_hop_arrays(rg, team, targets, blocked=blocked, allowed_edges=allowed_edges)
        if max_hops == 1:
            direct = cand["hops"] == 1
            cand = {k: v[direct] for k, v in cand.items()}
    else:
        deep = _deep_candidates(
            rg,
            team,
            targets,
            max_hops=max_hops,
            blocked=blocked,
            allowed_edges=allowed_edges,
            max_paths_per_target=max(top_k, 1) * (2 if max_asks else 1),
        )
        cand = {k: deep[k].to_numpy() for k in ("target", "member", "introducer", "hops", "strength", "bottleneck")}
    # the ranking is array work: a direct tie beats an intro, then warmest, then fewer hops, then lowest ids
    t, hops, member, intro = cand["target"], cand["hops"], cand["member"], cand["introducer"]
    strength = cand["strength"]
    n1 = rg.n_people + 1
    tie_break = (hops.astype(np.int64) * n1 + member) * n1 + intro  # fewer hops, then lowest ids
    order = np.lexsort((tie_break, -strength, t * 2 + (hops > 1)))
    per_intro = order[_first_of_each(t[order] * (rg.n_people + 1) + intro[order])]  # best path per (target, introducer)
    start = _group_starts(t[per_intro])
    best = np.repeat(strength[per_intro][start], np.diff(np.append(start, per_intro.shape[0])))
    kept, rank = _assign(
        per_intro, t=t, hops=hops, intro=intro, strength=strength, top_k=top_k, max_asks=max_asks, team=team
    )
    sorter = np.argsort(per_intro)
    at = sorter[np.searchsorted(per_intro, kept, sorter=sorter)]  # where each kept row sits in per_intro
    if deep is not None:
        out = deep[kept]
    else:  # two-hop candidates: the path and its ties, for the kept rows only
        out = pl.DataFrame({k: v[kept] for k, v in cand.items()})
        out = out.with_columns(*_two_hop_lists(out))
    out = out.with_columns(
        pl.Series("rank", rank, dtype=pl.Int64), pl.Series("best_strength", best[at], dtype=pl.Float64)
    )
    out = out.select(
        "target", "rank", "hops", "strength", "bottleneck", "member", "introducer", "path", "edges", "best_strength"
    ).with_columns(pl.col("hops").cast(pl.Int32))
    in_team = np.isin(targets, team)
    if in_team.any():
        selves = sorted_unique(targets[in_team]).tolist()
        k = len(selves)
        selfrows = pl.DataFrame(
            {
                "target": selves,
                "rank": [1] * k,
                "hops": [0] * k,
                "strength": [1.0] * k,
                "bottleneck": [1.0] * k,
                "member": selves,
                "introducer": selves,
                "path": [[v] for v in selves],
                "edges": [[] for _ in selves],
                "best_strength": [1.0] * k,
            },
            schema=out.schema,
        )
        out = pl.concat([out.filter(~pl.col("target").is_in(selves)), selfrows])
    # targets in the order given (first mention), each target's paths by rank
    uniq, first = np.unique(targets, return_index=True)  # a short array: the hash path is fine
    pos = first[np.searchsorted(uniq, out["target"].to_numpy())] if out.height else np.zeros(0, dtype=np.int64)
    out = out[np.lexsort((out["rank"].to_numpy(), pos))] if out.height else out
    reached = np.isin(targets, out["target"].to_numpy())
    return IntroResult(paths=out, unreached=[int(v) for v in targets[~reached]])


def _two_hop_lists(rows: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """``path`` (member, [introducer], target) and ``edges`` (e1, [e2]) list columns, built as Arrow lists."""
    two = rows["hops"].to_numpy() > 1
    k = rows.height
    n_path = np.where(two, 3, 2)
    p_off = np.zeros(k + 1, dtype=np.int32)
    np.cumsum(n_path, out=p_off[1:])
    path = np.empty(int(p_off[-1]), dtype=np.int64)
    path[p_off[:-1]] = rows["member"].to_numpy()
    path[p_off[1:] - 1] = rows["target"].to_numpy()
    path[p_off[:-1][two] + 1] = rows["introducer"].to_numpy()[two]
    e_off = np.zeros(k + 1, dtype=np.int32)
    np.cumsum(n_path - 1, out=e_off[1:])
    edges = np.empty(int(e_off[-1]), dtype=np.int64)
    edges[e_off[:-1]] = rows["e1"].to_numpy()
    edges[e_off[:-1][two] + 1] = rows["e2"].to_numpy()[two]
    as_list = pa.ListArray.from_arrays
    return (
        pl.Series("path", as_list(pa.array(p_off), pa.array(path))),
        pl.Series("edges", as_list(pa.array(e_off), pa.array(edges))),
    )


def _first_of_each(keys: np.ndarray) -> np.ndarray:
    """Positions (ascending) of the first occurrence of each distinct key."""
    if keys.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    o = np.argsort(keys, kind="stable")
    ks = keys[o]
    first = np.ones(ks.shape[0], dtype=bool)
    first[1:] = ks[1:] != ks[:-1]
    return np.sort(o[first])


def _group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Start positions of the runs of equal values in ``sorted_keys``."""
    if sorted_keys.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])


def _assign(
    per_intro: np.ndarray,
    *,
    t: np.ndarray,
    hops: np.ndarray,
    intro: np.ndarray,
    strength: np.ndarray,
    top_k: int,
    max_asks: int | None,
    team: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate rows kept (up to ``top_k`` per target, ranked) and their ranks; with ``max_asks`` no
    introducer is used more than that.

    ``per_intro`` lists candidate rows by target, best first. Without an ask limit the first ``top_k``
    of each target are kept. With one, paths are taken greedily from the warmest down (direct ties
    first) across all targets; asks are only counted for introducers who are not team members.
    """
    if max_asks is None:
        start = _group_starts(t[per_intro])
        sizes = np.diff(np.append(start, per_intro.shape[0]))
        rank = np.arange(per_intro.shape[0]) - np.repeat(start, sizes) + 1
        keep = rank <= top_k
        return per_intro[keep], rank[keep]
    glob = per_intro[np.lexsort((np.arange(per_intro.shape[0]), -strength[per_intro], hops[per_intro] > 1))]
    team_set = set(team.tolist())
    asks: dict[int, int] = {}
    taken: dict[int, int] = {}
    keep = []
    for row, tg, ii in zip(glob.tolist(), t[glob].tolist(), intro[glob].tolist(), strict=True):
        if taken.get(tg, 0) >= top_k:
            continue
        if ii not in team_set:
            if asks.get(ii, 0) >= max_asks:
                continue
            asks[ii] = asks.get(ii, 0) + 1
        taken[tg] = taken.get(tg, 0) + 1
        keep.append(row)
    kept = np.array(keep, dtype=np.int64)
    kept = kept[np.lexsort((hops[kept], -strength[kept], hops[kept] > 1, t[kept]))] if kept.size else kept
    start = _group_starts(t[kept])
    rank = np.arange(kept.shape[0]) - np.repeat(start, np.diff(np.append(start, kept.shape[0]))) + 1
    return kept, rank


def _deep_candidates(
    rg: ReachGraph,
    team: np.ndarray,
    targets: np.ndarray,
    *,
    max_hops: int,
    blocked: np.ndarray | None,
    allowed_edges: np.ndarray | None,
    max_paths_per_target: int = 10,
) -> pl.DataFrame:
    """Candidates beyond two hops: per target and per neighbour ``i`` of the target (the introducer),
    the warmest path from the team to ``i`` within ``max_hops - 1`` hops, extended by the tie (i, target).
    """
    cost, pred, layer = hop_limited_best(rg, team, max_hops=max_hops - 1, blocked=blocked, allowed_edges=allowed_edges)
    d = _directed_edges(rg, allowed_edges)
    targ = pl.Series("t", targets, dtype=pl.Int64).implode()
    last = d.filter(pl.col("v").is_in(targ)).rename({"u": "introducer", "v": "target", "s": "s_last", "e": "e_last"})
    team_set = set(team.tolist())
    intro = last["introducer"].to_numpy()
    last = last.with_columns(pl.Series("c", cost[intro]), pl.Series("k", layer[intro].astype(np.int64)))
    last = last.filter(pl.col("c").is_finite())
    if blocked is not None and blocked.size:
        last = last.filter(
            ~pl.col("introducer").is_in(pl.Series(blocked).implode())
            | pl.col("introducer").is_in(pl.Series(team).implode())
        )
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
        rows.append(
            {
                "target": r["target"],
                "member": path[0],
                "introducer": r["introducer"] if not is_direct else path[0],
                "hops": len(path) - 1,
                "strength": float(np.prod(s)),
                "bottleneck": float(s.min()),
                "path": path,
                "edges": eids,
            }
        )
    schema = {
        "target": pl.Int64,
        "member": pl.Int64,
        "introducer": pl.Int64,
        "hops": pl.Int32,
        "strength": pl.Float64,
        "bottleneck": pl.Float64,
        "path": pl.List(pl.Int64),
        "edges": pl.List(pl.Int64),
    }
    return pl.DataFrame(rows, schema=schema)
