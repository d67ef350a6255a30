"""The files `reach run` writes: one documented table per result, the graph as GraphML, and the changes
since the previous run.

Every table has a fixed set of columns, declared once in :data:`OUTPUT_TABLES` (name, type and meaning);
:func:`conform` puts any result into that shape (missing columns become nulls, so an empty result still
has its columns), and ``docs/outputs.md`` is rendered from the same declarations by :func:`docs_markdown`
(a test checks the two agree). Tables are always written as Parquet (zstd) and, on request, as CSV with
cells a spreadsheet would run as formulas escaped (:func:`reach.reports.render.to_csv`).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from reach.io.files import atomic_write_text, write_parquet
from reach.reports.render import to_csv

TOP = pl.List(pl.Struct({"value": pl.String, "n_people": pl.Int64}))
TEAM_REACH = pl.List(pl.Struct({"person_id": pl.String, "n_hop1": pl.Int64}))
TS = pl.Datetime("us", "UTC")

PATH_COLUMNS: list[tuple[str, pl.DataType, str]] = [
    ("target_id", pl.String, "person_id of the person to be introduced to."),
    ("target", pl.String, "Their name."),
    ("rank", pl.Int64, "1 = best path for this target; further ranks use different introducers."),
    ("hops", pl.Int64, "Ties on the path (1 = a team member knows them directly, 0 = a team member)."),
    ("strength", pl.Float64, "Path strength: the product of the tie strengths along it, in (0, 1]."),
    (
        "strength_label",
        pl.String,
        "`strength` in words: strong (>= 0.6), good (>= 0.3), weak (>= 0.1) or cold (docs/tie-strength.md).",
    ),
    ("bottleneck", pl.Float64, "The weakest tie on the path."),
    ("member_id", pl.String, "person_id of the team member who asks."),
    ("member", pl.String, "The team member's name."),
    ("introducer_id", pl.String, "person_id of the person who knows the target (null for direct ties)."),
    ("introducer", pl.String, "The introducer's name."),
    ("path", pl.String, "Names along the path, `A -> B -> C`."),
    ("why", pl.String, "Evidence for every tie on the path: strength, counts per channel, last contact, sources."),
    ("best_strength", pl.Float64, "The target's best path strength before the `max_asks` cap."),
]


@dataclass(frozen=True)
class OutputTable:
    """One output file: its name (without extension), what a row is, and its columns."""

    name: str
    row: str
    columns: list[tuple[str, pl.DataType, str]]

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {c: t for c, t, _ in self.columns}


def _table(name: str, row: str, columns: list[tuple[str, pl.DataType, str]]) -> OutputTable:
    return OutputTable(name, row, columns)


OUTPUT_TABLES: dict[str, OutputTable] = {
    t.name: t
    for t in [
        _table(
            "intros",
            "one suggested introduction path to a target (up to `[intros] top` per target)",
            [
                *PATH_COLUMNS[:12],
                ("path_ids", pl.List(pl.String), "person_ids along the path, team member first, target last."),
                *PATH_COLUMNS[12:],
            ],
        ),
        _table(
            "targets",
            "one target person from the config, reachable or not",
            [
                ("target", pl.String, "The reference as written in the config (email, name, person id ...)."),
                ("person_id", pl.String, "The person it designates (null when nobody matches)."),
                ("name", pl.String, "Their name."),
                ("company", pl.String, "Their company."),
                ("title", pl.String, "Their title."),
                ("found", pl.Boolean, "Whether the reference matched exactly one person in the workspace."),
                ("reachable", pl.Boolean, "Whether a path within `[intros] max_hops` exists."),
                ("hops", pl.Int64, "Ties on the best path (null when not reachable)."),
                ("best_strength", pl.Float64, "Strength of the warmest path (null when not reachable)."),
                ("strength_label", pl.String, "`best_strength` in words: strong, good, weak or cold."),
                ("best_path", pl.String, "Names along the warmest path."),
                ("n_paths", pl.Int64, "Paths suggested in `intros`."),
                ("note", pl.String, "Why a reference matched nobody (not found or ambiguous)."),
            ],
        ),
        _table(
            "candidates",
            "one person matching the `[candidates]` filters within reach of the team",
            [
                ("person_id", pl.String, "The candidate."),
                ("name", pl.String, "Their name."),
                ("title", pl.String, "Their title."),
                ("company", pl.String, "Their company."),
                ("location", pl.String, "Their location."),
                ("hops", pl.Int64, "Ties on the best path from the team."),
                ("strength", pl.Float64, "Strength of that path (product of tie strengths)."),
                ("strength_label", pl.String, "`strength` in words: strong, good, weak or cold."),
                ("bottleneck", pl.Float64, "Its weakest tie."),
                ("member", pl.String, "The team member who asks."),
                ("introducer", pl.String, "Who knows the candidate (null for direct ties)."),
                ("path", pl.String, "Names along the path."),
                ("why", pl.String, "Evidence for every tie on the path."),
            ],
        ),
        _table(
            "accounts",
            "one target account (a line of `[accounts]`)",
            [
                ("account", pl.String, "The account's label (the first part of its line)."),
                ("n_people", pl.Int64, "People known at the account (by company name or email domain), team excluded."),
                ("n_hop1", pl.Int64, "Of those, people a team member knows directly."),
                ("n_hop2", pl.Int64, "People one introduction away."),
                ("coverage_1hop", pl.Float64, "`n_hop1 / n_people` (0 when nobody is known)."),
                ("coverage_2hop", pl.Float64, "`(n_hop1 + n_hop2) / n_people`."),
            ],
        ),
        _table(
            "account_paths",
            "the best path to one of the most senior people known at an account",
            [("account", pl.String, "The account's label."), *PATH_COLUMNS],
        ),
        _table(
            "account_carriers",
            "one team member who reaches people at an account",
            [
                ("account", pl.String, "The account's label."),
                ("member", pl.String, "The team member's name."),
                ("member_id", pl.String, "The team member's person_id."),
                ("n_hop1", pl.Int64, "People at the account the member knows directly."),
                ("n_hop2", pl.Int64, "People at the account one introduction away from the member."),
            ],
        ),
        _table(
            "team_reach",
            "one team member, in greedy order of the reach they add",
            [
                (
                    "order",
                    pl.Int64,
                    "Greedy order: 1 = the member who reaches most; each next adds the most new people.",
                ),
                ("person_id", pl.String, "The team member."),
                ("display_name", pl.String, "Their name."),
                ("n_hop1", pl.Int64, "People they know directly (team members included)."),
                ("n_hop2", pl.Int64, "People exactly two hops away."),
                ("n_total", pl.Int64, "People within two hops."),
                ("n_unique", pl.Int64, "People within two hops of this member and of no other member."),
                ("n_reach", pl.Int64, "People within two hops of this member, team members excluded."),
                ("n_new", pl.Int64, "People this member adds in the greedy order."),
                ("n_cumulative", pl.Int64, "People the team reaches with the members up to this one."),
            ],
        ),
        _table(
            "reached",
            "one person within two hops of the team (team members excluded)",
            [
                ("person_id", pl.String, "The person."),
                ("name", pl.String, "Their name."),
                ("company", pl.String, "Their company."),
                ("title", pl.String, "Their title."),
                ("distance", pl.Int64, "Hops from the nearest team member (1 or 2)."),
                ("n_members", pl.Int64, "Team members who have this person within two hops."),
                (
                    "only_member",
                    pl.String,
                    "The one member who reaches them when `n_members` is 1 (unique reach), else null.",
                ),
            ],
        ),
        _table(
            "team_connections",
            "a person whom one new connection would bring the most uncovered targets within two hops",
            [
                ("person_id", pl.String, "The person to connect with."),
                ("display_name", pl.String, "Their name."),
                ("n_targets_gained", pl.Int64, "Targets not yet within two hops that this connection would cover."),
                ("distance", pl.Int64, "Their current hops from the team (-1: not connected)."),
            ],
        ),
        _table(
            "communities",
            "one community (0 = the largest)",
            [
                (
                    "community",
                    pl.Int64,
                    "Community id: 0 is the largest, ties broken by the lowest person_id's vertex.",
                ),
                ("n_people", pl.Int64, "People in it."),
                ("top_companies", TOP, "Most common companies, as `{value, n_people}` (CSV: `Acme (3); Globex (1)`)."),
                ("top_domains", TOP, "Most common email domains, as `{value, n_people}`."),
                ("n_team", pl.Int64, "Team members in it."),
                ("n_team_reach", pl.Int64, "Its people a team member knows directly (team members excluded)."),
                ("team_reach", TEAM_REACH, "Per team member with a direct tie into it: `{person_id, n_hop1}`."),
            ],
        ),
        _table(
            "community_members",
            "one person and their community",
            [
                ("person_id", pl.String, "The person."),
                ("name", pl.String, "Their name."),
                ("community", pl.Int64, "Their community id (see `communities`)."),
            ],
        ),
        _table(
            "brokers",
            "one of the (up to 100) people who hold the network together, best broker first",
            [
                ("rank", pl.Int64, "1 = the strongest broker: most people the team would lose, then betweenness."),
                ("person_id", pl.String, "The person."),
                ("name", pl.String, "Their name."),
                ("degree", pl.Int64, "Their ties."),
                (
                    "betweenness",
                    pl.Float64,
                    "Share of shortest paths between other people that pass through them (0..1).",
                ),
                (
                    "betweenness_exact",
                    pl.Boolean,
                    "False when betweenness was estimated from sampled sources (large graphs).",
                ),
                (
                    "constraint",
                    pl.Float64,
                    (
                        "Burt's constraint, strength-weighted: low = their contacts are not otherwise "
                        "connected (a structural hole); null without ties."
                    ),
                ),
                ("is_team", pl.Boolean, "Whether they are a team member."),
                (
                    "n_targets_lost",
                    pl.Int64,
                    "People two hops from the team only through them: without them, out of reach.",
                ),
                ("n_targets_via", pl.Int64, "People two hops from the team they connect (one of possibly several)."),
                ("community", pl.Int64, "Their own community."),
                ("n_communities_bridged", pl.Int64, "Distinct communities among their neighbours."),
                ("bridged_communities", pl.List(pl.Int64), "Those communities' ids."),
            ],
        ),
        _table(
            "stats",
            "the whole run (a single row)",
            [
                ("run_at", TS, "When the run started (UTC)."),
                ("people", pl.Int64, "People in the graph."),
                ("ties", pl.Int64, "Ties in the graph."),
                ("components", pl.Int64, "Connected components."),
                ("largest_component_people", pl.Int64, "People in the largest component."),
                ("largest_component_ties", pl.Int64, "Ties in the largest component."),
                ("largest_component_share", pl.Float64, "Share of people in the largest component."),
                ("average_clustering", pl.Float64, "Mean local clustering coefficient (0 for degree < 2)."),
                ("triangles", pl.Int64, "Triangles."),
                ("distance_exact", pl.Boolean, "Whether distances come from a BFS from every person (else sampled)."),
                ("average_distance", pl.Float64, "Mean hops between connected pairs in the largest component."),
                ("diameter", pl.Int64, "Longest shortest path (a lower bound when sampled)."),
                ("effective_diameter_90", pl.Float64, "Hops within which 90% of connected pairs lie (interpolated)."),
                ("team_size", pl.Int64, "Team members."),
                ("team_hop1", pl.Int64, "People a team member knows directly (team excluded)."),
                ("team_hop2", pl.Int64, "People exactly two hops from the nearest team member."),
                ("team_total", pl.Int64, "People within two hops of the team."),
                ("targets", pl.Int64, "Target references in the config."),
                ("targets_reachable", pl.Int64, "Targets with at least one path."),
                ("communities", pl.Int64, "Communities found."),
                ("modularity", pl.Float64, "Modularity of the partition (resolution 1, strength-weighted)."),
                ("rejects", pl.Int64, "Rows set aside while importing this run's sources."),
            ],
        ),
        _table(
            "distances",
            "one hop distance in the largest component",
            [
                ("distance", pl.Int64, "Hops."),
                ("pairs", pl.Float64, "Unordered pairs of people at that distance (estimated when sampled)."),
            ],
        ),
        _table(
            "people",
            "one person in the graph",
            [
                ("person_id", pl.String, "Stable person id (see docs/schema.md)."),
                ("display_name", pl.String, "Best name across their records."),
                ("company", pl.String, "Company."),
                ("title", pl.String, "Title."),
                ("location", pl.String, "Location."),
                ("emails", pl.List(pl.String), "Normalised email addresses (CSV: `;`-separated)."),
                ("is_team", pl.Boolean, "Whether they are a team member."),
                ("distance", pl.Int64, "Hops from the nearest team member (null: not connected to the team)."),
                ("community", pl.Int64, "Their community id."),
                ("degree", pl.Int64, "Number of ties."),
            ],
        ),
        _table(
            "ties",
            "one tie between two people (the graph's edges)",
            [
                ("person_a", pl.String, "The smaller person_id of the pair."),
                ("person_b", pl.String, "The larger person_id."),
                ("name_a", pl.String, "person_a's name."),
                ("name_b", pl.String, "person_b's name."),
                ("strength", pl.Float64, "Tie strength in (0, 1] (docs/tie-strength.md)."),
                ("strength_label", pl.String, "`strength` in words: strong, good, weak or cold."),
                ("reason", pl.String, "One line from the evidence: label, channels with counts, last contact."),
                ("n_interactions", pl.Int64, "All interactions between the two."),
                ("last_at", TS, "Latest dated interaction."),
                ("why", pl.String, "The evidence in words: counts per channel, last contact, sources."),
            ],
        ),
        _table(
            "imports",
            "one input file of this run",
            [
                ("path", pl.String, "The file."),
                ("status", pl.String, "`imported` (new content), `unchanged` (same SHA-256 as before) or `failed`."),
                ("format", pl.String, "Importer used (null when the file failed before its format was known)."),
                ("source_id", pl.String, "The workspace's id for the file's content."),
                ("n_rows", pl.Int64, "Rows read (for `unchanged` files: when that content was first imported)."),
                ("n_records", pl.Int64, "Records the file's content added to the workspace."),
                ("n_interactions", pl.Int64, "Interactions it added."),
                ("n_rejects", pl.Int64, "Rows set aside."),
                ("error", pl.String, "Why the file failed."),
            ],
        ),
        _table(
            "rejects",
            "one row set aside while importing this run's sources (imported now or earlier)",
            [
                ("source_id", pl.String, "The file's source id."),
                ("path", pl.String, "The file."),
                ("line", pl.Int64, "1-based line."),
                ("reason", pl.String, "Why it was set aside."),
                ("excerpt", pl.String, "The start of the raw row."),
            ],
        ),
        _table(
            "changes",
            "one change since the previous run (empty on the first run)",
            [
                (
                    "change",
                    pl.String,
                    (
                        "`new_in_reach`, `left_reach`, `closer`, `farther` (people within two hops); "
                        "`newly_reachable`, `went_cold` (targets that gained or lost every path); "
                        "`warmer`, `colder` (best path strength to a target or senior account contact "
                        "moved by at least `[thresholds] strength_change`)."
                    ),
                ),
                ("person_id", pl.String, "Who it is about."),
                ("name", pl.String, "Their name."),
                ("detail", pl.String, "The change in words."),
                ("previous", pl.Float64, "The value in the previous run (distance or path strength; null if none)."),
                ("current", pl.Float64, "The value now (null if none)."),
                ("delta", pl.Float64, "`current - previous` when both exist."),
            ],
        ),
    ]
}

CHANGE_ORDER = ["newly_reachable", "went_cold", "warmer", "colder", "new_in_reach", "left_reach", "closer", "farther"]


# ------------------------------------------------------------------ shaping
def conform(df: pl.DataFrame | None, name: str) -> pl.DataFrame:
    """``df`` with exactly the columns of output ``name``, in order and cast (missing ones become nulls)."""
    spec = OUTPUT_TABLES[name]
    if df is None:
        return pl.DataFrame(schema=spec.schema)
    cols = []
    for col, dtype, _ in spec.columns:
        if col in df.columns:
            cols.append(df[col].cast(dtype) if df.schema[col] != dtype else df[col])
        else:
            cols.append(pl.Series(col, [None] * df.height, dtype=dtype))
    return pl.DataFrame(cols) if cols else pl.DataFrame()


def empty(name: str) -> pl.DataFrame:
    return pl.DataFrame(schema=OUTPUT_TABLES[name].schema)


def csv_ready(df: pl.DataFrame) -> pl.DataFrame:
    """Flatten nested columns for CSV: ``{value, n_people}`` lists become ``Acme (3); Globex (1)``."""
    out = []
    for col in df.columns:
        s = df[col]
        dt = s.dtype
        if isinstance(dt, pl.List) and isinstance(dt.inner, pl.Struct):
            fields = [f.name for f in dt.inner.fields]
            first, second = fields[0], fields[-1]
            s = pl.Series(
                col,
                [None if v is None else "; ".join(f"{d[first]} ({d[second]})" for d in v) for v in s.to_list()],
                dtype=pl.String,
            )
        elif isinstance(dt, pl.List):
            s = pl.Series(col, [None if v is None else "; ".join(map(str, v)) for v in s.to_list()], dtype=pl.String)
        out.append(s)
    return pl.DataFrame(out) if out else df


def write_table(df: pl.DataFrame, folder: Path, name: str, *, csv: bool = False) -> list[str]:
    """Write output ``name`` into ``folder`` (Parquet, and CSV when asked); return the file names written."""
    df = conform(df, name)
    write_parquet(df.to_arrow(), folder / f"{name}.parquet")
    written = [f"{name}.parquet"]
    if csv:
        atomic_write_text(folder / f"{name}.csv", to_csv(csv_ready(df)))
        written.append(f"{name}.csv")
    return written


def read_output(folder: Path, name: str) -> pl.DataFrame | None:
    """A table from a previous run's outputs folder, or None when it is not there (or unreadable)."""
    path = Path(folder) / f"{name}.parquet"
    if not path.exists():
        return None
    try:
        return pl.from_arrow(pq.read_table(path))
    except (OSError, ValueError):
        return None


