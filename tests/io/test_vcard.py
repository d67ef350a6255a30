from __future__ import annotations

import contextlib
import logging
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.errors import InputFormatError
from reach.io.formats import detect_format
from reach.io.vcard import FORMATS, read_vcard, sniff

REAL_FILES = [
    "ez-vcard/John_Doe_ANDROID.vcf",
    "ez-vcard/John_Doe_BLACK_BERRY.vcf",
    "ez-vcard/John_Doe_EVOLUTION.vcf",
    "ez-vcard/John_Doe_GMAIL.vcf",
    "ez-vcard/John_Doe_IPHONE.vcf",
    "ez-vcard/John_Doe_MAC_ADDRESS_BOOK.vcf",
    "ez-vcard/John_Doe_MS_OUTLOOK.vcf",
    "ez-vcard/gmail-list.vcf",
    "ez-vcard/gmail-single.vcf",
    "ez-vcard/outlook-2003.vcf",
    "ez-vcard/rfc2426-example.vcf",
    "ez-vcard/rfc6350-example.vcf",
    "vobject/radicale-1587.vcf",
]


def rows(parsed) -> list[dict]:
    return pl.from_arrow(parsed.records).filter(pl.col("role") == "contact").to_dicts()


def raw_lines(path: Path) -> list[str]:
    """Independent line split: by LF only, as editors and grep count lines."""
    return path.read_bytes().decode("utf-8", "replace").split("\n")


def test_every_real_file_is_found_and_read(shared_data):
    found = sorted(str(p.relative_to(shared_data / "vcard")) for p in (shared_data / "vcard").rglob("*.vcf"))
    assert found == sorted(REAL_FILES), "a new real file: add it to REAL_FILES and check its values"


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_file_cards_and_lines(shared_data, name):
    path = shared_data / "vcard" / name
    assert detect_format(path).name == "vcard"
    parsed = read_vcard(path, owner=None, options={})
    lines = raw_lines(path)
    begins = [i + 1 for i, ln in enumerate(lines) if ln.strip().upper() == "BEGIN:VCARD"]
    assert parsed.n_rows == len(begins)
    assert parsed.records.num_rows + parsed.rejects.num_rows == len(begins)
    rec_lines = pl.from_arrow(parsed.records)["line"].to_list()
    assert sorted(rec_lines + pl.from_arrow(parsed.rejects)["line"].to_list()) == begins
    assert parsed.interactions.num_rows == 0  # no owner, no address-book edges
    # no base64 payload leaked into any value
    for rec in rows(parsed):
        for value in [rec["display_name"], rec["company"], *(rec["emails"] or []), *(rec["phones"] or [])]:
            assert value is None or len(value) < 200


def test_android_21_quoted_printable_soft_breaks(shared_data):
    parsed = read_vcard(shared_data / "vcard/ez-vcard/John_Doe_ANDROID.vcf", owner=None)
    recs = rows(parsed)
    assert [r["line"] for r in recs] == [1, 6, 11, 18, 36, 71]
    assert recs[0]["emails"] == ["john.doe@company.com"] and recs[0]["display_name"] is None
    assert recs[1]["emails"] == ["jane.doe@company.com"]
    # N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=91=20... (a value ending in '=' goes on)
    assert recs[2]["display_name"] == "Ñ Ñ Ñ Ñ Ñ" and recs[2]["phones"] == ["123456789"]
    assert recs[3]["display_name"] == " ".join(["Ñ"] * 11)  # soft break in the middle of FN
    assert recs[3]["phones"] == ["123456", "234567", "3456789", "45678901"]  # bare TEL;CELL;PREF:
    assert recs[4]["first_name"] == "Ñ Ñ Ñ" and recs[4]["last_name"] == "Ñ Ñ"
    assert recs[4]["emails"] == ["bob@company.com"]  # the QP "email" without an @ is dropped
    assert recs[4]["phones"] == ["123456"]  # three TEL lines with the same number: once
    assert recs[4]["company"] == "Ñ" * 12
    assert recs[5]["company"] == "Ñ" * 44  # four soft-broken lines, then a blank line ends the value
    assert recs[5]["emails"] == ["henry@company.com"] and recs[5]["phones"] == ["55556666"]
    assert any("without an address" in n for n in parsed.notes)


