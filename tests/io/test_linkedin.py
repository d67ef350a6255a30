from __future__ import annotations

import csv
import io
import struct
import tempfile
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.errors import InputFormatError, ReachError
from reach.io.formats import detect_format
from reach.io.linkedin import parse_connected_on, read_connections, read_invitations, read_messages, read_zip

NOTES = (
    'Notes:\r\n"When exporting your connection data, you may notice that some of the email addresses are '
    'missing."\r\n\r\n'
)
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
MSG_HEADER_10 = (
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER"
)
LI = "https://www.linkedin.com/in/"


def _contacts(parsed) -> list[dict]:
    return [r for r in parsed.records.to_pylist() if r["role"] == "contact"]


def _edges(parsed) -> list[tuple[str, str, str]]:
    names = {
        r["record_id"]: ("OWNER" if r["role"] == "owner" else r["display_name"]) for r in parsed.records.to_pylist()
    }
    return [(names[i["src_record"]], names[i["dst_record"]], i["channel"]) for i in parsed.interactions.to_pylist()]


# ------------------------------------------------------------------ Connections.csv


def test_real_connections_file(shared_data):
    path = shared_data / "contacts_csv" / "linkedin_Connections.tombarr.csv"
    assert detect_format(path).name == "linkedin-connections"
    parsed = read_connections(path, owner="me@example.com", options={})
    owner, alex = parsed.records.to_pylist()
    assert owner["role"] == "owner" and owner["record_id"] == 0
    assert alex == {
        **alex,
        "line": 5,
        "display_name": "Alex Rohrberg",
        "first_name": "Alex",
        "last_name": "Rohrberg",
        "company": "Schneider Electric",
        "title": "Software Engineer",
        "emails": None,
        "linkedin_url": "https://www.linkedin.com/in/alexrohrberg",
    }
    (it,) = parsed.interactions.to_pylist()
    assert (it["src_record"], it["dst_record"], it["channel"], it["line"]) == (0, 1, "connection", 5)
    assert it["at"] == datetime(2025, 12, 22, tzinfo=UTC)
    assert parsed.n_rows == 1 and parsed.rejects.num_rows == 0


def test_connections_need_owner(shared_data):
    with pytest.raises(InputFormatError, match="--owner"):
        read_connections(shared_data / "contacts_csv" / "linkedin_Connections.tombarr.csv", owner=None, options={})


def test_ana_sample(samples_dir):
    path = samples_dir / "linkedin" / "ana" / "Connections.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfNotes:\r\n") and b"\r\n" in raw
    parsed = read_connections(path, owner="ana@northwind.example", options={})
    people = {r["display_name"]: r for r in _contacts(parsed)}
    assert len(people) == 20 and parsed.n_rows == 20 and parsed.n_skipped == 1 and parsed.rejects.num_rows == 0
    assert people["Ben Okafor"]["line"] == 5 and people["Ben Okafor"]["emails"] == ["ben@northwind.example"]
    assert people["Sara Lind"]["company"] == "Vandelay Industries, Inc."
    assert people["Sam Carter"]["title"] == 'Engineer, "Platform" Team'
    assert people["Jon Berg"]["line"] == 16  # after the row of commas on line 15
    assert people["Rui Costa"]["linkedin_url"] is None
    assert people["Chloé Martin"]["first_name"] == "Chloé"
    grace = [i for i in parsed.interactions.to_pylist() if i["dst_record"] == people["Grace Lee"]["record_id"]]
    assert grace[0]["at"] == datetime(2024, 3, 12, tzinfo=UTC) and grace[0]["channel"] == "connection"
    # same rows and lines as the csv module reading past the preamble
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    lines = []
    for row in reader:
        if len(row) == 7 and row[0] != "First Name" and any(row):
            lines.append(reader.line_num)
    assert sorted(r["line"] for r in people.values()) == lines


def test_ana_and_ben_overlap(samples_dir):
    ana = read_connections(samples_dir / "linkedin" / "ana" / "Connections.csv", owner="ana@northwind.example")
    ben = read_connections(samples_dir / "linkedin" / "ben" / "Connections.csv", owner="ben@northwind.example")
    a = {r["linkedin_url"] for r in _contacts(ana)} - {None}
    b = {r["linkedin_url"] for r in _contacts(ben)}
    assert len(_contacts(ben)) == 20
    assert LI + "ana-souza" in b and LI + "ben-okafor" in a  # colleagues appear in each other's exports
    assert len(a & b) == 7  # Chloé plus six people both know


