#!/usr/bin/env python
"""Write the contact and CRM CSV samples under ``data/samples/``.

Deterministic (no clock, no randomness): running it again writes the same bytes. Everyone in them is
fictional and lives at ``*.example`` domains; phone numbers are from the ranges kept for fiction
(+1 555-01xx, +44 20 7946 0xxx, +49 30 901820xx). The layouts copy the real exports byte for byte as
described in ``shared/FORMATS.md`` (4.1, 4.2, 4.3, 4.9).

Ana Souza (ana@northwind.example), Ben Okafor (ben@northwind.example) and Chloé Martin
(chloe@northwind.example) work together at Northwind Analytics and appear in each other's exports.

- ``linkedin/ana/Connections.csv``: UTF-8 BOM, CRLF, the 3-line ``Notes:`` preamble, 21 data rows
  (one of them only commas), ``"Vandelay Industries, Inc."`` and a ``""Platform""`` title.
- ``linkedin/ben/Connections.csv``: the same layout without BOM; 20 rows, 7 people shared with Ana.
- ``linkedin/ana/messages.csv``: the 12-column vintage (``...,FOLDER,ATTACHMENTS,IS MESSAGE DRAFT``),
  every field quoted, 16 messages: multi-line HTML content, a group message with ``TO`` "Maria Rossi,
  Tom Becker" and comma-separated profile URLs, a reply with semicolons, one SPAM and one draft.
- ``linkedin/ana/Invitations.csv``: 5 invitations, ``"3/14/25, 2:37 PM"`` times, both directions.
- ``linkedin/ana/Profile.csv``: Ana's profile (the ZIP test uses it to recognise her in messages).
- ``google/ben-contacts.csv``: current Google header with 3 e-mail, 2 phone and 1 website columns,
  BOM, CRLF, `` ::: `` multi-values, ``* myContacts``/``* starred``/``* Other Contacts`` labels, an
  Other Contacts row named by its address, a phone-only row, a multi-line quoted note, umlauts.
- ``outlook/chloe-outlook.csv``: desktop Outlook, every field quoted, Windows-1252, CRLF, ``Business
  Country/Region``, an Exchange (EX) entry with an ``/o=ExchangeLabs`` DN, a multi-line street.
- ``crm/hubspot-contacts.csv``: HubSpot contacts export (``Record ID,First Name,...,Associated
  Company``), mixed-case emails, mixed date formats, ``;``-separated association ids.
- ``crm/salesforce/Contact.csv`` and ``Account.csv``: Salesforce Data Export with API names, every
  field quoted, 18-character ids, one ``IsDeleted`` row.
- ``crm/intros-log.csv`` and ``crm/intros-log.toml``: a hand-kept log of introductions read with the
  generic importer and a column mapping (``src``/``dst``/``at``/``channel``).

    python scripts/samples/make_csv_samples.py
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "data" / "samples"
BOM = "\ufeff"
LI = "https://www.linkedin.com/in/"

# slug: first, last, email, company, title, city, country
PEOPLE: dict[str, tuple[str, str, str, str, str, str, str]] = {
    "ana-souza": (
        "Ana",
        "Souza",
        "ana@northwind.example",
        "Northwind Analytics",
        "Account Executive",
        "Lisbon",
        "Portugal",
    ),
    "ben-okafor": (
        "Ben",
        "Okafor",
        "ben@northwind.example",
        "Northwind Analytics",
        "Engineering Manager",
        "London",
        "United Kingdom",
    ),
    "chloe-martin": (
        "Chloé",
        "Martin",
        "chloe@northwind.example",
        "Northwind Analytics",
        "Head of Data",
        "Paris",
        "France",
    ),
    "grace-lee": (
        "Grace",
        "Lee",
        "grace.lee@acme.example",
        "Acme Inc.",
        "VP Engineering",
        "San Francisco",
        "United States",
    ),
    "dev-patel": ("Dev", "Patel", "dev.patel@globex.example", "Globex", "CTO", "Austin", "United States"),
    "maria-rossi": ("Maria", "Rossi", "maria@initech.example", "Initech", "Head of Talent", "Milan", "Italy"),
    "omar-haddad": ("Omar", "Haddad", "omar.haddad@acme.example", "Acme Inc.", "Staff Engineer", "Amman", "Jordan"),
    "lena-fischer": ("Lena", "Fischer", "lena.fischer@globex.example", "Globex", "Data Scientist", "Berlin", "Germany"),
    "tom-becker": ("Tom", "Becker", "tom.becker@initech.example", "Initech", "Recruiter", "Hamburg", "Germany"),
    "noah-kim": ("Noah", "Kim", "noah.kim@initech.example", "Initech", "Product Manager", "Seoul", "South Korea"),
    "mei-chen": ("Mei", "Chen", "mei.chen@stark.example", "Stark Industries", "ML Engineer", "Singapore", "Singapore"),
    "priya-nair": ("Priya", "Nair", "priya.nair@globex.example", "Globex", "Director of Product", "Bengaluru", "India"),
    "hana-sato": ("Hana", "Sato", "hana.sato@wayne.example", "Wayne Enterprises", "Product Designer", "Tokyo", "Japan"),
    "finn-walsh": (
        "Finn",
        "Walsh",
        "finn.walsh@wayne.example",
        "Wayne Enterprises",
        "Security Engineer",
        "Dublin",
        "Ireland",
    ),
    "yuki-tanaka": ("Yuki", "Tanaka", "yuki@hooli.example", "Hooli", "Engineering Manager", "Osaka", "Japan"),
    "zoe-adams": (
        "Zoe",
        "Adams",
        "zoe.adams@cyberdyne.example",
        "Cyberdyne Systems",
        "Research Scientist",
        "Toronto",
        "Canada",
    ),
    "raj-mehta": ("Raj", "Mehta", "raj.mehta@cyberdyne.example", "Cyberdyne Systems", "Platform Lead", "Pune", "India"),
    "sara-lind": (
        "Sara",
        "Lind",
        "sara.lind@vandelay.example",
        "Vandelay Industries, Inc.",
        "Head of Sales",
        "Stockholm",
        "Sweden",
    ),
    "jon-berg": (
        "Jon",
        "Berg",
        "jon.berg@vandelay.example",
        "Vandelay Industries, Inc.",
        "Account Manager",
        "Oslo",
        "Norway",
    ),
    "marco-ricci": ("Marco", "Ricci", "marco.ricci@hooli.example", "Hooli", "Senior Data Engineer", "Rome", "Italy"),
    "luis-ortega": (
        "Luis",
        "Ortega",
        "luis.ortega@stark.example",
        "Stark Industries",
        "Data Engineer",
        "Madrid",
        "Spain",
    ),
    "eva-novak": ("Eva", "Novak", "eva.novak@umbrella.example", "Umbrella Corp", "CFO", "Prague", "Czechia"),
    "ivan-petrov": (
        "Ivan",
        "Petrov",
        "ivan.petrov@umbrella.example",
        "Umbrella Corp",
        "Backend Engineer",
        "Sofia",
        "Bulgaria",
    ),
    "tomas-herrera": (
        "Tomás",
        "Herrera",
        "tomas.herrera@umbrella.example",
        "Umbrella Corp",
        "QA Lead",
        "Bogotá",
        "Colombia",
    ),
    "sam-carter": (
        "Sam",
        "Carter",
        "sam.carter@globex.example",
        "Globex",
        'Engineer, "Platform" Team',
        "Denver",
        "United States",
    ),
    "aisha-bello": ("Aisha", "Bello", "aisha@hooli.example", "Hooli", "Talent Partner", "Lagos", "Nigeria"),
    "kenji-watanabe": (
        "Kenji",
        "Watanabe",
        "kenji.watanabe@soylent.example",
        "Soylent",
        "Head of Growth",
        "Kyoto",
        "Japan",
    ),
    "olivia-brown": (
        "Olivia",
        "Brown",
        "olivia.brown@initrode.example",
        "Initrode",
        "VP Marketing",
        "Chicago",
        "United States",
    ),
    "lucas-muller": (
        "Lucas",
        "Müller",
        "lucas.mueller@massive.example",
        "Massive Dynamic",
        "Solutions Architect",
        "Zürich",
        "Switzerland",
    ),
    "fatima-zahra": (
        "Fatima",
        "Zahra",
        "fatima.zahra@oscorp.example",
        "Oscorp",
        "Chief of Staff",
        "Casablanca",
        "Morocco",
    ),
    "diego-santos": (
        "Diego",
        "Santos",
        "diego.santos@tyrell.example",
        "Tyrell Corp",
        "Android Engineer",
        "São Paulo",
        "Brazil",
    ),
    "nina-ivanova": (
        "Nina",
        "Ivanova",
        "nina.ivanova@gringotts.example",
        "Gringotts",
        "Risk Analyst",
        "Vienna",
        "Austria",
    ),
    "peter-obi": ("Peter", "Obi", "peter.obi@wonka.example", "Wonka Industries", "COO", "Accra", "Ghana"),
    "sofia-garcia": (
        "Sofía",
        "García",
        "sofia.garcia@piedpiper.example",
        "Pied Piper",
        "Frontend Engineer",
        "Valencia",
        "Spain",
    ),
    "ahmed-khan": (
        "Ahmed",
        "Khan",
        "ahmed.khan@dunder.example",
        "Dunder Mifflin",
        "Regional Manager",
        "Karachi",
        "Pakistan",
    ),
    "emma-wilson": (
        "Emma",
        "Wilson",
        "emma.wilson@aperture.example",
        "Aperture Science",
        "Test Engineer",
        "Seattle",
        "United States",
    ),
    "liam-oconnor": (
        "Liam",
        "O'Connor",
        "liam.oconnor@blackmesa.example",
        "Black Mesa",
        "Physicist",
        "Cork",
        "Ireland",
    ),
    "wei-chen": ("Wei", "Chen", "wei.chen@stark.example", "Stark Industries", "VP Research", "Shenzhen", "China"),
    "julia-kowalski": (
        "Julia",
        "Kowalski",
        "julia.kowalski@hooli.example",
        "Hooli",
        "Technical Recruiter",
        "Warsaw",
        "Poland",
    ),
    "ravi-shankar": (
        "Ravi",
        "Shankar",
        "ravi.shankar@globex.example",
        "Globex",
        "Engineering Director",
        "Chennai",
        "India",
    ),
}


def cells(header_line: str) -> list[str]:
    return header_line.split(",")


def p(slug: str) -> dict:
    first, last, email, company, title, city, country = PEOPLE[slug]
    return {
        "first": first,
        "last": last,
        "name": f"{first} {last}",
        "email": email,
        "company": company,
        "title": title,
        "city": city,
        "country": country,
        "url": LI + slug,
    }


def csv_text(rows: list[list[str]], *, quote_all: bool = False, newline: str = "\r\n") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return buf.getvalue()


def write(rel: str, text: str, encoding: str = "utf-8") -> None:
    path = OUT / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


# --------------------------------------------------------------------------- LinkedIn

NOTES = (
    'Notes:\r\n"When exporting your connection data, you may notice that some of the email addresses are '
    "missing. You will only see email addresses for connections who have allowed their connections to see or "
    "download their email address using this setting https://www.linkedin.com/psettings/privacy/email. You can "
    'learn more here https://www.linkedin.com/help/linkedin/answer/261"\r\n\r\n'
)
CONN_HEADER = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]

ANA_CONNECTIONS = [  # slug, connected on, shows email
    ("ben-okafor", "03 Feb 2021", True),
    ("chloe-martin", "17 May 2022", True),
    ("grace-lee", "12 Mar 2024", True),
    ("dev-patel", "08 Nov 2023", False),
    ("maria-rossi", "21 Jun 2023", False),
    ("omar-haddad", "02 Jan 2024", False),
    ("lena-fischer", "30 Sep 2022", False),
    ("noah-kim", "14 Apr 2023", False),
    ("mei-chen", "19 Jul 2024", False),
    ("sara-lind", "05 Aug 2021", True),
    ("jon-berg", "11 Dec 2020", False),
    ("marco-ricci", "27 Feb 2025", False),
    ("zoe-adams", "09 Oct 2024", False),
    ("kenji-watanabe", "22 Mar 2022", False),
    ("olivia-brown", "16 Jan 2023", False),
    ("sam-carter", "04 May 2024", False),
    ("fatima-zahra", "18 Mar 2025", False),
    ("diego-santos", "01 Sep 2019", False),
    ("emma-wilson", "13 Nov 2021", False),
]
BEN_CONNECTIONS = [
    ("ana-souza", "03 Feb 2021", True),
    ("chloe-martin", "20 Aug 2021", True),
    ("grace-lee", "15 Jan 2020", False),
    ("dev-patel", "23 Apr 2022", True),
    ("lena-fischer", "07 Jun 2023", False),
    ("mei-chen", "29 Oct 2023", False),
    ("marco-ricci", "10 Feb 2024", False),
    ("zoe-adams", "26 Mar 2024", False),
    ("priya-nair", "12 Jul 2022", False),
    ("hana-sato", "03 Mar 2023", False),
    ("finn-walsh", "19 Sep 2024", False),
    ("yuki-tanaka", "08 Dec 2022", False),
    ("raj-mehta", "14 May 2021", False),
    ("luis-ortega", "25 Nov 2024", False),
    ("eva-novak", "06 Feb 2025", False),
    ("ivan-petrov", "17 Apr 2020", False),
    ("tomas-herrera", "30 Jun 2021", False),
    ("aisha-bello", "02 Oct 2023", False),
    ("peter-obi", "21 Jan 2025", False),
    ("wei-chen", "11 Aug 2024", False),
]


def connections(rows: list[tuple[str, str, bool]], *, blank_after: int | None) -> list[list[str]]:
    out = [CONN_HEADER]
    for k, (slug, when, show_email) in enumerate(rows):
        q = p(slug)
        out.append([q["first"], q["last"], q["url"], q["email"] if show_email else "", q["company"], q["title"], when])
        if blank_after is not None and k == blank_after:
            out.append([""] * 7)  # a row of commas only, as some exports have
    return out


def linkedin() -> None:
    ana = connections(ANA_CONNECTIONS, blank_after=9)
    ana.append(["Rui", "Costa", "", "", "", "", "28 Apr 2025"])  # a connection without profile URL
    write("linkedin/ana/Connections.csv", BOM + NOTES + csv_text(ana))
    write("linkedin/ben/Connections.csv", NOTES + csv_text(connections(BEN_CONNECTIONS, blank_after=None)))

    a, g, d, m, t, b, o, k, j = (
        p(s)
        for s in (
            "ana-souza",
            "grace-lee",
            "dev-patel",
            "maria-rossi",
            "tom-becker",
            "ben-okafor",
            "omar-haddad",
            "kenji-watanabe",
            "julia-kowalski",
        )
    )
    header = [
        "CONVERSATION ID",
        "CONVERSATION TITLE",
        "FROM",
        "SENDER PROFILE URL",
        "TO",
        "RECIPIENT PROFILE URLS",
        "DATE",
        "SUBJECT",
        "CONTENT",
        "FOLDER",
        "ATTACHMENTS",
        "IS MESSAGE DRAFT",
    ]
    c1, c2, c3, c4, c5, c6, c7, c8 = (
        f"2-{x}"
        for x in (
            "MzRkOGY1ZTAtZjE3Mi00",
            "YjQ4MWE2NzItOGQ1Ny00",
            "ZTI5YzRiMTYtMDk4Ny00",
            "NjA3ZDIzYmUtNGFhMS00",
            "OTFlMjc0YzAtYjMyNi00",
            "YmU1ZTk2ZGQtNzQ4Yy00",
            "MWQ4ZjYzYTItY2U5MC00",
            "ZGI3MjA1OGQtMTFhNC00",
        )
    )

    def msg(conv, frm, to, when, content, *, folder="INBOX", subject="", draft="No", title=""):
        to_names = ", ".join(x["name"] for x in to)
        to_urls = ",".join(x["url"] for x in to)
        return [conv, title, frm["name"], frm["url"], to_names, to_urls, when, subject, content, folder, "", draft]

    messages = [
        msg(c1, g, [a], "2024-03-12 09:14:02 UTC", "Hi Ana, great meeting you at the summit!", subject="Hello"),
        msg(
            c1,
            a,
            [g],
            "2024-03-12 10:02:45 UTC",
            "<p>Thanks Grace!</p>\r\n<p>Would love to hear more about how Acme runs its data platform.</p>\r\n"
            "<p>Coffee next week?</p>",
            subject="Hello",
        ),
        msg(c1, g, [a], "2024-03-13 08:30:11 UTC", "Sure, Tuesday works.\r\nI'll bring Omar, our staff engineer."),
        msg(c2, a, [d], "2023-11-09 16:20:00 UTC", "Dev, congratulations on the CTO role at Globex!"),
        msg(c2, d, [a], "2023-11-10 07:45:31 UTC", "Thank you Ana! Let's catch up soon."),
        msg(
            c3,
            a,
            [m, t],
            "2024-05-02 13:05:19 UTC",
            "Hi Maria, hi Tom,\r\nintroducing you both: Tom is hiring data engineers, Maria knows everyone.",
            title="Intro: Maria <> Tom",
        ),
        [
            c3,
            "Intro: Maria <> Tom",
            m["name"],
            m["url"],
            f"{a['name']}, {t['name']}",
            f"{a['url']};{t['url']}",
            "2024-05-02 15:40:00 UTC",
            "",
            "Thanks Ana! Tom, let's talk on Thursday.",
            "INBOX",
            "",
            "No",
        ],
        msg(c4, b, [a], "2022-01-17 11:11:11 UTC", "Saw your post about the Initech deal, congrats!"),
        msg(c4, a, [b], "2022-01-17 11:30:42 UTC", "Thanks Ben :)"),
        [
            "2-c3BhbS1tZXNzYWdlLTAx",
            "",
            "Quick Crypto Deals",
            LI + "quick-crypto-deals-9f8e7d",
            a["name"],
            a["url"],
            "2024-06-01 03:00:00 UTC",
            "You won!",
            "Claim your prize now",
            "SPAM",
            "",
            "No",
        ],
        msg(c5, a, [o], "2024-03-14 18:00:00 UTC", "Omar, Grace mentioned you", draft="Yes", folder="INBOX"),
        msg(c6, k, [a], "2022-03-23 06:12:40 UTC", "Hello Ana, thanks for connecting."),
        msg(c6, a, [k], "2022-03-23 09:01:05 UTC", "Likewise Kenji! How is Soylent doing?"),
        msg(
            c7,
            j,
            [a],
            "2024-09-30 14:22:10 UTC",
            "Hi Ana,\r\n\r\nI'm a recruiter at Hooli. Are you open to new roles?\r\n\r\nBest,\r\nJulia",
            subject="Opportunity at Hooli",
        ),
        msg(
            c8,
            a,
            [p("lena-fischer"), p("sara-lind"), p("marco-ricci")],
            "2025-01-15 12:00:00 UTC",
            "Happy new year everyone! Drinks in Lisbon next month?",
            title="Lisbon drinks",
        ),
        msg(c4, b, [a], "2025-02-01 08:00:00 UTC", "Are you coming to the offsite?", folder="ARCHIVE"),
    ]
    write("linkedin/ana/messages.csv", csv_text([header, *messages], quote_all=True))

    inv = [
        ["From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl"],
        [a["name"], "Lucas Müller", "3/14/25, 2:37 PM", "", "OUTGOING", a["url"], LI + "lucas-muller"],
        [
            "Fatima Zahra",
            a["name"],
            "3/17/25, 9:05 AM",
            "Hi Ana, we met at the Oscorp breakfast.",
            "INCOMING",
            LI + "fatima-zahra",
            a["url"],
        ],
        ["Nina Ivanova", a["name"], "12/2/24, 11:48 PM", "", "INCOMING", LI + "nina-ivanova", a["url"]],
        [
            a["name"],
            "Peter Obi",
            "1/9/25, 4:15 PM",
            "Hello Peter, Ben suggested we connect.",
            "OUTGOING",
            a["url"],
            LI + "peter-obi",
        ],
        [a["name"], "Grace Lee", "3/11/24, 6:30 PM", "", "OUTGOING", a["url"], LI + "grace-lee"],
    ]
    write("linkedin/ana/Invitations.csv", csv_text(inv))
    profile = [
        [
            "First Name",
            "Last Name",
            "Maiden Name",
            "Address",
            "Birth Date",
            "Headline",
            "Summary",
            "Industry",
            "Zip Code",
            "Geo Location",
            "Twitter Handles",
            "Websites",
            "Instant Messengers",
        ],
        [
            "Ana",
            "Souza",
            "",
            "",
            "",
            "Account Executive at Northwind Analytics",
            "",
            "Software Development",
            "",
            "Lisbon, Portugal",
            "",
            "",
            "",
        ],
    ]
    write("linkedin/ana/Profile.csv", csv_text(profile))


# --------------------------------------------------------------------------- Google

GOOGLE_HEADER = cells(
    "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,"
    "Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,"
    "Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,E-mail 3 - Label,E-mail 3 - Value,"
    "Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Address 1 - Label,Address 1 - Formatted,"
    "Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,"
    "Address 1 - Country,Address 1 - Extended Address,Website 1 - Label,Website 1 - Value"
)


def google() -> None:
    def person(slug: str, labels: str = "* myContacts", extra: dict[str, str] | None = None) -> list[str]:
        q = p(slug)
        cells = {
            "First Name": q["first"],
            "Last Name": q["last"],
            "Organization Name": q["company"],
            "Organization Title": q["title"],
            "Labels": labels,
            "E-mail 1 - Label": "* Work",
            "E-mail 1 - Value": q["email"],
            "Address 1 - City": q["city"],
            "Address 1 - Country": q["country"],
        }
        cells.update(extra or {})
        row = [""] * len(GOOGLE_HEADER)
        for key, value in cells.items():
            row[GOOGLE_HEADER.index(key)] = value
        return row

    rows = [
        GOOGLE_HEADER,
        person(
            "ana-souza",
            "* myContacts ::: * starred",
            {
                "Phone 1 - Label": "Mobile",
                "Phone 1 - Value": "+1 555-0100 ::: +1 555-0101",
                "Website 1 - Label": "Profile",
                "Website 1 - Value": LI + "ana-souza",
            },
        ),
        person(
            "chloe-martin",
            "* coworkers ::: * myContacts",
            {
                "E-mail 1 - Label": "* Work ::: Home",
                "E-mail 1 - Value": "chloe@northwind.example ::: chloe.martin@personal.example",
                "Notes": "Met at the Paris office.\nLoves data viz.",
            },
        ),
        person(
            "grace-lee",
            "* myContacts",
            {
                "Phone 1 - Label": "Work",
                "Phone 1 - Value": "+1 555-0142",
                "Notes": "Intro via Ana.\r\nInterested in our analytics platform;\r\nfollow up in Q2.",
            },
        ),
        person(
            "dev-patel",
            "* myContacts",
            {
                "E-mail 2 - Label": "Other",
                "E-mail 2 - Value": "dev@patel-family.example",
                "E-mail 3 - Label": "Work",
                "E-mail 3 - Value": "DEV.PATEL@globex.example",
            },
        ),
        person("lena-fischer", "* myContacts", {"Phone 1 - Label": "Mobile", "Phone 1 - Value": "+49 30 90182011"}),
        person(
            "lucas-muller",
            "* myContacts",
            {"Website 1 - Label": "LinkedIn", "Website 1 - Value": "linkedin.com/in/lucas-muller/"},
        ),
        person("priya-nair"),
        person("hana-sato", "* myContacts", {"Name Prefix": "Ms."}),
        person(
            "raj-mehta",
            "* myContacts",
            {
                "Phone 1 - Label": "Mobile",
                "Phone 1 - Value": "+1 555-0177",
                "Phone 2 - Label": "Work",
                "Phone 2 - Value": "+1 555-0178",
            },
        ),
        [""] * len(GOOGLE_HEADER),  # an empty contact, as Google writes for deleted fields
        # phone-only row
        [
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "Plumber",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "* myContacts",
            "",
            "",
            "",
            "",
            "",
            "",
            "Mobile",
            "+44 20 7946 0018",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        # Other Contacts: First Name is the address
        [
            "sara.lind@vandelay.example",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "* Other Contacts",
            "* Other",
            "sara.lind@vandelay.example",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "* Other Contacts",
            "* Other",
            "julia.kowalski@hooli.example",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        person("tomas-herrera", "* myContacts", {"Birthday": "--07-14"}),
        person("yuki-tanaka", "* myContacts ::: * starred", {"Nickname": "Yu"}),
    ]
    write("google/ben-contacts.csv", BOM + csv_text(rows))


# --------------------------------------------------------------------------- Outlook (desktop)

OUTLOOK_HEADER = cells(
    "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,Business Street,Business Street 2,"
    "Business Street 3,Business City,Business State,Business Postal Code,Business Country/Region,Home Street,"
    "Home Street 2,Home Street 3,Home City,Home State,Home Postal Code,Home Country/Region,Other Street,"
    "Other Street 2,Other Street 3,Other City,Other State,Other Postal Code,Other Country/Region,Assistant's Phone,"
    "Business Fax,Business Phone,Business Phone 2,Callback,Car Phone,Company Main Phone,Home Fax,Home Phone,"
    "Home Phone 2,ISDN,Mobile Phone,Other Fax,Other Phone,Pager,Primary Phone,Radio Phone,TTY/TDD Phone,Telex,"
    "Account,Anniversary,Assistant's Name,Billing Information,Birthday,Business Address PO Box,Categories,Children,"
    "Directory Server,E-mail Address,E-mail Type,E-mail Display Name,E-mail 2 Address,E-mail 2 Type,"
    "E-mail 2 Display Name,E-mail 3 Address,E-mail 3 Type,E-mail 3 Display Name,Gender,Government ID Number,Hobby,"
    "Home Address PO Box,Initials,Internet Free Busy,Keywords,Language,Location,Manager's Name,Mileage,Notes,"
    "Office Location,Organizational ID Number,Other Address PO Box,Priority,Private,Profession,Referred By,"
    "Sensitivity,Spouse,User 1,User 2,User 3,User 4,Web Page"
)


def outlook() -> None:
    def row(slug: str | None = None, **cells: str) -> list[str]:
        out = dict.fromkeys(OUTLOOK_HEADER, "")
        out.update(
            {
                "Gender": "Unspecified",
                "Initials": "",
                "Priority": "Normal",
                "Private": "False",
                "Sensitivity": "Normal",
                "Birthday": "0/0/00",
                "Anniversary": "0/0/00",
            }
        )
        if slug:
            q = p(slug)
            out.update(
                {
                    "First Name": q["first"],
                    "Last Name": q["last"],
                    "Company": q["company"],
                    "Job Title": q["title"],
                    "Business City": q["city"],
                    "Business Country/Region": q["country"],
                    "E-mail Address": q["email"],
                    "E-mail Type": "SMTP",
                    "E-mail Display Name": f"{q['name']} ({q['email']})",
                    "Initials": q["first"][0] + "." + q["last"][0] + ".",
                }
            )
        out.update({k.replace("_", " "): v for k, v in cells.items()})
        return [out[h] for h in OUTLOOK_HEADER]

    ben = p("ben-okafor")
    rows = [
        OUTLOOK_HEADER,
        row("ana-souza", Mobile_Phone="+1 555-0100", Categories="Northwind"),
        # an Exchange entry: the first address is an X.500 DN, the SMTP address is the second one
        row(
            "ben-okafor",
            **{
                "E-mail Address": "/o=ExchangeLabs/ou=Exchange Administrative Group "
                "(FYDIBOHF23SPDLT)/cn=Recipients/cn=3f0c7a2e9b1d4c8e-ben.okafor",
                "E-mail Type": "EX",
                "E-mail Display Name": "Ben Okafor",
                "E-mail 2 Address": ben["email"],
                "E-mail 2 Type": "SMTP",
                "E-mail 2 Display Name": f"Ben Okafor ({ben['email']})",
                "Business Phone": "+44 20 7946 0123",
                "Categories": "Northwind",
            },
        ),
        row(
            "grace-lee",
            Business_Phone="+1 555-0142",
            Mobile_Phone="+1 555-0143",
            Business_Fax="+1 555-0144",
            Business_Street="500 Market Street\r\nSuite 1200",
            Web_Page=LI + "grace-lee",
        ),
        row("maria-rossi", Title="Dr.", Middle_Name="Luisa", Categories="Recruiting;Italy"),
        row("tom-becker", Mobile_Phone="+49 30 90182055"),
        row("noah-kim"),
        row("lucas-muller", Business_Phone="+41 44 000 00 00", Notes='Prefers German: "Grüezi".'),
        row("tomas-herrera", Home_Phone="+57 1 000 0000"),
        row(
            "olivia-brown",
            **{
                "Business Country/Region": "",
                "Home City": "Evanston",
                "Home Country/Region": "United States",
                "Business City": "",
            },
        ),
        row("liam-oconnor", Suffix="PhD"),
        row(
            "ahmed-khan",
            **{"E-mail Address": "", "E-mail Type": "", "E-mail Display Name": "", "Mobile Phone": "+92 21 000 0000"},
        ),
        row(None, Company="Initech", Business_Phone="+1 555-0190", Notes="Initech front desk"),
    ]
    write("outlook/chloe-outlook.csv", csv_text(rows, quote_all=True), encoding="cp1252")


# --------------------------------------------------------------------------- CRM


def crm() -> None:
    hub = [
        [
            "Record ID",
            "First Name",
            "Last Name",
            "Email",
            "Phone Number",
            "Contact owner",
            "Lead Status",
            "Create Date",
            "Last Activity Date",
            "Associated Company",
            "Associated Company IDs",
            "Job Title",
            "City",
            "Country/Region",
        ]
    ]
    entries = [
        ("grace-lee", "Ana Souza", "OPEN_DEAL", "2024-03-12 09:14", "3/15/2024 2:30 PM", "9002"),
        ("dev-patel", "Ben Okafor", "IN_PROGRESS", "2023-11-09 16:20", "2025-01-10 10:00", "9003"),
        ("maria-rossi", "Chloé Martin", "CONNECTED", "2023-06-21 08:00", "", "9004;9999"),
        ("omar-haddad", "Ana Souza", "NEW", "3/15/2024 2:30 PM", "", "9002"),
        ("noah-kim", "Chloé Martin", "ATTEMPTED_TO_CONTACT", "2024-04-14 12:00", "2024-04-20 09:30", "9004"),
        ("priya-nair", "Ben Okafor", "OPEN_DEAL", "2022-07-12 15:45", "2025-02-02 11:11", "9003"),
        ("sara-lind", "Ana Souza", "UNQUALIFIED", "2021-08-05 10:10", "", "9005"),
        ("kenji-watanabe", "Ana Souza", "NEW", "2022-03-22 09:00", "", "9006"),
        ("olivia-brown", "Ben Okafor", "CONNECTED", "2023-01-16 14:00", "2024-12-01 16:00", "9007"),
        ("lucas-muller", "Chloé Martin", "OPEN_DEAL", "2025-03-14 14:37", "2025-03-20 10:00", "9008"),
        ("fatima-zahra", "Ana Souza", "NEW", "2025-03-17 09:05", "", "9009"),
        ("peter-obi", "Ben Okafor", "IN_PROGRESS", "1/9/2025 4:15 PM", "", "9010"),
        ("ravi-shankar", "Ben Okafor", "NEW", "2024-10-01 08:00", "", "9003"),
    ]
    for k, (slug, owner, status, created, activity, company_ids) in enumerate(entries):
        q = p(slug)
        email = q["email"] if k % 3 else q["email"].title().replace(".Example", ".example")
        hub.append(
            [
                str(51_000_000_000 + 1_000 * k + 17),
                q["first"],
                q["last"],
                email,
                f"+1 555-01{k + 10:02d}",
                owner,
                status,
                created,
                activity,
                q["company"],
                company_ids,
                q["title"],
                q["city"],
                q["country"],
            ]
        )
    hub.append([str(51_000_000_999), "", "", "", "", "Ana Souza", "NEW", "2025-01-01 00:00", "", "", "", "", "", ""])
    write("crm/hubspot-contacts.csv", BOM + csv_text(hub))

    accounts = [["Id", "IsDeleted", "MasterRecordId", "Name", "Type", "Website", "OwnerId", "CreatedDate"]]
    account_ids = {}
    for k, company in enumerate(["Acme Inc.", "Globex", "Initech", "Vandelay Industries, Inc.", "Hooli"]):
        account_ids[company] = f"0015g00000{k:02d}AbCdEAA"
        accounts.append(
            [
                account_ids[company],
                "0",
                "",
                company,
                "Customer",
                f"https://{company.split()[0].lower()}.example".replace(",", ""),
                "0055g000004XyZaAAK",
                f"2020-0{k + 1}-01T00:00:00.000Z",
            ]
        )
    contact_header = [
        "Id",
        "IsDeleted",
        "MasterRecordId",
        "AccountId",
        "LastName",
        "FirstName",
        "Salutation",
        "Name",
        "OtherStreet",
        "MailingCity",
        "MailingState",
        "MailingCountry",
        "Phone",
        "MobilePhone",
        "Email",
        "Title",
        "Department",
        "OwnerId",
        "CreatedDate",
        "LastModifiedDate",
        "LastActivityDate",
    ]
    contacts = [contact_header]
    for k, slug in enumerate(
        [
            "grace-lee",
            "omar-haddad",
            "dev-patel",
            "lena-fischer",
            "maria-rossi",
            "tom-becker",
            "sara-lind",
            "jon-berg",
            "yuki-tanaka",
            "aisha-bello",
        ]
    ):
        q = p(slug)
        deleted = "1" if slug == "omar-haddad" else "0"
        contacts.append(
            [
                f"0035g00000{k:02d}QrStUAA",
                deleted,
                "",
                account_ids.get(q["company"], ""),
                q["last"],
                q["first"],
                "",
                q["name"],
                "",
                q["city"],
                "",
                q["country"],
                f"+1 555-01{50 + k}",
                "" if k % 2 else f"+1 555-01{70 + k}",
                q["email"],
                q["title"],
                "",
                "0055g000004XyZaAAK",
                f"2021-0{1 + k % 9}-15T10:00:00.000Z",
                "2024-06-01T08:30:00.000Z",
                "2024-05-30",
            ]
        )
    write("crm/salesforce/Account.csv", csv_text(accounts, quote_all=True))
    write("crm/salesforce/Contact.csv", csv_text(contacts, quote_all=True))

    log = [
        ["Introducer", "Introduced", "Date", "How", "Notes"],
        ["ana@northwind.example", "grace.lee@acme.example", "2024-03-12", "meeting", "Data summit"],
        ["grace.lee@acme.example", "omar.haddad@acme.example", "2024-03-19", "email", ""],
        ["ben@northwind.example", "dev.patel@globex.example", "2023-11-20", "meeting", "Dinner in Austin"],
        ["chloe@northwind.example", "maria@initech.example", "2024-05-02", "message", ""],
        ["maria@initech.example", "tom.becker@initech.example", "2024-05-03", "", "Hiring"],
        ["Ana Souza", "Kenji Watanabe", "2022-03-25", "meeting", "named by name only"],
    ]
    write("crm/intros-log.csv", csv_text(log))
    write(
        "crm/intros-log.toml",
        "# reach import data/samples/crm/intros-log.csv --format generic-csv \\\n"
        "#   --option mapping_file=data/samples/crm/intros-log.toml\n"
        '[mapping]\nsrc = "Introducer"\ndst = "Introduced"\nat = "Date"\n'
        'channel = "How"\n\n[options]\nchannel = "other"\n',
    )


def main() -> None:
    linkedin()
    google()
    outlook()
    crm()


if __name__ == "__main__":
    main()
