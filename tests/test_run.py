"""`reach run`: config validation, a full run on the bundled samples, incremental re-runs, locking,
failure safety, changes since the last run, and every output read back by other tools."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

import reach.run
import reach.run.stages
from reach.errors import ConfigError, WorkspaceError
from reach.reports.outputs import OUTPUT_TABLES, docs_markdown
from reach.run import STAGES, RunConfigError, load_run_config, run_lock, run_pipeline

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "data" / "samples"
DAY1 = datetime(2024, 5, 1, 2, 0).astimezone()
DAY2 = datetime(2024, 5, 2, 2, 0).astimezone()
TEAM = ["ana@northwind.example", "ben@northwind.example", "chloe@northwind.example"]
TARGETS = ["omar.haddad@acme.example", "lena.fischer@globex.example", "tom.becker@initech.example"]
try:
    import reach.algorithms.brokers
except ImportError:  # brokers.parquet is written only when the brokers module is there
    ALWAYS = [n for n in OUTPUT_TABLES if n != "brokers"]
else:
    ALWAYS = list(OUTPUT_TABLES)


OPTIONAL_SAMPLES = [  # (path or glob under data/samples, key, owner): used when the sample is there
    ("mail/ana-takeout.mbox", "path", "ana@northwind.example"),
    ("whatsapp/*.txt", "glob", "chloe@northwind.example"),
    ("slack/northwind", "path", None),
    ("calendar/*.ics", "glob", "ben@northwind.example"),
    ("vcard/*.vcf", "glob", "chloe@northwind.example"),
]


def sample_sources() -> str:
    """[[sources]] for the bundled samples that are there (the edge list always is)."""
    parts = [f'[[sources]]\npath = "{SAMPLES / "edgelist" / "northwind-referrals.csv"}"\nformat = "edgelist"\n']
    for rel, key, owner in OPTIONAL_SAMPLES:
        if not list(SAMPLES.glob(rel)):
            continue
        part = f'[[sources]]\n{key} = "{SAMPLES / rel}"\n'
        parts.append(part + (f'owner = "{owner}"\n' if owner else ""))
    return "\n".join(parts)


def write_config(folder: Path, *, outputs: str = "", extra_sources: str = "", top: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "targets.txt").write_text("# targets, one a line\n" + "\n".join(TARGETS[1:]) + "\nNobody Atall\n")
    cfg = folder / "run.toml"
    cfg.write_text(f"""
workspace = "ws"
team = {json.dumps(TEAM)}
{top}
[targets]
list = ["{TARGETS[0]}"]
file = "targets.txt"

[accounts]
list = ["Acme Inc.; acme.example", "Globex; globex.example", "Initech; initech.example"]

[candidates]
max_hops = 2

[outputs]
folder = "out/{{date}}"
{outputs}

{sample_sources()}
{extra_sources}
""")
    return cfg


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """A first run (every output, CSV too) and an unchanged second run into the next day's folder."""
    base = tmp_path_factory.mktemp("run")
    cfg = write_config(base, outputs="csv = true")
    first = run_pipeline(cfg, now=DAY1, quiet=True)
    second = run_pipeline(cfg, now=DAY2, quiet=True)
    return {"base": base, "cfg": cfg, "first": first, "second": second}


def lean(tmp_path: Path, **kw) -> Path:
    """A config without plots and HTML, for the fast tests."""
    outputs = "plots = false\nhtml = false\n" + kw.pop("outputs", "")
    return write_config(tmp_path, outputs=outputs, **kw)


