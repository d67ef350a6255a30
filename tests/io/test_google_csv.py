from __future__ import annotations

import contextlib
import csv
import io
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.errors import InputFormatError, ReachError
from reach.io.formats import detect_format
from reach.io.google_csv import read_google_csv

CURRENT = (
    "First Name,Middle Name,Last Name,Name Prefix,Nickname,File As,Organization Name,Organization Title,"
    "Notes,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value"
)


def _by_line(parsed) -> dict[int, dict]:
    return {r["line"]: r for r in parsed.records.to_pylist() if r["role"] == "contact"}


def _oracle_rows(path: Path) -> list[tuple[int, list[str]]]:
    """The csv module's rows with the line each starts on (independent of reach's reader)."""
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    out, prev = [], 0
    for row in reader:
        out.append((prev + 1, row))
        prev = reader.line_num
    return out


def test_real_legacy_export(shared_data):
    path = shared_data / "contacts_csv" / "google_contacts.mtrazzi.csv"
    assert detect_format(path).name == "google-csv"
    parsed = read_google_csv(path, owner="me@example.com", options={})
    rows = _by_line(parsed)
    assert parsed.n_rows == 3 and parsed.rejects.num_rows == 0
    assert rows[2]["display_name"] == "Richard Feynman" and rows[2]["first_name"] == "Richard"
    assert rows[2]["last_name"] == "Feynman" and rows[2]["emails"] == ["rich@caltech.edu"]
    # the nameless row is kept for its address
    assert rows[3]["display_name"] is None
    assert rows[3]["emails"] == ["iforgotthisguysnamebutihavehisemail@gmail.com"]
    assert rows[4]["emails"] == ["elon.musk@tesla.com"]
    # owner record 0, and one address-book interaction per contact
    recs = parsed.records.to_pylist()
    assert recs[0]["role"] == "owner" and recs[0]["emails"] == ["me@example.com"]
    it = parsed.interactions.to_pylist()
    assert [(i["src_record"], i["channel"], i["line"]) for i in it] == [
        (0, "contact", 2),
        (0, "contact", 3),
        (0, "contact", 4),
    ]
    # the header has 56 columns (shared/data/README.md says 57) and the rows agree with the csv module
    oracle = _oracle_rows(path)
    assert len(oracle[0][1]) == 56 and all(len(r) == 56 for _, r in oracle)
    assert sorted(rows) == [ln for ln, _ in oracle[1:]]


def test_real_export_without_owner(shared_data):
    parsed = read_google_csv(shared_data / "contacts_csv" / "google_contacts.mtrazzi.csv", owner=None, options={})
    assert parsed.records.column("record_id").to_pylist() == [0, 1, 2]
    assert set(parsed.records.column("role").to_pylist()) == {"contact"}
    assert parsed.interactions.num_rows == 0


def test_sample_current_header(samples_dir):
    path = samples_dir / "google" / "ben-contacts.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert detect_format(path).name == "google-csv"
    parsed = read_google_csv(path, owner="ben@northwind.example", options={})
    rows = _by_line(parsed)
    by_name = {r["display_name"]: r for r in rows.values()}
    # multi-line quoted notes: line numbers are those of the file, as the csv module counts them
    oracle = {ln: row for ln, row in _oracle_rows(path)[1:] if any(c.strip() for c in row)}
    assert sorted(rows) == sorted(oracle)
    assert by_name["Grace Lee"]["line"] == 5 and by_name["Dev Patel"]["line"] == 8
    # ::: multi-values, several e-mail columns, labels, websites, addresses
    assert by_name["Ana Souza"]["phones"] == ["+1 555-0100", "+1 555-0101"]
    assert by_name["Ana Souza"]["linkedin_url"] == "https://www.linkedin.com/in/ana-souza"
    assert by_name["Chloé Martin"]["emails"] == ["chloe@northwind.example", "chloe.martin@personal.example"]
    assert by_name["Dev Patel"]["emails"] == [
        "dev.patel@globex.example",
        "dev@patel-family.example",
        "DEV.PATEL@globex.example",
    ]
    assert by_name["Lucas Müller"]["location"] == "Zürich, Switzerland"
    assert by_name["Lucas Müller"]["linkedin_url"] == "linkedin.com/in/lucas-muller/"
    assert by_name["Grace Lee"]["company"] == "Acme Inc." and by_name["Grace Lee"]["title"] == "VP Engineering"
    # a phone-only row (named by its nickname) and "Other Contacts" rows named by their address
    assert by_name["Plumber"]["phones"] == ["+44 20 7946 0018"] and by_name["Plumber"]["emails"] is None
    other = [r for r in rows.values() if r["display_name"] is None]
    assert sorted(e for r in other for e in r["emails"]) == [
        "julia.kowalski@hooli.example",
        "sara.lind@vandelay.example",
    ]
    assert all(r["first_name"] is None for r in other)
    assert any("Other Contacts" in n for n in parsed.notes)
    # the empty row is skipped, not rejected
    assert parsed.n_skipped == 1 and parsed.rejects.num_rows == 0 and parsed.n_rows == 14
    assert parsed.interactions.num_rows == 14


