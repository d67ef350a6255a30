"""Thunderbird address-book CSV exports (Address Book > Tools > Export, "Comma Separated").

The columns Thunderbird writes: ``First Name,Last Name,Display Name,Nickname,Primary Email,Secondary
Email,Screen Name,Work Phone,Home Phone,Fax Number,Pager Number,Mobile Number,Home Address,Home
Address 2,Home City,Home State,Home ZipCode,Home Country,Work Address,Work Address 2,Work City,Work
State,Work ZipCode,Work Country,Job Title,Department,Organization,Web Page 1,Web Page 2,Birth Year,
Birth Month,Birth Day,Custom 1,Custom 2,Custom 3,Custom 4,Notes``. Quirks handled: every data row ends
with a comma (one empty cell more than the header); British builds write ``Organisation``, ``County``
and ``Post Code``; older ones ``Home Address2``, ``Home Zipcode`` and ``Work Zip``; the tab-separated
export; a header-only file. Columns are found by name, so a file trimmed in a spreadsheet still
reads when it keeps ``Primary Email`` beside a name column, and with ``--format thunderbird-csv``
any header with a column of :data:`NEEDS`.

Each row becomes one ``contact`` record: the display name (else first and last name, else the
nickname), both addresses, the work, home and mobile numbers (fax and pager numbers are not a way to
reach a person), organisation, job title, work (else home) city, state and country, and a web page on
linkedin.com as the LinkedIn URL. With an ``owner``, record 0 is the owner and every contact is an
owner -> contact interaction of channel ``contact`` (an address-book entry: weak evidence). Rows with
no name, email, phone or LinkedIn URL go to rejects.
"""

from __future__ import annotations

from pathlib import Path

from reach.io import csvutil as cu
from reach.io.base import Format, Parsed

# field -> header names as Thunderbird's builds spell them (normalised: lower case, single spaces)
NAMES: dict[str, tuple[str, ...]] = {
    "first": ("first name",),
    "last": ("last name",),
    "display": ("display name",),
    "nickname": ("nickname",),
    "email1": ("primary email",),
    "email2": ("secondary email",),
    "company": ("organization", "organisation"),
    "title": ("job title",),
    "work_city": ("work city",),
    "work_state": ("work state", "work county"),
    "work_country": ("work country",),
    "home_city": ("home city",),
    "home_state": ("home state", "home county"),
    "home_country": ("home country",),
    "web1": ("web page 1",),
    "web2": ("web page 2",),
}
PHONES = ("work phone", "home phone", "mobile number")
# columns only Thunderbird writes (beside "Primary Email"), to tell its export from other address books
_OWN = {"secondary email", "screen name", "pager number", "mobile number", "fax number", "web page 1"}
NEEDS = cu.Needs(
    (("First Name", "Last Name", "Display Name", "Nickname", "Primary Email", "Secondary Email", "Organization"),)
)


def _is_header(cells: list[str]) -> bool:
    """The header as Thunderbird writes it."""
    names = set(cells)
    return {"first name", "last name", "display name", "primary email"} <= names and len(names & _OWN) >= 2


def _is_trimmed(cells: list[str]) -> bool:
    """A Thunderbird header with columns deleted: ``Primary Email`` beside a name column."""
    names = set(cells)
    return "primary email" in names and bool({"first name", "last name", "display name", "nickname"} & names)


def _identify(cells: list[str]) -> bool:
    return _is_header(cells) or _is_trimmed(cells)


def sniff(head: str, path: Path | None = None) -> float:
    if cu.scan_header(head, _is_header, max_lines=3) is not None:
        return 0.95
    return 0.85 if cu.scan_header(head, _is_trimmed, max_lines=3) is not None else 0.0


def read_thunderbird_csv(
    path: Path, *, owner: str | None = None, options: dict | None = None, data: bytes | None = None, label: str = ""
) -> Parsed:
    """Parse a Thunderbird address-book CSV export (``data``: the file's bytes when already read)."""
    data = cu.load_bytes(path, data, what="Thunderbird address-book CSV")
    header = cu.find_export_header(
        data, path, identify=_identify, needs=NEEDS, what="Thunderbird address-book CSV", name="thunderbird-csv"
    )
    idx = header.index()
    fields = {key: next((idx[n] for n in names if n in idx), None) for key, names in NAMES.items()}
    phones = [idx[n] for n in PHONES if n in idx]
    wanted = [i for i in fields.values() if i is not None] + phones
    rows = cu.read_rows(data, header, wanted, label=label)
    c = {k: rows.cell(i) for k, i in fields.items()}
    display = c["display"]
    if len(rows):
        display = cu.where(~cu.looks_email(display), display)  # an address alone is no name
    columns = {
        "display_name": cu.first_of(display, cu.join(c["first"], c["last"]), c["nickname"]),
        "first_name": cu.nz(c["first"]),
        "last_name": cu.nz(c["last"]),
        "company": cu.nz(c["company"]),
        "title": cu.nz(c["title"]),
        "location": cu.first_of(
            cu.join(c["work_city"], c["work_state"], c["work_country"], sep=", "),
            cu.join(c["home_city"], c["home_state"], c["home_country"], sep=", "),
        ),
        "emails": cu.multi([c["email1"], c["email2"]], keep="email"),
        "phones": cu.multi([rows.cell(i) for i in phones]) if phones else None,
        "linkedin_url": cu.first_value([c["web1"], c["web2"]], keep="linkedin"),
    }
    return cu.contacts_parsed(rows, columns, owner)


FORMATS = [
    Format(
        "thunderbird-csv",
        "Thunderbird address-book CSV export (First Name,...,Primary Email,...)",
        sniff,
        read_thunderbird_csv,
    ),
]
