"""Export versions: a file imported again from the same place for the same owner replaces its previous version.

Each equality test compares with ONE clean import of the final content (tests/test_events.py has the helpers).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from reach.cli import cli
from reach.imports import import_paths
from reach.io.files import write_parquet
from reach.run import run_pipeline
from reach.workspace import Workspace
from tests.test_events import ENRON, _messages, _people, _ties

HEADER = "First Name,Last Name,Organization Name,Organization Title,E-mail 1 - Label,E-mail 1 - Value\n"
ROWS = [
    ("Ben", "Berg", "Acme", "CTO", "ben@example.com"),
    ("Cy", "Cole", "Beta", "CEO", "cy@example.com"),
    ("Dee", "Dunn", "Gamma", "VP", "dee@example.com"),
]


def _contacts(rows) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    for first, last, org, title, email in rows:
        w.writerow([first, last, org, title, "* Work", email])
    return HEADER + out.getvalue()


def test_a_contacts_export_updated_in_place_is_a_new_version(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(_contacts(ROWS))
    first = import_paths(tmp_path / "ws", [path], owner="ana@example.com").files[0]
    assert (first.status, first.version, first.change) == ("imported", 1, None)
    updated = [ROWS[0], (*ROWS[1][:3], "Chair", ROWS[1][4]), ROWS[2], ("Eve", "Eng", "Delta", "CFO", "eve@example.com")]
    path.write_text(_contacts(updated))
    second = import_paths(tmp_path / "ws", [path], owner="ana@example.com").files[0]
    assert (second.status, second.version) == ("imported", 2)
    # the edited card is one record out and one in, the new card one in with its contact interaction
    c = second.change
    assert (c.records_added, c.records_removed) == (2, 1)
    assert (c.interactions_added, c.interactions_removed) == (1, 0)
    assert c.superseded == first.source_id

    ws = Workspace.open(tmp_path / "ws")
    assert ws.sources().num_rows == 1
    hist = ws.history().to_pylist()
    assert [(r["version"], r["superseded_at"] is None) for r in hist] == [(1, False), (2, True)]
    assert [r["n_records"] for r in hist] == [4, 5]  # owner + contacts, kept as history
    assert {p.stem for p in (ws.root / "raw" / "records").iterdir()} == {second.source_id}

    clean = tmp_path / "clean.csv"
    clean.write_text(_contacts(updated))
    import_paths(tmp_path / "clean", [clean], owner="ana@example.com")
    assert _ties(tmp_path / "ws").equals(_ties(tmp_path / "clean"))
    assert _people(tmp_path / "ws").equals(_people(tmp_path / "clean"))
    titles = dict(pl.from_arrow(ws.built("people")).select("display_name", "title").iter_rows())
    assert titles["Cy Cole"] == "Chair"

    # the same bytes again change nothing
    again = import_paths(tmp_path / "ws", [path], owner="ana@example.com").files[0]
    assert (again.status, again.source_id, again.version) == ("unchanged", second.source_id, 2)
    assert Workspace.open(tmp_path / "ws").history().num_rows == 2


def test_a_version_with_the_bytes_of_an_older_one_is_a_new_version(tmp_path):
    path = tmp_path / "contacts.csv"
    texts = [_contacts(ROWS), _contacts(ROWS[:2]), _contacts(ROWS)]
    ids = []
    for text in texts:
        path.write_text(text)
        ids.append(import_paths(tmp_path / "ws", [path], owner="ana@example.com").files[0].source_id)
    ws = Workspace.open(tmp_path / "ws")
    assert len(set(ids)) == 3
    assert ws.source_ids() == [ids[2]]
    assert ws.raw("records").num_rows == 4


@pytest.mark.skipif(not ENRON.exists(), reason="shared Enron data not available")
def test_a_mailbox_that_grew_imported_again_at_the_same_path_equals_one_import(tmp_path):
    msgs = _messages(ENRON)
    box = tmp_path / "sent.mbox"
    owner = "phillip.allen@enron.com"
    box.write_bytes(b"".join(msgs[: len(msgs) // 2]))
    import_paths(tmp_path / "ws", [box], owner=owner)
    box.write_bytes(b"".join(msgs))
    grown = import_paths(tmp_path / "ws", [box], owner=owner).files[0]
    assert grown.version == 2
    assert grown.change.interactions_removed == 0
    import_paths(tmp_path / "clean", [ENRON], owner=owner)
    ws, clean = _ties(tmp_path / "ws"), _ties(tmp_path / "clean")
    assert ws.equals(clean)
    assert _people(tmp_path / "ws").equals(_people(tmp_path / "clean"))
    # the interactions held are those of one import, not two
    n = Workspace.open(tmp_path / "ws").raw("interactions").num_rows
    assert n == Workspace.open(tmp_path / "clean").raw("interactions").num_rows


def test_a_dated_file_named_as_the_same_source_supersedes_the_one_before(tmp_path):
    nov, dec = tmp_path / "Contacts-2026-11-01.csv", tmp_path / "Contacts-2026-12-01.csv"
    nov.write_text(_contacts(ROWS[:2]))
    dec.write_text(_contacts(ROWS))
    import_paths(tmp_path / "ws", [nov], owner="ana@example.com", source="ana-contacts")
    res = import_paths(tmp_path / "ws", [dec], owner="ana@example.com", source="ana-contacts").files[0]
    assert res.change is not None and res.change.records_added == 1
    ws = Workspace.open(tmp_path / "ws")
    assert ws.sources().column("path").to_pylist() == [str(dec)]
    # without a name, two files are two sources; --new-source keeps a re-import of one path apart
    import_paths(tmp_path / "apart", [nov], owner="ana@example.com")
    import_paths(tmp_path / "apart", [dec], owner="ana@example.com")
    assert Workspace.open(tmp_path / "apart").sources().num_rows == 2
    nov.write_text(_contacts(ROWS[2:]))
    extra = import_paths(tmp_path / "apart", [nov], owner="ana@example.com", new_source=True).files[0]
    assert extra.change is None
    assert Workspace.open(tmp_path / "apart").sources().num_rows == 3


def test_another_owners_export_at_the_same_path_is_another_source(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(_contacts(ROWS[:1]))
    import_paths(tmp_path / "ws", [path], owner="ana@example.com")
    path.write_text(_contacts(ROWS[1:]))
    res = import_paths(tmp_path / "ws", [path], owner="ben@example.com").files[0]
    assert res.change is None
    srcs = Workspace.open(tmp_path / "ws").sources()
    assert sorted(srcs.column("owner").to_pylist()) == ["ana@example.com", "ben@example.com"]
    # the owner label compares as written by a person: case and spaces aside
    path.write_text(_contacts(ROWS))
    res = import_paths(tmp_path / "ws", [path], owner=" Ben@Example.com").files[0]
    assert res.version == 2


def test_sources_owner_records_the_owner_for_every_format(tmp_path):
    ics = tmp_path / "cal.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u1\r\nDTSTART:20240105T100000Z\r\n"
        "ORGANIZER:mailto:ana@example.com\r\nATTENDEE:mailto:ben@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    import_paths(tmp_path / "ws", [ics], owner="ana@example.com")
    assert Workspace.open(tmp_path / "ws").sources().column("owner").to_pylist() == ["ana@example.com"]


def test_cli_sources_shows_one_row_per_source_and_history_every_version(tmp_path):
    path = tmp_path / "contacts.csv"
    ws = str(tmp_path / "ws")
    run = CliRunner().invoke
    for rows in (ROWS[:2], ROWS):
        path.write_text(_contacts(rows))
        res = run(cli, ["--workspace", ws, "import", str(path), "--owner", "ana@example.com"])
        assert res.exit_code == 0, res.output
    assert "version 2 supersedes version 1" in res.output
    assert "records +1 -0" in res.output
    cur = json.loads(run(cli, ["--workspace", ws, "sources", "--format", "json"]).output)["sources"]
    hist = json.loads(run(cli, ["--workspace", ws, "sources", "--history", "--format", "json"]).output)["sources"]
    assert [(r["version"], r["owner"]) for r in cur] == [(2, "ana@example.com")]
    assert [r["version"] for r in hist] == [1, 2]
    assert hist[0]["superseded_at"] is not None and hist[1]["superseded_at"] is None
    bad = run(cli, ["--workspace", ws, "import", str(path), str(path), "--source", "x"])
    assert bad.exit_code != 0 and "--source names one export" in bad.output
    # removing the source takes its history too
    assert run(cli, ["--workspace", ws, "sources", "--remove", str(path)]).exit_code == 0
    assert Workspace.open(ws).history().num_rows == 0


def test_run_config_names_a_source_whose_newest_dated_file_is_current(tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "Contacts-2026-11-01.csv").write_text(_contacts(ROWS[:2]))
    cfg = tmp_path / "run.toml"
    cfg.write_text(
        'workspace = "ws"\n[outputs]\nfolder = "out/{date}"\nplots = false\nhtml = false\n'
        '[[sources]]\nglob = "exports/Contacts-*.csv"\nname = "ana-contacts"\nowner = "ana@example.com"\n'
    )
    first = run_pipeline(cfg, quiet=True)
    assert first.exit_code == 0, first.error
    (exports / "Contacts-2026-12-01.csv").write_text(_contacts(ROWS))
    second = run_pipeline(cfg, quiet=True)
    assert second.exit_code == 0, second.error
    assert any("version 2 supersedes version 1" in n for n in second.notes)
    ws = Workspace.open(tmp_path / "ws")
    assert ws.sources().column("path").to_pylist() == [str(exports / "Contacts-2026-12-01.csv")]
    assert ws.sources().column("source_name").to_pylist() == ["ana-contacts"]
    # the same content downloaded again changes nothing
    third = run_pipeline(cfg, quiet=True)
    assert third.files["unchanged"] == 1 and not third.rebuilt


def test_run_config_refuses_a_name_over_several_files(tmp_path):
    from reach.run import RunConfigError, load_run_config

    (tmp_path / "exports").mkdir()
    for n in ("a.csv", "b.csv"):
        (tmp_path / "exports" / n).write_text(_contacts(ROWS))
    cfg = tmp_path / "run.toml"
    cfg.write_text('workspace = "ws"\n[[sources]]\npath = "exports"\nname = "x"\nowner = "ana@example.com"\n')
    with pytest.raises(RunConfigError, match="a named source is one export"):
        load_run_config(cfg)


def test_a_schema_1_workspace_is_migrated_and_its_duplicate_imports_superseded(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(_contacts(ROWS[:2]))
    import_paths(tmp_path / "ws", [path], owner="ana@example.com")
    path.write_text(_contacts(ROWS))
    import_paths(tmp_path / "ws", [path], owner="ana@example.com", new_source=True)
    ws = Workspace.open(tmp_path / "ws")
    # turn it into what reach wrote before export versions: no name/version/superseded_at, schema 1
    old = ws.history().drop_columns(["source_name", "version", "superseded_at"])
    write_parquet(old, ws.root / "sources.parquet")
    ws.update_manifest(schema_version=1)
    assert pq.read_table(ws.root / "sources.parquet").num_rows == 2
    ids = old.column("source_id").to_pylist()

    migrated = Workspace.open(tmp_path / "ws")
    assert migrated.manifest()["schema_version"] == 2
    hist = migrated.history().to_pylist()
    assert [(r["source_name"], r["version"]) for r in hist] == [(str(path.resolve()), 1), (str(path.resolve()), 2)]
    assert migrated.source_ids() == [ids[1]]
    assert not migrated.raw_path("records", ids[0]).exists()
    assert migrated.raw("records").num_rows == 4


def test_a_workspace_of_an_unknown_schema_is_refused_with_a_clear_message(tmp_path):
    from reach.errors import WorkspaceError

    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.update_manifest(schema_version=99)
    with pytest.raises(WorkspaceError, match="schema version 99"):
        Workspace.open(tmp_path / "ws")


def test_a_killed_supersede_leaves_no_old_partition_in_the_build(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(_contacts(ROWS[:1]))
    old = import_paths(tmp_path / "ws", [path], owner="ana@example.com").files[0].source_id
    ws = Workspace.open(tmp_path / "ws")
    kept = ws.raw_table("records", old)
    path.write_text(_contacts(ROWS))
    import_paths(tmp_path / "ws", [path], owner="ana@example.com")
    # as if killed between the commit and the deletion: the old partition is back on disk
    write_parquet(kept, ws.raw_path("records", old))
    assert ws.raw("records").num_rows == 4
    assert pa.concat_tables([ws.raw_table("records", s) for s in ws.source_ids()]).num_rows == 4


MAIL = (
    "From {s} Mon Jan  1 00:00:00 2024\nFrom: {s}\nTo: {t}\nDate: {d:02d} Jan 2024 10:00:00 +0000\n"
    "Message-ID: <m{d}@example.com>\nSubject: hi\n\nbody\n\n"
)


def _mail(days) -> str:
    ana, omar = "ana@example.com", "omar@acme.example"
    return "".join(MAIL.format(s=ana if d % 2 else omar, t=omar if d % 2 else ana, d=d) for d in days)


def test_the_nightly_changes_report_real_changes_only(tmp_path):
    box = tmp_path / "ana.mbox"
    box.write_text(_mail([1, 2]))
    cfg = tmp_path / "run.toml"
    cfg.write_text(
        'workspace = "ws"\nteam = ["ana@example.com"]\ntargets = ["omar@acme.example"]\n'
        '[outputs]\nfolder = "out/{datetime}"\nplots = false\nhtml = false\n'
        '[[sources]]\npath = "ana.mbox"\nowner = "ana@example.com"\n'
    )
    from datetime import datetime

    days = iter(datetime(2024, 5, d, 3) for d in range(1, 10))
    first = run_pipeline(cfg, quiet=True, now=next(days))
    assert first.exit_code == 0, first.error
    # downloaded again with the same content: nothing changes
    box.write_bytes(box.read_bytes())
    again = run_pipeline(cfg, quiet=True, now=next(days))
    assert again.files["unchanged"] == 1 and not again.rebuilt and again.changes == {}
    # the mailbox grew: the tie is warmer, and exactly as warm as one import of the grown mailbox
    grown = list(range(1, 9))
    box.write_text(_mail(grown))
    third = run_pipeline(cfg, quiet=True, now=next(days))
    assert third.exit_code == 0, third.error
    changes = pl.read_parquet(Path(third.outputs) / "changes.parquet")
    assert set(changes["change"]) == {"warmer"}
    warmer = changes.row(0, named=True)
    clean = tmp_path / "clean.mbox"
    clean.write_text(_mail(grown))
    import_paths(tmp_path / "clean", [clean], owner="ana@example.com")
    ties = _ties(tmp_path / "clean")
    assert ties["n_emails"].to_list() == [len(grown)]  # brute force: every message once
    assert warmer["current"] == pytest.approx(ties["strength"][0])
    assert _ties(tmp_path / "ws").equals(ties)
