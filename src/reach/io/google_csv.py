"""Google Contacts CSV ("Google CSV"), both header generations.

Quirks handled (see ``shared/FORMATS.md`` 4.2): the current header (``First Name,Middle Name,Last
Name,...,Labels,E-mail 1 - Label,E-mail 1 - Value,...``) and the legacy one (``Name,Given Name,...,
Group Membership,E-mail 1 - Type,E-mail 1 - Value,...,Organization 1 - Name``), with or without the
``Language``/``Photo`` columns; any number of ``E-mail N``, ``Phone N`` and ``Website N`` columns;
several values in one cell joined by `` ::: ``; a UTF-8 BOM; multi-line quoted ``Notes``; phone-only
rows; "Other Contacts" rows whose name is their email address (the address goes to ``emails``, the
name stays empty); exports trimmed in a spreadsheet (``Group Membership`` or other columns deleted),
recognised by a name column beside Google's numbered ``E-mail 1 - Value`` columns, and with
``--format google-csv`` any header that keeps a column of :data:`NEEDS`. A website on linkedin.com
becomes ``linkedin_url``; ``Location`` or the first address's city, region and country become
``location``. Columns are found by name.

Each row becomes one ``contact`` record. With an ``owner``, record 0 is the owner and every contact is
also an owner -> contact interaction of channel ``contact`` (an address-book entry: weak evidence).
Rows with no name, email, phone or LinkedIn URL, and rows with more cells than the header (the extra
cells not empty), go to rejects.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from reach.io import csvutil as cu
from reach.io.base import Format, Parsed

MULTI = ":::"
_EMAIL = re.compile(r"^e-mail (\d+) - value$")
_PHONE = re.compile(r"^phone (\d+) - value$")
_WEBSITE = re.compile(r"^website (\d+) - value$")
_CURRENT = {"first name", "last name", "labels"}
_LEGACY = {"given name", "family name", "group membership"}
# Google's own way of naming repeated fields: "E-mail 1 - Value", "Phone 2 - Type", "Organization 1 - Name"
_NUMBERED = re.compile(r"^[a-z][a-z -]*[a-z] \d+ - [a-z][a-z ]*$")
_NAME_COLUMNS = ("Name", "First Name", "Last Name", "Given Name", "Family Name", "Middle Name", "Nickname", "File As")
NEEDS = cu.Needs(
    (
        (
            *_NAME_COLUMNS,
            "Organization Name",
            "Organization 1 - Name",
            "E-mail 1 - Value",
            "Phone 1 - Value",
            "Website 1 - Value",
        ),
    )
)


def _is_header(cells: list[str]) -> bool:
    """The header as Google writes it (current or legacy generation)."""
    names = set(cells)
    has_values = any(_EMAIL.match(c) or _PHONE.match(c) for c in cells)
    return has_values and (
        names >= _CURRENT or names >= _LEGACY or {"first name", "last name", "organization name"} <= names
    )


def _is_trimmed(cells: list[str]) -> bool:
    """A Google header with columns deleted (``Group Membership``, ``Labels``, whole name parts): still
    a name column beside Google's numbered ``E-mail 1 - Value`` / ``Phone 1 - Type`` columns.
    """
    names = set(cells)
    return any(_NUMBERED.match(c) for c in cells) and any(cu.norm(n) in names for n in _NAME_COLUMNS)


def _identify(cells: list[str]) -> bool:
    return _is_header(cells) or _is_trimmed(cells)


def sniff(head: str, path: Path | None = None) -> float:
    if cu.scan_header(head, _is_header, max_lines=3) is not None:
        return 0.95
    return 0.9 if cu.scan_header(head, _is_trimmed, max_lines=3) is not None else 0.0


def read_google_csv(
    path: Path, *, owner: str | None = None, options: dict | None = None, data: bytes | None = None, label: str = ""
) -> Parsed:
    """Parse a Google Contacts CSV export (``data``: the file's bytes when already read)."""
    data = cu.load_bytes(path, data, what="Google Contacts CSV")
    header = cu.find_export_header(
        data, path, identify=_identify, needs=NEEDS, what="Google Contacts CSV", name="google-csv"
    )
    idx = header.index()

    def find(*names: str) -> int | None:
        return next((idx[n] for n in names if n in idx), None)

    def numbered(pattern: re.Pattern) -> list[int]:
        return [i for i, c in enumerate(header.cells) if pattern.match(cu.norm(c))]

    emails, phones, sites = numbered(_EMAIL), numbered(_PHONE), numbered(_WEBSITE)
    fields = {
        "name": find("name"),
        "first": find("first name", "given name"),
        "middle": find("middle name", "additional name"),
        "last": find("last name", "family name"),
        "nickname": find("nickname"),
        "file_as": find("file as"),
        "company": find("organization name", "organization 1 - name"),
        "title": find("organization title", "organization 1 - title"),
        "labels": find("labels", "group membership"),
        "location": find("location"),
        "city": find("address 1 - city"),
        "region": find("address 1 - region"),
        "country": find("address 1 - country"),
    }
    wanted = [i for i in fields.values() if i is not None] + emails + phones + sites
    rows = cu.read_rows(data, header, wanted, label=label)
    c = {k: rows.cell(i) for k, i in fields.items()}
    first, last = cu.nz(c["first"]), cu.nz(c["last"])
    name = cu.first_of(c["name"], cu.join(c["first"], c["middle"], c["last"]), c["nickname"], c["file_as"])
    email_cells = [rows.cell(i) for i in emails]
    # "Other Contacts" rows carry the address as their name: keep it as an email, not as a name
    name_is_email = cu.looks_email(name)
    if name_is_email.any():
        email_cells.append(cu.where(name_is_email, name, pa.nulls(len(rows), name.type)).fill_null(""))
        name = cu.where(~name_is_email, name)
        first = cu.where(~cu.looks_email(first), first)
    n_other = 0
    if len(rows) and rows.contains("Other Contacts"):
        n_other = int(pc.sum(pc.match_substring(c["labels"], "Other Contacts")).as_py() or 0)
    split = MULTI if rows.contains(MULTI) else None
    notes = [f"{n_other} rows are Google 'Other Contacts' (saved automatically from mail)"] if n_other else []
    columns = {
        "display_name": name,
        "first_name": first,
        "last_name": last,
        "company": cu.nz(c["company"]),
        "title": cu.nz(c["title"]),
        "location": cu.first_of(c["location"], cu.join(c["city"], c["region"], c["country"], sep=", ")),
        "emails": cu.multi(email_cells, split=split, keep="email") if email_cells else None,
        "phones": cu.multi([rows.cell(i) for i in phones], split=split) if phones else None,
        "linkedin_url": cu.first_value([rows.cell(i) for i in sites], split=split, keep="linkedin") if sites else None,
    }
    return cu.contacts_parsed(rows, columns, owner, notes=notes)


FORMATS = [
    Format("google-csv", "Google Contacts CSV export (current or legacy header)", sniff, read_google_csv),
]
