"""The run report: one self-contained HTML page (plots as base64 PNG, inline CSS and JS, no external resources).

:func:`render_report` takes the run summary, the output tables and the PNG bytes of the plots and returns
the page as a string. Tables sort on a click on their header and long ones get a filter box; both are a
few lines of inline JavaScript, and the page reads fine without it. Every value is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence

import polars as pl

from reach import __version__
from reach.strength_labels import strength_label

MAX_ROWS = 200
STRENGTH_COLUMNS = {"strength", "best_strength", "bottleneck", "coverage_1hop", "coverage_2hop"}
LABEL_COLUMNS = {"strength_label": "label"}  # strong / good / weak / cold (reach.strength_labels)
COMPACT_COLUMNS = {"previous", "current", "delta"}  # distances or strengths: 2, 0.571

CSS = """
:root{--ink:#1f2937;--mute:#6b7280;--line:#e5e7eb;--bg:#f8fafc;--card:#fff;--blue:#2563eb;--green:#16a34a;
--amber:#d97706;--red:#dc2626}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--ink);background:var(--bg)}
header{background:#0f172a;color:#f8fafc;padding:22px 32px 18px}
header h1{margin:0;font-size:22px;font-weight:650;letter-spacing:.2px}
header .meta{color:#cbd5e1;font-size:12.5px;margin-top:4px}
header .meta code{color:#e2e8f0}
nav{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);padding:8px 32px;
display:flex;gap:16px;flex-wrap:wrap;font-size:13px}
nav a{color:var(--blue);text-decoration:none}
nav a:hover{text-decoration:underline}
main{max-width:1180px;margin:0 auto;padding:20px 32px 48px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 22px;margin:18px 0}
h2{font-size:17px;margin:0 0 4px}
h3{font-size:14.5px;margin:18px 0 6px}
p.lead{color:var(--mute);margin:0 0 12px}
.badge{display:inline-block;padding:2px 9px;border-radius:999px;font-size:12px;font-weight:600;margin-left:10px;
vertical-align:middle}
.badge.ok{background:#dcfce7;color:#166534}.badge.warnings{background:#fef3c7;color:#92400e}
.badge.failed{background:#fee2e2;color:#991b1b}
.cards{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:12px;margin:4px 0 0}
@media (max-width:700px){.cards{grid-template-columns:repeat(2,minmax(0,1fr))}}
.card{border:1px solid var(--line);border-radius:9px;padding:10px 14px;background:#fff}
.card .n{font-size:24px;font-weight:650;line-height:1.2}
.card .l{color:var(--mute);font-size:12px}
.warn{background:#fffbeb;border:1px solid #fde68a;border-radius:8px;padding:8px 12px;margin-top:12px}
.warn li{margin:2px 0}
.grid2{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:18px;align-items:start}
@media (max-width:900px){.grid2{grid-template-columns:1fr}}
.plotrow{margin:4px 0 10px}
.plotrow img.plot{max-width:720px}
img.plot{max-width:100%;height:auto;border:1px solid var(--line);border-radius:8px;background:#fff}
.tablewrap{overflow-x:auto;margin:6px 0 4px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:6px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
td{overflow-wrap:break-word}
td:has(ul.why){min-width:280px}
th{background:#f1f5f9;font-weight:600;white-space:nowrap;position:relative}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th::after{content:"\\2195";color:#94a3b8;font-size:10px;margin-left:4px}
table.sortable th[data-dir=asc]::after{content:"\\25B2";color:var(--blue)}
table.sortable th[data-dir=desc]::after{content:"\\25BC";color:var(--blue)}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:hover td{background:#f8fafc}
th.num{text-align:right}
.meter{display:inline-block;width:46px;height:6px;border-radius:3px;background:#e5e7eb;margin-right:7px;
vertical-align:middle;overflow:hidden}
.meter>span{display:block;height:100%;background:var(--blue);border-radius:3px}
td ul.why{margin:0;padding-left:16px;color:#374151;font-size:12.5px}
.muted{color:var(--mute)}
.more{color:var(--mute);font-size:12px;margin:2px 0 8px}
.filter{margin:4px 0 2px;padding:5px 9px;border:1px solid #cbd5e1;border-radius:6px;font:inherit;width:260px}
.target{border-top:1px solid var(--line);padding-top:10px;margin-top:12px}
.target h3{margin:4px 0 6px}
.target .tag{font-weight:500;color:var(--mute);font-size:12.5px;margin-left:6px}
.chips{display:flex;flex-wrap:wrap;gap:8px;margin:6px 0 10px}
.chip{border-radius:999px;padding:2px 10px;font-size:12.5px;background:#eef2ff;color:#3730a3}
.chip.good{background:#dcfce7;color:#166534}.chip.bad{background:#fee2e2;color:#991b1b}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:8px 0}
dl.kv dt{color:var(--mute)}dl.kv dd{margin:0;font-variant-numeric:tabular-nums}
footer{color:var(--mute);font-size:12px;text-align:center;padding:10px 0 30px}
"""

JS = """
document.querySelectorAll("table.sortable").forEach(function(t){
  t.querySelectorAll("th").forEach(function(th,i){th.addEventListener("click",function(){
    var asc=th.dataset.dir!=="asc";t.querySelectorAll("th").forEach(function(h){delete h.dataset.dir});
    th.dataset.dir=asc?"asc":"desc";var b=t.tBodies[0];
    var key=function(r){var c=r.cells[i];var v=c.dataset.v;if(v!==undefined&&v!==""){return[0,parseFloat(v)]}
      var s=c.textContent.trim().toLowerCase();return[s===""?2:1,s]};
    Array.prototype.slice.call(b.rows).sort(function(x,y){var a=key(x),c=key(y);
      if(a[0]!==c[0]){return a[0]-c[0]}var d=a[1]<c[1]?-1:a[1]>c[1]?1:0;return asc?d:-d})
      .forEach(function(r){b.appendChild(r)});});});});
document.querySelectorAll("input.filter").forEach(function(inp){
  var t=document.getElementById(inp.dataset.table);inp.addEventListener("input",function(){
    var q=inp.value.toLowerCase();Array.prototype.forEach.call(t.tBodies[0].rows,function(r){
      r.style.display=r.textContent.toLowerCase().indexOf(q)>=0?"":"none"});});});
"""

CHANGE_LABELS = {
    "newly_reachable": ("targets newly reachable", "good"),
    "went_cold": ("targets gone cold", "bad"),
    "warmer": ("paths warmer", "good"),
    "colder": ("paths colder", "bad"),
    "new_in_reach": ("new people in reach", "good"),
    "left_reach": ("people out of reach", "bad"),
    "closer": ("people closer", "good"),
    "farther": ("people farther", "bad"),
}


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> str:
        self.n += 1
        return f"t{self.n}"


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _fmt(value: object, col: str) -> tuple[str, str, str]:
    """(display text, sort value, css class) for one cell."""
    if value is None:
        return "", "", ""
    if isinstance(value, bool):
        return ("yes" if value else "no"), "", ""
    if isinstance(value, int):
        return f"{value:,}", str(value), "num"
    if isinstance(value, float):
        if col in COMPACT_COLUMNS:
            return f"{value:.3f}".rstrip("0").rstrip("."), repr(value), "num"
        if col.startswith("coverage") or col.endswith("_share"):
            return f"{value:.0%}", repr(value), "num"
        return f"{value:.3f}", repr(value), "num"
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            keys = list(value[0])
            return "; ".join(f"{d[keys[0]]} ({d[keys[-1]]})" for d in value), "", ""
        return ", ".join(map(str, value)), "", ""
    return str(value), "", ""


def table(
    df: pl.DataFrame,
    ids: _Ids,
    *,
    columns: Sequence[str] | None = None,
    labels: dict[str, str] | None = None,
    max_rows: int = MAX_ROWS,
    why: Sequence[str] = ("why",),
    source: str | None = None,
    filter_box: bool = True,
) -> str:
    """A sortable HTML table of ``df`` (first ``max_rows`` rows), with a note naming the file holding the rest."""
    labels = labels or {}
    if df.height == 0:
        return '<p class="muted">None.</p>'
    shown = df.head(max_rows)
    # columns with no value at all (e.g. titles an edge list does not have) are left out
    columns = [c for c in (columns or df.columns) if c in df.columns and _has_values(shown[c])]
    tid = ids.next()
    out = []
    if filter_box and df.height > 12:
        out.append(f'<input class="filter" type="search" placeholder="Filter rows…" data-table="{tid}">')
    out.append(f'<div class="tablewrap"><table class="sortable" id="{tid}"><thead><tr>')
    numeric = {c for c in columns if df.schema[c].is_numeric()}
    num_th = ' class="num"'
    out += [f"<th{num_th if c in numeric else ''}>{esc(labels.get(c, c.replace('_', ' ')))}</th>" for c in columns]
    out.append("</tr></thead><tbody>")
    for row in shown.select(columns).iter_rows(named=True):
        out.append("<tr>")
        for c in columns:
            v = row[c]
            if c in why and isinstance(v, str):
                items = "".join(f"<li>{esc(part.strip())}</li>" for part in v.split(" | ") if part.strip())
                out.append(f'<td><ul class="why">{items}</ul></td>')
                continue
            text, sort, cls = _fmt(v, c)
            attrs = f' data-v="{esc(sort)}"' if sort else ""
            attrs += f' class="{cls}"' if cls else ""
            meter = ""
            if c in STRENGTH_COLUMNS and isinstance(v, float) and 0 <= v <= 1:
                meter = f'<span class="meter"><span style="width:{v * 100:.0f}%"></span></span>'
            out.append(f"<td{attrs}>{meter}{esc(text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    if df.height > max_rows:
        where = f" in <code>{esc(source)}</code>" if source else ""
        out.append(f'<p class="more">{df.height - max_rows:,} more rows{where}.</p>')
    return "".join(out)


def _has_values(s: pl.Series) -> bool:
    if isinstance(s.dtype, pl.List):
        return bool((s.list.len().fill_null(0) > 0).any())
    return s.null_count() < s.len()


def image(png: bytes | None, alt: str) -> str:
    if not png:
        return ""
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="plot" alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def _card(n: object, label: str) -> str:
    text = f"{n:,}" if isinstance(n, int) else esc(n)
    return f'<div class="card"><div class="n">{text}</div><div class="l">{esc(label)}</div></div>'


def render_report(summary: dict, tables: dict[str, pl.DataFrame], images: dict[str, bytes]) -> str:
    """The whole report page. ``summary`` is the run summary (``RunSummary.as_dict()``), ``tables`` the output
    tables by name (see :data:`reach.reports.outputs.OUTPUT_TABLES`), ``images`` PNG bytes by plot name.
    """
    ids = _Ids()
    t = {k: v for k, v in tables.items() if v is not None}
    empty = pl.DataFrame()
    stats = t.get("stats", empty)
    st = stats.row(0, named=True) if stats.height else {}
    status = summary.get("status", "ok")
    sections: list[tuple[str, str, str]] = []  # (id, title, body)

    # --- summary
    targets = t.get("targets", empty)
    n_targets = targets.height
    n_reachable = int(targets["reachable"].fill_null(False).sum()) if n_targets else 0
    changes = t.get("changes", empty)
    cards = [
        _card(st.get("people", 0), "people"),
        _card(st.get("ties", 0), "ties"),
        _card(st.get("team_size", 0), "team members"),
        _card(st.get("team_total", 0), "people within two hops of the team"),
        _card(f"{n_reachable} of {n_targets}", "targets reachable"),
        _card(st.get("communities", 0), "communities"),
        _card(changes.height if summary.get("previous_outputs") else "first run", "changes since the last run"),
        _card(summary.get("rejects", 0), "rows set aside (rejects)"),
    ]
    body = f'<div class="cards">{"".join(cards)}</div>'
    warnings = summary.get("warnings") or []
    if warnings:
        body += (
            '<div class="warn"><strong>Warnings</strong><ul>'
            + "".join(f"<li>{esc(w)}</li>" for w in warnings)
            + "</ul></div>"
        )
    sections.append(("summary", "Summary", body))

    # --- changes
    if summary.get("previous_outputs"):
        lead = f"Compared with the run in <code>{esc(summary['previous_outputs'])}</code>."
        if changes.height:
            counts = changes.group_by("change").len()
            chips = "".join(
                f'<span class="chip {CHANGE_LABELS.get(k, (k, ""))[1]}">'
                f"{n} {esc(CHANGE_LABELS.get(k, (k, ''))[0])}</span>"
                for k, n in sorted(
                    counts.iter_rows(),
                    key=lambda kv: list(CHANGE_LABELS).index(kv[0]) if kv[0] in CHANGE_LABELS else 99,
                )
            )
            body = f'<p class="lead">{lead}</p><div class="chips">{chips}</div>' + table(
                changes,
                ids,
                columns=["change", "name", "detail", "previous", "current", "delta"],
                source="changes.parquet",
            )
        else:
            body = f'<p class="lead">{lead} Nothing changed beyond the thresholds.</p>'
    else:
        body = (
            '<p class="lead">This is the first run for this workspace (or the previous outputs are gone): '
            "the next run will list what changed.</p>"
        )
    sections.append(("changes", "Changes since the last run", body))

    # --- team reach
    team = t.get("team_reach", empty)
    body = (
        '<p class="lead">People within one and two hops of each team member, in the greedy order that adds the '
        "most new people; <em>unique</em> counts the people only that member reaches.</p>"
        f'<div class="plotrow">{image(images.get("team_reach"), "Team reach per member")}</div>'
        + table(
            team,
            ids,
            columns=["order", "display_name", "n_hop1", "n_hop2", "n_total", "n_unique", "n_new", "n_cumulative"],
            labels={
                "display_name": "member",
                "n_hop1": "1 hop",
                "n_hop2": "2 hops",
                "n_total": "total",
                "n_unique": "unique",
                "n_new": "adds",
                "n_cumulative": "cumulative",
            },
        )
    )
    conns = t.get("team_connections", empty)
    if conns.height:
        body += (
            "<h3>One new connection that would help most</h3>"
            '<p class="lead">Meeting one of these people would bring the most targets not yet within two hops '
            "into reach.</p>" + table(conns, ids, labels={"display_name": "person"})
        )
    sections.append(("team", "Team reach", body))

    # --- intros
    intros = t.get("intros", empty)
    body = (
        '<p class="lead">For each target, the warmest paths from the team, each through a different introducer. '
        "Path strength is the product of tie strengths; every tie says why it is warm.</p>"
    )
    body += image(images.get("intro_paths"), "Intro paths to the top targets")
    for r in targets.iter_rows(named=True):
        who = esc(r["name"] or r["target"])
        extra = ", ".join(esc(x) for x in (r.get("title"), r.get("company")) if x)
        if not r["found"]:
            tag = f'<span class="tag">not in the workspace: {esc(r.get("note") or "")}</span>'
        elif r["reachable"]:
            label = esc(r.get("strength_label") or strength_label(r["best_strength"]))
            hops = f"{r['hops']} hop{'s' if r['hops'] != 1 else ''}"
            tag = f'<span class="tag">best path {label} ({r["best_strength"]:.3f}), {hops}</span>'
        else:
            tag = '<span class="tag">no path within the hop limit</span>'
        body += f'<div class="target"><h3>{who}{" · " + extra if extra else ""}{tag}</h3>'
        rows = intros.filter(pl.col("target_id") == r["person_id"]) if r["person_id"] and intros.height else empty
        if rows.height:
            body += table(
                rows,
                ids,
                columns=["rank", "path", "strength_label", "strength", "bottleneck", "why"],
                labels=LABEL_COLUMNS,
                filter_box=False,
            )
        body += "</div>"
    if not targets.height:
        body += '<p class="muted">No targets in the config.</p>'
    sections.append(("intros", "Intros to targets", body))

    # --- accounts
    acc = t.get("accounts", empty)
    body = (
        '<p class="lead">Per target account: the people known there, how many the team reaches in one and two '
        "hops, the best paths to the most senior people, and who carries the account.</p>"
    )
    body += table(
        acc,
        ids,
        labels={
            "n_people": "people known",
            "n_hop1": "1 hop",
            "n_hop2": "2 hops",
            "coverage_1hop": "coverage 1 hop",
            "coverage_2hop": "coverage 2 hops",
        },
    )
    ap = t.get("account_paths", empty)
    if ap.height:
        body += "<h3>Best paths to senior people</h3>" + table(
            ap,
            ids,
            columns=["account", "target", "hops", "strength_label", "strength", "path", "why"],
            labels=LABEL_COLUMNS,
            source="account_paths.parquet",
        )
    car = t.get("account_carriers", empty)
    if car.height:
        body += "<h3>Who carries each account</h3>" + table(
            car, ids, columns=["account", "member", "n_hop1", "n_hop2"], labels={"n_hop1": "1 hop", "n_hop2": "2 hops"}
        )
    sections.append(("accounts", "Accounts coverage", body))

    # --- candidates
    cand = t.get("candidates", empty)
    filt = summary.get("candidate_filters") or {}
    desc = ", ".join(f"{k} = {v!r}" for k, v in filt.items() if v not in (None, False, [], "")) or "no filters"
    body = (
        f'<p class="lead">People within reach matching {esc(desc)}, warmest path first, each with the best '
        "introducer.</p>"
        + table(
            cand,
            ids,
            columns=[
                "name",
                "title",
                "company",
                "location",
                "hops",
                "strength_label",
                "strength",
                "member",
                "introducer",
                "why",
            ],
            labels=LABEL_COLUMNS,
            source="candidates.parquet",
        )
    )
    sections.append(("candidates", "Candidates", body))

    # --- communities
    comm = t.get("communities", empty)
    body = (
        f'<p class="lead">Groups of people more tied to each other than to the rest (Leiden, modularity '
        f"{st.get('modularity', 0.0) or 0.0:.3f}). Top companies and email domains say who they are; "
        "<em>team reach</em> counts members with a direct tie into the group.</p>"
        f'<div class="plotrow">{image(images.get("communities"), "Community sizes")}</div>'
        + table(
            comm.filter(pl.col("n_people") >= 2) if "n_people" in comm.columns else comm,
            ids,
            columns=["community", "n_people", "top_companies", "top_domains", "n_team", "n_team_reach"],
            labels={
                "n_people": "people",
                "top_companies": "top companies",
                "top_domains": "top domains",
                "n_team": "team",
                "n_team_reach": "known by the team",
            },
            max_rows=50,
            source="communities.parquet",
        )
    )
    n_alone = int(comm.filter(pl.col("n_people") < 2)["n_people"].sum()) if "n_people" in comm.columns else 0
    if n_alone:
        body += (
            f'<p class="more">{n_alone:,} people on their own (one-person communities) are not listed; '
            "<code>community_members.parquet</code> has everyone.</p>"
        )
    brokers = t.get("brokers")
    if brokers is not None and brokers.height:
        outside = brokers.filter(~pl.col("is_team").fill_null(False)) if "is_team" in brokers.columns else brokers
        if {"betweenness", "n_targets_lost"} <= set(outside.columns):  # people who bridge nobody are no brokers
            outside = outside.filter((pl.col("betweenness") > 0) | (pl.col("n_targets_lost") > 0))
        body += (
            '<h3>Brokers</h3><p class="lead">People outside the team who hold the network together: '
            "<em>lost</em> counts the people within two hops of the team only through them, <em>connects</em> "
            "those they are one way to; betweenness is the share of shortest paths through them; low "
            "constraint means their contacts do not know each other; <em>bridges</em> counts the communities "
            "among their contacts.</p>"
            + table(
                outside,
                ids,
                columns=[
                    "rank",
                    "name",
                    "degree",
                    "n_targets_lost",
                    "n_targets_via",
                    "betweenness",
                    "constraint",
                    "community",
                    "n_communities_bridged",
                ],
                labels={"n_targets_lost": "lost", "n_targets_via": "connects", "n_communities_bridged": "bridges"},
                max_rows=15,
                source="brokers.parquet",
            )
        )
    sections.append(("communities", "Communities", body))

    # --- network
    kv = [
        ("people", st.get("people")),
        ("ties", st.get("ties")),
        ("components", st.get("components")),
        (
            "largest component",
            (f"{st.get('largest_component_people', 0):,} people ({(st.get('largest_component_share') or 0):.0%})"),
        ),
        ("average clustering", f"{(st.get('average_clustering') or 0):.3f}"),
        ("triangles", st.get("triangles")),
        ("average distance", f"{(st.get('average_distance') or 0):.2f} hops"),
        ("diameter", f"{st.get('diameter')} hops" + ("" if st.get("distance_exact", True) else " (lower bound)")),
        ("90% effective diameter", f"{(st.get('effective_diameter_90') or 0):.2f} hops"),
    ]
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(f'{v:,}' if isinstance(v, int) else v)}</dd>" for k, v in kv)
    body = (
        f'<div class="grid2"><div>{image(images.get("distances"), "Distance distribution")}</div>'
        f'<div><dl class="kv">{dl}</dl></div></div>'
    )
    sections.append(("network", "Network", body))

    # --- imports and rejects
    imp = t.get("imports", empty)
    rej = t.get("rejects", empty)
    body = table(
        imp,
        ids,
        columns=["path", "status", "format", "n_rows", "n_records", "n_interactions", "n_rejects", "error"],
        filter_box=False,
    )
    body += f"<h3>Rejects: {rej.height:,} row(s) set aside</h3>"
    if rej.height:
        body += table(rej, ids, columns=["path", "line", "reason", "excerpt"], max_rows=50, source="rejects.parquet")
    sections.append(("imports", "Imports and rejects", body))

    # --- page
    when = esc(summary.get("started_at", ""))
    meta = (
        f"run {when} · config <code>{esc(summary.get('config', ''))}</code> · outputs "
        f"<code>{esc(summary.get('outputs', ''))}</code>"
    )
    nav = "".join(f'<a href="#{sid}">{esc(title)}</a>' for sid, title, _ in sections)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>reach report {when}</title><style>{CSS}</style></head><body>",
        (
            f'<header><h1>reach · who can introduce us<span class="badge {esc(status)}">{esc(status)}</span></h1>'
            f'<div class="meta">{meta}</div></header>'
        ),
        f"<nav>{nav}</nav><main>",
    ]
    for sid, title, body in sections:
        parts.append(f'<section id="{sid}"><h2>{esc(title)}</h2>{body}</section>')
    parts.append(
        f"</main><footer>Generated by reach {esc(__version__)}. Everything in this page stays on this "
        "machine: it loads nothing from the network.</footer>"
    )
    parts.append(f"<script>{JS}</script>")
    parts.append(f'<script type="application/json" id="reach-summary">{_json_script(summary)}</script>')
    parts.append("</body></html>")
    return "\n".join(parts)


def _json_script(data: dict) -> str:
    """JSON safe to embed in a <script> element."""
    return json.dumps(data, default=str).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
