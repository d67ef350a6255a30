#!/usr/bin/env python
"""Write ``data/samples/calendar/ben-calendar.ics``: Ben Okafor's calendar as Google Calendar exports it.

Deterministic (no clock, no randomness): running it again writes the same bytes. The layout follows a
real Google export (``shared/FORMATS.md`` 4.6): ``PRODID:-//Google Inc//Google Calendar 70.9054//EN``,
``X-WR-CALNAME`` / ``X-WR-TIMEZONE``, a ``VTIMEZONE``, CRLF line endings, lines folded at 75 octets,
the organiser repeated as an ``ATTENDEE``, ``X-GOOGLE-CONFERENCE``, ``X-NUM-GUESTS``. Everyone in it is
fictional and lives at ``*.example`` domains.

The 16 VEVENTs (tests/io/test_ics.py counts on them; as_of 2025-12-01T00:00:00Z):
 1. weekly Ana/Ben 1:1, Mondays 10:00 London from 2025-09-08, no end, one EXDATE (2025-10-27)
 2. the override of that series' 2025-11-10 occurrence, moved to Tuesday 2025-11-11
 3. Grace Lee (acme) organises a partnership review: Ben, Chloé, and a room resource
 4. Ben meets Dev Patel (globex); Priya Nair declined
 5. a cancelled review with Maria Rossi
 6. Maria Rossi's ("Rossi, Maria") quarterly review in Europe/Rome time, with Ana, Ben, Chloé
 7. an all-day team offsite (VALUE=DATE)
 8. a private event (CLASS:PRIVATE)
 9. focus time: no attendees
10. an all-hands organised by Ana: 15 participants (more than 12, so organiser edges only)
11. an Outlook-originated invite from Omar Haddad (``MAILTO:`` in capitals, mixed-case address)
12. Noah Kim's meeting that Ben declined (Noah and Mei Chen remain)
13. lunch with Dev Patel at a UTC time (``Z``)
14. a meeting with Grace Lee after as_of (2026-01-15)
15. a daily stand-up, weekdays, COUNT=10, from 2025-11-03
16. a meeting with Yuki Tanaka whose VALARM sends an email to an ATTENDEE (not a participant)

    python scripts/samples/make_ics_sample.py
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "data" / "samples" / "calendar" / "ben-calendar.ics"

BEN = ("Ben Okafor", "ben@northwind.example")
ANA = ("Ana Souza", "ana@northwind.example")
CHLOE = ("Chloé Martin", "chloe@northwind.example")
GRACE = ("Grace Lee", "grace.lee@acme.example")
DEV = ("Dev Patel", "dev.patel@globex.example")
PRIYA = ("Priya Nair", "priya.nair@globex.example")
MARIA = ("Rossi, Maria", "maria@initech.example")
OMAR = ("Omar Haddad", "Omar.Haddad@umbrella.example")
NOAH = ("Noah Kim", "noah.kim@initech.example")
MEI = ("Mei Chen", "mei.chen@stark.example")
YUKI = ("Yuki Tanaka", "yuki@hooli.example")
ROOM = ("London-3-Boardroom (8)", "c_1883a5c2f0e1d4b7@resource.calendar.google.com")
STAFF = [
    ("Lena Fischer", "lena@northwind.example"),
    ("Tom Becker", "tom@northwind.example"),
    ("Sam Carter", "sam@northwind.example"),
    ("Lucia Gomez", "lucia@northwind.example"),
    ("Eva Novak", "eva@northwind.example"),
    ("Ivan Petrov", "ivan@northwind.example"),
    ("Aisha Bello", "aisha@northwind.example"),
    ("Marco Ricci", "marco@northwind.example"),
    ("Sara Lind", "sara@northwind.example"),
    ("Jon Berg", "jon@northwind.example"),
    ("Luis Ortega", "luis@northwind.example"),
    ("Finn Walsh", "finn@northwind.example"),
]

HEADER = """BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:ben@northwind.example
X-WR-TIMEZONE:Europe/London
BEGIN:VTIMEZONE
TZID:Europe/London
X-LIC-LOCATION:Europe/London
BEGIN:DAYLIGHT
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
TZNAME:BST
DTSTART:19700329T010000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
TZNAME:GMT
DTSTART:19701025T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Europe/Rome
X-LIC-LOCATION:Europe/Rome
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""


def att(person: tuple[str, str], partstat: str = "ACCEPTED", cutype: str = "INDIVIDUAL", rsvp: bool = False) -> str:
    name, email = person
    cn = f'"{name}"' if "," in name or ":" in name or ";" in name else name
    return (
        f"ATTENDEE;CUTYPE={cutype};ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};"
        f"{'RSVP=TRUE;' if rsvp else ''}CN={cn};X-NUM-GUESTS=0:mailto:{email}"
    )


