"""Identity-resolution recall (issue 4): typo-tolerant switchboard detection, the name+company-domain
rule, owners' own rows in teammates' exports, explanations, and the one [resolve] validator."""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.errors import ConfigError
from reach.explain import person_report
from reach.identity import (
    NAME_COMPANY_DOMAIN,
    Overrides,
    ResolveSettings,
    resolve,
    typo_groups,
)
from reach.organisations import domain_org_keys, org_key
from tests.identity_records import people_of, records


def li(name: str, company: str | None, slug: str, **kw) -> dict:
    """A LinkedIn Connections row: no email, as most are; from its own export (``connections``)."""
    return {
        "display_name": name,
        "company": company,
        "linkedin_url": f"https://www.linkedin.com/in/{slug}",
        "source_id": "connections",
        **kw,
    }


def party(name: str | None, email: str, **kw) -> dict:
    """Someone seen in mail or a calendar: a name and an address."""
    return {"display_name": name, "emails": [email], "role": "party", **kw}


# ------------------------------------------------------------------ switchboards, typo-tolerantly
def test_one_persons_address_spelt_several_ways_is_not_a_switchboard():
    names = ["John Smith", "Jon Smith", "Jhon Smith", "Smith, John", "John Smiht", "JOHN SMITH"]
    res = resolve(records([party(n, "john.smith@acme.example") for n in names]))
    assert pl.from_arrow(res["ignored"]).height == 0
    assert len(set(people_of(res))) == 1


def test_a_phone_shared_by_many_different_people_is_still_a_switchboard():
    names = [
        "Ann Archer",
        "Bob Brown",
        "Cy Chen",
        "Di Dutta",
        "Ed Evans",
        "Flo Fischer",
        "Gus Garcia",
        "Hal Horvat",
        "Ivy Ito",
        "Jo Jensen",
        "Kai Kim",
        "Lu Lopez",
        "Mo Meyer",
        "Ned Nowak",
        "Oz Olsen",
        "Pia Park",
        "Quin Quispe",
        "Rae Rossi",
        "Sol Silva",
        "Tam Tanaka",
    ]
    rows = [{"display_name": n, "phones": ["+1 202 555 0100"]} for n in names]
    # a few of them also written with a typo: still 20 people, not more, not fewer
    rows += [{"display_name": n, "phones": ["+1 202 555 0100"]} for n in ["Ann Archre", "Bob Borwn"]]
    res = resolve(records(rows))
    ignored = pl.from_arrow(res["ignored"])
    assert ignored["value"].to_list() == ["+12025550100"]
    assert ignored["n_names"].to_list() == [20]
    assert res["people"].num_rows == len(rows)


def test_switchboard_threshold_counts_typo_variants_once():
    # four real names (one with two spellings): a hub at max 3, not at max 4
    rows = [
        party(n, "info@acme.example") for n in ["Ana Souza", "Ana Sousa", "Ben Okafor", "Chloé Martin", "Dev Patel"]
    ]
    assert pl.from_arrow(resolve(records(rows))["ignored"])["n_names"].to_list() == [4]
    assert resolve(records(rows), settings=ResolveSettings(max_names_per_identifier=4))["people"].num_rows == 1


def test_short_names_a_letter_apart_are_different_people():
    rows = [{"display_name": n, "phones": ["+1 202 555 0100"]} for n in ["Bo Li", "Bo Lu", "Bo Le", "Bo Xu"]]
    res = resolve(records(rows))
    assert pl.from_arrow(res["ignored"])["n_names"].to_list() == [4]
    assert res["people"].num_rows == 4


def test_typo_groups():
    names = pl.DataFrame(
        {
            "id": ["a"] * 5 + ["b"] * 2,
            "name": [
                "john smith",
                "jon smith",
                "jhon smith",
                "grace lee",
                "alves ana",  # "aan alves" is one swap away
                "aan alves",
                "alves ana",
            ],
        }
    )
    out = typo_groups(names, ["id"])
    g = {(r["id"], r["name"]): r["group"] for r in out.iter_rows(named=True)}
    assert g[("a", "john smith")] == g[("a", "jon smith")] == g[("a", "jhon smith")]
    assert g[("a", "grace lee")] != g[("a", "john smith")]
    assert g[("b", "aan alves")] == g[("b", "alves ana")]  # word order compared both ways
    assert g[("a", "alves ana")] != g[("b", "alves ana")]  # groups never span identifiers
    assert out.height == names.height