# ------------------------------------------------------------------ graph export
def write_graphml(rg, path: Path, *, community: np.ndarray | None = None, team: np.ndarray | None = None) -> None:
    """Export the graph for Gephi or Cytoscape: GraphML with person and tie attributes, written atomically.

    Node attributes: ``person_id``, ``name``, ``company``, ``title``, ``community`` (-1 when unknown),
    ``is_team``; edge attributes: ``strength``, ``n_interactions``. igraph writes to a temp file beside
    ``path`` that is renamed over it on success.
    """
    g = rg.graph.copy()
    ppl = rg.people

    def text(col: str) -> list[str]:
        if col not in ppl.columns:
            return [""] * ppl.height
        return [v or "" for v in ppl[col].cast(pl.String).to_list()]

    g.vs["person_id"] = text("person_id")
    names = text("display_name")
    g.vs["name"] = [n or pid for n, pid in zip(names, g.vs["person_id"], strict=True)]
    g.vs["label"] = g.vs["name"]  # Gephi and Cytoscape show `label`
    g.vs["company"] = text("company")
    g.vs["title"] = text("title")
    comm = np.full(g.vcount(), -1, dtype=np.int64) if community is None else np.asarray(community, dtype=np.int64)
    g.vs["community"] = [int(c) for c in comm]
    is_team = np.zeros(g.vcount(), dtype=bool)
    if team is not None and len(team):
        is_team[np.asarray(team, dtype=np.int64)] = True
    g.vs["is_team"] = [bool(x) for x in is_team]
    g.es["strength"] = [float(s) for s in rg.strength]
    if rg.ties is not None and "n_interactions" in rg.ties.columns:
        g.es["n_interactions"] = [int(x or 0) for x in rg.ties["n_interactions"].to_list()]
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        g.write_graphml(str(tmp))
        with contextlib.suppress(OSError):
            tmp.chmod(0o600)
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


