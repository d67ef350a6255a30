"""LinkedIn data export ("Get a copy of your data"): ``Connections.csv``, ``messages.csv``,
``Invitations.csv``, and the export ZIP holding them.

Quirks handled (see ``shared/FORMATS.md`` 4.1):

- ``Connections.csv``: the ``Notes:`` preamble of 0 to 4 lines (quoted or not), a UTF-8 BOM, CRLF,
  blank rows, rows of commas only, quoted commas and quotes, the older layout without ``URL``, and
  ``12 Mar 2024`` dates (also ``12-Mar-24`` and ISO). Each row is a ``contact`` record and a
  ``connection`` from the owner (record 0) to it.
- ``messages.csv``: 10 to 13 columns depending on the export's age, mapped by name; several
  recipients in ``TO`` (``"Fay, Gus"``) paired with ``RECIPIENT PROFILE URLS`` separated by commas or
  semicolons; multi-line ``CONTENT``; ``2023-06-11 15:33:58 UTC`` dates; ``SPAM`` folder and drafts
  skipped; names garbled as ``Ã©`` repaired. Everyone seen is a ``party`` record (one per profile URL,
  or per name without one), except the export's owner, who is record 0: recognised by ``--owner`` or
  the ``aliases`` / ``owner_name`` options matching a name or a profile URL, by ``Profile.csv`` in a
  ZIP, or else as the one participant of every message (ties broken by the owner's address, e.g.
  ``ana@...`` and "Ana Souza"). Each
  message is a ``message`` interaction from the sender to each recipient (``broadcast`` beyond
  ``max_recipients``).
- ``Invitations.csv``: ``From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl``
  with ``"3/14/25, 2:37 PM"`` times (no zone: read as UTC); ``OUTGOING`` ones go from the owner,
  ``INCOMING`` ones to the owner; channel ``invitation``.
- The ZIP (``Basic_LinkedInDataExport_*.zip``) is read through its central directory (LinkedIn writes
  data descriptors with zeroed local sizes), and ``Connections.csv``, ``messages.csv`` and
  ``Invitations.csv`` found at its root or in a folder are imported together as one source: one
  record per person (messages and invitations reuse the connection record with the same profile
  URL), line numbers are those of each member file, and reject excerpts start with the member's name.

Columns are mapped by name, never by position. Parsing goes through :mod:`reach.io.csvutil`.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from reach.errors import InputFormatError
from reach.io import csvutil as cu
from reach.io.base import Format, Parsed, event_keys, rejects_table
from reach.io.limits import read_member

CONNECTION_COLUMNS = {
    "first name": "first_name",
    "last name": "last_name",
    "url": "linkedin_url",
    "profile url": "linkedin_url",
    "email address": "email",
    "company": "company",
    "position": "title",
    "connected on": "connected_on",
}
# a trimmed Connections.csv still reads when it keeps one column that names the connection
CONNECTION_NEEDS = cu.Needs((("First Name", "Last Name", "URL", "Profile URL", "Email Address"),))
MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
MESSAGE_COLUMNS = {
    "conversation id": "conversation",
    "from": "from",
    "sender profile url": "from_url",
    "to": "to",
    "recipient profile urls": "to_urls",
    "date": "date",
    "folder": "folder",
    "is message draft": "draft",
    "is conversation draft": "conversation_draft",
}
INVITATION_COLUMNS = {
    "from": "from",
    "to": "to",
    "sent at": "sent_at",
    "direction": "direction",
    "inviterprofileurl": "inviter_url",
    "inviteeprofileurl": "invitee_url",
}
MEMBERS = ("connections.csv", "messages.csv", "invitations.csv")
OWNER = "\u0000owner"  # the key standing for the export's owner
TRUE = ("yes", "true", "1", "y")


def _norm_header(cell: str) -> str:
    return cell.strip().strip('"').strip().lower().lstrip("\ufeff")


def _is_connections(cells: list[str]) -> bool:
    """Connections.csv as LinkedIn writes it, or trimmed: ``Connected On`` beside a name or URL column."""
    names = set(cells)
    return "connected on" in names and bool({"first name", "last name", "url", "profile url"} & names)


def _is_messages(cells: list[str]) -> bool:
    return {"from", "to", "date", "content"} <= set(cells) and "conversation id" in cells


def _is_invitations(cells: list[str]) -> bool:
    return {"from", "to", "sent at", "direction"} <= set(cells)


def find_header(lines: list[str]) -> int | None:
    """Index of the ``First Name,Last Name,...,Connected On`` header among the first lines, or None."""
    found = cu.scan_header("\n".join(lines[:20]), _is_connections)
    return None if found is None else found[0]


def sniff(head: str, path: Path | None = None) -> float:
    return 1.0 if find_header(head.splitlines()) is not None else 0.0


def sniff_messages(head: str, path: Path | None = None) -> float:
    return 1.0 if cu.scan_header(head, _is_messages, max_lines=3) is not None else 0.0


def sniff_invitations(head: str, path: Path | None = None) -> float:
    return 1.0 if cu.scan_header(head, _is_invitations, max_lines=3) is not None else 0.0


# Profile.csv: the owner's own name (and, in some vintages, profile URL); Email Addresses.csv: their addresses
PROFILE_ONLY = {
    "maiden name",
    "headline",
    "birth date",
    "geo location",
    "industry",
    "summary",
    "twitter handles",
    "websites",
    "instant messengers",
    "zip code",
}
PROFILE_URLS = ("profile url", "public profile url", "public profile", "url")
PROFILE_NEEDS = cu.Needs((("First Name", "Last Name"),))
EMAILS_NEEDS = cu.Needs((("Email Address",),))
LINKEDIN_PROFILE = re.compile(r"(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/(?:in|pub)/[^\s,;\]\[\"']+", re.IGNORECASE)


def _is_profile(cells: list[str]) -> bool:
    names = set(cells)
    return {"first name", "last name"} <= names and len(names & PROFILE_ONLY) >= 2


def _is_email_addresses(cells: list[str]) -> bool:
    return {"email address", "confirmed", "primary"} <= set(cells)


def sniff_profile(head: str, path: Path | None = None) -> float:
    return 0.95 if cu.scan_header(head, _is_profile, max_lines=3) is not None else 0.0


def sniff_email_addresses(head: str, path: Path | None = None) -> float:
    return 0.95 if cu.scan_header(head, _is_email_addresses, max_lines=3) is not None else 0.0


def _owner_only(rows: cu.CsvRows, owner: str, extra: dict, notes: list[str]) -> Parsed:
    rows.reject(np.arange(len(rows)) > 0, "an export's profile file holds one person, its owner: extra row")
    return Parsed(
        records=cu.owner_table(owner, **extra),
        interactions=cu.empty_interactions(),
        rejects=rejects_table(rows.rejects),
        n_rows=rows.n_rows,
        n_skipped=rows.n_skipped,
        notes=notes + rows.notes,
    )


def read_profile(path: Path, *, owner: str | None, options: dict | None = None, data: bytes | None = None) -> Parsed:
    """The owner's own ``Profile.csv``: one owner record with their name, location and LinkedIn URL
    (a ``Profile URL`` column or a linkedin.com/in/ address among ``Websites``), which joins the owner
    to their LinkedIn identity in other people's exports. No contacts, no interactions.
    """
    owner = _need_owner(path, owner)
    data = cu.load_bytes(path, data, what="LinkedIn Profile.csv")
    header = cu.find_export_header(
        data, path, identify=_is_profile, needs=PROFILE_NEEDS, what="LinkedIn Profile.csv", name="linkedin-profile"
    )
    idx = header.index()
    url_col = next((idx[n] for n in PROFILE_URLS if n in idx), None)
    cols = {k: idx.get(n) for k, n in (("first", "first name"), ("last", "last name"), ("geo", "geo location"))}
    cols["websites"] = idx.get("websites")
    cols["url"] = url_col
    rows = cu.read_rows(data, header, [i for i in cols.values() if i is not None])
    if not len(rows):
        return _owner_only(rows, owner, {}, ["Profile.csv has no row: nothing known about the owner"])
    first = {k: (rows.cell(i)[0].as_py() if i is not None else None) or None for k, i in cols.items()}
    url = first["url"] if first["url"] and LINKEDIN_PROFILE.search(first["url"]) else None
    if url is None and first["websites"]:
        found = LINKEDIN_PROFILE.search(first["websites"])
        url = found.group(0) if found else None
    name = " ".join(p for p in (first["first"], first["last"]) if p) or None
    extra = {
        "display_name": name,
        "first_name": first["first"],
        "last_name": first["last"],
        "location": first["geo"],
        "linkedin_url": url,
    }
    notes = ["Profile.csv: the owner's own profile" + (" and LinkedIn URL" if url else " (no LinkedIn URL in it)")]
    return _owner_only(rows, owner, extra, notes)


def read_email_addresses(
    path: Path, *, owner: str | None, options: dict | None = None, data: bytes | None = None
) -> Parsed:
    """The owner's own ``Email Addresses.csv``: every address (confirmed or not) on the owner record."""
    owner = _need_owner(path, owner)
    data = cu.load_bytes(path, data, what="LinkedIn Email Addresses.csv")
    header = cu.find_export_header(
        data,
        path,
        identify=_is_email_addresses,
        needs=EMAILS_NEEDS,
        what="LinkedIn Email Addresses.csv",
        name="linkedin-email-addresses",
    )
    col = header.index()["email address"]
    rows = cu.read_rows(data, header, [col])
    emails = cu.multi([rows.cell(col)], keep="email") if len(rows) else None
    found = sorted({e for lst in (emails.to_pylist() if emails is not None else []) if lst for e in lst})
    owner_emails = [e for e in [owner.strip()] if "@" in e and " " not in e]
    extra = {"emails": owner_emails + [e for e in found if e not in owner_emails]}
    notes = [f"Email Addresses.csv: {len(found)} of the owner's own addresses"]
    return Parsed(
        records=cu.owner_table(owner, **extra),
        interactions=cu.empty_interactions(),
        rejects=rejects_table(rows.rejects),
        n_rows=rows.n_rows,
        n_skipped=rows.n_skipped,
        notes=notes + rows.notes,
    )