JOHN_DOE = {
    # file: (display_name, emails, phones, company, title) read by eye from the files
    "John_Doe_BLACK_BERRY.vcf": ("John Doe", None, ["+96123456789"], "Acme Solutions", None),
    "John_Doe_EVOLUTION.vcf": (
        "Mr. John Richter, James Doe Sr.",
        ["john.doe@ibm.com"],
        ["905-666-1234", "905-555-1234"],
        "IBM",
        "Money Counter",
    ),
    "John_Doe_GMAIL.vcf": (
        "Mr. John Richter, James Doe Sr.",
        ["john.doe@ibm.com"],
        ["905-555-1234", "905-666-1234"],
        "IBM",
        "Money Counter",
    ),
    "John_Doe_IPHONE.vcf": (
        "Mr. John Richter James Doe Sr.",
        ["john.doe@ibm.com"],
        [
            "905-555-1234",
            "905-666-1234",
            "905-777-1234",
            "905-888-1234",
            "905-999-1234",
            "905-111-1234",
            "905-222-1234",
        ],
        "IBM",
        "Money Counter",
    ),
    "John_Doe_MAC_ADDRESS_BOOK.vcf": (
        "Mr. John Richter,James Doe Sr.",
        ["john.doe@ibm.com"],
        [
            "905-777-1234",
            "905-666-1234",
            "905-555-1234",
            "905-888-1234",
            "905-999-1234",
            "905-111-1234",
            "905-222-1234",
        ],
        "IBM",
        "Money Counter",
    ),
    "John_Doe_MS_OUTLOOK.vcf": (
        "Mr. John Richter James Doe Sr.",
        ["john.doe@ibm.cm"],
        ["(905) 555-1234", "(905) 666-1234"],
        "IBM",
        "Money Counter",
    ),
}


@pytest.mark.parametrize("name", sorted(JOHN_DOE))
def test_john_doe_in_each_export(shared_data, name):
    display, emails, phones, company, title = JOHN_DOE[name]
    (rec,) = rows(read_vcard(shared_data / "vcard/ez-vcard" / name, owner=None))
    assert rec["line"] == 1
    assert rec["display_name"] == display
    assert rec["emails"] == emails
    assert rec["phones"] == phones
    assert rec["company"] == company
    assert rec["title"] == title
    assert rec["last_name"] == "Doe"
    assert rec["first_name"].lower() == "john"


def test_evolution_folds_inside_values(shared_data):
    # TEL;X-COUCHDB-UUID="...";TYPE=CELL:905-666<CRLF><SP>-1234 and EMAIL folded after "john."
    (rec,) = rows(read_vcard(shared_data / "vcard/ez-vcard/John_Doe_EVOLUTION.vcf", owner=None))
    assert "905-666-1234" in rec["phones"] and rec["emails"] == ["john.doe@ibm.com"]


def test_iphone_cr_cr_lf_and_item_groups(shared_data):
    path = shared_data / "vcard/ez-vcard/John_Doe_IPHONE.vcf"
    assert b"\r\r\n" in path.read_bytes()
    (rec,) = rows(read_vcard(path, owner=None))
    assert "905-222-1234" in rec["phones"]  # item2.TEL: a matcher anchored at ^TEL drops it
    assert rec["emails"] == ["john.doe@ibm.com"]  # item1.EMAIL


def test_outlook_2003_placeholders_and_key(shared_data):
    parsed = read_vcard(shared_data / "vcard/ez-vcard/outlook-2003.vcf", owner=None)
    (rec,) = rows(parsed)
    assert rec["display_name"] == "John Doe III" and rec["first_name"] == "John"
    assert rec["company"] == "Company, The" and rec["title"] == "The Job Title"
    assert rec["emails"] == ["jdoe@hotmail.com"]  # after the base64 KEY and its blank lines
    assert rec["phones"] is None  # "BusinessPhone", "HomePhone"... are not numbers
    assert any("4 TEL" in n for n in parsed.notes)