def test_variable_columns_and_multi_values(tmp_path):
    header = (
        "Name,Given Name,Family Name,Group Membership,E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,"
        "E-mail 2 - Value,E-mail 3 - Type,E-mail 3 - Value,E-mail 4 - Type,E-mail 4 - Value,Phone 1 - Type,"
        "Phone 1 - Value,Organization 1 - Name,Organization 1 - Title,Website 1 - Type,Website 1 - Value"
    )
    rows = [
        (
            "Maria Rossi,Maria,Rossi,* myContacts,* Work,maria@initech.example ::: m.rossi@initech.example,,,,,Home,"
            "maria@rossi.example,Mobile,+39 02 0000 0001 ::: +39 02 0000 0002,Initech,Head of Talent,Profile,"
            "https://www.linkedin.com/in/maria-rossi"
        ),
        ",,,* Other Contacts,* Other,tom.becker@initech.example,,,,,,,,,,,,",
        "Tom Becker,Tom,Becker,* myContacts,,,,,,,,,Work,+49 30 90182055,,,,",
    ]
    path = tmp_path / "contacts.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    parsed = read_google_csv(path, owner=None, options={})
    recs = parsed.records.to_pylist()
    assert recs[0]["emails"] == ["maria@initech.example", "m.rossi@initech.example", "maria@rossi.example"]
    assert recs[0]["phones"] == ["+39 02 0000 0001", "+39 02 0000 0002"]
    assert recs[0]["company"] == "Initech" and recs[0]["title"] == "Head of Talent"
    assert recs[0]["linkedin_url"] == "https://www.linkedin.com/in/maria-rossi"
    assert recs[1]["emails"] == ["tom.becker@initech.example"] and recs[1]["display_name"] is None
    assert recs[2]["phones"] == ["+49 30 90182055"] and recs[2]["emails"] is None


def test_too_many_columns_rejected_with_line(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        CURRENT + "\n"
        'Grace,,Lee,,,,Acme Inc.,VP Engineering,"two\nlines",* myContacts,,grace.lee@acme.example,,\n'
        "Bad,,Row,,,,,,,,,,,,,extra,cells\n"
        "Dev,,Patel,,,,Globex,CTO,,,,dev.patel@globex.example,,\n"
        "Trailing,,Comma,,,,,,,,,t@x.example,,,\n",
        encoding="utf-8",
    )
    parsed = read_google_csv(path, owner=None, options={})
    assert parsed.rejects.to_pylist() == [
        {"line": 4, "reason": "row has 17 columns, the header has 14", "excerpt": "Bad,,Row,,,,,,,,,,,,,extra,cells"}
    ]
    assert [r["line"] for r in parsed.records.to_pylist()] == [2, 5, 6]  # an empty extra cell is tolerated
    assert parsed.n_rows == 4


