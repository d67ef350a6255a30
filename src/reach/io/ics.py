"""iCalendar (``.ics``, RFC 5545): meetings from ORGANIZER and ATTENDEE properties.

Quirks handled (see ``shared/FORMATS.md`` 4.6): folded lines (CRLF or LF, continued by a space or a
tab), parameters with quoted values holding commas or colons (``CN="Doe, Jane"``), RFC 6868 ``^``
escapes (``^'`` ``^n`` ``^^``), multi-valued parameters, ``mailto:`` in any case, ``DTSTART`` in UTC
(``Z``), with ``TZID`` (IANA names through :mod:`zoneinfo`, common Microsoft names through a small
table, otherwise the file's own ``VTIMEZONE``; an unknown zone is read as UTC and counted in the
notes), ``VALUE=DATE`` all-day events and floating times (the calendar's ``X-WR-TIMEZONE``, else UTC).

Skipped on purpose and counted in ``n_skipped``: ``STATUS:CANCELLED`` events (and cancelled
occurrences), ``CLASS:PRIVATE`` events, attendees with ``PARTSTAT=DECLINED``, ``CUTYPE=ROOM`` or
``RESOURCE`` attendees (and Google's ``@resource.calendar.google.com`` addresses), events with fewer
than two participants, and occurrences after ``as_of``. Alarms' ``ATTENDEE`` (email reminders) and
VTODO/VJOURNAL/VFREEBUSY components are ignored.

Recurring events (``RRULE``, ``RDATE``, ``EXDATE``, ``RECURRENCE-ID`` overrides) are expanded with
:mod:`dateutil.rrule` up to ``options["as_of"]`` (default: now), keeping the most recent
``options["max_occurrences"]`` (52) occurrences of each series, so that one weekly 1:1 does not
dominate. Each occurrence gives ``meeting`` interactions: organiser -> each attendee, and, when the
meeting has at most ``options["max_meeting_size"]`` (12) participants, one per pair of attendees.

Records: one ``party`` per distinct address per file (display name from ``CN``); with ``owner``, the
owner's address and ``options["aliases"]`` map to record 0.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections import deque
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa

from reach.errors import ConfigError, InputFormatError
from reach.io.base import Format, Parsed, event_key, owner_record, paused_gc, rejects_table
from reach.io.text import decode
from reach.schema import RECORDS

MAX_OCCURRENCES = 52
MAX_MEETING_SIZE = 12
SCAN_LIMIT = 20000  # occurrences of one series walked at most (a MINUTELY rule from 1990 would never end)
MAX_EXCERPT = 160

PROPS = (
    "BEGIN",
    "END",
    "DTSTART",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
    "UID",
    "STATUS",
    "CLASS",
    "ORGANIZER",
    "ATTENDEE",
    "TZID",
    "X-WR-TIMEZONE",
)
_PROP = re.compile(r"\n(?=[A-Za-z])(" + "|".join(PROPS) + r")([;:][^\n]*(?:\n[ \t][^\n]*)*)", re.IGNORECASE)
_UNFOLD = re.compile(r"\r*\n[ \t]")
_PARAM = re.compile(r';([A-Za-z0-9_-]+)=((?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)')
_PARAM_VALUE = re.compile(r'"([^"]*)"|([^",]+)')
_DT = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(?:\.\d+)?(Z)?)?$")
_CARET = re.compile(r"\^([n'^])")
_CARETS = {"n": "\n", "'": '"', "^": "^"}
_BEGIN_CAL = re.compile(r"(?:^|\n)[ \t]*BEGIN:V(?:CALENDAR|EVENT)[ \t\r]*(?:\n|$)", re.IGNORECASE)

# Microsoft (Outlook/Exchange) time zone ids -> IANA, after CLDR's windowsZones (territory 001).
WINDOWS_ZONES = {
    "dateline standard time": "Etc/GMT+12",
    "utc-11": "Etc/GMT+11",
    "utc": "UTC",
    "hawaiian standard time": "Pacific/Honolulu",
    "alaskan standard time": "America/Anchorage",
    "pacific standard time": "America/Los_Angeles",
    "pacific standard time (mexico)": "America/Tijuana",
    "us mountain standard time": "America/Phoenix",
    "mountain standard time": "America/Denver",
    "central america standard time": "America/Guatemala",
    "central standard time": "America/Chicago",
    "central standard time (mexico)": "America/Mexico_City",
    "canada central standard time": "America/Regina",
    "sa pacific standard time": "America/Bogota",
    "eastern standard time": "America/New_York",
    "us eastern standard time": "America/Indiana/Indianapolis",
    "atlantic standard time": "America/Halifax",
    "newfoundland standard time": "America/St_Johns",
    "e. south america standard time": "America/Sao_Paulo",
    "sa eastern standard time": "America/Cayenne",
    "argentina standard time": "America/Argentina/Buenos_Aires",
    "gmt standard time": "Europe/London",
    "greenwich standard time": "Atlantic/Reykjavik",
    "w. europe standard time": "Europe/Berlin",
    "central europe standard time": "Europe/Budapest",
    "romance standard time": "Europe/Paris",
    "central european standard time": "Europe/Warsaw",
    "w. central africa standard time": "Africa/Lagos",
    "gtb standard time": "Europe/Bucharest",
    "fle standard time": "Europe/Kiev",
    "e. europe standard time": "Europe/Chisinau",
    "egypt standard time": "Africa/Cairo",
    "south africa standard time": "Africa/Johannesburg",
    "israel standard time": "Asia/Jerusalem",
    "turkey standard time": "Europe/Istanbul",
    "arab standard time": "Asia/Riyadh",
    "russian standard time": "Europe/Moscow",
    "e. africa standard time": "Africa/Nairobi",
    "iran standard time": "Asia/Tehran",
    "arabian standard time": "Asia/Dubai",
    "pakistan standard time": "Asia/Karachi",
    "india standard time": "Asia/Kolkata",
    "nepal standard time": "Asia/Kathmandu",
    "bangladesh standard time": "Asia/Dhaka",
    "se asia standard time": "Asia/Bangkok",
    "china standard time": "Asia/Shanghai",
    "singapore standard time": "Asia/Singapore",
    "taipei standard time": "Asia/Taipei",
    "w. australia standard time": "Australia/Perth",
    "tokyo standard time": "Asia/Tokyo",
    "korea standard time": "Asia/Seoul",
    "cen. australia standard time": "Australia/Adelaide",
    "aus central standard time": "Australia/Darwin",
    "e. australia standard time": "Australia/Brisbane",
    "aus eastern standard time": "Australia/Sydney",
    "tasmania standard time": "Australia/Hobart",
    "new zealand standard time": "Pacific/Auckland",
}


def sniff(head: str, path: Path | None = None) -> float:
    """1.0 for text starting ``BEGIN:VCALENDAR``, 0.9 for a bare ``BEGIN:VEVENT``, 0.6 if further on."""
    start = head.lstrip()[:15].upper()
    if start.startswith("BEGIN:VCALENDAR"):
        return 1.0
    if start.startswith("BEGIN:VEVENT"):
        return 0.9
    return 0.6 if _BEGIN_CAL.search(head) else 0.0


# ---------------------------------------------------------------------------------------------------
# property lines


def _caret(value: str) -> str:
    """RFC 6868 parameter value escapes; an unknown ``^x`` stays as it is."""
    return _CARET.sub(lambda m: _CARETS[m.group(1)], value) if "^" in value else value


def parse_params(rest: str) -> tuple[dict[str, list[str]], str] | None:
    """``;A=1;B="x, y":value`` -> ({"A": ["1"], "B": ["x, y"]}, "value"); None without a ':'."""
    params: dict[str, list[str]] = {}
    if rest[:1] == ":":
        return params, rest[1:]
    colon = rest.find(":")
    if colon > 0 and '"' not in rest[:colon] and "^" not in rest[:colon]:
        # the common case, without quotes or escapes: plain splitting
        for part in rest[1:colon].split(";"):
            key, eq, val = part.partition("=")
            if eq:
                params.setdefault(key.strip().upper(), []).extend(v.strip() for v in val.split(","))
        return params, rest[colon + 1 :]
    pos = 0
    n = len(rest)
    while pos < n and rest[pos] == ";":
        m = _PARAM.match(rest, pos)
        if m is None:
            # a bare or broken parameter (``;X-FOO``, an unbalanced quote): skip to the next ; or :
            nxt = min((i for i in (rest.find(";", pos + 1), rest.find(":", pos + 1)) if i >= 0), default=-1)
            if nxt < 0:
                return None
            pos = nxt
            continue
        values = [
            _caret(v.group(1) if v.group(1) is not None else v.group(2).strip())
            for v in _PARAM_VALUE.finditer(m.group(2))
        ] or [""]
        params.setdefault(m.group(1).upper(), []).extend(values)
        pos = m.end()
    if pos >= n or rest[pos] != ":":
        i = rest.find(":", pos)
        if i < 0:
            return None
        pos = i
    return params, rest[pos + 1 :]


def _address(value: str, params: dict[str, list[str]]) -> str | None:
    """The email of an ORGANIZER/ATTENDEE value (``mailto:`` in any case), else its EMAIL parameter."""
    v = value.strip()
    if v[:7].lower() == "mailto:":
        v = v[7:].strip()
    v = v.strip("<>").strip()
    if "@" in v and " " not in v and ":" not in v:
        return v
    for e in params.get("EMAIL", ()):
        e = e.strip()
        if e[:7].lower() == "mailto:":
            e = e[7:]
        if "@" in e and " " not in e:
            return e
    return None


def _cn(params: dict[str, list[str]]) -> str | None:
    cn = ", ".join(v.strip() for v in params.get("CN", ())).strip(" ,")
    if "\\" in cn:  # not RFC 5545, but some writers escape the commas of CN
        cn = cn.replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")
    return " ".join(cn.split()) or None


# ---------------------------------------------------------------------------------------------------
# times


class _Zones:
    """TZID -> tzinfo, with the file's VTIMEZONE blocks as the last resort (cached per file)."""

    def __init__(self, vtimezones: dict[str, str]):
        self.vtimezones = vtimezones
        self.cache: dict[str, tzinfo | None] = {}
        self.unknown: set[str] = set()
        self.from_vtimezone: set[str] = set()

    def get(self, tzid: str) -> tzinfo | None:
        tzid = tzid.strip().strip('"').strip()
        if tzid in self.cache:
            return self.cache[tzid]
        tz = self._find(tzid)
        if tz is None:
            self.unknown.add(tzid)
        self.cache[tzid] = tz
        return tz

    def _find(self, tzid: str) -> tzinfo | None:
        candidates = [tzid]
        parts = [p for p in tzid.split("/") if p]
        if tzid.startswith("/") or len(parts) > 2:  # /mozilla.org/20050126_1/Europe/London, /.../Tzfile/...
            candidates += ["/".join(parts[-3:]), "/".join(parts[-2:])]
        for name in candidates:
            try:
                return ZoneInfo(name)
            except Exception:  # noqa: BLE001, S112 - unknown or malformed keys (ValueError, ZoneInfoNotFoundError...)
                continue
        win = WINDOWS_ZONES.get(tzid.lower())
        if win:
            try:
                return ZoneInfo(win)
            except Exception:  # noqa: BLE001, S110 - tzdata without that zone: try the VTIMEZONE
                pass
        block = self.vtimezones.get(tzid)
        if block:
            try:
                from dateutil.tz import tzical

                tz = tzical(io.StringIO(block)).get(tzid)
            except Exception:  # noqa: BLE001 - a broken VTIMEZONE: fall back to UTC below
                tz = None
            if tz is not None:
                self.from_vtimezone.add(tzid)
                return tz
        return None


