from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.errors import ConfigError, InputFormatError
from reach.io import ics
from reach.io.formats import detect_format
from reach.io.ics import FORMATS, parse_params, read_ics, sniff

REAL_FILES = [
    "biweekly/outlook-2010.ics",
    "biweekly/rfc5545-example1.ics",
    "biweekly/rfc5545-example2.ics",
    "biweekly/rfc5545-example3.ics",
    "biweekly/rfc5545-example4.ics",
    "biweekly/rfc5545-example5.ics",
    "biweekly/rfc5545-example6.ics",
    "icalendar/docs_tutorials_example.ics",
    "icalendar/event_with_rsvp.ics",
    "icalendar/event_with_unicode_organizer.ics",
    "icalendar/issue_101_icalendar_chokes_on_umlauts_in_organizer.ics",
    "icalendar/property_params.ics",
    "icalendar/rfc_6868.ics",
    "icalendar/rfc_7256_multi_value_parameters.ics",
    "vobject/ms_tzid.ics",
    "vobject/radicale-0816.ics",
]
AS_OF = {"as_of": "2026-11-23T00:00:00Z"}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def parties(parsed) -> dict[str, dict]:
    rec = pl.from_arrow(parsed.records).filter(pl.col("role") == "party")
    return {r["emails"][0].lower(): r for r in rec.to_dicts()}


def edges(parsed) -> list[tuple[str, str, datetime | None, int]]:
    """Interactions as (src email, dst email, at, n_participants), owner as 'OWNER'."""
    rec = pl.from_arrow(parsed.records).with_columns(
        who=pl.when(pl.col("role") == "owner")
        .then(pl.lit("OWNER"))
        .otherwise(pl.col("emails").list.first().str.to_lowercase())
    )
    names = dict(zip(rec["record_id"], rec["who"], strict=True))
    it = pl.from_arrow(parsed.interactions)
    assert set(it["channel"]) <= {"meeting"}
    return [
        (names[s], names[d], at, n)
        for s, d, at, n in zip(it["src_record"], it["dst_record"], it["at"], it["n_participants"], strict=True)
    ]


def write(tmp_path: Path, text: str, name: str = "x.ics") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    return path


def test_every_real_file_is_listed(shared_data):
    found = sorted(str(p.relative_to(shared_data / "ics")) for p in (shared_data / "ics").rglob("*.ics"))
    assert found == sorted(REAL_FILES)


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_file_reads(shared_data, name):
    path = shared_data / "ics" / name
    assert detect_format(path).name == "ics"
    parsed = read_ics(path, owner=None, options=AS_OF)
    lines = path.read_bytes().decode("utf-8").split("\n")
    begins = [i + 1 for i, ln in enumerate(lines) if ln.strip() == "BEGIN:VEVENT"]
    assert parsed.n_rows == len(begins)
    assert set(pl.from_arrow(parsed.interactions)["line"]) <= set(begins)
    assert parsed.rejects.num_rows == 0
    rec = pl.from_arrow(parsed.records)
    assert rec["record_id"].to_list() == list(range(rec.height))
    assert set(rec["role"]) <= {"party"}


def test_outlook_2010(shared_data):
    parsed = read_ics(shared_data / "ics/biweekly/outlook-2010.ics", owner=None, options=AS_OF)
    p = parties(parsed)
    assert {k: v["display_name"] for k, v in p.items()} == {
        "bobsmith@example.com": "Smith, Bob",
        "johndoe@example.com": "Doe, John",  # folded with a TAB
        "janedoe@example.com": "Doe, Jane",
    }
    assert (p["johndoe@example.com"]["line"], p["janedoe@example.com"]["line"], p["bobsmith@example.com"]["line"]) == (
        22,
        24,
        34,
    )
    at = utc(2013, 6, 10, 16)  # TZID="Eastern Standard Time" (a Windows name), 12:00 EDT
    assert edges(parsed) == [
        ("bobsmith@example.com", "johndoe@example.com", at, 3),
        ("bobsmith@example.com", "janedoe@example.com", at, 3),
        ("johndoe@example.com", "janedoe@example.com", at, 3),
    ]
    assert pl.from_arrow(parsed.interactions)["line"].to_list() == [21, 21, 21]


