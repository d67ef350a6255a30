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
from reach.features import options as fo
from reach.reports.render import Output, emit
from reach.workspace import DEFAULT_WORKSPACE

OUTPUT_FORMATS = ("table", "json", "csv")


def int_range(cls: type, name: str) -> click.IntRange:
    """The allowed range of an integer option, as declared on its options dataclass."""
    lo, hi = fo.bounds(cls, name)
    return click.IntRange(None if lo is None else int(lo), None if hi is None else int(hi))


class Ctx:
    def __init__(self, workspace: Path, quiet: bool, debug: bool, pseudonymise: bool = False) -> None:
        self.workspace = workspace
        self.quiet = quiet
        self.debug = debug
        self.pseudonymise = pseudonymise

    def hashed(self, rg):
        from reach.privacy import pseudonymised_graph
        from reach.workspace import Workspace

        return pseudonymised_graph(rg, Workspace.open(self.workspace).secret_key())

    def feature(self, fn: Callable, opts):
        """Run feature ``fn`` with ``opts`` on the workspace's graph. With --pseudonymise the person references
        in ``opts`` are resolved first and the feature runs on the pseudonymised graph, so every frame it
        returns is pseudonymised (one place: reach.privacy).
        """
        from reach.builder import load_graph
        from reach.privacy import with_person_ids

        rg = load_graph(self.workspace)
        if not self.pseudonymise:
            return fn(rg, opts)
        return fn(self.hashed(rg), with_person_ids(rg, opts))


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
        fn = click.option(
            "--output",
            "-o",
            "output",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write the result to this file (atomically) instead of stdout.",
        )(fn)
        fn = click.option(
            *names,
            type=click.Choice(OUTPUT_FORMATS),
            default="table",
            show_default=True,
            help="Output format; JSON keys are stable (docs/cli.md).",
        )(fn)
        return fn

    return deco


def parse_options(pairs: tuple[str, ...]) -> dict:
    """``KEY=VALUE`` pairs; values that read as TOML scalars (numbers, booleans) are typed."""
    import tomllib

    from reach.errors import ConfigError

    out: dict = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            msg = f"--option {pair!r}: expected KEY=VALUE"
            raise ConfigError(msg)
        try:
            out[key.strip()] = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = value
    return out