def parse_connected_on(value: str) -> datetime | None:
    """Parse ``12 Mar 2024`` (also ``12-Mar-24`` and ISO ``2024-03-12``); None when unparseable."""
    value = value.strip()
    if not value:
        return None
    parts = value.replace("-", " ").replace("/", " ").split()
    try:
        if len(parts) == 3 and parts[1][:3].lower() in MONTHS:
            year = int(parts[2])
            year += 2000 if year < 100 else 0
            return datetime(year, MONTHS[parts[1][:3].lower()], int(parts[0]), tzinfo=UTC)
        if len(parts) == 3 and len(parts[0]) == 4:
            return datetime(int(parts[0]), int(parts[1]), int(parts[2]), tzinfo=UTC)
    except ValueError:
        return None
    return None


def _dates(values: pa.Array, formats: list[str], *, date_only: bool = False) -> pa.Array:
    """Parse strings with the first matching format of ``formats`` (UTC); null when none matches."""
    s = pl.from_arrow(values).cast(pl.String) if len(values) else pl.Series([], dtype=pl.String)
    s = s.str.strip_chars()
    if date_only:
        parsed = [s.str.strptime(pl.Date, f, strict=False).cast(pl.Datetime("us")) for f in formats]
    else:
        parsed = [s.str.strptime(pl.Datetime("us"), f, strict=False) for f in formats]
    out = pl.select(pl.coalesce(parsed)).to_series() if len(parsed) > 1 else parsed[0]
    out = out.dt.replace_time_zone("UTC")
    return out.to_arrow().cast(cu.TS)