# ------------------------------------------------------------------ name + company-domain
def test_linkedin_row_links_to_mail_at_the_companys_domain_and_says_why():
    res = resolve(
        records(
            [
                li("Grace Lee", "Acme, Inc.", "grace-lee-42"),
                party("Grace Lee", "grace.lee@acme.com"),
                party("Lee, Grace", "grace.lee@acme.com"),
                li("Jane Doe", "ACME", "janedoe"),
                party("Jane Doe", "jdoe@acme.com"),  # the address need not spell the name
            ]
        )
    )
    p = people_of(res)
    assert p[0] == p[1] == p[2] and p[3] == p[4] and p[0] != p[3]
    links = pl.from_arrow(res["name_links"]).sort("name")
    assert links["rule"].to_list() == [NAME_COMPANY_DOMAIN] * 2
    assert links["name"].to_list() == ["doe jane", "grace lee"] and links["company"].to_list() == ["acme", "acme"]
    ev = pl.from_arrow(res["identifiers"]).filter(pl.col("kind") == NAME_COMPANY_DOMAIN).sort("record_id")
    assert ev["record_id"].to_list() == [0, 1, 2, 3, 4]
    assert ev["value"].to_list()[0] == "grace lee | acme"


def test_linkedin_row_links_to_a_contact_card_with_a_work_address_and_company():
    res = resolve(
        records(
            [
                li("Omar Haddad", "Acme Inc.", "omar-h"),
                {"display_name": "Haddad, Omar", "company": "ACME", "emails": ["omar@acme.example"]},
            ]
        )
    )
    assert len(set(people_of(res))) == 1


@pytest.mark.parametrize(
    ("company", "email"),
    [
        ("Acme Bank", "grace.lee@acme.com"),  # another company
        ("Gmail", "grace.lee@gmail.com"),  # free mail is never a company
        ("Yahoo", "grace.lee@yahoo.co.uk"),
        ("Acme", "grace.lee@acme-bank.com"),
        (None, "grace.lee@acme.com"),  # no company
    ],
)
def test_no_link_without_a_matching_company_domain(company, email):
    res = resolve(records([li("Grace Lee", company, "grace-lee-42"), party("Grace Lee", email)]))
    assert len(set(people_of(res))) == 2
    assert pl.from_arrow(res["name_links"]).height == 0


def test_domain_to_company_keys():
    emails = pl.Series(
        [
            "a@acme.com",
            "a@mail.acme.co.uk",
            "a@acme-corp.com",
            "a@bluewindlabs.example",
            "a@gmail.com",
            "a@hotmail.de",
            "a@yahoo.co.uk",
            "a@acmebank.com",
            "nope",
        ]
    )
    assert domain_org_keys(emails).to_list() == [
        "acme",
        "acme",
        "acme",
        "bluewindlabs",
        None,
        None,
        None,
        "acmebank",
        None,
    ]
    companies = pl.Series(["Acme, Inc.", "ACME", "Acme Corp.", "Bluewind Labs GmbH", "Acme Bank", "", "AB"])
    assert pl.select(org_key(pl.lit(companies))).to_series().to_list() == [
        "acme",
        "acme",
        "acme",
        "bluewindlabs",
        "acmebank",
        None,
        None,
    ]


def test_namesakes_at_one_company_stay_apart():
    # two Grace Lees at Acme, each with an address: the LinkedIn row could be either
    res = resolve(
        records(
            [
                li("Grace Lee", "Acme Inc.", "grace-lee-42"),
                party("Grace Lee", "grace.lee@acme.com"),
                party("Grace Lee", "grace.lee2@acme.com"),
            ]
        )
    )
    assert len(set(people_of(res))) == 3
    # two LinkedIn profiles with one address: which one is it?
    res = resolve(
        records(
            [
                li("Grace Lee", "Acme Inc.", "grace-lee-42"),
                li("Grace Lee", "Acme", "grace-lee-77"),
                party("Grace Lee", "grace.lee@acme.com"),
            ]
        )
    )
    assert len(set(people_of(res))) == 3
    # a profile on each side: two profiles are two people
    res = resolve(
        records(
            [
                li("Grace Lee", "Acme Inc.", "grace-lee-42"),
                {
                    "display_name": "Grace Lee",
                    "emails": ["grace.lee@acme.com"],
                    "linkedin_url": "linkedin.com/in/glee-9",
                },
            ]
        )
    )
    assert len(set(people_of(res))) == 2


