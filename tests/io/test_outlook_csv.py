from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.errors import InputFormatError, ReachError
from reach.io.formats import detect_format
from reach.io.outlook_csv import read_outlook_csv

# the outlook.com / Google "Outlook CSV" flavour (FORMATS.md 4.3), trimmed to the columns that matter
LIVE_HEADER = (
    "First Name,Middle Name,Last Name,Title,Suffix,Nickname,E-mail Address,E-mail 2 Address,"
    "E-mail 3 Address,Home Phone,Business Phone,Mobile Phone,Business Fax,Job Title,Department,Company,"
    "Business City,Business Country/Region,Personal Web Site,Categories"
)


def _names(parsed) -> dict[str, dict]:
    return {r["display_name"]: r for r in parsed.records.to_pylist() if r["role"] == "contact"}


def test_desktop_sample_cp1252(samples_dir):
    path = samples_dir / "outlook" / "chloe-outlook.csv"
    raw = path.read_bytes()
    assert raw.startswith(b'"Title","First Name"') and b"M\xfcller" in raw  # every field quoted, Windows-1252
    assert detect_format(path).name == "outlook-csv"
    parsed = read_outlook_csv(path, owner="chloe@northwind.example", options={})
    people = _names(parsed)
    assert parsed.rejects.num_rows == 0 and parsed.n_rows == 12
    lucas = people["Lucas Müller"]
    assert lucas["location"] == "Zürich, Switzerland" and lucas["company"] == "Massive Dynamic"
    # the Exchange DN in "E-mail Address" is not an email; the SMTP address in "E-mail 2" is kept
    ben = people["Ben Okafor"]
    assert ben["emails"] == ["ben@northwind.example"] and ben["phones"] == ["+44 20 7946 0123"]
    assert any("Exchange" in n for n in parsed.notes)
    assert not any("/o=" in e for r in people.values() for e in (r["emails"] or []))
    # phones without the fax, web page on linkedin.com, a multi-line street moves the next row's line
    grace = people["Grace Lee"]
    assert grace["phones"] == ["+1 555-0142", "+1 555-0143"]  # in column order
    assert grace["linkedin_url"] == "https://www.linkedin.com/in/grace-lee"
    assert grace["title"] == "VP Engineering" and grace["line"] == 4
    assert people["Maria Luisa Rossi"]["line"] == 6 and people["Maria Luisa Rossi"]["last_name"] == "Rossi"
    # Business Country/Region, else the home address
    assert people["Olivia Brown"]["location"] == "Evanston, United States"
    assert people["Ahmed Khan"]["emails"] is None and people["Ahmed Khan"]["phones"] == ["+92 21 000 0000"]
    # a company-only entry with a phone is kept, without a name
    front = [r for r in parsed.records.to_pylist() if r["role"] == "contact" and r["display_name"] is None]
    assert front[0]["company"] == "Initech" and front[0]["phones"] == ["+1 555-0190"]
    # owner record 0 and one contact interaction per row
    assert parsed.records.column("role")[0].as_py() == "owner"
    assert parsed.interactions.num_rows == 12 and set(parsed.interactions.column("channel").to_pylist()) == {"contact"}


def test_outlook_live_flavour_utf8(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(
        LIVE_HEADER + "\n"
        "Dev,,Patel,,,,dev.patel@globex.example,dev@patel-family.example,,,+1 555-0111,,+1 555-0999,CTO,,Globex,"
        "Austin,United States,https://www.linkedin.com/in/dev-patel/,myContacts;starred\n"
        "Noah,,Kim,,,,noah.kim@initech.example,,,,,,,Product Manager,,Initech,Seoul,South Korea,,myContacts\n",
        encoding="utf-8",
    )
    assert detect_format(path).name == "outlook-csv"
    parsed = read_outlook_csv(path, owner=None, options={})
    dev, noah = parsed.records.to_pylist()
    assert dev["emails"] == ["dev.patel@globex.example", "dev@patel-family.example"]
    assert dev["phones"] == ["+1 555-0111"] and dev["linkedin_url"] == "https://www.linkedin.com/in/dev-patel/"
    assert dev["location"] == "Austin, United States" and noah["title"] == "Product Manager"
    assert parsed.interactions.num_rows == 0


def test_utf16_old_business_country_and_semicolons(tmp_path):
    header = (
        '"Title";"First Name";"Last Name";"Company";"Job Title";"Business City";"Business Country";'
        '"E-mail Address";"E-mail Type";"Mobile Phone"'
    )
    row = (
        '"";"Tomás";"Herrera";"Umbrella Corp";"QA Lead";"Bogotá";"Colombia";"tomas.herrera@umbrella.example";'
        '"SMTP";"+57 1 000 0000"'
    )
    path = tmp_path / "export.csv"
    path.write_bytes((header + "\r\n" + row + "\r\n").encode("utf-16"))  # with BOM, as Outlook writes it
    assert detect_format(path).name == "outlook-csv"
    (rec,) = read_outlook_csv(path, owner=None, options={}).records.to_pylist()
    assert rec["display_name"] == "Tomás Herrera" and rec["location"] == "Bogotá, Colombia"
    assert rec["emails"] == ["tomas.herrera@umbrella.example"] and rec["phones"] == ["+57 1 000 0000"]


def test_german_headers(tmp_path):
    header = (
        '"Anrede","Vorname","Weitere Vornamen","Nachname","Suffix","Firma","Abteilung","Position",'
        '"Straße geschäftlich","Ort geschäftlich","Land/Region geschäftlich","Telefon geschäftlich",'
        '"Mobiltelefon","Fax geschäftlich","E-Mail-Adresse","E-Mail-Typ","E-Mail: Angezeigter Name",'
        '"E-Mail 2: Adresse","E-Mail 2: Typ","Kategorien"'
    )
    rows = [
        (
            '"","Lena","","Fischer","","Globex","Data","Data Scientist","","Berlin","Deutschland",'
            '"+49 30 90182011","","+49 30 90182099","lena.fischer@globex.example","SMTP",'
            '"Lena Fischer (lena.fischer@globex.example)","","",""'
        ),
        (
            '"Herr","Tom","","Becker","","Initech","","Recruiter","","Hamburg","Deutschland","","+49 30 90182055",'
            '"","/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=tom","EX","Tom Becker",'
            '"tom.becker@initech.example","SMTP","Personal"'
        ),
    ]
    path = tmp_path / "kontakte.csv"
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode("cp1252"))
    assert detect_format(path).name == "outlook-csv"
    lena, tom = read_outlook_csv(path, owner=None, options={}).records.to_pylist()
    assert lena["display_name"] == "Lena Fischer" and lena["company"] == "Globex"
    assert lena["title"] == "Data Scientist" and lena["location"] == "Berlin, Deutschland"
    assert lena["phones"] == ["+49 30 90182011"]
    assert tom["emails"] == ["tom.becker@initech.example"] and tom["phones"] == ["+49 30 90182055"]