# ------------------------------------------------------------------ changes since the previous run
def compute_changes(
    previous: dict[str, pl.DataFrame | None], current: dict[str, pl.DataFrame], *, strength_change: float = 0.05
) -> pl.DataFrame:
    """Changes between two runs' ``reached``, ``targets`` and ``account_paths`` tables.

    People who entered or left the team's two-hop reach or moved closer or farther; targets that became
    reachable or lost every path ("went cold"); best paths (to targets, and to the senior people of
    target accounts) whose strength moved by at least ``strength_change``. See ``docs/outputs.md``.
    """
    rows: list[dict] = []

    prev_r, cur_r = previous.get("reached"), current.get("reached")
    if prev_r is not None and cur_r is not None:
        p = prev_r.select("person_id", pl.col("name").alias("name_p"), pl.col("distance").alias("d_p"))
        c = cur_r.select("person_id", "name", pl.col("distance").alias("d_c"), "only_member")
        j = p.join(c, on="person_id", how="full", coalesce=True)
        for r in j.iter_rows(named=True):
            name = r["name"] or r["name_p"]
            dp, dc = r["d_p"], r["d_c"]
            if dp is None and dc is not None:
                via = f" (only through {r['only_member']})" if r["only_member"] else ""
                rows.append(
                    _change("new_in_reach", r["person_id"], name, f"now {dc} hop(s) from the team{via}", None, dc)
                )
            elif dc is None and dp is not None:
                rows.append(
                    _change("left_reach", r["person_id"], name, f"was {dp} hop(s) away, now beyond two", dp, None)
                )
            elif dp is not None and dc is not None and dp != dc:
                kind = "closer" if dc < dp else "farther"
                rows.append(_change(kind, r["person_id"], name, f"{dp} -> {dc} hops from the team", dp, dc))

    best_prev = _best_paths(previous)
    best_cur = _best_paths(current)
    prev_t, cur_t = previous.get("targets"), current.get("targets")
    reach_prev = _reachable(prev_t)
    reach_cur = _reachable(cur_t)
    for pid, (name, strength) in sorted(reach_cur.items()):
        if pid not in reach_prev and prev_t is not None:
            rows.append(
                _change(
                    "newly_reachable", pid, name, f"target now reachable (best path {strength:.3f})", None, strength
                )
            )
    for pid, (name, strength) in sorted(reach_prev.items()):
        if pid not in reach_cur and cur_t is not None and _listed(cur_t, pid):
            rows.append(
                _change("went_cold", pid, name, f"target no longer reachable (was {strength:.3f})", strength, None)
            )
    for pid, (name, s_cur, where) in sorted(best_cur.items()):
        if pid not in best_prev:
            continue
        s_prev = best_prev[pid][1]
        delta = s_cur - s_prev
        if abs(delta) >= strength_change and abs(delta) > 1e-12:
            kind = "warmer" if delta > 0 else "colder"
            rows.append(
                _change(kind, pid, name, f"best path to this {where} {s_prev:.3f} -> {s_cur:.3f}", s_prev, s_cur)
            )

    df = conform(pl.DataFrame(rows, schema=OUTPUT_TABLES["changes"].schema) if rows else None, "changes")
    order = {k: i for i, k in enumerate(CHANGE_ORDER)}
    return (
        df.with_columns(pl.col("change").replace_strict(order, default=len(order), return_dtype=pl.Int64).alias("_o"))
        .sort(["_o", "name", "person_id"], nulls_last=True)
        .drop("_o")
    )


