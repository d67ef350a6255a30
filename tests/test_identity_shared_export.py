"""The name+shared-export rule: the only two people with a full name, seen in one export, are one person
(an old employer's or a personal address beside the current one) unless something says they are two."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from reach.explain import person_report
from reach.identity import NAME_SHARED_EXPORT, Overrides, ResolveSettings, resolve
from tests import identity_records
from tests.identity_records import people_of


def records(rows: list[dict]) -> pa.Table:
    return identity_records.records(rows, source_id="mail", role="party")


def party(name: str | None, email: str, **kw) -> dict:
    return {"display_name": name, "emails": [email], **kw}


def li(name: str, company: str, slug: str, **kw) -> dict:
    return {
        "display_name": name,
        "company": company,
        "linkedin_url": f"https://www.linkedin.com/in/{slug}",
        "role": "contact",
        "source_id": "connections",
        **kw,
    }


# Pia's old employer's address and her current one, both in one mailbox; her profile in the connections
JOB_CHANGE = [
    party("Abbott, Pia", "pabbott@deltawave.example"),
    party("Pia Abbott", "pia.abbott@swiftforge.example"),
    li("Pia Abbott", "Swiftforge", "pia-abbott-3"),
    party("Pia Abbott", "pia.abbott@swiftforge.example", source_id="calendar"),
]


def test_old_employers_address_in_the_same_export_joins_and_says_why():
    res = resolve(records(JOB_CHANGE))
    assert len(set(people_of(res))) == 1
    links = pl.from_arrow(res["name_links"])
    assert links.filter(pl.col("rule") == NAME_SHARED_EXPORT).select("name", "company").rows() == [("abbott pia", None)]
    ev = pl.from_arrow(res["identifiers"]).filter(pl.col("kind") == NAME_SHARED_EXPORT)
    assert set(ev["value"]) == {"abbott pia"} and ev["record_id"].n_unique() == 4
    rep = person_report(
        people_of(res)[0],
        people=res["people"],
        records=records(JOB_CHANGE),
        identifiers=res["identifiers"],
        membership=res["membership"],
        sources=pa.table({"source_id": ["mail"], "path": ["m"], "format": ["mbox"]}),
    )
    assert any(r.startswith(f"{NAME_SHARED_EXPORT}: 4 records with the name 'abbott pia' (") for r in rep.reasons())
    assert rep.name_based()


def test_personal_address_joins_a_contact_card():
    res = resolve(
        records(
            [
                {
                    "display_name": "Freya Sanz",
                    "emails": ["freya.sanz@swiftforge.example"],
                    "role": "contact",
                    "source_id": "contacts",
                },
                {
                    "display_name": "Freya Sanz",
                    "emails": ["freya_sanz2@mailbox.example"],
                    "role": "contact",
                    "source_id": "contacts",
                },
            ]
        )
    )
    assert len(set(people_of(res))) == 1


def test_the_rule_can_be_turned_off_or_overridden():
    off = resolve(records(JOB_CHANGE), settings=ResolveSettings(name_shared_export=False))
    assert len(set(people_of(off))) == 2
    ignored = ResolveSettings(overrides=Overrides(ignore=(f"{NAME_SHARED_EXPORT}:abbott pia",)))
    assert len(set(people_of(resolve(records(JOB_CHANGE), settings=ignored)))) == 2
    detached = ResolveSettings(overrides=Overrides(detach=("mail:1",)))
    p = people_of(resolve(records(JOB_CHANGE), settings=detached))
    assert p[0] != p[1] and p[1] == p[2] == p[3]


def test_not_in_one_export_no_link():
    rows = [{**JOB_CHANGE[0], "source_id": "old-mail"}, *JOB_CHANGE[1:]]
    assert len(set(people_of(resolve(records(rows))))) == 2


def test_a_third_pia_abbott_anywhere_makes_the_name_ambiguous():
    rows = [*JOB_CHANGE, party("Pia Abbott", "pia@abbott-family.example", source_id="other")]
    p = people_of(resolve(records(rows)))
    assert len(set(p)) == 3 and p[0] != p[1]
    # even one with no identifier at all: it is still a third holder of the name
    rows = [*JOB_CHANGE, {"display_name": "Pia Abbott", "role": "contact", "source_id": "other"}]
    assert len(set(people_of(resolve(records(rows))))) == 3


def test_a_name_alone_never_merges():
    rows = [party("Pia Abbott", "pia.abbott@swiftforge.example"), {"display_name": "Pia Abbott", "role": "contact"}]
    assert len(set(people_of(resolve(records(rows))))) == 2


def test_namesakes_with_two_addresses_at_one_company_stay_apart():
    rows = [party("Grace Lee", "grace.lee@acme.example"), party("Grace Lee", "grace.lee2@acme.example")]
    assert len(set(people_of(resolve(records(rows))))) == 2


def test_two_stated_companies_or_two_profiles_are_two_people():
    cards = [
        {"display_name": "Omar Haddad", "company": "Acme", "emails": ["omar@acme.example"], "role": "contact"},
        {"display_name": "Omar Haddad", "company": "Umbrella", "emails": ["oh@umbrella.example"], "role": "contact"},
    ]
    assert len(set(people_of(resolve(records(cards))))) == 2
    # with the same stated company (and one of them at a personal address) they are one
    same = [cards[0], {**cards[1], "company": "ACME Inc.", "emails": ["omar.h@gmail.example"]}]
    assert len(set(people_of(resolve(records(same))))) == 1
    profiles = [
        {"display_name": "Omar Haddad", "linkedin_url": "linkedin.com/in/omar-1", "emails": ["o@a.example"]},
        {"display_name": "Omar Haddad", "linkedin_url": "linkedin.com/in/omar-2", "emails": ["o@b.example"]},
    ]
    assert len(set(people_of(resolve(records(profiles))))) == 2


def test_a_shared_family_address_is_not_extended_by_name():
    # "smiths@" is John's and Jane's: John's work address is not joined to it by name
    rows = [
        party("John Smith", "smiths@home.example"),
        party("Jane Smith", "smiths@home.example"),
        party("John Smith", "john.smith@acme.example"),
    ]
    p = people_of(resolve(records(rows)))
    assert p[0] == p[1] and p[2] != p[0]


def test_chains_through_names_never_join_two_profiles():
    # one address written "Ana Souza" and "Ana Sousa" (a typo: one name); each spelling has one other
    # holder, with a profile of their own: the two links would put two profiles in one person
    rows = [
        {"display_name": "Ana Souza", "emails": ["ana@one.example"], "linkedin_url": "linkedin.com/in/ana-1"},
        party("Ana Souza", "asouza@two.example"),
        party("Ana Sousa", "asouza@two.example"),
        {"display_name": "Ana Sousa", "emails": ["ana@three.example"], "linkedin_url": "linkedin.com/in/ana-2"},
    ]
    p = people_of(resolve(records(rows)))
    assert p[1] == p[2] and len(set(p)) == 3
    # with one profile only, both links hold
    rows[3] = party("Ana Sousa", "ana@three.example")
    assert len(set(people_of(resolve(records(rows))))) == 1


def test_person_ids_are_stable_when_an_unrelated_export_is_added():
    before = people_of(resolve(records(JOB_CHANGE)))
    extra = party("Zed Zimmermann", "zed@initech.example", source_id="other")
    after = people_of(resolve(records([*JOB_CHANGE, extra])))
    assert after[: len(before)] == before
