"""The bundled demo's people, as a user meets them: one person per real person, every one with a readable
label. Oracles are read off the sample files themselves (the addresses and phone numbers written there),
not off reach's own output."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from reach.cli import cli
from reach.demo import run_demo

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
PERSON_ID = re.compile(r"^p[0-9a-f]{16}$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    summary, _ = run_demo(out)
    assert summary.exit_code == 0, summary.error
    return out / "workspace"


def reach_json(ws: Path, *args: str) -> dict:
    res = CliRunner().invoke(cli, ["--workspace", str(ws), *args, "--format", "json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def people(ws: Path) -> list[dict]:
    return reach_json(ws, "people", "--limit", "100000")["people"]


def test_no_name_is_shared_by_more_than_two_people_and_namesakes_differ_by_company(demo):
    rows = people(demo)
    assert len(rows) == pl.read_parquet(demo / "build" / "people.parquet").height  # the listing is complete
    counts = Counter(r["display_name"] for r in rows)
    shared = {name: n for name, n in counts.items() if n > 1}
    assert len(shared) <= 2 and all(n == 2 for n in shared.values()), shared
    for name in shared:
        companies = [r["company"] for r in rows if r["display_name"] == name]
        assert None not in companies and len(set(companies)) == 2, (name, companies)


def test_every_person_has_a_readable_label(demo):
    for r in people(demo):
        label = r["display_name"]
        assert label and label.strip() and not PERSON_ID.match(label) and label != r["person_id"]
    julia = reach_json(demo, "people", "julia.kowalski")["people"]
    assert [p["display_name"] for p in julia if "julia.kowalski@hooli.example" in (p["emails"] or [])] == [
        "julia.kowalski@hooli.example"
    ]
    res = CliRunner().invoke(cli, ["--workspace", str(demo), "person", "julia.kowalski@hooli.example"])
    assert res.exit_code == 0 and "None (" not in res.output and "julia.kowalski@hooli.example" in res.output


def test_candidates_without_a_filter_list_each_person_once(demo):
    rows = reach_json(demo, "candidates")
    rows = rows.get("candidates", rows) if isinstance(rows, dict) else rows
    names = Counter(r.get("display_name") or r.get("name") for r in rows)
    for name in ["Grace Lee", "Omar Haddad", "Mei Chen", "Finn Walsh", "Tom Becker", "Lena Fischer", "Zoe Adams"]:
        assert names[name] <= 1, (name, names[name])
    assert names["Zoë Adams"] + names["Zoe Adams"] <= 1
    assert names["Grace Lee"] == 1 and None not in names  # the rows are read by their name


def _person_of(ws: Path, *, email: str | None = None, phone_digits: str | None = None) -> set[str]:
    """person_ids of the records that hold this address or phone (digits compared), read from the raw records."""
    recs = pl.read_parquet(ws / "raw" / "records")
    member = pl.read_parquet(ws / "build" / "membership.parquet")
    recs = recs.join(member, on="record_id")
    if email:
        hit = recs.filter(pl.col("emails").list.eval(pl.element().str.to_lowercase() == email).list.any())
    else:
        digits = pl.col("phones").list.eval(pl.element().str.replace_all(r"\D", "").str.ends_with(phone_digits))
        hit = recs.filter(digits.list.any())
    return set(hit["person_id"].to_list())


def test_the_whatsapp_sender_is_the_grace_of_chloes_address_book(demo):
    """Chloé's WhatsApp names Grace from her iPhone contacts; that card (the sample file) holds Grace's address."""
    card = (SAMPLES / "vcard" / "chloe-contacts.vcf").read_text(encoding="utf-8")
    block = next(b for b in card.split("END:VCARD") if "\nFN:Grace Lee" in b)
    assert "grace.lee@acme.example" in block
    recs = pl.read_parquet(demo / "raw" / "records").join(
        pl.read_parquet(demo / "build" / "membership.parquet"), on="record_id"
    )
    sources = pl.read_parquet(demo / "sources.parquet").filter(pl.col("format") == "whatsapp")["source_id"]
    chat_grace = recs.filter(pl.col("source_id").is_in(sources.implode()) & (pl.col("display_name") == "Grace Lee"))
    assert chat_grace.height == 1
    assert set(chat_grace["person_id"]) == _person_of(demo, email="grace.lee@acme.example")
    person = reach_json(demo, "person", "grace.lee@acme.example")
    assert any(i["kind"] == "name+address-book" for i in person["identifiers"])


def test_linkedin_rows_meet_addresses_at_companies_named_with_a_descriptor(demo):
    """ "Stark Industries", "Wayne Enterprises", "Cyberdyne Systems": LinkedIn rows meet the mail addresses."""
    recs = pl.read_parquet(demo / "raw" / "records").join(
        pl.read_parquet(demo / "build" / "membership.parquet"), on="record_id"
    )
    for slug, email in [
        ("mei-chen", "mei.chen@stark.example"),
        ("finn-walsh", "finn.walsh@wayne.example"),
        ("zoe-adams", "zoe.adams@cyberdyne.example"),
        ("jon-berg", "jon.berg@vandelay.example"),
        ("luis-ortega", "luis.ortega@stark.example"),
    ]:
        by_profile = set(recs.filter(pl.col("linkedin_url").str.contains(f"/in/{slug}"))["person_id"].to_list())
        assert by_profile == _person_of(demo, email=email), slug
    # Chloé's Android card for Zoë (a phone, Cyberdyne Systems) is the same Zoe
    assert _person_of(demo, phone_digits="15550100133") == _person_of(demo, email="zoe.adams@cyberdyne.example")


def test_the_owner_is_one_person_with_her_personal_address(demo):
    """Ana sent mail from ana.souza@personal.example (Sent label in her own Takeout): she is one person."""
    assert _person_of(demo, email="ana.souza@personal.example") == _person_of(demo, email="ana@northwind.example")
