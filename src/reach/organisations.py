"""Organisations: which email domains are free mail, and the keys that name a company.

One place for both, used by identity resolution (the name+company-domain rule) and by the recruiter
and sales views (the team's own company, target accounts), so that a domain is free mail for both or
for neither: ``yahoo.co.uk`` and ``hotmail.de`` are free mail everywhere.
"""

from __future__ import annotations

import polars as pl

COMPANY_SUFFIXES = (
    r"\b(inc|incorporated|llc|ltd|limited|gmbh|ag|sa|sas|bv|nv|plc|corp|corporation|co|company|oy|ab|as|srl|spa)\b"
)
# ccTLD second levels: the company is the label before them (acme.co.uk -> acme)
SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ltd", "plc", "ne", "or", "go", "gen", "nom"})
# free-mail brands under any top-level domain (gmail.com, yahoo.co.uk, hotmail.de, gmx.at, proton.me, ...)
FREE_MAIL_BRANDS = frozenset(
    {
        "gmail",
        "googlemail",
        "yahoo",
        "ymail",
        "rocketmail",
        "hotmail",
        "outlook",
        "live",
        "msn",
        "windowslive",
        "aol",
        "aim",
        "icloud",
        "me",
        "mac",
        "proton",
        "protonmail",
        "pm",
        "gmx",
        "web",
        "yandex",
        "mail",
        "inbox",
        "zoho",
        "fastmail",
        "tutanota",
        "tuta",
        "posteo",
        "mailbox",
        "hey",
        "qq",
        "163",
        "126",
        "sina",
        "naver",
        "daum",
        "hanmail",
        "rediffmail",
        "libero",
        "virgilio",
        "laposte",
        "orange",
        "wanadoo",
        "free",
        "sfr",
        "t-online",
        "freenet",
        "seznam",
        "wp",
        "o2",
        "interia",
        "onet",
        "rambler",
        "bigpond",
        "btinternet",
        "sky",
        "comcast",
        "verizon",
        "sbcglobal",
        "bellsouth",
        "cox",
        "charter",
        "earthlink",
        "optonline",
        "shaw",
        "rogers",
        "sympatico",
        "ziggo",
        "kpnmail",
        "telenet",
        "skynet",
        "bluewin",
        "uol",
        "bol",
        "terra",
        "ig",
        "email",
        "usa",
        "zohomail",
        "duck",
    }
)


def company_key(col: pl.Expr) -> pl.Expr:
    """``"Acme, Inc."`` -> ``"acme"``: lower-case, legal suffixes and punctuation removed."""
    c = col.str.to_lowercase().str.replace_all(r"[^\w\s&]", " ").str.replace_all(COMPANY_SUFFIXES, " ")
    c = c.str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(c == "").then(None).otherwise(c)


# words a company's name often carries that its domain leaves out ("Stark Industries" at stark.com,
# "Cyberdyne Systems" at cyberdyne.com); only dropped at the end of a name of two words or more, and
# never words that name another line of business ("Acme Bank" is not acme.com)
COMPANY_DESCRIPTORS = (
    "industries",
    "enterprises",
    "systems",
    "technologies",
    "technology",
    "group",
    "holdings",
    "labs",
    "laboratories",
    "solutions",
    "software",
    "international",
    "global",
    "worldwide",
    "analytics",
)
_DESCRIPTOR_TAIL = r"(?:\s+(?:" + "|".join(COMPANY_DESCRIPTORS) + r"))+$"


def org_key(col: pl.Expr, *, keep_suffix: bool = False, drop_descriptors: bool = False) -> pl.Expr:
    """A company as one token, for matching names to domains: ``"The Acme, Inc."`` -> ``"acme"``,
    ``"Blue Wind Labs"`` -> ``"bluewindlabs"``; keys shorter than two characters are null. With
    ``keep_suffix`` the legal suffix stays (``"Acme Corp."`` -> ``"acmecorp"``, as in ``acmecorp.com``);
    with ``drop_descriptors`` trailing :data:`COMPANY_DESCRIPTORS` go (``"Vandelay Industries, Inc."`` ->
    ``"vandelay"``, as in ``vandelay.com``).
    """
    k = col.str.to_lowercase().str.replace_all(r"[^\w\s&]", " ").str.strip_chars() if keep_suffix else company_key(col)
    if drop_descriptors:
        k = k.str.replace(r"^the\s+", "").str.replace(_DESCRIPTOR_TAIL, "")
    k = k.str.replace(r"^the\s+", "").str.replace_all(r"[\s&_]+", "")
    return pl.when(k.str.len_chars() >= 2).then(k).otherwise(None)


def _domain_labels(domain: str) -> list[str] | None:
    """The labels of ``domain`` up to its registrable name (``mail.acme.co.uk`` -> ``["mail", "acme"]``)."""
    labels = [x for x in domain.strip(".").lower().split(".") if x]
    if len(labels) < 2:
        return None
    tld = labels.pop()
    if len(labels) >= 2 and len(tld) == 2 and labels[-1] in SECOND_LEVEL:
        labels.pop()
    return labels


def is_free_mail(domain: str) -> bool:
    """Whether ``domain`` belongs to a free-mail provider: ``gmail.com``, ``yahoo.co.uk``, ``gmx.at``."""
    labels = _domain_labels(domain)
    return labels is not None and labels[-1] in FREE_MAIL_BRANDS


def domain_stem(domain: str) -> str | None:
    """The company name a domain carries (``mail.acme-corp.co.uk`` -> ``"acme corp"``); None for free mail,
    ``www`` and names without a top-level domain.
    """
    labels = _domain_labels(domain)
    if labels is None or labels[-1] in FREE_MAIL_BRANDS or labels[-1] == "www":
        return None
    return labels[-1].replace("-", " ")


def domain_org_keys(emails: pl.Series) -> pl.Series:
    """The :func:`org_key` of each (normalised) email's domain; null for free mail (gmail.com,
    yahoo.co.uk, ...) and non-addresses. ``jane@mail.acme.co.uk`` -> ``"acme"``.
    """
    domains = emails.str.extract(r"@(.+)$", 1)
    uniq = domains.drop_nulls().unique()
    stems = pl.Series("stem", [domain_stem(d) for d in uniq.to_list()], dtype=pl.String)
    keys = pl.DataFrame({"d": uniq, "stem": stems}).select("d", org_key(pl.col("stem")).alias("k"))
    return domains.replace_strict(keys["d"], keys["k"], default=None, return_dtype=pl.String).alias("org")
