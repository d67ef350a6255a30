"""Figures for the run report: matplotlib with the Agg backend; every function returns a Figure.

Nothing here shows or saves a figure by itself: :func:`save_png` and :func:`png_bytes` do that, and
:func:`close` frees one. Colours: team members blue squares, introducers orange circles, targets red
diamonds, the same in every figure.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    from matplotlib.figure import Figure
except ImportError as exc:  # pragma: no cover - matplotlib is a dependency
    msg = "reach's plots need matplotlib: pip install matplotlib"
    raise ImportError(msg) from exc

from reach.io.files import atomic_write_bytes

TEAM = "#2563eb"
INTRODUCER = "#f59e0b"
TARGET = "#dc2626"
OTHER = "#94a3b8"
HOP1 = "#2563eb"
HOP2 = "#93c5fd"
UNIQUE = "#16a34a"
INK = "#1f2937"
GRID = "#e5e7eb"


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines[["left", "bottom"]].set_color("#9ca3af")
    ax.tick_params(colors=INK, labelsize=9)
    ax.yaxis.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)


def _empty(fig: Figure, ax, text: str) -> Figure:
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", color="#6b7280", fontsize=11, transform=ax.transAxes)
    return fig


def distance_distribution(distances: dict[int, float] | pl.DataFrame, *, exact: bool = True) -> Figure:
    """Bar chart of pairs of people by hop distance (the largest component)."""
    if isinstance(distances, pl.DataFrame):
        distances = {int(d): float(p) for d, p in distances.select("distance", "pairs").iter_rows()}
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=110, layout="constrained")
    if not distances:
        return _empty(fig, ax, "no connected pairs")
    ds = sorted(distances)
    total = sum(distances.values()) or 1.0
    shares = [distances[d] / total for d in ds]
    bars = ax.bar(ds, shares, color=HOP1, width=0.7)
    for b, s in zip(bars, shares, strict=True):
        ax.annotate(
            f"{s:.0%}",
            (b.get_x() + b.get_width() / 2, b.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
            color=INK,
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.set_xticks(ds)
    ax.set_xlabel("hops between two people")
    ax.set_ylabel("share of connected pairs")
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    ax.set_title(
        "Degrees of separation" + ("" if exact else " (estimated from samples)"), color=INK, fontsize=11, loc="left"
    )
    _style(ax)
    return fig


def team_reach(per_member: pl.DataFrame) -> Figure:
    """Horizontal bars per team member: people at 1 and 2 hops, and how many only they reach.

    ``per_member`` needs ``display_name``, ``n_hop1``, ``n_hop2`` and ``n_unique`` (the ``team_reach`` output).
    """
    n = per_member.height
    fig, ax = plt.subplots(figsize=(7.2, max(2.0, 0.6 * n + 1.4)), dpi=110, layout="constrained")
    if n == 0:
        return _empty(fig, ax, "no team members")
    df = per_member.reverse()
    names = [str(x or "?") for x in df["display_name"].to_list()]
    h1 = df["n_hop1"].to_list()
    h2 = df["n_hop2"].to_list()
    uniq = df["n_unique"].to_list()
    y = list(range(n))
    ax.barh([v + 0.17 for v in y], h1, height=0.32, color=HOP1, label="1 hop (knows directly)")
    ax.barh([v + 0.17 for v in y], h2, left=h1, height=0.32, color=HOP2, label="2 hops (one introduction)")
    ax.barh([v - 0.17 for v in y], uniq, height=0.32, color=UNIQUE, label="only through this member")
    for v, a, b, u in zip(y, h1, h2, uniq, strict=True):
        ax.annotate(
            f"{a + b}", (a + b, v + 0.17), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8, color=INK
        )
        ax.annotate(
            f"{u}", (u, v - 0.17), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8, color=INK
        )
    ax.set_yticks(y, names)
    ax.set_xlabel("people")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_title("Team reach within two hops", color=INK, fontsize=11, loc="left")
    ax.set_xlim(0, max([a + b for a, b in zip(h1, h2, strict=True)] + [1]) * 1.12)
    fig.legend(frameon=False, fontsize=8, loc="outside lower center", ncols=3)
    _style(ax)
    ax.yaxis.grid(False)
    ax.xaxis.grid(True, color=GRID, linewidth=0.8)
    return fig


def community_sizes(sizes: pl.DataFrame, *, top: int = 20) -> Figure:
    """Bar chart of the ``top`` largest communities of two or more people (``community``, ``n_people``).

    People on their own (one-person communities: no ties, or only ties the partition cut) are counted
    in the title rather than drawn as a long tail of bars of height one.
    """
    fig, ax = plt.subplots(figsize=(7.2, 3.4), dpi=110, layout="constrained")
    groups = sizes.filter(pl.col("n_people") >= 2).sort(["n_people", "community"], descending=[True, False])
    n_alone = int(sizes.filter(pl.col("n_people") < 2)["n_people"].sum()) if sizes.height else 0
    if groups.height == 0:
        return _empty(fig, ax, "no communities of two or more people")
    df = groups.head(top)
    xs = list(range(df.height))
    bars = ax.bar(xs, df["n_people"].to_list(), color=HOP1, width=0.7)
    for b, v in zip(bars, df["n_people"].to_list(), strict=True):
        ax.annotate(
            f"{v:,}",
            (b.get_x() + b.get_width() / 2, b.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
            color=INK,
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.set_xticks(xs, [str(c) for c in df["community"].to_list()])
    shown = f", largest {top} shown" if groups.height > top else ""
    alone = f"; {n_alone:,} people on their own" if n_alone else ""
    ax.set_title(
        f"Community sizes ({groups.height:,} communities of 2+ people{shown}{alone})",
        color=INK,
        fontsize=11,
        loc="left",
    )
    ax.set_xlabel("community (0 = largest)")
    ax.set_ylabel("people")
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    _style(ax)
    return fig


def intro_paths(
    paths: pl.DataFrame,
    *,
    names: dict[str, str],
    strengths: dict[tuple[str, str], float] | None = None,
    targets: list[str] | None = None,
    max_targets: int = 4,
) -> Figure:
    """Intro paths to the top targets, one small graph per target.

    ``paths`` has ``target_id``, ``rank``, ``strength`` and ``path_ids`` (person ids, member first); ``names``
    maps person ids to labels and ``strengths`` ``(a, b)`` pairs to tie strengths (drawn as line widths).
    Team members are blue squares on the left, introducers orange circles, the target a red diamond on
    the right; each path is one row, labelled with its strength.
    """
    strengths = strengths or {}
    if targets is None:
        targets = list(dict.fromkeys(paths["target_id"].to_list())) if paths.height else []
    targets = [t for t in targets if paths.height and t in set(paths["target_id"].to_list())][:max_targets]
    k = len(targets)
    if k == 0:
        fig, ax = plt.subplots(figsize=(6.4, 1.6), dpi=110, layout="constrained")
        return _empty(fig, ax, "no intro paths to draw")
    rows_per = [paths.filter(pl.col("target_id") == t).sort("rank").height for t in targets]
    fig, axes = plt.subplots(
        k,
        1,
        figsize=(8.0, 0.5 + sum(0.55 + 0.5 * r for r in rows_per)),
        dpi=110,
        gridspec_kw={"height_ratios": [0.55 + 0.5 * r for r in rows_per]},
        squeeze=False,
        layout="constrained",
    )
    for ax, tid in zip(axes[:, 0], targets, strict=True):
        _draw_target(ax, paths.filter(pl.col("target_id") == tid).sort("rank"), tid, names, strengths)
    handles = [
        plt.Line2D([], [], marker="s", ls="", color=TEAM, label="team member", markersize=8),
        plt.Line2D([], [], marker="o", ls="", color=INTRODUCER, label="introducer", markersize=8),
        plt.Line2D([], [], marker="D", ls="", color=TARGET, label="target", markersize=8),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False, fontsize=8)
    return fig


def _draw_target(ax, rows: pl.DataFrame, tid: str, names: dict[str, str], strengths: dict) -> None:
    ax.set_axis_off()
    n = rows.height
    max_len = max(len(p) for p in rows["path_ids"].to_list()) if n else 1
    span = max(max_len - 1, 1)
    tx, ty = float(span), (n - 1) / 2.0
    drawn: dict[str, tuple[float, float]] = {}
    for i, r in enumerate(rows.iter_rows(named=True)):
        p = r["path_ids"] or []
        y = float(n - 1 - i)
        pos = []
        for j, pid in enumerate(p):
            if pid == tid:
                pos.append((tx, ty))
            elif j == 0:
                pos.append((0.0, y))
            else:  # spread intermediate people between the member and the target
                pos.append((j * span / max(len(p) - 1, 1), y))
        for (a, pa_), (b, pb_) in zip(
            zip(p[:-1], pos[:-1], strict=True), zip(p[1:], pos[1:], strict=True), strict=True
        ):
            s = strengths.get((a, b), strengths.get((b, a), 0.3))
            ax.plot([pa_[0], pb_[0]], [pa_[1], pb_[1]], color=OTHER, lw=1 + 5 * s, zorder=1, solid_capstyle="round")
        for j, (pid, (x, yy)) in enumerate(zip(p, pos, strict=True)):
            if pid in drawn and drawn[pid] == (x, yy):
                continue
            drawn[pid] = (x, yy)
            if pid == tid:
                style = {"marker": "D", "color": TARGET, "s": 120}
            elif j == 0:
                style = {"marker": "s", "color": TEAM, "s": 110}
            else:
                style = {"marker": "o", "color": INTRODUCER, "s": 110}
            ax.scatter([x], [yy], zorder=3, edgecolors="white", linewidths=1.2, **style)
            label = _short(names.get(pid, pid), 34 if pid == tid else 24)
            if pid == tid:
                ax.annotate(
                    label,
                    (x, yy),
                    xytext=(9, 0),
                    textcoords="offset points",
                    va="center",
                    ha="left",
                    fontsize=9,
                    color=INK,
                    fontweight="bold",
                )
            else:
                ax.annotate(
                    label,
                    (x, yy),
                    xytext=(0, 8),
                    textcoords="offset points",
                    va="bottom",
                    ha="center",
                    fontsize=8,
                    color=INK,
                )
        if len(p) > 1:
            ax.annotate(
                f"#{r['rank']}  {float(r['strength']):.2f}",
                (0.0, y),
                xytext=(-12, 0),
                textcoords="offset points",
                va="center",
                ha="right",
                fontsize=8,
                color="#6b7280",
            )
    ax.set_xlim(-0.5 * span, span * 1.75)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_title(f"Paths to {_short(names.get(tid, tid), 40)}", fontsize=10, color=INK, loc="left")


def _short(text: str | None, width: int = 22) -> str:
    text = str(text or "?")
    return text if len(text) <= width else text[: width - 1] + "…"


# ------------------------------------------------------------------ saving
def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor="white")
    return buf.getvalue()


def save_png(fig: Figure, path: Path) -> bytes:
    """Save ``fig`` as PNG to ``path`` (atomically) and return the bytes."""
    data = png_bytes(fig)
    atomic_write_bytes(Path(path), data)
    return data


def close(fig: Figure) -> None:
    plt.close(fig)
