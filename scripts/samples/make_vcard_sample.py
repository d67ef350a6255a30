#!/usr/bin/env python
"""Write the vCard samples in ``data/samples/vcard/``.

Deterministic (no clock, no randomness): running it again writes the same bytes. Everyone in them is
fictional and lives at ``*.example`` domains; phone numbers are from the ranges kept for fiction
(+1 555-01xx, +44 20 7946 0xxx).

- ``chloe-contacts.vcf``: Chloé Martin's (chloe@northwind.example) address book as iCloud / iPhone
  export it (``shared/FORMATS.md`` 4.4): vCard 3.0, ``PRODID:-//Apple Inc.//iPhone OS 17.5//EN``, CRLF,
  lines folded at 75 octets, ``itemN.`` groups with ``X-ABLabel``, repeated lower-case ``type=``
  parameters, ``ORG`` with a trailing ``;``, an ``FN`` with stray spaces, ``\\,`` escapes, a
  ``X-SOCIALPROFILE`` and a LinkedIn ``URL``, one folded base64 ``PHOTO``, a vCard 4.0 card with
  ``TEL;VALUE=uri:tel:``, and a company card with no name, email or phone (rejected). 13 cards.
- ``chloe-android.vcf``: three cards from an Android phone export, vCard 2.1 with
  ``CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE`` values and soft line breaks, bare ``TEL;CELL;PREF:``.

    python scripts/samples/make_vcard_sample.py
"""

from __future__ import annotations

import base64
import hashlib
import quopri
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "data" / "samples" / "vcard"
CRLF = "\r\n"


def fold(line: str, width: int = 75) -> list[str]:
    """Fold a content line at ``width`` octets (UTF-8), never inside a character; continuation: one space."""
    out, cur, size, limit = [], "", 0, width
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(cur)
            cur, size, limit = " ", 1, width
        cur += ch
        size += n
    out.append(cur)
    return out


