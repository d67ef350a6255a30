"""WhatsApp "Export chat": ``_chat.txt`` (iOS), ``WhatsApp Chat with X.txt`` (Android), or the ZIP with media.

Line shapes (see ``shared/FORMATS.md`` 4.8), by platform and locale:

- Android: ``12/31/23, 23:59 - Name: text``, ``31/12/2023, 9:41 pm - Name: text``
- iOS: ``[12/31/23, 11:59:59 PM] Name: text``; Finnish ``[12.3.2022 klo 14.08.18] Name: text``;
  ISO ``[2024-12-31, 21:41:09] Name: text`` (also ``2024/12/31`` and ``2024.12.31``)

Invisible characters are tolerated: U+200E (left-to-right mark) before attachment and system lines,
U+202F or U+00A0 before AM/PM, U+202A/U+202C around phone numbers; Android separates with a hyphen
or an en dash. A line that does not start with a timestamp continues the previous message.

Whether ``1/2`` is 1 February or 2 January is decided once per file: a first field over 12 anywhere
means day first, else a second field over 12 means month first, else the format's usual locale
(two-digit years: US month first; four-digit years and dotted dates: day first). Times are local
times without a zone: they are taken as UTC unless ``options["timezone"]`` names an IANA zone.

System lines are skipped (``n_skipped``): lines without ``Name:`` (Android), and iOS lines whose text
starts with U+200E and is not an attachment, deleted-message or call note (iOS writes its notices,
"Messages and calls are end-to-end encrypted", "Your security code with X changed", "X added Y", as
coming from the chat's name). The English notices are also recognised without the mark.

Senders are address-book names or raw ``+E.164`` numbers (a number becomes ``phones``; a name is
marked ``attributes`` ``{"name_from":"address-book"}``, which identity's ``name+address-book`` rule
reads). The exporting phone's owner is record 0 (``needs_owner``); which sender is the owner is found, in order, from
``owner`` or an ``aliases`` option entry equal to a sender's name or number (case- and
accent-insensitive), the sender of "You deleted this message", or, in a two-sender chat, the sender
that is not the chat's name (from iOS's first system line or an Android file name ``WhatsApp Chat
with X.txt``). A chat with two participants is a DM: each message is sender -> the other, channel
``message``. A group (more than two) gives sender -> each other participant when it has at most
``max_group_size`` (option, default 12) participants; larger groups give no ties (see the notes).
When a single person wrote in the chat, the owner is taken as the silent other participant.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa

from reach.errors import ConfigError, InputFormatError
from reach.identity import NAME_FROM_ADDRESS_BOOK
from reach.io.base import Format, Parsed, event_key, owner_record, rejects_table
from reach.io.limits import read_member
from reach.io.text import decode
from reach.schema import RECORDS

BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
MARKS = "\u200e\u200f"  # iOS writes one of these before a notice's or an attachment's text
SPACES = " \t\u00a0\u202f\u2007\u2009"
_B = f"[{BIDI}]*"
# \d matches every script's decimal digits (Arabic-Indic, Persian, Devanagari...); int() reads them
_DSEP = rf"{_B}(?:[./\-]|[年月]){_B} ?"
ERAS = {
    "明治": 1868,
    "大正": 1912,
    "昭和": 1926,
    "平成": 1989,
    "令和": 2019,
    "M": 1868,
    "T": 1912,
    "S": 1926,
    "H": 1989,
    "R": 2019,
}
_ERA = "(?:" + "|".join(sorted(ERAS, key=len, reverse=True)) + r")(?=\d)"
_DATE_BODY = rf"(?:{_ERA})?\d{{1,4}}{_DSEP}\d{{1,2}}{_DSEP}\d{{1,4}}"
_DATE = rf"(?P<date>{_DATE_BODY})[.日]?{_B}"
AM_PM_BEFORE = ("上午", "下午", "午前", "午後", "오전", "오후")
_PREFIX = rf"(?P<prefix>(?:{'|'.join(AM_PM_BEFORE)})[{SPACES}]?)?"
_TIME = (
    _PREFIX + r"(?P<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)"
    r"(?P<suffix>[^\]\-\u2013\u2014:\d\n,\u060c]{0,12}?)" + _B
)
_COMMA = rf"[,\u060c]?[{SPACES}]*"
_LEAD = f"[{BIDI}{SPACES}]*"
_DASH = rf"[{SPACES}]?[-\u2013\u2014][{SPACES}](?P<rest>.*)"
BRACKET_RE = re.compile(rf"{_LEAD}\[{_DATE}{_COMMA}(?:klo[{SPACES}]+)?{_TIME}\][{SPACES}]?(?P<rest>.*)")
DASH_RE = re.compile(rf"{_LEAD}{_DATE}{_COMMA}[{SPACES}]*{_TIME}{_DASH}")
# the locales that write the time before the date
BRACKET_TIME_FIRST_RE = re.compile(rf"{_LEAD}\[{_TIME}{_COMMA}{_DATE}\][{SPACES}]?(?P<rest>.*)")
DASH_TIME_FIRST_RE = re.compile(rf"{_LEAD}{_TIME}{_COMMA}{_DATE}{_DASH}")
LINE_STYLES = (BRACKET_RE, DASH_RE, BRACKET_TIME_FIRST_RE, DASH_TIME_FIRST_RE)
IOS_STYLES = (BRACKET_RE, BRACKET_TIME_FIRST_RE)
DATE_SPLIT_RE = re.compile(rf"{_DSEP}")
ERA_RE = re.compile(_ERA)
TIME_SPLIT_RE = re.compile(r"[:.]")
AM = frozenset({"am", "a", "fm", "vorm", "ap", "上午", "午前", "오전", "ص", "sa", "πμ", "قظ", "ก่อนเที่ยง", "पूर्वाह्न"})
PM = frozenset({"pm", "p", "em", "nachm", "ip", "下午", "午後", "오후", "م", "ch", "μμ", "بظ", "หลังเที่ยง", "अपराह्न"})
BUDDHIST_OFFSET = 543
PHONE_RE = re.compile(r"\+[\d\s\-().\u00a0\u202f]{6,}")
CHAT_FILE_RE = re.compile(r"WhatsApp Chat (?:with|-) (.+?)(?:\.txt|\.zip)?", re.IGNORECASE)

# English notices whose wording cannot be a person's message; recognised even without the U+200E mark
SYSTEM_RE = re.compile(
    r"(?:Messages and calls are end-to-end encrypted"
    r"|Messages (?:to this (?:group|chat)|you send to this (?:group|chat))(?: and calls)? (?:are|were) now secured"
    r"|Your security code with .+ changed"
    r"|.+ changed (?:their|his|her) phone number"
    r"|.+ created group [\"\u201c]"
    r"|.+ changed the subject (?:from|to) [\"\u201c]"
    r"|.+ changed this group's (?:icon|description|settings)"
    r"|.+ joined using this group's invite link"
    r"|.+ turned (?:on|off) disappearing messages"
    r"|This chat is with a business account"
    r")",
    re.IGNORECASE,
)
# what a U+200E-marked line is when it is a person's message rather than a notice
MEDIA_RE = re.compile(
    r"(?:.*<attached: .+>"
    r"|.*\b(?:image|video|audio|sticker|GIF|document|Contact card|voice message|photo) omitted"
    r"|<Media omitted>"
    r"|.*\(file attached\)"
    r"|This message was deleted\.?"
    r"|You deleted this message\.?"
    r"|(?:Missed )?(?:group )?(?:voice|video) call.*"
    r"|(?:location|live location)(?: shared)?:? .*"
    r"|POLL:.*"
    r"|Waiting for this message.*"
    r"|<[^<>]{1,40}: [^<>]+>"
    r"|.*\b(?:omitted|omitida|omitido|omise|omessa|weggelassen|ausgelassen|pominięto|weggelaten|jätetty pois)\b.*"
    r")",
    re.IGNORECASE | re.DOTALL,
)
# "You deleted this message" / "This message was deleted" as WhatsApp writes them in its main UI languages:
# a deleted message is still a message; the first, written in the owner's name, tells who the owner is
OWNER_DELETED = (
    "You deleted this message",
    "Du hast diese Nachricht gelöscht",
    "Вы удалили данное сообщение",
    "Вы удалили это сообщение",
    "أنت حذفت هذه الرسالة",
    "Eliminaste este mensaje",
    "Você apagou esta mensagem",
    "Vous avez supprimé ce message",
    "Hai eliminato questo messaggio",
    "Anda menghapus pesan ini",
    "Je hebt dit bericht verwijderd",
    "Bu mesajı sildiniz",
    "Usunięto tę wiadomość",
    "Poistit tämän viestin",
    "Du raderade det här meddelandet",
    "Ви видалили це повідомлення",
    "आपने यह संदेश हटा दिया",
    "あなたはこのメッセージを削除しました",
    "你删除了此消息",
    "메시지를 삭제했습니다",
)
OTHER_DELETED = (
    "This message was deleted",
    "Diese Nachricht wurde gelöscht",
    "Данное сообщение удалено",
    "Это сообщение удалено",
    "تم حذف هذه الرسالة",
    "Se eliminó este mensaje",
    "Este mensaje fue eliminado",
    "Esta mensagem foi apagada",
    "Mensagem apagada",
    "Ce message a été supprimé",
    "Questo messaggio è stato eliminato",
    "Pesan ini telah dihapus",
    "Dit bericht is verwijderd",
    "Bu mesaj silindi",
    "Ta wiadomość została usunięta",
    "Tämä viesti poistettiin",
    "Det här meddelandet togs bort",
    "Це повідомлення видалено",
    "यह संदेश हटा दिया गया",
    "このメッセージは削除されました",
    "此消息已删除",
    "삭제된 메시지입니다",
)
OWNER_DELETED_RE = re.compile("(?:" + "|".join(map(re.escape, OWNER_DELETED)) + r")[.。]?", re.IGNORECASE)
DELETED_RE = re.compile("(?:" + "|".join(map(re.escape, OWNER_DELETED + OTHER_DELETED)) + r")[.。]?", re.IGNORECASE)
SYSTEM_NAME_RE = re.compile(r"\b(?:changed|created|added|removed|left|joined|deleted|pinned|turned)\b", re.IGNORECASE)


@dataclass
class _Line:
    line: int
    date: str
    time: str
    suffix: str
    rest: str
    raw: str


def _start(text: str) -> re.Match | None:
    for style in LINE_STYLES:
        m = style.match(text)
        if m is not None:
            return m
    return None


def sniff(head: str, path: Path) -> float:
    """0.9 when the first non-blank line is a WhatsApp message line; ZIPs and folders by their chat file."""
    try:
        if head:
            lines = [ln.rstrip("\r") for ln in head.split("\n", 40)[:40] if ln.strip(BIDI + SPACES + "\r")]
            if not lines or _start(lines[0]) is None:
                return 0.0
            named = any((m := _start(ln)) is not None and ": " in m.group("rest") for ln in lines)
            return 0.9 if named else 0.0
        path = Path(path)
        if path.is_dir():
            chat = _folder_chat(path)
            if chat is None:
                return 0.0
            with Path(chat).open("rb") as fh:
                text = decode(fh.read(4096)).lstrip("\ufeff")
            return sniff(text, chat) if text else 0.0
        if not zipfile.is_zipfile(path):
            return 0.0
        with zipfile.ZipFile(path) as zf:
            name = _zip_chat([i.filename for i in zf.infolist()])
            if name is None:
                return 0.0
            text = decode(read_member(zf, name, str(path), limit=4096)).lstrip("\ufeff")
        return sniff(text, Path(name)) if text else 0.0
    except Exception:  # noqa: BLE001 - a sniffer must never fail; a broken file is just not ours
        return 0.0


def _zip_chat(names: list[str]) -> str | None:
    """The chat text inside a WhatsApp ZIP: ``_chat.txt``, else one ``WhatsApp Chat ... .txt``, else the only .txt."""
    txts = [n for n in names if n.lower().endswith(".txt") and not n.startswith("__MACOSX/")]
    for pick in (
        [n for n in txts if n.rsplit("/", 1)[-1] == "_chat.txt"],
        [n for n in txts if n.rsplit("/", 1)[-1].lower().startswith("whatsapp chat")],
        txts,
    ):
        if len(pick) == 1:
            return pick[0]
    return None


def _folder_chat(path: Path) -> Path | None:
    try:
        name = _zip_chat(sorted(p.name for p in path.iterdir() if p.is_file()))
    except OSError:
        return None
    return path / name if name else None


def _chat_name_from_file(name: str) -> str | None:
    m = CHAT_FILE_RE.fullmatch(Path(name).name)
    return m.group(1).strip() if m else None


def _read_text(path: Path) -> tuple[str, str | None]:
    """The chat's text and the chat name its file name gives (Android ``WhatsApp Chat with X.txt``)."""
    try:
        if path.is_dir():
            chat = _folder_chat(path)
            if chat is None:
                msg = f"{path}: no _chat.txt or 'WhatsApp Chat ... .txt' in the folder"
                raise InputFormatError(msg)
            return decode(chat.read_bytes()), _chat_name_from_file(chat.name) or _chat_name_from_file(path.name)
        with Path(path).open("rb") as fh:
            magic = fh.read(4)
        if magic != b"PK\x03\x04":
            return decode(path.read_bytes()), _chat_name_from_file(path.name)
        with zipfile.ZipFile(path) as zf:
            name = _zip_chat([i.filename for i in zf.infolist()])
            if name is None:
                msg = f"{path}: no _chat.txt (or a single 'WhatsApp Chat ... .txt') in the ZIP"
                raise InputFormatError(msg)
            text = decode(read_member(zf, name, str(path)))
        return text, _chat_name_from_file(name) or _chat_name_from_file(path.name)
    except OSError as exc:
        msg = f"{path}: cannot read: {exc.strerror or exc}"
        raise InputFormatError(msg) from exc
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
        zlib.error,
    ) as exc:
        msg = f"{path}: cannot read the ZIP: {exc}"
        raise InputFormatError(msg) from exc


