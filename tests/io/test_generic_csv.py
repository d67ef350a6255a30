from __future__ import annotations

import csv
import io
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.errors import InputFormatError, ReachError
from reach.io import csvutil
from reach.io.formats import detect_format, get_format
from reach.io.generic_csv import read_generic_csv, read_hubspot_csv, read_salesforce_csv

PEOPLE = {
    "display_name": "Full Name",
    "email": "Email",
    "company": "Associated Company",
    "title": "Job Title",
    "phone": "Phone Number",
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_people_with_a_mapping(tmp_path):
    path = _write(
        tmp_path / "people.csv",
        "Full Name,Email,Phone Number,Associated Company,Job Title,Notes\n"
        "Grace Lee,grace.lee@acme.example;grace@lee-family.example,+1 555-0142,Acme Inc.,VP Engineering,\n"
        'Dev Patel,dev.patel@globex.example,,Globex,CTO,"met at\nthe summit"\n'
        ",,,Nobody Inc.,,\n"
        "Maria Rossi,maria@initech.example,,Initech,Head of Talent,\n",
    )
    with pytest.raises(InputFormatError, match="unrecognised format"):
        detect_format(path)  # generic-csv is never picked by detection
    parsed = read_generic_csv(path, owner="ana@northwind.example", options={"mapping": PEOPLE})
    grace, dev, maria = (r for r in parsed.records.to_pylist() if r["role"] == "contact")
    assert grace["emails"] == ["grace.lee@acme.example", "grace@lee-family.example"]
    assert grace["phones"] == ["+1 555-0142"] and grace["title"] == "VP Engineering"
    assert dev["company"] == "Globex" and maria["line"] == 6  # the quoted note spans lines 3-4
    assert parsed.rejects.column("line").to_pylist() == [5]
    assert [i["channel"] for i in parsed.interactions.to_pylist()] == ["contact"] * 3


def test_mapping_file_and_sibling_file(tmp_path):
    path = _write(tmp_path / "export.csv", "Name,E-Mail,Firm\nTom Becker,tom.becker@initech.example,Initech\n")
    toml = _write(
        tmp_path / "my-mapping.toml", '[mapping]\ndisplay_name = "Name"\nemail = ["E-Mail"]\ncompany = "Firm"\n'
    )
    (rec,) = read_generic_csv(path, owner=None, options={"mapping_file": str(toml)}).records.to_pylist()
    assert (rec["display_name"], rec["emails"], rec["company"]) == (
        "Tom Becker",
        ["tom.becker@initech.example"],
        "Initech",
    )
    with pytest.raises(InputFormatError, match="needs a column mapping"):
        read_generic_csv(path, owner=None, options={})
    _write(tmp_path / "export.mapping.toml", 'display_name = "Name"\nemail = "E-Mail"\n')  # top-level keys
    (rec,) = read_generic_csv(path, owner=None, options={}).records.to_pylist()
    assert rec["emails"] == ["tom.becker@initech.example"] and rec["company"] is None


def test_mapping_errors_name_the_problem(tmp_path):
    path = _write(tmp_path / "people.csv", "Full Name,Email\nGrace Lee,grace.lee@acme.example\n")
    with pytest.raises(InputFormatError, match="no CSV header with Full Name, Phone"):
        read_generic_csv(path, owner=None, options={"mapping": {"display_name": "Full Name", "phone": "Phone"}})
    with pytest.raises(InputFormatError, match="unknown mapping key 'colour'"):
        read_generic_csv(path, owner=None, options={"mapping": {"colour": "Email"}})
    with pytest.raises(InputFormatError, match="both src and dst"):
        read_generic_csv(path, owner=None, options={"mapping": {"src": "Email"}})
    bad = _write(tmp_path / "bad.toml", "[mapping\n")
    with pytest.raises(InputFormatError, match="bad.toml"):
        read_generic_csv(path, owner=None, options={"mapping_file": str(bad)})
    header_only = _write(tmp_path / "only.csv", "Full Name,Email\n")
    parsed = read_generic_csv(header_only, owner=None, options={"mapping": {"display_name": "full name"}})
    assert parsed.n_rows == 0 and parsed.records.num_rows == 0


def test_interactions_sample(samples_dir):
    path = samples_dir / "crm" / "intros-log.csv"
    parsed = read_generic_csv(path, owner="ana@northwind.example", options={})  # intros-log.toml beside it
    recs = {r["record_id"]: r for r in parsed.records.to_pylist()}
    assert recs[0]["role"] == "owner"
    edges = [
        (
            (recs[i["src_record"]]["emails"] or [recs[i["src_record"]]["display_name"]])[0],
            (recs[i["dst_record"]]["emails"] or [recs[i["dst_record"]]["display_name"]])[0],
            i["channel"],
            i["at"],
        )
        for i in parsed.interactions.to_pylist()
    ]
    assert edges[0] == ("ana@northwind.example", "grace.lee@acme.example", "meeting", datetime(2024, 3, 12, tzinfo=UTC))
    assert edges[4][2] == "other"  # an empty "How" falls back to the default channel
    assert edges[5][:2] == ("Ana Souza", "Kenji Watanabe")  # names stay names (not the owner's address)
    assert all(r["role"] == "party" for r in list(recs.values())[1:])
    assert parsed.interactions.column("src_record")[0].as_py() == 0


def test_interactions_rejects_loops_and_dates(tmp_path):
    path = _write(
        tmp_path / "log.csv",
        "From,To,When,Kind,Weight\n"
        "a@x.example,b@x.example,2024-03-12T09:14:00.000Z,Email,2\n"
        "a@x.example,,2024-03-12,email,\n"
        "B@x.example,b@x.example,2024-03-12,email,\n"
        "b@x.example,https://www.linkedin.com/in/carol,1710235200,meeting,x\n"
        "carol,a@x.example,3/15/2024 2:30 PM,,\n",
    )
    parsed = read_generic_csv(
        path,
        owner=None,
        options={
            "mapping": {"src": "From", "dst": "To", "at": "When", "channel": "Kind", "weight": "Weight"},
            "channel": "message",
        },
    )
    it = parsed.interactions.to_pylist()
    assert [i["line"] for i in it] == [2, 5, 6]
    assert [i["channel"] for i in it] == ["email", "meeting", "message"]
    assert [i["weight"] for i in it] == [2.0, 1.0, 1.0]
    assert [i["at"] for i in it] == [
        datetime(2024, 3, 12, 9, 14, tzinfo=UTC),
        datetime(2024, 3, 12, 9, 20, tzinfo=UTC),
        datetime(2024, 3, 15, 14, 30, tzinfo=UTC),
    ]
    assert parsed.rejects.column("line").to_pylist() == [3] and parsed.n_skipped == 1
    recs = parsed.records.to_pylist()
    assert recs[2]["linkedin_url"] == "https://www.linkedin.com/in/carol" and recs[3]["display_name"] == "carol"


def test_hubspot_sample(samples_dir):
    path = samples_dir / "crm" / "hubspot-contacts.csv"
    assert detect_format(path).name == "hubspot-csv"
    parsed = read_hubspot_csv(path, owner=None, options={})
    recs = parsed.records.to_pylist()
    assert len(recs) == 13 and parsed.n_rows == 14
    grace = recs[0]
    assert grace["display_name"] == "Grace Lee" and grace["emails"] == ["Grace.Lee@Acme.example"]  # case as exported
    assert grace["company"] == "Acme Inc." and grace["title"] == "VP Engineering"
    assert grace["location"] == "San Francisco, United States" and grace["phones"] == ["+1 555-0110"]
    assert parsed.rejects.to_pylist()[0]["line"] == 15  # the row with only an owner and a status


def test_salesforce_data_export(samples_dir):
    path = samples_dir / "crm" / "salesforce" / "Contact.csv"
    assert detect_format(path).name == "salesforce-csv"
    parsed = read_salesforce_csv(path, owner="ben@northwind.example", options={})
    contacts = [r for r in parsed.records.to_pylist() if r["role"] == "contact"]
    assert "Omar Haddad" not in {r["display_name"] for r in contacts}  # IsDeleted = 1
    assert parsed.n_skipped == 1 and len(contacts) == 9
    sara = next(r for r in contacts if r["display_name"] == "Sara Lind")
    assert sara["company"] == "Vandelay Industries, Inc." and sara["title"] == "Head of Sales"  # via Account.csv
    assert next(r for r in contacts if r["display_name"] == "Grace Lee")["phones"] == ["+1 555-0150", "+1 555-0170"]


def test_salesforce_without_accounts_and_report_footer(tmp_path):
    api = _write(
        tmp_path / "Contact.csv",
        '"Id","IsDeleted","AccountId","LastName","FirstName","Email"\n'
        '"0035g0000001AAA","false","0015g0000009ZZZ","Kim","Noah",'
        '"noah.kim@initech.example"\n'
        '"0035g0000002AAA","true","","Gone","Guy","gone@x.example"\n',
    )
    parsed = read_salesforce_csv(api, owner=None, options={})
    assert parsed.records.num_rows == 1 and any("Account.csv" in n for n in parsed.notes)
    report = _write(
        tmp_path / "report.csv",
        '"First Name","Last Name","Title","Account Name","Email"\n'
        '"Yuki","Tanaka","Engineering Manager","Hooli","yuki@hooli.example"\n'
        '"Aisha","Bello","Talent Partner","Hooli","aisha@hooli.example"\n'
        "\n"
        '"Northwind contacts"\n'
        '"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."\n'
        '"Confidential Information - Do Not Distribute"\n'
        '"Generated By:  Ana Souza  3/15/2025 2:30 PM"\n',
    )
    assert detect_format(report).name == "salesforce-csv"
    parsed = read_salesforce_csv(report, owner=None, options={})
    assert [r["company"] for r in parsed.records.to_pylist()] == ["Hooli", "Hooli"]
    assert parsed.rejects.num_rows == 0 and parsed.n_skipped == 5


def test_formats_registered():
    assert get_format("generic-csv").sniff("Full Name,Email\n", Path("x.csv")) == 0.0
    assert not get_format("hubspot-csv").needs_owner and not get_format("salesforce-csv").needs_owner


# ------------------------------------------------------------------ the shared CSV engine


def _oracle(text: str) -> list[tuple[int, list[str]]]:
    """Rows with their first line, by the csv module reading the whole text."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out, prev = [], 0
    for row in reader:
        out.append((prev + 1, row))
        prev = reader.line_num
    return out


CELLS = ["a", "bc", "é", '"q,r"', '"x""y"', '"multi\nline"', '"crlf\r\nline"', " ", "", 'a"b', '"ab"c']


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.lists(st.sampled_from(CELLS), min_size=0, max_size=5), st.sampled_from(["\n", "\r\n"])),
        max_size=12,
    ),
    st.integers(1, 4),
)
def test_engine_matches_the_csv_module(rows, ncols):
    text = "".join(",".join(cells) + end for cells, end in rows)
    header = csvutil.Header(cells=[f"h{i}" for i in range(ncols)], line=0, offset=0, delimiter=",")
    got = csvutil.read_rows(text.encode(), header, list(range(ncols)))
    table = got.table.to_pylist()
    ours = [(int(ln), [table[k][f"c{i}"] for i in range(ncols)]) for k, ln in enumerate(got.line)]
    expected, expected_rejects, blank = [], [], 0
    for line, cells in _oracle(text):
        if not any(c.strip() for c in cells):
            blank += 1
        elif len(cells) > ncols and any(c.strip() for c in cells[ncols:]):
            expected_rejects.append(line)
        else:
            expected.append((line, (cells + [""] * ncols)[:ncols]))
    assert ours == expected
    assert [r[0] for r in got.rejects] == expected_rejects
    assert got.n_rows == len(expected) + len(expected_rejects) and got.n_skipped == blank


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(list('ab,;"\n\r \té') + ['""', "\r\n", "x@y.example"]), max_size=120).map("".join),
    st.sampled_from(["people", "interactions", "hubspot", "salesforce"]),
)
def test_fuzz_only_reach_errors(body, kind):
    headers = {
        "people": "Full Name,Email,Phone Number,Associated Company,Job Title",
        "interactions": "From,To,Date,How",
        "hubspot": "Record ID,First Name,Last Name,Email,Phone Number,Contact owner,Associated Company",
        "salesforce": "Id,IsDeleted,AccountId,LastName,FirstName,Email,Phone",
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes((headers[kind] + "\n" + body).encode())
        try:
            if kind == "people":
                read_generic_csv(path, owner="me@x.example", options={"mapping": PEOPLE})
            elif kind == "interactions":
                read_generic_csv(
                    path,
                    owner="me@x.example",
                    options={"mapping": {"src": "From", "dst": "To", "at": "Date", "channel": "How"}},
                )
            elif kind == "hubspot":
                read_hubspot_csv(path, owner=None, options={})
            else:
                read_salesforce_csv(path, owner=None, options={})
        except ReachError:
            pass
