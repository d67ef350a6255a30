"""Mail: mbox (including Google Takeout), maildir folders and single ``.eml`` files.

Only headers are read, never bodies, and the file is streamed in chunks, so memory stays flat however
large the mailbox is. The mbox scanner finds message boundaries with ``bytes.find`` (a ``From `` line
after a blank line, or at the start of the file), pulls the few headers it needs out of each header
block with one regular expression, and jumps over the body without looking at it.

Quirks handled (see ``shared/FORMATS.md`` 4.5): CRLF (Takeout) or LF, a UTF-8 BOM, folded header
lines, RFC 2047 encoded-word display names, raw UTF-8 or Windows-1252 bytes in headers, RFC 2822
dates in any time zone (or garbage: the date is then null), Takeout's ``X-Gmail-Labels`` (messages
labelled Spam or Trash, in a few languages, or Draft are skipped), Enron's ``X-From`` Lotus Notes
display name (used when ``From`` has no name), ``>From`` escaping, and body lines that begin with
``From `` without being a separator (a separator line must carry an envelope date or be followed by
a header line).

Each message becomes interactions from its sender to each distinct recipient (``To``, ``Cc``,
``Bcc``) on channel ``email``, or ``broadcast`` when it has more than ``max_recipients`` (option,
default 20) recipients. Mailing-list and automated mail (``List-Id``, ``List-Unsubscribe``,
``Precedence: bulk/list/junk``, ``Auto-Submitted`` other than ``no``) is skipped and counted. Every
distinct address (lower-cased) becomes one ``party`` record per file; the owner's address, and the
``aliases`` option, map to the owner record 0.

In a maildir, Maildir++ subfolders are read too; trash, spam, junk and draft folders, messages flagged
trashed or draft, and second copies of a message (same ``Message-ID``, ``From`` and ``Date``: Gmail's IMAP
"All Mail") are skipped; plain nested maildirs (``bar/cur``, ``bar/baz/new``) are read like Maildir++ ones.

``line`` is the 1-based line of the message's ``From `` separator in an mbox, 1 for an ``.eml`` and,
for a maildir, the message's 1-based position among the folder's files in sorted order (a rejected
maildir message's reason names its file).

Options: ``aliases`` (the owner's other addresses), ``max_recipients`` (default 20) and
``skip_labels`` (more Takeout labels to skip, e.g. a localised "Trash" name not built in).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reach.errors import ConfigError, InputFormatError
from reach.io.base import Format, Parsed, event_key, owner_record, rejects_table
from reach.io.text import looks_binary
from reach.schema import RECORDS

CHUNK = 1 << 20  # 1 MiB reads
MAX_HEADER = 1 << 20  # a header block larger than this is rejected (and skipped) rather than buffered
SNIFF_LINES = 40
OVERSIZE = "header block larger than 1 MiB"

# The headers reach uses. Each match starts at the newline ending the previous header line; the
# value takes its folded continuation lines with it.
HEADER_RE = re.compile(
    rb"\n(from|to|cc|bcc|date|x-gmail-labels|list-id|list-unsubscribe|precedence|auto-submitted|x-from|message-id)"
    rb"[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)",
    re.IGNORECASE,
)
ANY_HEADER_RE = re.compile(rb"\n[!-9;-~]+[ \t]*:")
HEADER_LINE_RE = re.compile(rb"[!-9;-~]+[ \t]*:")
BLANK_RE = re.compile(rb"\n\r?\n")
MESSAGE_ID_RE = re.compile(rb"\nmessage-id[ \t]*:([^\n]*)", re.IGNORECASE)
FROM_HEADER_RE = re.compile(rb"\nfrom[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)", re.IGNORECASE)
DATE_HEADER_RE = re.compile(rb"\ndate[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)", re.IGNORECASE)
# "From sender Mon Jan  1 00:00:00 2024": a separator after a blank line needs an envelope date
# (weekday, month, time of day) or a header on the next line, so that a body paragraph starting with
# "From " does not split a message.
ENVELOPE_RE = re.compile(
    rb"From \S*[ \t]+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[ \t,]+(?:\d+[ \t]+)?"
    rb"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[^\n]*?\d:\d\d"
)

FROM, RCPT, DATE, LABELS, LISTY, PRECEDENCE, AUTO, XFROM, MSGID = range(9)
FIELD = {
    b"from": FROM,
    b"to": RCPT,
    b"cc": RCPT,
    b"bcc": RCPT,
    b"date": DATE,
    b"x-gmail-labels": LABELS,
    b"list-id": LISTY,
    b"list-unsubscribe": LISTY,
    b"precedence": PRECEDENCE,
    b"auto-submitted": AUTO,
    b"x-from": XFROM,
    b"message-id": MSGID,
}
FIELD.update({name.title(): kind for name, kind in FIELD.items()})
FIELD.update(
    {
        b"CC": RCPT,
        b"BCC": RCPT,
        b"X-Gmail-Labels": LABELS,
        b"List-ID": LISTY,
        b"X-From": XFROM,
        b"Message-ID": MSGID,
        b"Message-Id": MSGID,
    }
)
SKIP_LABELS = frozenset(
    {
        "spam",
        "trash",
        "bin",
        "junk",
        "draft",
        "drafts",
        "papierkorb",
        "corbeille",
        "papelera",
        "cestino",
        "lixeira",
        "prullenbak",
        "kosz",
        "papperskorgen",
        "entwürfe",
        "brouillons",
        "borradores",
        "bozze",
        "rascunhos",
        "concepten",
    }
)
SKIP_FOLDERS = frozenset(
    {
        "trash",
        "spam",
        "junk",
        "drafts",
        "draft",
        "bin",
        "deleted",
        "deleted items",
        "deleted messages",
        "junk e-mail",
        "junk email",
    }
)
BULK_PRECEDENCE = frozenset({b"bulk", b"list", b"junk"})

# Address lists in the common shapes (bare addresses, ``Name <addr>``, ``"Name, X" <addr>``) are split
# by this expression; anything else (comments, groups, escapes, encoded words with specials) goes
# through email.utils.getaddresses.
_ADDR = r"[^\s<>()\[\],;:\"@\\]+@[^\s<>()\[\],;:\"@\\]+"
VALID_ADDR_RE = re.compile(r"\S+@[^\s@]+")
ADDR_ITEM_RE = re.compile(rf"[ \t]*(?:({_ADDR})|(?:\"([^\"\\]*)\"|([\w.' -]*?))[ \t]*<({_ADDR})>)[ \t]*(?:,|$)|[ \t]*,")

MONTH = {
    m: i
    for i, m in enumerate(
        [b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec"], start=1
    )
}
DATE_RE = re.compile(
    rb"[ \t]*(?:[A-Za-z]{3},?[ \t]*)?(\d{1,2})[ \t]+([A-Za-z]{3})[ \t]+(\d{4})[ \t]+(\d{1,2}):(\d\d)(?::(\d\d))?"
    rb"[ \t]+([+-]\d{4})(?![\d:])"
)
DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)
MAX_CACHE = 100_000


# --------------------------------------------------------------------------- field decoding


def _text(value: bytes) -> str:
    """A header value as text: unfolded, UTF-8 or else Windows-1252."""
    value = value.replace(b"\r", b"").replace(b"\n", b"")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("cp1252", errors="replace")


def _decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words (``=?utf-8?q?...?=``); the text as given if they are broken."""
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # noqa: BLE001 - email.header raises assorted errors on malformed input
        return text


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


