"""The `reach` command line: a thin click layer over the library.

Each command builds its arguments, calls one library function and renders the result. Errors reach's
code raises on purpose (:class:`reach.errors.ReachError`) become one line on stderr and exit code 1
(unknown person, no path) or 2 (bad input, empty workspace); anything else is a bug and shows a
traceback.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import click
import polars as pl

from reach import __version__
from reach.errors import NoPath, ReachError
from reach.reports.render import Output, emit
from reach.workspace import DEFAULT_WORKSPACE

OUTPUT_FORMATS = ("table", "json", "csv")


class Ctx:
    def __init__(self, workspace: Path, quiet: bool, debug: bool) -> None:
        self.workspace = workspace
        self.quiet = quiet
        self.debug = debug


def fail(message: str, code: int) -> None:
    click.echo(f"reach: error: {message}", err=True)
    sys.exit(code)


def handle_errors(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ReachError as exc:
            ctx = click.get_current_context(silent=True)
            if ctx and ctx.find_object(Ctx) and ctx.find_object(Ctx).debug:
                raise
            fail(str(exc), exc.exit_code)
    return wrapper


def output_options(fmt_flag: str = "--format") -> Callable:
    """``--format table|json|csv`` (spelled ``--output-format`` where ``--format`` means the input) and ``--output``."""
    def deco(fn: Callable) -> Callable:
        names = [fmt_flag, "out_fmt"] if fmt_flag == "--output-format" else [fmt_flag, "--output-format", "out_fmt"]
        fn = click.option("--output", "-o", "output", type=click.Path(dir_okay=False, path_type=Path),
                          help="Write the result to this file (atomically) instead of stdout.")(fn)
        fn = click.option(*names, type=click.Choice(OUTPUT_FORMATS), default="table", show_default=True,
                          help="Output format; JSON keys are stable (docs/cli.md).")(fn)
        return fn
    return deco


def show(output: Output, fmt: str, path: Path | None) -> None:
    text = emit(output, fmt, path)
    if text is not None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {path}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), envvar="REACH_WORKSPACE",
              default=DEFAULT_WORKSPACE, show_default=True, help="Workspace directory (env REACH_WORKSPACE).")
@click.option("--quiet", "-q", is_flag=True, help="Only errors on stderr.")
@click.option("--debug", is_flag=True, help="Show tracebacks for reach's own errors too.")
@click.version_option(__version__, prog_name="reach")
@click.pass_context
def cli(ctx: click.Context, workspace: Path, quiet: bool, debug: bool) -> None:
    """reach: who do we know, and who can introduce us?

    Import contact and interaction exports, resolve them into people, and ask for degrees of
    separation, two-hop reach and network statistics.
    """
    level = logging.ERROR if quiet else (logging.DEBUG if debug else logging.WARNING)
    logging.basicConfig(level=level, format="reach: %(levelname)s: %(message)s", stream=sys.stderr)
    ctx.obj = Ctx(workspace, quiet, debug)


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", default=None, help="Input format (default: detected from content); see `reach formats`.")
@click.option("--owner", default=None, help="Whose export this is (email or name); needed for LinkedIn exports.")
@output_options("--output-format")
@click.pass_obj
@handle_errors
def import_cmd(obj: Ctx, paths: tuple[Path, ...], fmt: str | None, owner: str | None, out_fmt: str,
               output: Path | None) -> None:
    """Import export files (or folders of them) into the workspace.

    Example: reach import Connections.csv --owner ana@example.com
    """
    from reach.pipeline import build, import_paths

    summary = import_paths(obj.workspace, list(paths), fmt=fmt, owner=owner)
    built = build(obj.workspace) if summary.n_failed < len(summary.files) else {"people": 0, "ties": 0}
    rows = pl.DataFrame([{k: getattr(f, k) for k in ("path", "status", "format", "n_rows", "n_records",
                                                     "n_interactions", "n_rejects", "n_skipped")} for f in summary.files])
    tot = summary.totals()
    data = {"files": [vars(f) for f in summary.files], "totals": tot,
            "people": built["people"], "ties": built["ties"], "workspace": str(obj.workspace)}
    lines = [f"imported {sum(f.status == 'imported' for f in summary.files)} of {len(summary.files)} files into "
             f"{obj.workspace}: {tot['n_rows']} rows, {tot['n_rejects']} rejects; workspace now has "
             f"{built['people']} people and {built['ties']} ties"]
    show(Output(data=data, rows=rows, lines=lines), out_fmt, output)
    for f in summary.files:
        if f.status == "failed":
            click.echo(f"reach: error: {f.error}", err=True)
    if summary.n_failed:
        sys.exit(2 if summary.n_failed == len(summary.files) else 1)


@cli.command()
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed.")
@click.pass_obj
@handle_errors
def build(obj: Ctx, force: bool) -> None:
    """Resolve people and compute tie strengths (commands do this on demand).

    Example: reach build --force
    """
    from reach.pipeline import build as build_ws

    res = build_ws(obj.workspace, force=force)
    click.echo(f"{res['people']} people, {res['ties']} ties" + ("" if res["rebuilt"] else " (up to date)"))


@cli.command()
@click.argument("source")
@click.argument("target")
@click.option("--max-hops", type=click.IntRange(1, 50), default=None, help="Give up beyond this many hops.")
@output_options()
@click.pass_obj
@handle_errors
def path(obj: Ctx, source: str, target: str, max_hops: int | None, out_fmt: str, output: Path | None) -> None:
    """Degrees of separation between two people, and one shortest path.

    People are given by person id, edge-list key, email, owner label or name.

    Example: reach path ana@example.com "Grace Hopper" --max-hops 3
    """
    from reach.pipeline import degrees_of_separation, load_graph

    rg = load_graph(obj.workspace)
    try:
        res = degrees_of_separation(rg, source, target, max_hops=max_hops)
    except NoPath as exc:
        data = {"source": source, "target": target, "hops": None, "connected": False, "reason": str(exc), "path": []}
        show(Output(data=data, lines=[f"{source} -> {target}: {exc}"]), out_fmt, output)
        sys.exit(1)
    lines = [f"{res.hops} degree{'s' if res.hops != 1 else ''} of separation"]
    show(Output(data=res.as_dict(), rows=res.path, lines=lines), out_fmt, output)


@cli.command("reach")
@click.option("--from", "sources", multiple=True, required=True, help="A team member (repeat for each).")
@click.option("--hops", type=click.IntRange(1, 6), default=2, show_default=True)
@output_options()
@click.pass_obj
@handle_errors
def reach_cmd(obj: Ctx, sources: tuple[str, ...], hops: int, out_fmt: str, output: Path | None) -> None:
    """How many people each source reaches within 1..HOPS hops, the team's union and unique contributions.

    Example: reach reach --from ana@example.com --from ben@example.com
    """
    from reach.pipeline import load_graph, team_reach

    res = team_reach(load_graph(obj.workspace), list(sources), hops=hops)
    data = {"hops": hops, "sources": res.per_source.to_dicts(), "team": res.team}
    ring = ", ".join(f"{res.team[f'n_hop{k}']} at {k} hop{'s' if k > 1 else ''}" for k in range(1, hops + 1))
    lines = [f"team of {res.team['n_sources']} reaches {res.team['n_total']} people within {hops} hops ({ring})"]
    show(Output(data=data, rows=res.per_source, lines=lines), out_fmt, output)


@cli.command()
@click.option("--exact-limit", type=int, default=50_000, show_default=True,
              help="Exact all-pairs distances up to this many people in the largest component.")
@click.option("--samples", type=int, default=1000, show_default=True, help="BFS sources when estimating.")
@click.option("--seed", type=int, default=0, show_default=True)
@output_options()
@click.pass_obj
@handle_errors
def stats(obj: Ctx, exact_limit: int, samples: int, seed: int, out_fmt: str, output: Path | None) -> None:
    """Network statistics: size, components, clustering, distances and (effective) diameter.

    Example: reach stats --format json
    """
    from reach.pipeline import load_graph, workspace_stats

    st = workspace_stats(load_graph(obj.workspace), exact_limit=exact_limit, n_samples=samples, seed=seed)
    d = st.as_dict()
    dist = pl.DataFrame({"distance": [int(k) for k in d["distance_distribution"]],
                         "pairs": [float(v) for v in d["distance_distribution"].values()]})
    how = "exact" if d["distance_exact"] else f"estimated from {d['distance_sources']} sampled sources"
    lines = [
        f"people                 {d['people']}",
        f"ties                   {d['ties']}",
        f"components             {d['components']}",
        f"largest component      {d['largest_component_people']} people ({d['largest_component_share']:.1%}), "
        f"{d['largest_component_ties']} ties",
        f"average clustering     {d['average_clustering']:.4f}",
        f"triangles              {d['triangles']}",
        f"average distance       {d['average_distance']:.3f} ({how})",
        f"diameter               {d['diameter']} ({'exact' if d['diameter_exact'] else 'lower bound'})",
        f"effective diameter 90% {d['effective_diameter_90']:.2f}",
        "",
        "distance distribution (pairs in the largest component):",
    ]
    show(Output(data=d, rows=dist, lines=lines), out_fmt, output)


@cli.command()
@click.argument("search", required=False)
@click.option("--limit", type=int, default=50, show_default=True)
@output_options()
@click.pass_obj
@handle_errors
def people(obj: Ctx, search: str | None, limit: int, out_fmt: str, output: Path | None) -> None:
    """List people, or those whose name, email, company or key contains SEARCH.

    Example: reach people acme
    """
    from reach.pipeline import find_people

    rows = find_people(obj.workspace, search, limit=limit)
    show(Output(data={"people": rows.to_dicts()}, rows=rows, lines=[f"{rows.height} people"]), out_fmt, output)


@cli.command()
@output_options()
@click.pass_obj
@handle_errors
def sources(obj: Ctx, out_fmt: str, output: Path | None) -> None:
    """List imported files with their format, owner and row counts.

    Example: reach sources --format csv
    """
    from reach.workspace import Workspace

    rows = pl.from_arrow(Workspace.open(obj.workspace).sources()).drop("sha256")
    show(Output(data={"sources": rows.to_dicts()}, rows=rows), out_fmt, output)


@cli.command()
@click.option("--limit", type=int, default=100, show_default=True)
@output_options()
@click.pass_obj
@handle_errors
def rejects(obj: Ctx, limit: int, out_fmt: str, output: Path | None) -> None:
    """Rows set aside during import: file, line and reason.

    Example: reach rejects --format csv -o rejects.csv
    """
    from reach.workspace import Workspace

    rows = pl.from_arrow(Workspace.open(obj.workspace).raw("rejects")).drop("source_id")
    shown = rows.head(limit) if out_fmt == "table" else rows
    show(Output(data={"rejects": shown.to_dicts(), "total": rows.height}, rows=shown,
                lines=[f"{rows.height} rejected rows"]), out_fmt, output)


@cli.command()
def formats() -> None:
    """List the input formats reach can import.

    Example: reach formats
    """
    from reach.io.formats import registry

    for f in registry().values():
        click.echo(f"{f.name:22} {f.description}{' (needs --owner)' if f.needs_owner else ''}")


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("reach-demo"),
              show_default=True, help="Where the demo workspace and outputs go.")
@click.pass_obj
@handle_errors
def demo(obj: Ctx, out_dir: Path) -> None:
    """Import the bundled sample exports of a three-person team and summarise their network.

    Example: reach demo --out /tmp/reach-demo
    """
    from reach.demo import run_demo

    for line in run_demo(out_dir):
        click.echo(line)


def main() -> None:
    cli(prog_name="reach")


if __name__ == "__main__":
    main()
