from __future__ import annotations

import polars as pl

from reach.identity import linkedin_slug, normalise_email, normalise_phone, resolve
from tests.identity_records import records


def norm(expr, values):
    return pl.select(expr(pl.lit(pl.Series(values)))).to_series().to_list()


def test_email_normalisation():
    assert norm(normalise_email, [" Ana@X.Example ", "Ana Souza <ana@x.example>", "mailto:B@y.example", "nope"]) == [
        "ana@x.example",
        "ana@x.example",
        "b@y.example",
        None,
    ]


def test_phone_normalisation():
    assert norm(normalise_phone, ["+41 31 928 09 60", "0041319280960", "tel:+1-202-555-0101", "123"]) == [
        "+41319280960",
        "+41319280960",
        "+12025550101",
        None,
    ]


def test_linkedin_slug_variants():
    urls = [
        "https://www.linkedin.com/in/Grace-Lee/",
        "http://uk.linkedin.com/in/grace-lee?originalSubdomain=uk",
        "www.linkedin.com/in/grace-lee",
        "https://www.linkedin.com/pub/john-doe/1b/215/b97",
    ]
    assert norm(linkedin_slug, urls) == ["grace-lee", "grace-lee", "grace-lee", "pub/john-doe/1b/215/b97"]


def test_shared_email_merges_and_names_alone_never_do():
    res = resolve(
        records(
            [
                {"display_name": "Grace Lee", "emails": ["grace@acme.example"]},
                {"display_name": "G. Lee", "emails": ["GRACE@acme.example"], "linkedin_url": "linkedin.com/in/glee"},
                {"display_name": "Grace Lee", "linkedin_url": "https://www.linkedin.com/in/glee/"},
                {"display_name": "Grace Lee"},  # same name, no identifier: a different person
            ]
        )
    )
    mem = pl.from_arrow(res["membership"]).sort("record_id")["person_id"].to_list()
    assert mem[0] == mem[1] == mem[2]
    assert mem[3] != mem[0]
    assert res["people"].num_rows == 2


def test_switchboard_phone_is_ignored_and_reported():
    rows = [{"display_name": n, "phones": ["+1 202 555 0100"]} for n in ["Ann A", "Bob B", "Cy C", "Di D", "Ed E"]]
    res = resolve(records(rows))
    assert res["people"].num_rows == 5
    assert res["ignored"].column("value").to_pylist() == ["+12025550100"]


def test_person_ids_are_stable_when_an_unrelated_source_is_added():
    base = [
        {"display_name": "Grace Lee", "emails": ["grace@acme.example"]},
        {"display_name": "Dev Patel", "key": "dev"},
    ]
    before = pl.from_arrow(resolve(records([dict(r) for r in base]))["membership"])
    more = [dict(r) for r in base] + [{"display_name": "Zed", "emails": ["zed@other.example"], "source_id": "s2"}]
    after = pl.from_arrow(resolve(records(more))["membership"])
    assert (
        before.join(after, on="record_id")["person_id"].to_list()
        == before.join(after, on="record_id")["person_id_right"].to_list()
    )


def test_owner_label_merges_owner_records_across_exports():
    res = resolve(
        records(
            [
                {
                    "role": "owner",
                    "owner": "ana@northwind.example",
                    "emails": ["ana@northwind.example"],
                    "source_id": "s1",
                },
                {
                    "role": "owner",
                    "owner": "ana@northwind.example",
                    "emails": ["ana@northwind.example"],
                    "source_id": "s2",
                },
                {"display_name": "Ana Souza", "emails": ["Ana@Northwind.example"], "source_id": "s3"},
            ]
        )
    )
    assert res["people"].num_rows == 1
    assert res["people"].column("owner").to_pylist() == ["ana@northwind.example"]


def test_fuzzy_tier_merges_same_company_near_identical_names_only_when_enabled():
    from reach.identity import ResolveSettings

    rows = [
        {"display_name": "Omar Haddad", "company": "Acme Inc.", "linkedin_url": "linkedin.com/in/omar-h"},
        {"display_name": "Haddad, Omar", "company": "ACME", "emails": ["omar@acme.example"]},
        {"display_name": "Omar Haddad", "company": "Umbrella", "emails": ["omar@umbrella.example"]},
        {"display_name": "Omar Hadad", "company": "Acme", "emails": ["o.hadad@acme.example"]},
    ]
    # by default the name+company-domain rule links rows 0 and 1 (same name; Acme Inc. = acme.example);
    # with it off, names never merge unless the fuzzy tier is on
    default = pl.from_arrow(resolve(records([dict(r) for r in rows]))["membership"]).sort("record_id")
    assert default["person_id"].n_unique() == 3 and default["person_id"][0] == default["person_id"][1]
    plain = resolve(records([dict(r) for r in rows]), settings=ResolveSettings(name_company_domain=False))
    assert plain["people"].num_rows == 4
    fuzzy = resolve(
        records([dict(r) for r in rows]), settings=ResolveSettings(fuzzy_threshold=97, name_company_domain=False)
    )
    mem = pl.from_arrow(fuzzy["membership"]).sort("record_id")["person_id"].to_list()
    assert mem[0] == mem[1]  # same company (Acme Inc. == ACME), same name in another order
    assert mem[2] != mem[0]  # another company: never merged on the name
    assert mem[3] != mem[0]  # "Hadad" scores 95.2, below 97
    assert pl.from_arrow(fuzzy["fuzzy"]).height == 1
    looser = resolve(
        records([dict(r) for r in rows]), settings=ResolveSettings(fuzzy_threshold=90, name_company_domain=False)
    )
    assert looser["people"].num_rows == 2


def test_idn_and_full_width_addresses_are_one_address():
    """The same mailbox written with a Unicode domain, its IDNA (punycode) form, or full-width characters is
    one identifier; Python's idna codec and unicodedata's NFKC are the oracles."""
    import unicodedata

    import polars as pl

    from reach.identity import normalise_email

    base = "josé@exämple.com"
    local, domain = base.split("@")
    spellings = [
        base,
        f"{local.upper()}@{domain.encode('idna').decode()}",
        "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in base),  # full-width ASCII
        f"mailto:{base}",
    ]
    assert unicodedata.normalize("NFKC", spellings[2]) == base
    got = pl.DataFrame({"e": spellings}).select(normalise_email(pl.col("e"))).to_series().to_list()
    assert got == [base] * len(spellings)
