"""Poison values stop at the door: one bad value goes to rejects, and the workspace and the nightly run keep working."""

from __future__ import annotations

import hypothesis.strategies as st
import polars as pl
import pyarrow as pa
from click.testing import CliRunner
from hypothesis import given

from reach.cli import cli
from reach.io.base import Parsed
from reach.io.sanitise import CONTROL, sanitise
from reach.run import run_pipeline

MBOX = """From MAILER-DAEMON Fri Jan  5 10:00:00 2024
From: Ana Silva <ana@northwind.example>
To: Grace Lee <grace.lee@acme.example>
Subject: hello
Date: Fri, 05 Jan 2024 10:00:00 +0000
Message-ID: <good-1@northwind.example>

hi
From MAILER-DAEMON Fri Dec 31 23:59:59 9999
From: Ana Silva <ana@northwind.example>
To: Far Future <future@example.org>
Subject: from the future
Date: Fri, 31 Dec 9999 23:59:59 -1200
Message-ID: <poison-1@northwind.example>

beyond year 9999 in UTC
"""

VCF = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ctl\x01Char\r\nEMAIL:ctl@example.org\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dev Patel\r\nEMAIL:dev.patel@globex.example\r\nEND:VCARD\r\n"
)


def test_year_10000_email_and_control_character_name_end_in_rejects(tmp_path):
    mbox, vcf = tmp_path / "ana.mbox", tmp_path / "chloe.vcf"
    mbox.write_text(MBOX, encoding="utf-8")
    vcf.write_bytes(VCF.encode("utf-8"))
    ws = str(tmp_path / "ws")
    runner = CliRunner()
    res = runner.invoke(cli, ["-w", ws, "import", str(mbox), "--owner", "ana@northwind.example"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["-w", ws, "import", str(vcf), "--owner", "chloe@northwind.example"])
    assert res.exit_code == 0, res.output
    edges = tmp_path / "referrals.txt"  # unix times; the second is 31 Dec 9999 plus a day: UTC year 10000
    edges.write_text(
        "ana@northwind.example grace.lee@acme.example 1704448800\n"
        "grace.lee@acme.example omar@acme.example 253402300800\n"
    )
    res = runner.invoke(cli, ["-w", ws, "import", str(edges), "--format", "edgelist"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["-w", ws, "rejects", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert "date outside 1900-2199" in res.output and "control character in display_name" in res.output
    for cmd in (["stats"], ["people"], ["build", "--force"], ["path", "ana@northwind.example", "Grace Lee"]):
        res = runner.invoke(cli, ["-w", ws, *cmd])
        assert res.exit_code == 0, (cmd, res.output)
        assert "Traceback" not in res.output
    people = pl.read_parquet(tmp_path / "ws" / "build" / "people.parquet")
    names = set(people["display_name"].drop_nulls())
    assert {"Grace Lee", "Dev Patel"} <= names
    assert not any("\x01" in n for n in names) and "Far Future" not in names

    cfg = tmp_path / "run.toml"
    cfg.write_text(f'''
workspace = "ws2"
team = ["ana@northwind.example"]
[outputs]
folder = "out"
plots = false
[[sources]]
path = "{mbox}"
owner = "ana@northwind.example"
[[sources]]
path = "{vcf}"
owner = "chloe@northwind.example"
[[sources]]
path = "{edges}"
format = "edgelist"
''')
    summary = run_pipeline(cfg, quiet=True, progress=False)
    assert summary.status != "failed", summary.error
    graphml = (tmp_path / "out" / "graph.graphml").read_text(encoding="utf-8")
    assert "\x01" not in graphml and "Dev Patel" in graphml


text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x7F) | st.sampled_from("éß漢\ufffe"), max_size=8)


@given(
    st.lists(st.tuples(text, st.lists(text, max_size=2)), min_size=1, max_size=12),
    st.lists(
        st.tuples(
            st.integers(0, 11),
            st.integers(0, 11),
            st.sampled_from([None, -3_000_000_000_000_000, 0, 1_700_000_000_000_000, 253_402_300_799_000_000]),
        ),
        max_size=20,
    ),
)
def test_sanitise_keeps_exactly_the_clean_rows(rows, edges):
    import re

    n = len(rows)
    edges = [(a % n, b % n, t) for a, b, t in edges]
    records = pa.table(
        {
            "record_id": pa.array(range(n), pa.int64()),
            "line": pa.array(range(1, n + 1), pa.int64()),
            "display_name": [r[0] for r in rows],
            "emails": [r[1] for r in rows],
        }
    )
    inter = pa.table(
        {
            "src_record": pa.array([e[0] for e in edges], pa.int64()),
            "dst_record": pa.array([e[1] for e in edges], pa.int64()),
            "at": pa.array([e[2] for e in edges], pa.int64()).cast(pa.timestamp("us", tz="UTC")),
            "weight": pa.array([1.0] * len(edges)),
        }
    )
    parsed = Parsed(
        records=records,
        interactions=inter,
        rejects=pa.table(
            {
                "line": pa.array([], pa.int64()),
                "reason": pa.array([], pa.string()),
                "excerpt": pa.array([], pa.string()),
            }
        ),
        n_rows=n,
    )
    out = sanitise(parsed)
    control = re.compile(CONTROL)  # the oracle: a per-row check with the stdlib
    clean = [
        i
        for i, (name, emails) in enumerate(rows)
        if not control.search(name) and not any(control.search(e) for e in emails)
    ]
    assert out.records.column("display_name").to_pylist() == [rows[i][0] for i in clean]
    assert out.records.column("record_id").to_pylist() == list(range(len(clean)))
    new = {old: k for k, old in enumerate(clean)}
    lo, hi = -2_208_988_800_000_000, 7_258_118_400_000_000
    want = [(new[a], new[b]) for a, b, t in edges if a in new and b in new and (t is None or lo <= t < hi)]
    got = list(
        zip(
            out.interactions.column("src_record").to_pylist(),
            out.interactions.column("dst_record").to_pylist(),
            strict=True,
        )
    )
    assert got == want
    assert out.rejects.num_rows == (n - len(clean)) + sum(
        1 for a, b, t in edges if a in new and b in new and t is not None and not lo <= t < hi
    )


def test_sources_remove_takes_a_source_out_and_the_rest_keeps_working(tmp_path):
    good, other = tmp_path / "good.txt", tmp_path / "other.txt"
    good.write_text("a b\nb c\n")
    other.write_text("x y\n")
    ws = str(tmp_path / "ws")
    runner = CliRunner()
    for f in (good, other):
        assert runner.invoke(cli, ["-w", ws, "import", str(f), "--format", "edgelist"]).exit_code == 0
    res = runner.invoke(cli, ["-w", ws, "sources", "--remove", str(other), "--format", "json"])
    assert res.exit_code == 0, res.output
    import json

    listed = json.loads(res.stdout if hasattr(res, "stdout") else res.output)["sources"]
    assert [s["path"] for s in listed] == [str(good)]
    res = runner.invoke(cli, ["-w", ws, "people", "--format", "json"])
    keys = {p.get("key") for p in json.loads(res.output)["people"]}
    assert keys == {"a", "b", "c"}  # x and y left with their source
    assert other.read_text() == "x y\n"  # the export itself is untouched
    res = runner.invoke(cli, ["-w", ws, "sources", "--remove", "nothing-like-it"])
    assert res.exit_code == 1 and "no imported source matches" in res.output
