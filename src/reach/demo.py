"""`reach demo`: import the bundled samples of a three-person team and summarise what they reach."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from reach.errors import ReachError
from reach.io.files import atomic_write_text, ensure_private_dir, write_parquet
from reach.pipeline import degrees_of_separation, import_paths, load_graph, team_reach, workspace_stats
from reach.reports.render import to_csv
from reach.samples import samples_dir
from reach.workspace import Workspace


def run_demo(out_dir: Path) -> list[str]:
    """Run the demo into ``out_dir`` (workspace + outputs) and return the summary lines to print."""
    root = samples_dir()
    config = tomllib.loads((root / "pipeline.toml").read_text(encoding="utf-8"))
    ensure_private_dir(out_dir)
    ws_dir = out_dir / "workspace"
    results_dir = ensure_private_dir(out_dir / "out")
    lines = [f"reach demo: sample exports from {root}"]
    n_rows = n_rejects = 0
    for src in config["sources"]:
        summary = import_paths(ws_dir, [root / src["path"]], fmt=src.get("format"), owner=src.get("owner"))
        for f in summary.files:
            if f.status == "failed":
                lines.append(f"  failed: {f.path}: {f.error}")
            n_rows += f.n_rows
            n_rejects += f.n_rejects
    ws = Workspace.open(ws_dir)
    rg = load_graph(ws)
    st = workspace_stats(rg).as_dict()
    team = config["team"]
    reach = team_reach(rg, team, hops=2)
    lines += [
        f"imported {len(config['sources'])} exports ({n_rows} rows, {n_rejects} set aside as rejects)",
        f"{st['people']} people, {st['ties']} ties, {st['components']} components; largest component "
        f"{st['largest_component_people']} people; average clustering {st['average_clustering']:.3f}; "
        f"average distance {st['average_distance']:.2f}, diameter {st['diameter']}",
        f"team of {len(team)} reaches {reach.team['n_total']} people within two hops "
        f"({reach.team['n_hop1']} directly, {reach.team['n_hop2']} through one introduction)",
    ]
    for row in reach.per_source.iter_rows(named=True):
        lines.append(f"  {row['display_name']}: {row['n_hop1']} at 1 hop, {row['n_hop2']} at 2 hops, "
                     f"{row['n_unique']} only through them")
    for target in config.get("targets", []):
        found = []
        for member in team:
            try:
                found.append(degrees_of_separation(rg, member, target, max_hops=4))
            except ReachError:
                continue
        if not found:
            lines.append(f"  {target}: not within 4 hops of the team")
            continue
        best = min(found, key=lambda r: (r.hops, r.source))
        names = " -> ".join(str(n) for n in best.path["display_name"].to_list())
        lines.append(f"  nearest path to {target}: {best.hops} hops: {names}")
    write_parquet(ws.built("people"), results_dir / "people.parquet")
    write_parquet(ws.built("ties"), results_dir / "ties.parquet")
    atomic_write_text(results_dir / "stats.json", json.dumps(st, indent=2) + "\n")
    atomic_write_text(results_dir / "team_reach.csv", to_csv(reach.per_source))
    lines += [f"workspace: {ws_dir}", f"outputs:   {results_dir}/" + "{people.parquet,ties.parquet,stats.json,team_reach.csv}"]
    return lines