_DAY_CACHE: dict[tuple[bytes, bytes, bytes], int | None] = {}
_ZONE_CACHE: dict[bytes, int | None] = {}


def _day_seconds(day: bytes, mon: bytes, year: bytes) -> int | None:
    """Seconds from the epoch to midnight UTC of a ``DD Mon YYYY`` date; None when it does not exist."""
    month = MONTH.get(mon.lower())
    d, y = int(day), int(year)
    if not month or not 1 <= d <= DAYS_IN_MONTH[month] or y < 1:
        return None
    if month == 2 and d == 29 and not (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)):
        return None
    return _days_from_civil(y, month, d) * 86400


def parse_date(value: bytes) -> int | None:
    """Microseconds since the epoch (UTC) of an RFC 2822 ``Date`` value; None when unreadable.

    The common ``[Day, ]DD Mon YYYY HH:MM[:SS] +ZZZZ`` form is computed directly (with the day and
    the zone cached); everything else goes through :func:`email.utils.parsedate_to_datetime`. A date
    without a zone (or ``-0000``) is taken as UTC.
    """
    m = DATE_RE.match(value)
    if m is not None:
        day, mon, year, hh, mm, ss, zone = m.groups()
        key = (day, mon, year)
        base = _DAY_CACHE.get(key, False)
        if base is False:
            if len(_DAY_CACHE) >= MAX_CACHE:
                _DAY_CACHE.clear()
            base = _DAY_CACHE[key] = _day_seconds(day, mon, year)
        off = _ZONE_CACHE.get(zone, False)
        if off is False:
            if len(_ZONE_CACHE) >= MAX_CACHE:
                _ZONE_CACHE.clear()
            zm = int(zone[3:])
            off = _ZONE_CACHE[zone] = (
                None if zm >= 60 else (int(zone[1:3]) * 3600 + zm * 60) * (-1 if zone[:1] == b"-" else 1)
            )
        h, mi, s = int(hh), int(mm), int(ss) if ss else 0
        if base is not None and off is not None and h < 24 and mi < 60 and s < 60:
            return (base + h * 3600 + mi * 60 + s - off) * 1_000_000
    try:
        dt = parsedate_to_datetime(_text(value).strip())
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return (dt - EPOCH) // US
    except Exception:  # noqa: BLE001 - parsedate_to_datetime raises TypeError/ValueError/IndexError/...
        return None