def show(output: Output, fmt: str, path: Path | None, *, hashed: bool = False) -> None:
    """Print or write ``output``; ``hashed``: it comes from the (pseudonymised) feature layer, hash nothing again."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_object(Ctx) if ctx else None
    if obj is not None and obj.pseudonymise and not hashed:
        output = pseudonymised(output, obj.workspace)
    if path is not None:
        guard_output_file(path, obj.workspace if obj is not None else None)
    text = emit(output, fmt, path)
    if text is not None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {path}", err=True)


def guard_output_file(path: Path, workspace: Path | None) -> None:
    """``--output`` never overwrites the workspace or an export imported into it."""
    from reach.run.publish import check_output_file
    from reach.workspace import Workspace

    sources: list[Path] = []
    if workspace is not None and Path(workspace).is_dir():
        try:
            sources = [Path(p) for p in Workspace.open(workspace).sources().column("path").to_pylist()]
        except ReachError:
            sources = []
    check_output_file(path, workspace=workspace or Path(".reach-no-workspace"), sources=sources)


def pseudonymised(output: Output, workspace: Path) -> Output:
    """Replace names and identifiers in an output by keyed hashes (the key stays in the workspace)."""
    from reach.privacy import PSEUDONYMISED_COLUMNS, pseudonymise_frame
    from reach.workspace import Workspace

    key = Workspace.open(workspace).secret_key()
    rows = pseudonymise_frame(output.rows, key) if output.rows is not None else None

    def walk(v):
        if isinstance(v, dict):
            private = [k for k in v if k in PSEUDONYMISED_COLUMNS or (k == "value" and "kind" in v)]
            base = {}
            if private:
                one = pl.DataFrame([{k: v[k] for k in private} | ({"kind": v["kind"]} if "value" in private else {})])
                base = pseudonymise_frame(one, key).to_dicts()[0]
            return {k: base[k] if k in base else walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return Output(data=walk(output.data), rows=rows, lines=[])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--workspace",
    "-w",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="REACH_WORKSPACE",
    default=DEFAULT_WORKSPACE,
    show_default=True,
    help="Workspace directory (env REACH_WORKSPACE).",
)
@click.option("--quiet", "-q", is_flag=True, help="Only errors on stderr.")
@click.option("--debug", is_flag=True, help="Show tracebacks for reach's own errors too.")
@click.option(
    "--pseudonymise",
    is_flag=True,
    help="Replace names, emails, phones, profile slugs and keys in outputs by keyed hashes.",
)
@click.version_option(__version__, prog_name="reach")
@click.pass_context
def cli(ctx: click.Context, workspace: Path, quiet: bool, debug: bool, pseudonymise: bool) -> None:
    """reach: who do we know, and who can introduce us?

    Import contact and interaction exports, resolve them into people, and ask for degrees of
    separation, two-hop reach and network statistics.
    """
    level = logging.ERROR if quiet else (logging.DEBUG if debug else logging.WARNING)
    logging.basicConfig(level=level, format="reach: %(levelname)s: %(message)s", stream=sys.stderr)
    ctx.obj = Ctx(workspace, quiet, debug, pseudonymise)


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", default=None, help="Input format (default: detected from content); see `reach formats`."
)
@click.option("--owner", default=None, help="Whose export this is (email or name); needed for LinkedIn exports.")
@click.option("--alias", "aliases", multiple=True, help="Another address of the owner (repeatable).")
@click.option(
    "--source",
    "source",
    default=None,
    metavar="NAME",
    help="Name of the source this export is a version of (default: the path it is imported from); "
    "a dated file imported under the name of the one before it supersedes that one.",
)
@click.option(
    "--new-source",
    is_flag=True,
    help="Import as a source of its own, beside an earlier import from the same path (supersedes nothing).",
)
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Column mapping TOML for --format generic-csv (see docs/dev/importers.md).",
)
@click.option(
    "--option",
    "opts",
    multiple=True,
    metavar="KEY=VALUE",
    help="An importer option, e.g. max_recipients=30 or timezone=Europe/Paris (repeatable).",
)
@output_options("--output-format")
@click.pass_obj
@handle_errors
def import_cmd(
    obj: Ctx,
    paths: tuple[Path, ...],
    fmt: str | None,
    owner: str | None,
    aliases: tuple[str, ...],
    source: str | None,
    new_source: bool,
    mapping: Path | None,
    opts: tuple[str, ...],
    out_fmt: str,
    output: Path | None,
) -> None:
    """Import export files (or folders of them) into the workspace.

    A file imported again from the same path for the same owner with new content is a new version of
    that source: it replaces the previous version (see `reach sources --history`).

    Example: reach import Connections.csv --owner ana@example.com
    Example: reach import Connections-2026-12-01.csv --owner ana@example.com --source ana-linkedin
    """
    from reach.builder import build
    from reach.imports import import_paths

    options = parse_options(opts)
    if aliases:
        options["aliases"] = list(aliases)
    if mapping:
        options["mapping_file"] = str(mapping)
    summary = import_paths(
        obj.workspace, list(paths), fmt=fmt, owner=owner, options=options, source=source, new_source=new_source
    )
    built = build(obj.workspace) if summary.n_failed < len(summary.files) else {"people": 0, "ties": 0}
    rows = pl.DataFrame(
        [
            {
                k: getattr(f, k)
                for k in ("path", "status", "format", "n_rows", "n_records", "n_interactions", "n_rejects", "n_skipped")
            }
            for f in summary.files
        ]
    )
    tot = summary.totals()
    data = {
        "files": [{**vars(f), "change": vars(f.change) if f.change else None} for f in summary.files],
        "totals": tot,
        "people": built["people"],
        "ties": built["ties"],
        "workspace": str(obj.workspace),
    }
    lines = [
        f"imported {sum(f.status == 'imported' for f in summary.files)} of {len(summary.files)} files into "
        f"{obj.workspace}: {tot['n_rows']} rows, {tot['n_rejects']} rejects; workspace now has "
        f"{built['people']} people and {built['ties']} ties"
    ]
    lines += [f"{f.path}: {f.change.text()}" for f in summary.files if f.change]
    lines += [f"{f.path}: {note}" for f in summary.files for note in f.notes]
    show(Output(data=data, rows=rows, lines=lines), out_fmt, output)
    for f in summary.files:
        if f.status == "failed":
            click.echo(f"reach: error: {f.error}", err=True)
    if summary.n_failed:
        sys.exit(2 if summary.n_failed == len(summary.files) else 1)


@cli.command()
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed.")
@output_options()
@click.pass_obj
@handle_errors
def build(obj: Ctx, force: bool, out_fmt: str, output: Path | None) -> None:
    """Resolve people and compute tie strengths (commands do this on demand).

    Example: reach build --force
    """
    from reach import builder

    res = builder.build(obj.workspace, force=force)
    line = f"{res['people']} people, {res['ties']} ties" + ("" if res["rebuilt"] else " (up to date)")
    show(Output(data=res, lines=[line]), out_fmt, output)


@cli.command()
@click.argument("source")
@click.argument("target")
@click.option(
    "--max-hops",
    type=int_range(fo.PathOptions, "max_hops"),
    default=fo.default(fo.PathOptions, "max_hops"),
    help=fo.doc(fo.PathOptions, "max_hops"),
)
@output_options()
@click.pass_obj
@handle_errors
def path(obj: Ctx, source: str, target: str, max_hops: int | None, out_fmt: str, output: Path | None) -> None:
    """Degrees of separation between two people, and one shortest path.

    People are given by person id, edge-list key, email, owner label or name.

    Example: reach path ana@example.com "Grace Hopper" --max-hops 3
    """
    from reach.builder import load_graph
    from reach.features import degrees_of_separation, resolve_people

    rg = load_graph(obj.workspace)
    if obj.pseudonymise:  # the people as person ids, the names hashed
        source, target = (str(rg.person_ids[v]) for v in resolve_people(rg, [source, target]))
        rg = obj.hashed(rg)
    try:
        res = degrees_of_separation(rg, source, target, fo.PathOptions(max_hops=max_hops))
    except NoPath as exc:
        data = {"source": source, "target": target, "hops": None, "connected": False, "reason": str(exc), "path": []}
        show(Output(data=data, lines=[f"{source} -> {target}: {exc}"]), out_fmt, output, hashed=True)
        sys.exit(1)
    lines = [f"{res.hops} degree{'s' if res.hops != 1 else ''} of separation"]
    show(Output(data=res.as_dict(), rows=res.path, lines=lines), out_fmt, output, hashed=True)


@cli.command("reach")
@click.option("--from", "sources", multiple=True, required=True, help="A team member (repeat for each).")
@click.option(
    "--hops",
    type=int_range(fo.ReachOptions, "hops"),
    default=fo.default(fo.ReachOptions, "hops"),
    show_default=True,
    help=fo.doc(fo.ReachOptions, "hops"),
)
@output_options()
@click.pass_obj
@handle_errors
def reach_cmd(obj: Ctx, sources: tuple[str, ...], hops: int, out_fmt: str, output: Path | None) -> None:
    """How many people each source reaches within 1..HOPS hops, the team's union and unique contributions.

    Example: reach reach --from ana@example.com --from ben@example.com
    """
    from reach.features import team_reach

    res = obj.feature(team_reach, fo.ReachOptions(sources=sources, hops=hops))
    data = {"hops": hops, "sources": res.per_source.to_dicts(), "team": res.team}
    ring = ", ".join(f"{res.team[f'n_hop{k}']} at {k} hop{'s' if k > 1 else ''}" for k in range(1, hops + 1))
    lines = [f"team of {res.team['n_sources']} reaches {res.team['n_total']} people within {hops} hops ({ring})"]
    show(Output(data=data, rows=res.per_source, lines=lines), out_fmt, output, hashed=True)


@cli.command()
@click.option(
    "--exact-limit",
    type=int_range(fo.StatsOptions, "exact_limit"),
    default=fo.default(fo.StatsOptions, "exact_limit"),
    show_default=True,
    help=fo.doc(fo.StatsOptions, "exact_limit"),
)
@click.option(
    "--samples",
    type=int_range(fo.StatsOptions, "samples"),
    default=fo.default(fo.StatsOptions, "samples"),
    show_default=True,
    help=fo.doc(fo.StatsOptions, "samples"),
)
@click.option("--seed", type=int, default=0, show_default=True)
@output_options()
@click.pass_obj
@handle_errors
def stats(obj: Ctx, exact_limit: int, samples: int, seed: int, out_fmt: str, output: Path | None) -> None:
    """Network statistics: size, components, clustering, distances and (effective) diameter.

    Example: reach stats --format json
    """
    from reach.features import stats as stats_fn

    st = obj.feature(stats_fn, fo.StatsOptions(exact_limit=exact_limit, samples=samples, seed=seed))
    d = st.as_dict()
    dist = st.distances
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
    show(Output(data=d, rows=dist, lines=lines), out_fmt, output, hashed=True)


@cli.command()
@click.argument("search", required=False)
@click.option(
    "--limit",
    type=int_range(fo.PeopleOptions, "limit"),
    default=fo.default(fo.PeopleOptions, "limit"),
    show_default=True,
    help=fo.doc(fo.PeopleOptions, "limit"),
)
@output_options()
@click.pass_obj
@handle_errors
def people(obj: Ctx, search: str | None, limit: int, out_fmt: str, output: Path | None) -> None:
    """List people, or those whose name, email, company or key contains SEARCH.

    Example: reach people acme
    """
    from reach.builder import load_graph
    from reach.features import find_people_counted

    opts = fo.PeopleOptions(search=search, limit=limit)
    rows, total = find_people_counted(load_graph(obj.workspace), opts)  # search real names
    noun = "person" if total == 1 else "people"
    line = (
        f"{total:,} {noun}"
        if rows.height == total
        else f"first {rows.height:,} of {total:,} people (--limit N for more)"
    )
    show(Output(data={"people": rows.to_dicts(), "total": total}, rows=rows, lines=[line]), out_fmt, output)


@cli.command()
@click.option(
    "--remove",
    "remove",
    multiple=True,
    metavar="SOURCE",
    help="Take this source (id, id prefix or imported path) out of the workspace; repeat for more. "
    "The export file is not touched.",
)
@click.option("--history", is_flag=True, help="Every imported version of each source, superseded ones too.")
@output_options()
@click.pass_obj
@handle_errors
def sources(obj: Ctx, remove: tuple[str, ...], history: bool, out_fmt: str, output: Path | None) -> None:
    """List imported sources (one row each, its current version) with format, owner and row counts;
    --history lists every version; --remove takes a source out.

    Example: reach sources --format csv
    Example: reach sources --history
    Example: reach sources --remove 3f2a9c1d
    """
    from reach.workspace import Workspace

    if remove:
        from reach.corrections import remove_source

        for ref in remove:
            row = remove_source(obj.workspace, ref)
            click.echo(
                f"removed source {row['source_id']} ({row['format']}, {row['path']}); "
                "its records, interactions and rejects leave the next build",
                err=True,
            )
    ws = Workspace.open(obj.workspace)
    table = ws.history() if history else ws.sources()
    rows = pl.from_arrow(table).drop("sha256")
    if not history:
        rows = rows.drop("superseded_at")
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
    show(
        Output(
            data={"rejects": shown.to_dicts(), "total": rows.height}, rows=shown, lines=[f"{rows.height} rejected rows"]
        ),
        out_fmt,
        output,
    )


@cli.command()
@click.argument("query")
@output_options()
@click.pass_obj
@handle_errors
def person(obj: Ctx, query: str, out_fmt: str, output: Path | None) -> None:
    """Show one person with every record and identifier behind them, and why they were merged.

    Example: reach person grace.lee@acme.example
    """
    from reach.features import explain_person

    rep = explain_person(obj.workspace, query)
    p = rep.person
    lines = [
        f"{p.get('display_name')} ({p['person_id']}) {p.get('title') or ''} {p.get('company') or ''}".rstrip(),
        "why one person: " + "; ".join(rep.reasons()),
        "",
        "identifiers:",
    ]
    lines += [
        f"  {r['kind']:9} {r['value']}  ({r['n_records']} record{'s' if r['n_records'] > 1 else ''})"
        for r in rep.identifiers.iter_rows(named=True)
    ]
    lines += ["", "records:"]
    rows = rep.records.select("source_id", "line", "format", "role", "display_name", "company", "title", "path")
    show(Output(data=rep.as_dict(), rows=rows, lines=lines), out_fmt, output)


def _count(n: int, noun: str) -> str:
    """'1 edge-list line', '2 edge-list lines', '0 emails'."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