def test_rfc5545_examples(shared_data):
    base = shared_data / "ics/biweekly"
    one = read_ics(base / "rfc5545-example1.ics", owner=None, options=AS_OF)
    assert one.interactions.num_rows == 0 and one.n_skipped == 1  # an organiser and nobody else
    two = read_ics(base / "rfc5545-example2.ics", owner=None, options=AS_OF)
    assert edges(two) == [("mrbig@example.com", "employee-a@example.com", utc(1998, 3, 12, 13, 30), 2)]
    three = read_ics(base / "rfc5545-example3.ics", owner=None, options=AS_OF)
    assert edges(three) == [("jdoe@example.com", "jsmith@example.com", utc(1997, 3, 24, 12, 30), 2)]
    for n, comp in ((4, "VTODO"), (5, "VJOURNAL"), (6, "VFREEBUSY")):
        parsed = read_ics(base / f"rfc5545-example{n}.ics", owner=None, options=AS_OF)
        assert parsed.n_rows == 0 and parsed.interactions.num_rows == 0
        assert any(comp in note for note in parsed.notes)


def test_icalendar_project_files(shared_data):
    base = shared_data / "ics/icalendar"
    pp = read_ics(base / "property_params.ics", owner=None, options=AS_OF)
    p = parties(pp)
    # MAILTO: in capitals; the organiser is also an ATTENDEE (CN there) and counts once
    assert {k: v["display_name"] for k, v in p.items()} == {
        "rembrand@daxlab.com": "RembrandDX",
        "rembrand@xs4all.nl": "RembrandXS",
        "rembspam@xs4all.nl": "RembrandSB",
    }
    day = utc(2012, 8, 14)  # DTSTART;VALUE=DATE:20120814
    assert edges(pp) == [
        ("rembrand@daxlab.com", "rembrand@xs4all.nl", day, 3),
        ("rembrand@daxlab.com", "rembspam@xs4all.nl", day, 3),
        ("rembrand@xs4all.nl", "rembspam@xs4all.nl", day, 3),
    ]
    doc = read_ics(base / "docs_tutorials_example.ics", owner=None, options=AS_OF)
    assert doc.n_rows == 2 and doc.n_skipped == 1  # the first event has nobody
    at = utc(2026, 3, 28, 7)
    assert edges(doc) == [
        ("me@example.com", "another_friend@example.com", at, 3),
        ("me@example.com", "late_joiner@example.com", at, 3),
        ("another_friend@example.com", "late_joiner@example.com", at, 3),
    ]
    multi = read_ics(base / "rfc_7256_multi_value_parameters.ics", owner=None, options=AS_OF)
    assert len(edges(multi)) == 6 and all(at is None for _, _, at, _ in edges(multi))  # no DTSTART
    for name in (
        "event_with_rsvp.ics",
        "event_with_unicode_organizer.ics",
        "issue_101_icalendar_chokes_on_umlauts_in_organizer.ics",
        "rfc_6868.ics",
    ):
        parsed = read_ics(base / name, owner=None, options=AS_OF)
        assert parsed.n_rows == 1 and parsed.n_skipped == 1 and parsed.interactions.num_rows == 0


def with_line(path: Path, tmp_path: Path, line: bytes) -> Path:
    """The real bytes with one more property line just before END:VEVENT."""
    data = path.read_bytes()
    eol = b"\r\n" if b"\r\n" in data else b"\n"
    out = tmp_path / path.name
    out.write_bytes(data.replace(b"END:VEVENT", line + eol + b"END:VEVENT", 1))
    return out


def test_umlaut_and_cyrillic_organizer_names(shared_data, tmp_path):
    base = shared_data / "ics/icalendar"
    extra = b"ATTENDEE;CN=Guest:mailto:guest@example.com"
    p = parties(
        read_ics(
            with_line(base / "issue_101_icalendar_chokes_on_umlauts_in_organizer.ics", tmp_path, extra),
            owner=None,
            options=AS_OF,
        )
    )
    assert p["adm-acme@mydomain.de"]["display_name"] == "acme, ädmin"
    p = parties(
        read_ics(with_line(base / "event_with_unicode_organizer.ics", tmp_path, extra), owner=None, options=AS_OF)
    )
    assert p["john.doe@example.org"]["display_name"] == "Джон Доу"