def _parse_dt(value: str) -> date | datetime | None:
    """``YYYYMMDD`` -> date; ``YYYYMMDDTHHMMSS[Z]`` -> naive (floating/local) or UTC datetime."""
    m = _DT.match(value.strip())
    if m is None:
        return None
    y, mo, d, hh, mm, ss, z = m.groups()
    try:
        if hh is None:
            return date(int(y), int(mo), int(d))
        return datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0), tzinfo=UTC if z else None)
    except ValueError:
        return None


class _Time:
    """A DTSTART-like value resolved to a naive local wall time plus its zone (None: all-day)."""

    __slots__ = ("all_day", "local", "tz")

    def __init__(self, local: datetime, tz: tzinfo | None, *, all_day: bool):
        self.local, self.tz, self.all_day = local, tz, all_day

    def utc(self, local: datetime) -> datetime:
        if self.all_day or self.tz is None:
            return local.replace(tzinfo=UTC)
        return local.replace(tzinfo=self.tz).astimezone(UTC)


def _resolve(value: str, params: dict, zones: _Zones, floating_tz: tzinfo | None, notes: dict) -> _Time | None:
    dt = _parse_dt(value)
    if dt is None:
        return None
    if not isinstance(dt, datetime):
        return _Time(datetime(dt.year, dt.month, dt.day), None, all_day=True)
    if dt.tzinfo is not None:
        return _Time(dt.replace(tzinfo=None), UTC, all_day=False)
    tzids = params.get("TZID")
    if tzids:
        tz = zones.get(tzids[0])
        if tz is None:
            notes["unknown_tz"] = notes.get("unknown_tz", 0) + 1
        return _Time(dt, tz, all_day=False)
    if floating_tz is None:
        notes["floating"] = notes.get("floating", 0) + 1
    return _Time(dt, floating_tz, all_day=False)