def _clean_name(name: str) -> str | None:
    if "=?" in name:
        name = _decode_words(name)
    name = " ".join(name.split()).strip("'\" ")
    if not name or "@" in name:
        return None
    return name


def _split_fast(text: str) -> list[tuple[str, str]] | None:
    """Split a simple address list; None when it needs the full parser."""
    out = []
    pos = 0
    n = len(text)
    for m in ADDR_ITEM_RE.finditer(text):
        if m.start() != pos:
            return None
        pos = m.end()
        bare, quoted, plain, addr = m.groups()
        if bare:
            out.append(("", bare))
        elif addr:
            out.append((quoted if quoted is not None else plain, addr))
        if pos >= n:
            break
    if pos != n and text[pos:].strip():
        return None
    return out


def _split_items(text: str) -> list[tuple[str, str]]:
    r"""Split an address header into mailbox items ``(text without comments, the comments' text)``.

    RFC 2822 3.4: commas separate mailboxes, ``name:`` ... ``;`` encloses a group (the group's name is
    not a mailbox), parentheses hold comments (nested, with ``\`` escapes) anywhere outside quotes;
    quoted strings and ``<...>`` protect their commas and colons.
    """
    items: list[tuple[str, str]] = []
    cur: list[str] = []
    com: list[str] = []
    depth = 0
    quote = angle = False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if depth:
            if c == "\\" and i + 1 < n:
                i += 1
                com.append(text[i])
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if not depth:
                    com.append(" ")
            else:
                com.append(c)
        elif quote:
            cur.append(c)
            if c == "\\" and i + 1 < n:
                i += 1
                cur.append(text[i])
            elif c == '"':
                quote = False
        elif c == "(":
            depth = 1
        elif c == '"':
            quote = True
            cur.append(c)
        elif c == "<":
            angle = True
            cur.append(c)
        elif c == ">":
            angle = False
            cur.append(c)
        elif not angle and c in ",;":
            items.append(("".join(cur), "".join(com)))
            cur, com = [], []
        elif not angle and c == ":":
            cur, com = [], []  # a group's name: its members follow
        else:
            cur.append(c)
        i += 1
    items.append(("".join(cur), "".join(com)))
    return items


def _unquote(phrase: str) -> str:
    phrase = phrase.strip()
    if len(phrase) >= 2 and phrase[0] == phrase[-1] == '"':
        phrase = re.sub(r"\\(.)", r"\1", phrase[1:-1])
    return phrase


def _parse_full(text: str) -> list[tuple[str | None, str]]:
    """The full RFC 2822 address-list grammar (comments, groups, quoted names holding ``@`` or commas)."""
    out = []
    for item, comment in _split_items(text):
        item = item.strip()
        if not item:
            continue
        lt = item.rfind("<")
        gt = item.find(">", lt + 1) if lt >= 0 else -1
        if lt >= 0 and gt > lt:
            # ``name <addr>``: everything before the angle bracket is the name, even with an "@" in it
            phrase = _unquote(item[:lt])
            addr = item[lt + 1 : gt].rsplit(":", 1)[-1]  # an obsolete route ``<@a,@b:user@host>``
            name = _clean_name(phrase) if phrase else None
        else:
            addr, name = item, None
            legacy = " ".join(comment.split())
            if legacy:  # the old ``addr (Full Name)`` form
                name = _clean_name(legacy)
        addr = "".join(addr.split()).strip("'\"<>").lower()
        if VALID_ADDR_RE.fullmatch(addr):
            out.append((name, addr))
    return out


def parse_addresses(value: bytes) -> list[tuple[str | None, str]]:
    """``(display name or None, lower-cased address)`` pairs of an address header; invalid ones dropped."""
    text = _text(value)
    pairs = _split_fast(text)
    if pairs is not None:
        return [(_clean_name(name) if name else None, addr.lower()) for name, addr in pairs]
    return _parse_full(text)


def _labels(value: bytes) -> set[str]:
    text = _text(value)
    if "=?" in text:
        text = _decode_words(text)
    return {lab.strip().strip('"').strip().lower() for lab in text.split(",")}


# --------------------------------------------------------------------------- collecting records


