"""Outlook CSV contact exports: outlook.com / Google's "Outlook CSV" flavour and desktop Outlook.

Quirks handled (see ``shared/FORMATS.md`` 4.3): both column orders (``First Name,Middle Name,...`` and
desktop Outlook's ``"Title","First Name",...`` with every field quoted); Windows-1252 and UTF-16 files
(with or without BOM) as well as UTF-8; comma, semicolon or tab separators; ``Business Country`` as
well as ``Business Country/Region``; up to three e-mail columns whose ``E-mail Type`` may be ``EX``
with an Exchange DN (``/o=ExchangeLabs/...``) instead of an address (ignored: not an email); many
phone columns (faxes, pagers and assistants' phones are left out); a web page on linkedin.com as the
LinkedIn URL; and English, German and French headers (Outlook localises them, including French's
two ``Titre`` columns: courtesy title first, job title second). Columns are found by name. An
export trimmed in a spreadsheet is recognised by a name column beside one of Outlook's e-mail columns;
with ``--format outlook-csv`` any header with a name, company or e-mail column (:data:`NEEDS`) is read.

Each row becomes one ``contact`` record; with an ``owner``, record 0 is the owner and each contact is
also an owner -> contact interaction of channel ``contact`` (an address-book entry: weak evidence).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from reach.io import csvutil as cu
from reach.io.base import Format, Parsed

# field -> header names (normalised: lower case, single spaces), English, German, French
NAMES: dict[str, tuple[str, ...]] = {
    "first": ("first name", "vorname", "prénom"),
    "middle": ("middle name", "weitere vornamen", "2. vorname", "zweiter vorname", "deuxième prénom"),
    "last": ("last name", "nachname", "nom", "nom de famille"),
    "company": ("company", "firma", "société", "organisation"),
    "job_title": ("job title", "position", "fonction"),
    "email1": ("e-mail address", "email address", "e-mail-adresse", "e-mail adresse", "adresse de messagerie"),
    "email2": ("e-mail 2 address", "email 2 address", "e-mail 2: adresse", "adresse de messagerie 2"),
    "email3": ("e-mail 3 address", "email 3 address", "e-mail 3: adresse", "adresse de messagerie 3"),
    "type1": ("e-mail type", "email type", "e-mail-typ", "type de messagerie"),
    "type2": ("e-mail 2 type", "email 2 type", "e-mail 2: typ", "type de messagerie 2"),
    "type3": ("e-mail 3 type", "email 3 type", "e-mail 3: typ", "type de messagerie 3"),
    "display1": ("e-mail display name", "e-mail: angezeigter name", "nom complet de l'adresse de messagerie"),
    "city": ("business city", "ort geschäftlich", "ville (bureau)"),
    "region": ("business state", "bundesland/kanton geschäftlich", "region geschäftlich", "dép/région (bureau)"),
    "country": (
        "business country/region",
        "business country",
        "land/region geschäftlich",
        "land geschäftlich",
        "pays/région (bureau)",
        "pays (bureau)",
    ),
    "home_city": ("home city", "ort privat", "ville (domicile)"),
    "home_country": (
        "home country/region",
        "home country",
        "land/region privat",
        "land privat",
        "pays/région (domicile)",
        "pays (domicile)",
    ),
    "web": ("web page", "personal web site", "business web page", "webseite", "page web"),
    "categories": ("categories", "kategorien", "catégories"),
}
PHONES = (
    "primary phone",
    "mobile phone",
    "business phone",
    "business phone 2",
    "home phone",
    "home phone 2",
    "other phone",
    "car phone",
    "haupttelefon",
    "mobiltelefon",
    "mobiltelefon 2",
    "telefon geschäftlich",
    "telefon geschäftlich 2",
    "telefon privat",
    "telefon privat 2",
    "telefon (privat)",
    "weiteres telefon",
    "autotelefon",
    "téléphone principal",
    "tél. mobile",
    "téléphone mobile",
    "téléphone (bureau)",
    "téléphone 2 (bureau)",
    "téléphone (domicile)",
    "téléphone 2 (domicile)",
    "téléphone (autre)",
    "téléphone (voiture)",
)
_SIGNATURES = (
    {"first name", "last name", "e-mail address"},
    {"first name", "last name", "email address", "job title"},
    {"vorname", "nachname", "e-mail-adresse"},
    {"prénom", "nom", "adresse de messagerie"},
)


# Outlook's own spellings of its e-mail columns ("Email Address" alone is LinkedIn's and HubSpot's too)
_OUTLOOK_EMAIL = {
    n for key in ("email1", "email2", "email3", "type1", "type2", "type3", "display1") for n in NAMES[key]
} - {"email address"}
_NAME_KEYS = ("first", "middle", "last")
NEEDS = cu.Needs(
    (tuple(n.title() for key in (*_NAME_KEYS, "company", "email1", "email2", "email3") for n in NAMES[key]),)
)


def _is_header(cells: list[str]) -> bool:
    """The header as Outlook writes it (desktop or outlook.com, English, German or French)."""
    names = set(cells)
    if any(c.startswith("e-mail 1 - ") for c in cells):  # Google CSV
        return False
    return any(sig <= names for sig in _SIGNATURES)


def _is_trimmed(cells: list[str]) -> bool:
    """An Outlook header with columns deleted: still a name column and one of Outlook's e-mail columns."""
    names = set(cells)
    if any(c.startswith("e-mail 1 - ") for c in cells):
        return False
    return bool(names & _OUTLOOK_EMAIL) and any(n in names for key in _NAME_KEYS for n in NAMES[key])


