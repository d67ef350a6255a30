#!/usr/bin/env python
"""Write ``data/samples/mail/ana-takeout.mbox``: a small Google Takeout-style Gmail mbox.

Deterministic (no clock, no randomness): running it again writes the same bytes. The layout follows a
real Takeout export (``shared/FORMATS.md`` 4.5): ``From <id>@xxx <date>`` separator lines, ``X-GM-THRID``
and ``X-Gmail-Labels`` headers, CRLF line endings, a blank line after each message, ``>From`` escaping
in bodies. Everyone in it is fictional and lives at ``*.example`` domains.

What the sample exercises (tests/io/test_mail.py relies on it):
- 26 messages for owner ana@northwind.example, who also writes from the alias ana.souza@personal.example;
- one message labelled Spam and one labelled Trash (skipped), one mailing-list message (``List-Id``,
  ``Precedence: list``) and one out-of-office auto-reply (``Auto-Submitted: auto-replied``), skipped;
- an RFC 2047 encoded-word name (Chloé Martin, Q and B encodings), a quoted ``"Okafor, Ben"`` name,
  a folded ``To`` header, upper-case addresses, a ``Bcc`` on sent mail, a garbage ``Date``;
- one all-hands message to 25 recipients (kept as ``broadcast``).

    python scripts/samples/make_mail_sample.py            # writes data/samples/mail/ana-takeout.mbox
"""

from __future__ import annotations

import argparse
import hashlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "data" / "samples" / "mail" / "ana-takeout.mbox"

ANA = "Ana Souza <ana@northwind.example>"
ANA_ALIAS = "Ana Souza <ana.souza@personal.example>"
BEN = "Ben Okafor <ben@northwind.example>"
CHLOE = "=?UTF-8?Q?Chlo=C3=A9_Martin?= <chloe@northwind.example>"
CHLOE_B = "=?UTF-8?B?Q2hsb8OpIE1hcnRpbg==?= <chloe@northwind.example>"
GRACE = "Grace Lee <grace.lee@acme.example>"
DEV = "Dev Patel <dev.patel@globex.example>"
MARIA = "Maria Rossi <maria@initech.example>"
OMAR = "Omar Haddad <omar.haddad@umbrella.example>"
YUKI = "Yuki Tanaka <yuki@hooli.example>"

ALL_HANDS = [
    BEN,
    "chloe@northwind.example",
    GRACE,
    DEV,
    MARIA,
    OMAR,
    YUKI,
    "Lena Fischer <lena.fischer@acme.example>",
    "Tom Becker <tom.becker@acme.example>",
    "Priya Nair <priya.nair@globex.example>",
    "Sam Carter <sam.carter@globex.example>",
    "Lucia Gomez <lucia@initech.example>",
    "Noah Kim <noah.kim@initech.example>",
    "Eva Novak <eva.novak@umbrella.example>",
    "Ivan Petrov <ivan.petrov@umbrella.example>",
    "Aisha Bello <aisha@hooli.example>",
    "Marco Ricci <marco.ricci@hooli.example>",
    "Sara Lind <sara.lind@vandelay.example>",
    "Jon Berg <jon.berg@vandelay.example>",
    "Mei Chen <mei.chen@stark.example>",
    "Luis Ortega <luis.ortega@stark.example>",
    "Hana Sato <hana.sato@wayne.example>",
    "Finn Walsh <finn.walsh@wayne.example>",
    "Zoe Adams <zoe.adams@cyberdyne.example>",
    "Raj Mehta <raj.mehta@cyberdyne.example>",
]
assert len(ALL_HANDS) == 25