class _Collector:
    """Turns header fields into party records, interactions, rejects and counts."""

    def __init__(self, owner: str | None, options: dict | None):
        options = options or {}
        raw = options.get("max_recipients")
        raw = 20 if raw is None else raw
        try:
            max_rcpt = int(raw) if not isinstance(raw, bool) and float(raw) == int(raw) else 0
        except (TypeError, ValueError, OverflowError):
            max_rcpt = 0
        if max_rcpt < 1:
            msg = f"mail option max_recipients must be a positive integer, not {raw!r}"
            raise ConfigError(msg)
        aliases = options.get("aliases") or []
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(aliases, (list, tuple, set, frozenset)) or not all(isinstance(a, str) for a in aliases):
            msg = "mail option aliases must be a list of email addresses"
            raise ConfigError(msg)
        extra = options.get("skip_labels") or []
        self.skip_labels = SKIP_LABELS | {str(x).strip().lower() for x in extra}
        self.max_rcpt = max_rcpt
        self.records: list[dict] = []
        self.ids: dict[str, int] = {}
        self.names: dict[int, dict[str, int]] = {}
        self.has_owner = bool(owner and owner.strip())
        if self.has_owner:
            self.records.append(owner_record(owner))
            # the owner's address, also when given as "Name <address>"
            own = [a for _n, a in getaddresses([owner])] if "@" in owner else []
            for addr in [*own, *aliases]:
                addr = addr.strip().lower()
                if addr:
                    self.ids[addr] = 0
        self.addr_cache: dict[bytes, tuple[tuple[int, ...], tuple[tuple[int, str], ...]]] = {}
        self.xfrom_cache: dict[bytes, str | None] = {}
        self.label_cache: dict[bytes, bool] = {}
        self.sender_cache: dict[bytes, str] = {}
        # one entry per message with interactions (expanded per recipient at the end) ...
        self.m_line: list[int] = []
        self.m_src: list[int] = []
        self.m_at: list[int | None] = []
        self.m_n: list[int] = []
        self.m_key: list[str | None] = []
        # ... and one per interaction
        self.i_dst: list[int] = []
        self.rejects: list[tuple[int | None, str, str | None]] = []
        self.n_rows = 0
        self.n_headed = 0  # messages with at least one header line
        self.n_lists = 0
        self.n_labels = 0
        self.n_folders = 0
        self.n_duplicates = 0
        self.n_no_rcpt = 0

    def _resolve(self, value: bytes, line: int) -> tuple[tuple[int, ...], tuple[tuple[int, str], ...]]:
        """Record ids (distinct, in order) of an address header, and its ``(record id, name)`` pairs.

        Cached by the raw header value: the same ``From`` or ``To`` line recurs across messages.
        """
        cache = self.addr_cache
        if len(cache) >= MAX_CACHE:
            cache.clear()
        ids = self.ids
        rids: dict[int, None] = {}
        named: list[tuple[int, str]] = []
        records = self.records
        for name, addr in parse_addresses(value):
            rid = ids.get(addr)
            if rid is None:
                rid = ids[addr] = len(records)
                records.append({"record_id": rid, "line": line, "role": "party", "emails": [addr]})
            rids[rid] = None
            if name and (rid or not self.has_owner):
                named.append((rid, name))
        got = cache[value] = (tuple(rids), tuple(named))
        return got

    def _count_names(self, named: tuple[tuple[int, str], ...]) -> None:
        names = self.names
        for rid, name in named:
            counts = names.get(rid)
            if counts is None:
                names[rid] = {name: 1}
            else:
                counts[name] = counts.get(name, 0) + 1

    def add(self, line: int, pairs: Iterable[tuple[bytes, bytes]], *, header_found: bool = True) -> str | None:
        """Add one message from its ``(name, value)`` header pairs; return a reject reason or None."""
        self.n_rows += 1
        self.n_headed += header_found
        sender = date = labels = xfrom = msgid = None
        rcpt: list[bytes] = []
        listy = False
        field = FIELD.get
        for raw_name, value in pairs:
            kind = field(raw_name)
            if kind is None:
                kind = field(raw_name.lower())
            if kind == RCPT:
                rcpt.append(value)
            elif kind == FROM:
                if sender is None:
                    sender = value
            elif kind == DATE:
                if date is None:
                    date = value
            elif kind == XFROM:
                xfrom = value
            elif kind == MSGID:
                if msgid is None:
                    msgid = value
            elif kind == LABELS:
                labels = value
            elif kind == LISTY:
                listy = True
            elif kind == PRECEDENCE:
                listy = listy or value.strip().lower() in BULK_PRECEDENCE
            elif kind == AUTO:
                listy = listy or value.split(b";")[0].strip().lower() not in (b"no", b"")
        if labels is not None:
            skip = self.label_cache.get(labels)
            if skip is None:
                if len(self.label_cache) >= MAX_CACHE:
                    self.label_cache.clear()
                skip = self.label_cache[labels] = not self.skip_labels.isdisjoint(_labels(labels))
            if skip:
                self.n_labels += 1
                return None
        if listy:
            self.n_lists += 1
            return None
        if sender is None:
            return "no From header" if header_found else "unparseable headers: no 'Name: value' header lines"
        cache = self.addr_cache
        got = cache.get(sender)
        if got is None:
            got = self._resolve(sender, line)
        if not got[0]:
            return "no parseable address in From"
        src = got[0][0]
        named = got[1]
        if named and named[0][0] == src:
            self._count_names(named[:1])
        elif xfrom is not None and (src or not self.has_owner):
            xname = self.xfrom_cache.get(xfrom, False)
            if xname is False:
                if len(self.xfrom_cache) >= MAX_CACHE:
                    self.xfrom_cache.clear()
                text = _text(xfrom).split(" <", 1)[0]
                xname = self.xfrom_cache[xfrom] = _clean_name(text) if text else None
            if xname:
                self._count_names(((src, xname),))
        if len(rcpt) == 1:
            got = cache.get(rcpt[0])
            if got is None:
                got = self._resolve(rcpt[0], line)
            dst = got[0]
            if got[1]:
                self._count_names(got[1])
            if src in dst:
                dst = tuple(r for r in dst if r != src)
        else:
            dst_list: list[int] = []
            seen = {src}
            for value in rcpt:
                got = cache.get(value)
                if got is None:
                    got = self._resolve(value, line)
                if got[1]:
                    self._count_names(got[1])
                for rid in got[0]:
                    if rid not in seen:
                        seen.add(rid)
                        dst_list.append(rid)
            dst = dst_list
        n = len(dst)
        if not n:
            self.n_no_rcpt += 1
            return None
        at = parse_date(date) if date is not None else None
        # the event: Message-ID with sender and date (a shared Message-ID alone is not the same message);
        # without one, sender and date; without a date either, this message of this file alone
        address = self.sender_cache.get(sender)
        if address is None:
            if len(self.sender_cache) >= MAX_CACHE:
                self.sender_cache.clear()
            parsed_from = parse_addresses(sender)
            address = self.sender_cache[sender] = parsed_from[0][1] if parsed_from else ""
        mid = msgid.strip() if msgid is not None else b""
        when = at if at is not None else (date.strip() if date is not None else None)
        self.m_key.append(event_key("mail", mid, address, when) if mid or when is not None else None)
        self.m_line.append(line)
        self.m_src.append(src)
        self.m_at.append(at)
        self.m_n.append(n)
        self.i_dst.extend(dst)
        return None

    def reject(self, line: int | None, reason: str, excerpt: bytes | str | None) -> None:
        if isinstance(excerpt, bytes):
            excerpt = excerpt[:400].decode("utf-8", errors="replace")
        if excerpt is not None:
            excerpt = excerpt.replace("\r", "").replace("\n", " | ")
        self.rejects.append((line, reason, excerpt))

    def parsed(self) -> Parsed:
        for rid, names in self.names.items():
            self.records[rid]["display_name"] = max(names, key=names.__getitem__)
        counts = np.asarray(self.m_n, dtype=np.int64)
        take = pa.array(np.repeat(np.arange(len(counts), dtype=np.int64), counts))
        n_rcpt = pa.array(counts).take(take)
        broadcast = pc.greater(n_rcpt, self.max_rcpt)
        at = pa.array(self.m_at, pa.int64()).take(take)
        n = len(self.i_dst)
        interactions = pa.table(
            {
                "line": pa.array(self.m_line, pa.int64()).take(take),
                "src_record": pa.array(self.m_src, pa.int64()).take(take),
                "dst_record": pa.array(self.i_dst, pa.int64()),
                "channel": pc.if_else(broadcast, "broadcast", "email"),
                "at": at.cast(pa.timestamp("us", tz="UTC")),
                "weight": pa.array(np.ones(n), pa.float64()),
                "n_participants": pc.add(n_rcpt, 1).cast(pa.int32()),
                "event_key": pa.array(self.m_key, pa.string()).take(take),
            }
        )
        n_broadcast = int(np.count_nonzero(counts > self.max_rcpt))
        n_no_date = sum(1 for a in self.m_at if a is None)
        rec_schema = pa.schema([f for f in RECORDS if f.name != "source_id"])
        notes = []
        if self.n_lists:
            notes.append(f"{self.n_lists} mailing-list or automated messages skipped")
        if self.n_labels:
            notes.append(f"{self.n_labels} messages labelled spam, trash or draft skipped")
        if self.n_folders:
            notes.append(f"{self.n_folders} messages in trash, spam or draft folders (or flagged so) skipped")
        if self.n_duplicates:
            notes.append(f"{self.n_duplicates} copies of messages already read from another folder skipped")
        if n_broadcast:
            notes.append(f"{n_broadcast} messages to more than {self.max_rcpt} recipients kept as broadcast")
        if self.n_no_rcpt:
            notes.append(f"{self.n_no_rcpt} messages had no recipient other than the sender")
        if n_no_date:
            notes.append(f"{n_no_date} messages had no readable Date")
        return Parsed(
            records=pa.Table.from_pylist(self.records, schema=rec_schema),
            interactions=interactions,
            rejects=rejects_table(self.rejects),
            n_rows=self.n_rows,
            n_skipped=self.n_lists + self.n_labels + self.n_folders + self.n_duplicates,
            notes=notes,
        )