def _identify(cells: list[str]) -> bool:
    return _is_header(cells) or _is_trimmed(cells)


def sniff(head: str, path: Path | None = None) -> float:
    if cu.scan_header(head, _is_header, max_lines=3) is not None:
        return 0.9
    return 0.85 if cu.scan_header(head, _is_trimmed, max_lines=3) is not None else 0.0


def read_outlook_csv(
    path: Path, *, owner: str | None = None, options: dict | None = None, data: bytes | None = None, label: str = ""
) -> Parsed:
    """Parse an Outlook (desktop or outlook.com) contacts CSV export."""
    data = cu.load_bytes(path, data, what="Outlook contacts CSV")
    header = cu.find_export_header(
        data, path, identify=_identify, needs=NEEDS, what="Outlook contacts CSV", name="outlook-csv"
    )
    normed = [cu.norm(c) for c in header.cells]
    idx = header.index()
    fields = {key: next((idx[n] for n in names if n in idx), None) for key, names in NAMES.items()}
    titres = [i for i, c in enumerate(normed) if c == "titre"]
    if fields["job_title"] is None and len(titres) >= 2:  # French desktop Outlook: "Titre" twice
        fields["job_title"] = titres[1]
    phones = [i for i, c in enumerate(normed) if c in PHONES]
    wanted = [i for i in fields.values() if i is not None] + phones
    rows = cu.read_rows(data, header, wanted, label=label)
    c = {k: rows.cell(i) for k, i in fields.items()}
    n = len(rows)

    emails = []
    n_exchange = 0
    for k in ("1", "2", "3"):
        value, kind = c["email" + k], c["type" + k]
        if not n:
            emails.append(value)
            continue
        # an Exchange entry (type EX) holds a DN such as /o=ExchangeLabs/ou=..., not an address
        exchange = cu.np_bool(
            pc.or_(pc.equal(pc.utf8_upper(kind), "EX"), pc.starts_with(value, "/o=", ignore_case=True))
        )
        exchange &= cu.np_bool(pc.greater(pc.binary_length(value), 0))
        n_exchange += int(exchange.sum())
        emails.append(pc.if_else(pa.array(exchange), pa.scalar("", value.type), value) if exchange.any() else value)
    display = c["display1"]
    if n:
        # "Grace Lee (grace.lee@acme.example)" -> "Grace Lee"; an address alone is no name
        display = pc.replace_substring_regex(display, r"\s*\([^()]*@[^()]*\)\s*$", "")
        is_email = cu.looks_email(display)
        if is_email.any():
            display = pc.if_else(pa.array(is_email), pa.scalar("", display.type), display)
    name = cu.first_of(cu.join(c["first"], c["middle"], c["last"]), display)
    location = cu.first_of(
        cu.join(c["city"], c["region"], c["country"], sep=", "), cu.join(c["home_city"], c["home_country"], sep=", ")
    )
    columns = {
        "display_name": name,
        "first_name": cu.nz(c["first"]),
        "last_name": cu.nz(c["last"]),
        "company": cu.nz(c["company"]),
        "title": cu.nz(c["job_title"]),
        "location": location,
        "emails": cu.multi(emails, keep="email"),
        "phones": cu.multi([rows.cell(i) for i in phones]) if phones else None,
        "linkedin_url": cu.first_value([c["web"]], keep="linkedin"),
    }
    notes = [f"{n_exchange} Exchange (EX) addresses were ignored (an X.500 DN is not an email)"] if n_exchange else []
    return cu.contacts_parsed(rows, columns, owner, notes=notes)


FORMATS = [
    Format(
        "outlook-csv",
        "Outlook contacts CSV (desktop or outlook.com; English, German, French headers)",
        sniff,
        read_outlook_csv,
    ),
]