def test_keys_that_chain_namesakes_link_nothing():
    # "Acme Corp." meets both acme.com and acmecorp.com: two Grace Lees, one profile, no link
    res = resolve(
        records(
            [
                li("Grace Lee", "Acme Corp.", "grace-lee-42"),
                party("Grace Lee", "grace.lee@acme.com"),
                party("Grace Lee", "grace.lee@acmecorp.com"),
            ]
        )
    )
    assert len(set(people_of(res))) == 3
    # one address written with two names, each name with its own LinkedIn profile: two profiles, no link
    res = resolve(
        records(
            [
                party("Grace Lee", "g.lee@acme.com"),
                party("Gracie Lee", "g.lee@acme.com"),
                li("Grace Lee", "Acme", "grace-lee-42"),
                li("Gracie Lee", "Acme", "gracie-lee-7"),
            ]
        )
    )
    p = people_of(res)
    assert p[0] == p[1] and len(set(p)) == 3
    # ... and with one of them only, the link is made
    res = resolve(
        records(
            [
                party("Grace Lee", "g.lee@acme.com"),
                party("Gracie Lee", "g.lee@acme.com"),
                li("Gracie Lee", "Acme", "gracie-lee-7"),
            ]
        )
    )
    assert len(set(people_of(res))) == 1


def test_several_company_side_clusters_join_when_they_hold_one_profile_at_most():
    # a contact card at Acme with only a phone, a LinkedIn row and an address at acme.com: one Grace Lee
    card = {"display_name": "Grace Lee", "company": "Acme", "phones": ["+1 202 555 0142"], "source_id": "phone"}
    profile, mail = li("Grace Lee", "Acme Inc.", "grace-lee-42"), party("Grace Lee", "grace.lee@acme.com")
    res = resolve(records([profile, card, mail]))
    assert len(set(people_of(res))) == 1
    assert pl.from_arrow(res["name_links"])["rule"].to_list() == [NAME_COMPANY_DOMAIN] * 2
    # ... but a card with a profile of its own is a second Grace Lee: nothing is linked
    card2 = {**card, "linkedin_url": "linkedin.com/in/grace-lee-77"}
    res = resolve(records([profile, card2, mail]))
    assert len(set(people_of(res))) == 3


def test_one_word_names_owner_records_and_nodes_do_not_link():
    res = resolve(
        records(
            [
                li("Grace", "Acme", "grace-42"),
                party("Grace", "grace@acme.com"),
                {"role": "owner", "owner": "dev@acme.com", "display_name": "Dev Patel", "emails": ["dev@acme.com"]},
                li("Dev Patel", "Acme", "devpatel"),
                {"role": "node", "key": "ana@acme.com", "display_name": "Ana Souza"},
                li("Ana Souza", "Acme", "anasouza"),
            ]
        )
    )
    assert len(set(people_of(res))) == 6


def test_the_rule_can_be_turned_off_or_overridden():
    rows = [li("Grace Lee", "Acme Inc.", "grace-lee-42"), party("Grace Lee", "grace.lee@acme.com")]
    assert len(set(people_of(resolve(records(rows))))) == 1
    off = resolve(records(rows), settings=ResolveSettings(name_company_domain=False))
    assert len(set(people_of(off))) == 2 and pl.from_arrow(off["name_links"]).height == 0
    ignored = ResolveSettings(overrides=Overrides(ignore=(f"{NAME_COMPANY_DOMAIN}:grace lee | acme",)))
    assert len(set(people_of(resolve(records(rows), settings=ignored)))) == 2
    detached = ResolveSettings(overrides=Overrides(detach=("s1:2",)))
    assert len(set(people_of(resolve(records(rows), settings=detached)))) == 2


def test_owner_row_in_a_teammates_export_joins_the_owner():
    # Ana's own exports (owner label: her address), Ben's LinkedIn export listing Ana (no email), Ben's
    # mail with Ana in it
    res = resolve(
        records(
            [
                {
                    "role": "owner",
                    "owner": "ana.souza@northwind.example",
                    "display_name": "ana.souza@northwind.example",
                    "emails": ["ana.souza@northwind.example"],
                    "source_id": "ana-mail",
                    "line": None,
                },
                {
                    "role": "owner",
                    "owner": "ben@northwind.example",
                    "display_name": "ben@northwind.example",
                    "emails": ["ben@northwind.example"],
                    "source_id": "ben-li",
                    "line": None,
                },
                li("Ana Souza", "Northwind Ltd", "ana-souza-1", source_id="ben-li"),
                party("Ana Souza", "ana.souza@northwind.example", source_id="ben-mail"),
            ]
        )
    )
    p = people_of(res)
    assert p[0] == p[2] == p[3] and p[1] != p[0]


