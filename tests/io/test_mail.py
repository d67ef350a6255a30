from __future__ import annotations

import mailbox
import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, getaddresses, parsedate_to_datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.errors import ConfigError, InputFormatError, ReachError
from reach.io import mail
from reach.io.formats import detect_format
from reach.io.mail import parse_addresses, parse_date, read_eml, read_maildir, read_mbox
from reach.schema import INTERACTIONS, RECORDS, conform

ENRON = [
    "enron.allen-p._sent_mail.mbox",
    "enron.allen-p.inbox.mbox",
    "enron.farmer-d._sent_mail.mbox",
    "enron.farmer-d.inbox.mbox",
]
ANA = "ana@northwind.example"
ALIAS = "ana.souza@personal.example"


# --------------------------------------------------------------------------- helpers


def _valid(parsed) -> None:
    """The tables fit the schema (as the import stage will conform them)."""
    conform(parsed.records.append_column("source_id", pa.array(["s"] * parsed.records.num_rows)), RECORDS)
    conform(
        parsed.interactions.append_column("source_id", pa.array(["s"] * parsed.interactions.num_rows)), INTERACTIONS
    )
    assert parsed.records.column("record_id").to_pylist() == list(range(parsed.records.num_rows))


def _addr_of(parsed) -> dict[int, str]:
    return {r["record_id"]: (r["emails"] or [r["owner"]])[0] for r in parsed.records.to_pylist()}


def _pairs(parsed) -> Counter:
    addr = _addr_of(parsed)
    it = parsed.interactions
    return Counter(
        zip(
            (addr[s] for s in it.column("src_record").to_pylist()),
            (addr[d] for d in it.column("dst_record").to_pylist()),
            strict=True,
        )
    )


def _norm(pairs) -> list[str]:
    out = []
    for _name, addr in pairs:
        addr = addr.strip(" \t'\"<>").lower()
        local, at, domain = addr.rpartition("@")
        if at and local and domain and not any(c.isspace() for c in addr):
            out.append(addr)
    return out


def _oracle(path: Path) -> dict:
    """Independent reading with the standard library's mailbox and email parser."""
    n = 0
    froms: set[str] = set()
    pairs: Counter = Counter()
    dates: Counter = Counter()
    n_broadcast = 0
    for msg in mailbox.mbox(path):
        n += 1
        senders = _norm(getaddresses(msg.get_all("from", [])))
        if not senders:
            continue
        sender = senders[0]
        froms.add(sender)
        rcpt: list[str] = []
        for a in _norm(getaddresses(msg.get_all("to", []) + msg.get_all("cc", []) + msg.get_all("bcc", []))):
            if a != sender and a not in rcpt:
                rcpt.append(a)
        for a in rcpt:
            pairs[(sender, a)] += 1
        if rcpt:
            dates[parsedate_to_datetime(msg["date"]).astimezone(UTC)] += len(rcpt)
            n_broadcast += len(rcpt) > 20
    return {"n": n, "froms": froms, "pairs": pairs, "dates": dates, "n_broadcast": n_broadcast}


def _separator_lines(path: Path) -> list[int]:
    """1-based lines of ``From `` separators (after a blank line or at the start), by plain line splitting."""
    out = []
    prev_blank = True
    with Path(path).open("rb") as fh:
        for i, line in enumerate(fh, start=1):
            if prev_blank and line.startswith(b"From "):
                out.append(i)
            prev_blank = line in (b"\n", b"\r\n")
    return out


def _msg(headers: str, body: str = "Hello.\n", envelope: str = "From MAILER-DAEMON Mon Jan  5 10:00:00 2026") -> str:
    return f"{envelope}\n{headers.strip()}\n\n{body}\n"


# --------------------------------------------------------------------------- Enron (real data)


@pytest.fixture(scope="module")
def enron(shared_data) -> dict[str, tuple[Path, object, dict]]:
    out = {}
    for name in ENRON:
        path = shared_data / "enron_mbox" / name
        out[name] = (path, read_mbox(path), _oracle(path))
    return out


@pytest.mark.parametrize("name", ENRON)
def test_enron_matches_stdlib_mailbox(enron, name):
    path, parsed, oracle = enron[name]
    assert detect_format(path).name == "mbox"
    _valid(parsed)
    assert parsed.n_rows == oracle["n"] == len(_separator_lines(path))
    assert parsed.rejects.num_rows == 0
    assert parsed.n_skipped == 0
    assert _pairs(parsed) == oracle["pairs"]
    addr = _addr_of(parsed)
    assert {addr[s] for s in parsed.interactions.column("src_record").to_pylist()} <= oracle["froms"]
    assert {e for r in parsed.records.to_pylist() for e in r["emails"]} == (
        oracle["froms"] | {b for _a, b in oracle["pairs"]}
    )
    assert Counter(parsed.interactions.column("at").to_pylist()) == oracle["dates"]
    assert set(parsed.interactions.column("line").to_pylist()) <= set(_separator_lines(path))
    n_bcast = len(
        set(
            parsed.interactions.filter(pc.equal(parsed.interactions.column("channel"), "broadcast"))
            .column("line")
            .to_pylist()
        )
    )
    assert n_bcast == oracle["n_broadcast"]