def test_gmail_and_rfc_examples(shared_data):
    base = shared_data / "vcard/ez-vcard"
    assert [(r["display_name"], r["emails"]) for r in rows(read_vcard(base / "gmail-list.vcf", owner=None))] == [
        ("Arnold Smith", ["asmithk@gmail.com"]),
        ("Chris Beatle", ["chrisy55d@yahoo.com"]),
        ("Doug White", ["dwhite@gmail.com"]),
    ]
    (greg,) = rows(read_vcard(base / "gmail-single.vcf", owner=None))
    assert greg["phones"] == ["555 555 1111", "555 555 2222"] and greg["company"] == "TheCompany"
    frank, tim = rows(read_vcard(base / "rfc2426-example.vcf", owner=None))  # BEGIN:vCard, LF
    assert frank["display_name"] == "Frank Dawson" and frank["line"] == 1 and tim["line"] == 13
    assert frank["emails"] == ["Frank_Dawson@Lotus.com", "fdawson@earthlink.net"]
    assert frank["company"] == "Lotus Development Corporation"
    assert tim["phones"] == ["+1-415-937-3419", "+1-415-528-4164"]
    (simon,) = rows(read_vcard(base / "rfc6350-example.vcf", owner=None))  # vCard 4.0
    assert simon["phones"] == ["+1-418-656-9254", "+1-418-262-6501"]  # TEL;VALUE=uri:tel:...;ext=102
    assert (simon["first_name"], simon["last_name"], simon["company"]) == ("Simon", "Perreault", "Viagenie")
    (given,) = rows(read_vcard(shared_data / "vcard/vobject/radicale-1587.vcf", owner=None))
    assert (given["display_name"], given["first_name"], given["last_name"]) == ("Given Family", "Given", "Family")


VOBJECT_READABLE = [n for n in REAL_FILES if "ANDROID" not in n]  # vobject gives up on its bad base64


@pytest.mark.parametrize("name", VOBJECT_READABLE)
def test_against_vobject(shared_data, name):
    vobject = pytest.importorskip("vobject", reason="vobject (test-time oracle only) is not installed")
    logging.getLogger("vobject").setLevel(logging.CRITICAL)
    logging.getLogger("vobject.base").setLevel(logging.CRITICAL)
    path = shared_data / "vcard" / name
    cards = list(vobject.readComponents(path.read_text("utf-8", "replace"), ignoreUnreadable=True))
    mine = rows(read_vcard(path, owner=None))
    assert len(cards) == len(mine)
    for card, rec in zip(cards, mine, strict=True):
        emails = []
        for e in card.contents.get("email", []):
            if e.value not in emails:
                emails.append(e.value)
        assert (rec["emails"] or []) == emails
        phones = []
        for t in card.contents.get("tel", []):
            v = t.value.strip()
            v = v[4:].split(";")[0] if v.lower().startswith("tel:") else v
            if re.search(r"\d", v) and v not in phones:
                phones.append(v)
        assert (rec["phones"] or []) == phones


def test_owner_gets_an_address_book_edge_per_card(shared_data):
    parsed = read_vcard(shared_data / "vcard/ez-vcard/gmail-list.vcf", owner="me@example.com", options={})
    rec = pl.from_arrow(parsed.records)
    assert rec["role"].to_list() == ["owner", "contact", "contact", "contact"]
    assert rec["record_id"].to_list() == [0, 1, 2, 3]
    it = pl.from_arrow(parsed.interactions)
    assert it["src_record"].to_list() == [0, 0, 0] and it["dst_record"].to_list() == [1, 2, 3]
    assert set(it["channel"]) == {"contact"} and it["line"].to_list() == [1, 7, 13]
    assert it["at"].null_count() == 3 and set(it["n_participants"]) == {2}