def tz(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


# (date, labels, headers as (name, value) in order after Message-ID, body lines)
MESSAGES: list[tuple[datetime, str, list[tuple[str, str]], list[str]]] = [
    (
        datetime(2026, 1, 5, 9, 14, tzinfo=tz(1)),
        "Sent,Opened",
        [("From", ANA), ("To", BEN), ("Subject", "Q1 planning")],
        ["Hi Ben,", "", "Can we meet on Thursday to go over Q1?", "", "Ana"],
    ),
    (
        datetime(2026, 1, 5, 10, 2, tzinfo=tz(1)),
        "Inbox,Important,Opened,Category Personal",
        [("From", BEN), ("To", ANA), ("Subject", "Re: Q1 planning")],
        ["Thursday works. 10:00?", "", "Ben"],
    ),
    (
        datetime(2026, 1, 6, 14, 2, 11, tzinfo=tz(-8)),
        "Sent",
        [
            ("From", ANA),
            ("To", "=?UTF-8?Q?Chlo=C3=A9_Martin?= <chloe@northwind.example>"),
            ("Cc", BEN),
            ("Subject", "Design review"),
        ],
        ["Chloé, can you share the mock-ups with Ben and me?"],
    ),
    (
        datetime(2026, 1, 7, 8, 30, tzinfo=tz(-5)),
        "Inbox,Opened,Category Personal",
        [("From", GRACE), ("To", ANA), ("Subject", "Intro: Acme x Northwind")],
        ["Hi Ana,", "", "Great to meet you at the conference.", ">From what I saw, we should talk.", "", "Grace"],
    ),
    (
        datetime(2026, 1, 7, 16, 45, tzinfo=tz(1)),
        "Sent",
        [("From", ANA), ("To", GRACE), ("Subject", "Re: Intro: Acme x Northwind")],
        ["Thanks Grace, how about next week?"],
    ),
    (
        datetime(2026, 1, 8, 11, 0, tzinfo=tz(5.5)),
        "Inbox,Important,Opened",
        [("From", DEV), ("To", ANA), ("Cc", BEN), ("Subject", "Globex pilot")],
        ["Ana, Ben: the pilot is approved."],
    ),
    (
        datetime(2026, 1, 8, 12, 10, tzinfo=tz(1)),
        "Sent",
        [("From", ANA), ("To", DEV), ("Subject", "Re: Globex pilot")],
        ["Wonderful news, thank you Dev."],
    ),
    (
        datetime(2026, 1, 9, 9, 5, tzinfo=tz(1)),
        "Inbox,Opened",
        [("From", MARIA), ("To", ANA), ("Subject", "Initech contract")],
        ["Ciao Ana, attached the draft contract."],
    ),
    (
        datetime(2026, 1, 9, 10, 20, tzinfo=tz(1)),
        "Sent",
        [("From", ANA), ("To", f"{MARIA},\r\n {GRACE}"), ("Subject", "Re: Initech contract")],
        ["Maria, looping in Grace who did the same with Acme."],
    ),
    (
        datetime(2026, 1, 10, 3, 33, tzinfo=tz(0)),
        "Spam,Category Promotions",
        [("From", '"Prize Desk" <winner@lucky-prize.example>'), ("To", ANA), ("Subject", "You have won!!!")],
        ["Claim your prize now."],
    ),
    (
        datetime(2026, 1, 10, 7, 0, tzinfo=tz(0)),
        "Inbox,Category Updates",
        [
            ("From", "Acme Product News <news@lists.acme.example>"),
            ("To", "product-updates@lists.acme.example"),
            ("Subject", "[acme-updates] January release"),
            ("List-Id", "Acme product updates <product-updates.lists.acme.example>"),
            ("List-Unsubscribe", "<mailto:unsubscribe@lists.acme.example>"),
            ("Precedence", "list"),
        ],
        ["What is new in January."],
    ),
    (
        datetime(2026, 1, 12, 9, 41, tzinfo=tz(1)),
        "Inbox,Opened",
        [("From", CHLOE), ("To", ANA), ("Subject", "Re: Design review")],
        ["Here they are."],
    ),
    (
        datetime(2026, 1, 12, 15, 0, tzinfo=tz(1)),
        "Sent",
        [
            ("From", ANA),
            ("To", ",\r\n ".join(ALL_HANDS[:13])),
            ("Cc", ",\r\n ".join(ALL_HANDS[13:])),
            ("Subject", "Northwind partner day: save the date"),
        ],
        ["Dear all,", "", "Save the date: partner day on 12 March.", "", "Ana"],
    ),
    (
        datetime(2026, 1, 13, 8, 0, tzinfo=tz(-3)),
        "Trash",
        [("From", OMAR), ("To", ANA), ("Subject", "old thread")],
        ["(deleted)"],
    ),
    (
        datetime(2026, 1, 13, 18, 30, tzinfo=tz(5.5)),
        "Inbox",
        [("From", DEV), ("To", ANA), ("Subject", "Out of office"), ("Auto-Submitted", "auto-replied")],
        ["I am out of the office until 20 January."],
    ),
    (
        datetime(2026, 1, 14, 10, 0, tzinfo=tz(1)),
        "Sent",
        [("From", ANA_ALIAS), ("To", GRACE), ("Subject", "From my personal address")],
        ["Grace, my phone number is on my card. Ana"],
    ),
    (
        datetime(2026, 1, 14, 11, 15, tzinfo=tz(-5)),
        "Inbox,Opened",
        [("From", GRACE), ("To", ANA), ("Cc", DEV), ("Subject", "Acme + Globex")],
        ["Ana, Dev: you two should meet."],
    ),
    (
        datetime(2026, 1, 15, 9, 0, tzinfo=tz(1)),
        "Sent",
        [("From", ANA), ("To", DEV), ("Bcc", MARIA), ("Subject", "Intro")],
        ["Dev, meet Maria (bcc)."],
    ),
    (
        datetime(2026, 1, 15, 13, 12, tzinfo=tz(9)),
        "Inbox,Opened",
        [("From", YUKI), ("To", "ANA@NORTHWIND.EXAMPLE"), ("Subject", "Hooli visit")],
        ["Hello Ana, we land on Tuesday."],
    ),
    (
        datetime(2026, 1, 16, 10, 0, tzinfo=tz(1)),
        "Sent",
        [("From", ANA), ("To", YUKI), ("Cc", '"Okafor, Ben" <Ben@Northwind.Example>'), ("Subject", "Re: Hooli visit")],
        ["Welcome! Ben will pick you up."],
    ),
    (
        datetime(2026, 1, 19, 16, 20, tzinfo=tz(1)),
        "Inbox",
        [("From", CHLOE_B), ("To", ANA), ("Cc", BEN), ("Subject", "Sprint notes")],
        ["Notes attached."],
    ),
    (
        datetime(2026, 1, 20, 9, 30, tzinfo=tz(-3)),
        "Inbox,Opened",
        [("From", OMAR), ("To", ANA), ("Subject", "Umbrella partnership")],
        ["Ana, shall we start a partnership?"],
    ),
    (
        datetime(2026, 1, 20, 11, 0, tzinfo=tz(1)),
        "Sent,Important",
        [("From", ANA), ("To", OMAR), ("Cc", BEN), ("Subject", "Re: Umbrella partnership")],
        ["Omar, yes. Ben will follow up."],
    ),
    (
        datetime(2026, 1, 21, 8, 45, tzinfo=tz(0)),
        "Inbox",
        [("From", MARIA), ("To", ANA), ("Subject", "Signed"), ("Date!", "sometime last week")],
        ["The contract is signed."],
    ),
    (
        datetime(2026, 1, 22, 17, 5, tzinfo=tz(1)),
        "Sent",
        [("From", ANA), ("To", f"{BEN}, {CHLOE}"), ("Subject", "Team dinner")],
        ["Friday at 19:00?"],
    ),
    (
        datetime(2026, 1, 23, 9, 0, tzinfo=tz(1)),
        "Inbox,Opened",
        [("From", BEN), ("To", ANA), ("Cc", "chloe@northwind.example"), ("Subject", "Re: Team dinner")],
        ["Yes!"],
    ),
]


def message_bytes(i: int, when: datetime, labels: str, headers: list[tuple[str, str]], body: list[str]) -> bytes:
    digest = hashlib.sha256(f"ana-takeout-{i}".encode()).hexdigest()
    msg_id = 1790000000000000000 + i * 7_919_000_000
    thread = 1790000000000000000 + (i // 2) * 7_919_000_000
    utc = when.astimezone(UTC)
    envelope = f"From {msg_id}@xxx {utc:%a %b %d %H:%M:%S} +0000 {utc:%Y}"
    date = when.strftime("%a, %d %b %Y %H:%M:%S %z")
    extra = [(n, v) for n, v in headers if n != "Date!"]
    garbage = [v for n, v in headers if n == "Date!"]
    lines = [
        envelope,
        f"X-GM-THRID: {thread}",
        f"X-Gmail-Labels: {labels}",
    ]
    if "Sent" not in labels.split(","):
        lines += [
            "Delivered-To: ana@northwind.example",
            f"Received: by 2002:a05:6a10:{i:x}f0 with SMTP id z{digest[:10]}; {date}",
        ]
    lines += [
        "MIME-Version: 1.0",
        f"Date: {garbage[0] if garbage else date}",
        f"Message-ID: <CA+{digest[:40]}@mail.gmail.com>",
    ]
    lines += [f"{n}: {v}" for n, v in extra]
    lines += ['Content-Type: text/plain; charset="UTF-8"', "Content-Transfer-Encoding: 8bit", ""]
    lines += body
    lines += [""]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def build() -> bytes:
    return b"".join(message_bytes(i, *m) for i, m in enumerate(MESSAGES))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    data = build()
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(MESSAGES)} messages, {len(data)} bytes)")


if __name__ == "__main__":
    main()