def test_enron_counts_and_names(enron):
    totals = sum(enron[n][1].n_rows for n in ENRON)
    assert totals == 1500  # the four files hold 602 + 66 + 747 + 85 messages (shared/data/README.md)
    _path, parsed, _ = enron["enron.allen-p._sent_mail.mbox"]
    rec = {r["emails"][0]: r for r in parsed.records.to_pylist()}
    # From has no display name; the Lotus Notes X-From supplies it
    assert rec["phillip.allen@enron.com"]["display_name"] == "Phillip K Allen"
    assert rec["phillip.allen@enron.com"]["line"] == 1
    # one's own sent folder: all from the owner but four his assistant sent for him
    addr = _addr_of(parsed)
    messages = set(
        zip(
            parsed.interactions.column("line").to_pylist(),
            parsed.interactions.column("src_record").to_pylist(),
            strict=True,
        )
    )
    senders = Counter(addr[src] for _line, src in messages)
    assert senders == {"phillip.allen@enron.com": 597, "ina.rangel@enron.com": 4}


def test_enron_broadcast_first_message(enron):
    _path, parsed, _ = enron["enron.allen-p.inbox.mbox"]
    first = parsed.interactions.filter(pc.equal(parsed.interactions.column("line"), 1))
    # james.bruce writes to 87 addresses: two listed twice, and himself; 84 others
    assert set(first.column("channel").to_pylist()) == {"broadcast"}
    assert first.num_rows == 84
    assert set(first.column("n_participants").to_pylist()) == {85}


def test_enron_owner_mapping(shared_data):
    path = shared_data / "enron_mbox" / "enron.allen-p._sent_mail.mbox"
    parsed = read_mbox(path, owner="Phillip.Allen@enron.com", options={})
    _valid(parsed)
    recs = parsed.records.to_pylist()
    assert recs[0]["role"] == "owner" and recs[0]["owner"] == "Phillip.Allen@enron.com"
    assert all(r["role"] == "party" for r in recs[1:])
    assert "phillip.allen@enron.com" not in {r["emails"][0] for r in recs[1:]}
    assert parsed.interactions.num_rows == read_mbox(path).interactions.num_rows
    addr = _addr_of(parsed)
    assert {addr[s] for s in parsed.interactions.column("src_record").to_pylist()} == {
        "Phillip.Allen@enron.com",
        "ina.rangel@enron.com",
    }


def test_enron_small_chunks_give_the_same_result(shared_data, monkeypatch):
    """Buffer handling: message boundaries, CRLF checks and line counts across chunk edges."""
    path = shared_data / "enron_mbox" / "enron.allen-p.inbox.mbox"
    whole = read_mbox(path)
    for chunk in (7, 64, 1000):
        monkeypatch.setattr(mail, "CHUNK", chunk)
        small = read_mbox(path)
        assert small.n_rows == whole.n_rows
        assert small.records.equals(whole.records)
        assert small.interactions.equals(whole.interactions)


# --------------------------------------------------------------------------- Takeout sample


@pytest.fixture(scope="module")
def takeout(samples_dir) -> Path:
    return samples_dir / "mail" / "ana-takeout.mbox"


def test_takeout_sample_is_takeout_shaped(takeout):
    data = takeout.read_bytes()
    assert data.startswith(b"From 1790000000000000000@xxx Mon Jan 05 08:14:00 +0000 2026\r\nX-GM-THRID: ")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert len(mailbox.mbox(takeout)) == 26


def test_takeout_sample(takeout):
    assert detect_format(takeout).name == "mbox"
    parsed = read_mbox(takeout, owner=ANA, options={"aliases": [ALIAS]})
    _valid(parsed)
    assert parsed.n_rows == 26
    assert parsed.n_skipped == 4  # spam, trash, mailing list, auto-reply
    assert parsed.rejects.num_rows == 0
    recs = {(r["emails"] or [None])[0]: r for r in parsed.records.to_pylist()}
    assert recs[ANA]["record_id"] == 0 and recs[ANA]["role"] == "owner"
    assert ALIAS not in recs and "winner@lucky-prize.example" not in recs
    assert "news@lists.acme.example" not in recs
    assert recs["chloe@northwind.example"]["display_name"] == "Chloé Martin"  # RFC 2047, Q and B
    assert recs["ben@northwind.example"]["display_name"] == "Ben Okafor"  # over one '"Okafor, Ben"'
    assert recs["maria@initech.example"]["display_name"] == "Maria Rossi"
    assert len(recs) == 1 + 25  # owner + everyone in the all-hands message (which includes all others)
    it = parsed.interactions.to_pylist()
    bcast = [r for r in it if r["channel"] == "broadcast"]
    assert len(bcast) == 25 and {r["n_participants"] for r in bcast} == {26}
    email = [r for r in it if r["channel"] == "email"]
    addr = _addr_of(parsed)
    pairs = Counter((addr[r["src_record"]], addr[r["dst_record"]]) for r in email)
    assert pairs[(ANA, "ben@northwind.example")] == 5  # incl. a Cc to "Okafor, Ben" <Ben@Northwind.Example>
    assert pairs[("ben@northwind.example", ANA)] == 2
    assert pairs[(ANA, "grace.lee@acme.example")] == 3  # incl. one from the alias
    assert pairs[("grace.lee@acme.example", "dev.patel@globex.example")] == 1
    assert pairs[(ANA, "maria@initech.example")] == 2  # incl. a Bcc
    assert pairs[("dev.patel@globex.example", ANA)] == 1  # the out-of-office reply is skipped
    assert ("karim.nassar@umbrella.example", ANA) in pairs and pairs[("karim.nassar@umbrella.example", ANA)] == 1
    assert sum(pairs.values()) == len(email)
    # dates in assorted zones, all UTC; the garbage Date is null
    first = next(r for r in it if r["line"] == 1)
    assert first["at"] == datetime(2026, 1, 5, 8, 14, tzinfo=UTC)
    third = next(r for r in it if r["dst_record"] == recs["chloe@northwind.example"]["record_id"])
    assert third["at"] == datetime(2026, 1, 6, 22, 2, 11, tzinfo=UTC)  # 14:02:11 -0800
    assert sum(1 for r in it if r["at"] is None) == 1
    assert any("broadcast" in n for n in parsed.notes) and any("no readable Date" in n for n in parsed.notes)