def test_rfc_6868_caret_escapes(shared_data, tmp_path):
    path = shared_data / "ics/icalendar/rfc_6868.ics"
    line = next(ln for ln in path.read_text().splitlines() if ln.startswith("ATTENDEE"))
    params, value = parse_params(line[len("ATTENDEE") :])
    assert params["CN"] == ['George Herman "Babe" Ruth'] and value == "mailto:babe@example.com"
    x_param = next(ln for ln in path.read_text().splitlines() if ln.startswith("X-PARAM"))
    params, value = parse_params(x_param[len("X-PARAM") :])
    assert params == {"NEWLINE": ["\n"], "ALL": ['^"\n'], "UNKNOWN": ["^a^ ^asd"]} and value == "asd"
    parsed = read_ics(with_line(path, tmp_path, b"ORGANIZER;CN=Ump:mailto:ump@example.com"), owner=None, options=AS_OF)
    assert parties(parsed)["babe@example.com"]["display_name"] == 'George Herman "Babe" Ruth'


def test_rfc_7256_multi_valued_params(shared_data):
    path = shared_data / "ics/icalendar/rfc_7256_multi_value_parameters.ics"
    line = next(ln for ln in path.read_text().splitlines() if ln.startswith("ATTENDEE;DELEGATED-TO"))
    params, value = parse_params(line[len("ATTENDEE") :])
    assert params["DELEGATED-TO"] == ["mailto:jdoe@example.com", "mailto:jqpublic@example.com"]
    assert value == "mailto:jsmith@example.com"


def test_microsoft_tzid_from_vtimezone(shared_data, tmp_path):
    path = shared_data / "ics/vobject/ms_tzid.ics"  # TZID="Canberra, Melbourne, Sydney", not an IANA name
    path = with_line(path, tmp_path, b"ORGANIZER:mailto:a@example.com\nATTENDEE:mailto:b@example.com")
    parsed = read_ics(path, owner=None, options=AS_OF)
    assert edges(parsed) == [("a@example.com", "b@example.com", utc(2008, 5, 30, 5), 2)]  # 15:00 +10:00
    assert any("VTIMEZONE" in n for n in parsed.notes)


def test_radicale_europe_london(shared_data, tmp_path):
    path = with_line(
        shared_data / "ics/vobject/radicale-0816.ics",
        tmp_path,
        b"ORGANIZER:mailto:a@example.com\nATTENDEE:mailto:b@example.com",
    )
    assert edges(read_ics(path, owner=None, options=AS_OF))[0][2] == utc(2016, 6, 16, 8)  # 09:00 BST


def test_unknown_tzid_is_read_as_utc(tmp_path):
    path = write(
        tmp_path,
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=Mars/Olympus_Mons:20250101T100000\n"
        "ORGANIZER:mailto:a@x.example\nATTENDEE:mailto:b@x.example\nEND:VEVENT\nEND:VCALENDAR\n",
    )
    parsed = read_ics(path, owner=None, options=AS_OF)
    assert edges(parsed)[0][2] == utc(2025, 1, 1, 10)
    assert any("unknown TZID" in n for n in parsed.notes)


@pytest.mark.parametrize("name", REAL_FILES)
def test_against_icalendar(shared_data, name):
    icalendar = pytest.importorskip("icalendar", reason="icalendar (test-time oracle only) is not installed")
    path = shared_data / "ics" / name
    data = path.read_bytes()
    comp = icalendar.Calendar.from_ical(data) if b"BEGIN:VCALENDAR" in data else icalendar.Event.from_ical(data)
    theirs = []
    for ev in comp.walk("VEVENT"):
        org = ev.get("ORGANIZER")
        atts = ev.get("ATTENDEE") or []
        atts = atts if isinstance(atts, list) else [atts]
        start = ev.get("DTSTART")
        when = None
        if start is not None:
            when = start.dt if not isinstance(start.dt, datetime) else start.dt.astimezone(UTC)
        theirs.append(
            (
                None if org is None else (str(org).split(":", 1)[1].lower(), org.params.get("CN")),
                [(str(a).split(":", 1)[1].lower(), a.params.get("CN")) for a in atts],
                when,
            )
        )
    events, vtimezones, _wr_tz, _, _ = ics._scan(data.decode("utf-8"))
    zones = ics._Zones(vtimezones)
    mine = []
    for ev in events:
        org = (
            None
            if ev.organizer is None
            else (ics._address(ev.organizer[0], ev.organizer[1]).lower(), ics._cn(ev.organizer[1]))
        )
        atts = [(ics._address(v, p).lower(), ics._cn(p)) for v, p, _ in ev.attendees]
        when = None
        if ev.dtstart is not None:
            t = ics._resolve(ev.dtstart[0], ev.dtstart[1], zones, None, {})
            when = t.local.date() if t.all_day else t.utc(t.local)
        mine.append((org, atts, when))
    assert mine == theirs


# ---- recurrence, checked by hand against the RFC 5545 (3.8.5.3) examples ----------------------------