def _change(kind: str, pid: str | None, name: str | None, detail: str, prev: float | None, cur: float | None) -> dict:
    prev = None if prev is None else float(prev)
    cur = None if cur is None else float(cur)
    delta = None if prev is None or cur is None else round(cur - prev, 6)
    return {
        "change": kind,
        "person_id": pid,
        "name": name,
        "detail": detail,
        "previous": prev,
        "current": cur,
        "delta": delta,
    }


def _reachable(targets: pl.DataFrame | None) -> dict[str, tuple[str, float]]:
    if targets is None or targets.height == 0 or "reachable" not in targets.columns:
        return {}
    t = targets.filter(pl.col("reachable").fill_null(False) & pl.col("person_id").is_not_null())
    return {r["person_id"]: (r["name"], float(r["best_strength"] or 0.0)) for r in t.iter_rows(named=True)}


def _listed(targets: pl.DataFrame, pid: str) -> bool:
    return pid in set(targets["person_id"].drop_nulls().to_list())


def _best_paths(tables: dict[str, pl.DataFrame | None]) -> dict[str, tuple[str, float, str]]:
    """person_id -> (name, best path strength, "target"/"account contact") from targets and account paths."""
    out: dict[str, tuple[str, float, str]] = {}
    acc = tables.get("account_paths")
    if acc is not None and acc.height:
        for r in acc.filter(pl.col("rank") == 1).iter_rows(named=True):
            out[r["target_id"]] = (r["target"], float(r["strength"]), f"{r['account']} contact")
    for pid, (name, s) in _reachable(tables.get("targets")).items():
        out[pid] = (name, s, "target")
    return out