def test_takeout_without_owner(takeout):
    parsed = read_mbox(takeout, owner=None, options={})
    _valid(parsed)
    recs = parsed.records.to_pylist()
    assert {r["role"] for r in recs} == {"party"}
    ana = next(r for r in recs if r["emails"] == [ANA])
    assert ana["display_name"] == "Ana Souza" and ana["line"] == 1
    assert any(r["emails"] == [ALIAS] for r in recs)


def test_takeout_owner_as_name_and_max_recipients(takeout):
    parsed = read_mbox(takeout, owner="Ana Souza", options={"max_recipients": 30})
    _valid(parsed)
    recs = parsed.records.to_pylist()
    assert recs[0]["role"] == "owner" and recs[0]["emails"] is None
    assert any(r["emails"] == [ANA] for r in recs[1:])  # a name cannot be matched to an address
    assert set(parsed.interactions.column("channel").to_pylist()) == {"email"}
    # an owner given as "Name <address>" is matched by its address
    full = read_mbox(takeout, owner=f"Ana Souza <{ANA}>", options={})
    assert not any(r["emails"] == [ANA] for r in full.records.to_pylist()[1:])
    assert full.interactions.equals(read_mbox(takeout, owner=ANA, options={}).interactions)
    with pytest.raises(ConfigError):
        read_mbox(takeout, owner=None, options={"max_recipients": 0})
    with pytest.raises(ConfigError):
        read_mbox(takeout, owner=None, options={"aliases": [1, 2]})


def test_takeout_localised_labels(tmp_path):
    path = tmp_path / "de.mbox"
    msgs = [
        _msg("X-Gmail-Labels: Papierkorb\nFrom: a@x.example\nTo: b@x.example"),
        _msg('X-Gmail-Labels: "Spam"\nFrom: a@x.example\nTo: b@x.example'),
        _msg("X-Gmail-Labels: Posteingang,Wichtig\nFrom: a@x.example\nTo: b@x.example"),
        _msg("X-Gmail-Labels: =?UTF-8?Q?Entw=C3=BCrfe?=\nFrom: a@x.example\nTo: b@x.example"),
        _msg("X-Gmail-Labels: Kunden\nFrom: a@x.example\nTo: b@x.example"),
    ]
    path.write_text("".join(msgs))
    parsed = read_mbox(path, owner=None, options={"skip_labels": ["Kunden"]})
    assert (parsed.n_rows, parsed.n_skipped, parsed.interactions.num_rows) == (5, 4, 1)


# --------------------------------------------------------------------------- lists, broadcast, rejects


def test_list_and_automated_mail_skipped(tmp_path):
    path = tmp_path / "lists.mbox"
    msgs = [
        _msg("From: a@x.example\nTo: b@x.example\nList-Id: <dev.lists.x.example>"),
        _msg("From: a@x.example\nTo: b@x.example\nPrecedence: bulk"),
        _msg("From: a@x.example\nTo: b@x.example\nprecedence: JUNK"),
        _msg("From: a@x.example\nTo: b@x.example\nAuto-Submitted: auto-generated"),
        _msg("From: a@x.example\nTo: b@x.example\nList-Unsubscribe: <mailto:u@x.example>"),
        _msg("From: a@x.example\nTo: b@x.example\nAuto-Submitted: no"),
        _msg("From: a@x.example\nTo: b@x.example\nPrecedence: first-class"),
    ]
    path.write_text("".join(msgs))
    parsed = read_mbox(path, owner=None, options={})
    assert (parsed.n_rows, parsed.n_skipped, parsed.interactions.num_rows) == (7, 5, 2)
    assert parsed.records.num_rows == 2