def org(person: tuple[str, str]) -> str:
    name, email = person
    cn = f'"{name}"' if "," in name else name
    return f"ORGANIZER;CN={cn}:mailto:{email}"


def event(
    uid: str,
    summary: str,
    start: str,
    end: str,
    organizer: str | None,
    attendees: list[str],
    extra_before: tuple[str, ...] = (),
    extra_after: tuple[str, ...] = (),
    status: str = "CONFIRMED",
    created: str = "20250801T090000Z",
    description: str = "",
) -> list[str]:
    lines = ["BEGIN:VEVENT", start, end, *extra_before, "DTSTAMP:20251201T090000Z"]
    if organizer:
        lines.append(organizer)
    lines.append(f"UID:{uid}")
    lines += attendees
    lines += [
        f"CREATED:{created}",
        f"DESCRIPTION:{description}",
        "LAST-MODIFIED:20251120T101500Z",
        "LOCATION:",
        "SEQUENCE:0",
        f"STATUS:{status}",
        f"SUMMARY:{summary}",
        "TRANSP:OPAQUE",
        *extra_after,
        "END:VEVENT",
    ]
    return lines


MEET = "X-GOOGLE-CONFERENCE:https://meet.google.com/ndw-okaf-rbn"
JOIN = (
    "Join with Google Meet: https://meet.google.com/ndw-okaf-rbn\\n\\nLearn more about Meet at: "
    "https://support.google.com/a/users/answer/9282720"
)

