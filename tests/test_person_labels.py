"""Every person gets a readable label: their best name, or what they are known by (address, key, profile,
phone), never null and never a person id. Generated records, checked against a brute-force oracle that
reads the rule off the records directly."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from reach.identity import resolve
from tests.identity_records import records

NAMES = ["Grace Lee", "Julia Kowalski", "  ", "", None]
EMAILS = ["julia.kowalski@hooli.example", "Grace.Lee@Acme.example", "x@y.example"]
PHONES = ["+1 202 555 0100", "+44 20 7946 0123"]

record = st.fixed_dictionaries(
    {
        "display_name": st.sampled_from(NAMES),
        "emails": st.one_of(st.none(), st.lists(st.sampled_from(EMAILS), min_size=1, max_size=2, unique=True)),
        "phones": st.one_of(st.none(), st.lists(st.sampled_from(PHONES), min_size=1, max_size=1)),
        "key": st.one_of(st.none(), st.sampled_from(["node-7", "node-9"])),
        "linkedin_url": st.one_of(st.none(), st.sampled_from(["https://www.linkedin.com/in/julia-k/"])),
        "company": st.one_of(st.none(), st.sampled_from(["Hooli", "Acme Inc."])),
    }
)


def expected_label(rows: list[dict]) -> set[str]:
    """The labels the rule allows for one person's records (several when two records give a name)."""
    names = {r["display_name"].strip() for r in rows if r["display_name"] and r["display_name"].strip()}
    if names:
        return names
    emails = sorted({e.lower() for r in rows for e in r["emails"] or []})
    if emails:
        return {emails[0]}
    keys = sorted({r["key"] for r in rows if r["key"]})
    if keys:
        return {keys[0]}
    if any(r["linkedin_url"] for r in rows):
        return {"linkedin.com/in/julia-k"}
    phones = {r["phones"][0] for r in rows if r["phones"]}
    if phones:
        return phones
    companies = {r["company"] for r in rows if r["company"]}
    return {f"(no name) {c}" for c in companies} or {"(no name)"}


@settings(max_examples=60, deadline=None)
@given(st.lists(record, min_size=1, max_size=6))
def test_every_person_has_a_readable_label(rows):
    res = resolve(records(rows))
    people = pl.from_arrow(res["people"])
    member = pl.from_arrow(res["membership"]).sort("record_id")["person_id"].to_list()
    assert people["display_name"].null_count() == 0
    for pid, label in people.select("person_id", "display_name").iter_rows():
        assert label.strip() and label != pid
        mine = [r for r, p in zip(rows, member, strict=True) if p == pid]
        assert label in expected_label(mine)


def test_a_contact_known_only_by_address_is_labelled_with_it():
    res = resolve(records([{"emails": ["Julia.Kowalski@hooli.example"]}, {"phones": ["+44 20 7946 0123"]}]))
    labels = sorted(pl.from_arrow(res["people"])["display_name"].to_list())
    assert labels == ["+44 20 7946 0123", "julia.kowalski@hooli.example"]