def test_broadcast_threshold(tmp_path):
    path = tmp_path / "b.mbox"
    many = ", ".join(f"p{i}@x.example" for i in range(21))
    twenty = ", ".join(f"p{i}@x.example" for i in range(20))
    path.write_text(_msg(f"From: a@x.example\nTo: {many}") + _msg(f"From: a@x.example\nTo: {twenty}\nCc: p0@x.example"))
    it = read_mbox(path, owner=None, options={}).interactions.to_pylist()
    assert Counter((r["line"], r["channel"], r["n_participants"]) for r in it) == {
        (1, "broadcast", 22): 21,
        (7, "email", 21): 20,
    }
    it = read_mbox(path, owner=None, options={"max_recipients": 21}).interactions
    assert set(it.column("channel").to_pylist()) == {"email"}


def test_rejects_and_line_numbers(tmp_path):
    path = tmp_path / "r.mbox"
    text = (
        _msg("From: a@x.example\nTo: b@x.example")  # lines 1-6
        + _msg("To: b@x.example\nSubject: no sender")  # 7-12: no From
        + "From someone Mon Jan  5 10:00:00 2026\nthis is not a header\n\nbody\n\n"  # 13-17
        + _msg("From: undisclosed\nTo: b@x.example")  # 18-23: From without an address
        + _msg("From: c@x.example\nTo: a@x.example, \n (a comment) b@x.example")  # 24-30
    )
    path.write_text(text)
    parsed = read_mbox(path, owner=None, options={})
    _valid(parsed)
    assert parsed.n_rows == 5
    rejects = parsed.rejects.to_pylist()
    assert [r["line"] for r in rejects] == [7, 13, 18] == _separator_lines(path)[1:4]
    assert rejects[0]["reason"] == "no From header"
    assert rejects[1]["reason"].startswith("unparseable headers")
    assert rejects[2]["reason"] == "no parseable address in From"
    assert all(r["excerpt"] and r["excerpt"].startswith("From ") for r in rejects)
    assert sorted(set(parsed.interactions.column("line").to_pylist())) == [1, 24]
    assert parsed.interactions.num_rows == 3


def test_truncated_file_imports_what_it_can(takeout, tmp_path):
    data = takeout.read_bytes()
    cut = data.index(b"Subject: Hooli visit")  # inside the header block of message 19
    path = tmp_path / "cut.mbox"
    path.write_bytes(data[:cut])
    parsed = read_mbox(path, owner=ANA, options={})
    _valid(parsed)
    assert parsed.n_rows == 19
    assert parsed.rejects.num_rows == 0
    full = read_mbox(takeout, owner=ANA, options={})
    last_line = max(parsed.interactions.column("line").to_pylist())
    assert parsed.interactions.equals(
        full.interactions.filter(pc.less_equal(full.interactions.column("line"), last_line))
    )
    path.write_bytes(data[: data.index(b"Claim your prize")])  # inside a body
    assert read_mbox(path, owner=ANA, options={}).n_rows == 10


def test_body_from_lines_do_not_split(tmp_path):
    path = tmp_path / "f.mbox"
    body = (
        "Hi,\n\nFrom what I heard, it went well.\nSee you.\n\nFrom 9:30 to 10:00 on Monday.\n\n"
        "From: a forwarded header? no.\n"
    )
    text = (
        _msg("From: a@x.example\nTo: b@x.example", body)
        + _msg("From: c@x.example\nTo: a@x.example", envelope="From c@x.example")  # envelope without a date
        + _msg("From: d@x.example\nTo: a@x.example", envelope="From - Mon Jan 05 10:00:00 2026")
    )
    path.write_text(text)
    parsed = read_mbox(path, owner=None, options={})
    assert parsed.n_rows == 3 and parsed.rejects.num_rows == 0
    assert parsed.interactions.num_rows == 3


def test_crlf_bom_leading_blank_lines_and_folding(tmp_path):
    path = tmp_path / "c.mbox"
    text = "\ufeff\r\n" + (
        "From x Mon Jan  5 10:00:00 2026\r\nFROM: =?iso-8859-1?q?Andr=E9?= <A@X.example>\r\n"
        'To: b@x.example,\r\n\tc@x.example\r\nCC: "Doe, Jane" <jane@x.example>\r\n'
        "Date: 5 Jan 2026 10:00 +0530\r\n\r\nbody\r\n\r\n"
    )
    path.write_bytes(text.encode("utf-8"))
    assert detect_format(path).name == "mbox"
    parsed = read_mbox(path, owner=None, options={})
    recs = {r["emails"][0]: r["display_name"] for r in parsed.records.to_pylist()}
    assert recs == {"a@x.example": "André", "b@x.example": None, "c@x.example": None, "jane@x.example": "Doe, Jane"}
    assert set(parsed.interactions.column("line").to_pylist()) == {2}
    assert set(parsed.interactions.column("at").to_pylist()) == {datetime(2026, 1, 5, 4, 30, tzinfo=UTC)}


