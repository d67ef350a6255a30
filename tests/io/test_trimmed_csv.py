"""CSV contact exports trimmed by their user (columns deleted in a spreadsheet) are still recognised by the
columns that identify them; with ``--format`` any header holding the needed columns is read, and a header
without them gets a message naming the missing columns."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.cli import cli
from reach.errors import InputFormatError
from reach.io.formats import detect_format, get_format

GOOGLE_NAME_COLUMNS = ["Name", "Given Name", "Family Name"]


def _google(shared_data) -> list[list[str]]:
    text = (shared_data / "contacts_csv" / "google_contacts.mtrazzi.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


def _write(path, rows: list[list[str]], keep: list[str]) -> None:
    idx = [rows[0].index(c) for c in keep]
    out = io.StringIO()
    csv.writer(out).writerows([[r[i] if i < len(r) else "" for i in idx] for r in rows])
    path.write_text(out.getvalue(), encoding="utf-8")


def _emails_oracle(rows: list[list[str]], keep: list[str]) -> list[str]:
    """Every address in the kept ``E-mail N - Value`` columns, read with the stdlib (``:::`` splits)."""
    cols = [rows[0].index(c) for c in keep if c.startswith("E-mail") and c.endswith("- Value")]
    found = []
    for r in rows[1:]:
        for i in cols:
            found += [e.strip() for e in (r[i] if i < len(r) else "").split(":::") if "@" in e]
    return sorted(found)


def _emails(parsed) -> list[str]:
    rec = pl.from_arrow(parsed.records)
    return sorted(rec.filter(pl.col("role") == "contact")["emails"].explode().drop_nulls().to_list())


def test_google_export_without_group_membership_is_recognised(shared_data, tmp_path):
    rows = _google(shared_data)
    keep = [c for c in rows[0] if c != "Group Membership"]
    path = tmp_path / "contacts.csv"
    _write(path, rows, keep)
    form = detect_format(path)
    assert form.name == "google-csv"
    parsed = form.read(path, owner="me@example.com", options={})
    assert _emails(parsed) == _emails_oracle(rows, keep)
    assert parsed.n_rows == len(rows) - 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_google_trim_keeping_a_name_and_an_email_column_is_recognised(shared_data, tmp_path_factory, data):
    rows = _google(shared_data)
    header = rows[0]
    name = data.draw(st.sampled_from(GOOGLE_NAME_COLUMNS))
    rest = [c for c in header if c not in (name, "E-mail 1 - Value")]
    others = data.draw(st.lists(st.sampled_from(rest), unique=True, max_size=len(rest)))
    keep = [c for c in header if c in {name, "E-mail 1 - Value", *others}]  # the export's own order
    path = tmp_path_factory.mktemp("gt") / "contacts.csv"
    _write(path, rows, keep)
    assert detect_format(path).name == "google-csv"
    assert _emails(get_format("google-csv").read(path, owner=None, options={})) == _emails_oracle(rows, keep)


def test_format_reads_any_header_with_the_needed_columns(tmp_path):
    path = tmp_path / "few.csv"
    path.write_text("Given Name,Family Name\nAda,Lovelace\n", encoding="utf-8")  # no Google-only column left
    parsed = get_format("google-csv").read(path, owner=None, options={})
    assert pl.from_arrow(parsed.records)["display_name"].to_list() == ["Ada Lovelace"]
    path.write_text("First Name,E-mail Address\nAda,ada@example.org\n", encoding="utf-8")
    parsed = get_format("outlook-csv").read(path, owner=None, options={})
    assert _emails(parsed) == ["ada@example.org"]
    path.write_text("First Name,Last Name,URL\nAda,Lovelace,https://www.linkedin.com/in/ada\n", encoding="utf-8")
    parsed = get_format("linkedin-connections").read(path, owner="me@example.org", options={})
    assert pl.from_arrow(parsed.records)["linkedin_url"].to_list()[1:] == ["https://www.linkedin.com/in/ada"]


@pytest.mark.parametrize(
    ("fmt", "needed"),
    [
        ("google-csv", "'Name', 'First Name', 'Last Name'"),
        ("outlook-csv", "'First Name'"),
        ("linkedin-connections", "'First Name', 'Last Name', 'URL'"),
        ("thunderbird-csv", "'Primary Email'"),
    ],
)
def test_missing_columns_are_named_not_a_missing_header(tmp_path, fmt, needed):
    path = tmp_path / "people.csv"
    path.write_text("Full,Mail,Phone\nAda Lovelace,ada@example.org,1\n", encoding="utf-8")
    with pytest.raises(InputFormatError) as err:
        get_format(fmt).read(path, owner="me@example.org", options={})
    msg = str(err.value)
    assert msg.startswith(f"{path}: line 1: ") and "lacks the columns" in msg and needed in msg
    assert "Ada" not in msg and "ada@example.org" not in msg  # a data row's values are never shown
    res = CliRunner().invoke(
        cli, ["-w", str(tmp_path / "ws"), "import", str(path), "--format", fmt, "--owner", "me@example.org"]
    )
    assert res.exit_code != 0 and "lacks the columns" in res.output and "Traceback" not in res.output


def test_format_on_another_exports_file_names_that_export(tmp_path):
    path = tmp_path / "Connections.csv"
    path.write_text("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"not a .*the file is linkedin-connections"):
        get_format("google-csv").read(path, owner=None, options={})