@cli.command()
@click.argument("a")
@click.argument("b")
@click.option("--limit", type=int, default=20, show_default=True, help="Most recent interactions to list.")
@output_options()
@click.pass_obj
@handle_errors
def explain(obj: Ctx, a: str, b: str, limit: int, out_fmt: str, output: Path | None) -> None:
    """Why two people are (or are not) tied: strength, counts, dates and the exports behind it.

    Example: reach explain ana@northwind.example "Grace Lee"
    """
    from reach.features import explain as explain_fn
    from reach.strength import path_cost
    from reach.strength_labels import strength_label

    ex = explain_fn(obj.workspace, a, b, max_evidence=limit)
    na, nb = ex.person_a.get("display_name"), ex.person_b.get("display_name")
    if ex.tie is None:
        lines = [f"{na} and {nb} have no direct tie (try `reach path`)"]
    else:
        t = ex.tie
        lines = [
            f"{na} - {nb}: {strength_label(t['strength'])}, strength {t['strength']:.3f} "
            f"(path cost {path_cost(t['strength']):.2f})",
            f"  {ex.reason}",
            f"  {_count(t['n_interactions'], 'interaction')}: {_count(t['n_emails'], 'email')}, "
            f"{_count(t['n_meetings'], 'meeting')}, {_count(t['n_messages'], 'message')}, "
            f"{_count(t['n_connections'], 'connection')}, {_count(t['n_edges'], 'edge-list line')}, "
            f"{t['n_other']} other" + (f" ({', '.join(ex.other_channels)})" if t["n_other"] else ""),
            f"  initiated: {t['n_a_to_b']} by {t['person_a'] == ex.person_a['person_id'] and na or nb}, "
            f"{t['n_b_to_a']} by {t['person_a'] == ex.person_a['person_id'] and nb or na}; "
            f"{t['n_channels']} channels, {t['n_sources']} sources",
            f"  first {t['first_at'] or 'undated'}, last {t['last_at'] or 'undated'}",
            "",
            "by source:",
        ]
        lines += [
            f"  {r['n']:5} {r['channel']:12} {r['format']:22} {r['path']}" for r in ex.by_source.iter_rows(named=True)
        ]
        lines += ["", "most recent evidence:"]
    show(Output(data=ex.as_dict(), rows=ex.evidence if ex.tie else None, lines=lines), out_fmt, output)