def test_oversize_header_is_rejected(tmp_path, monkeypatch):
    monkeypatch.setattr(mail, "MAX_HEADER", 2000)
    monkeypatch.setattr(mail, "CHUNK", 512)
    path = tmp_path / "big.mbox"
    huge = "To: " + ",\n ".join(f"p{i}@x.example" for i in range(400))
    path.write_text(
        _msg("From: a@x.example\nTo: b@x.example")
        + _msg(f"From: a@x.example\n{huge}")
        + _msg("From: c@x.example\nTo: b@x.example")
    )
    parsed = read_mbox(path, owner=None, options={})
    assert parsed.n_rows == 3
    first, second, third = _separator_lines(path)
    assert [r["line"] for r in parsed.rejects.to_pylist()] == [second] == [7]
    assert sorted(set(parsed.interactions.column("line").to_pylist())) == [first, third]
    eml = tmp_path / "big.eml"
    eml.write_text(f"From: a@x.example\n{huge}\n\nbody\n")
    parsed = read_eml(eml, owner=None, options={})
    assert parsed.n_rows == 1 and parsed.rejects.num_rows == 1 and parsed.records.num_rows == 0


# --------------------------------------------------------------------------- not mail


def test_not_mail_raises_naming_the_file(tmp_path, shared_data):
    binary = tmp_path / "photo.mbox"
    binary.write_bytes(bytes(range(256)) * 64)
    csv = tmp_path / "contacts.mbox"
    csv.write_text("First Name,Last Name\nAna,Souza\n")
    empty = tmp_path / "empty.mbox"
    empty.write_bytes(b"")
    letter = tmp_path / "letter.mbox"
    letter.write_text("From the desk of the director\nDear all,\n\nFrom Monday on, the office is closed.\n")
    with pytest.raises(InputFormatError, match="letter.mbox"):
        read_mbox(letter, owner=None, options={})
    for path in (binary, csv, empty):
        for reader in (read_mbox, read_eml):
            with pytest.raises(InputFormatError, match=str(path.name)):
                reader(path, owner=None, options={})
    with pytest.raises(InputFormatError, match="photo.mbox"):
        detect_format(binary)
    with pytest.raises(InputFormatError, match="not a maildir"):
        read_maildir(tmp_path, owner=None, options={})
    with pytest.raises(InputFormatError, match="cannot read"):
        read_mbox(tmp_path / "missing.mbox", owner=None, options={})
    # other real formats are not taken for mail
    for rel in (
        "vcard/ez-vcard/John_Doe_GMAIL.vcf",
        "ics/biweekly/outlook-2010.ics",
        "contacts_csv/linkedin_Connections.tombarr.csv",
        "snap_email_eu_core/email-Eu-core.txt",
    ):
        head = (shared_data / rel).read_text(encoding="utf-8", errors="replace")[:65536]
        assert mail.sniff_mbox(head, shared_data / rel) == 0
        assert mail.sniff_eml(head, shared_data / rel) == 0


# --------------------------------------------------------------------------- eml and maildir


def test_eml(tmp_path, takeout):
    one = next(iter(mailbox.mbox(takeout)))
    path = tmp_path / "q1.eml"
    path.write_bytes(one.as_bytes().split(b"\n", 1)[1] if one.as_bytes().startswith(b"From ") else one.as_bytes())
    assert detect_format(path).name == "eml"
    parsed = read_eml(path, owner=ANA, options={})
    _valid(parsed)
    assert parsed.n_rows == 1 and parsed.rejects.num_rows == 0
    assert parsed.interactions.to_pylist()[0]["line"] == 1
    assert _pairs(parsed) == {(ANA, "ben@northwind.example"): 1}
    # with an mbox envelope line in front (as some tools save), and a message without From
    path.write_text("From x Mon Jan  5 10:00:00 2026\nFrom: a@x.example\nTo: b@x.example\n\nhi\n")
    assert read_eml(path, owner=None, options={}).interactions.num_rows == 1
    path.write_text("Subject: hi\nTo: b@x.example\n\nhi\n")
    rej = read_eml(path, owner=None, options={})
    assert rej.n_rows == 1 and rej.rejects.to_pylist()[0]["reason"] == "no From header"


def _maildir(tmp_path: Path, takeout: Path) -> tuple[Path, int]:
    root = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Trash/cur"):
        (root / sub).mkdir(parents=True)
    msgs = [m.as_bytes() for m in mailbox.mbox(takeout)]
    for i, raw in enumerate(msgs[:10]):
        (root / "cur" / f"17000000{i:02d}.M1P1.host:2,S").write_bytes(raw)
    for i, raw in enumerate(msgs[10:20]):
        (root / ".Sent" / "new" / f"17000001{i:02d}.M1P1.host").write_bytes(raw)
    (root / ".Trash" / "cur" / "1700000200.M1P1.host:2,S").write_bytes(msgs[20])
    (root / "cur" / "1700000201.M1P1.host:2,ST").write_bytes(msgs[21])  # flagged trashed
    (root / "new" / "1700000202.M1P1.host").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    (root / "tmp" / "1700000203.M1P1.host").write_bytes(msgs[22])  # being delivered: ignored
    (root / ".Sent" / "cur" / "1700000204.M1P1.host:2,S").write_bytes(msgs[0])  # a copy of message 0
    return root, 10 + 10 + 1 + 1 + 1 + 1