def test_owner_label_written_name_and_address_is_that_address_and_name():
    from reach.io.base import owner_record

    label = "Ana Souza <Ana.Souza@northwind.example>"
    own = {**owner_record(label), "source_id": "ana-li", "line": None}
    assert own["emails"] is None  # as importers make it: the label is not split there
    res = resolve(
        records(
            [
                own,
                party("Ana Souza", "ana.souza@northwind.example", source_id="ben-mail"),
                {**owner_record(label), "source_id": "ana-vcf", "line": None},
            ]
        )
    )
    assert len(set(people_of(res))) == 1
    # and her LinkedIn row in a teammate's export joins on her name and company domain, even when
    # nobody else ever wrote to her
    res = resolve(records([own, li("Ana Souza", "Northwind", "ana-souza-1", source_id="ben-li")]))
    assert len(set(people_of(res))) == 1
    assert pl.from_arrow(res["name_links"])["name"].to_list() == ["ana souza"]


def test_person_report_names_the_rule_apart_from_shared_identifiers():
    rows = [
        li("Grace Lee", "Acme Inc.", "grace-lee-42"),
        party("Grace Lee", "grace.lee@acme.com"),
        party("Grace Lee", "grace.lee@acme.com", source_id="s2"),
    ]
    recs = records(rows)
    res = resolve(recs)
    pid = people_of(res)[0]
    sources = pa.table({"source_id": ["s1", "s2"], "path": ["a", "b"], "format": ["linkedin-connections", "mbox"]})
    rep = person_report(
        pid,
        people=res["people"],
        records=recs,
        identifiers=res["identifiers"],
        membership=res["membership"],
        sources=sources,
    )
    reasons = rep.reasons()
    assert reasons[0] == "2 records share email grace.lee@acme.com"
    assert reasons[1].startswith(f"{NAME_COMPANY_DOMAIN}: 3 records with the name 'grace lee' and the company 'acme'")
    assert rep.name_based() and rep.as_dict()["name_based"]


# ------------------------------------------------------------------ properties
FIRST = ["Ana", "Ben", "Chloé", "Dev"]
LAST = ["Souza", "Okafor", "Martin"]
COMPANIES = [("Acme Inc.", "acme.com"), ("Globex", "globex.com"), ("Acme Bank", "acmebank.com")]


@st.composite
def record_rows(draw, n_max: int = 14) -> list[dict]:
    """Small, collision-heavy record sets: few names, companies, addresses and phones."""
    n = draw(st.integers(1, n_max))
    rows = []
    for _ in range(n):
        first, last = draw(st.sampled_from(FIRST)), draw(st.sampled_from(LAST))
        company, domain = draw(st.sampled_from(COMPANIES))
        kind = draw(st.sampled_from(["li", "party", "card", "bare"]))
        tag = draw(st.sampled_from(["", "2"]))
        if kind == "li":
            rows.append(li(f"{first} {last}", company, f"{first}-{last}{tag}".lower()))
        elif kind == "party":
            rows.append(party(f"{first} {last}", f"{first[0]}.{last}{tag}@{domain}".lower()))
        elif kind == "card":
            rows.append(
                {
                    "display_name": f"{last}, {first}",
                    "company": company,
                    "phones": [f"+1 202 555 01{draw(st.integers(10, 13))}"],
                }
            )
        else:
            rows.append({"display_name": f"{first} {last}", "company": company})
    return rows


def partition(res: dict, ref: dict[int, int]) -> set[frozenset[int]]:
    """The people as sets of original row numbers (``ref``: record_id -> row)."""
    mem = pl.from_arrow(res["membership"])
    groups = mem.group_by("person_id").agg(pl.col("record_id"))
    return {frozenset(ref[r] for r in ids) for ids in groups["record_id"].to_list()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=record_rows(), perm=st.randoms(use_true_random=False))
