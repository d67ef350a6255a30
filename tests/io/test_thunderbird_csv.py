from __future__ import annotations

import csv
import io

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.errors import InputFormatError
from reach.io.formats import detect_format
from reach.io.thunderbird_csv import read_thunderbird_csv

# the header as Thunderbird writes it (US build), and the British build's spellings
US = (
    "First Name,Last Name,Display Name,Nickname,Primary Email,Secondary Email,Screen Name,Work Phone,Home Phone,"
    "Fax Number,Pager Number,Mobile Number,Home Address,Home Address 2,Home City,Home State,Home ZipCode,"
    "Home Country,Work Address,Work Address 2,Work City,Work State,Work ZipCode,Work Country,Job Title,Department,"
    "Organization,Web Page 1,Web Page 2,Birth Year,Birth Month,Birth Day,Custom 1,Custom 2,Custom 3,Custom 4,Notes"
)
UK = (
    US.replace("Home State", "Home County")
    .replace("Work State", "Work County")
    .replace("Home ZipCode", "Home Post Code")
    .replace("Work ZipCode", "Work Post Code")
    .replace("Organization", "Organisation")
)


def _row(header: str, **cells: str) -> str:
    """One data row in Thunderbird's layout: every column, then the trailing comma it writes."""
    names = header.split(",")
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([cells.get(n, "") for n in names])
    return out.getvalue().removesuffix("\r\n") + ","


PEOPLE = [
    {
        "First Name": "Grace",
        "Last Name": "Lee",
        "Display Name": "Grace Lee",
        "Primary Email": "grace@acme.example",
        "Secondary Email": "g.lee@home.example",
        "Work Phone": "+1 555 0100",
        "Mobile Number": "+1 555 0101",
        "Fax Number": "+1 555 0199",
        "Organization": "Acme, Inc.",
        "Job Title": "CTO",
        "Work City": "Boston",
        "Work Country": "USA",
        "Web Page 1": "https://www.linkedin.com/in/gracelee",
        "Notes": "met at the fair\nsecond line",
    },
    {"First Name": "Zoë", "Last Name": "Ōtani", "Primary Email": "zoe@example.org", "Home City": "Kyoto"},
    {"Display Name": "ana@example.net", "Primary Email": "ana@example.net"},
    {"Nickname": "Bobby", "Home Phone": "020 7946 0000"},
    {"Custom 1": "nothing that names anyone"},
]


def _oracle(text: str) -> list[dict[str, str]]:
    """Independent reading with the stdlib csv module."""
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("header", [US, UK])
def test_thunderbird_export_reads_like_the_stdlib_csv_oracle(tmp_path, header):
    rows = [{("Organisation" if k == "Organization" and header == UK else k): v for k, v in p.items()} for p in PEOPLE]
    text = header + "\r\n" + "".join(_row(header, **r) + "\r\n" for r in rows)
    path = tmp_path / "abook.csv"
    path.write_bytes(text.encode("utf-8"))
    assert detect_format(path).name == "thunderbird-csv"
    parsed = read_thunderbird_csv(path, owner="me@example.com")
    rec = pl.from_arrow(parsed.records).filter(pl.col("role") == "contact").sort("line")
    oracle = [
        r
        for r in _oracle(text)
        if any(r.get(k) for k in ("Display Name", "First Name", "Last Name", "Nickname", "Primary Email", "Home Phone"))
    ]
    assert rec.height == len(oracle) == 4
    assert pl.from_arrow(parsed.rejects)["line"].to_list() == [
        7
    ]  # the row naming nobody (Grace's Notes span lines 2-3)
    got = rec.to_dicts()
    for r, o in zip(got, oracle, strict=True):
        assert (r["emails"] or []) == [e for e in (o["Primary Email"], o["Secondary Email"]) if e]
    grace, zoe, ana, bobby = got
    assert grace["display_name"] == "Grace Lee" and grace["company"] == "Acme, Inc." and grace["title"] == "CTO"
    assert grace["phones"] == ["+1 555 0100", "+1 555 0101"]  # not the fax number
    assert grace["linkedin_url"] == "https://www.linkedin.com/in/gracelee"
    assert grace["location"] == "Boston, USA"
    assert zoe["display_name"] == "Zoë Ōtani" and zoe["location"] == "Kyoto"
    assert ana["display_name"] is None and ana["emails"] == ["ana@example.net"]
    assert bobby["display_name"] == "Bobby" and bobby["phones"] == ["020 7946 0000"]
    assert pl.from_arrow(parsed.interactions).height == 4


def test_trimmed_thunderbird_export_is_recognised_and_format_reads_any_header(tmp_path):
    path = tmp_path / "trimmed.csv"
    path.write_text("Display Name,Primary Email\nGrace Lee,grace@acme.example\n")
    assert detect_format(path).name == "thunderbird-csv"
    assert pl.from_arrow(read_thunderbird_csv(path).records)["emails"].to_list() == [["grace@acme.example"]]
    other = tmp_path / "names.csv"
    other.write_text("Last Name,Nickname\nLee,Gee\n")
    assert pl.from_arrow(read_thunderbird_csv(other).records)["display_name"].to_list() == ["Lee"]
    bad = tmp_path / "bad.csv"
    bad.write_text("Full,Mail\nGrace,grace@acme.example\n")
    with pytest.raises(InputFormatError, match=r"bad.csv: line 1: .*lacks the columns .*'Primary Email'"):
        read_thunderbird_csv(bad)


def test_tab_separated_and_header_only(tmp_path):
    path = tmp_path / "abook.tab"
    header = US.replace(",", "\t")
    path.write_text(header + "\n" + "\t".join(["Ana", "Lee", "Ana Lee", "", "ana@example.org"]) + "\t" * 33 + "\n")
    assert pl.from_arrow(read_thunderbird_csv(path).records)["display_name"].to_list() == ["Ana Lee"]
    empty = tmp_path / "empty.csv"
    empty.write_text(US + "\n")
    parsed = read_thunderbird_csv(empty, owner="me@example.com")
    assert parsed.n_rows == 0 and parsed.records.num_rows == 1


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELL, min_size=0, max_size=40), max_size=6), raw=st.binary(max_size=200))
def test_fuzz_only_reach_errors_escape(tmp_path_factory, rows, raw):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(US.split(","))
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("tb") / "abook.csv"
    path.write_bytes(out.getvalue().encode("utf-8") + raw)
    try:
        parsed = read_thunderbird_csv(path, owner="me@example.com")
    except InputFormatError:
        return
    assert parsed.records.num_rows >= 1