@pytest.mark.parametrize("preamble", ["", "Notes:\n", '"Notes:"\n', "Notes:\nline two\n\n\n"])
def test_connections_preamble_variants(tmp_path, preamble):
    path = tmp_path / "Connections.csv"
    path.write_text(
        preamble + HEADER + "\nGrace,Lee,https://www.linkedin.com/in/grace-lee,,Acme Inc.,VP,12 Mar 2024\n",
        encoding="utf-8",
    )
    assert detect_format(path).name == "linkedin-connections"
    (grace,) = _contacts(read_connections(path, owner="ana"))
    assert grace["line"] == preamble.count("\n") + 2 and grace["display_name"] == "Grace Lee"


def test_connections_old_layout_blank_and_bad_rows(tmp_path):
    path = tmp_path / "Connections.csv"
    path.write_text(
        "First Name,Last Name,Email Address,Company,Position,Connected On\n"
        "Dev,Patel,dev.patel@globex.example,Globex,CTO,08-Nov-23\n"
        ",,,,,\n"
        "\n"
        ',,,"",,\n'
        "Bad,Row,a,b,c,d,e,f\n"
        ",,,Nobody Inc.,,2024-03-12\n"
        'Maria,Rossi,,"Initech, ""the"" company",Head of Talent,2023-06-21\n',
        encoding="utf-8",
    )
    parsed = read_connections(path, owner="ana@northwind.example")
    dev, maria = _contacts(parsed)
    assert dev["emails"] == ["dev.patel@globex.example"] and dev["linkedin_url"] is None
    assert maria["company"] == 'Initech, "the" company' and maria["line"] == 8
    assert [(r["line"], r["reason"]) for r in parsed.rejects.to_pylist()] == [
        (6, "row has 8 columns, the header has 6"),
        (7, "row has no name, profile URL or email"),
    ]
    assert parsed.n_skipped == 3 and parsed.n_rows == 4
    ats = [i["at"] for i in parsed.interactions.to_pylist()]
    assert ats == [datetime(2023, 11, 8, tzinfo=UTC), datetime(2023, 6, 21, tzinfo=UTC)]


def test_parse_connected_on():
    assert parse_connected_on("12 Mar 2024") == datetime(2024, 3, 12, tzinfo=UTC)
    assert parse_connected_on("12-Mar-24") == datetime(2024, 3, 12, tzinfo=UTC)
    assert parse_connected_on("2024-03-12") == datetime(2024, 3, 12, tzinfo=UTC)
    assert parse_connected_on("soon") is None


def test_connections_fast(tmp_path):
    n = 100_000
    path = tmp_path / "Connections.csv"
    rows = "".join(
        f"First{i},Last{i},https://www.linkedin.com/in/p{i},,Co {i % 50},Engineer,12 Mar 2024\r\n" for i in range(n)
    )
    path.write_text("\ufeff" + NOTES + HEADER + "\r\n" + rows, encoding="utf-8")
    t0 = time.perf_counter()
    parsed = read_connections(path, owner="ana@northwind.example")
    assert time.perf_counter() - t0 < 10  # ~0.1 s on a laptop
    assert parsed.records.num_rows == n + 1 and parsed.interactions.num_rows == n
    assert parsed.records.slice(n, 1).to_pylist()[0]["line"] == n + 4


# ------------------------------------------------------------------ messages.csv