# ------------------------------------------------------------------ config validation
def test_config_reports_every_problem_at_once_before_any_work(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("""
workspace = "ws"
colour = "blue"
team = "ana"

[[sources]]
path = "missing/Connections.csv"

[[sources]]
glob = "nothing/*.mbox"
format = "xlsx"

[[sources]]
path = "a.csv"
glob = "*.csv"

[outputs]
folder = "out/{day}"
csv = "yes"
cvs = true

[strength]
half_life_days = -3
warmth = 2

[resolve]
default_region = "Britain"

[intros]
max_hops = 0

[thresholds]
max_reject_rate = 2
""")
    with pytest.raises(RunConfigError) as info:
        run_pipeline(cfg)
    err = info.value
    assert isinstance(err, ConfigError) and err.exit_code == 2
    text = str(err)
    assert str(cfg) in text
    expected = [
        "colour",
        "team",
        "sources[1].path",
        "sources[2].glob",
        "sources[2].format",
        "sources[3]",
        "outputs.folder",
        "outputs.csv",
        "outputs.cvs",
        "strength.half_life_days",
        "strength: unknown key 'warmth'",
        "resolve.default_region",
        "intros.max_hops",
        "thresholds.max_reject_rate",
    ]
    for key in expected:
        assert key in text, key
    assert len(err.problems) >= len(expected)
    assert not (tmp_path / "ws").exists(), "nothing is done before the config is valid"


def test_config_errors_name_missing_files_and_keys(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[targets]\nfile = "nope.txt"\n[outputs]\nplots = true\n')
    with pytest.raises(RunConfigError) as info:
        load_run_config(cfg)
    text = str(info.value)
    assert "workspace: missing" in text and "outputs.folder: missing" in text and "nope.txt" in text
    # overrides fill what the config leaves out (as `reach demo` does with data/samples/pipeline.toml)
    cfg.write_text("[outputs]\nplots = true\n")
    got = load_run_config(cfg, workspace=tmp_path / "w", out=tmp_path / "o")
    assert got.workspace == tmp_path / "w" and got.folder == str(tmp_path / "o")


def test_bad_toml_and_missing_file_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="no such run config"):
        run_pipeline(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("workspace = \n")
    with pytest.raises(RunConfigError, match="not valid TOML"):
        run_pipeline(bad)


# ------------------------------------------------------------------ the full run
def test_full_run_writes_every_output(full):
    s = full["first"]
    assert s.exit_code == 0 and s.status == "ok", s.error
    assert [st["stage"] for st in s.stages] == list(STAGES)
    out = Path(s.outputs)
    assert out == full["base"] / "out" / "2024-05-01"
    for name in ALWAYS:
        assert (out / f"{name}.parquet").is_file(), name
        assert (out / f"{name}.csv").is_file(), name
    for name in (
        "graph.graphml",
        "report.html",
        "summary.json",
        "plots/distances.png",
        "plots/team_reach.png",
        "plots/communities.png",
        "plots/intro_paths.png",
    ):
        assert (out / name).is_file(), name
    assert (out / "plots" / "intro_paths.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert s.targets == 4 and s.targets_reachable == 3
    assert s.files["imported"] == s.files["total"] >= 1 and s.rebuilt is True
    last = json.loads((full["base"] / "ws" / "last_run.json").read_text())
    assert last["outputs"] == full["second"].outputs  # the latest finished run
    assert not list(out.parent.glob(".reach-*")), "no temp folders left behind"
    assert json.loads((out / "summary.json").read_text())["config"] == str(full["cfg"])


def test_outputs_have_documented_columns_and_docs_are_current(full):
    out = Path(full["first"].outputs)
    for name in ALWAYS:
        cols = pq.read_schema(out / f"{name}.parquet").names
        assert cols == [c for c, _, _ in OUTPUT_TABLES[name].columns], name
    docs = (REPO / "docs" / "outputs.md").read_text(encoding="utf-8")
    assert docs == docs_markdown() + "\n", "regenerate docs/outputs.md from reach.reports.outputs.docs_markdown()"


def test_results_make_sense_on_the_samples(full):
    out = Path(full["first"].outputs)
    targets = pl.read_parquet(out / "targets.parquet")
    nobody = targets.filter(pl.col("target") == "Nobody Atall").row(0, named=True)
    assert nobody["found"] is False and nobody["reachable"] is False and "no person matches" in nobody["note"]
    intros = pl.read_parquet(out / "intros.parquet")
    assert set(intros["target_id"]) == set(targets.filter(pl.col("reachable"))["person_id"])
    for r in intros.iter_rows(named=True):
        assert r["path_ids"][-1] == r["target_id"] and len(r["path_ids"]) == r["hops"] + 1
        assert 0 < r["strength"] <= r["bottleneck"] <= 1
    team = pl.read_parquet(out / "team_reach.parquet")
    assert team.height == 3 and team["order"].to_list() == [1, 2, 3]
    stats = pl.read_parquet(out / "stats.parquet").row(0, named=True)
    reached = pl.read_parquet(out / "reached.parquet")
    assert reached.height == stats["team_total"] and set(reached["distance"]) <= {1, 2}
    members = pl.read_parquet(out / "community_members.parquet")
    assert members.height == stats["people"]
    comm = pl.read_parquet(out / "communities.parquet")
    assert comm["n_people"].sum() == stats["people"]
    assert pl.read_parquet(out / "accounts.parquet").height == 3


def test_outputs_read_with_pyarrow_polars_pandas(full):
    out = Path(full["first"].outputs)
    for name in ALWAYS:
        t = pq.read_table(out / f"{name}.parquet")
        assert pl.read_parquet(out / f"{name}.parquet").shape == (t.num_rows, t.num_columns)
    pd = pytest.importorskip("pandas", reason="pandas is not installed")
    df = pd.read_parquet(out / "intros.parquet")
    assert len(df) == pq.read_metadata(out / "intros.parquet").num_rows


def test_outputs_read_with_duckdb(full):
    duckdb = pytest.importorskip("duckdb", reason="DuckDB is not installed (pip install duckdb)")
    out = Path(full["first"].outputs)
    con = duckdb.connect()
    n = con.execute(f"select count(*) from '{out / 'intros.parquet'}'").fetchone()[0]
    assert n == pq.read_metadata(out / "intros.parquet").num_rows
    rows = con.execute(f"""
        select t.target, i.strength from '{out / "targets.parquet"}' t
        join '{out / "intros.parquet"}' i on i.target_id = t.person_id and i.rank = 1 order by i.strength desc
    """).fetchall()
    assert len(rows) == 3
    tops = con.execute(f"select unnest(top_domains).value from '{out / 'communities.parquet'}'").fetchall()
    assert any("example" in r[0] for r in tops)


def test_graphml_is_readable_by_networkx_with_the_same_counts(full):
    nx = pytest.importorskip("networkx")
    out = Path(full["first"].outputs)
    g = nx.read_graphml(out / "graph.graphml")
    stats = pl.read_parquet(out / "stats.parquet").row(0, named=True)
    assert g.number_of_nodes() == stats["people"] and g.number_of_edges() == stats["ties"]
    _, attrs = next(iter(g.nodes(data=True)))
    assert {"person_id", "name", "company", "community", "is_team"} <= set(attrs)
    _, _, eattrs = next(iter(g.edges(data=True)))
    assert 0 < eattrs["strength"] <= 1
    people = pl.read_parquet(out / "people.parquet")
    assert {d["person_id"] for _, d in g.nodes(data=True)} == set(people["person_id"])
    assert sum(d["is_team"] for _, d in g.nodes(data=True)) == 3


def test_html_report_is_self_contained(full):
    page = (Path(full["first"].outputs) / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.IGNORECASE)
    assert "<link" not in page and "@import" not in page and not re.search(r"url\(\s*['\"]?https?:", page)
    assert page.count('src="data:image/png;base64,') == 4
    for section in (
        "summary",
        "changes",
        "team",
        "intros",
        "accounts",
        "candidates",
        "communities",
        "network",
        "imports",
    ):
        assert f'id="{section}"' in page
    assert "Grace Lee" in page and "first run" in page.lower()


# ------------------------------------------------------------------ incremental re-runs and changes
def test_second_unchanged_run_reimports_and_rebuilds_nothing(full):
    first, second = full["first"], full["second"]
    assert second.exit_code == 0, second.error
    assert second.files["imported"] == 0 and second.files["unchanged"] == second.files["total"] == first.files["total"]
    assert second.rebuilt is False
    reused = {st["stage"]: st.get("reused") for st in second.stages}
    assert reused["communities"] is True and reused["stats"] is True  # copied from the last outputs
    assert {st["stage"]: st.get("reused") for st in first.stages}["communities"] is False
    for name in ("communities", "community_members", "distances"):
        a = pl.read_parquet(Path(first.outputs) / f"{name}.parquet")
        assert a.equals(pl.read_parquet(Path(second.outputs) / f"{name}.parquet")), name
    assert second.previous_outputs == first.outputs
    assert second.changes == {}
    assert Path(second.outputs).name == "2024-05-02" and Path(first.outputs).is_dir()
    assert second.seconds < 20
    imports = pl.read_parquet(Path(second.outputs) / "imports.parquet")
    assert set(imports["status"]) == {"unchanged"} and imports["n_rows"].sum() > 0  # counts from the first import


def test_changes_since_the_last_run(tmp_path):
    cfg = lean(tmp_path)
    first = run_pipeline(cfg, now=DAY1, quiet=True)
    assert first.exit_code == 0 and first.changes == {}
    (tmp_path / "new.csv").write_text(
        "source,target,weight\n"
        "ben@northwind.example,omar.haddad@acme.example,9\n"  # a warmer, shorter path to a target
        "chloe@northwind.example,nina@umbrella.example,2\n"  # a new person in reach
        "nina@umbrella.example,zoe@umbrella.example,2\n"
    )
    cfg2 = lean(tmp_path, extra_sources='[[sources]]\npath = "new.csv"\nformat = "edgelist"\n')
    second = run_pipeline(cfg2, now=DAY2, quiet=True)
    assert second.exit_code == 0, second.error
    assert not any(st.get("reused") for st in second.stages), "a changed graph is analysed afresh"
    changes = pl.read_parquet(Path(second.outputs) / "changes.parquet")
    assert {"warmer", "new_in_reach", "closer"} <= set(second.changes)
    new = set(changes.filter(pl.col("change") == "new_in_reach")["name"])
    assert {"nina@umbrella.example", "zoe@umbrella.example"} <= new
    warmer = changes.filter(pl.col("change") == "warmer").row(0, named=True)
    assert warmer["current"] > warmer["previous"] and warmer["delta"] >= 0.05


def test_unknown_target_becoming_known_is_newly_reachable(tmp_path):
    cfg = lean(tmp_path, top="")
    cfg.write_text(cfg.read_text().replace('list = ["omar', 'list = ["quinn@hooli.example", "omar'))
    first = run_pipeline(cfg, now=DAY1, quiet=True)
    assert first.exit_code == 0
    (tmp_path / "q.csv").write_text("ana@northwind.example,quinn@hooli.example,1\n")
    cfg.write_text(cfg.read_text() + '\n[[sources]]\npath = "q.csv"\nformat = "edgelist"\n')
    second = run_pipeline(cfg, now=DAY2, quiet=True)
    changes = pl.read_parquet(Path(second.outputs) / "changes.parquet")
    row = changes.filter(pl.col("change") == "newly_reachable").row(0, named=True)
    assert row["name"] == "quinn@hooli.example" and row["previous"] is None and row["current"] > 0


# ------------------------------------------------------------------ safety: lock, failures, leftovers
def test_a_second_run_is_refused_while_one_is_going(tmp_path):
    cfg = lean(tmp_path)
    with run_lock(tmp_path / "ws"), pytest.raises(WorkspaceError, match="another reach run is using workspace"):
        run_pipeline(cfg, quiet=True)
    assert run_pipeline(cfg, now=DAY1, quiet=True).exit_code == 0  # the lock is released afterwards


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("where", ["stage", "report"])
def test_a_failed_stage_leaves_previous_outputs_intact(tmp_path, monkeypatch, where):
    cfg = lean(tmp_path, outputs="csv = true")
    first = run_pipeline(cfg, now=DAY1, quiet=True)
    out = Path(first.outputs)
    before = _snapshot(out)
    last_run = (tmp_path / "ws" / "last_run.json").read_bytes()

    def boom(*args, **kwargs):
        msg = "disk on fire"
        raise RuntimeError(msg)

    if where == "stage":
        monkeypatch.setattr(reach.run.stages, "stage_communities", boom)
    else:  # half way through writing the outputs
        monkeypatch.setattr("reach.reports.outputs.write_graphml", boom)
    second = run_pipeline(cfg, now=DAY1, quiet=True)  # same day: the same folder would be replaced
    assert second.exit_code == 2 and second.status == "failed"
    assert second.failed_stage == ("communities" if where == "stage" else "report")
    assert "disk on fire" in second.error and "previous outputs were left as they were" in second.error
    assert second.outputs is None
    assert _snapshot(out) == before
    assert not list(out.parent.glob(".reach-*")), "the half-written temp folder is removed"
    assert (tmp_path / "ws" / "last_run.json").read_bytes() == last_run
    assert second.stages[-1]["status"] == "failed"


def test_a_reach_error_in_a_stage_is_one_clear_line(tmp_path):
    cfg = lean(tmp_path)
    cfg.write_text(cfg.read_text().replace("team = [", 'team = ["Nobody In Particular", '))
    s = run_pipeline(cfg, now=DAY1, quiet=True)
    assert s.exit_code == 2 and s.failed_stage == "graph"
    assert "team: no person matches 'Nobody In Particular'" in s.error and "bug" not in s.error


KILL_SCRIPT = """
import sys, time
from datetime import datetime
import reach.reports.outputs as o
import reach.run
import reach.run.stages

write = o.write_table

def slow(*args, **kwargs):
    out = write(*args, **kwargs)
    print("writing", flush=True)
    time.sleep(60)
    return out

o.write_table = slow
reach.run.run_pipeline(sys.argv[1], now=datetime.fromisoformat(sys.argv[2]), quiet=True)
"""


def test_a_run_killed_while_writing_leaves_previous_outputs_and_no_lock(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    cfg = lean(tmp_path)
    out = Path(run_pipeline(cfg, now=DAY1, quiet=True).outputs)
    before = _snapshot(out)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(cfg), DAY1.isoformat()], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "writing"  # half way through the report stage
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
    assert _snapshot(out) == before
    assert list(out.parent.glob(".reach-tmp-*")), "the killed run's temp folder is there ..."
    s = run_pipeline(cfg, now=DAY1, quiet=True)  # ... the lock died with the process, the next run goes ahead
    assert s.exit_code == 0, s.error
    assert not list(out.parent.glob(".reach-*")), "... and the next run cleans it up"


def test_leftovers_of_a_killed_run_are_cleaned_up(tmp_path, monkeypatch):
    cfg = lean(tmp_path)
    out = Path(run_pipeline(cfg, now=DAY1, quiet=True).outputs)
    before = _snapshot(out)
    # killed between the two renames of publishing: the old folder renamed away, the new one not in place yet
    out.rename(out.parent / f".reach-old-{out.name}-dead")
    stale = out.parent / f".reach-tmp-{out.name}-999999999-beef"  # a temp folder of a process that is gone
    stale.mkdir()
    (stale / "intros.parquet").write_bytes(b"half")

    def boom(st):
        msg = "stop here"
        raise RuntimeError(msg)

    monkeypatch.setattr(reach.run.stages, "stage_import", boom)
    s = run_pipeline(cfg, now=DAY1, quiet=True)
    assert s.exit_code == 2
    assert _snapshot(out) == before, "the previous outputs are restored"
    assert not list(out.parent.glob(".reach-*"))


# ------------------------------------------------------------------ exit code 1, CSV, progress
def test_failed_files_and_rejects_over_the_threshold_give_exit_code_1(tmp_path):
    (tmp_path / "bad.csv").write_text(
        "source,target,weight\nana@northwind.example,x@y.example,heavy\nana@northwind.example,z@y.example,2\n"
    )
    (tmp_path / "blob.bin").write_bytes(bytes(range(256)) * 4)
    cfg = lean(
        tmp_path,
        outputs="",
        extra_sources='[[sources]]\npath = "bad.csv"\nformat = "edgelist"\n[[sources]]\npath = "blob.bin"\n',
    )
    cfg.write_text(cfg.read_text() + "\n[thresholds]\nmax_rejects = 0\n")
    s = run_pipeline(cfg, now=DAY1, quiet=True)
    assert s.exit_code == 1 and s.status == "warnings"
    assert s.files["failed"] == 1
    assert any("failed to import" in w for w in s.warnings) and any("rejects" in w for w in s.warnings)
    out = Path(s.outputs)
    rejects = pl.read_parquet(out / "rejects.parquet")
    assert rejects.height == s.rejects and rejects.filter(pl.col("path").str.ends_with("bad.csv")).height == 1
    imports = pl.read_parquet(out / "imports.parquet")
    assert imports.filter(pl.col("status") == "failed")["error"][0]


def test_csv_outputs_escape_formulas(tmp_path):
    (tmp_path / "evil.csv").write_text(
        'ana@northwind.example,=HYPERLINK("http://evil.example"),1\n'
        "ana@northwind.example,+cmd|calc,1\n"
        "ana@northwind.example,@SUM(A1),1\n"
    )
    cfg = lean(tmp_path, outputs="csv = true", extra_sources='[[sources]]\npath = "evil.csv"\nformat = "edgelist"\n')
    s = run_pipeline(cfg, now=DAY1, quiet=True)
    assert s.exit_code == 0, s.error
    text = (Path(s.outputs) / "people.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    names = {r["display_name"] for r in rows}
    assert '\'=HYPERLINK("http://evil.example")' in names
    assert "'+cmd|calc" in names and "'@SUM(A1)" in names
    for r in rows:
        for v in r.values():
            assert not v.startswith(("=", "+", "@")), v
    parquet = pl.read_parquet(Path(s.outputs) / "people.parquet")
    assert '=HYPERLINK("http://evil.example")' in set(parquet["display_name"])  # Parquet keeps the value


def test_progress_callback_sees_every_stage(tmp_path):
    seen: list[tuple[str, int, int | None]] = []
    s = run_pipeline(lean(tmp_path), now=DAY1, progress=lambda *a: seen.append(a))
    assert s.exit_code == 0
    assert list(dict.fromkeys(name for name, _, _ in seen)) == list(STAGES)
    imports = [(d, t) for name, d, t in seen if name == "import" and t]
    assert imports[-1][0] == imports[-1][1] == s.files["total"]


def test_bundled_pipeline_toml_runs_as_is_with_overrides(tmp_path):
    s = run_pipeline(SAMPLES / "pipeline.toml", workspace=tmp_path / "ws", out=tmp_path / "out", quiet=True)
    assert s.exit_code in (0, 1), s.error
    assert (tmp_path / "out" / "report.html").is_file() and s.targets >= 1


def test_graphml_auto_skips_huge_graphs_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr("reach.run.stages.GRAPHML_AUTO_MAX_TIES", 3)  # the sample graph has more ties than this
    s = run_pipeline(lean(tmp_path), now=DAY1, quiet=True)
    assert s.exit_code == 0, s.error
    assert not (Path(s.outputs) / "graph.graphml").exists()
    assert any("graph.graphml not written" in n and "graphml = true" in n for n in s.notes)
    forced = run_pipeline(lean(tmp_path / "forced", outputs="graphml = true\n"), now=DAY1, quiet=True)
    assert (Path(forced.outputs) / "graph.graphml").exists()


def test_graphml_option_rejects_other_values(tmp_path):
    with pytest.raises(RunConfigError, match='outputs.graphml: expected true, false or "auto"'):
        load_run_config(lean(tmp_path, outputs='graphml = "yes"\n'))


def test_run_settings_carry_over_to_later_commands(tmp_path):
    """A run's [strength] applies to the commands run on its workspace afterwards: no silent rebuild."""
    from reach.builder import build
    from reach.settings import load_settings
    from reach.workspace import Workspace

    cfg = lean(tmp_path, extra_sources="[strength]\nhalf_life_days = 30\n")
    s = run_pipeline(cfg, now=DAY1, quiet=True)
    assert s.exit_code == 0, s.error
    ws = Workspace.open(tmp_path / "ws")
    assert load_settings(ws).strength.half_life_days == 30
    assert json.loads(ws.run_settings_path.read_text())["strength"] == {"half_life_days": 30}
    assert build(ws)["rebuilt"] == 0  # what `reach path` & co. call first: the run's build is current
    # a later run without the section drops it; the workspace's own settings apply again
    plain = lean(tmp_path)
    again = run_pipeline(plain, now=DAY2, quiet=True)
    assert again.exit_code == 0 and again.rebuilt is True
    assert not ws.run_settings_path.exists()
    assert load_settings(ws).strength.half_life_days != 30


def test_an_import_during_a_run_never_makes_a_later_run_reuse_stale_results(tmp_path, monkeypatch):
    """The hostile probe: an import lands while a run is in its communities stage. The run's analysis keys must
    name the build its graph was read from, so the next (otherwise unchanged) run recomputes for the new build."""
    from reach.builder import build
    from reach.imports import import_paths

    cfg = lean(tmp_path)
    extra = tmp_path / "late.csv"
    extra.write_text(
        "source,target\nlate.one@example.org,late.two@example.org\nlate.two@example.org,late.three@example.org\n"
    )
    real = reach.run.stages.stage_communities
    calls = {"n": 0}

    def communities_with_a_concurrent_import(st):
        if calls["n"] == 0:  # another process imports (and rebuilds) in the middle of the first run
            import_paths(tmp_path / "ws", [extra], fmt="edgelist")
            build(reach.workspace.Workspace.open(tmp_path / "ws"))
        calls["n"] += 1
        return real(st)

    monkeypatch.setattr(reach.run.stages, "stage_communities", communities_with_a_concurrent_import)
    run_pipeline(cfg, now=DAY1, quiet=True)
    second = run_pipeline(cfg, now=DAY2, quiet=True)
    ws = reach.workspace.Workspace.open(tmp_path / "ws")
    n_people = ws.built("people").num_rows
    stats = pq.read_table(Path(second.outputs) / "stats.parquet").to_pylist()[0]
    assert stats["people"] == n_people  # the graph of this run, not the one the first run read
    members = pq.read_table(Path(second.outputs) / "community_members.parquet")
    assert members.num_rows == n_people