@cli.command()
@click.argument("a")
@click.argument("b")
@click.pass_obj
@handle_errors
def merge(obj: Ctx, a: str, b: str) -> None:
    """Tell reach two people are one; the correction is kept and holds on every later build.

    Example: reach merge "Grace Lee" grace@personal.example
    """
    from reach.corrections import merge_people

    click.echo(f"merged into {merge_people(obj.workspace, a, b)}")


@cli.command()
@click.argument("query")
@click.option("--on", "on", default=None, help="An identifier (KIND:VALUE, see `reach person`) never to merge on.")
@click.option("--record", default=None, help="A record (SOURCE_ID:LINE) to make a person of its own.")
@click.pass_obj
@handle_errors
def split(obj: Ctx, query: str, on: str | None, record: str | None) -> None:
    """Undo a wrong merge: stop merging on an identifier, or detach one record; kept for later builds.

    Example: reach split "Grace Lee" --on phone:+12025550100
    """
    from reach.corrections import split_person
    from reach.features import explain_person

    split_person(obj.workspace, query, on=on, record=record)
    click.echo(f"split recorded; {query} now has {explain_person(obj.workspace, query).records.height} record(s)")


@cli.command()
@click.argument("query", required=False)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--list", "list_", is_flag=True, help="How many people were forgotten (tombstones held; no identities).")
@click.pass_obj
@handle_errors
def forget(obj: Ctx, query: str | None, yes: bool, list_: bool) -> None:
    """Erase a person and every record, identifier and interaction of theirs from the workspace; a tombstone
    (keyed hashes of their identifiers, none in clear) makes later imports drop them too.

    Example: reach forget grace.lee@acme.example --yes
    Example: reach forget --list
    """
    from reach.builder import find_person_id
    from reach.corrections import forget as forget_fn

    if list_:
        from reach.tombstones import summary
        from reach.workspace import Workspace

        held = summary(Workspace.open(obj.workspace))
        click.echo(
            f"{held['people']} person{'' if held['people'] == 1 else 's'} forgotten: "
            f"{held['hashes']} identifier hashes held, applied to every import"
        )
        return
    if not query:
        fail("say whom to forget (a name, email, ...), or --list to count the tombstones", 1)
    pid = find_person_id(obj.workspace, query)
    if not yes:
        click.confirm(f"erase person {pid} and all their data from {obj.workspace}?", abort=True)
    res = forget_fn(obj.workspace, pid)
    click.echo(
        f"forgot {pid}: {res.records} records, {res.interactions} interactions, "
        f"{res.rejects} reject rows removed; tombstone of {res.tombstone_hashes} identifier hashes kept "
        "(later imports drop them)"
    )
    for left in res.leftovers:
        images = f" (images not searched: {', '.join(left.images)})" if left.images else ""
        click.echo(
            f"still in the outputs of an earlier run, delete them by hand: {left.folder}: "
            f"{', '.join(left.files)}{images}"
        )