EVENTS: list[list[str]] = [
    event(
        "1o2b3e4n5a6n7a@google.com",
        "Ana / Ben 1:1",
        "DTSTART;TZID=Europe/London:20250908T100000",
        "DTEND;TZID=Europe/London:20250908T103000",
        org(BEN),
        [att(ANA), att(BEN)],
        extra_before=("RRULE:FREQ=WEEKLY;BYDAY=MO", "EXDATE;TZID=Europe/London:20251027T100000"),
        extra_after=(MEET,),
        description=JOIN,
    ),
    event(
        "1o2b3e4n5a6n7a@google.com",
        "Ana / Ben 1:1 (moved: bank holiday cover)",
        "DTSTART;TZID=Europe/London:20251111T100000",
        "DTEND;TZID=Europe/London:20251111T103000",
        org(BEN),
        [att(ANA), att(BEN)],
        extra_before=("RECURRENCE-ID;TZID=Europe/London:20251110T100000",),
        extra_after=(MEET,),
    ),
    event(
        "acme-partnership-review-2025q4@google.com",
        "Acme x Northwind: partnership review",
        "DTSTART;TZID=America/Los_Angeles:20251014T080000",
        "DTEND;TZID=America/Los_Angeles:20251014T090000",
        org(GRACE),
        [att(GRACE), att(BEN), att(CHLOE, "TENTATIVE"), att(ROOM, cutype="RESOURCE")],
        description="Agenda: renewal terms\\, co-marketing\\, Q1 pilots.",
    ),
    event(
        "globex-platform-intro@google.com",
        "Globex platform intro",
        "DTSTART;TZID=Europe/London:20250923T140000",
        "DTEND;TZID=Europe/London:20250923T144500",
        org(BEN),
        [att(BEN), att(DEV), att(PRIYA, "DECLINED")],
        extra_after=(MEET,),
    ),
    event(
        "initech-review-cancelled@google.com",
        "Initech contract review",
        "DTSTART;TZID=Europe/London:20251002T150000",
        "DTEND;TZID=Europe/London:20251002T160000",
        org(BEN),
        [att(BEN), att(MARIA, "NEEDS-ACTION", rsvp=True)],
        status="CANCELLED",
    ),
    event(
        "initech-qbr-2025q3@google.com",
        "Initech quarterly business review",
        "DTSTART;TZID=Europe/Rome:20251016T110000",
        "DTEND;TZID=Europe/Rome:20251016T123000",
        org(MARIA),
        [att(MARIA), att(ANA), att(BEN), att(CHLOE)],
    ),
    event(
        "northwind-offsite-2025@google.com",
        "Team offsite (Brighton)",
        "DTSTART;VALUE=DATE:20251002",
        "DTEND;VALUE=DATE:20251003",
        org(CHLOE),
        [att(CHLOE), att(ANA), att(BEN)],
    ),
    event(
        "private-interview@google.com",
        "Interview - senior engineer",
        "DTSTART;TZID=Europe/London:20251021T130000",
        "DTEND;TZID=Europe/London:20251021T140000",
        org(BEN),
        [att(BEN), att(("Candidate", "candidate@mailbox.example"))],
        extra_after=("CLASS:PRIVATE",),
    ),
    event(
        "focus-time@google.com",
        "Focus time",
        "DTSTART;TZID=Europe/London:20251104T090000",
        "DTEND;TZID=Europe/London:20251104T120000",
        org(BEN),
        [],
    ),
    event(
        "northwind-all-hands-nov@google.com",
        "Northwind all-hands (November)",
        "DTSTART;TZID=Europe/London:20251106T160000",
        "DTEND;TZID=Europe/London:20251106T170000",
        org(ANA),
        [att(ANA), att(BEN), att(CHLOE), *[att(p) for p in STAFF]],
        extra_after=(MEET,),
    ),
    [
        "BEGIN:VEVENT",
        "DTSTART;TZID=Europe/London:20251112T090000",
        "DTEND;TZID=Europe/London:20251112T093000",
        "DTSTAMP:20251201T090000Z",
        "ORGANIZER;CN=Omar Haddad:MAILTO:Omar.Haddad@umbrella.example",
        "UID:040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5A601000000000000000010000000F1E2D3C4B5A69788",
        (
            "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Ben Okafor;X-NUM-GUESTS=0:"
            "mailto:ben@northwind.example"
        ),
        (
            "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Omar Haddad;X-NUM-GUESTS=0:"
            "MAILTO:Omar.Haddad@umbrella.example"
        ),
        "CREATED:20251105T101010Z",
        "DESCRIPTION:",
        "LAST-MODIFIED:20251105T101010Z",
        "LOCATION:Teams",
        "SEQUENCE:1",
        "STATUS:CONFIRMED",
        "SUMMARY:Umbrella logistics sync",
        "TRANSP:OPAQUE",
        "X-MICROSOFT-CDO-OWNERAPPTID:-1203843211",
        "END:VEVENT",
    ],
    event(
        "initech-data-call@google.com",
        "Initech data-sharing call",
        "DTSTART;TZID=Europe/London:20251118T160000",
        "DTEND;TZID=Europe/London:20251118T163000",
        org(NOAH),
        [att(NOAH), att(BEN, "DECLINED"), att(MEI)],
    ),
    event(
        "lunch-dev@google.com",
        "Lunch with Dev",
        "DTSTART:20251120T123000Z",
        "DTEND:20251120T133000Z",
        org(BEN),
        [att(BEN), att(DEV)],
    ),
    event(
        "acme-kickoff-2026@google.com",
        "Acme 2026 kickoff",
        "DTSTART;TZID=Europe/London:20260115T150000",
        "DTEND;TZID=Europe/London:20260115T160000",
        org(GRACE),
        [att(GRACE), att(BEN)],
    ),
    event(
        "sprint-42-standup@google.com",
        "Sprint 42 stand-up",
        "DTSTART;TZID=Europe/London:20251103T093000",
        "DTEND;TZID=Europe/London:20251103T094500",
        org(CHLOE),
        [att(CHLOE), att(ANA), att(BEN)],
        extra_before=("RRULE:FREQ=DAILY;COUNT=10;BYDAY=MO,TU,WE,TH,FR",),
        extra_after=(MEET,),
    ),
    event(
        "hooli-demo@google.com",
        "Hooli demo",
        "DTSTART;TZID=Europe/London:20251125T170000",
        "DTEND;TZID=Europe/London:20251125T180000",
        org(BEN),
        [att(BEN), att(YUKI, "NEEDS-ACTION", rsvp=True)],
        extra_after=(
            "BEGIN:VALARM",
            "ACTION:EMAIL",
            "DESCRIPTION:This is an event reminder",
            "SUMMARY:Alarm notification",
            "ATTENDEE:mailto:ben.okafor.reminders@personal.example",
            "TRIGGER:-P0DT0H30M0S",
            "END:VALARM",
        ),
    ),
]


def fold(line: str, width: int = 75) -> list[str]:
    """Fold at ``width`` octets (UTF-8) without splitting a character; continuation lines start with a space."""
    out, cur, size, limit = [], "", 0, width
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(cur)
            cur, size = " ", 1
        cur += ch
        size += n
    out.append(cur)
    return out


def main() -> int:
    lines = HEADER.split("\n")
    for ev in EVENTS:
        lines += ev
    lines.append("END:VCALENDAR")
    folded = [part for line in lines for part in fold(line)]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(("\r\n".join(folded) + "\r\n").encode("utf-8"))
    print(f"wrote {OUT} ({len(EVENTS)} events)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