def test_chloe_sample(samples_dir):
    path = samples_dir / "vcard" / "chloe-contacts.vcf"
    assert detect_format(path).name == "vcard"
    data = path.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") and b"\r\n PHOTO" not in data and b"\r\n " in data
    parsed = read_vcard(path, owner="chloe@northwind.example", options={})
    assert parsed.n_rows == 13
    recs = {r["display_name"]: r for r in rows(parsed)}
    assert len(recs) == 12
    grace = recs["Grace Lee"]
    assert grace["emails"] == ["grace.lee@acme.example", "grace@lee-family.example"]  # itemN.EMAIL
    assert grace["linkedin_url"] == "https://www.linkedin.com/in/grace-lee-acme-example"  # http\: unescaped
    assert grace["company"] == "Acme Corp" and grace["title"] == "Head of Partnerships"
    assert recs["Dev Patel"]["linkedin_url"] == "https://www.linkedin.com/in/dev-patel-globex-example"
    assert recs["Maria Rossi"]["company"] == "Initech, Inc."
    assert recs["Maria Rossi"]["phones"] == ["+39 02 5555 0191"]  # item2.TEL
    assert recs["Karim Nassar"]["emails"] == ["karim.nassar@umbrella.example"]  # same address in capitals
    assert recs["Ben Okafor"]["phones"] == ["+44 20 7946 0123", "+44 7700 900123"]
    assert recs["Hana Sato"]["phones"] == ["+1-555-010-0155"]  # vCard 4.0 TEL;VALUE=uri
    assert recs["Sofia Brandt"]["emails"] is None and recs["Sofia Brandt"]["phones"] == ["+1 (555) 010-0163"]
    rej = pl.from_arrow(parsed.rejects).to_dicts()
    assert [(r["line"], r["reason"]) for r in rej] == [(168, "card has no name, email or phone")]
    assert raw_lines(path)[167].startswith("BEGIN:VCARD")
    it = pl.from_arrow(parsed.interactions)
    assert it.height == 12 and set(it["channel"]) == {"contact"} and set(it["src_record"]) == {0}


def test_android_sample_quoted_printable(samples_dir):
    parsed = read_vcard(samples_dir / "vcard" / "chloe-android.vcf", owner=None)
    recs = rows(parsed)
    assert [(r["display_name"], r["first_name"], r["last_name"]) for r in recs] == [
        ("Tomás Herrera", "Tomás", "Herrera"),
        ("Finn Walsh", "Finn", "Walsh"),
        ("Zoë Adams", "Zoë", "Adams"),
    ]
    assert recs[0]["company"] == "Umbrella Logística"
    assert recs[1]["phones"] == ["+1 555 010 0122", "+1 555 010 0123"]


def write(tmp_path: Path, text: str, name: str = "x.vcf", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_rejects_and_the_rest_still_imports(tmp_path):
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Short\r\nEMAIL:cut@example.com\r\n"  # no END:VCARD
        "BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Nobody Inc.\r\nNOTE:no name\\, no email\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Good;Card;;;\r\nTEL:+1 555 010 0100\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Unfinished\r\n"
    )
    parsed = read_vcard(write(tmp_path, text), owner=None)
    assert parsed.n_rows == 4
    (good,) = rows(parsed)
    assert (good["line"], good["display_name"], good["phones"]) == (10, "Card Good", ["+1 555 010 0100"])
    rej = pl.from_arrow(parsed.rejects).sort("line").to_dicts()
    assert [(r["line"], r["reason"]) for r in rej] == [
        (1, "card has no END:VCARD"),
        (5, "card has no name, email or phone"),
        (15, "card has no END:VCARD"),
    ]
    assert rej[0]["excerpt"].startswith("BEGIN:VCARD\nVERSION:3.0\nFN:Cut Short")