CONNECTED_ON_FORMATS = ["%d %B %Y", "%d-%b-%y", "%d-%b-%Y", "%Y-%m-%d", "%d %b %y"]
MESSAGE_DATE_FORMATS = ["%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M UTC"]
INVITATION_FORMATS = ["%m/%d/%y, %I:%M %p", "%m/%d/%Y, %I:%M %p", "%m/%d/%y %I:%M %p", "%Y-%m-%d %H:%M:%S UTC"]


# ---------------------------------------------------------------------------------------------
# one export, assembled from its parts


@dataclass
class _Part:
    """What one member file contributes before records get their ids."""

    label: str
    rejects: list[cu.Reject] = field(default_factory=list)
    n_rows: int = 0
    n_skipped: int = 0
    notes: list[str] = field(default_factory=list)
    contacts: dict[str, pa.Array] | None = None  # Connections: columns, one record per row
    contact_lines: np.ndarray | None = None
    contact_at: pa.Array | None = None
    parties: pl.DataFrame | None = None  # key, line, display_name, linkedin_url (first sighting first)
    links: pl.DataFrame | None = None  # line, src, dst (keys), channel, at, n_participants
    owner_url: str | None = None


def _slug_expr(url: pl.Expr) -> pl.Expr:
    low = url.str.strip_chars().str.to_lowercase()
    slug = low.str.extract(r"linkedin\.com/in/([^/?#\s]+)", 1)
    return pl.coalesce(slug, low.str.replace(r"^https?://(www\.)?", "").str.strip_chars_end("/"))


def _key_expr(name: pl.Expr, url: pl.Expr) -> pl.Expr:
    """A person's key in one export: their profile URL's slug, else their name (lower case)."""
    url = url.str.strip_chars()
    name_key = name.str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ")
    return (
        pl.when(url.fill_null("") != "")
        .then(pl.lit("li:") + _slug_expr(url))
        .when(name_key.fill_null("") != "")
        .then(pl.lit("name:") + name_key)
        .otherwise(None)
    )


def _slug(url: str) -> str:
    return pl.select(_slug_expr(pl.lit(url))).item() or ""


def _owner_names(owner: str | None, options: dict, profile_names: list[str]) -> tuple[set[str], set[str]]:
    """Lower-case names and profile slugs that stand for the owner."""
    names, slugs = set(), set()
    aliases = options.get("aliases") or []
    values = [owner or ""] + ([aliases] if isinstance(aliases, str) else list(aliases)) + profile_names
    if options.get("owner_name"):
        values.append(str(options["owner_name"]))
    for value in values:
        value = str(value).strip()
        if not value:
            continue
        if "linkedin.com/" in value.lower():
            slugs.add(_slug(value))
        elif "@" not in value:
            names.add(" ".join(value.lower().split()))
    return names, slugs


def _tokens(text: str) -> set[str]:
    """Lower-case ASCII words of ``text`` (accents dropped: ``Chloé`` -> ``chloe``)."""
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return {t for t in re.split(r"[^a-z]+", folded) if len(t) > 1}


def _pick_owner(
    part_people: pl.DataFrame,
    n_messages: int,
    owner: str | None,
    options: dict,
    profile_names: list[str],
    known_contacts: set[str],
) -> tuple[set[str], str | None]:
    """Keys of the owner among the people of messages/invitations, and how they were found.

    ``part_people``: ``msg`` (message index), ``key``, ``name``, ``url`` for every sender and recipient.
    """
    if part_people.height == 0:
        return set(), None
    names, slugs = _owner_names(owner, options, profile_names)
    people = part_people.with_columns(
        pl.col("name").str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ").alias("_n"),
        pl.when(pl.col("url").fill_null("") != "").then(_slug_expr(pl.col("url"))).otherwise(None).alias("_s"),
    )
    hit = people.filter(pl.col("_n").is_in(list(names)) | pl.col("_s").is_in(list(slugs)))
    if hit.height:
        return set(hit["key"].drop_nulls().to_list()), "named"
    # the owner takes part in every message of their own export
    counts = people.group_by("key").agg(pl.col("msg").n_unique().alias("n"), pl.col("name").first())
    everywhere = counts.filter(pl.col("n") == n_messages)
    if everywhere.height > 1 and known_contacts:
        everywhere = everywhere.filter(~pl.col("key").is_in(list(known_contacts)))
    if everywhere.height > 1 and owner:
        want = _tokens(owner.split("@")[0])
        scored = everywhere.with_columns(
            pl.col("name")
            .fill_null("")
            .map_elements(lambda n: len(_tokens(n) & want), return_dtype=pl.Int64)
            .alias("score")
        )
        best = scored.filter(pl.col("score") == scored["score"].max())
        if scored["score"].max() and best.height == 1:
            everywhere = best
    if everywhere.height == 1:
        return {everywhere["key"][0]}, "inferred"
    return set(), None