def test_renumbering_and_reordering_rows_does_not_change_the_partition(rows, perm):
    base = [{**r, "record_id": i, "line": i + 1} for i, r in enumerate(rows)]
    order = list(range(len(rows)))
    perm.shuffle(order)
    moved = [{**rows[i], "record_id": 100 + 7 * k, "line": 100 + 7 * k} for k, i in enumerate(order)]
    a = partition(resolve(records(base)), {i: i for i in range(len(rows))})
    b = partition(resolve(records(moved)), {100 + 7 * k: i for k, i in enumerate(order)})
    assert a == b


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=record_rows())
def test_an_unrelated_record_changes_no_existing_person_id(rows):
    before = pl.from_arrow(resolve(records(rows))["membership"])
    extra = {
        "display_name": "Zed Zimmermann",
        "company": "Initech",
        "emails": ["zed@initech.example"],
        "linkedin_url": "linkedin.com/in/zed",
        "source_id": "s2",
    }
    after = pl.from_arrow(resolve(records([*rows, extra]))["membership"])
    joined = before.join(after, on="record_id", suffix="_after")
    assert joined.height == len(rows)
    assert joined["person_id"].to_list() == joined["person_id_after"].to_list()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=record_rows())
def test_name_links_hold_and_namesakes_with_their_own_addresses_stay_apart(rows):
    """The rule only ever merges (never splits), its reported links hold, and two addresses of one name at
    one company are two people."""
    strict = resolve(records(rows), settings=ResolveSettings(name_company_domain=False))
    res = resolve(records(rows))
    assert len(set(people_of(res))) <= len(set(people_of(strict)))
    links = pl.from_arrow(res["name_links"])
    p = people_of(res)
    for r in links.iter_rows(named=True):
        assert p[r["record_a"]] == p[r["record_b"]]
    # each name's namesakes: if two addresses of one (name, domain) exist, their people stay apart
    parties = [(i, r["display_name"], r["emails"][0]) for i, r in enumerate(rows) if r.get("role") == "party"]
    for i, name_i, mail_i in parties:
        for j, name_j, mail_j in parties:
            same_place = mail_i.split("@")[1] == mail_j.split("@")[1]
            if name_i == name_j and same_place and mail_i != mail_j:
                assert p[i] != p[j]


# ------------------------------------------------------------------ one [resolve] validator
def test_resolve_settings_from_dict():
    s = ResolveSettings.from_dict(
        {
            "max_names_per_identifier": 5,
            "default_region": "gb",
            "fold_gmail": True,
            "name_company_domain": False,
            "fuzzy_threshold": 90,
        }
    )
    assert (s.max_names_per_identifier, s.default_region, s.fold_gmail, s.name_company_domain, s.fuzzy_threshold) == (
        5,
        "GB",
        True,
        False,
        90.0,
    )
    assert ResolveSettings.from_dict({}) == ResolveSettings()
    with pytest.raises(ConfigError) as info:
        ResolveSettings.from_dict(
            {
                "max_names_per_identifier": 0,
                "default_region": "Britain",
                "fold_gmail": "yes",
                "fuzzy_threshold": 120,
                "name_company_domain": 1,
                "colour": "blue",
            }
        )
    problems = str(info.value).split("; ")
    assert problems == [
        (
            "resolve.colour: unknown key (expected one of: default_region, fold_gmail, fuzzy_threshold, "
            "max_names_per_identifier, name_address_book, name_company_domain, name_shared_export)"
        ),
        "resolve.max_names_per_identifier: expected a whole number from 1 up, got 0",
        "resolve.default_region: expected a two-letter country code like 'GB', got 'Britain'",
        "resolve.fold_gmail: expected true or false, got 'yes'",
        "resolve.name_company_domain: expected true or false, got 1",
        "resolve.fuzzy_threshold: expected a number from 0 to 100, got 120",
    ]