def _to_local(t: _Time, value: str, params: dict, zones: _Zones) -> tuple[list[datetime], list[date]]:
    """EXDATE/RDATE/RECURRENCE-ID values (comma-separated; PERIODs count by their start) in ``t``'s wall
    time, as (date-times, whole days).
    """
    tzids = params.get("TZID")
    src = zones.get(tzids[0]) if tzids else None
    times: list[datetime] = []
    days: list[date] = []
    for item in value.split(","):
        dt = _parse_dt(item.split("/", 1)[0])
        if dt is None:
            msg = f"bad date {item[:30]!r}"
            raise ValueError(msg)
        if not isinstance(dt, datetime):
            days.append(dt)
            continue
        if dt.tzinfo is None and src is not None and t.tz is not None and src is not t.tz:
            dt = dt.replace(tzinfo=src)
        if dt.tzinfo is not None:
            dt = dt.astimezone(t.tz if t.tz is not None and not t.all_day else UTC).replace(tzinfo=None)
        if t.all_day:
            days.append(dt.date())
        else:
            times.append(dt)
    return times, days


def _rule(rrule: str, t: _Time):
    """A dateutil rule in ``t``'s naive wall time (UNTIL in UTC converted to that wall time)."""
    from dateutil.rrule import rrulestr

    parts = []
    for part in rrule.strip().split(";"):
        key, _, val = part.partition("=")
        key = key.strip().upper()
        if not key or key.startswith("X-"):
            continue
        if key == "UNTIL":
            until = _parse_dt(val)
            if until is None:
                msg = f"bad UNTIL {val[:30]!r}"
                raise ValueError(msg)
            if not isinstance(until, datetime):
                until = datetime(until.year, until.month, until.day, 23, 59, 59)
            elif until.tzinfo is not None:
                until = (
                    until.astimezone(t.tz).replace(tzinfo=None)
                    if t.tz and not t.all_day
                    else until.replace(tzinfo=None)
                )
            val = until.strftime("%Y%m%dT%H%M%S")
        parts.append(f"{key}={val.strip()}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # COUNT together with UNTIL is deprecated in dateutil, not fatal
        return rrulestr(";".join(parts), dtstart=t.local, ignoretz=True, cache=False)


# ---------------------------------------------------------------------------------------------------
# reading


class _Event:
    __slots__ = (
        "attendees",
        "dtstart",
        "ended",
        "error",
        "exdate",
        "klass",
        "line",
        "organizer",
        "rdate",
        "recurrence_id",
        "rrule",
        "start_pos",
        "status",
        "uid",
    )

    def __init__(self, line: int, start_pos: int):
        self.line, self.start_pos = line, start_pos
        self.uid = self.dtstart = self.rrule = self.recurrence_id = self.status = self.klass = None
        self.rdate: list = []
        self.exdate: list = []
        self.organizer = None
        self.attendees: list = []
        self.error: str | None = None
        self.ended = False


def _as_of(value) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, 23, 59, 59, tzinfo=UTC)
    if isinstance(value, str):
        try:
            return _as_of(datetime.fromisoformat(value.strip()))
        except ValueError:
            pass
    msg = f"as_of: expected a date or ISO date-time, got {value!r}"
    raise ConfigError(msg)