def photo_b64(seed: str, n_bytes: int = 2400) -> str:
    """A JPEG-looking payload: a JFIF header then bytes from a hash chain (not a real picture)."""
    raw = bytearray(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00")
    block = seed.encode()
    while len(raw) < n_bytes:
        block = hashlib.sha256(block).digest()
        raw += block
    raw = raw[: n_bytes - 2] + b"\xff\xd9"
    return base64.b64encode(bytes(raw)).decode("ascii")


def apple(lines: list[str]) -> list[str]:
    return ["BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Apple Inc.//iPhone OS 17.5//EN", *lines, "END:VCARD"]


CARDS: list[list[str]] = [
    apple(
        [
            "N:Souza;Ana;;;",
            "FN:Ana Souza",
            "ORG:Northwind Analytics;Sales;",
            "TITLE:Account Executive",
            "item1.EMAIL;type=INTERNET;type=pref:ana@northwind.example",
            "item1.X-ABLabel:_$!<Other>!$_",
            "TEL;type=CELL;type=VOICE;type=pref:+1 (555) 010-0111",
            "REV:2025-09-14T08:12:40Z",
        ]
    ),
    apple(
        [
            "N:Okafor;Ben;;;",
            "FN:Ben Okafor",
            "ORG:Northwind Analytics;Engineering;",
            "TITLE:Engineering Manager",
            "EMAIL;type=INTERNET;type=WORK;type=pref:ben@northwind.example",
            "TEL;type=WORK;type=VOICE:+44 20 7946 0123",
            "item1.TEL:+44 7700 900123",
            "item1.X-ABLabel:其他",
            "REV:2025-09-14T08:12:41Z",
        ]
    ),
    apple(
        [
            "N:Lee;Grace;;;",
            "FN:Grace Lee",
            "ORG:Acme Corp;Partnerships;",
            "TITLE:Head of Partnerships",
            "item1.EMAIL;type=INTERNET;type=pref:grace.lee@acme.example",
            "item1.X-ABLabel:_$!<Other>!$_",
            "item2.EMAIL;type=INTERNET:grace@lee-family.example",
            "item2.X-ABLabel:_$!<Home>!$_",
            "TEL;type=CELL;type=VOICE;type=pref:+1 (555) 010-0142",
            "item3.URL;type=pref:https\\://www.linkedin.com/in/grace-lee-acme-example",
            "item3.X-ABLabel:LinkedIn",
            "item4.ADR;type=WORK;type=pref:;;1 Market Street\\nSuite 400;San Francisco;CA;94105;United States",
            "item4.X-ABADR:us",
            "NOTE:Met at the SaaS Connect panel\\, March 2025.\\nIntroduced by Ben.",
            "PHOTO;ENCODING=b;TYPE=JPEG:" + photo_b64("grace"),
            "REV:2025-10-02T17:45:03Z",
        ]
    ),
    apple(
        [
            "N:Patel;Dev;;;",
            "FN: Dev  Patel ",
            "ORG:Globex;",
            "TITLE:VP Engineering",
            "EMAIL;type=INTERNET;type=WORK;type=pref:dev.patel@globex.example",
            "TEL;type=WORK;type=VOICE;type=pref:+1-555-010-0178",
            (
                "X-SOCIALPROFILE;type=linkedin;x-user=dev-patel-globex-example:"
                "https://www.linkedin.com/in/dev-patel-globex-example"
            ),
            "REV:2025-06-21T11:02:55Z",
        ]
    ),
    apple(
        [
            "N:Rossi;Maria;;;",
            "FN:Maria Rossi",
            "ORG:Initech\\, Inc.;Finance;",
            "TITLE:CFO",
            "item1.EMAIL;type=INTERNET;type=pref:maria@initech.example",
            "item1.X-ABLabel:_$!<Work>!$_",
            "item2.TEL;type=pref:+39 02 5555 0191",
            "item2.X-ABLabel:Ufficio",
            "REV:2025-04-30T09:30:00Z",
        ]
    ),
    apple(
        [
            "N:Haddad;Omar;;;",
            "FN:Omar Haddad",
            "ORG:Umbrella;",
            "EMAIL;type=INTERNET;type=WORK:omar.haddad@umbrella.example",
            "EMAIL;type=INTERNET;type=HOME:OMAR.HADDAD@UMBRELLA.EXAMPLE",
            "REV:2024-12-01T15:20:11Z",
        ]
    ),
    apple(
        [
            "N:Tanaka;Yuki;;;",
            "FN:Yuki Tanaka",
            "ORG:Hooli;Product;",
            "TITLE:Product Lead",
            "item1.EMAIL;type=INTERNET:yuki@hooli.example",
            "item1.X-ABLabel:_$!<Other>!$_",
            "REV:2025-01-12T10:00:00Z",
        ]
    ),
    apple(
        [
            "N:Fischer;Lena;;;",
            "FN:Lena Fischer",
            "ORG:Acme Corp;Legal;",
            "TITLE:Counsel",
            "TEL;type=CELL;type=VOICE;type=pref:+1 (555) 010-0163",
            "item1.X-ABRELATEDNAMES;type=pref:Grace Lee",
            "item1.X-ABLabel:_$!<Assistant>!$_",
            "REV:2025-03-03T13:13:13Z",
        ]
    ),
    apple(
        [
            "N:Nair;Priya;;;",
            "FN:Priya Nair",
            "ORG:Globex;Research;",
            "EMAIL;type=INTERNET;type=WORK;type=pref:priya.nair@globex.example",
            "TEL;type=IPHONE;type=CELL;type=VOICE:+1 (555) 010-0190",
            "REV:2025-07-07T07:07:07Z",
        ]
    ),
    apple(
        [
            "N:Kim;Noah;;;",
            "FN:Noah Kim",
            "ORG:Initech\\, Inc.;",
            "EMAIL;type=INTERNET;type=WORK;type=pref:noah.kim@initech.example",
            "REV:2025-02-02T02:02:02Z",
        ]
    ),
    apple(
        [
            "N:;;;;",
            "FN:",
            "ORG:Vandelay Industries;",
            "NOTE:Switchboard only - ask for the import desk",
            "REV:2025-05-05T05:05:05Z",
        ]
    ),
    apple(
        [
            "N:Chen;Mei;;;",
            "FN:Mei Chen",
            "ORG:Stark;",
            "item1.EMAIL;type=INTERNET;type=pref:mei.chen@stark.example",
            "item1.X-ABLabel:_$!<Work>!$_",
            "item2.EMAIL;type=INTERNET:mei.chen@stark.example",
            "item2.X-ABLabel:_$!<Other>!$_",
            "REV:2025-08-18T18:18:18Z",
        ]
    ),
    [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "KIND:individual",
        "FN:Hana Sato",
        "N:Sato;Hana;;;",
        "ORG;TYPE=work:Wayne Enterprises",
        "TITLE:Procurement Director",
        'TEL;VALUE=uri;TYPE="work,voice";PREF=1:tel:+1-555-010-0155;ext=12',
        "EMAIL;TYPE=work:hana.sato@wayne.example",
        "END:VCARD",
    ],
]

ANDROID = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{n_tomas}\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{fn_tomas}\r\n"
    "TEL;CELL;PREF:+15550100177\r\n"
    "EMAIL;HOME:tomas.herrera@umbrella.example\r\n"
    "ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{org_tomas}\r\n"
    "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{note_tomas}\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N:Walsh;Finn;;;\r\nFN:Finn Walsh\r\n"
    "TEL;CELL:+1 555 010 0122\r\nTEL;WORK;FAX:+1 555 010 0123\r\n"
    "EMAIL;PREF;WORK:finn.walsh@wayne.example\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{n_zoe}\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{fn_zoe}\r\n"
    "TEL;HOME:+15550100133\r\n"
    "END:VCARD\r\n"
)


def qp(text: str, width: int = 72) -> str:
    """Android-style QUOTED-PRINTABLE: every non-ASCII byte as =XX, soft breaks ('=' CRLF) at ``width``."""
    enc = quopri.encodestring(text.encode("utf-8"), quotetabs=True).decode("ascii").replace("=\n", "")
    out, cur = [], ""
    i = 0
    while i < len(enc):
        tok = enc[i : i + 3] if enc[i] == "=" else enc[i]
        if len(cur) + len(tok) > width - 1:
            out.append(cur + "=")
            cur = ""
        cur += tok
        i += len(tok)
    out.append(cur)
    return "\r\n".join(out)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    for card in CARDS:
        for line in card:
            lines += fold(line)
    (OUT / "chloe-contacts.vcf").write_bytes((CRLF.join(lines) + CRLF).encode("utf-8"))
    android = ANDROID.format(
        n_tomas=qp("Herrera;Tomás;;;"),
        fn_tomas=qp("Tomás Herrera"),
        org_tomas=qp("Umbrella Logística"),
        note_tomas=qp(
            "Conocido en la feria de Barcelona. Prefiere WhatsApp; español o inglés, "
            "nunca antes de las 9:00. Pregunta por el envío a Valparaíso."
        ),
        n_zoe=qp("Adams;Zoë;;;"),
        fn_zoe=qp("Zoë Adams"),
    )
    (OUT / "chloe-android.vcf").write_bytes(android.encode("ascii"))
    print(f"wrote {OUT / 'chloe-contacts.vcf'} ({len(CARDS)} cards) and {OUT / 'chloe-android.vcf'} (3 cards)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