def test_quirks(tmp_path):
    text = (
        "begin:vcard\nversion:3.0\nfn:  Lower   Case \nitem7.email;type=pref:lower@example.com\nend:vcard\n"
        'BEGIN:VCARD\nVERSION:4.0\nEMAIL;X-LABEL="a:b;c":quoted@example.com\nFN:Quoted Param\n'
        "TEL;VALUE=uri:TEL:+1-555-010-0199\nEMAIL:mailto:pref@example.com\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nN:O\\;Brien;Pat\\, Jr.;;;\nTITLE:Head of R\\&D\\nEMEA\n"
        "ORG:A\\;B;C\nEM\n AIL:folded@exam\n\tple.com\nURL:https://www.LinkedIn.com/in/pat\nEND:VCARD\n"
    )
    recs = rows(read_vcard(write(tmp_path, text), owner=None))
    assert recs[0]["display_name"] == "Lower Case" and recs[0]["emails"] == ["lower@example.com"]
    assert recs[1]["emails"] == ["quoted@example.com", "pref@example.com"]
    assert recs[1]["phones"] == ["+1-555-010-0199"]
    assert (recs[2]["last_name"], recs[2]["first_name"]) == ("O;Brien", "Pat, Jr.")
    assert recs[2]["display_name"] == "Pat, Jr. O;Brien"
    assert recs[2]["title"] == "Head of R&D EMEA" and recs[2]["company"] == "A;B"
    assert recs[2]["emails"] is None  # a property name folded in two is not EMAIL
    assert recs[2]["linkedin_url"] == "https://www.LinkedIn.com/in/pat"


def test_binary_payloads_are_jumped_without_losing_the_next_property(tmp_path):
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nPHOTO;ENCODING=b:AAAA\r\n BBBB\r\nEMAIL;TYPE=\r\n"
        " work:folded@x.example\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:B\r\nKEY;VALUE=uri:\r\n http://k.example/x.asc\r\n"
        "EMAIL:b@x.example\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:C\r\nPHOTO;VALUE=uri:https://p.example/c.jpg\r\n"
        "TEL:+1 555 010 0100\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:D\r\nPHOTO;ENCODING=BASE64;JPEG:/9j/4AAQ\r\nSkZJRg\r\n\r\n"
        "TEL;CELL:555-0101\r\nEND:VCARD\r\n"
    )
    recs = rows(read_vcard(write(tmp_path, text), owner=None))
    assert [(r["display_name"], r["emails"], r["phones"]) for r in recs] == [
        ("A", ["folded@x.example"], None),
        ("B", ["b@x.example"], None),
        ("C", None, ["+1 555 010 0100"]),
        ("D", None, ["555-0101"]),
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252", "utf-8-sig"])
def test_encodings(tmp_path, encoding):
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Müller\r\nEMAIL:zoe@example.com\r\nEND:VCARD\r\n"
    path = write(tmp_path, text, encoding=encoding)
    assert detect_format(path).name == "vcard"
    (rec,) = rows(read_vcard(path, owner=None))
    assert rec["display_name"] == "Zoë Müller"


def test_quoted_printable_charset_latin1(tmp_path):
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Ren=E9e=20Dupr=\r\n"
        "=E9\r\nN;QUOTED-PRINTABLE:Dupr=C3=A9;Ren=C3=A9e\r\nEND:VCARD\r\n"
    )
    (rec,) = rows(read_vcard(write(tmp_path, text), owner=None))
    assert rec["display_name"] == "Renée Dupré"
    assert (rec["last_name"], rec["first_name"]) == ("Dupré", "Renée")


def test_classic_mac_line_ends(tmp_path):
    text = "BEGIN:VCARD\rVERSION:3.0\rFN:Old Mac\rTEL:555-0100\rEND:VCARD\r"
    (rec,) = rows(read_vcard(write(tmp_path, text), owner=None))
    assert rec["display_name"] == "Old Mac" and rec["phones"] == ["555-0100"]


