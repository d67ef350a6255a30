"""LinkedIn's Profile.csv and Email Addresses.csv: the owner's own files join the owner to their
LinkedIn identity and addresses instead of failing the import of an unzipped export folder."""

from __future__ import annotations

import csv
import io
import json

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.builder import load_graph
from reach.cli import cli
from reach.errors import InputFormatError
from reach.imports import import_paths
from reach.io.formats import detect_format
from reach.io.linkedin import read_email_addresses, read_profile

# the headers as LinkedIn writes them (shared/FORMATS.md 4.1)
PROFILE = (
    "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,Geo Location,"
    "Twitter Handles,Websites,Instant Messengers\n"
)
EMAILS = "Email Address,Confirmed,Primary,Updated On\n"
CONNECTIONS = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def _export(folder, *, profile_row: str, emails: str = "", connections: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Profile.csv").write_text(PROFILE + profile_row, encoding="utf-8")
    (folder / "Email Addresses.csv").write_text(EMAILS + emails, encoding="utf-8")
    (folder / "Connections.csv").write_text("Notes:\n\n" + CONNECTIONS + connections, encoding="utf-8")


def test_profile_and_email_addresses_are_recognised_and_read(tmp_path):
    _export(
        tmp_path,
        profile_row='Ada,Lovelace,,,,Analyst,,Research,,"London, UK",,'
        '"[PERSONAL:https://ada.example],[OTHER:https://www.linkedin.com/in/ada-lovelace]",\n',
        emails='ada@old.example,Yes,No,"10/24/13, 8:43 AM"\nada@new.example,Yes,Yes,Not Available\n',
    )
    assert detect_format(tmp_path / "Profile.csv").name == "linkedin-profile"
    assert detect_format(tmp_path / "Email Addresses.csv").name == "linkedin-email-addresses"
    (rec,) = pl.from_arrow(read_profile(tmp_path / "Profile.csv", owner="ada").records).to_dicts()
    assert rec["role"] == "owner" and rec["owner"] == "ada"
    assert (rec["display_name"], rec["location"]) == ("Ada Lovelace", "London, UK")
    assert rec["linkedin_url"] == "https://www.linkedin.com/in/ada-lovelace"  # not the personal site
    (rec,) = pl.from_arrow(read_email_addresses(tmp_path / "Email Addresses.csv", owner="ada").records).to_dicts()
    oracle = [r["Email Address"] for r in csv.DictReader(io.StringIO((tmp_path / "Email Addresses.csv").read_text()))]
    assert sorted(rec["emails"]) == sorted(oracle)


def test_unzipped_export_folder_imports_every_file(tmp_path):
    folder = tmp_path / "Basic_LinkedInDataExport_01-02-2026"
    _export(
        folder,
        profile_row="Ada,Lovelace,,,,Analyst,,Research,,London,,,\n",
        emails="ada@new.example,Yes,Yes,Not Available\n",
        connections="Grace,Lee,https://www.linkedin.com/in/gracelee,,Acme,CTO,12 Mar 2024\n",
    )
    ws = tmp_path / "ws"
    res = CliRunner().invoke(cli, ["-w", str(ws), "import", str(folder), "--owner", "ada", "--output-format", "json"])
    assert res.exit_code == 0, res.output
    files = json.loads(res.output[res.output.index("{") :])["files"]
    assert sorted(f["status"] for f in files) == ["imported"] * 3
    people = load_graph(ws).people
    owner = people.filter(pl.col("display_name") == "Ada Lovelace")
    assert owner.height == 1 and "ada@new.example" in owner["emails"][0].to_list()
    assert people.height == 2  # Ada (one person from three files) and Grace


def test_profile_url_joins_the_owner_to_a_teammates_connection(tmp_path):
    ana, bob = tmp_path / "ana", tmp_path / "bob"
    _export(ana, profile_row="Ana,Silva,,,,,,,,,,[OTHER:https://www.linkedin.com/in/ana-silva],\n")
    _export(
        bob,
        profile_row="Bob,Stone,,,,,,,,,,,\n",
        connections="Ana,S.,https://www.linkedin.com/in/ana-silva/,,,,1 Feb 2025\n",
    )
    ws = tmp_path / "ws"
    import_paths(ws, [ana / "Profile.csv"], owner="ana@example.org")
    import_paths(ws, [bob / "Profile.csv", bob / "Connections.csv"], owner="bob@example.org")
    rg = load_graph(ws)
    # Bob's connection "Ana S." is Ana herself (same profile URL): two people and one tie, not three people
    assert rg.n_people == 2 and rg.n_ties == 1
    assert "Bob Stone" in rg.people["display_name"].to_list()  # Bob's own profile names Bob's owner record


def test_errors_name_the_file_and_what_is_missing(tmp_path):
    path = tmp_path / "Profile.csv"
    path.write_text(PROFILE + "Ada,Lovelace,,,,,,,,,,,\nEve,Other,,,,,,,,,,,\n")
    with pytest.raises(InputFormatError, match=r"Profile.csv: .*--owner"):
        read_profile(path, owner=None)
    parsed = read_profile(path, owner="ada")
    assert pl.from_arrow(parsed.rejects)["line"].to_list() == [3]  # one person only: the owner
    other = tmp_path / "other.csv"
    other.write_text("Name,Headline\nAda,Analyst\n")
    with pytest.raises(InputFormatError, match=r"other.csv: line 1: .*lacks the columns .*'First Name', 'Last Name'"):
        read_profile(other, owner="ada")


CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELL, max_size=15), max_size=4), raw=st.binary(max_size=120), which=st.booleans())
def test_fuzz_only_reach_errors_escape(tmp_path_factory, rows, raw, which):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path = tmp_path_factory.mktemp("pf") / "x.csv"
    path.write_bytes(((PROFILE if which else EMAILS) + out.getvalue()).encode("utf-8") + raw)
    reader = read_profile if which else read_email_addresses
    try:
        parsed = reader(path, owner="ada@example.org")
    except InputFormatError:
        return
    assert parsed.records.num_rows == 1 and parsed.interactions.num_rows == 0