def test_maildir(tmp_path, takeout):
    root, n_files = _maildir(tmp_path, takeout)
    assert detect_format(root).name == "maildir"
    parsed = read_maildir(root, owner=ANA, options={"aliases": [ALIAS]})
    _valid(parsed)
    assert parsed.n_rows == n_files
    # skipped: Spam, list, Trash-labelled and auto-reply mail (messages 9, 10, 13, 14 of the sample),
    # the message in the .Trash folder, the one flagged T and the second copy of message 0
    assert parsed.n_skipped == 7
    assert any("copies" in n for n in parsed.notes)
    rejects = parsed.rejects.to_pylist()
    assert len(rejects) == 1 and rejects[0]["reason"].startswith("new/1700000202.M1P1.host")
    # the same messages read as an mbox give the same pairs
    mb = tmp_path / "same.mbox"
    mbx = mailbox.mbox(mb)
    for m in list(mailbox.mbox(takeout))[:20]:
        mbx.add(m)
    mbx.flush()
    assert _pairs(parsed) == _pairs(read_mbox(mb, owner=ANA, options={"aliases": [ALIAS]}))


def test_maildir_sniff_ignores_files(tmp_path, takeout):
    root, _ = _maildir(tmp_path, takeout)
    assert mail.sniff_maildir("", root) > 0
    assert mail.sniff_maildir("", root / "cur") == 0
    assert mail.sniff_maildir("", takeout) == 0
    empty = tmp_path / "Empty"
    (empty / "new").mkdir(parents=True)
    parsed = read_maildir(empty, owner=None, options={})
    assert parsed.n_rows == 0 and parsed.records.num_rows == 0


# --------------------------------------------------------------------------- streaming


def test_memory_is_flat_in_file_size(tmp_path):
    """A 24 MB mailbox of big bodies is read with a few chunks' worth of memory."""
    path = tmp_path / "big.mbox"
    body = ("x" * 79 + "\n") * 100_000  # 8 MB body
    with Path(path).open("w") as fh:
        fh.writelines(_msg(f"From: a{i}@x.example\nTo: b@x.example", body) for i in range(3))
    tracemalloc.start()
    parsed = read_mbox(path, owner=None, options={})
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert parsed.n_rows == 3 and parsed.interactions.num_rows == 3
    assert peak < 3 * mail.CHUNK + 2_000_000 < path.stat().st_size / 2


# --------------------------------------------------------------------------- fast paths agree with the stdlib

_atom = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=8).filter(
    lambda s: s[0] not in ".-"
)
_address = st.builds(lambda a, b: f"{a}@{b}.example", _atom, _atom)
_name = st.text(alphabet="ABCabcÉéü .'-", min_size=1, max_size=12).filter(lambda s: s.strip(" .'-"))
_entry = st.one_of(
    _address,
    st.builds(lambda n, a: f"{n} <{a}>", _name, _address),
    st.builds(lambda n, a: f'"{n}, X" <{a}>', _name, _address),
    st.builds(lambda a: f"<{a}>", _address),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_entry, min_size=1, max_size=5), st.sampled_from([", ", ",", " , ", ",\n\t"]))
def test_address_fast_path_matches_getaddresses(entries, sep):
    value = sep.join(entries)
    expected = [(mail._clean_name(n) if n else None, a.lower()) for n, a in getaddresses([value.replace("\n", "")])]
    assert parse_addresses(value.encode()) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
    st.booleans(),
)
def test_date_fast_path_matches_parsedate(when, offset_min, weekday):
    dt = when.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=offset_min)))
    text = format_datetime(dt)
    if not weekday:
        text = text.split(", ", 1)[1]
    expected = parsedate_to_datetime(text)
    got = parse_date(text.encode())
    assert got == (expected - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def test_dates_odd_and_garbage():
    epoch = datetime(1970, 1, 1, tzinfo=UTC)

    def as_dt(v):
        got = parse_date(v)
        return None if got is None else epoch + timedelta(microseconds=got)

    assert as_dt(b"Mon, 29 Oct 2001 16:34:23 -0800 (PST)") == datetime(2001, 10, 30, 0, 34, 23, tzinfo=UTC)
    assert as_dt(b"Tue, 1 Jul 2003 10:52:37 GMT") == datetime(2003, 7, 1, 10, 52, 37, tzinfo=UTC)
    assert as_dt(b"1 Jul 03 10:52 EDT") == datetime(2003, 7, 1, 14, 52, tzinfo=UTC)
    assert as_dt(b"Thu, 29 Feb 2024 23:59:59 -0000") == datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)
    for bad in (
        b"",
        b"sometime last week",
        b"31 Feb 2024 10:00:00 +0000",
        b"Mon, 99 Foo 2024 25:61 +9999",
        b"\xff\xfe",
        b"1 Jan 2024 24:00:00 +0000",
    ):
        assert parse_date(bad) is None, bad


# --------------------------------------------------------------------------- fuzz