def test_french_headers_with_two_titre_columns(tmp_path):
    header = (
        '"Titre","Prénom","Deuxième prénom","Nom","Suffixe","Société","Service","Titre","Rue (bureau)",'
        '"Ville (bureau)","Pays/Région (bureau)","Téléphone (bureau)","Tél. mobile","Adresse de messagerie",'
        '"Type de messagerie","Nom complet de l\'adresse de messagerie","Catégories"'
    )
    row = (
        '"Mme","Chloé","","Martin","","Northwind Analytics","Data","Head of Data","","Paris","France",'
        '"+33 1 00 00 00 00","","chloe@northwind.example","SMTP","Chloé Martin (chloe@northwind.example)",""'
    )
    path = tmp_path / "contacts.csv"
    path.write_bytes((header + "\r\n" + row + "\r\n").encode("cp1252"))
    assert detect_format(path).name == "outlook-csv"
    (rec,) = read_outlook_csv(path, owner=None, options={}).records.to_pylist()
    assert rec["display_name"] == "Chloé Martin" and rec["title"] == "Head of Data"
    assert rec["company"] == "Northwind Analytics" and rec["emails"] == ["chloe@northwind.example"]
    assert rec["location"] == "Paris, France" and rec["phones"] == ["+33 1 00 00 00 00"]


def test_old_mac_line_endings(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(
        b'"First Name","Last Name","E-mail Address"\r"Noah","Kim","noah.kim@initech.example"\r'
        b'"Hana","Sato","hana.sato@wayne.example"\r'
    )
    noah, hana = read_outlook_csv(path, owner=None, options={}).records.to_pylist()
    assert (noah["line"], hana["line"], hana["emails"]) == (2, 3, ["hana.sato@wayne.example"])


def test_display_name_used_when_names_are_missing(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        '"First Name","Last Name","E-mail Address","E-mail Display Name"\n'
        '"","","grace.lee@acme.example","Grace Lee (grace.lee@acme.example)"\n'
        '"","","omar.haddad@acme.example","omar.haddad@acme.example"\n',
        encoding="utf-8",
    )
    grace, omar = read_outlook_csv(path, owner=None, options={}).records.to_pylist()
    assert grace["display_name"] == "Grace Lee" and omar["display_name"] is None
    assert omar["emails"] == ["omar.haddad@acme.example"]


def test_rejects_header_only_and_wrong_format(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        LIVE_HEADER
        + "\n"
        + "Ana,,Souza,,,,ana@northwind.example"
        + ",x" * 20
        + "\n"
        + ",,,,,,,,,,,,,,,,,,,\n"
        + "Ben,,Okafor,,,,ben@northwind.example\n",
        encoding="utf-8",
    )
    parsed = read_outlook_csv(path, owner=None, options={})
    assert parsed.rejects.column("line").to_pylist() == [2]
    assert parsed.records.column("line").to_pylist() == [4] and parsed.n_skipped == 1
    only = tmp_path / "only.csv"
    only.write_text(LIVE_HEADER + "\r\n", encoding="utf-8")
    assert read_outlook_csv(only, owner="chloe@northwind.example", options={}).records.num_rows == 1
    with pytest.raises(InputFormatError, match="only.txt"):
        p = tmp_path / "only.txt"
        p.write_text("Dear team,\nhere are my notes.\n")
        read_outlook_csv(p, owner=None, options={})
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    with pytest.raises(InputFormatError, match="x.csv: looks like a binary file"):
        read_outlook_csv(binary, owner=None, options={})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(list('a,"\n\r ;@ü\t') + ['"/o=ExchangeLabs"', '"EX"', "\r\n", '""', "x@y.example"]),
        max_size=120,
    ).map("".join),
    st.sampled_from(["utf-8", "cp1252", "utf-16"]),
)
def test_fuzz_only_reach_errors(body, encoding):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        header = '"Title","First Name","Last Name","E-mail Address","E-mail Type","Mobile Phone","Company"\r\n'
        path.write_bytes((header + body).encode(encoding, errors="replace"))
        try:
            parsed = read_outlook_csv(path, owner="me@example.com", options={})
        except ReachError:
            return
        assert parsed.records.num_rows == parsed.interactions.num_rows + 1