def read_whatsapp(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Parse a WhatsApp chat export (text, ZIP or unzipped folder); ``owner`` is the exporting phone's owner."""
    path = Path(path)
    if not owner or not owner.strip():
        msg = f"{path}: a WhatsApp export is one phone's chat; say whose with --owner (an email, name or number)"
        raise InputFormatError(msg)
    text, chat_name = _read_text(path)
    try:
        return parse_chat(text, owner=owner, options=options, chat_name=chat_name)
    except InputFormatError as exc:
        msg = f"{path}: {exc}"
        raise InputFormatError(msg) from exc


# --------------------------------------------------------------------------- dates


def _split_date(date: str) -> tuple[str | None, list[str]]:
    """A date's era (Japanese calendar) and its three numeric fields, as written."""
    era = ERA_RE.match(date)
    if era is not None:
        date = date[era.end() :]
    return (era.group(0) if era else None), [p.strip(BIDI) for p in DATE_SPLIT_RE.split(date.strip(BIDI))]


def _year_first(era: str | None, parts: list[str]) -> bool:
    return era is not None or len(parts[0]) == 4


def _date_order(lines: list[_Line]) -> str:
    """``"DM"`` or ``"MD"`` for the file's day/month order (year-first dates ignore it)."""
    first_over = second_over = False
    default = None
    for ln in lines:
        era, parts = _split_date(ln.date)
        if len(parts) != 3 or _year_first(era, parts):
            continue
        a, b = int(parts[0]), int(parts[1])
        if default is None:
            default = "DM" if "." in ln.date or len(parts[2]) == 4 else "MD"
        if a > 12 and a <= 31 and b <= 12:
            first_over = True
        elif b > 12 and b <= 31 and a <= 12:
            second_over = True
    if first_over:
        return "DM"
    if second_over:
        return "MD"
    return default or "MD"


FIRST_YEAR = 2009  # WhatsApp's first year: an earlier date is a reset clock or another calendar
BUDDHIST_TWO_DIGIT = 52  # Buddhist Era 2552 = 2009: two-digit years all at least this are Buddhist


def _calendar(lines: list[_Line]) -> str:
    """``"gregorian"`` or ``"buddhist"`` (Thai: the year is 543 ahead) for the whole file.

    Raises :class:`InputFormatError` for a file dated in the Solar Hijri or Islamic calendar (years
    13xx-14xx), which cannot be converted without tables WhatsApp's export does not name.
    """
    four: list[int] = []
    two: list[int] = []
    for ln in lines:
        era, parts = _split_date(ln.date)
        if len(parts) != 3 or era is not None:
            continue
        y = parts[0] if len(parts[0]) == 4 else parts[2]
        (four if len(y) == 4 else two if len(y) == 2 else []).append(int(y))
    if four:
        four.sort()
        median = four[len(four) // 2]
        if median >= FIRST_YEAR + BUDDHIST_OFFSET:
            return "buddhist"
        if 1300 <= median < 1600:
            msg = (
                f"dates in the year {median}: a Solar Hijri or Islamic calendar, which reach cannot convert; "
                "export the chat again with the phone set to the Gregorian calendar"
            )
            raise InputFormatError(msg)
    elif two and min(two) >= BUDDHIST_TWO_DIGIT:
        return "buddhist"
    return "gregorian"


def _parse_when(ln: _Line, order: str, tz: tzinfo, calendar: str = "gregorian") -> datetime | str:
    """The line's instant in UTC, or the reason it cannot be read."""
    era, parts = _split_date(ln.date)
    if len(parts) != 3:
        return "unparseable date"
    if _year_first(era, parts):
        y, mo, d = parts
    elif order == "DM":
        d, mo, y = parts
    else:
        mo, d, y = parts
    if era is not None:
        year = ERAS[era] + int(y) - 1
    elif len(y) == 2:
        year = (2500 - BUDDHIST_OFFSET if calendar == "buddhist" else 2000) + int(y)
    elif len(y) == 4:
        year = int(y) - (BUDDHIST_OFFSET if calendar == "buddhist" else 0)
    else:
        return "unparseable date (the year is not 2 or 4 digits)"
    if year < FIRST_YEAR:
        return f"unparseable date (the year {year} is before WhatsApp existed)"
    tparts = TIME_SPLIT_RE.split(ln.time)
    hour, minute = int(tparts[0]), int(tparts[1])
    second = int(tparts[2]) if len(tparts) > 2 else 0
    suffix = "".join(c for c in ln.suffix if c not in SPACES + BIDI + ".").lower()
    if suffix:
        if suffix not in AM and suffix not in PM:
            return "unparseable time (unknown AM/PM marker)"
        if not 0 <= hour <= 12:  # 0-11 (Japanese, some Android locales) or 1-12
            return "unparseable time (hour out of range for AM/PM)"
        hour = hour % 12 + (12 if suffix in PM else 0)
    try:
        local = datetime(year, int(mo), int(d), hour, minute, second, tzinfo=tz)
        return local.astimezone(UTC)
    except (ValueError, OverflowError):
        order_name = "year-month-day" if _year_first(era, parts) else ("day/month" if order == "DM" else "month/day")
        return f"unparseable date or time (read as {order_name})"


def _timezone(options: dict) -> tzinfo:
    name = options.get("timezone")
    if name is None:
        return UTC
    if not isinstance(name, str) or not name.strip():
        msg = f"whatsapp option timezone must be an IANA zone name like 'Europe/Paris', not {name!r}"
        raise ConfigError(msg)
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        msg = f"whatsapp option timezone: unknown time zone {name!r}"
        raise ConfigError(msg) from exc


# --------------------------------------------------------------------------- names


@lru_cache(maxsize=4096)
def _clean_name(name: str) -> str:
    name = "".join(c for c in name if c not in BIDI).strip(SPACES)
    if name.startswith("~"):  # WhatsApp marks a non-contact's profile name with a tilde
        name = name[1:].strip(SPACES)
    return " ".join(name.split())


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def _is_phone(name: str) -> bool:
    return PHONE_RE.fullmatch(name) is not None and sum(c.isdigit() for c in name) >= 7


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


# --------------------------------------------------------------------------- parsing


def parse_chat(text: str, *, owner: str, options: dict | None = None, chat_name: str | None = None) -> Parsed:
    """Parse the text of a WhatsApp export; ``chat_name`` is the chat's name when the file name gives it."""
    options = options or {}
    tz = _timezone(options)
    max_group = options.get("max_group_size", 12)
    if isinstance(max_group, bool) or not isinstance(max_group, int) or max_group < 0:
        msg = f"whatsapp option max_group_size must be a non-negative integer, not {max_group!r}"
        raise ConfigError(msg)
    aliases = options.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, (list, tuple, set, frozenset)) or not all(isinstance(a, str) for a in aliases):
        msg = "whatsapp option aliases must be a list of the owner's names or numbers"
        raise ConfigError(msg)

    starts: list[_Line] = []
    style: re.Pattern | None = None  # one export is one platform: the first message line fixes the shape
    for number, raw in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        raw = raw.rstrip("\r")
        if style is None:
            m = _start(raw)
            style = m.re if m is not None else None
        else:
            m = style.match(raw)
        if m is not None:
            starts.append(
                _Line(
                    number,
                    m.group("date"),
                    m.group("time"),
                    (m.group("prefix") or "") + m.group("suffix"),
                    m.group("rest"),
                    raw,
                )
            )
    if not starts:
        msg = "no WhatsApp message lines (like '[12/31/23, 11:59:59 PM] Name: text') found"
        raise InputFormatError(msg)
    order = _date_order(starts)
    calendar = _calendar(starts)
    ios = style in IOS_STYLES

    rejects: list[tuple[int | None, str, str | None]] = []
    n_skipped = 0
    # (line, sender name, when, text, marked) of each line with a sender, in file order
    entries: list[tuple[int, str, datetime, str, bool]] = []
    # "Name:text" without the space is a message when that name writes elsewhere with one (Android
    # notices have no name; a notice holding a colon is not written by a sender)
    known = {_clean_name(ln.rest[:i]) for ln in starts if (i := ln.rest.find(": ")) > 0}
    for ln in starts:
        when = _parse_when(ln, order, tz, calendar)
        if isinstance(when, str):
            rejects.append((ln.line, when, ln.raw))
            continue
        rest = ln.rest
        # iOS marks notices and attachments with U+200E (U+200F in right-to-left UIs) right after the
        # separator: prefer that ": ", so that a name holding ": " (a group called "Trip: Porto") stays whole
        i = min((j for j in (rest.find(": \u200e"), rest.find(": \u200f")) if j >= 0), default=-1)
        if i < 0:
            i = rest.find(": ")
        if i < 0 and rest.rstrip(SPACES + BIDI).endswith(":"):
            name, body = rest.rstrip(SPACES + BIDI)[:-1], ""
        elif i >= 0:
            name, body = rest[:i], rest[i + 2 :]
        elif (j := rest.find(":")) > 0 and _clean_name(rest[:j]) in known:
            name, body = rest[:j], rest[j + 1 :]
        else:
            n_skipped += 1  # Android notice: no "Name:"
            continue
        name = _clean_name(name)
        marked = body.lstrip(SPACES)[:1] in ("\u200e", "\u200f")
        body = body.strip(BIDI + SPACES)
        if not name or (any(q in name for q in '"“”«»') and SYSTEM_NAME_RE.search(name)):
            n_skipped += 1
            continue
        entries.append((ln.line, name, when, body, marked))

    # iOS: an export starts with the end-to-end notice, written (marked) as from the chat's name: the
    # partner's name in a one-to-one chat, the group's name in a group. Notices are told from messages
    # by that structure, not by their (translated) wording.
    notice_line = None
    if ios and entries and entries[0][4] and not _is_message_text(entries[0][3]):
        notice_line = entries[0][0]
        chat_name = entries[0][1]
    chat_key = _fold(_clean_name(chat_name)) if chat_name else None
    msgs: list[tuple[int, str, datetime, str]] = []  # ... and its event key
    repeats: dict[tuple[str, datetime, str], int] = {}
    deleted_by_owner: set[str] = set()
    notice_names: dict[str, int] = {}
    for line, name, when, body, marked in entries:
        if SYSTEM_RE.match(body) or (
            ios and marked and (line == notice_line or (_fold(name) == chat_key and not _is_message_text(body)))
        ):
            n_skipped += 1
            notice_names.setdefault(name, line)
            continue
        if OWNER_DELETED_RE.fullmatch(body):
            deleted_by_owner.add(name)
        # the event: time and text, and which repeat of them this is ("ok" twice in a minute is two
        # messages); chat and sender are the person pair. Only the hash is kept, never the text.
        seen = repeats[(name, when, body)] = repeats.get((name, when, body), 0) + 1
        msgs.append((line, name, when, event_key("whatsapp", when, body, seen)))

    # senders in order of first appearance
    first_line: dict[str, int] = {}
    for line, name, _, _ in msgs:
        first_line.setdefault(name, line)
    # a one-to-one chat (at most one sender besides the chat's name): the chat's name is the partner,
    # a participant even when their only lines were notices or went unread
    if chat_key is not None and ios:
        others = [n for n in first_line if _fold(n) != chat_key]
        partner = next((n for n in notice_names if _fold(n) == chat_key), None)
        if len(others) <= 1 and partner is not None and all(_fold(n) != chat_key for n in first_line):
            first_line[partner] = notice_names[partner]
            first_line = dict(sorted(first_line.items(), key=lambda kv: kv[1]))
    senders = list(first_line)
    notes: list[str] = []

    owner_name = _find_owner(senders, owner, aliases, deleted_by_owner, chat_name)
    if owner_name is None and len(senders) >= 2:
        notes.append("could not tell which sender is the owner; pass the owner's WhatsApp name in the aliases option")

    rec0 = owner_record(owner)
    rid: dict[str, int] = {}
    records = [rec0]
    if owner_name is not None:
        rid[owner_name] = 0
        if _is_phone(owner_name):
            rec0["phones"] = [owner_name]
        else:
            rec0["display_name"] = owner_name
    for name in senders:
        if name in rid:
            continue
        rid[name] = len(records)
        phone = _is_phone(name)
        records.append(
            {
                "record_id": rid[name],
                "line": first_line[name],
                "role": "party",
                "display_name": None if phone else name,
                "phones": [name] if phone else None,
                # a sender shown by name is a contact saved in the exporting phone's address book
                "attributes": None if phone else NAME_FROM_ADDRESS_BOOK,
            }
        )

    participants = [rid[s] for s in senders]
    if 0 not in participants and len(participants) <= 1:
        participants.append(0)  # the owner is the silent other side
    n_part = len(participants)
    src: list[int] = []
    dst: list[int] = []
    lines: list[int] = []
    at: list[datetime] = []
    keys: list[str] = []
    if n_part == 2 or 2 < n_part <= max_group:
        for line, name, when, key in msgs:
            s = rid[name]
            for d in participants:
                if d != s:
                    keys.append(key)
                    src.append(s)
                    dst.append(d)
                    lines.append(line)
                    at.append(when)
    elif n_part > max_group:
        notes.append(
            f"a group of {n_part} participants (more than {max_group}): its {len(msgs)} messages gave no pairwise ties"
        )
    n = len(src)
    interactions = pa.table(
        {
            "line": pa.array(lines, pa.int64()),
            "src_record": pa.array(src, pa.int64()),
            "dst_record": pa.array(dst, pa.int64()),
            "channel": pa.array(["message"] * n, pa.string()),
            "at": pa.array(at, pa.timestamp("us", tz="UTC")),
            "weight": pa.array([1.0] * n, pa.float64()),
            "n_participants": pa.array([n_part] * n, pa.int32()),
            "event_key": pa.array(keys, pa.string()),
        }
    )
    rec_schema = pa.schema([f for f in RECORDS if f.name != "source_id"])
    notes.append(
        f"dates read as {'day/month' if order == 'DM' else 'month/day'}; times taken as "
        + ("UTC" if tz is UTC else "local time in the timezone option")
    )
    return Parsed(
        records=pa.Table.from_pylist(records, schema=rec_schema),
        interactions=interactions,
        rejects=rejects_table(rejects),
        n_rows=len(starts),
        n_skipped=n_skipped,
        notes=notes,
    )


def _is_message_text(body: str) -> bool:
    """A marked line's text that is a person's message: an attachment or a deleted message."""
    return MEDIA_RE.fullmatch(body) is not None or DELETED_RE.fullmatch(body) is not None


def _find_owner(
    senders: list[str], owner: str, aliases: list[str], deleted_by_owner: set[str], chat_name: str | None
) -> str | None:
    """Which sender is the exporting phone's owner, or None when it cannot be told."""
    wanted = {_fold(x) for x in [owner, *aliases] if x.strip()}
    wanted_digits = {_digits(x) for x in [owner, *aliases] if _is_phone(x.strip())}
    for s in senders:
        if _fold(s) in wanted or (_is_phone(s) and _digits(s) in wanted_digits):
            return s
    if len(deleted_by_owner) == 1:
        return next(iter(deleted_by_owner))
    if chat_name and len(senders) == 2:
        folded = _fold(_clean_name(chat_name))
        others = [s for s in senders if _fold(s) != folded]
        if len(others) == 1:
            return others[0]
    return None


FORMATS = [
    Format(
        "whatsapp",
        "WhatsApp 'Export chat' text (_chat.txt), or its ZIP with media",
        sniff,
        read_whatsapp,
        needs_owner=True,
        accepts_dirs=True,
        binary=True,
    ),
]
