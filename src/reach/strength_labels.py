"""Strength in words: one label per tie or path strength, and a one-line reason per tie from its evidence.

The bands (``docs/tie-strength.md`` explains them) are declared once in :data:`STRENGTH_BANDS`; the CLI,
the output tables, the report and ``reach serve`` all label through :func:`strength_label` (one value) or
:func:`strength_label_expr` (a polars column), so a label means the same everywhere. The number stays in
its own column next to the label.
"""

from __future__ import annotations

import math

import polars as pl

# (label, lowest strength of the band), warmest first; below the last band a strength is "cold"
STRENGTH_BANDS: tuple[tuple[str, float], ...] = (("strong", 0.6), ("good", 0.3), ("weak", 0.1))
COLD = "cold"
LABELS: tuple[str, ...] = (*(name for name, _ in STRENGTH_BANDS), COLD)


def strength_label(strength: float | None) -> str | None:
    """The label of one tie or path strength: ``strong`` (>= 0.6), ``good`` (>= 0.3), ``weak`` (>= 0.1),
    ``cold`` (below); None for a missing or NaN strength.

    Examples
    --------
    >>> strength_label(0.88), strength_label(0.552), strength_label(0.148), strength_label(0.076)
    ('strong', 'good', 'weak', 'cold')
    """
    if strength is None or (isinstance(strength, float) and math.isnan(strength)):
        return None
    for name, lo in STRENGTH_BANDS:
        if strength >= lo:
            return name
    return COLD


def strength_label_expr(column: str | pl.Expr = "strength") -> pl.Expr:
    """:func:`strength_label` as a polars expression over a strength column (null stays null); named like the
    column when given by name.
    """
    col = pl.col(column) if isinstance(column, str) else column
    (name0, lo0), *rest = STRENGTH_BANDS
    expr = pl.when(col.is_null() | col.is_nan()).then(pl.lit(None, pl.String)).when(col >= lo0).then(pl.lit(name0))
    for name, lo in rest:
        expr = expr.when(col >= lo).then(pl.lit(name))
    expr = expr.otherwise(pl.lit(COLD))
    return expr.alias(column) if isinstance(column, str) else expr


def _plural(n: pl.Expr, one: str, many: str) -> pl.Expr:
    return pl.when(n == 1).then(pl.format(f"1 {one}")).otherwise(pl.format(f"{{}} {many}", n))


def tie_reason(ties: pl.DataFrame) -> pl.Series:
    """One short line per tie, from its evidence only: the label, the channels with counts, the last contact.

    ``strong: 4 emails, 1 meeting, 2 messages, LinkedIn, last 2026-01-15``; a tie with nothing but a
    LinkedIn connection reads ``weak: LinkedIn only, 2024-01-02``. Never any message content.
    """
    need = ("n_emails", "n_meetings", "n_messages", "n_connections", "n_edges", "n_other")
    ties = ties.with_columns([pl.lit(0, pl.Int64).alias(c) for c in need if c not in ties.columns])
    if "last_at" not in ties.columns:
        ties = ties.with_columns(pl.lit(None, pl.Datetime("us", "UTC")).alias("last_at"))
    counted = [
        ("n_emails", "email", "emails"),
        ("n_meetings", "meeting", "meetings"),
        ("n_messages", "message", "messages"),
        ("n_edges", "edge-list line", "edge-list lines"),
        ("n_other", "other contact", "other contacts"),  # address book, invitation, reaction, call, CRM
    ]
    parts = [pl.when(pl.col(c) > 0).then(_plural(pl.col(c), one, many)) for c, one, many in counted]
    connected = pl.col("n_connections") > 0
    only_connection = connected & pl.all_horizontal([pl.col(c) == 0 for c, _, _ in counted])
    linkedin = pl.when(only_connection).then(pl.lit("LinkedIn only")).when(connected).then(pl.lit("LinkedIn"))
    day = pl.col("last_at").dt.strftime("%Y-%m-%d")
    last = (
        pl.when(pl.col("last_at").is_null())
        .then(pl.lit("undated"))
        .when(only_connection)
        .then(day)
        .otherwise(pl.format("last {}", day))
    )
    what = pl.concat_str([*parts, linkedin, last], separator=", ", ignore_nulls=True)
    label = strength_label_expr("strength") if "strength" in ties.columns else pl.lit(None, pl.String)
    line = pl.concat_str([label, pl.when(what != "").then(what).otherwise(pl.lit("no evidence"))], separator=": ")
    return ties.select(pl.coalesce(line, what).alias("reason"))["reason"]