# --------------------------------------------------------------------------- mbox


def _open(path: Path):
    try:
        return Path(path).open("rb")
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise InputFormatError(msg) from exc


def _read(fh, path: Path, size: int) -> bytes:
    try:
        return fh.read(size)
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise InputFormatError(msg) from exc


def _check_text(head: bytes, path: Path, what: str, *, structured: bool = False) -> None:
    """Refuse an empty or binary file; ``structured`` (the file has the format's own framing, such as an mbox's
    ``From `` line followed by header lines) tolerates stray NUL bytes, which real mailboxes carry in bodies.
    """
    if not head.strip():
        msg = f"{path}: file is empty"
        raise InputFormatError(msg)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (not structured and looks_binary(head[:65536])):
        msg = f"{path}: looks like a binary file, not {what}"
        raise InputFormatError(msg)


def mbox_framed(buf: bytes) -> bool:
    """The bytes open like an mbox: a ``From `` separator line, then an RFC 5322 header line."""
    start = 3 if buf.startswith(b"\xef\xbb\xbf") else 0
    if not buf.startswith(b"From ", start):
        return False
    end = buf.find(b"\n", start)
    return end > 0 and re.match(rb"[!-9;-~]+:", buf[end + 1 : end + 200]) is not None


def _scan_mbox(fh, path: Path, sink: _Collector) -> None:
    """Stream an mbox: add each message's headers to ``sink``; bodies are skipped unread."""
    first = max(CHUNK, 65536)
    buf = _read(fh, path, first)
    _check_text(buf, path, "an mbox mailbox", structured=mbox_framed(buf))
    eof = len(buf) < first
    start = 3 if buf.startswith(b"\xef\xbb\xbf") else 0
    while start < len(buf) and buf[start] in b"\r\n \t":
        start += 1
    if not buf.startswith(b"From ", start):
        msg = f"{path}: not an mbox mailbox: it does not start with a 'From ' separator line"
        raise InputFormatError(msg)
    lc_pos, lc_line = 0, 1  # line number lc_line starts at or before buf[lc_pos] (newlines counted up to it)
    find = buf.find
    header_find = HEADER_RE.findall
    blank_search = BLANK_RE.search
    add = sink.add

    def more(keep_from: int) -> int:
        """Drop ``buf[:keep_from]`` (counting its lines), append a chunk; return the shift."""
        nonlocal buf, eof, lc_pos, lc_line, find
        keep_from = max(keep_from, 0)
        if keep_from > lc_pos:
            lc_line += buf.count(b"\n", lc_pos, keep_from)
            lc_pos = keep_from
        chunk = _read(fh, path, CHUNK)
        eof = len(chunk) < CHUNK
        buf = buf[keep_from:] + chunk
        find = buf.find
        lc_pos -= keep_from
        return keep_from

    msg_start = start
    while True:
        # --- the header block: from the separator line to the first blank line
        oversize = False
        while True:
            nl = find(b"\n", msg_start)
            if nl >= 0:
                m = blank_search(buf, nl)
                if m is not None:
                    hdr_end = m.start()
                    break
            if eof:
                nl = len(buf) if nl < 0 else nl
                hdr_end = len(buf)
                break
            if len(buf) - msg_start > MAX_HEADER:
                oversize = True
                hdr_end = len(buf)
                break
            msg_start -= more(msg_start)
        oversize = oversize or hdr_end - msg_start > MAX_HEADER
        lc_line += buf.count(b"\n", lc_pos, msg_start)
        lc_pos = msg_start
        line = lc_line
        if oversize:
            sink.n_rows += 1
            sink.n_headed += 1
            sink.reject(line, OVERSIZE, buf[msg_start : msg_start + 200])
        else:
            pairs = header_find(buf, nl, hdr_end)
            found = bool(pairs) or ANY_HEADER_RE.search(buf, nl, hdr_end) is not None
            reason = add(line, pairs, header_found=found)
            if reason is not None:
                sink.reject(line, reason, buf[msg_start : min(hdr_end, msg_start + 400)])
        # --- the body: skip to the next separator
        p = hdr_end
        while True:
            i = find(b"\nFrom ", p)
            if i < 0:
                if eof:
                    return
                keep = max(len(buf) - 16, lc_pos)
                p = max(p, keep) - more(keep)
                continue
            if i >= 2 and (buf[i - 1] == 10 or (buf[i - 1] == 13 and buf[i - 2] == 10)):
                e = find(b"\n", i + 1)
                if e >= 0 and ENVELOPE_RE.match(buf, i + 1, e):
                    msg_start = i + 1
                    break
                e2 = find(b"\n", e + 1) if e >= 0 else -1
                if e2 < 0 and not eof and len(buf) - i < MAX_HEADER:
                    keep = max(i - 2, lc_pos)
                    p = i - more(keep)
                    continue
                if e < 0:
                    e = len(buf)
                if ENVELOPE_RE.match(buf, i + 1, e) or HEADER_LINE_RE.match(buf, e + 1):
                    msg_start = i + 1
                    break
            p = i + 1