# ------------------------------------------------------------------ documentation
EXTRA_FILES = [
    (
        "graph.graphml",
        (
            "The relationship graph for Gephi or Cytoscape. Node attributes `person_id`, `name` (also "
            "`label`), `company`, `title`, `community` (-1 when unknown), `is_team`; edge attributes `strength`, "
            "`n_interactions`."
        ),
    ),
    (
        "plots/*.png",
        (
            "`distances.png` (distance distribution of the largest component), `team_reach.png` (1 and 2 "
            "hops and unique contribution per member), `communities.png` (community sizes), `intro_paths.png` (intro "
            "paths to the top targets: team members blue squares, introducers orange circles, targets red diamonds)."
        ),
    ),
    (
        "report.html",
        (
            "One self-contained page (plots embedded, no external resources, sortable tables) with every "
            "section: summary numbers, changes, team reach, intros with their evidence, accounts, candidates, "
            "communities, network statistics, imports and rejects."
        ),
    ),
    (
        "summary.json",
        (
            "The run summary (status, exit code, per-stage timings, counts) as it stood when the outputs "
            "were written, before the `report` stage finished; `reach run` prints the final one."
        ),
    ),
]


RUN_DOCS = """
## The run

```bash
reach run pipeline.toml            # prints the JSON summary on stdout; progress and stage timings on stderr
```

Stages, in order: `import` (each source file; a file whose content was imported before, by SHA-256, is
skipped), `build` (people and tie strengths; skipped when the sources and settings did not change),
`graph`, `intros` (targets, candidates, accounts), `reach` (team reach, greedy order, best new
connections), `communities`, `stats`, `report` (these files). A second run on the same workspace while
one is going is refused (`WORKSPACE/run.lock`, an OS lock the kernel releases if the run dies). The
folder of the last finished run is kept in `WORKSPACE/last_run.json`; `changes.parquet` compares with it.

Exit codes (`exit_code` in the summary): `0` finished; `1` finished, but more files failed to import
than `[thresholds] max_failed_files` (default 0) or rejects went over `max_rejects` (a count, off by
default) or `max_reject_rate` (a share of the rows read, default 0.05) — the reasons are in `warnings`;
`2` a stage failed (`failed_stage`, `error`): nothing was published and the previous outputs are as they
were. A config with problems is refused before any work, with every problem listed (file, key, what).

### The config

Paths are relative to the config file.

```toml
workspace = "reach-workspace"            # created on the first run
seed = 0                                 # communities and sampled statistics
team = ["ana@example.com", "Ben Okafor"] # default: every owner of an import
targets = ["grace@acme.com"]             # or [targets] list = [...] and/or file = "targets.txt"
accounts = ["Acme Inc.; acme.com"]       # or [accounts] list = [...] and/or file = "accounts.txt"

[[sources]]                              # one per export: `path` (a file or folder) or `glob`
path = "exports/ana/Connections.csv"
owner = "ana@example.com"                # whose export it is (LinkedIn, mail and chat formats need it)
format = "linkedin-connections"          # optional: detected from the content otherwise
options = {}                             # passed to the importer

[[sources]]
glob = "exports/mail/*.mbox"
owner = "ana@example.com"

[[sources]]                              # a nightly download with a dated name: one source, the match
glob = "exports/ben/Connections-*.csv"   # whose name sorts last is its current version and replaces
name = "ben-linkedin"                    # the one before (docs/sources.md)
owner = "ben@example.com"

[candidates]   # title, company, location (substring, or regex = true), people, people_file,
               # exclude_companies, exclude_domains, max_hops = 2, limit = 100
[intros]       # max_hops = 2, top = 3, max_asks, do_not_ask = [...], since = 2024-01-01
[communities]  # method = "leiden" | "louvain", resolution = "auto" | a number
[stats]        # exact_limit = 50000, samples = 1000
[strength]     # the keys of the workspace's settings.toml [strength] (docs/tie-strength.md); they win,
               # also for later commands on the workspace, until the next run (run-settings.json)
[resolve]      # max_names_per_identifier, default_region, fold_gmail, name_company_domain = true,
               # name_shared_export = true, name_address_book = true, fuzzy_threshold (docs/tie-strength.md)
[outputs]      # folder = "out/{date}" ({date}, {time}, {datetime}), csv = false, plots = true,
               # html = true, graphml = "auto" (up to a million ties) | true | false, top_targets = 4
[thresholds]   # max_failed_files = 0, max_rejects, max_reject_rate = 0.05, strength_change = 0.05
```

The summary (stdout of `reach run`, `RunSummary.as_dict()` in Python) has these keys: `config`,
`workspace`, `outputs` (null when the run failed), `previous_outputs`, `status` (`ok`, `warnings`,
`failed`), `exit_code`, `error`, `failed_stage`, `started_at`, `finished_at`, `seconds`, `stages`
(per stage: `stage`, `seconds`, `status` and what it did, e.g. `imported`, `rebuilt`, `reused`), `files`
(`total`, `imported`, `unchanged`, `failed`), `rebuilt`, `people`, `ties`, `team`, `team_reach`, `targets`,
`targets_reachable`, `candidates`, `accounts`, `communities`, `modularity`, `rows`, `rejects`,
`reject_rate`, `changes` (count per kind), `candidate_filters`, `warnings` (why the exit code is 1),
`notes` (targets not found, results reused), `written` (the files in the outputs folder).

When the graph is unchanged since the last run (same people and ties, options, seed and team), the
slow `communities` and `stats` results are copied from the last outputs instead of being recomputed
(`reused` in the stage's summary): an unchanged nightly run on Email-Enron (37k people, 184k ties)
takes about 3 s instead of about 70 s.

Target and account files hold one entry per line; blank lines and lines starting with `#` are skipped.
A target that matches nobody is listed in `targets.parquet` with `found = false` and a `note`; an
unknown team member fails the `graph` stage.
"""