def test_ana_messages_sample(samples_dir):
    path = samples_dir / "linkedin" / "ana" / "messages.csv"
    assert detect_format(path).name == "linkedin-messages"
    parsed = read_messages(path, owner="ana@northwind.example", options={})
    recs = parsed.records.to_pylist()
    # the owner was recognised (she takes part in every message) and got her profile URL
    assert recs[0]["role"] == "owner" and recs[0]["linkedin_url"] == LI + "ana-souza"
    assert all(r["role"] == "party" for r in recs[1:])
    names = [r["display_name"] for r in recs[1:]]
    assert len(names) == len(set(names)) == 10 and "Quick Crypto Deals" not in names and "Omar Haddad" not in names
    assert parsed.n_rows == 16 and parsed.n_skipped == 2 and parsed.rejects.num_rows == 0
    edges = _edges(parsed)
    assert edges[:3] == [
        ("Grace Lee", "OWNER", "message"),
        ("OWNER", "Grace Lee", "message"),
        ("Grace Lee", "OWNER", "message"),
    ]
    it = parsed.interactions.to_pylist()
    # multi-line CONTENT: the third message starts on line 6
    assert [i["line"] for i in it[:3]] == [2, 3, 6]
    assert it[0]["at"] == datetime(2024, 3, 12, 9, 14, 2, tzinfo=UTC)
    # group message to "Maria Rossi, Tom Becker" (comma-separated URLs) and a reply (semicolons)
    group = [(e, i["n_participants"]) for e, i in zip(edges, it, strict=True) if i["line"] in (10, 12)]
    assert group == [
        (("OWNER", "Maria Rossi", "message"), 3),
        (("OWNER", "Tom Becker", "message"), 3),
        (("Maria Rossi", "OWNER", "message"), 3),
        (("Maria Rossi", "Tom Becker", "message"), 3),
    ]
    assert {i["channel"] for i in it} == {"message"}


def test_messages_old_vintage_names_only(tmp_path):
    path = tmp_path / "messages.csv"
    path.write_text(
        "CONVERSATION ID,CONVERSATION TITLE,FROM,TO,DATE,SUBJECT,CONTENT,FOLDER\n"
        'c1,,Ana Souza,"Fay Wray, Gus Grissom",2023-06-11 15:33:58 UTC,,"hello\nboth",INBOX\n'
        "c1,,Fay Wray,Ana Souza,2023-06-11 16:00:00 UTC,,hi,INBOX\n"
        "c2,,Gus Grissom,Ana Souza,2023-06-12 08:00:00 UTC,,spam,SPAM\n"
        ",,,Ana Souza,2023-06-12 09:00:00 UTC,,who?,INBOX\n",
        encoding="utf-8",
    )
    parsed = read_messages(path, owner="Ana Souza", options={})
    assert _edges(parsed) == [
        ("OWNER", "Fay Wray", "message"),
        ("OWNER", "Gus Grissom", "message"),
        ("Fay Wray", "OWNER", "message"),
    ]
    assert parsed.rejects.to_pylist()[0]["line"] == 6 and parsed.n_skipped == 1


def test_messages_13_columns_drafts_and_broadcast(tmp_path):
    header = MSG_HEADER_10 + ",ATTACHMENTS,IS MESSAGE DRAFT,IS CONVERSATION DRAFT"
    many = [f"Person {k}" for k in range(25)]
    rows = [
        (
            f'c1,,Ana Souza,{LI}ana-souza,"{", ".join(many)}","{";".join(LI + f"p{k}" for k in range(25))}",'
            "2024-01-01 10:00:00 UTC,,Newsletter,INBOX,,No,No"
        ),
        f"c2,,Ana Souza,{LI}ana-souza,Grace Lee,{LI}grace-lee,2024-01-02 10:00:00 UTC,,draft,INBOX,,Yes,No",
        f"c3,,Ana Souza,{LI}ana-souza,Dev Patel,{LI}dev-patel,2024-01-03 10:00:00 UTC,,draft,INBOX,,No,true",
        f"c4,,Grace Lee,{LI}grace-lee,Ana Souza,{LI}ana-souza,2024-01-04 10:00:00 UTC,,hi,INBOX,,No,No",
    ]
    path = tmp_path / "messages.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    parsed = read_messages(path, owner="someone@example.com", options={"aliases": [LI + "ana-souza/"]})
    it = parsed.interactions.to_pylist()
    assert sum(i["channel"] == "broadcast" for i in it) == 25 and it[0]["n_participants"] == 26
    assert parsed.n_skipped == 2
    assert _edges(parsed)[-1] == ("Grace Lee", "OWNER", "message")
    small = read_messages(path, owner="someone@example.com", options={"aliases": ["Ana Souza"], "max_recipients": 30})
    assert {i["channel"] for i in small.interactions.to_pylist()} == {"message"}