def _match_parties(parties: pl.DataFrame, contacts: pl.DataFrame, first_new: int) -> pl.DataFrame:
    """Record ids for party keys: the connection with the same profile slug (or the same name when only
    one connection has it), else a new id from ``first_new`` on, in order of first sighting.

    ``parties``: key, line, display_name, linkedin_url; ``contacts``: id, slug, name. Returns
    ``key``, ``record_id``, ``is_new`` plus the party columns.
    """
    by_slug = contacts.filter(pl.col("slug").is_not_null()).unique("slug", keep="first", maintain_order=True)
    by_name = (
        contacts.filter(pl.col("name").is_not_null())
        .group_by("name")
        .agg(pl.col("id").first(), pl.len().alias("n"))
        .filter(pl.col("n") == 1)
    )
    out = parties.with_row_index("_order").with_columns(
        pl.when(pl.col("key").str.starts_with("li:")).then(pl.col("key").str.slice(3)).alias("_slug"),
        pl.when(pl.col("key").str.starts_with("name:")).then(pl.col("key").str.slice(5)).alias("_name"),
    )
    out = out.join(by_slug.select(pl.col("slug").alias("_slug"), pl.col("id").alias("_sid")), on="_slug", how="left")
    out = out.join(by_name.select(pl.col("name").alias("_name"), pl.col("id").alias("_nid")), on="_name", how="left")
    out = out.sort("_order").with_columns(pl.coalesce("_sid", "_nid").alias("_known"))
    new = pl.col("_known").is_null()
    out = out.with_columns(new.alias("is_new"), (first_new + new.cast(pl.Int64).cum_sum() - 1).alias("_new_id"))
    return out.with_columns(pl.when(new).then(pl.col("_new_id")).otherwise(pl.col("_known")).alias("record_id")).select(
        "key", "record_id", "is_new", "line", "display_name", "linkedin_url"
    )


def _assemble(parts: list[_Part], owner: str) -> Parsed:
    """Give records their ids (owner 0, then connections, then everyone else) and build the tables."""
    owner_url = next((p.owner_url for p in parts if p.owner_url), None)
    records = [cu.owner_table(owner, linkedin_url=owner_url)]
    inter_tables = []
    contact_keys = []
    next_id = 1
    for part in parts:
        if part.contacts is None:
            continue
        n = len(part.contact_lines)
        ids = np.arange(next_id, next_id + n, dtype=np.int64)
        records.append(cu.to_records(part.contacts, n, role="contact", first_id=next_id, line=part.contact_lines))
        inter_tables.append(
            cu.interactions_table(part.contact_lines, np.zeros(n, np.int64), ids, "connection", at=part.contact_at)
        )
        contact_keys.append((ids, part.contacts))
        next_id += n
    parties = [p.parties for p in parts if p.parties is not None and p.parties.height]
    key_ids = pl.DataFrame({"key": [OWNER], "record_id": [0]}, schema={"key": pl.String, "record_id": pl.Int64})
    if parties:
        contacts = pl.concat(
            [
                pl.DataFrame(
                    {
                        "id": ids,
                        "url": pl.from_arrow(cols["linkedin_url"]),
                        "name": pl.from_arrow(cols["display_name"]),
                    },
                    schema={"id": pl.Int64, "url": pl.String, "name": pl.String},
                )
                for ids, cols in contact_keys
            ]
            or [pl.DataFrame(schema={"id": pl.Int64, "url": pl.String, "name": pl.String})]
        )
        contacts = contacts.select(
            "id",
            _slug_expr(pl.col("url")).alias("slug"),
            pl.col("name").str.to_lowercase().str.replace_all(r"\s+", " ").alias("name"),
        )
        allp = pl.concat(parties).unique("key", keep="first", maintain_order=True)
        matched = _match_parties(allp, contacts, next_id)
        new = matched.filter(pl.col("is_new"))
        if new.height:
            records.append(
                cu.to_records(
                    {"display_name": new["display_name"].to_arrow(), "linkedin_url": new["linkedin_url"].to_arrow()},
                    new.height,
                    role="party",
                    first_id=next_id,
                    line=new["line"].to_numpy(),
                )
            )
        key_ids = pl.concat([key_ids, matched.select("key", "record_id")])
    for part in parts:
        if part.links is None or part.links.height == 0:
            continue
        links = (
            part.links.join(key_ids.rename({"key": "src", "record_id": "src_id"}), on="src", how="left")
            .join(key_ids.rename({"key": "dst", "record_id": "dst_id"}), on="dst", how="left")
            .filter(
                pl.col("src_id").is_not_null() & pl.col("dst_id").is_not_null() & (pl.col("src_id") != pl.col("dst_id"))
            )
        )
        inter_tables.append(
            cu.interactions_table(
                links["line"].to_numpy(),
                links["src_id"].to_numpy(),
                links["dst_id"].to_numpy(),
                links["channel"].to_arrow(),
                at=links["at"].to_arrow(),
                n_participants=links["n_participants"].to_numpy(),
                event_key=links["event_key"].to_arrow(),
            )
        )
    rejects: list[cu.Reject] = []
    notes: list[str] = []
    for part in parts:
        rejects.extend(part.rejects)
        notes.extend(part.notes)
    interactions = pa.concat_tables(inter_tables) if inter_tables else cu.empty_interactions()
    return Parsed(
        records=pa.concat_tables(records),
        interactions=interactions,
        rejects=rejects_table(rejects),
        n_rows=sum(p.n_rows for p in parts),
        n_skipped=sum(p.n_skipped for p in parts),
        notes=notes,
    )