def test_row_without_any_identity_is_rejected(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(CURRENT + "\n,,,,,,Acme Inc.,,just a note,* myContacts,,,,\n", encoding="utf-8")
    parsed = read_google_csv(path, owner="me@example.com", options={})
    assert parsed.rejects.column("line").to_pylist() == [2]
    assert parsed.records.num_rows == 1 and parsed.interactions.num_rows == 0


def test_header_only_and_errors(tmp_path):
    header_only = tmp_path / "empty.csv"
    header_only.write_text("\ufeff" + CURRENT + "\r\n", encoding="utf-8")
    parsed = read_google_csv(header_only, owner="me@example.com", options={})
    assert parsed.n_rows == 0 and parsed.records.num_rows == 1 and parsed.rejects.num_rows == 0
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    with pytest.raises(InputFormatError, match="photo.csv"):
        read_google_csv(binary, owner=None, options={})
    other = tmp_path / "Connections.csv"
    other.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n", encoding="utf-8")
    with pytest.raises(
        InputFormatError, match="Connections.csv: not a Google Contacts CSV.*--format linkedin-connections"
    ):
        read_google_csv(other, owner=None, options={})
    with pytest.raises(InputFormatError, match="missing.csv"):
        read_google_csv(tmp_path / "missing.csv", owner=None, options={})


def test_50mb_line_is_rejected_quickly(tmp_path):
    path = tmp_path / "big.csv"
    with Path(path).open("wb") as fh:
        fh.write((CURRENT + "\n").encode())
        fh.write(b"Ana,,Souza,,,,Northwind,,,,,ana@northwind.example,,\n")
        fh.write(b"X" * (50 << 20) + b",,,,,,,,,,,x@y.example,,\n")
        fh.write(b'"Quote ' + b"y" * (2 << 20) + b"\n")  # an unterminated quote that would swallow the rest
        fh.write(b"Ben,,Okafor,,,,Northwind,,,,,ben@northwind.example,,\n")
    t0 = time.perf_counter()
    parsed = read_google_csv(path, owner=None, options={})
    assert time.perf_counter() - t0 < 15
    assert [r["display_name"] for r in parsed.records.to_pylist()] == ["Ana Souza", "Ben Okafor"]
    assert [r["line"] for r in parsed.records.to_pylist()] == [2, 5]
    rejects = parsed.rejects.to_pylist()
    assert [r["line"] for r in rejects] == [3, 4]
    assert "longer than" in rejects[0]["reason"] and len(rejects[0]["excerpt"]) <= 120


def test_many_rows_fast(tmp_path):
    n = 100_000
    path = tmp_path / "many.csv"
    body = "".join(
        f"First{i},,Last{i},,,,Co {i % 97},Engineer,,* myContacts,* Work,p{i}@c{i % 13}.example,Mobile,+1 555 {i:07d}\n"
        for i in range(n)
    )
    path.write_text(CURRENT + "\n" + body, encoding="utf-8")
    t0 = time.perf_counter()
    parsed = read_google_csv(path, owner="me@example.com", options={})
    elapsed = time.perf_counter() - t0
    assert parsed.records.num_rows == n + 1 and parsed.interactions.num_rows == n
    last = parsed.records.slice(n, 1).to_pylist()[0]
    assert last["line"] == n + 1 and last["emails"] == [f"p{n - 1}@c{(n - 1) % 13}.example"]
    assert elapsed < 10  # vectorised: ~0.2 s on a laptop


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(list('ab,"\n\r :@é\t;') + ["\ufeff", " ::: ", "* Other Contacts", "x@y.example", "\r\n"]),
        max_size=120,
    ).map("".join)
)
def test_fuzz_only_reach_errors(body):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes((CURRENT + "\n" + body).encode("utf-8", errors="surrogatepass"))
        try:
            parsed = read_google_csv(path, owner="me@example.com", options={})
        except ReachError:
            return
        assert parsed.records.num_rows == parsed.interactions.num_rows + 1
        assert parsed.n_rows >= parsed.records.num_rows - 1


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_bytes_only_reach_errors(blob):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(CURRENT.encode() + b"\r\n" + blob)
        with contextlib.suppress(ReachError):
            read_google_csv(path, owner=None, options={})