def series(tmp_path: Path, dtstart: str, *lines: str, as_of: str = "2030-01-01T00:00:00Z", **options) -> list:
    body = "\n".join(
        [
            "BEGIN:VCALENDAR",
            "BEGIN:VEVENT",
            "UID:s1",
            dtstart,
            *lines,
            "ORGANIZER:mailto:o@x.example",
            "ATTENDEE:mailto:a@x.example",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
    )
    parsed = read_ics(write(tmp_path, body), owner=None, options={"as_of": as_of, **options})
    assert parsed.rejects.num_rows == 0, pl.from_arrow(parsed.rejects).to_dicts()
    return [at for _, _, at, _ in edges(parsed)]


NY = "DTSTART;TZID=America/New_York:19970902T090000"


def test_rrule_daily_count_and_until(tmp_path):
    got = series(tmp_path, NY, "RRULE:FREQ=DAILY;COUNT=10")
    assert len(got) == 10 and got[0] == utc(1997, 9, 2, 13) and got[-1] == utc(1997, 9, 11, 13)
    # "Daily until December 24, 1997": Sep 2-30 (29) + Oct (31) + Nov (30) + Dec 1-23 (23) = 113
    got = series(tmp_path, NY, "RRULE:FREQ=DAILY;UNTIL=19971224T000000Z", max_occurrences=500)
    assert len(got) == 113 and got[-1] == utc(1997, 12, 23, 14)  # EST after the DST change
    assert len(series(tmp_path, NY, "RRULE:FREQ=DAILY;UNTIL=19971224T000000Z")) == 52  # the default cap


def test_rrule_forever_is_cut_at_as_of_and_capped(tmp_path):
    # every other day, forever: Sep 2..30 (15), Oct 2..30 (15), Nov 1..29 (15) before 1997-12-01
    got = series(tmp_path, NY, "RRULE:FREQ=DAILY;INTERVAL=2", as_of="1997-12-01T00:00:00Z")
    assert len(got) == 45 and got[-1] == utc(1997, 11, 29, 14)
    got = series(tmp_path, NY, "RRULE:FREQ=DAILY;INTERVAL=2", as_of="1997-12-01T00:00:00Z", max_occurrences=10)
    assert len(got) == 10 and got[0] == utc(1997, 11, 11, 14)  # the most recent ten


def test_rrule_weekly_monthly_examples(tmp_path):
    assert len(series(tmp_path, NY, "RRULE:FREQ=DAILY;INTERVAL=10;COUNT=5")) == 5
    assert len(series(tmp_path, NY, "RRULE:FREQ=WEEKLY;COUNT=10")) == 10
    got = series(tmp_path, NY, "RRULE:FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH")
    assert [d.day for d in got] == [2, 4, 9, 11, 16, 18, 23, 25, 30, 2]
    got = series(tmp_path, "DTSTART;TZID=America/New_York:19970905T090000", "RRULE:FREQ=MONTHLY;COUNT=10;BYDAY=1FR")
    assert [(d.year, d.month, d.day) for d in got][:3] == [(1997, 9, 5), (1997, 10, 3), (1997, 11, 7)]
    assert len(got) == 10 and (got[-1].year, got[-1].month, got[-1].day) == (1998, 6, 5)
    got = series(
        tmp_path,
        "DTSTART;TZID=America/New_York:19970907T090000",
        "RRULE:FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU",
    )
    assert [(d.month, d.day) for d in got] == [
        (9, 7),
        (9, 28),
        (11, 2),
        (11, 30),
        (1, 4),
        (1, 25),
        (3, 1),
        (3, 29),
        (5, 3),
        (5, 31),
    ]
    got = series(tmp_path, NY, "RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", as_of="1998-01-01T00:00:00Z")
    assert [(d.month, d.day) for d in got] == [
        (9, 2),
        (9, 9),
        (9, 16),
        (9, 23),
        (9, 30),
        (11, 4),
        (11, 11),
        (11, 18),
        (11, 25),
    ]


def test_exdate_rdate(tmp_path):
    got = series(
        tmp_path,
        "DTSTART:19960401T010000Z",
        "RRULE:FREQ=DAILY;COUNT=5",
        "EXDATE:19960402T010000Z,19960403T010000Z,19960404T010000Z",
    )
    assert got == [utc(1996, 4, 1, 1), utc(1996, 4, 5, 1)]
    got = series(
        tmp_path,
        "DTSTART:19960402T010000Z",
        "RDATE;VALUE=PERIOD:19960403T020000Z/19960403T040000Z,19960404T010000Z/PT3H",
    )
    assert got == [utc(1996, 4, 2, 1), utc(1996, 4, 3, 2), utc(1996, 4, 4, 1)]
    got = series(tmp_path, "DTSTART;VALUE=DATE:20250106", "RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;VALUE=DATE:20250113")
    assert got == [utc(2025, 1, 6), utc(2025, 1, 20), utc(2025, 1, 27)]
    got = series(
        tmp_path, "DTSTART;TZID=Europe/Berlin:20250106T100000", "RRULE:FREQ=DAILY;COUNT=3", "EXDATE:20250107T090000Z"
    )  # 10:00 CET given in UTC
    assert got == [utc(2025, 1, 6, 9), utc(2025, 1, 8, 9)]


def test_until_in_utc_east_of_greenwich_and_dst(tmp_path):
    # 10:00 Berlin is 09:00Z in winter: UNTIL=...T090000Z includes the 8th
    got = series(tmp_path, "DTSTART;TZID=Europe/Berlin:20250106T100000", "RRULE:FREQ=DAILY;UNTIL=20250108T090000Z")
    assert got == [utc(2025, 1, 6, 9), utc(2025, 1, 7, 9), utc(2025, 1, 8, 9)]
    got = series(tmp_path, "DTSTART;TZID=Europe/Berlin:20251020T100000", "RRULE:FREQ=WEEKLY;COUNT=3")
    assert got == [utc(2025, 10, 20, 8), utc(2025, 10, 27, 9), utc(2025, 11, 3, 9)]  # wall time kept


def test_recurrence_id_overrides(tmp_path):
    body = """BEGIN:VCALENDAR
BEGIN:VEVENT
UID:weekly
DTSTART:20250106T150000Z
RRULE:FREQ=WEEKLY;COUNT=4
ORGANIZER;CN=Org:mailto:o@x.example
ATTENDEE:mailto:a@x.example
END:VEVENT
BEGIN:VEVENT
UID:weekly
RECURRENCE-ID:20250113T150000Z
DTSTART:20250114T160000Z
ORGANIZER:mailto:o@x.example
ATTENDEE:mailto:a@x.example
ATTENDEE:mailto:guest@x.example
END:VEVENT
BEGIN:VEVENT
UID:weekly
RECURRENCE-ID:20250120T150000Z
DTSTART:20250120T150000Z
STATUS:CANCELLED
END:VEVENT
BEGIN:VEVENT
UID:weekly
RECURRENCE-ID:20250127T150000Z
DTSTART:20250128T090000Z
END:VEVENT
END:VCALENDAR
"""
    parsed = read_ics(write(tmp_path, body), owner=None, options={"as_of": "2026-01-01"})
    got = edges(parsed)
    assert [(s, d, at) for s, d, at, _ in got] == [
        ("o@x.example", "a@x.example", utc(2025, 1, 6, 15)),
        ("o@x.example", "a@x.example", utc(2025, 1, 14, 16)),  # moved, with a guest
        ("o@x.example", "guest@x.example", utc(2025, 1, 14, 16)),
        ("a@x.example", "guest@x.example", utc(2025, 1, 14, 16)),
        ("o@x.example", "a@x.example", utc(2025, 1, 28, 9)),  # moved; people from the series
    ]
    assert parsed.n_rows == 4 and parsed.n_skipped == 1  # the cancelled occurrence


def test_scan_limit_and_bad_rules(tmp_path):
    body = """BEGIN:VCALENDAR
BEGIN:VEVENT
DTSTART:20200101T000000Z
RRULE:FREQ=SECONDLY
ORGANIZER:mailto:o@x.example
ATTENDEE:mailto:a@x.example
END:VEVENT
BEGIN:VEVENT
DTSTART:20200101T000000Z
RRULE:FREQ=FORTNIGHTLY
ORGANIZER:mailto:o@x.example
ATTENDEE:mailto:a@x.example
END:VEVENT
BEGIN:VEVENT
DTSTART:2020-01-01
ORGANIZER:mailto:o@x.example
ATTENDEE:mailto:a@x.example
END:VEVENT
BEGIN:VEVENT
DTSTART:20200101T000000Z
ORGANIZER:mailto:o@x.example
ATTENDEE:mailto:b@x.example
END:VCALENDAR"""
    parsed = read_ics(write(tmp_path, body), owner=None, options={"as_of": "2024-01-01"})
    assert len(edges(parsed)) == 52  # the SECONDLY series, walked to its limit and capped
    assert any("walked only" in n for n in parsed.notes)
    rej = pl.from_arrow(parsed.rejects).sort("line").to_dicts()
    assert [r["line"] for r in rej] == [8, 14, 19]
    assert rej[0]["reason"].startswith("unreadable RRULE") and rej[1]["reason"].startswith("unreadable DTSTART")
    assert rej[2]["reason"] == "event has no END:VEVENT" and rej[2]["excerpt"].startswith("BEGIN:VEVENT")


# ---- Ben's sample calendar --------------------------------------------------------------------------


def test_ben_sample(samples_dir):
    path = samples_dir / "calendar" / "ben-calendar.ics"
    assert detect_format(path).name == "ics"
    data = path.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") and max(len(x) for x in data.split(b"\r\n")) <= 75
    parsed = read_ics(path, owner="ben@northwind.example", options={"as_of": "2025-12-01T00:00:00Z"})
    assert parsed.n_rows == 16 and parsed.rejects.num_rows == 0
    # cancelled, private, focus time (nobody), after as_of: 4 events; Priya and Ben declined; one room
    assert parsed.n_skipped == 4 + 2 + 1
    rec = pl.from_arrow(parsed.records)
    assert rec["role"][0] == "owner" and "ben@northwind.example" not in rec["emails"].explode()[1:].to_list()
    p = parties(parsed)
    assert p["chloe@northwind.example"]["display_name"] == "Chloé Martin"
    assert p["maria@initech.example"]["display_name"] == "Rossi, Maria"
    assert "karim.nassar@umbrella.example" in p and "priya.nair@globex.example" not in p
    assert not any("resource.calendar.google.com" in k or "candidate" in k or "reminders" in k for k in p)
    got = edges(parsed)
    one_on_one = sorted(
        at
        for s, d, at, _ in got
        if {s, d} == {"OWNER", "ana@northwind.example"}
        and at.weekday() in (0, 1)
        and at.hour in (9, 10)
        and at.minute == 0
    )
    # Mondays Sep 8 - Nov 24 (12), less the EXDATE (Oct 27), the 10th moved to Tuesday the 11th
    assert len(one_on_one) == 11
    assert one_on_one[0] == utc(2025, 9, 8, 9) and one_on_one[-1] == utc(2025, 11, 24, 10)  # BST, then GMT
    assert utc(2025, 11, 11, 10) in one_on_one and utc(2025, 10, 27, 10) not in one_on_one
    grace = [e for e in got if e[0] == "grace.lee@acme.example"]
    assert grace == [
        ("grace.lee@acme.example", "OWNER", utc(2025, 10, 14, 15), 3),
        ("grace.lee@acme.example", "chloe@northwind.example", utc(2025, 10, 14, 15), 3),
    ]
    assert ("OWNER", "dev.patel@globex.example", utc(2025, 9, 23, 13), 2) in got
    assert ("OWNER", "dev.patel@globex.example", utc(2025, 11, 20, 12, 30), 2) in got
    maria = [e for e in got if e[2] == utc(2025, 10, 16, 9)]  # 11:00 Europe/Rome
    assert len(maria) == 6 and {e[3] for e in maria} == {4}
    all_hands = [e for e in got if e[3] == 15]
    assert len(all_hands) == 14 and {e[0] for e in all_hands} == {"ana@northwind.example"}
    assert ("noah.kim@initech.example", "mei.chen@stark.example", utc(2025, 11, 18, 16), 2) in got
    standup = [e for e in got if e[2].hour == 9 and e[2].minute == 30]
    assert len(standup) == 30 and len({e[2] for e in standup}) == 10  # COUNT=10 weekdays, 3 pairs each
    assert ("karim.nassar@umbrella.example", "OWNER", utc(2025, 11, 12, 9), 2) in got
    assert ("OWNER", "yuki@hooli.example", utc(2025, 11, 25, 17), 2) in got
    assert all(at <= utc(2025, 12, 1) for _, _, at, _ in got)
    assert ("OWNER", "chloe@northwind.example", utc(2025, 10, 14, 15), 3) in got  # attendee pair
    # 1:1 11, Grace 3, Dev 1, Maria 6, offsite 3, all-hands 14, Karim 1, Noah 1, lunch 1, stand-up 30, Hooli 1
    assert len(got) == 11 + 3 + 1 + 6 + 3 + 14 + 1 + 1 + 1 + 30 + 1


def test_ben_sample_meeting_size_and_aliases(samples_dir):
    path = samples_dir / "calendar" / "ben-calendar.ics"
    opts = {"as_of": "2025-12-01T00:00:00Z", "max_meeting_size": 20}
    got = edges(read_ics(path, owner="ben@northwind.example", options=opts))
    assert len([e for e in got if e[3] == 15]) == 14 + 14 * 13 // 2  # now the attendee pairs too
    # no owner: Ben is a party like everyone else; with his other address as an alias: record 0
    plain = read_ics(path, owner=None, options={"as_of": "2025-12-01"})
    assert "ben@northwind.example" in parties(plain)
    aliased = read_ics(path, owner="Ben Okafor", options={"as_of": "2025-12-01", "aliases": ["BEN@northwind.example"]})
    assert "ben@northwind.example" not in parties(aliased)
    assert pl.from_arrow(aliased.records)["emails"][0] is None  # a name, not an address
    later = read_ics(path, owner=None, options={"as_of": date(2026, 2, 1), "max_occurrences": 3})
    assert ("grace.lee@acme.example", "ben@northwind.example", utc(2026, 1, 15, 15), 2) in edges(later)
    ones = [
        at
        for s, d, at, _ in edges(later)
        if {s, d} == {"ben@northwind.example", "ana@northwind.example"}
        and at.minute == 0
        and at.hour == 10
        and at.weekday() == 0
    ]
    assert len(ones) == 3  # the three most recent Mondays


def test_options_and_errors(tmp_path):
    path = write(tmp_path, "BEGIN:VCALENDAR\nEND:VCALENDAR\n")
    assert read_ics(path, owner=None, options={}).n_rows == 0
    with pytest.raises(ConfigError, match="as_of"):
        read_ics(path, owner=None, options={"as_of": "last tuesday"})
    with pytest.raises(ConfigError, match="max_occurrences"):
        read_ics(path, owner=None, options={"max_occurrences": 0})
    with pytest.raises(InputFormatError, match="not an iCalendar"):
        read_ics(write(tmp_path, "BEGIN:VCARD\nEND:VCARD\n", "y.ics"), owner=None, options={})
    with pytest.raises(InputFormatError, match="cannot read"):
        read_ics(tmp_path / "missing.ics", owner=None, options={})
    assert sniff("BEGIN:VCALENDAR\r\n") == 1.0 and sniff("BEGIN:VEVENT\n") == 0.9 and sniff("BEGIN:VCARD") == 0.0
    assert [f.name for f in FORMATS] == ["ics"] and not FORMATS[0].needs_owner


def test_skips(tmp_path):
    body = """BEGIN:VCALENDAR
BEGIN:VEVENT
DTSTART:20250101T100000Z
ORGANIZER:mailto:o@x.example
ATTENDEE;CUTYPE=ROOM:mailto:room@x.example
ATTENDEE;PARTSTAT=DECLINED:mailto:no@x.example
ATTENDEE;CN=No Address:urn:uuid:1234
ATTENDEE;EMAIL=param@x.example;CN=Param:urn:uuid:5678
ATTENDEE;PARTSTAT=ACCEPTED;CN=Guest@X.example:mailto:guest@x.example
END:VEVENT
BEGIN:VEVENT
DTSTART:20250101T100000Z
CLASS:PRIVATE
ORGANIZER:mailto:o@x.example
ATTENDEE:mailto:a@x.example
END:VEVENT
END:VCALENDAR
"""
    parsed = read_ics(write(tmp_path, body), owner=None, options={"as_of": "2026-01-01"})
    at = utc(2025, 1, 1, 10)
    assert edges(parsed) == [
        ("o@x.example", "param@x.example", at, 3),
        ("o@x.example", "guest@x.example", at, 3),
        ("param@x.example", "guest@x.example", at, 3),
    ]
    assert parsed.n_skipped == 4 and "a@x.example" not in parties(parsed)
    assert parties(parsed)["param@x.example"]["display_name"] == "Param"
    assert parties(parsed)["guest@x.example"]["display_name"] is None  # CN was just the address


ICS_LINES = st.sampled_from(
    [
        "BEGIN:VCALENDAR",
        "END:VCALENDAR",
        "BEGIN:VEVENT",
        "END:VEVENT",
        "BEGIN:VALARM",
        "END:VALARM",
        "BEGIN:VTIMEZONE",
        "END:VTIMEZONE",
        "TZID:Eastern Standard Time",
        "TZOFFSETTO:-0500",
        "TZOFFSETFROM:+0100",
        "BEGIN:STANDARD",
        "END:STANDARD",
        "DTSTART:19701025T030000",
        "UID:u1",
        "UID:u2",
        "DTSTART:20250101T100000Z",
        "DTSTART;TZID=Europe/Paris:20250101T100000",
        "DTSTART;VALUE=DATE:20250101",
        "DTSTART;TZID=Eastern Standard Time:20250101T100000",
        "DTSTART:2025",
        "DTSTART:99991231T235959",
        "RRULE:FREQ=DAILY;COUNT=3",
        "RRULE:FREQ=WEEKLY;UNTIL=20250201T000000Z",
        "RRULE:FREQ=YEARLY;BYDAY=-1SU",
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=31;UNTIL=2025",
        "RRULE:",
        "RRULE:FREQ=DAILY;INTERVAL=0",
        "EXDATE:20250102T100000Z",
        "EXDATE;TZID=Nowhere:bad",
        "RDATE;VALUE=PERIOD:20250105T100000Z/PT1H",
        "RECURRENCE-ID:20250102T100000Z",
        "STATUS:CANCELLED",
        "CLASS:PRIVATE",
        'ORGANIZER;CN="A, B":MAILTO:a@x.example',
        "ATTENDEE:mailto:b@x.example",
        "ATTENDEE;CN=^'C^':c@x.example",
        "ATTENDEE;PARTSTAT=DECLINED:mailto:d@x.example",
        "ATTENDEE;CUTYPE=ROOM:mailto:r@x.example",
        'ATTENDEE;CN="unbalanced:mailto:e@x.example',
        "ATTENDEE",
        "ATTENDEE;:",
        " folded",
        "\tfolded",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.one_of(ICS_LINES, st.text(max_size=25)), max_size=40),
    sep=st.sampled_from(["\r\n", "\n", "\r"]),
    owner=st.sampled_from([None, "a@x.example"]),
)
def test_fuzz_only_input_format_errors(tmp_path, lines, sep, owner):
    path = tmp_path / "fuzz.ics"
    path.write_bytes(sep.join(lines).encode("utf-8", "surrogatepass"))
    try:
        parsed = read_ics(path, owner=owner, options={"as_of": "2025-06-01", "max_occurrences": 5})
    except InputFormatError:
        return
    n_rec = parsed.records.num_rows
    it = pl.from_arrow(parsed.interactions)
    assert it.height == 0 or (it["src_record"].max() < n_rec and it["dst_record"].max() < n_rec)
    assert (it["src_record"] != it["dst_record"]).all()


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400))
def test_fuzz_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("ics") / "b.ics"
    path.write_bytes(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n" + data)
    with contextlib.suppress(InputFormatError):
        read_ics(path, owner=None, options={})


@pytest.mark.parametrize(
    "rrule",
    [
        "FREQ=HOURLY;BYDAY=MO,TU,WE,TH,FR",
        "FREQ=MINUTELY;INTERVAL=7",
        "FREQ=DAILY;INTERVAL=3;BYHOUR=9,15",
        "FREQ=HOURLY;INTERVAL=5;UNTIL=20261115T000000Z",
    ],
)
def test_open_ended_fast_series_keep_their_latest_occurrences(tmp_path, rrule):
    """A series too long to walk from its start (hourly since 2010) keeps the last occurrences before as_of,
    as a brute-force walk of dateutil's rule over the whole series finds them."""
    from dateutil.rrule import rrulestr

    path = tmp_path / "fast.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:fast@example.com\r\n"
        "DTSTAMP:20100101T000000Z\r\nDTSTART:20100104T090000Z\r\nDTEND:20100104T091500Z\r\n"
        f"RRULE:{rrule}\r\nSUMMARY:Sync\r\nORGANIZER:mailto:ana@example.com\r\n"
        "ATTENDEE:mailto:ana@example.com\r\nATTENDEE:mailto:ben@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    as_of = datetime(2026, 12, 1, 12, 30, tzinfo=UTC)
    parsed = ics.read_ics(path, owner="ana@example.com", options={"as_of": as_of.isoformat()})
    got = sorted(set(parsed.interactions.column("at").to_pylist()))
    oracle_rule = rrulestr(rrule, dtstart=datetime(2010, 1, 4, 9, 0, tzinfo=UTC))
    expected = [d for d in oracle_rule.between(datetime(2010, 1, 1, tzinfo=UTC), as_of, inc=True)][
        -ics.MAX_OCCURRENCES :
    ]
    assert got == expected
    assert not any("walked only" in n for n in parsed.notes)