def _need_owner(path: Path, owner: str | None) -> str:
    if not owner or not owner.strip():
        msg = f"{path}: a LinkedIn export is one person's data; say whose with --owner (an email or name)"
        raise InputFormatError(msg)
    return owner


# ---------------------------------------------------------------------------------------------
# Connections.csv


def _connections_part(path: Path, data: bytes, label: str) -> _Part:
    data = cu.load_bytes(path, data, what="LinkedIn Connections.csv")
    header = cu.find_export_header(
        data,
        path,
        identify=_is_connections,
        needs=CONNECTION_NEEDS,
        what="LinkedIn Connections.csv",
        name="linkedin-connections",
    )
    fields = header.fields(CONNECTION_COLUMNS, normalise=_norm_header)
    rows = cu.read_rows(data, header, list(fields.values()), label=label)
    c = {
        k: rows.cell(fields.get(k))
        for k in ("first_name", "last_name", "linkedin_url", "email", "company", "title", "connected_on")
    }
    for k in ("first_name", "last_name", "company", "title"):
        c[k] = cu.fix_mojibake(c[k])
    first, last = cu.nz(c["first_name"]), cu.nz(c["last_name"])
    url, email = cu.nz(c["linkedin_url"]), cu.nz(c["email"])
    n = len(rows)
    ident = np.zeros(n, bool)
    for arr in (first, last, url, email):
        ident |= cu.np_bool(pc.is_valid(arr))
    keep = rows.reject(~ident, "row has no name, profile URL or email")
    cols = {
        "display_name": cu.join(c["first_name"], c["last_name"]),
        "first_name": first,
        "last_name": last,
        "company": cu.nz(c["company"]),
        "title": cu.nz(c["title"]),
        "emails": cu.multi([c["email"]], keep="email"),
        "linkedin_url": url,
    }
    at = _dates(c["connected_on"], CONNECTED_ON_FORMATS, date_only=True)
    lines = rows.line
    if not keep.all():
        mask = pa.array(keep)
        cols = {k: v.filter(mask) for k, v in cols.items()}
        at = at.filter(mask)
        lines = lines[keep]
    return _Part(
        label=label,
        rejects=rows.rejects,
        n_rows=rows.n_rows,
        n_skipped=rows.n_skipped,
        notes=rows.notes,
        contacts=cols,
        contact_lines=lines,
        contact_at=at,
    )


def read_connections(path: Path, *, owner: str | None, options: dict | None = None) -> Parsed:
    """Parse a LinkedIn ``Connections.csv``; ``owner`` (whose export it is) is required."""
    owner = _need_owner(path, owner)
    return _assemble([_connections_part(path, None, "")], owner)


# ---------------------------------------------------------------------------------------------
# messages.csv and Invitations.csv


def _cells(rows: cu.CsvRows, fields: dict[str, int | None], names: tuple[str, ...] = ("from", "to")) -> pl.DataFrame:
    """The cells of ``fields`` (name -> column index) as a polars frame, with ``line``; mojibake in the
    ``names`` columns repaired.
    """
    cols = {
        k: pl.Series(k, cu.fix_mojibake(rows.cell(i)) if k in names else rows.cell(i), dtype=pl.String)
        for k, i in fields.items()
    }
    return pl.DataFrame({**cols, "line": pl.Series("line", rows.line, dtype=pl.Int64)})


def _messages_frame(path: Path, data: bytes | None, label: str) -> tuple[cu.CsvRows, pl.DataFrame]:
    data = cu.load_bytes(path, data, what="LinkedIn messages.csv")
    header = cu.find_header(
        data, _is_messages, path, what="LinkedIn messages (CONVERSATION ID,...,FROM,...,TO,...,DATE,...,CONTENT)"
    )
    fields = header.fields(MESSAGE_COLUMNS)
    rows = cu.read_rows(data, header, list(fields.values()), label=label)
    frame = _cells(
        rows,
        {
            k: fields.get(k)
            for k in (
                "conversation",
                "from",
                "from_url",
                "to",
                "to_urls",
                "date",
                "folder",
                "draft",
                "conversation_draft",
            )
        },
    )
    return rows, frame


