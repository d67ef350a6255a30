"""`reach demo`: run the whole pipeline on the bundled samples of a three-person team and summarise it."""

from __future__ import annotations

from pathlib import Path

from reach.run import RunSummary, run_pipeline
from reach.samples import samples_dir


def run_demo(out_dir: Path, *, quiet: bool = True) -> tuple[RunSummary, list[str]]:
    """Run ``data/samples/pipeline.toml`` into ``out_dir`` (workspace + outputs); return the summary and
    the lines to print.
    """
    config = samples_dir() / "pipeline.toml"
    out_dir = Path(out_dir)
    summary = run_pipeline(config, workspace=out_dir / "workspace", out=out_dir / "out", quiet=quiet, progress=False)
    d = summary.as_dict()
    lines = [f"reach demo: the sample exports of a three-person team ({config.parent})"]
    lines += _summary_lines(d)
    if summary.error:
        lines.append(f"failed at stage {d.get('failed_stage')}: {summary.error}")
    return summary, lines


def _summary_lines(d: dict) -> list[str]:
    f = d.get("files") or {}
    lines = [
        f"imported {f.get('imported', 0)} of {f.get('total', 0)} exports: {d.get('rows', 0)} rows, "
        f"{d.get('rejects', 0)} set aside as rejects (`reach -w WORKSPACE rejects` lists them)",
        f"{d.get('people', 0)} people and {d.get('ties', 0)} ties; {d.get('communities', 0)} communities",
        f"team of {d.get('team', 0)} reaches {d.get('team_reach', 0)} people within two hops; "
        f"{d.get('targets_reachable', 0)} of {d.get('targets', 0)} target people have a warm path; "
        f"{d.get('candidates', 0)} candidates; {d.get('accounts', 0)} target accounts",
        f"workspace: {d.get('workspace')}",
    ]
    if d.get("outputs"):
        out = Path(d["outputs"])
        lines.append(f"outputs:   {out}  (Parquet and CSV tables, graph.graphml, plots)")
        lines.append(f"report:    {out / 'report.html'}")
    lines.append(f"status:    {d.get('status')} (exit code {d.get('exit_code')})")
    return lines