def read_mbox(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Parse an mbox mailbox (Takeout, Thunderbird, Python ``mailbox``, ``mboxrd``/``mboxo``)."""
    path = Path(path)
    sink = _Collector(owner, options)
    with _open(path) as fh:
        _scan_mbox(fh, path, sink)
    if sink.n_rows and not sink.n_headed:
        msg = f"{path}: not an mbox mailbox: 'From ' lines but no message has a 'Name: value' header"
        raise InputFormatError(msg)
    return sink.parsed()


# --------------------------------------------------------------------------- single messages


def _message_headers(fh, path: Path) -> tuple[bytes, int, bool]:
    r"""The header block of a one-message file as ``(block, end, complete)``; ``block`` starts with ``\n``."""
    first = _read(fh, path, 65536)
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    data = b"\n" + first.lstrip(b"\r\n")
    while True:
        m = BLANK_RE.search(data)
        if m is not None:
            return data, m.start(), m.start() <= MAX_HEADER
        chunk = _read(fh, path, 65536) if len(data) <= MAX_HEADER else b""
        if not chunk:
            return data, len(data), len(data) <= MAX_HEADER
        data += chunk


def _add_message(data: bytes, end: int, line: int, sink: _Collector, label: str | None = None) -> None:
    start = 0
    if data.startswith(b"\nFrom ") and not data.startswith(b"\nFrom:"):
        start = data.find(b"\n", 1)  # an mbox envelope line before the headers
        if start < 0:
            start = len(data)
        end = max(end, start)
    pairs = HEADER_RE.findall(data, start, end)
    found = bool(pairs) or ANY_HEADER_RE.search(data, start, end) is not None
    reason = sink.add(line, pairs, header_found=found)
    if reason is not None:
        sink.reject(line, f"{label}: {reason}" if label else reason, data[1:401])


def read_eml(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Parse one message saved as ``.eml`` (RFC 822 headers, then the body, which is not read)."""
    path = Path(path)
    sink = _Collector(owner, options)
    with _open(path) as fh:
        data, end, complete = _message_headers(fh, path)
    _check_text(data, path, "an email message")
    if not (HEADER_LINE_RE.match(data, 1) or data.startswith(b"\nFrom ")):
        msg = f"{path}: not an email message: the first line is not a 'Name: value' header"
        raise InputFormatError(msg)
    if not complete:
        sink.n_rows += 1
        sink.reject(1, OVERSIZE, data[1:201])
    else:
        _add_message(data, end, 1, sink)
    return sink.parsed()


# --------------------------------------------------------------------------- maildir


MAILDIR_PARTS = ("cur", "new", "tmp")
MAX_MAILDIR_DEPTH = 8


def _has_parts(path: Path) -> bool:
    return (path / "cur").is_dir() or (path / "new").is_dir()


def _maildir_folders(root: Path) -> list[tuple[Path, bool]]:
    """``(folder, skip)`` for ``root`` and every maildir below it, sorted by path.

    Both layouts are read: Maildir++ (``.Sent``, ``.Archive.2024`` beside ``cur/``) and plain nested
    maildirs (``bar/cur``, ``bar/baz/new``, as mbsync and mu write them, with or without a top-level
    ``cur/``). Trash, spam, junk and draft folders are marked ``skip``, and so is everything below them.
    """
    out: list[tuple[Path, bool]] = []

    def walk(folder: Path, *, skip: bool, depth: int) -> None:
        if _has_parts(folder):
            out.append((folder, skip))
        if depth >= MAX_MAILDIR_DEPTH:
            return
        try:
            subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())
        except OSError:
            return
        for sub in subs:
            if sub.name in MAILDIR_PARTS and _has_parts(folder):
                continue
            leaf = sub.name.rsplit(".", 1)[-1].strip().lower()
            walk(sub, skip=skip or leaf in SKIP_FOLDERS, depth=depth + 1)

    walk(root, skip=False, depth=0)
    return out