def docs_markdown() -> str:
    """The text of ``docs/outputs.md``, rendered from :data:`OUTPUT_TABLES`."""
    lines = [
        "# Outputs of `reach run`",
        "",
        "<!-- Generated from reach.reports.outputs.OUTPUT_TABLES by docs_markdown(); a test checks they agree. -->",
        "",
        (
            "`reach run PIPELINE.toml` writes everything into one outputs folder (`[outputs] folder`, e.g. "
            "`out/{date}`). The folder is built beside its final place and renamed into it at the end, so a "
            "killed or failed run leaves the previous outputs as they were. Every table is a Parquet file "
            "(zstd) that DuckDB, polars, pandas and pyarrow read directly, e.g. "
            "`duckdb -c \"select * from 'out/2024-05-01/intros.parquet'\"`; with `[outputs] csv = true` each "
            "also comes as CSV, where cells starting with `=`, `+`, `-`, `@`, tab or CR get a leading `'` so "
            "spreadsheets do not run them as formulas, and nested values are flattened to `a; b` text."
        ),
        "",
        (
            "Tables always have the columns below, also when empty. Names and evidence are personal data: the "
            "folder and its files are created readable by their owner only."
        ),
        "",
        "## Files",
        "",
        "| file | each row is |",
        "|---|---|",
    ]
    for t in OUTPUT_TABLES.values():
        lines.append(f"| `{t.name}.parquet` | {t.row} |")
    for name, doc in EXTRA_FILES:
        lines.append(f"| `{name}` | {doc} |")
    lines += ["", *RUN_DOCS.strip("\n").splitlines(), ""]
    for t in OUTPUT_TABLES.values():
        lines += [f"## {t.name}", "", f"Each row is {t.row}.", "", "| column | type | meaning |", "|---|---|---|"]
        for col, dtype, doc in t.columns:
            lines.append(f"| `{col}` | {_type_name(dtype)} | {doc} |")
        lines.append("")
    return "\n".join(lines)


def _type_name(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.List):
        inner = dtype.inner
        if isinstance(inner, pl.Struct):
            return "list of {" + ", ".join(f.name for f in inner.fields) + "}"
        return f"list of {_type_name(inner)}"
    return {pl.String: "string", pl.Int64: "int64", pl.Float64: "float64", pl.Boolean: "bool"}.get(
        dtype, "timestamp (UTC)" if isinstance(dtype, pl.Datetime) else str(dtype)
    )
