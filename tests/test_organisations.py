"""One list of free-mail providers and one set of company keys, shared by identity and the views."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from reach.organisations import FREE_MAIL_BRANDS, domain_org_keys, domain_stem, is_free_mail
from reach.views import own_company
from tests.test_views import graph

# providers' own published consumer domains, written out by hand (not derived from FREE_MAIL_BRANDS)
FREE = ["gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "hotmail.com", "hotmail.de",
        "outlook.com", "live.co.uk", "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de",
        "gmx.at", "gmx.net", "web.de", "yandex.ru", "mail.com", "msn.com", "btinternet.com", "orange.fr",
        "libero.it", "t-online.de", "qq.com", "naver.com", "GMAIL.COM"]  # fmt: skip
COMPANY = ["acme.com", "mail.acme.co.uk", "northwind.example", "acme-corp.com", "gmailer.io", "yahoo-partners.com"]


def test_free_mail_domains():
    assert all(is_free_mail(d) for d in FREE)
    assert not any(is_free_mail(d) for d in COMPANY)
    assert not is_free_mail("localhost")


def test_identity_and_views_agree_on_free_mail():
    """A team member at yahoo.co.uk does not make yahoo.co.uk the team's company domain (views), and
    yahoo.co.uk names no company for the name+company-domain rule (identity)."""
    people = [
        {"person_id": "a", "display_name": "Ana", "emails": [f"ana@{d}" for d in FREE]},
        {"person_id": "b", "display_name": "Ben", "emails": ["ben@mail.acme.co.uk"]},
    ]
    rg = graph(people, [("a", "b", 1.0)])
    _, domains = own_company(rg, np.arange(rg.n_people))
    assert domains == {"mail.acme.co.uk"}
    keys = domain_org_keys(pl.Series([f"x@{d.lower()}" for d in FREE] + ["x@mail.acme.co.uk"]))
    assert keys.to_list() == [None] * len(FREE) + ["acme"]


def test_domain_stem():
    assert domain_stem("mail.acme-corp.co.uk") == "acme corp"
    assert domain_stem("www.com") is None
    assert domain_stem("yahoo.co.uk") is None
    assert domain_stem("acme") is None


@given(
    st.sampled_from(sorted(FREE_MAIL_BRANDS)),
    st.lists(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), max_size=2),
    st.sampled_from(["com", "de", "co.uk", "com.au", "fr", "net"]),
)
def test_a_brand_is_free_mail_under_any_top_level_domain(brand, subdomains, tld):
    domain = ".".join([*subdomains, brand, tld])
    assert is_free_mail(domain)
    assert domain_stem(domain) is None
    assert domain_org_keys(pl.Series([f"x@{domain}"])).to_list() == [None]