def read_list_file(path: Path | None) -> list[str]:
    """People or accounts listed one per line in a file (blank lines and # comments skipped)."""
    if path is None:
        return []
    from reach.errors import InputFormatError

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise InputFormatError(msg) from exc
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


TEAM_HELP = "A team member (default: every owner of an import)."


@cli.command()
@click.option("--to", "targets", multiple=True, help="A target person (repeat for each).")
@click.option("--targets-file", type=click.Path(dir_okay=False, path_type=Path), help="Target people, one per line.")
@click.option("--from", "team", multiple=True, help=TEAM_HELP)
@click.option(
    "--max-hops",
    type=int_range(fo.IntrosOptions, "max_hops"),
    default=fo.default(fo.IntrosOptions, "max_hops"),
    show_default=True,
    help=fo.doc(fo.IntrosOptions, "max_hops"),
)
@click.option(
    "--top",
    "top_k",
    type=int_range(fo.IntrosOptions, "top"),
    default=fo.default(fo.IntrosOptions, "top"),
    show_default=True,
    help=fo.doc(fo.IntrosOptions, "top"),
)
@click.option(
    "--max-asks",
    type=int_range(fo.IntrosOptions, "max_asks"),
    default=fo.default(fo.IntrosOptions, "max_asks"),
    help=fo.doc(fo.IntrosOptions, "max_asks"),
)
@click.option("--do-not-ask", multiple=True, help="Someone never to ask for an introduction (repeatable).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help=fo.doc(fo.IntrosOptions, "since"))
@output_options()
@click.pass_obj
@handle_errors
def intros(
    obj: Ctx,
    targets: tuple[str, ...],
    targets_file: Path | None,
    team: tuple[str, ...],
    max_hops: int,
    top_k: int,
    max_asks: int | None,
    do_not_ask: tuple[str, ...],
    since,
    out_fmt: str,
    output: Path | None,
) -> None:
    """Who can introduce the team to each target, ranked by path strength, with the evidence for each tie.

    Example: reach intros --to grace.lee@acme.example --to "Dev Patel" --top 3
    """
    from reach.features import intros as intros_fn

    wanted = tuple(targets) + tuple(read_list_file(targets_file))
    if not wanted:
        msg = "name at least one target with --to or --targets-file"
        raise ReachError(msg)
    opts = fo.IntrosOptions(
        targets=wanted, team=team, max_hops=max_hops, top=top_k, max_asks=max_asks, do_not_ask=do_not_ask, since=since
    )
    rep = obj.feature(intros_fn, opts)
    reached = rep.paths["target_id"].n_unique()
    lines = [f"{reached} of {len(wanted)} targets reachable within {max_hops} hops of a team of {len(rep.team)}"]
    rows = rep.paths.select(
        "target", "rank", "hops", "strength_label", "strength", "bottleneck", "member", "introducer", "path", "why"
    )
    show(Output(data=rep.as_dict(), rows=rows, lines=lines), out_fmt, output, hashed=True)


@cli.command()
@click.option("--title", default=None, help=fo.doc(fo.CandidatesOptions, "title"))
@click.option("--company", default=None, help=fo.doc(fo.CandidatesOptions, "company"))
@click.option("--location", default=None, help=fo.doc(fo.CandidatesOptions, "location"))
@click.option("--regex", is_flag=True, help=fo.doc(fo.CandidatesOptions, "regex"))
@click.option("--people-file", type=click.Path(dir_okay=False, path_type=Path), help="Only these people, one per line.")
@click.option("--from", "team", multiple=True, help=TEAM_HELP)
@click.option("--exclude-company", multiple=True, help="Also leave out people at this company (repeatable).")
@click.option("--exclude-domain", multiple=True, help="Also leave out people with email at this domain.")
@click.option(
    "--max-hops",
    type=int_range(fo.CandidatesOptions, "max_hops"),
    default=fo.default(fo.CandidatesOptions, "max_hops"),
    show_default=True,
    help=fo.doc(fo.CandidatesOptions, "max_hops"),
)
@click.option(
    "--limit",
    type=int_range(fo.CandidatesOptions, "limit"),
    default=fo.default(fo.CandidatesOptions, "limit"),
    show_default=True,
    help=fo.doc(fo.CandidatesOptions, "limit"),
)
@output_options()
@click.pass_obj
@handle_errors
def candidates(
    obj: Ctx,
    title,
    company,
    location,
    regex,
    people_file,
    team,
    exclude_company,
    exclude_domain,
    max_hops,
    limit,
    out_fmt: str,
    output: Path | None,
) -> None:
    """Recruiter view: people matching a role within reach of the team, each with the best introducer.

    People already at the team's own company (its company names and email domains) are left out.

    Example: reach candidates --title "data engineer|ml engineer" --regex --location Berlin
    """
    from reach.features import candidates as candidates_fn

    opts = fo.CandidatesOptions(
        title=title,
        company=company,
        location=location,
        regex=regex,
        people=tuple(read_list_file(people_file)),
        team=team,
        exclude_companies=exclude_company,
        exclude_domains=exclude_domain,
        max_hops=max_hops,
        limit=limit,
    )
    rows = obj.feature(candidates_fn, opts)
    lines = [f"{rows.height} candidates within {max_hops} hops"]
    show(
        Output(data={"candidates": rows.to_dicts()}, rows=rows.drop("person_id", "why"), lines=lines),
        out_fmt,
        output,
        hashed=True,
    )


@cli.command()
@click.option(
    "--targets",
    "targets_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Target accounts, one per line: a company name and/or email domains separated by ';'.",
)
@click.option("--from", "team", multiple=True, help=TEAM_HELP)
@click.option(
    "--top-titles",
    type=int_range(fo.AccountsOptions, "top_titles"),
    default=fo.default(fo.AccountsOptions, "top_titles"),
    show_default=True,
    help=fo.doc(fo.AccountsOptions, "top_titles"),
)
@output_options()
@click.pass_obj
@handle_errors
def accounts(obj: Ctx, targets_file: Path, team, top_titles: int, out_fmt: str, output: Path | None) -> None:
    """Sales view: per target account, people known there, coverage within 1 and 2 hops, paths to the most
    senior people and the team members who carry the account.

    Example: reach accounts --targets accounts.txt   (lines like "Acme Inc.; acme.com")
    """
    from reach.features import accounts as accounts_fn

    opts = fo.AccountsOptions(accounts=tuple(read_list_file(targets_file)), team=team, top_titles=top_titles)
    res = obj.feature(accounts_fn, opts)
    lines = ["coverage:"]
    lines += [
        f"  {r['account']}: {r['n_people']} people known, {r['coverage_1hop']:.0%} within 1 hop, "
        f"{r['coverage_2hop']:.0%} within 2"
        for r in res.coverage.iter_rows(named=True)
    ]
    lines += ["", "carried by:"]
    lines += [
        f"  {r['account']}: {r['member']} ({r['n_hop1']} at 1 hop, {r['n_hop2']} at 2)"
        for r in res.carriers.iter_rows(named=True)
    ]
    lines += ["", "best paths to the most senior people:"]
    rows = res.paths.select("account", "target", "hops", "strength_label", "strength", "member", "introducer", "path")
    show(Output(data=res.as_dict(), rows=rows, lines=lines), out_fmt, output, hashed=True)


@cli.command("team")
@click.option("--from", "team", multiple=True, help=TEAM_HELP)
@click.option("--to", "targets", multiple=True, help="A target person, for the best-new-connection advice.")
@click.option("--targets-file", type=click.Path(dir_okay=False, path_type=Path), help="Target people, one per line.")
@click.option(
    "--hops",
    type=int_range(fo.TeamOptions, "hops"),
    default=fo.default(fo.TeamOptions, "hops"),
    show_default=True,
    help=fo.doc(fo.TeamOptions, "hops"),
)
@output_options()
@click.pass_obj
@handle_errors
def team_cmd(obj: Ctx, team, targets, targets_file, hops: int, out_fmt: str, output: Path | None) -> None:
    """Team reach: who adds the most unique reach (greedy order), and which one new connection would bring
    the most uncovered targets within two hops.

    Example: reach team --targets-file targets.txt
    """
    from reach.features import team_plan

    wanted = tuple(targets) + tuple(read_list_file(targets_file))
    res = obj.feature(team_plan, fo.TeamOptions(team=team, targets=wanted, hops=hops))
    lines = ["team members by unique reach added:"]
    if res.connections is not None:
        lines = (
            [f"best new connections for {len(wanted)} targets:"]
            + [
                f"  {r['display_name']}: brings {r['n_targets_gained']} targets within 2 hops "
                f"(now {r['distance']} hops away)"
                for r in res.connections.iter_rows(named=True)
            ]
            + [""]
            + lines
        )
    show(Output(data=res.as_dict(), rows=res.order, lines=lines), out_fmt, output, hashed=True)


@cli.command()
@output_options()
def formats(out_fmt: str, output: Path | None) -> None:
    """List the input formats reach can import.

    Example: reach formats
    """
    from reach.io.formats import registry

    rows = pl.DataFrame(
        [{"format": f.name, "description": f.description, "needs_owner": f.needs_owner} for f in registry().values()]
    )
    show(Output(data={"formats": rows.to_dicts()}, rows=rows), out_fmt, output)


@cli.command("communities")
@click.option("--from", "team", multiple=True, help=TEAM_HELP)
@click.option(
    "--resolution",
    default=fo.default(fo.CommunitiesOptions, "resolution"),
    show_default=True,
    help=fo.doc(fo.CommunitiesOptions, "resolution"),
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--members", is_flag=True, help="List every person's community instead of the summary.")
@output_options()
@click.pass_obj
@handle_errors
def communities_cmd(
    obj: Ctx, team, resolution: str, seed: int, members: bool, out_fmt: str, output: Path | None
) -> None:
    """Clusters of the network (Leiden on tie strengths, fixed seed): sizes, dominant companies and
    domains, and which team members reach into each.

    Example: reach communities --format csv -o communities.csv
    """
    from reach.errors import ConfigError
    from reach.features import communities

    try:
        res_value: float | str = resolution if resolution == "auto" else float(resolution)
    except ValueError:
        msg = f"--resolution: expected 'auto' or a number, got {resolution!r}"
        raise ConfigError(msg) from None
    rep = obj.feature(communities, fo.CommunitiesOptions(team=team, resolution=res_value, seed=seed))
    res, summary = rep.result, rep.summary
    lines = [
        f"{summary.height} communities; modularity {res.modularity:.4f} at resolution {res.resolution:.3g}; seed {seed}"
    ]
    if members:
        show(
            Output(data={"membership": rep.members.to_dicts()}, rows=rep.members, lines=lines),
            out_fmt,
            output,
            hashed=True,
        )
        return
    rows = summary.with_columns(
        pl.col("top_companies").list.eval(pl.element().struct.field("value")).list.join(", "),
        pl.col("top_domains").list.eval(pl.element().struct.field("value")).list.join(", "),
    ).drop("team_reach")
    show(
        Output(
            data={
                "modularity": res.modularity,
                "resolution": res.resolution,
                "seed": seed,
                "communities": summary.to_dicts(),
            },
            rows=rows,
            lines=lines,
        ),
        out_fmt,
        output,
        hashed=True,
    )


@cli.command("brokers")
@click.option("--from", "team", multiple=True, help=TEAM_HELP)
@click.option(
    "--to", "targets", multiple=True, help="A target person (repeat); adds how many targets each broker carries."
)
@click.option("--targets-file", type=click.Path(dir_okay=False, path_type=Path), help="Target people, one per line.")
@click.option(
    "--top",
    type=int_range(fo.BrokersOptions, "top"),
    default=fo.default(fo.BrokersOptions, "top"),
    show_default=True,
    help=fo.doc(fo.BrokersOptions, "top"),
)
@click.option("--seed", type=int, default=0, show_default=True)
@output_options()
@click.pass_obj
@handle_errors
def brokers_cmd(obj: Ctx, team, targets, targets_file, top: int, seed: int, out_fmt: str, output: Path | None) -> None:
    """People who bridge: betweenness (sampled on large graphs), Burt's constraint, the communities they
    connect, and with targets, how many targets the team would lose without them.

    Example: reach brokers --to "Grace Lee" --to "Dev Patel"
    """
    from reach.features import brokers

    wanted = tuple(targets) + tuple(read_list_file(targets_file))
    rows = obj.feature(brokers, fo.BrokersOptions(team=team, targets=wanted, top=top, seed=seed))
    table = rows.with_columns(pl.col("bridged_communities").cast(pl.List(pl.String)).list.join(","))
    show(
        Output(data={"brokers": rows.to_dicts()}, rows=table.drop("person_id"), lines=[f"top {rows.height} brokers"]),
        out_fmt,
        output,
        hashed=True,
    )


@cli.command("run")
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Outputs folder instead of the config's [outputs] folder ({date} allowed).",
)
@click.option("--check", is_flag=True, help="Only validate the config (every problem at once); do nothing else.")
@click.option("--no-progress", is_flag=True, help="No progress display on stderr.")
@click.pass_obj
@handle_errors
def run_cmd(obj: Ctx, config: Path, out_dir: Path | None, check: bool, no_progress: bool) -> None:
    """Run the whole pipeline described by a TOML config: the nightly job.

    Prints a JSON summary on stdout; exit code 0 ok, 1 finished with failed files or rejects over the
    thresholds, 2 failed.

    Example: reach run pipeline.toml
    """
    from reach.run import load_run_config, run_pipeline

    if check:
        from datetime import datetime

        from reach.run import check_run_outputs

        cfg = load_run_config(config, out=out_dir)
        check_run_outputs(cfg, cfg.output_folder(datetime.now().astimezone()))
        click.echo(f"{config}: ok")
        return
    if not obj.quiet:
        logging.getLogger("reach.run").setLevel(logging.INFO)  # stage timings on stderr
    summary = run_pipeline(config, out=out_dir, quiet=obj.quiet, progress=False if no_progress else None)
    click.echo(summary.to_json(), nl=False)
    if summary.error:
        click.echo(f"reach: error: {summary.error}", err=True)
    sys.exit(summary.exit_code)


@cli.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reach-demo"),
    show_default=True,
    help="Where the demo workspace and outputs go.",
)
@click.pass_obj
@handle_errors
def demo(obj: Ctx, out_dir: Path) -> None:
    """Run the whole pipeline on the bundled sample exports of a three-person team: import, resolve,
    strengths, intros, reach, communities, statistics, and an HTML report.

    Example: reach demo --out /tmp/reach-demo
    """
    from reach.demo import run_demo

    summary, lines = run_demo(out_dir, quiet=obj.quiet)
    for line in lines:
        click.echo(line)
    sys.exit(summary.exit_code)


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port (0: any free one).")
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on (this machine only by default)."
)
@click.option("--allow-remote", is_flag=True, help="Allow a --host other machines can reach (prints a warning).")
@click.pass_obj
@handle_errors
def serve(obj: Ctx, port: int, host: str, allow_remote: bool) -> None:
    """The team's network in a browser: search, person pages, routes, targets, accounts, candidates, team and
    network, read-only. Prints a link with a random access token; a new build is picked up without a restart.

    Example: reach serve --port 8765
    """
    from reach.pipeline import build
    from reach.serve import serve as serve_fn

    build(obj.workspace)  # like every query command: bring the build up to date first, then only read
    serve_fn(obj.workspace, host=host, port=port, pseudonymise=obj.pseudonymise, allow_remote=allow_remote)


def main() -> None:
    cli(prog_name="reach")


if __name__ == "__main__":
    main()