def test_workspace_settings_and_run_configs_share_the_validator(tmp_path):
    from reach.run import RunConfigError, load_run_config
    from reach.settings import load_settings
    from reach.workspace import Workspace

    ws = Workspace.open(tmp_path / "ws", create=True)
    ws.settings_path.write_text('[resolve]\nname_company_domain = false\ndefault_region = "us"\n')
    s = load_settings(ws).resolve
    assert s.name_company_domain is False and s.default_region == "US"
    ws.settings_path.write_text('[resolve]\nmax_names = 4\nfold_gmail = "no"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(ws)
    text = str(info.value)
    assert f"{ws.settings_path} [resolve].max_names: unknown key" in text
    assert f"{ws.settings_path} [resolve].fold_gmail: expected true or false, got 'no'" in text

    cfg = tmp_path / "run.toml"
    cfg.write_text('workspace = "ws"\n[resolve]\nname_company_domain = "sometimes"\nmax_names = 2\n')
    with pytest.raises(RunConfigError) as info:
        load_run_config(cfg)
    problems = info.value.problems
    assert "resolve.name_company_domain: expected true or false, got 'sometimes'" in problems
    assert any(p.startswith("resolve.max_names: unknown key (expected one of: ") for p in problems)
    cfg.write_text(
        'workspace = "ws"\n[outputs]\nfolder = "out"\n[resolve]\nname_company_domain = false\n'
        "max_names_per_identifier = 5\n"
    )
    assert load_run_config(cfg).resolve == {"name_company_domain": False, "max_names_per_identifier": 5}


# ------------------------------------------------------------------ through the importers and the CLI
CONNECTIONS = (
    'Notes:\n"When exporting your connection data, you may notice that some of the email addresses are '
    'missing."\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n'
    'Grace,Lee,https://www.linkedin.com/in/grace-lee-42,,"Acme, Inc.",VP Engineering,12 Mar 2024\n'
    "Dev,Patel,https://www.linkedin.com/in/devpatel,,Globex,CTO,01 Feb 2023\n"
)
MBOX = (
    "From 1@xxx Tue Mar 12 10:00:00 +0000 2024\n"
    "Date: Tue, 12 Mar 2024 10:00:00 +0000\nFrom: Grace Lee <grace.lee@acme.example>\n"
    "To: Ana Souza <ana@northwind.example>\nSubject: Hello\n\nHi Ana\n\n"
    "From 2@xxx Wed Mar 13 10:00:00 +0000 2024\n"
    "Date: Wed, 13 Mar 2024 10:00:00 +0000\nFrom: Ana Souza <ana@northwind.example>\n"
    "To: Grace Lee <grace.lee@acme.example>\nSubject: Re: Hello\n\nHi Grace\n\n"
)


def test_cli_person_shows_the_name_rule(tmp_path):
    from reach.cli import cli
    from reach.features import explain_person
    from reach.imports import import_paths

    (tmp_path / "Connections.csv").write_text(CONNECTIONS)
    (tmp_path / "mail.mbox").write_text(MBOX)
    ws = tmp_path / "ws"
    import_paths(ws, [tmp_path / "Connections.csv"], fmt="linkedin-connections", owner="ana@northwind.example")
    import_paths(ws, [tmp_path / "mail.mbox"], fmt="mbox", owner="ana@northwind.example")
    rep = explain_person(ws, "grace.lee@acme.example")
    assert set(rep.records["format"].to_list()) == {"linkedin-connections", "mbox"}
    assert rep.name_based()
    res = CliRunner().invoke(cli, ["-w", str(ws), "person", "linkedin.com/in/grace-lee-42"])
    assert res.exit_code == 0, res.output
    assert "name+company-domain: 2 records with the name 'grace lee' and the company 'acme'" in res.output
    assert "grace lee | acme" in res.output
    # `reach split --on` undoes the link, and it stays undone
    from reach.builder import find_person_id
    from reach.corrections import split_person

    split_person(ws, "grace.lee@acme.example", on=f"{NAME_COMPANY_DOMAIN}:grace lee | acme")
    assert find_person_id(ws, "grace.lee@acme.example") != find_person_id(ws, "linkedin.com/in/grace-lee-42")
    assert not explain_person(ws, "grace.lee@acme.example").name_based()


# ------------------------------------------------------------------ names read from first.last@ addresses
def test_an_address_written_first_dot_last_meets_the_linkedin_row():
    rows = [li("Grace Lee", "Acme Inc.", "grace-lee-42"), party(None, "grace.lee@acme.com", source_id="mail")]
    res = resolve(records(rows))
    assert len(set(people_of(res))) == 1
    kinds = pl.from_arrow(res["identifiers"]).filter(pl.col("kind") == NAME_COMPANY_DOMAIN)
    assert kinds["value"].to_list() == ["grace lee | acme"] * kinds.height and kinds.height == 2


@pytest.mark.parametrize(
    "address", ["glee@acme.com", "grace.lee@globex.com", "g.lee@acme.com", "grace@acme.com", "grace.lee@gmail.com"]
)
def test_other_address_shapes_and_domains_give_no_name(address):
    rows = [li("Grace Lee", "Acme Inc.", "grace-lee-42"), party(None, address, source_id="mail")]
    assert len(set(people_of(resolve(records(rows))))) == 2


def test_two_profiles_of_one_name_at_the_company_stay_apart_from_the_address():
    rows = [
        li("Grace Lee", "Acme Inc.", "grace-lee-42"),
        li("Grace Lee", "Acme", "grace-lee-7"),
        party(None, "grace.lee@acme.com", source_id="mail"),
    ]
    assert len(set(people_of(resolve(records(rows))))) == 3