def _int_option(options: dict, name: str, default: int) -> int:
    value = options.get(name, default)
    try:
        value = int(value)
    except (TypeError, ValueError):
        msg = f"{name}: expected a whole number, got {value!r}"
        raise ConfigError(msg) from None
    if value < 1:
        msg = f"{name}: must be at least 1, got {value}"
        raise ConfigError(msg)
    return value


def _scan(text: str) -> tuple[list[_Event], dict[str, str], str | None, dict[str, int], list]:
    """Events (with their raw properties), VTIMEZONE blocks by TZID, X-WR-TIMEZONE, other components."""
    text = "\n" + text
    events: list[_Event] = []
    vtimezones: dict[str, str] = {}
    wr_tz = None
    others: dict[str, int] = {}
    rejects: list = []
    stack: list[str] = []
    ev: _Event | None = None
    tz_start = -1
    tz_id = None
    newlines = 0
    counted = 0
    for m in _PROP.finditer(text):
        name = m.group(1).upper()
        rest = m.group(2)
        if "\n" in rest:
            rest = _UNFOLD.sub("", rest)
        rest = rest.rstrip("\r")
        start = m.start()
        if name == "BEGIN" or name == "END":
            comp = rest[1:].strip().upper() if rest[:1] == ":" else ""
            if not comp:
                continue
            newlines += text.count("\n", counted, start + 1)
            counted = start + 1
            if name == "BEGIN":
                if comp == "VEVENT":
                    if ev is not None:  # a VEVENT inside a VEVENT: the first never ended
                        rejects.append((ev.line, "event has no END:VEVENT", ev.start_pos))
                        ev.error = "no END"
                        stack = [c for c in stack if c != "VEVENT"]
                    ev = _Event(newlines, start + 1)
                    events.append(ev)
                elif comp == "VTIMEZONE":
                    tz_start, tz_id = start + 1, None
                elif comp in ("VTODO", "VJOURNAL", "VFREEBUSY"):
                    others[comp] = others.get(comp, 0) + 1
                stack.append(comp)
                continue
            # END: close up to the matching BEGIN (tolerating a missing END of an inner component)
            if comp in stack:
                while stack:
                    top = stack.pop()
                    if top == "VEVENT" and ev is not None:
                        if comp == "VEVENT":
                            ev.ended = True
                        else:
                            rejects.append((ev.line, "event has no END:VEVENT", ev.start_pos))
                            ev.error = "no END"
                        ev = None
                    if top == "VTIMEZONE" and tz_start >= 0:
                        if tz_id:
                            vtimezones.setdefault(tz_id, text[tz_start : m.end()])
                        tz_start = -1
                    if top == comp:
                        break
            continue
        top = stack[-1] if stack else None
        if name == "TZID":
            if top == "VTIMEZONE":
                tz_id = rest[1:].strip().strip('"') if rest[:1] == ":" else None
            continue
        if name == "X-WR-TIMEZONE":
            if top in (None, "VCALENDAR"):
                wr_tz = rest[1:].strip() if rest[:1] == ":" else wr_tz
            continue
        if ev is None or top != "VEVENT":
            continue  # VALARM attendees, VTODO organisers...
        parsed = parse_params(rest)
        if parsed is None:
            continue
        params, value = parsed
        if name == "ATTENDEE" or name == "ORGANIZER":
            newlines += text.count("\n", counted, start + 1)
            counted = start + 1
            entry = (value, params, newlines)
            if name == "ORGANIZER":
                if ev.organizer is None:
                    ev.organizer = entry
            else:
                ev.attendees.append(entry)
        elif name == "DTSTART":
            ev.dtstart = (value, params)
        elif name == "RRULE":
            ev.rrule = value if ev.rrule is None else ev.rrule
        elif name == "RDATE":
            ev.rdate.append((value, params))
        elif name == "EXDATE":
            ev.exdate.append((value, params))
        elif name == "RECURRENCE-ID":
            ev.recurrence_id = (value, params)
        elif name == "UID":
            ev.uid = value.strip()
        elif name == "STATUS":
            ev.status = value.strip().upper()
        elif name == "CLASS":
            ev.klass = value.strip().upper()
    if ev is not None and not ev.ended and ev.error is None:
        rejects.append((ev.line, "event has no END:VEVENT", ev.start_pos))
        ev.error = "no END"
    # excerpts from positions (text has the extra leading newline)
    rejects = [(line, reason, text[pos : pos + MAX_EXCERPT].replace("\r", "")) for line, reason, pos in rejects]
    return events, vtimezones, wr_tz, others, rejects