_header_names = st.sampled_from(
    [
        "From",
        "To",
        "Cc",
        "Bcc",
        "Date",
        "Subject",
        "X-Gmail-Labels",
        "List-Id",
        "Precedence",
        "Auto-Submitted",
        "X-From",
        "Received",
        "from",
        "TO",
        "",
        " ",
    ]
)
_values = st.one_of(
    st.text(max_size=40),
    _address,
    st.lists(_entry, max_size=4).map(", ".join),
    st.sampled_from(
        [
            "=?utf-8?q?bad",
            "=?x?b?!!?=",
            "<>",
            "@",
            "a@",
            "@b",
            '"unterminated <a@b',
            "Spam",
            "bulk",
            "Mon, 99 Foo 2024 25:61 +9999",
            "(((",
            "undisclosed-recipients:;",
        ]
    ),
)
_header = st.builds(lambda n, v: f"{n}: {v}", _header_names, _values) | st.text(max_size=30)
_message = st.builds(
    lambda env, hs, body, eol: eol.join([env, *hs, "", body, ""]),
    st.sampled_from(["From x Mon Jan  5 10:00:00 2026", "From ", "From  ", "From -", "From x"]),
    st.lists(_header, max_size=6),
    st.text(max_size=60),
    st.sampled_from(["\n", "\r\n"]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_message, min_size=1, max_size=5), st.integers(min_value=0, max_value=3))
def test_fuzz_structured_mbox(tmp_path, messages, cut):
    data = "".join(messages).encode("utf-8", errors="surrogatepass")
    if cut:
        data = data[: len(data) * cut // 4]
    path = tmp_path / "fuzz.mbox"
    path.write_bytes(data)
    for reader in (read_mbox, read_eml):
        try:
            parsed = reader(path, owner="ana@northwind.example", options={"aliases": ["x@x.example"]})
        except ReachError:
            continue
        _valid(parsed)
        assert parsed.n_rows >= parsed.n_skipped + parsed.rejects.num_rows


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400), st.sampled_from([b"", b"From x Mon Jan  5 10:00:00 2026\n", b"From: a@b.c\n"]))
def test_fuzz_bytes(tmp_path, data, prefix):
    path = tmp_path / "fuzz.bin"
    path.write_bytes(prefix + data)
    for reader in (read_mbox, read_eml):
        try:
            parsed = reader(path, owner=None, options={})
        except ReachError:
            continue
        _valid(parsed)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.binary(max_size=200) | _message.map(str.encode), max_size=4))
def test_fuzz_maildir(tmp_path, files):
    import shutil

    root = tmp_path / "md"
    shutil.rmtree(root, ignore_errors=True)
    (root / "cur").mkdir(parents=True)
    for i, data in enumerate(files):
        (root / "cur" / f"{i}.host:2,S").write_bytes(data)
    try:
        parsed = read_maildir(root, owner=None, options={})
    except ReachError:
        return
    _valid(parsed)
    assert parsed.n_rows == len(files)


# --------------------------------------------------------------------------- real_exports_2: RFC 2822 and maildir trees


def _message(sender: str, to: str, mid: str, date: str = "Thu, 13 Feb 2020 23:32:54 +0000") -> bytes:
    return f"From: {sender}\nTo: {to}\nDate: {date}\nMessage-ID: {mid}\nSubject: s\n\nbody\n".encode()


def test_rfc2822_comments_never_reach_names(shared_data):
    parsed = read_eml(shared_data / "real_exports_2/eml/mailgem.rfc2822_comments_everywhere.eml")
    recs = parsed.records.to_pylist()
    # the RFC 2822 A.5 example: the names are the phrases, the addresses have their comments removed
    assert sorted(((r["display_name"] or ""), r["emails"][0]) for r in recs) == sorted(
        [
            ("Pete", "pete@silly.test"),
            ("Chris Jones", "c@public.example"),
            ("", "joe@example.org"),
            ("John", "jdoe@one.test"),
        ]
    )
    assert all(r["emails"] for r in recs)
    assert parsed.interactions.num_rows == 3


def test_rfc2822_groups(shared_data):
    path = shared_data / "real_exports_2/eml/mailgem.rfc2822_groups.eml"
    parsed = read_eml(path)
    # oracle: the stdlib's group-aware header parser
    import email
    from email import policy

    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    expected = {a.addr_spec.lower() for h in ("From", "To", "Cc") for g in msg[h].groups for a in g.addresses}
    assert {e for r in parsed.records.to_pylist() for e in r["emails"]} == expected
    assert len(expected) == 4
    assert parse_addresses(b"Undisclosed recipients:;") == []
    assert parse_addresses(b"A Group(Some people):Chris <c@a.test>, joe@b.test;, x@y.test") == [
        ("Chris", "c@a.test"),
        (None, "joe@b.test"),
        (None, "x@y.test"),
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"john@doe <john@doe.com>, Bob <b@c.d>", [(None, "john@doe.com"), ("Bob", "b@c.d")]),
        (b"Mary @ Home <m@h.org>", [(None, "m@h.org")]),
        (b'"joe@x.com" <joe@x.com>', [(None, "joe@x.com")]),
        (b"jdoe@one.test (John Doe)", [("John Doe", "jdoe@one.test")]),
        (b'"Smith, J" <s@x.y>, "a\\"b" <ab@x.y>', [("Smith, J", "s@x.y"), ('a"b', "ab@x.y")]),
        (b"Pete(A wonderful \\) chap) <pete(his account)@silly.test(his host)>", [("Pete", "pete@silly.test")]),
    ],
)
def test_names_holding_at_or_comments_make_no_extra_person(header, expected):
    assert parse_addresses(header) == expected