def test_not_a_vcard(tmp_path):
    with pytest.raises(InputFormatError, match="BEGIN:VCARD"):
        read_vcard(write(tmp_path, "FN:no card here\n"), owner=None)
    with pytest.raises(InputFormatError, match="cannot read"):
        read_vcard(tmp_path / "missing.vcf", owner=None)
    assert sniff("BEGIN:VCALENDAR\n") == 0.0
    assert sniff("\r\n  BEGIN:VCARD\r\n") == 1.0
    assert sniff("garbage\nBEGIN:VCARD\n") > 0
    assert [f.name for f in FORMATS] == ["vcard"] and not FORMATS[0].needs_owner


LINES = st.sampled_from(
    [
        "BEGIN:VCARD",
        "END:VCARD",
        "VERSION:3.0",
        "VERSION:2.1",
        "FN:Ann Example",
        "N:Example;Ann;;;",
        "EMAIL:ann@example.com",
        "item1.EMAIL;type=pref:x@example.com",
        "TEL;CELL;PREF:555-0100",
        "TEL;VALUE=uri:tel:+1-555",
        "ORG:A\\;B;C",
        "TITLE:T\\",
        "URL:https://linkedin.com/in/x",
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=91=",
        "FN;ENCODING=QUOTED-PRINTABLE;CHARSET=nope:=ZZ=",
        "=C3=91=20=",
        "=",
        "PHOTO;ENCODING=b:/9j/4AAQ",
        " AAAA",
        "\tBBBB",
        'EMAIL;X="unbalanced:a@b.c',
        'TEL;X="a:b":1',
        "N:;;;",
        "FN:",
        ":",
        ";",
        "BEGIN:VCARD\rEND:VCARD",
        "KEY;ENCODING=BASE64:",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.one_of(LINES, st.text(max_size=30)), max_size=40),
    sep=st.sampled_from(["\r\n", "\n", "\r", "\r\r\n"]),
)
def test_fuzz_only_input_format_errors(tmp_path, lines, sep):
    path = tmp_path / "fuzz.vcf"
    path.write_bytes(sep.join(lines).encode("utf-8", "surrogatepass"))
    try:
        parsed = read_vcard(path, owner="me@example.com", options={})
    except InputFormatError:
        return
    n_contacts = parsed.records.num_rows - 1
    assert n_contacts + parsed.rejects.num_rows == parsed.n_rows
    assert parsed.interactions.num_rows == n_contacts


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400))
def test_fuzz_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("vcf") / "b.vcf"
    path.write_bytes(b"BEGIN:VCARD\r\n" + data)
    with contextlib.suppress(InputFormatError):
        read_vcard(path, owner=None, options={})


# ----------------------------------------------------------------- character sets (real_exports_2)


def _prop_line(data: bytes, name: bytes) -> bytes:
    """Independent oracle: the raw value bytes of the first ``name`` property (split on CRLF/LF, first colon)."""
    for ln in data.replace(b"\r", b"").split(b"\n"):
        head, _, value = ln.partition(b":")
        if head.split(b";")[0].upper() == name:
            return value
    raise AssertionError(name)


def test_declared_shift_jis_charset_is_honoured(shared_data):
    path = shared_data / "real_exports_2/vcard/aosp.v21_japanese_shiftjis_qp.vcf"
    data = path.read_bytes()
    rec = rows(read_vcard(path, owner=None))[0]
    assert rec["display_name"] == _prop_line(data, b"FN").decode("shift_jis")
    family, given_name = _prop_line(data, b"N").decode("shift_jis").split(";")[:2]
    assert (rec["last_name"], rec["first_name"]) == (family, given_name)
    assert all("\u3040" <= c <= "\u9fff" or c in " 1" for c in rec["display_name"])  # CJK, no Latin-1 mojibake


def test_utf16be_without_bom_is_read(shared_data):
    path = shared_data / "real_exports_2/vcard/roundcube.utf16be_apple.vcf"
    data = path.read_bytes()
    assert not data.startswith(b"\xfe\xff")
    fn = _prop_line(data.decode("utf-16-be").encode("utf-8"), b"FN").decode("utf-8")
    assert rows(read_vcard(path, owner=None))[0]["display_name"] == fn