def _read_ics(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Parse an ``.ics`` file into meeting interactions (see the module docstring)."""
    options = options or {}
    as_of = _as_of(options.get("as_of"))
    cap = _int_option(options, "max_occurrences", MAX_OCCURRENCES)
    max_size = _int_option(options, "max_meeting_size", MAX_MEETING_SIZE)
    aliases = options.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise InputFormatError(msg) from exc
    text = decode(data).lstrip("\ufeff")
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")
    if not _BEGIN_CAL.search(text):
        msg = f"{path}: no BEGIN:VCALENDAR or BEGIN:VEVENT line; not an iCalendar file"
        raise InputFormatError(msg)
    events, vtimezones, wr_tz, others, rejects = _scan(text)

    notes_count: dict[str, int] = {}
    zones = _Zones(vtimezones)
    floating_tz = zones.get(wr_tz) if wr_tz else None

    owner = owner.strip() if owner else None
    owner_addrs = {a.strip().lower() for a in aliases if isinstance(a, str) and a.strip()}
    if owner and "@" in owner and " " not in owner:  # as reach.io.base.owner_record reads it
        owner_addrs.add(owner.removeprefix("mailto:").lower())
    records: list[dict] = [owner_record(owner)] if owner else []
    rid_of: dict[str, int] = {}

    def record_for(email: str, cn: str | None, line: int) -> int:
        key = email.lower()
        if key in owner_addrs:
            return 0
        if cn and cn.lower().removeprefix("mailto:") == key:  # Google writes CN=<the address> for guests
            cn = None
        rid = rid_of.get(key)
        if rid is None:
            rid = len(records)
            rid_of[key] = rid
            records.append({"record_id": rid, "line": line, "role": "party", "display_name": cn, "emails": [email]})
        else:
            rec = records[rid]
            rec["line"] = min(rec["line"], line)
            if cn and not rec["display_name"]:
                rec["display_name"] = cn
        return rid

    # overrides (RECURRENCE-ID) by UID, and the masters they belong to
    masters: dict[str, _Event] = {}
    for ev in events:
        if ev.error is None and ev.uid and ev.recurrence_id is None and (ev.rrule or ev.rdate):
            masters.setdefault(ev.uid, ev)
    overridden: dict[str, list[tuple]] = {}
    for ev in events:
        if ev.error is None and ev.uid and ev.recurrence_id is not None and ev.uid in masters:
            overridden.setdefault(ev.uid, []).append(ev.recurrence_id)

    i_line: list[int] = []
    i_src: list[int] = []
    i_dst: list[int] = []
    i_at: list[datetime | None] = []
    i_n: list[int] = []
    i_key: list[str] = []
    skipped = {"cancelled": 0, "private": 0, "declined": 0, "room": 0, "no_address": 0, "alone": 0, "future": 0}
    n_truncated = 0
    n_bad_exdate = 0

    for ev in events:
        if ev.error is not None:
            continue
        if ev.status == "CANCELLED":
            skipped["cancelled"] += 1
            continue
        if ev.klass == "PRIVATE":
            skipped["private"] += 1
            continue
        organizer, attendees = ev.organizer, ev.attendees
        if ev.recurrence_id is not None and organizer is None and not attendees and ev.uid in masters:
            master = masters[ev.uid]  # an override that only moves the occurrence keeps the master's people
            organizer, attendees = master.organizer, master.attendees
        # participants: organiser first, then attendees in file order, each address once
        people: list[tuple[str, str | None, int]] = []
        seen: set[str] = set()
        org_key = None
        if organizer is not None:
            email = _address(organizer[0], organizer[1])
            if email:
                org_key = email.lower()
                seen.add(org_key)
                people.append((email, _cn(organizer[1]), organizer[2]))
        for value, params, line in attendees:
            cutype = (params.get("CUTYPE") or [""])[0].upper()
            email = _address(value, params)
            if cutype in ("ROOM", "RESOURCE") or (email and email.lower().endswith("resource.calendar.google.com")):
                skipped["room"] += 1
                continue
            if (params.get("PARTSTAT") or [""])[0].upper() == "DECLINED":
                skipped["declined"] += 1
                continue
            if not email:
                skipped["no_address"] += 1
                continue
            key = email.lower()
            if key in seen:
                if key == org_key:  # the organiser's own ATTENDEE line: its CN and line count too
                    email0, cn0, line0 = people[0]
                    people[0] = (email0, cn0 or _cn(params), min(line0, line))
                continue
            seen.add(key)
            people.append((email, _cn(params), line))
        if len(people) < 2:
            skipped["alone"] += 1
            continue

        # when: occurrences (UTC) up to as_of
        try:
            occurrences = _occurrences(
                ev, zones, floating_tz, as_of, cap, overridden.get(ev.uid or "", ()), notes_count
            )
        except (_BadEvent, ValueError, OverflowError, OSError) as exc:
            reason = str(exc) if isinstance(exc, _BadEvent) else f"unreadable date: {type(exc).__name__}"
            rejects.append((ev.line, reason, text[ev.start_pos - 1 : ev.start_pos - 1 + MAX_EXCERPT].replace("\r", "")))
            continue
        if occurrences is None:
            skipped["future"] += 1
            continue
        if notes_count.pop("_truncated", 0):
            n_truncated += 1
        n_bad_exdate += notes_count.pop("_bad_exdate", 0)

        rids = [record_for(email, cn, line) for email, cn, line in people]
        # the owner's own address listed twice under two aliases, etc.: one participant each
        uniq: list[int] = []
        address_of: dict[int, str] = {}
        for r, (email, _name, _line) in zip(rids, people, strict=True):
            if r not in uniq:
                uniq.append(r)
                address_of[r] = email.lower()
        n = len(uniq)
        if n < 2:
            skipped["alone"] += 1
            continue
        pairs: list[tuple[int, int]] = []
        if org_key is not None:
            org = uniq[0]
            pairs += [(org, r) for r in uniq[1:]]
            rest = uniq[1:]
        else:
            rest = uniq
        if n <= max_size:
            pairs += [(a, b) for k, a in enumerate(rest) for b in rest[k + 1 :]]
        # the event: UID and occurrence (an override's RECURRENCE-ID names the occurrence it moves)
        moved = None
        if ev.recurrence_id is not None:
            rt = _resolve(ev.recurrence_id[0], ev.recurrence_id[1], zones, floating_tz, {})
            moved = rt.utc(rt.local) if rt is not None else ev.recurrence_id[0].strip()
        who = org_key or ",".join(sorted(address_of.values()))
        for at in occurrences:
            key = (
                event_key("ics", ev.uid, moved if moved is not None else at)
                if ev.uid
                else event_key("ics-no-uid", who, at)
            )
            for a, b in pairs:
                i_key.append(key)
                i_line.append(ev.line)
                i_src.append(a)
                i_dst.append(b)
                i_at.append(at)
                i_n.append(n)

    notes = []
    if others:
        notes.append("ignored " + ", ".join(f"{v} {k}" for k, v in sorted(others.items())) + " component(s)")
    labels = {
        "cancelled": "cancelled event(s)",
        "private": "private event(s)",
        "declined": "declined attendee(s)",
        "room": "room/resource attendee(s)",
        "no_address": "attendee(s) without an email address",
        "alone": "event(s) with fewer than 2 participants",
        "future": "event(s) after as_of",
    }
    parts = [f"{v} {labels[k]}" for k, v in skipped.items() if v]
    if parts:
        notes.append("skipped " + ", ".join(parts))
    if zones.unknown:
        notes.append(f"{len(zones.unknown)} unknown TZID(s) read as UTC ({notes_count.get('unknown_tz', 0)} time(s))")
    if zones.from_vtimezone:
        notes.append(f"{len(zones.from_vtimezone)} TZID(s) resolved from the file's VTIMEZONE")
    if notes_count.get("floating"):
        notes.append(f"{notes_count['floating']} floating time(s) read as UTC")
    if n_truncated:
        notes.append(f"{n_truncated} recurring series walked only to their first {SCAN_LIMIT} occurrences")
    if n_bad_exdate:
        notes.append(f"{n_bad_exdate} unreadable EXDATE/RDATE/RECURRENCE-ID value(s) ignored")

    rec_schema = pa.schema([f for f in RECORDS if f.name != "source_id"])
    m = len(i_src)
    interactions = pa.table(
        {
            "line": pa.array(i_line, pa.int64()),
            "src_record": pa.array(i_src, pa.int64()),
            "dst_record": pa.array(i_dst, pa.int64()),
            "channel": pa.array(["meeting"] * m, pa.string()),
            "at": pa.array(i_at, pa.timestamp("us", tz="UTC")),
            "weight": pa.array([1.0] * m, pa.float64()),
            "n_participants": pa.array(i_n, pa.int32()),
            "event_key": pa.array(i_key, pa.string()),
        }
    )
    n_skipped = sum(skipped.values())
    return Parsed(
        records=pa.Table.from_pylist(records, schema=rec_schema),
        interactions=interactions,
        rejects=rejects_table(rejects),
        n_rows=len(events),
        n_skipped=n_skipped,
        notes=notes,
    )


class _BadEvent(Exception):
    pass


def _walk(rule, t: _Time, as_of: datetime, keep, found: deque) -> bool:
    """Append to ``found`` the kept occurrences up to ``as_of``; True when :data:`SCAN_LIMIT` cut the walk."""
    try:
        for k, local in enumerate(rule):
            if k >= SCAN_LIMIT:
                return True
            at = t.utc(local)
            if at > as_of:
                break
            if keep(local):
                found.append(at)
    except Exception:  # noqa: BLE001, S110 - past year 9999, or dateutil gave up: keep what we have
        pass
    return False


FREQ_SECONDS = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400, "WEEKLY": 604800}


def _later_start(rrule: str, rule, t: _Time, as_of: datetime, cap: int) -> _Time | None:
    """A DTSTART shifted forward by whole periods of the series' pattern, so that a walk from it reaches
    ``as_of`` and still holds the last ``cap`` occurrences (an hourly series open since 2010 keeps its latest
    occurrences, not its first ones). The pattern of a FREQ up to WEEKLY repeats every lcm(interval, one week)
    in wall time; series with COUNT, or with a longer FREQ, are left as they are (None).
    """
    fields = dict(part.partition("=")[::2] for part in rrule.upper().replace(" ", "").split(";") if part)
    unit = FREQ_SECONDS.get(fields.get("FREQ", ""))
    if unit is None or "COUNT" in fields:
        return None
    try:
        interval = max(1, int(fields.get("INTERVAL", "1")))
    except ValueError:
        return None
    step = math.lcm(unit * interval, 604800)
    end = as_of.astimezone(t.tz).replace(tzinfo=None) if t.tz and not t.all_day else as_of.replace(tzinfo=None)
    total = int((end - t.local).total_seconds() // step)
    horizon = t.local + timedelta(seconds=step)
    per_step = 0
    for local in rule:
        if local >= horizon or per_step >= SCAN_LIMIT:
            break
        per_step += 1
    if per_step == 0:
        return None
    back = -(-cap // per_step) + 1  # whole steps before as_of that hold at least cap occurrences
    if total <= back or back * per_step >= SCAN_LIMIT:
        return None
    return _Time(t.local + timedelta(seconds=(total - back) * step), t.tz, all_day=t.all_day)


def _occurrences(
    ev: _Event, zones: _Zones, floating_tz, as_of: datetime, cap: int, overrides, notes: dict
) -> list[datetime | None] | None:
    """UTC start of each occurrence up to ``as_of`` (most recent ``cap`` of a series); None if all later."""
    if ev.dtstart is None:
        return [None]
    value, params = ev.dtstart
    t = _resolve(value, params, zones, floating_tz, notes)
    if t is None:
        msg = f"unreadable DTSTART {value.strip()[:40]!r}"
        raise _BadEvent(msg)
    if not ev.rrule and not ev.rdate:
        at = t.utc(t.local)
        return [at] if at <= as_of else None

    excluded: set[datetime] = set()
    excluded_days: set[date] = set()
    for v, p in [*ev.exdate, *overrides]:
        try:
            times, days = _to_local(t, v, p, zones)
        except Exception:  # noqa: BLE001 - an odd EXDATE is ignored, not fatal
            notes["_bad_exdate"] = notes.get("_bad_exdate", 0) + 1
            continue
        excluded.update(times)
        excluded_days.update(days)

    def keep(local: datetime) -> bool:
        return local not in excluded and (not excluded_days or local.date() not in excluded_days)

    found: deque = deque(maxlen=cap)
    if ev.rrule:
        try:
            rule = _rule(ev.rrule, t)
        except Exception as exc:  # noqa: BLE001 - dateutil raises ValueError, TypeError, IndexError...
            msg = f"unreadable RRULE {ev.rrule.strip()[:60]!r}: {type(exc).__name__}"
            raise _BadEvent(msg) from None
        truncated = _walk(rule, t, as_of, keep, found)
        if truncated:
            later = _later_start(ev.rrule, rule, t, as_of, cap)
            if later is not None:  # walk again from a start that repeats the series' pattern, near as_of
                found.clear()
                truncated = _walk(_rule(ev.rrule, later), later, as_of, keep, found)
        if truncated:
            notes["_truncated"] = 1
    else:
        at = t.utc(t.local)
        if at <= as_of and keep(t.local):
            found.append(at)
    extra = []
    for v, p in ev.rdate:
        try:
            times, days = _to_local(t, v, p, zones)
        except Exception:  # noqa: BLE001
            notes["_bad_exdate"] = notes.get("_bad_exdate", 0) + 1
            continue
        times += [datetime.combine(d, t.local.time()) for d in days]
        extra += [t.utc(local) for local in times if keep(local)]
    if extra:
        merged = sorted({*found, *(a for a in extra if a <= as_of)})
        found = deque(merged, maxlen=cap)
    if not found:
        return None
    return list(found)


def read_ics(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Read ``path`` (see the module docstring). The cyclic garbage collector is paused meanwhile: the
    parser allocates many small containers and nothing cyclic (see ``paused_gc``).
    """
    with paused_gc():
        return _read_ics(path, owner=owner, options=options)


FORMATS = [
    Format("ics", "iCalendar (.ics) meetings: ORGANIZER and ATTENDEE", sniff, read_ics, needs_owner=False),
]