def _message_people(frame: pl.DataFrame) -> pl.DataFrame:
    """Every sender and recipient: ``msg``, ``role`` (from/to), ``name``, ``url``, ``key``, ``line``."""
    urls = (
        pl.col("to_urls")
        .str.replace_all(";", ",")
        .str.split(",")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    names = (
        pl.col("to")
        .str.split(",")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    tmp = frame.with_row_index("msg").with_columns(urls.alias("_u"), names.alias("_n"))
    nu, nn = pl.col("_u").list.len(), pl.col("_n").list.len()
    blanks_u = pl.col("_u").list.eval(pl.element().str.slice(0, 0))
    blanks_n = pl.col("_n").list.eval(pl.element().str.slice(0, 0))
    whole_to = pl.concat_list(pl.col("to").str.strip_chars())
    tmp = tmp.with_columns(
        pl.when(nu == 0)
        .then(pl.col("_n"))
        .when(nn == nu)
        .then(pl.col("_n"))
        .when(nu == 1)
        .then(whole_to)
        .otherwise(blanks_u)
        .alias("r_name"),
        pl.when(nu == 0).then(blanks_n).otherwise(pl.col("_u")).alias("r_url"),
    )
    recipients = (
        tmp.select("msg", "line", "r_name", "r_url")
        .explode(["r_name", "r_url"])
        .rename({"r_name": "name", "r_url": "url"})
        .with_columns(pl.lit("to").alias("role"))
    )
    senders = tmp.select(
        "msg",
        "line",
        pl.col("from").str.strip_chars().alias("name"),
        pl.col("from_url").str.strip_chars().alias("url"),
        pl.lit("from").alias("role"),
    )
    people = pl.concat([senders, recipients.select(senders.columns)])
    people = people.with_columns(_key_expr(pl.col("name").fill_null(""), pl.col("url").fill_null("")).alias("key"))
    return people.filter(pl.col("key").is_not_null())


def _messages_part(
    path: Path,
    data: bytes | None,
    label: str,
    owner: str,
    options: dict,
    profile_names: list[str],
    known_contacts: set[str],
) -> _Part:
    rows, frame = _messages_frame(path, data, label)
    part = _Part(
        label=label, rejects=rows.rejects, n_rows=rows.n_rows, n_skipped=rows.n_skipped, notes=list(rows.notes)
    )
    folder = pl.col("folder").str.strip_chars().str.to_uppercase()
    skip = (
        folder.is_in(["SPAM", "DRAFT", "DRAFTS", "TRASH"])
        | pl.col("draft").str.strip_chars().str.to_lowercase().is_in(list(TRUE))
        | pl.col("conversation_draft").str.strip_chars().str.to_lowercase().is_in(list(TRUE))
    )
    n_skip = int(frame.select(skip.sum()).item()) if frame.height else 0
    if n_skip:
        part.n_skipped += n_skip
        part.notes.append(f"{n_skip} messages skipped (spam or drafts)")
        frame = frame.filter(~skip)
    no_sender = (pl.col("from").str.strip_chars() == "") & (pl.col("from_url").str.strip_chars() == "")
    no_recipient = (pl.col("to").str.strip_chars() == "") & (pl.col("to_urls").str.strip_chars() == "")
    for mask, reason in ((no_sender, "message has no sender"), (no_recipient, "message has no recipient")):
        bad = frame.filter(mask)
        if bad.height:
            part.rejects.extend((ln, reason, rows.excerpt(ln)) for ln in bad["line"].to_list())
            frame = frame.filter(~mask)
    part.rejects.sort(key=lambda r: r[0] or 0)
    people = _message_people(frame)
    owner_keys, how = _pick_owner(people, frame.height, owner, options, profile_names, known_contacts)
    if frame.height and not owner_keys:
        part.notes.append(
            "could not tell which participant is the export's owner; pass --owner with their "
            "LinkedIn name or profile URL (or options aliases)"
        )
    elif how == "inferred":
        part.notes.append("the export's owner was recognised as the participant of every message")
    if owner_keys:
        own = people.filter(pl.col("key").is_in(list(owner_keys)) & (pl.col("url").fill_null("") != ""))
        part.owner_url = own["url"][0] if own.height else None
    people = people.with_columns(
        pl.when(pl.col("key").is_in(list(owner_keys))).then(pl.lit(OWNER)).otherwise(pl.col("key")).alias("key")
    )
    others = people.filter(pl.col("key") != OWNER).sort("line", maintain_order=True)
    part.parties = others.group_by("key", maintain_order=True).agg(
        pl.col("line").first(),
        pl.col("name").filter(pl.col("name").fill_null("") != "").first().alias("display_name"),
        pl.col("url").filter(pl.col("url").fill_null("") != "").first().alias("linkedin_url"),
    )
    at = _dates(frame["date"].to_arrow(), MESSAGE_DATE_FORMATS) if frame.height else pa.array([], cu.TS)
    # the event: conversation, date and sender (as LinkedIn writes them, the same in every participant's export)
    sender = pl.coalesce(pl.col("from_url").str.strip_chars().replace("", None), pl.col("from").str.strip_chars())
    keys = event_keys(
        "linkedin-message",
        frame.select(
            pl.col("conversation").str.strip_chars(), pl.col("date").str.strip_chars(), sender.alias("sender")
        ),
    )
    msg_info = frame.with_row_index("msg").select(
        "msg", pl.Series("at", at, dtype=pl.Datetime("us", "UTC")), pl.Series("event_key", keys, dtype=pl.String)
    )
    senders = people.filter(pl.col("role") == "from").select("msg", pl.col("key").alias("src"))
    recips = people.filter(pl.col("role") == "to").select("msg", "line", pl.col("key").alias("dst"))
    n_rec = recips.group_by("msg").agg(pl.len().alias("n_rec"))
    try:
        max_rec = int(options.get("max_recipients", 20))
    except (TypeError, ValueError):
        msg = f"max_recipients must be a whole number, not {options.get('max_recipients')!r}"
        raise InputFormatError(msg) from None
    links = recips.join(senders, on="msg", how="inner").join(n_rec, on="msg").join(msg_info, on="msg")
    part.links = links.select(
        "line",
        "src",
        "dst",
        pl.when(pl.col("n_rec") > max_rec).then(pl.lit("broadcast")).otherwise(pl.lit("message")).alias("channel"),
        "at",
        (pl.col("n_rec") + 1).cast(pl.Int32).alias("n_participants"),
        "event_key",
    ).sort("line", maintain_order=True)
    return part


def _invitations_part(
    path: Path, data: bytes | None, label: str, owner: str, options: dict, profile_names: list[str]
) -> _Part:
    data = cu.load_bytes(path, data, what="LinkedIn Invitations.csv")
    header = cu.find_header(
        data, _is_invitations, path, what="LinkedIn invitations (From,To,Sent At,Message,Direction,...)"
    )
    fields = header.fields(INVITATION_COLUMNS)
    rows = cu.read_rows(data, header, list(fields.values()), label=label)
    frame = _cells(rows, {k: fields.get(k) for k in INVITATION_COLUMNS.values()})
    part = _Part(
        label=label, rejects=rows.rejects, n_rows=rows.n_rows, n_skipped=rows.n_skipped, notes=list(rows.notes)
    )
    names, _ = _owner_names(owner, options, profile_names)
    norm_name = pl.col("from").str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ")
    norm_to = pl.col("to").str.strip_chars().str.to_lowercase().str.replace_all(r"\s+", " ")
    direction = pl.col("direction").str.strip_chars().str.to_uppercase()
    outgoing = (
        pl.when(direction == "OUTGOING")
        .then(True)
        .when(direction == "INCOMING")
        .then(False)
        .when(norm_name.is_in(list(names)))
        .then(True)
        .when(norm_to.is_in(list(names)))
        .then(False)
        .otherwise(None)
    )
    frame = frame.with_columns(outgoing.alias("outgoing"))
    bad = frame.filter(pl.col("outgoing").is_null())
    if bad.height:
        part.rejects.extend(
            (ln, "invitation without a direction (INCOMING/OUTGOING)", rows.excerpt(ln)) for ln in bad["line"].to_list()
        )
        frame = frame.filter(pl.col("outgoing").is_not_null())
    other_name = pl.when(pl.col("outgoing")).then(pl.col("to")).otherwise(pl.col("from")).str.strip_chars()
    other_url = (
        pl.when(pl.col("outgoing")).then(pl.col("invitee_url")).otherwise(pl.col("inviter_url")).str.strip_chars()
    )
    frame = frame.with_columns(other_name.alias("name"), other_url.alias("url"))
    frame = frame.with_columns(_key_expr(pl.col("name"), pl.col("url")).alias("key"))
    nobody = frame.filter(pl.col("key").is_null())
    if nobody.height:
        part.rejects.extend((ln, "invitation names nobody", rows.excerpt(ln)) for ln in nobody["line"].to_list())
        frame = frame.filter(pl.col("key").is_not_null())
    own_url = frame.filter(pl.col("outgoing")).select(pl.col("inviter_url").str.strip_chars()).to_series()
    own_url = own_url.filter(own_url != "")
    part.owner_url = own_url[0] if len(own_url) else None
    part.rejects.sort(key=lambda r: r[0] or 0)
    part.parties = frame.group_by("key", maintain_order=True).agg(
        pl.col("line").first(),
        pl.col("name").filter(pl.col("name") != "").first().alias("display_name"),
        pl.col("url").filter(pl.col("url") != "").first().alias("linkedin_url"),
    )
    at = _dates(frame["sent_at"].to_arrow(), INVITATION_FORMATS) if frame.height else pa.array([], cu.TS)
    part.links = frame.select(
        "line",
        pl.when(pl.col("outgoing")).then(pl.lit(OWNER)).otherwise(pl.col("key")).alias("src"),
        pl.when(pl.col("outgoing")).then(pl.col("key")).otherwise(pl.lit(OWNER)).alias("dst"),
        pl.lit("invitation").alias("channel"),
        pl.Series("at", at, dtype=pl.Datetime("us", "UTC")),
        pl.lit(2, dtype=pl.Int32).alias("n_participants"),
        # the event: its time (the pair says who invited whom), the same in the inviter's and invitee's export
        pl.Series(
            "event_key",
            event_keys("linkedin-invitation", frame.select(pl.col("sent_at").str.strip_chars())),
            dtype=pl.String,
        ),
    )
    if frame.height:
        part.notes.append("invitation times have no time zone; read as UTC")
    return part


def read_messages(path: Path, *, owner: str | None, options: dict | None = None) -> Parsed:
    """Parse a LinkedIn ``messages.csv``; ``owner`` (whose export it is) is required."""
    owner = _need_owner(path, owner)
    return _assemble([_messages_part(path, None, "", owner, options or {}, [], set())], owner)


def read_invitations(path: Path, *, owner: str | None, options: dict | None = None) -> Parsed:
    """Parse a LinkedIn ``Invitations.csv``; ``owner`` (whose export it is) is required."""
    owner = _need_owner(path, owner)
    return _assemble([_invitations_part(path, None, "", owner, options or {}, [])], owner)


# ---------------------------------------------------------------------------------------------
# the export ZIP


def _is_zip(path: Path) -> bool:
    try:
        with Path(path).open("rb") as fh:
            return fh.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False


def _members(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The export's CSVs by lower-case file name, the shallowest copy when a name repeats."""
    found: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        if info.is_dir():
            continue
        name = PurePosixPath(info.filename.replace("\\", "/")).name.lower()
        if name in (*MEMBERS, "profile.csv"):
            depth = info.filename.count("/")
            if name not in found or depth < found[name].filename.count("/"):
                found[name] = info
    return found


def sniff_zip(head: str, path: Path | None = None) -> float:
    if path is None or not Path(path).is_file() or not _is_zip(Path(path)):
        return 0.0
    try:
        with zipfile.ZipFile(path) as zf:
            members = _members(zf)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return 0.0
    return 1.0 if any(m in members for m in MEMBERS) else 0.0


def _read_member(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    return read_member(zf, info, str(path))


def _profile_names(data: bytes, path: Path) -> list[str]:
    try:
        data = cu.load_bytes(path, data, what="LinkedIn Profile.csv")
        header = cu.find_header(data, lambda c: {"first name", "last name"} <= set(c), path, what="Profile.csv")
    except InputFormatError:
        return []
    idx = header.index()
    rows = cu.read_rows(data, header, [idx["first name"], idx["last name"]])
    if not len(rows):
        return []
    names = cu.join(rows.cell(idx["first name"]), rows.cell(idx["last name"]))
    return [n for n in names.to_pylist() if n]


def read_zip(path: Path, *, owner: str | None, options: dict | None = None) -> Parsed:
    """Import ``Connections.csv``, ``messages.csv`` and ``Invitations.csv`` from a LinkedIn export ZIP."""
    owner = _need_owner(path, owner)
    options = options or {}
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        msg = f"{path}: not a readable ZIP file: {exc}"
        raise InputFormatError(msg) from exc
    with zf:
        members = _members(zf)
        if not any(m in members for m in MEMBERS):
            msg = f"{path}: no Connections.csv, messages.csv or Invitations.csv in this ZIP"
            raise InputFormatError(msg)
        profile = (
            _profile_names(_read_member(path, zf, members["profile.csv"]), path) if "profile.csv" in members else []
        )
        parts: list[_Part] = []
        known: set[str] = set()
        if "connections.csv" in members:
            info = members["connections.csv"]
            part = _connections_part(Path(f"{path}:{info.filename}"), _read_member(path, zf, info), info.filename)
            parts.append(part)
            urls = part.contacts["linkedin_url"] if part.contacts else None
            if urls is not None and len(urls):
                keys = pl.select(pl.lit("li:") + _slug_expr(pl.Series(urls.to_pylist(), dtype=pl.String)))
                known = set(keys.to_series().drop_nulls().to_list())
        if "messages.csv" in members:
            info = members["messages.csv"]
            parts.append(
                _messages_part(
                    Path(f"{path}:{info.filename}"),
                    _read_member(path, zf, info),
                    info.filename,
                    owner,
                    options,
                    profile,
                    known,
                )
            )
        if "invitations.csv" in members:
            info = members["invitations.csv"]
            parts.append(
                _invitations_part(
                    Path(f"{path}:{info.filename}"),
                    _read_member(path, zf, info),
                    info.filename,
                    owner,
                    options,
                    profile,
                )
            )
    parsed = _assemble(parts, owner)
    parsed.notes.insert(0, "read " + ", ".join(p.label for p in parts) + " from the ZIP")
    return parsed


FORMATS = [
    Format("linkedin-connections", "LinkedIn data export Connections.csv", sniff, read_connections, needs_owner=True),
    Format(
        "linkedin-profile",
        "LinkedIn data export Profile.csv (the owner's own name and profile URL)",
        sniff_profile,
        read_profile,
        needs_owner=True,
    ),
    Format(
        "linkedin-email-addresses",
        "LinkedIn data export Email Addresses.csv (the owner's own addresses)",
        sniff_email_addresses,
        read_email_addresses,
        needs_owner=True,
    ),
    Format("linkedin-messages", "LinkedIn data export messages.csv", sniff_messages, read_messages, needs_owner=True),
    Format(
        "linkedin-invitations",
        "LinkedIn data export Invitations.csv",
        sniff_invitations,
        read_invitations,
        needs_owner=True,
    ),
    Format(
        "linkedin-zip",
        "LinkedIn data export ZIP (Connections, messages, Invitations)",
        sniff_zip,
        read_zip,
        needs_owner=True,
        binary=True,
    ),
]