def test_messages_owner_by_tokens_and_mojibake(tmp_path):
    path = tmp_path / "messages.csv"
    mangled = "ChloÃ© Martin"  # UTF-8 read as Latin-1 once, as some exports have it
    path.write_text(
        MSG_HEADER_10 + "\n"
        f"c1,,{mangled},{LI}chloe-martin,Maria Rossi,{LI}maria-rossi,2024-05-02 13:05:19 UTC,,hi,INBOX\n",
        encoding="utf-8",
    )
    parsed = read_messages(path, owner="chloe@northwind.example", options={})
    assert _edges(parsed) == [("OWNER", "Maria Rossi", "message")]
    anyone = read_messages(path, owner="nobody@northwind.example", options={})
    assert any("could not tell" in n for n in anyone.notes)
    assert {r["display_name"] for r in anyone.records.to_pylist()} >= {"Chloé Martin", "Maria Rossi"}


# ------------------------------------------------------------------ Invitations.csv


def test_ana_invitations_sample(samples_dir):
    path = samples_dir / "linkedin" / "ana" / "Invitations.csv"
    assert detect_format(path).name == "linkedin-invitations"
    parsed = read_invitations(path, owner="ana@northwind.example", options={})
    assert _edges(parsed) == [
        ("OWNER", "Lucas Müller", "invitation"),
        ("Fatima Zahra", "OWNER", "invitation"),
        ("Nina Ivanova", "OWNER", "invitation"),
        ("OWNER", "Peter Obi", "invitation"),
        ("OWNER", "Grace Lee", "invitation"),
    ]
    it = parsed.interactions.to_pylist()
    assert it[0]["at"] == datetime(2025, 3, 14, 14, 37, tzinfo=UTC)
    assert it[2]["at"] == datetime(2024, 12, 2, 23, 48, tzinfo=UTC)
    assert parsed.records.to_pylist()[0]["linkedin_url"] == LI + "ana-souza"


# ------------------------------------------------------------------ the export ZIP


