"""Evidence in words: why a tie is warm, and intro paths (vertex indices) described with names, ids and the
evidence for every tie on them, in the columns of ``reports.outputs.PATH_COLUMNS``.
"""

from __future__ import annotations

import polars as pl

from reach.graph import ReachGraph
from reach.strength_labels import strength_label, strength_label_expr


def tie_evidence(ties: pl.DataFrame) -> pl.Series:
    """One readable line per tie: counts per channel, first and last contact, number of sources."""

    def part(col: str, label: str) -> pl.Expr:
        return pl.when(pl.col(col) > 0).then(pl.format(f"{{}} {label}", pl.col(col))).otherwise(None)

    need = {
        "n_emails": 0,
        "n_meetings": 0,
        "n_messages": 0,
        "n_connections": 0,
        "n_edges": 0,
        "n_other": 0,
        "n_sources": 0,
    }
    ties = ties.with_columns([pl.lit(v).alias(c) for c, v in need.items() if c not in ties.columns])
    if "last_at" not in ties.columns:
        ties = ties.with_columns(pl.lit(None, pl.Datetime("us", "UTC")).alias("last_at"))
    conn = pl.when(pl.col("n_connections") > 0).then(pl.lit("connected")).otherwise(None)
    last = (
        pl.when(pl.col("last_at").is_not_null())
        .then(pl.format("last {}", pl.col("last_at").dt.strftime("%Y-%m-%d")))
        .otherwise(None)
    )
    srcs = pl.format("{} source(s)", pl.col("n_sources"))
    expr = pl.concat_str(
        [
            part("n_emails", "emails"),
            part("n_meetings", "meetings"),
            part("n_messages", "messages"),
            conn,
            part("n_edges", "edge-list lines"),
            part("n_other", "other (address book, invitations, reactions, calls, CRM)"),
            last,
            srcs,
        ],
        separator=", ",
        ignore_nulls=True,
    )
    return ties.select(expr.alias("why"))["why"]


def describe_paths(rg: ReachGraph, paths: pl.DataFrame) -> pl.DataFrame:
    """Add names, ids and per-tie evidence to vertex-index paths (the output of warm_intro_paths)."""
    names = rg.people["display_name"].fill_null(rg.people["person_id"]).to_numpy()
    ids = rg.person_ids
    used = sorted({int(e) for es in paths["edges"].to_list() for e in es}) if paths.height else []
    why: dict[int, str] = {}
    if used and rg.ties is not None and rg.ties.height:  # evidence for the ties on these paths only
        why = dict(zip(used, tie_evidence(rg.ties[used]).to_list(), strict=True))
    rows = []
    for r in paths.iter_rows(named=True):
        p = r["path"]
        steps = [
            f"{names[a]} - {names[b]} ({strength_label(float(rg.strength[e]))} {rg.strength[e]:.2f}: {why[e]})"
            for a, b, e in zip(p[:-1], p[1:], r["edges"], strict=True)
        ]
        rows.append(
            {
                "target_id": ids[r["target"]],
                "target": names[r["target"]],
                "rank": r["rank"],
                "hops": r["hops"],
                "strength": round(float(r["strength"]), 6),
                "bottleneck": round(float(r["bottleneck"]), 6),
                "member_id": ids[r["member"]],
                "member": names[r["member"]],
                "introducer_id": ids[r["introducer"]] if r["hops"] > 1 else None,
                "introducer": names[r["introducer"]] if r["hops"] > 1 else None,
                "path": " -> ".join(str(names[v]) for v in p),
                "why": " | ".join(steps) or "a team member",
                "best_strength": round(float(r["best_strength"]), 6),
                "path_ids": [str(ids[v]) for v in p],
            }
        )
    schema = {
        "target_id": pl.String,
        "target": pl.String,
        "rank": pl.Int64,
        "hops": pl.Int64,
        "strength": pl.Float64,
        "bottleneck": pl.Float64,
        "member_id": pl.String,
        "member": pl.String,
        "introducer_id": pl.String,
        "introducer": pl.String,
        "path": pl.String,
        "why": pl.String,
        "best_strength": pl.Float64,
        "path_ids": pl.List(pl.String),
    }
    out = pl.DataFrame(rows, schema=schema)
    return out.with_columns(strength_label_expr("strength").alias("strength_label"))