ATOM = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
ADDRS = st.builds(lambda a, b: f"{a}@{b}.example", ATOM, ATOM)
PHRASES = st.one_of(
    st.none(),
    st.text("abcdefghij KLMNOP.-'", min_size=1, max_size=15).filter(str.strip),
    st.builds(lambda a: f"{a}@home", ATOM),
)
COMMENTS = st.one_of(st.just(""), st.builds(lambda t: f"({t})", st.text("abc xyz,:;<>@", max_size=10)))


@settings(max_examples=300, deadline=None)
@given(entries=st.lists(st.tuples(PHRASES, ADDRS, COMMENTS), min_size=1, max_size=6), group=st.booleans())
def test_address_lists_with_comments_and_groups(entries, group):
    """Oracle: the generator. Every address comes back once, in order; a name never holds a comment's text."""
    parts = []
    for phrase, addr, comment in entries:
        local, domain = addr.split("@")
        spec = f"{local}{comment}@{domain}"
        parts.append(f'"{phrase}"{comment} <{spec}>' if phrase else f"{spec}")
    text = ", ".join(parts)
    if group:
        text = f"Team{entries[0][2]}: {text};, Undisclosed recipients:;"
    got = parse_addresses(text.encode())
    assert [a for _, a in got] == [a for _, a, _ in entries]
    for (name, _), (phrase, _, comment) in zip(got, entries, strict=True):
        if phrase:
            assert name == (None if "@" in phrase else " ".join(phrase.split()).strip("'\" ") or None)
        elif comment:
            assert name is None or name == " ".join(comment[1:-1].split()) or name == comment


def test_nested_plain_maildirs_are_read_fully(tmp_path):
    root = tmp_path / "mail"
    for folder, name, sender in [
        ("INBOX", "1", "a@x.test"),
        ("bar", "2", "b@x.test"),
        ("bar/baz", "3", "c@x.test"),
        ("bar/baz/deep", "4", "d@x.test"),
        ("Trash", "5", "t@x.test"),
        ("Trash/old", "6", "u@x.test"),
    ]:
        for part in ("cur", "new", "tmp"):
            (root / folder / part).mkdir(parents=True, exist_ok=True)
        (root / folder / "new" / ".noindex").write_bytes(b"")
        (root / folder / "cur" / name).write_bytes(_message(sender, "me@x.test", f"<{name}@x>"))
    parsed = read_maildir(root, owner="me@x.test")
    senders = {e for r in parsed.records.to_pylist() for e in r["emails"] or []}
    assert senders == {"me@x.test", "a@x.test", "b@x.test", "c@x.test", "d@x.test"}
    assert parsed.n_rows == 6 and parsed.interactions.num_rows == 4
    assert detect_format(root).name == "maildir"


def test_mu_testdir2_sibling_maildirs(shared_data):
    root = shared_data / "real_exports_2/maildir/mu_testdir2"
    assert not (root / "cur").exists()
    parsed = read_maildir(root)
    # oracle: every file in a cur/ or new/ (no dot files), parsed by the stdlib
    import email

    msgs = [
        email.message_from_bytes(f.read_bytes())
        for f in sorted(root.glob("*/*/*"))
        if f.parent.name in ("cur", "new") and not f.name.startswith(".")
    ]
    assert parsed.n_rows == len(msgs) == 14
    addrs = {
        a.lower() for m in msgs for h in ("From", "To", "Cc") for _, a in getaddresses(m.get_all(h, [])) if "@" in a
    }
    assert {e for r in parsed.records.to_pylist() for e in r["emails"]} == addrs


def test_messages_sharing_a_message_id_are_all_kept(tmp_path):
    root = tmp_path / "md"
    for part in ("cur", "new", "tmp"):
        (root / part).mkdir(parents=True)
    (root / ".Archive" / "cur").mkdir(parents=True)
    for i, sender in enumerate(["a@x.test", "b@x.test", "c@x.test"]):
        (root / "cur" / f"m{i}").write_bytes(_message(sender, "me@x.test", "<same@x>"))
    # a true second copy (same id, sender and date) in another folder is one message
    (root / ".Archive" / "cur" / "copy").write_bytes(_message("a@x.test", "me@x.test", "<same@x>"))
    parsed = read_maildir(root, owner="me@x.test")
    assert parsed.interactions.num_rows == 3
    assert {e for r in parsed.records.to_pylist() for e in r["emails"] or []} == {
        "me@x.test",
        "a@x.test",
        "b@x.test",
        "c@x.test",
    }