class _Unseekable(io.RawIOBase):
    """A write-only stream: zipfile then writes data descriptors (flag bit 3), as LinkedIn does."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.data += b
        return len(b)


def _export_zip(path: Path, members: dict[str, bytes]) -> Path:
    stream = _Unseekable()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    path.write_bytes(bytes(stream.data))
    return path


def test_export_zip_with_data_descriptors(tmp_path, samples_dir):
    ana = samples_dir / "linkedin" / "ana"
    bad_invitations = (ana / "Invitations.csv").read_bytes() + (
        b'Somebody,Someone Else,"1/1/25, 9:00 AM",,SIDEWAYS,,\r\n'
    )
    path = _export_zip(
        tmp_path / "Basic_LinkedInDataExport_03-18-2025.zip",
        {
            "Connections.csv": (ana / "Connections.csv").read_bytes(),
            "Basic_LinkedInDataExport_03-18-2025/messages.csv": (ana / "messages.csv").read_bytes(),
            "Basic_LinkedInDataExport_03-18-2025/Invitations.csv": bad_invitations,
            "Basic_LinkedInDataExport_03-18-2025/Profile.csv": (ana / "Profile.csv").read_bytes(),
            "guide_messages.csv": (ana / "messages.csv").read_bytes(),
            "Email Addresses.csv": b"Email Address,Confirmed,Primary,Updated On\r\nana@northwind.example,Yes,Yes,"
            b'"10/24/13, 8:43 AM"\r\n',
        },
    )
    raw = path.read_bytes()
    assert struct.unpack("<H", raw[6:8])[0] & 0x08 and struct.unpack("<I", raw[18:22])[0] == 0
    assert detect_format(path).name == "linkedin-zip"
    parsed = read_zip(path, owner="ana@northwind.example", options={})
    recs = parsed.records.to_pylist()
    roles = pl.DataFrame(recs).group_by("role").len().sort("role").rows()
    # connections are contacts; people only seen in messages/invitations are parties, once each
    assert roles == [("contact", 20), ("owner", 1), ("party", 5)]
    assert sorted(r["display_name"] for r in recs if r["role"] == "party") == [
        "Julia Kowalski",
        "Lucas Müller",
        "Nina Ivanova",
        "Peter Obi",
        "Tom Becker",
    ]
    channels = pl.from_arrow(parsed.interactions).group_by("channel").len().sort("channel").rows()
    assert channels == [("connection", 20), ("invitation", 5), ("message", 18)]
    # Grace (a connection) is the same record in Connections, messages and Invitations
    grace = [r["record_id"] for r in recs if r["display_name"] == "Grace Lee"]
    assert len(grace) == 1
    touching = {i["channel"] for i in parsed.interactions.to_pylist() if grace[0] in (i["src_record"], i["dst_record"])}
    assert touching == {"connection", "message", "invitation"}
    # rejects keep the member file's line and name it in the excerpt
    (rej,) = parsed.rejects.to_pylist()
    assert rej["line"] == 7 and rej["excerpt"].startswith("Basic_LinkedInDataExport_03-18-2025/Invitations.csv: ")
    assert parsed.n_rows == 20 + 16 + 6 and parsed.n_skipped == 1 + 2
    assert recs[0]["linkedin_url"] == LI + "ana-souza"


def test_zip_errors(tmp_path):
    other = _export_zip(tmp_path / "photos.zip", {"a.jpg": b"\xff\xd8\xff"})
    assert detect_format.__module__  # the registry is importable
    with pytest.raises(InputFormatError, match="photos.zip"):
        detect_format(other)
    with pytest.raises(InputFormatError, match="no Connections.csv"):
        read_zip(other, owner="ana", options={})
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(InputFormatError, match="broken.zip"):
        read_zip(broken, owner="ana", options={})
    with pytest.raises(InputFormatError, match="--owner"):
        read_zip(other, owner=None, options={})
    header_only = _export_zip(tmp_path / "empty.zip", {"Connections.csv": (NOTES + HEADER + "\r\n").encode()})
    parsed = read_zip(header_only, owner="ana", options={})
    assert parsed.records.num_rows == 1 and parsed.interactions.num_rows == 0


def test_pipeline_imports_zip_and_connections(tmp_path, samples_dir):
    from reach.builder import build
    from reach.imports import import_paths

    ana = samples_dir / "linkedin" / "ana"
    path = _export_zip(
        tmp_path / "export.zip",
        {n: (ana / n).read_bytes() for n in ("Connections.csv", "messages.csv", "Invitations.csv")},
    )
    ws = tmp_path / "ws"
    s1 = import_paths(ws, [path], owner="ana@northwind.example")
    s2 = import_paths(ws, [samples_dir / "linkedin" / "ben" / "Connections.csv"], owner="ben@northwind.example")
    assert [f.status for f in s1.files + s2.files] == ["imported", "imported"]
    assert s1.files[0].format == "linkedin-zip" and s1.files[0].n_interactions == 43
    built = build(ws)
    assert built["people"] > 30 and built["ties"] > 40


# ------------------------------------------------------------------ fuzzing

PIECES = list('a,"\n\r ;é') + [
    "\r\n",
    '""',
    LI + "x",
    "Ana Souza",
    "12 Mar 2024",
    "2023-06-11 15:33:58 UTC",
    "INCOMING",
    "OUTGOING",
    "SPAM",
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(PIECES), max_size=100).map("".join),
    st.sampled_from(["connections", "messages", "invitations", "zip"]),
)
def test_fuzz_only_reach_errors(body, kind):
    header = {
        "connections": NOTES + HEADER,
        "messages": MSG_HEADER_10 + ",ATTACHMENTS,IS MESSAGE DRAFT",
        "invitations": "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl",
        "zip": HEADER,
    }[kind]
    data = (header + "\r\n" + body).encode()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            if kind == "zip":
                path = _export_zip(
                    Path(tmp) / "x.zip",
                    {
                        "Connections.csv": data,
                        "messages.csv": (MSG_HEADER_10 + "\n" + body).encode(),
                        "Invitations.csv": body.encode(),
                    },
                )
                parsed = read_zip(path, owner="ana", options={})
            else:
                path = Path(tmp) / f"{kind}.csv"
                path.write_bytes(data)
                reader = {"connections": read_connections, "messages": read_messages, "invitations": read_invitations}[
                    kind
                ]
                parsed = reader(path, owner="Ana Souza", options={})
        except ReachError:
            return
        ids = set(parsed.records.column("record_id").to_pylist())
        assert ids == set(range(len(ids)))
        assert set(parsed.interactions.column("src_record").to_pylist()) <= ids
        assert set(parsed.interactions.column("dst_record").to_pylist()) <= ids