def _is_maildir(path: Path, depth: int = 0) -> bool:
    """True for a maildir or a folder holding maildirs (stops at the first one found)."""
    if not path.is_dir():
        return False
    if _has_parts(path):
        return True
    if depth >= MAX_MAILDIR_DEPTH:
        return False
    try:
        return any(_is_maildir(p, depth + 1) for p in sorted(path.iterdir()) if p.is_dir() and not p.is_symlink())
    except OSError:
        return False


def _maildir_files(root: Path) -> list[tuple[Path, bool]]:
    """``(file, skip)`` for every message in ``root``'s maildirs (see :func:`_maildir_folders`), sorted."""
    out = []
    for folder, skip in _maildir_folders(root):
        for part in ("cur", "new"):
            d = folder / part
            try:
                names = sorted(e.name for e in Path(d).iterdir())
            except OSError:
                continue
            for name in names:
                if name.startswith("."):  # mu's .noindex markers, editors' dot files
                    continue
                f = d / name
                if not f.is_file():
                    continue
                flags = name.rsplit(":2,", 1)[1] if ":2," in name else ""
                out.append((f, skip or "T" in flags or "D" in flags))
    return out


def read_maildir(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Parse a maildir folder (``cur/``, ``new/``; ``tmp/`` ignored), one file per message.

    Maildir++ subfolders (``.Sent``, ``.Archive``) are included; trash, spam, junk and draft folders,
    messages flagged trashed (``T``) or draft (``D``), and second copies of a message (same Message-ID,
    From and Date: a message filed in two folders) are skipped.
    """
    path = Path(path)
    if not _is_maildir(path):
        msg = f"{path}: not a maildir folder (no cur/ or new/ subfolder)"
        raise InputFormatError(msg)
    sink = _Collector(owner, options)
    seen_ids: set[int] = set()
    for number, (f, skip) in enumerate(_maildir_files(path), start=1):
        if skip:
            sink.n_rows += 1
            sink.n_folders += 1
            continue
        label = f.relative_to(path).as_posix()
        try:
            with Path(f).open("rb") as fh:
                data, end, complete = _message_headers(fh, f)
        except (OSError, InputFormatError) as exc:
            sink.n_rows += 1
            sink.reject(number, f"{label}: cannot read: {getattr(exc, 'strerror', None) or exc}", None)
            continue
        if len(data) <= 1 or looks_binary(data[1:65537]):
            sink.n_rows += 1
            sink.reject(number, f"{label}: empty or binary file, not a message", None)
            continue
        if not complete:
            sink.n_rows += 1
            sink.reject(number, f"{label}: {OVERSIZE}", data[1:201])
            continue
        m = MESSAGE_ID_RE.search(data, 0, end)
        if m is not None and m.group(1).strip():
            # the same message in two folders (Gmail's IMAP "All Mail" holds every message again); a
            # Message-ID alone does not say so (clients reuse them): the sender and date must agree too
            sender = FROM_HEADER_RE.search(data, 0, end)
            date = DATE_HEADER_RE.search(data, 0, end)
            key = hash(
                (
                    m.group(1).strip(),
                    b" ".join(sender.group(1).split()) if sender else None,
                    b" ".join(date.group(1).split()) if date else None,
                )
            )
            if key in seen_ids:
                sink.n_rows += 1
                sink.n_duplicates += 1
                continue
            seen_ids.add(key)
        _add_message(data, end, number, sink, label)
    return sink.parsed()


# --------------------------------------------------------------------------- sniffing


MAIL_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "date",
        "subject",
        "message-id",
        "received",
        "return-path",
        "delivered-to",
        "mime-version",
        "reply-to",
        "in-reply-to",
        "references",
        "x-gmail-labels",
        "x-gm-thrid",
        "sender",
        "content-type",
        "x-mailer",
        "user-agent",
        "dkim-signature",
        "authentication-results",
    }
)
STRONG_HEADERS = frozenset({"from", "received", "return-path", "delivered-to", "message-id", "date"})


def _header_names(lines: list[str]) -> list[str] | None:
    """Names of the header lines at the start of ``lines``, or None if a line is not a header."""
    names = []
    for ln in lines[:SNIFF_LINES]:
        if not ln.strip():
            break
        if ln[:1] in " \t":
            if not names:
                return None
            continue
        m = HEADER_LINE_RE.match(ln.encode("utf-8", errors="replace"))
        if m is None:
            return None
        names.append(ln.split(":", 1)[0].strip().lower())
    return names


def sniff_mbox(head: str, path: Path | None = None) -> float:
    text = head.lstrip("\ufeff\r\n \t")
    if not text.startswith("From "):
        return 0.0
    lines = text.split("\n", SNIFF_LINES + 1)[1:]
    if len(lines) > 1 and not head.endswith("\n"):
        lines = lines[:-1]  # the sample may cut the last line short
    names = _header_names([ln.rstrip("\r") for ln in lines])
    if not names:
        return 0.0
    return 1.0 if MAIL_HEADERS.intersection(names) else 0.3


def sniff_eml(head: str, path: Path | None = None) -> float:
    text = head.lstrip("\ufeff\r\n")
    lines = text.split("\n", SNIFF_LINES + 1)
    if len(lines) > 1 and not head.endswith("\n"):
        lines = lines[:-1]
    names = _header_names([ln.rstrip("\r") for ln in lines])
    if not names:
        return 0.0
    known = MAIL_HEADERS.intersection(names)
    if len(known) >= 2 and STRONG_HEADERS.intersection(names):
        return 0.9
    return 0.0


def sniff_maildir(head: str, path: Path | None = None) -> float:
    try:
        return 0.9 if path is not None and _is_maildir(Path(path)) else 0.0
    except OSError:
        return 0.0


FORMATS = [
    Format(
        "mbox", "mbox mailbox (Google Takeout, Thunderbird, Apple Mail export); headers only", sniff_mbox, read_mbox
    ),
    Format("eml", "a single email message (.eml, RFC 822); headers only", sniff_eml, read_eml),
    Format(
        "maildir",
        "maildir folder (cur/, new/; Maildir++ subfolders); headers only",
        sniff_maildir,
        read_maildir,
        accepts_dirs=True,
    ),
]