def test_cr_cr_lf_line_ends(shared_data):
    path = shared_data / "real_exports_2/vcard/aosp.v30_ios613_crcrlf.vcf"
    data = path.read_bytes()
    assert b"\r\r\n" in data
    rec = rows(read_vcard(path, owner=None))[0]
    email = _prop_line(data, b"ITEM1.EMAIL").decode()
    assert rec["emails"] == [email]
    assert rec["display_name"] == _prop_line(data, b"FN").decode()


def test_empty_fn_takes_the_org_and_a_bare_fn_line_is_ignored(shared_data):
    path = shared_data / "real_exports_2/vcard/kcontacts.evolution_ximian_welcome.vcf"
    data = path.read_bytes()
    assert b"\nFN\n" in data
    rec = rows(read_vcard(path, owner=None))[0]
    assert rec["display_name"] == _prop_line(data, b"ORG").decode() == rec["company"]
    assert rec["emails"] == [_prop_line(data, b"EMAIL").decode()]


def test_empty_fn_takes_its_name_from_n(tmp_path):
    path = tmp_path / "n.vcf"
    path.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\r\nN:Lovelace;Ada;;;\r\nORG:Analytical\r\nEND:VCARD\r\n")
    assert rows(read_vcard(path, owner=None))[0]["display_name"] == "Ada Lovelace"


def test_cards_in_different_charsets_in_one_file(tmp_path):
    path = tmp_path / "mixed.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=SHIFT_JIS:" + "山田 太郎".encode("shift_jis") + b"\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=ISO-8859-1:" + "José Müller".encode("latin-1") + b"\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:" + "Zoë Ångström".encode() + b"\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:" + "Renée “Ré”".encode("cp1252") + b"\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=KOI8-R;ENCODING=QUOTED-PRINTABLE:"
        + "".join(f"={b:02X}" for b in "Иван".encode("koi8-r")).encode()
        + b"\r\nEND:VCARD\r\n"
    )
    parsed = read_vcard(path, owner=None)
    assert [r["display_name"] for r in rows(parsed)] == [
        "山田 太郎",
        "José Müller",
        "Zoë Ångström",
        "Renée “Ré”",
        "Иван",
    ]
    assert [r["line"] for r in rows(parsed)] == [1, 5, 9, 13, 17]


NAMES = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x2FFFF, blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Zs")),
    min_size=1,
    max_size=20,
).map(lambda s: " ".join(s.replace(";", " ").replace(",", " ").replace("\\", " ").split()))


@settings(max_examples=200, deadline=None)
@given(name=NAMES.filter(bool), cut=st.integers(min_value=1, max_value=200), crlf=st.booleans(), other=st.booleans())
def test_a_fold_inside_a_multibyte_character_is_unfolded_before_decoding(tmp_path_factory, name, cut, crlf, other):
    """RFC 6350 3.2: unfold the bytes, then decode; a fold anywhere in the FN bytes gives back the name."""
    nl = b"\r\n" if crlf else b"\n"
    value = name.encode("utf-8")
    cut = min(cut, len(value))
    folded = b"FN:" + value[:cut] + nl + b" " + value[cut:] if cut < len(value) else b"FN:" + value
    card = b"BEGIN:VCARD" + nl + b"VERSION:4.0" + nl + folded + nl + b"EMAIL:a@b.example" + nl + b"END:VCARD" + nl
    if other:  # a second card the fold must not disturb
        card += b"BEGIN:VCARD" + nl + "FN:Ünal".encode() + nl + b"END:VCARD" + nl
    path = tmp_path_factory.mktemp("fold") / "f.vcf"
    path.write_bytes(card)
    recs = rows(read_vcard(path, owner=None))
    assert recs[0]["display_name"] == name
    assert recs[0]["emails"] == ["a@b.example"]
    if other:
        assert recs[1]["display_name"] == "Ünal"
        assert recs[1]["line"] == 6 + (1 if cut < len(value) else 0)
