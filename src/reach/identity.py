"""Identity resolution: records -> people, as connected components of shared strong identifiers.

Pure functions over Arrow tables. Identifiers are normalised (emails, E.164 phones, LinkedIn slugs,
owner labels, edge-list keys); two records are the same person when they share one, unless it is a
switchboard (seen with more than ``max_names_per_identifier`` names, typo variants of one name
counting once). Names alone never merge. Name-based rules, each reported apart from shared
identifiers as a named kind of evidence: ``name+company-domain`` (on by default) links a full name
seen with a company (a LinkedIn row) to the same full name seen with an address at that company's
domain, when that is unambiguous; ``name+shared-export`` (on by default) links the only two people
with a full name when both hold an address, phone or profile and appear in one export (an old
employer's or a personal address next to the current one); an optional fuzzy tier merges people
with the same company and near-identical names.
Components are computed on the bipartite record-identifier graph by igraph in one call, so there is
no pairwise Python loop. Python only runs over *distinct* phone numbers, names and domains (for
libphonenumber and Unicode accent folding), never over record pairs; name pairs are only scored
(rapidfuzz, in one call) within switchboard candidates.

``person_id`` is a hash of the component's anchor identifier (the smallest by kind priority, then
value), so the same inputs always give the same ids and an unrelated import changes no existing id.

User corrections (:class:`Overrides`) hold on every build: ``merge`` links two identifiers,
``ignore`` stops an identifier from merging anything, ``detach`` makes a record (``source_id:line``)
a person of its own.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field, fields
from functools import lru_cache

import igraph as ig
import numpy as np
import polars as pl
import pyarrow as pa

from reach.errors import ConfigError
from reach.organisations import company_key, domain_org_keys, org_key
from reach.schema import IDENTIFIERS, MEMBERSHIP, PEOPLE, conform

# lower = preferred as anchor and as evidence; the name rules' kinds are evidence of a name-based link,
# never an anchor
KIND_PRIORITY = {
    "owner": 0,
    "linkedin": 1,
    "email": 2,
    "phone": 3,
    "key": 4,
    "record": 5,
    "name+company-domain": 6,
    "name+shared-export": 7,
    "name+address-book": 8,
}
SHARED_KINDS = ("email", "phone")


@dataclass(frozen=True)
class Overrides:
    """User corrections kept in the workspace (``overrides.json``) and applied on every build."""

    merge: tuple[tuple[str, str], ...] = ()  # pairs of "kind:value" identifiers that are one person
    ignore: tuple[str, ...] = ()  # "kind:value" identifiers never used to merge
    detach: tuple[str, ...] = ()  # "source_id:line" records that stand alone

    @classmethod
    def from_dict(cls, d: dict) -> Overrides:
        return cls(
            merge=tuple(tuple(p) for p in d.get("merge", [])),
            ignore=tuple(d.get("ignore", [])),
            detach=tuple(d.get("detach", [])),
        )

    def as_dict(self) -> dict:
        return {"merge": [list(p) for p in self.merge], "ignore": list(self.ignore), "detach": list(self.detach)}


@dataclass(frozen=True)
class ResolveSettings:
    """Options for :func:`resolve`.

    max_names_per_identifier: an email or phone seen on records with more distinct names than this
        (a switchboard number, ``info@company.com``) is not used to merge, and is reported. Spellings
        of one name that differ by a typo (``Jon Smith``, ``John Smith``, ``Jhon Smith``) count once.
    default_region: ISO country for phone numbers written without ``+`` (e.g. ``"GB"``); without it
        such numbers are not used as identifiers.
    fold_gmail: treat ``j.doe+x@gmail.com`` and ``jdoe@googlemail.com`` as one address.
    name_company_domain: link a person seen with a full name and a company (a LinkedIn row) to the
        one seen with the same full name and an email at that company's domain
        (``jane.doe@acme.com``, ``Company: Acme Inc.``), when exactly one person has that name with an
        address there and the people with it only beside the company hold at most one LinkedIn profile.
        Free-mail domains never count as a company. Reported as rule ``name+company-domain``.
    name_shared_export: link the only two people with a full name among all the records when both are
        seen in one export, both hold an address, phone or profile, and nothing says they are two (two
        addresses at one company, two stated companies, two LinkedIn profiles, a second name on either
        side). Reported as rule ``name+shared-export`` (:func:`name_shared_export_links`).
    name_address_book: link a chat participant the export names from the owner's address book (a
        WhatsApp sender saved in the phone's contacts is shown by that contact's name, with no number)
        to the one person holding a contact card with that full name in the same owner's exports.
        Reported as rule ``name+address-book`` (:func:`name_address_book_links`).
    fuzzy_threshold: when set (0-100), people with the same company and names at least this similar
        (rapidfuzz token-sort ratio) are merged, and each merge is reported.
    """

    max_names_per_identifier: int = 3
    default_region: str | None = None
    fold_gmail: bool = False
    name_company_domain: bool = True
    name_shared_export: bool = True
    name_address_book: bool = True
    fuzzy_threshold: float | None = None
    overrides: Overrides = field(default_factory=Overrides)

    def as_dict(self) -> dict:
        return {
            "max_names_per_identifier": self.max_names_per_identifier,
            "default_region": self.default_region,
            "fold_gmail": self.fold_gmail,
            "name_company_domain": self.name_company_domain,
            "name_shared_export": self.name_shared_export,
            "name_address_book": self.name_address_book,
            "fuzzy_threshold": self.fuzzy_threshold,
            "overrides": self.overrides.as_dict(),
        }

    @classmethod
    def keys(cls) -> list[str]:
        """The settings a ``[resolve]`` table may hold (everything but the overrides)."""
        return sorted(f.name for f in fields(cls) if f.name != "overrides")

    @classmethod
    def from_dict(cls, data: dict, *, where: str = "resolve", overrides: Overrides | None = None) -> ResolveSettings:
        """Validate a ``[resolve]`` table (a run config's or a workspace's ``settings.toml``).

        Every unknown key and bad value is reported at once in one :class:`~reach.errors.ConfigError`,
        problems joined by ``"; "``, each ``"<where>.<key>: <what>"``. ``default_region`` is upper-cased.
        """
        known = cls.keys()
        problems: list[str] = [
            f"{where}.{k}: unknown key (expected one of: {', '.join(known)})" for k in data if k not in known
        ]
        kwargs: dict = {}

        def bad(key: str, what: str) -> None:
            problems.append(f"{where}.{key}: {what}")

        if "max_names_per_identifier" in data:
            v = data["max_names_per_identifier"]
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                bad("max_names_per_identifier", f"expected a whole number from 1 up, got {_show(v)}")
            else:
                kwargs["max_names_per_identifier"] = v
        if "default_region" in data:
            v = data["default_region"]
            if not (isinstance(v, str) and re.fullmatch(r"[A-Za-z]{2}", v)):
                bad("default_region", f"expected a two-letter country code like 'GB', got {_show(v)}")
            else:
                kwargs["default_region"] = v.upper()
        for key in ("fold_gmail", "name_company_domain", "name_shared_export", "name_address_book"):
            if key in data:
                v = data[key]
                if not isinstance(v, bool):
                    bad(key, f"expected true or false, got {_show(v)}")
                else:
                    kwargs[key] = v
        if "fuzzy_threshold" in data:
            v = data["fuzzy_threshold"]
            ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and 0 <= v <= 100
            if not ok:
                bad("fuzzy_threshold", f"expected a number from 0 to 100, got {_show(v)}")
            else:
                kwargs["fuzzy_threshold"] = float(v)
        if problems:
            raise ConfigError("; ".join(problems))
        return cls(**kwargs, overrides=overrides or Overrides())


def _show(v: object) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


# ------------------------------------------------------------------ normalisers (polars expressions)
def _idna_to_unicode(domain: str) -> str:
    """``xn--`` labels of a domain as Unicode (``xn--exmple-cua.com`` -> ``exämple.com``); unchanged if invalid."""
    try:
        return ".".join(
            label.encode("ascii").decode("idna") if label.startswith("xn--") else label for label in domain.split(".")
        )
    except (UnicodeError, ValueError):
        return domain


def _unicode_domains(emails: pl.Series) -> pl.Series:
    """Addresses whose domain is written in IDNA (punycode) rewritten with the Unicode domain: one spelling
    per address. Only the distinct addresses that have an ``xn--`` label go through Python.
    """
    has = emails.str.contains(r"@(?:[^@]*\.)?xn--").fill_null(value=False)
    if not has.any():
        return emails
    mapping = {}
    for addr in emails.filter(has).unique().to_list():
        local, _, domain = addr.rpartition("@")
        mapping[addr] = f"{local}@{_idna_to_unicode(domain)}"
    return emails.replace(mapping)


def normalise_email(col: pl.Expr, *, fold_gmail: bool = False) -> pl.Expr:
    """NFKC (full-width ``＠`` and letters become plain), lower-case, trim, unwrap ``Name <a@b>`` and
    ``mailto:``, IDNA domains in Unicode (``josé@xn--exmple-cua.com`` is ``josé@exämple.com``); non-addresses
    become null.
    """
    e = col.str.normalize("NFKC").str.strip_chars().str.to_lowercase()
    e = pl.when(e.str.contains("<")).then(e.str.extract(r"<([^>]*)>", 1)).otherwise(e)
    e = e.str.strip_prefix("mailto:").str.strip_chars(" \"'<>;,")
    e = pl.when(e.str.contains(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")).then(e).otherwise(None)
    e = e.map_batches(_unicode_domains, return_dtype=pl.String)
    if fold_gmail:
        local = e.str.extract(r"^([^@]+)@", 1)
        domain = e.str.extract(r"@(.+)$", 1)
        is_gmail = domain.is_in(["gmail.com", "googlemail.com"])
        folded = local.str.replace(r"\+.*$", "").str.replace_all(".", "", literal=True) + "@gmail.com"
        e = pl.when(is_gmail).then(folded).otherwise(e)
    return e


@lru_cache(maxsize=8)
def _phone_parser(region: str | None):
    import phonenumbers

    def parse(raw: str) -> str | None:
        s = raw.strip()
        if s.lower().startswith("tel:"):
            s = s[4:]
        if s.startswith("00"):
            s = "+" + s[2:]
        try:
            num = phonenumbers.parse(s, None if s.startswith("+") else region)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_possible_number(num):
            return None
        return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)

    return parse


def normalise_phones(values: pl.Series, *, region: str | None = None) -> pl.Series:
    """E.164 form of each phone (libphonenumber), parsed once per distinct value; null if not a number."""
    parse = _phone_parser(region)
    uniq = values.drop_nulls().unique()
    mapping = {v: parse(v) for v in uniq.to_list()}
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)


def normalise_phone(col: pl.Expr, *, region: str | None = None) -> pl.Expr:
    """Expression form of :func:`normalise_phones`."""
    return col.map_batches(lambda s: normalise_phones(s, region=region), return_dtype=pl.String)


def linkedin_slug(col: pl.Expr) -> pl.Expr:
    """Canonical profile slug from a LinkedIn URL (``/in/<slug>`` or legacy ``/pub/...``)."""
    s = col.str.strip_chars().str.to_lowercase()
    slug = s.str.extract(r"linkedin\.com/in/([^/?#\s]+)", 1)
    pub = s.str.extract(r"linkedin\.com/(pub/[^?#\s]+?)/?(?:[?#]|$)", 1)
    out = pl.when(slug.is_not_null()).then(slug).otherwise(pub)
    return out.str.replace_all("%20", "-").str.strip_chars("/")


def normalise_name(col: pl.Expr) -> pl.Expr:
    """Casefold, trim and collapse spaces."""
    return col.str.to_lowercase().str.strip_chars().str.replace_all(r"\s+", " ")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _signature(name: str) -> str | None:
    if "@" in name:
        return None
    words = sorted(w for w in re.split(r"[\W_]+", _fold(name)) if w)
    return " ".join(words) or None


def name_signatures(values: pl.Series) -> pl.Series:
    """Order-, case- and accent-free name form (``"Martin, Chloé"`` == ``"chloe martin"``); null for addresses."""
    uniq = values.drop_nulls().unique()
    mapping = {v: _signature(v) for v in uniq.to_list()}
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)


def name_signature(col: pl.Expr) -> pl.Expr:
    return col.map_batches(name_signatures, return_dtype=pl.String)


# ------------------------------------------------------------------ identifiers
def record_identifiers(records: pa.Table, *, settings: ResolveSettings | None = None) -> pa.Table:
    """Every normalised identifier of every record (IDENTIFIERS schema)."""
    settings = settings or ResolveSettings()
    rec = pl.from_arrow(records)

    def email(c: pl.Expr) -> pl.Expr:
        return normalise_email(c, fold_gmail=settings.fold_gmail)

    phones = rec.select("record_id", "phones").explode("phones")
    parts = [
        rec.filter(pl.col("key").is_not_null()).select(
            "record_id", pl.lit("key").alias("kind"), pl.col("key").alias("value")
        ),
        rec.filter(pl.col("owner").is_not_null()).select(
            "record_id", pl.lit("owner").alias("kind"), normalise_name(pl.col("owner")).alias("value")
        ),
        # an owner label that is an address, also written "Name <address>", is that address
        rec.filter(pl.col("role") == "owner").select(
            "record_id", pl.lit("email").alias("kind"), email(pl.col("owner")).alias("value")
        ),
        # an edge-list key that is an email address is that address
        rec.filter(pl.col("key").str.contains("@")).select(
            "record_id", pl.lit("email").alias("kind"), email(pl.col("key")).alias("value")
        ),
        rec.select("record_id", "emails")
        .explode("emails")
        .select("record_id", pl.lit("email").alias("kind"), email(pl.col("emails")).alias("value")),
        phones.select(
            "record_id",
            pl.lit("phone").alias("kind"),
            normalise_phones(phones["phones"], region=settings.default_region).alias("value"),
        ),
        rec.select("record_id", pl.lit("linkedin").alias("kind"), linkedin_slug(pl.col("linkedin_url")).alias("value")),
    ]
    ids = pl.concat(parts).filter(pl.col("value").is_not_null() & (pl.col("value") != "")).unique()
    # a record with no identifier at all is a person of its own
    lonely = (
        rec.with_columns(_lonely_ref().alias("ref"))
        .join(ids.select("record_id").unique(), on="record_id", how="anti")
        .select("record_id", pl.lit("record").alias("kind"), pl.col("ref").alias("value"))
    )
    out = pl.concat([ids, lonely]).sort(["record_id", "kind", "value"])
    return conform(out.to_arrow(), IDENTIFIERS)


def _record_ref() -> pl.Expr:
    """``source_id:line`` of a record: what users name in ``detach`` overrides."""
    return pl.format("{}:{}", pl.col("source_id"), pl.coalesce(pl.col("line"), pl.col("record_id")))


def _lonely_ref() -> pl.Expr:
    """A record's own identity when it has no identifier: its source and its position within that source
    (unique even when several records share a line, and independent of import order).
    """
    local = pl.col("record_id") - pl.col("record_id").min().over("source_id")
    return pl.format("{}#{}", pl.col("source_id"), local)


def shared_identifiers(records: pa.Table, identifiers: pa.Table, *, max_names: int) -> pl.DataFrame:
    """Emails and phones on records of more than ``max_names`` distinct names: too shared to merge on.

    Names are compared by :func:`name_signatures`, and spellings one typo apart (see :func:`typo_groups`)
    count as one name, so a colleague written ``Jon``, ``John`` and ``Jhon`` by different people is
    one name while a switchboard shared by a dozen people is still a dozen. ``n_names`` is that
    typo-tolerant count.
    """
    ids = pl.from_arrow(identifiers).filter(pl.col("kind").is_in(SHARED_KINDS))
    rec = pl.from_arrow(records).select("record_id", "role", "display_name").filter(pl.col("role") != "owner")
    # signatures only for records holding an email or phone (not the edge list's nodes)
    rec = rec.join(ids.select("record_id").unique(), on="record_id", how="semi")
    rec = rec.select("record_id", name_signatures(rec["display_name"]).alias("name"))
    named = ids.join(rec, on="record_id").filter(pl.col("name").is_not_null())
    counts = named.group_by("kind", "value").agg(
        pl.col("name").n_unique().alias("n_names"), pl.col("record_id").n_unique().alias("n_records")
    )
    over = counts.filter(pl.col("n_names") > max_names)
    if over.height:
        names = named.join(over.select("kind", "value"), on=["kind", "value"]).select("kind", "value", "name").unique()
        grouped = typo_groups(names, ["kind", "value"])
        n_groups = grouped.group_by("kind", "value").agg(pl.col("group").n_unique().alias("n_groups"))
        counts = (
            counts.join(n_groups, on=["kind", "value"], how="left")
            .with_columns(pl.coalesce("n_groups", "n_names").cast(pl.UInt32).alias("n_names"))
            .drop("n_groups")
        )
    return (
        counts.filter(pl.col("n_names") > max_names)
        .select("kind", "value", "n_names", "n_records")
        .sort("kind", "value")
    )


# a name spelt this many ways on one identifier is not compared pairwise: it is too shared anyway
TYPO_GROUP_LIMIT = 200


def typo_groups(names: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Group the distinct ``name`` signatures within each ``by`` group into spellings of one name.

    Two signatures are one name when their optimal-string-alignment distance (a swap, drop, insert
    or change of one letter each counts 1) is at most 1 for names of 7 to 11 characters, 2 from 12
    characters, and 0 below 7 (``"bo li"`` and ``"bo lu"`` are two people), comparing word orders
    both ways (``"aan alves"`` vs ``"alves ana"``); groups are the connected components of that
    relation. All pairs of all groups are scored in one rapidfuzz ``cpdist`` call
    and grouped in one igraph call. Groups with more than :data:`TYPO_GROUP_LIMIT` signatures are not
    compared (every signature is its own name). Returns ``names`` with an ``Int64`` column ``group``
    (unique across all ``by`` groups).
    """
    from rapidfuzz.distance import OSA
    from rapidfuzz.process import cpdist

    nodes = names.select(*by, "name").unique().sort(*by, "name").with_row_index("node")
    nodes = nodes.with_columns(pl.col("node").cast(pl.Int64), pl.len().over(by).alias("_n"))
    cand = nodes.filter((pl.col("_n") > 1) & (pl.col("_n") <= TYPO_GROUP_LIMIT))
    n = nodes.height
    membership = np.arange(n, dtype=np.int64)
    if cand.height:
        left = cand.select(*by, pl.col("node").alias("a"), pl.col("name").alias("na"))
        right = cand.select(*by, pl.col("node").alias("b"), pl.col("name").alias("nb"))
        pairs = left.join(right, on=by).filter(pl.col("a") < pl.col("b"))
        if pairs.height:
            flipped = pairs["nb"].str.split(" ").list.reverse().list.join(" ")
            d = np.minimum(
                cpdist(pairs["na"].to_list(), pairs["nb"].to_list(), scorer=OSA.distance, workers=-1),
                cpdist(pairs["na"].to_list(), flipped.to_list(), scorer=OSA.distance, workers=-1),
            )
            shortest = np.minimum(pairs["na"].str.len_chars().to_numpy(), pairs["nb"].str.len_chars().to_numpy())
            close = d <= np.select([shortest >= 12, shortest >= 7], [2, 1], 0)
            if close.any():
                g = ig.Graph(n)
                g.add_edges(np.column_stack([pairs["a"].to_numpy()[close], pairs["b"].to_numpy()[close]]))
                membership = _components(g)
    out = nodes.with_columns(pl.Series("group", membership[nodes["node"].to_numpy()]))
    return names.join(out.select(*by, "name", "group"), on=[*by, "name"], how="left")


# ------------------------------------------------------------------ the name+company-domain tier
NAME_COMPANY_DOMAIN = "name+company-domain"  # the rule's name, and the kind of its evidence in `identifiers`
# words that are not part of a name for the name+company-domain rule: honorifics and credentials
NAME_NOISE = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "sir",
    "dame",
    "jr",
    "sr",
    "ii",
    "iii",
    "iv",
    "phd",
    "md",
    "mba",
    "msc",
    "bsc",
    "cpa",
    "cfa",
    "pmp",
    "esq",
    "dds",
}


def rule_names(display_names: pl.Series) -> pl.Series:
    """The full name a record gives to the name+company-domain rule: its :func:`name_signatures` without
    parenthesised asides (``"(she/her)"``), honorifics, credentials and initials; null unless at
    least two words remain (a first name alone is too weak).
    """
    sig = name_signatures(display_names.str.replace_all(r"\([^)]*\)|\[[^\]]*\]", " "))
    words = sig.str.split(" ").list.eval(
        pl.element().filter((pl.element().str.len_chars() > 1) & ~pl.element().is_in(sorted(NAME_NOISE)))
    )
    return (
        pl.select(pl.when(words.list.len() >= 2).then(words.list.join(" ")).otherwise(None)).to_series().alias("name")
    )


def name_company_domain_links(
    rec: pl.DataFrame, comp: np.ndarray, usable: pl.DataFrame, ignore: tuple[str, ...] = ()
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pairs of components one person by the ``name+company-domain`` rule, and the records behind them.

    ``rec`` has the records' ``record_id``, ``role``, ``owner``, ``display_name`` and ``company`` and
    an ``rv`` column indexing ``comp`` (each record's component so far); ``usable`` has the identifiers
    the components were built from. Each record gives keys (full name, company): from its
    ``company`` column (the *company side*: a LinkedIn row, a contact card; the company with and
    without its legal suffix, so ``Acme Corp.`` meets both ``acme.com`` and ``acmecorp.com``, and without
    trailing :data:`COMPANY_DESCRIPTORS`, so ``Stark Industries`` meets ``stark.com``) and from
    the domain of each of its usable, non-free-mail email addresses (the *domain side*: a mail or
    meeting party). The name is :func:`rule_names`. A key links the one component holding it on the
    domain side to each component holding it only on the company side; a key held by two components
    on the domain side is two namesakes at one company, and links nothing. Links whose components
    together hold two LinkedIn profiles (two people: a contact card and a profile beside one address
    are one person, two profiles are not), or two domain-side components through keys that chain,
    are dropped. Names with one word and edge-list nodes give no
    keys; an owner record gives one when its label is written ``"Name <address>"``.

    Returns ``(links, evidence)``: ``links`` has ``comp_a``, ``comp_b`` (component ids), ``name`` and
    ``org``; ``evidence`` has ``record_id``, ``kind`` (``"name+company-domain"``) and ``value``
    (``"<name> | <company key>"``) for every record that carries a key used in a link.
    """
    empty_links = pl.DataFrame(schema={"comp_a": pl.Int64, "comp_b": pl.Int64, "name": pl.String, "org": pl.String})
    empty_ev = pl.DataFrame(schema={"record_id": pl.Int64, "kind": pl.String, "value": pl.String})
    people = _linkable_names(rec, comp)
    people = pl.concat([people, _address_names(rec, comp, usable, people)])
    if people.height == 0:
        return empty_links, empty_ev
    by_company = pl.concat(
        [
            people.select(
                "record_id",
                "comp",
                "name",
                org_key(pl.col("company"), keep_suffix=keep, drop_descriptors=drop).alias("org"),
                pl.lit(False).alias("domain"),
            )
            for keep, drop in ((False, False), (True, False), (False, True))
        ]
    )
    mails = usable.filter(pl.col("kind") == "email").join(people.select("record_id", "comp", "name"), on="record_id")
    by_domain = mails.select("record_id", "comp", "name", domain_org_keys(mails["value"]), pl.lit(True).alias("domain"))
    keys = pl.concat([by_company, by_domain]).filter(pl.col("org").is_not_null()).unique()
    if ignore:
        keys = keys.filter(~pl.format("{} | {}", "name", "org").is_in(list(ignore)))
    per_key = keys.group_by("name", "org").agg(
        pl.col("comp").filter(pl.col("domain")).unique().alias("d"),
        pl.col("comp").filter(~pl.col("domain")).unique().alias("c"),
    )
    per_key = per_key.filter(pl.col("d").list.len() == 1).with_columns(
        pl.col("c").list.set_difference(pl.col("d")).alias("c")
    )
    per_key = (
        per_key.filter(pl.col("c").list.len() >= 1)
        .explode("c")
        .select(pl.col("d").list.first().alias("comp_a"), pl.col("c").alias("comp_b"), "name", "org")
    )
    if per_key.height == 0:
        return empty_links, empty_ev
    # the links' components taken together must hold one domain-side person and at most one LinkedIn
    # profile (two profiles are two people); otherwise keys chain namesakes together and none is used
    links = per_key.with_columns(pl.col("comp_a", "comp_b").cast(pl.Int64)).sort("name", "org")
    links = _single_profile_links(links, comp, rec, usable, one_domain_side=True)
    if links.height == 0:
        return empty_links, empty_ev
    ends = pl.concat(
        [
            links.select("name", "org", pl.col("comp_a").alias("comp")),
            links.select("name", "org", pl.col("comp_b").alias("comp")),
        ]
    )
    evidence = (
        keys.join(ends.with_columns(pl.col("comp").cast(keys["comp"].dtype)), on=["name", "org", "comp"])
        .select(
            "record_id",
            pl.lit(NAME_COMPANY_DOMAIN).alias("kind"),
            pl.format("{} | {}", "name", "org").alias("value"),
        )
        .unique()
    )
    return links, evidence


NAME_SHARED_EXPORT = "name+shared-export"  # the rule's name, and the kind of its evidence in `identifiers`


def _linkable_names(rec: pl.DataFrame, comp: np.ndarray) -> pl.DataFrame:
    """``record_id``, ``source_id``, ``comp`` and :func:`rule_names` ``name`` of the records a name rule may
    use: contacts and parties with a full name, and owners labelled ``"Name <address>"``.
    """
    owner_name = pl.col("owner").str.extract(r'^\s*"?([^"<@]+?)"?\s*<[^>]*@[^>]*>\s*$', 1)
    people = rec.with_columns(
        pl.when(pl.col("role") == "owner").then(owner_name).otherwise(pl.col("display_name")).alias("display_name")
    )
    people = people.filter(pl.col("role").is_in(["contact", "party", "owner"]))
    people = people.select(
        "record_id",
        "source_id",
        "company",
        "role",
        pl.Series("comp", comp[people["rv"].to_numpy()]),
        rule_names(people["display_name"]),
    )
    # an owner labelled by address only is named by the rest of their records, when those give one name
    # (Ana's mailbox has her as "ana@northwind.example"; her LinkedIn and Slack records say "Ana Souza")
    own_name = (
        people.filter(pl.col("name").is_not_null() & (pl.col("role") != "owner"))
        .group_by("comp")
        .agg(pl.col("name").unique().alias("names"))
        .filter(pl.col("names").list.len() == 1)
        .select("comp", pl.col("names").list.first().alias("own_name"))
    )
    people = people.join(own_name, on="comp", how="left").with_columns(
        pl.when(pl.col("name").is_null() & (pl.col("role") == "owner"))
        .then(pl.col("own_name"))
        .otherwise(pl.col("name"))
        .alias("name")
    )
    return people.filter(pl.col("name").is_not_null()).select("record_id", "source_id", "company", "comp", "name")


ADDRESS_NAME = r"^([a-z]{2,})[._-]([a-z]{2,})@"  # first.last@, first_last@, first-last@


def _address_names(rec: pl.DataFrame, comp: np.ndarray, usable: pl.DataFrame, named: pl.DataFrame) -> pl.DataFrame:
    """Names for mail and calendar parties seen by address only, read from the address when it is written
    ``first.last@`` (or ``_``, ``-``): the corporate convention that lets ``grace.lee@acme.com`` meet a
    LinkedIn row "Grace Lee, Acme Inc.". Only the domain side of ``name+company-domain`` uses them;
    the rule's uniqueness checks apply unchanged. Columns as :func:`_linkable_names`.
    """
    nameless = rec.filter((pl.col("role") == "party") & ~pl.col("record_id").is_in(named["record_id"].implode()))
    mails = usable.filter(pl.col("kind") == "email").join(
        nameless.select("record_id", "source_id", "rv"), on="record_id"
    )
    parts = mails["value"].str.extract_groups(ADDRESS_NAME)
    mails = mails.with_columns(
        pl.concat_str([parts.struct.field("1"), parts.struct.field("2")], separator=" ").alias("display_name")
    ).filter(pl.col("display_name").is_not_null())
    if mails.height == 0:
        return named.head(0)
    out = mails.select(
        "record_id",
        "source_id",
        pl.lit(None, pl.String).alias("company"),
        pl.Series("comp", comp[mails["rv"].to_numpy()]),
        rule_names(mails["display_name"]),
    )
    return (
        out.filter(pl.col("name").is_not_null())
        .unique("record_id", keep="first", maintain_order=True)
        .cast(named.schema)
    )


def _single_profile_links(
    links: pl.DataFrame, comp: np.ndarray, rec: pl.DataFrame, usable: pl.DataFrame, *, one_domain_side: bool = False
) -> pl.DataFrame:
    """The ``links`` (``comp_a``, ``comp_b``) whose connected group of components holds at most one LinkedIn
    profile (two profiles are two people), and with ``one_domain_side`` exactly one ``comp_a``.
    """
    if links.height == 0:
        return links
    ends, inverse = np.unique(
        np.concatenate([links["comp_a"].to_numpy(), links["comp_b"].to_numpy()]), return_inverse=True
    )
    small = ig.Graph(ends.shape[0])
    small.add_edges(inverse.reshape(2, -1).T)
    group = _components(small)
    profiles = usable.filter(pl.col("kind") == "linkedin").join(rec.select("record_id", "rv"), on="record_id")
    # distinct profiles per group, not components: one profile can only be in one component anyway
    profiled = np.isin(ends, comp[profiles["rv"].to_numpy()])
    n_profiles = np.bincount(group, weights=profiled, minlength=group.max() + 1)
    ok = n_profiles <= 1
    if one_domain_side:
        n_domain = np.bincount(group, weights=np.isin(ends, links["comp_a"].to_numpy()), minlength=group.max() + 1)
        ok &= n_domain == 1
    return links.filter(pl.Series(ok[group[inverse[: links.height]]]))


def name_shared_export_links(
    rec: pl.DataFrame, comp: np.ndarray, usable: pl.DataFrame, ignore: tuple[str, ...] = ()
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pairs of components one person by the ``name+shared-export`` rule, and the records behind them.

    A full name (:func:`rule_names`) links two components when exactly two components hold it among all
    the records, both appear in one export (one mailbox, calendar, address book or connections file:
    the same person under an old employer's or a personal address, written to by the same owner), both
    hold a usable email, phone or LinkedIn profile (a name alone never merges), and nothing says they
    are two: a company domain in common (two addresses of one name at one company are two namesakes),
    stated companies (``company`` column) that share nothing, a second name (beyond typos, see
    :func:`typo_groups`) on either side (a family's shared address), or two LinkedIn profiles among
    the components the links chain together. A third holder of the name anywhere, even one without
    any identifier, makes it ambiguous: nothing is linked. ``rec``, ``comp`` and ``usable`` are as for
    :func:`name_company_domain_links` (``rec`` also has ``source_id``); an ``ignore`` value is a name.

    Returns ``(links, evidence)``: ``links`` has ``comp_a``, ``comp_b``, ``name`` and ``org`` (null);
    ``evidence`` has ``record_id``, ``kind`` (``"name+shared-export"``) and ``value`` (the name) for every
    record of the linked components that carries the name.
    """
    empty_links = pl.DataFrame(schema={"comp_a": pl.Int64, "comp_b": pl.Int64, "name": pl.String, "org": pl.String})
    empty_ev = pl.DataFrame(schema={"record_id": pl.Int64, "kind": pl.String, "value": pl.String})
    people = _linkable_names(rec, comp)
    if ignore:
        people = people.filter(~pl.col("name").is_in(list(ignore)))
    if people.height == 0:
        return empty_links, empty_ev
    per_name = people.group_by("name").agg(pl.col("comp").unique().sort().alias("c"))
    per_name = per_name.filter(pl.col("c").list.len() == 2)
    per_name = per_name.select(
        "name",
        pl.col("c").list.first().cast(pl.Int64).alias("comp_a"),
        pl.col("c").list.last().cast(pl.Int64).alias("comp_b"),
    )
    # each side is one name (typos aside): a component already holding two people's names (a family's
    # shared address, a team alias) is not extended by name
    sides = (
        people.join(
            pl.concat(
                [per_name.select(pl.col("comp_a").alias("comp")), per_name.select(pl.col("comp_b").alias("comp"))]
            )
            .unique()
            .with_columns(pl.col("comp").cast(people["comp"].dtype)),
            on="comp",
        )
        .select("comp", "name")
        .unique()
    )
    n_groups = typo_groups(sides, ["comp"]).group_by("comp").agg(pl.col("group").n_unique().alias("n"))
    mixed = n_groups.filter(pl.col("n") > 1)["comp"].cast(pl.Int64)
    per_name = per_name.filter(~pl.col("comp_a").is_in(mixed.implode()) & ~pl.col("comp_b").is_in(mixed.implode()))
    # both in one export
    in_source = (
        people.join(per_name.select("name"), on="name")
        .group_by("name", "source_id")
        .agg(pl.col("comp").n_unique().alias("n"))
        .filter(pl.col("n") == 2)
        .select("name")
        .unique()
    )
    cand = per_name.join(in_source, on="name")
    # both hold an address, a phone or a profile: a name alone never merges
    held = usable.filter(pl.col("kind").is_in(["email", "phone", "linkedin"])).join(
        rec.select("record_id", "rv"), on="record_id"
    )
    held = np.unique(comp[held["rv"].to_numpy()])
    cand = cand.filter(pl.col("comp_a").is_in(held) & pl.col("comp_b").is_in(held))
    # no company domain in common
    mails = usable.filter(pl.col("kind") == "email").join(rec.select("record_id", "rv"), on="record_id")
    orgs = pl.DataFrame({"comp": comp[mails["rv"].to_numpy()], "org": domain_org_keys(mails["value"])}).drop_nulls()
    orgs = orgs.unique()
    clash = (
        cand.join(orgs, left_on="comp_a", right_on="comp")
        .join(orgs, left_on=["comp_b", "org"], right_on=["comp", "org"])
        .select("name")
        .unique()
    )
    # nor stated companies that differ (a contact card "Omar Haddad, Umbrella" is not "Omar Haddad, Acme")
    firms = rec.select(pl.Series("comp", comp[rec["rv"].to_numpy()]), org_key(pl.col("company")).alias("firm"))
    firms = firms.drop_nulls().unique()
    both = cand.join(firms.select(pl.col("comp").alias("comp_a")).unique(), on="comp_a", how="semi").join(
        firms.select(pl.col("comp").alias("comp_b")).unique(), on="comp_b", how="semi"
    )
    agree = (
        both.join(firms, left_on="comp_a", right_on="comp")
        .join(firms, left_on=["comp_b", "firm"], right_on=["comp", "firm"], how="semi")
        .select("name")
        .unique()
    )
    clash = pl.concat([clash, both.join(agree, on="name", how="anti").select("name")])
    cand = cand.join(clash, on="name", how="anti").sort("name")
    links = _single_profile_links(cand, comp, rec, usable)
    if links.height == 0:
        return empty_links, empty_ev
    links = links.with_columns(pl.lit(None, dtype=pl.String).alias("org"))
    ends = pl.concat(
        [links.select("name", pl.col("comp_a").alias("comp")), links.select("name", pl.col("comp_b").alias("comp"))]
    )
    evidence = (
        people.join(ends.with_columns(pl.col("comp").cast(people["comp"].dtype)), on=["name", "comp"])
        .select("record_id", pl.lit(NAME_SHARED_EXPORT).alias("kind"), pl.col("name").alias("value"))
        .unique()
    )
    return links, evidence


NAME_ADDRESS_BOOK = "name+address-book"  # the rule's name, and the kind of its evidence in `identifiers`
# what an importer writes in a record's ``attributes`` when the export named the party from the owner's
# own address book (a WhatsApp sender saved in the phone's contacts)
NAME_FROM_ADDRESS_BOOK = '{"name_from":"address-book"}'


def name_address_book_links(
    rec: pl.DataFrame, comp: np.ndarray, usable: pl.DataFrame, ignore: tuple[str, ...] = ()
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pairs of components one person by the ``name+address-book`` rule, and the records behind them.

    A chat export names a sender saved in the exporting phone's contacts by that contact's name and
    gives no number (WhatsApp), so the name *is* a reference to one of the owner's contact cards. A
    record the importer marked so (``attributes`` :data:`NAME_FROM_ADDRESS_BOOK`) that has no usable
    identifier of its own is linked to the component holding a contact card (role ``contact``) with the
    same full name (:func:`rule_names`) in an export of the same owner (the sources whose owner records
    are one person), when exactly one component holds such a card. Two cards of that name in two
    people, or none, link nothing. ``rec`` and ``usable`` as in :func:`name_company_domain_links`.

    Returns ``(links, evidence)``: ``links`` has ``comp_a``, ``comp_b``, ``name``, ``org`` (null);
    ``evidence`` has ``record_id``, ``kind`` (``"name+address-book"``) and ``value`` (the name) for the
    chat record and the cards.
    """
    empty_links = pl.DataFrame(schema={"comp_a": pl.Int64, "comp_b": pl.Int64, "name": pl.String, "org": pl.String})
    empty_ev = pl.DataFrame(schema={"record_id": pl.Int64, "kind": pl.String, "value": pl.String})
    if "attributes" not in rec.columns:
        return empty_links, empty_ev
    rec = rec.drop("owner").with_columns(pl.Series("comp", comp[rec["rv"].to_numpy()]))
    owners = rec.filter(pl.col("role") == "owner").group_by("source_id").agg(pl.col("comp").first().alias("owner"))
    strong = usable.filter(pl.col("kind") != "record").select("record_id").unique()
    chat = rec.filter(
        (pl.col("role") == "party")
        & (pl.col("attributes") == NAME_FROM_ADDRESS_BOOK)
        & pl.col("display_name").is_not_null()
    ).join(strong, on="record_id", how="anti")
    cards = rec.filter((pl.col("role") == "contact") & pl.col("display_name").is_not_null())
    if chat.height == 0 or cards.height == 0:
        return empty_links, empty_ev
    chat = chat.with_columns(rule_names(chat["display_name"])).drop_nulls("name").join(owners, on="source_id")
    cards = cards.with_columns(rule_names(cards["display_name"])).drop_nulls("name").join(owners, on="source_id")
    if ignore:
        chat = chat.filter(~pl.col("name").is_in(list(ignore)))
    per_name = cards.group_by("owner", "name").agg(pl.col("comp").unique().alias("cards"))
    hits = (
        chat.select("record_id", pl.col("comp").alias("comp_a"), "owner", "name")
        .join(per_name.filter(pl.col("cards").list.len() == 1), on=["owner", "name"])
        .with_columns(pl.col("cards").list.first().alias("comp_b"))
        .filter(pl.col("comp_a") != pl.col("comp_b"))
    )
    if hits.height == 0:
        return empty_links, empty_ev
    links = (
        hits.select(
            pl.col("comp_a").cast(pl.Int64),
            pl.col("comp_b").cast(pl.Int64),
            "name",
            pl.lit(None, pl.String).alias("org"),
        )
        .unique()
        .sort("name", "comp_a")
    )
    card_ev = cards.join(
        hits.select("owner", "name", pl.col("comp_b").alias("comp")).unique(), on=["owner", "name", "comp"]
    )
    evidence = (
        pl.concat([hits.select("record_id", "name"), card_ev.select("record_id", "name")])
        .select("record_id", pl.lit(NAME_ADDRESS_BOOK).alias("kind"), pl.col("name").alias("value"))
        .unique()
    )
    return links, evidence


def _components(g: ig.Graph) -> np.ndarray:
    """Connected-component label of each vertex (igraph's C routine, without building a
    ``VertexClustering``, whose constructor walks the membership in Python).
    """
    return np.asarray(ig.GraphBase.connected_components(g, "weak"), dtype=np.int64)


def _hash_ids(anchors: list[str]) -> list[str]:
    return ["p" + hashlib.blake2b(a.encode(), digest_size=8).hexdigest() for a in anchors]


def _split_ref(ref: str) -> tuple[str, str]:
    kind, _, value = ref.partition(":")
    return kind, value


# ------------------------------------------------------------------ resolution
def resolve(records: pa.Table, *, settings: ResolveSettings | None = None) -> dict[str, pa.Table]:
    """Resolve records into people.

    Tiers, each on the components of the one before: records sharing a usable strong identifier
    (email, phone, LinkedIn profile, owner label, key; :func:`shared_identifiers` are not usable)
    and user ``merge`` overrides; then, unless turned off, the ``name+company-domain`` rule
    (:func:`name_company_domain_links`) and the ``name+shared-export`` rule
    (:func:`name_shared_export_links`); then, when ``fuzzy_threshold`` is set, the fuzzy tier. An
    ``ignore`` override ``"<rule>:<value>"`` (the value of the rule's evidence row) stops that link.

    Returns a dict with ``identifiers`` (every record's identifiers, plus a ``name+company-domain`` or
    ``name+shared-export`` row for each record a name rule linked, so explanations can say so),
    ``membership`` (record_id -> person_id), ``people``, ``ignored`` (identifiers too shared to
    merge on, with ``n_names`` and ``n_records``), ``name_links`` (merges made by the name rules:
    ``rule``, ``name``, ``company`` (null for ``name+shared-export``), ``record_a``, ``record_b``) and
    ``fuzzy`` (merges made by the fuzzy name+company tier, with their score).
    """
    settings = settings or ResolveSettings()
    ov = settings.overrides
    rec = pl.from_arrow(records)
    identifiers = record_identifiers(records, settings=settings)
    ignored = shared_identifiers(records, identifiers, max_names=settings.max_names_per_identifier)
    user_ignored = pl.DataFrame([_split_ref(r) for r in ov.ignore], schema=["kind", "value"], orient="row")
    ids = pl.from_arrow(identifiers)
    usable = ids.join(pl.concat([ignored.select("kind", "value"), user_ignored]), on=["kind", "value"], how="anti")
    detached = rec.filter(_record_ref().is_in(list(ov.detach))).select("record_id") if ov.detach else None
    if detached is not None:
        usable = usable.join(detached, on="record_id", how="anti")
    # records left without a usable identifier stand alone
    alone = (
        rec.select("record_id", "source_id", "line")
        .with_columns(_lonely_ref().alias("ref"))
        .join(usable.select("record_id").unique(), on="record_id", how="anti")
        .select("record_id", pl.lit("record").alias("kind"), pl.col("ref").alias("value"))
    )
    usable = pl.concat(
        [usable.filter(pl.col("kind") != "record"), alone, usable.filter(pl.col("kind") == "record")]
    ).unique()

    rec_ids = rec.select("record_id").sort("record_id").with_row_index("rv")
    idents = usable.select("kind", "value").unique().sort("kind", "value").with_row_index("iv")
    n_rec = rec_ids.height
    pairs = usable.join(rec_ids, on="record_id").join(idents, on=["kind", "value"])
    edges = [
        np.column_stack([pairs["rv"].to_numpy().astype(np.int64), pairs["iv"].to_numpy().astype(np.int64) + n_rec])
    ]
    if ov.merge:
        links = pl.DataFrame(
            [(*_split_ref(a), *_split_ref(b)) for a, b in ov.merge], schema=["k1", "v1", "k2", "v2"], orient="row"
        )
        links = links.join(idents.rename({"kind": "k1", "value": "v1", "iv": "i1"}), on=["k1", "v1"]).join(
            idents.rename({"kind": "k2", "value": "v2", "iv": "i2"}), on=["k2", "v2"]
        )
        edges.append(np.column_stack([links["i1"].to_numpy(), links["i2"].to_numpy()]).astype(np.int64) + n_rec)
    g = ig.Graph(n_rec + idents.height)
    g.add_edges(np.concatenate(edges))
    comp = _components(g)
    # name-based tiers never touch detached records
    linkable = rec if detached is None else rec.join(detached, on="record_id", how="anti")

    name_links = [
        pl.DataFrame(
            schema={
                "rule": pl.String,
                "name": pl.String,
                "company": pl.String,
                "record_a": pl.Int64,
                "record_b": pl.Int64,
            }
        )
    ]
    evidence_rows = []
    cand = linkable.select("record_id", "source_id", "role", "owner", "display_name", "company", "attributes").join(
        rec_ids, on="record_id"
    )
    rid = rec_ids["record_id"].to_numpy()
    rules = [
        (NAME_COMPANY_DOMAIN, name_company_domain_links, settings.name_company_domain),
        (NAME_SHARED_EXPORT, name_shared_export_links, settings.name_shared_export),
        (NAME_ADDRESS_BOOK, name_address_book_links, settings.name_address_book),
    ]
    for rule, find_links, on in rules:
        if not on:
            continue
        ignore = tuple(v for k, v in map(_split_ref, ov.ignore) if k == rule)
        old_comp = comp[:n_rec]
        links, evidence = find_links(cand, old_comp, usable, ignore=ignore)
        if links.height == 0:
            continue
        # join the linked components (a small graph over component ids), keeping the record-level
        # graph in step for the fuzzy tier; each link is reported between the first record of each side
        n_comp = int(comp.max()) + 1
        a, b = links["comp_a"].to_numpy(), links["comp_b"].to_numpy()
        small = ig.Graph(n_comp)
        small.add_edges(np.column_stack([a, b]))
        comp = _components(small)[comp]
        first = np.zeros(n_comp, dtype=np.int64)
        comps, first_rec = np.unique(old_comp, return_index=True)
        first[comps] = first_rec
        ra, rb = first[a], first[b]
        g.add_edges(np.column_stack([ra, rb]))
        name_links.append(
            links.select(
                pl.lit(rule).alias("rule"),
                "name",
                pl.col("org").alias("company"),
                pl.Series("record_a", rid[ra]),
                pl.Series("record_b", rid[rb]),
            )
        )
        evidence_rows.append(evidence)
    name_links = pl.concat(name_links)
    if evidence_rows:
        identifiers = conform(
            pl.concat(
                [pl.from_arrow(identifiers), pl.concat(evidence_rows).sort("record_id", "kind", "value")]
            ).to_arrow(),
            IDENTIFIERS,
        )

    fuzzy = pl.DataFrame(schema={"record_a": pl.Int64, "record_b": pl.Int64, "score": pl.Float64})
    if settings.fuzzy_threshold is not None:
        fuzzy = fuzzy_candidates(linkable, comp[:n_rec], rec_ids, threshold=settings.fuzzy_threshold)
        if fuzzy.height:
            extra = fuzzy.join(rec_ids.rename({"record_id": "record_a", "rv": "ra"}), on="record_a").join(
                rec_ids.rename({"record_id": "record_b", "rv": "rb"}), on="record_b"
            )
            g.add_edges(np.column_stack([extra["ra"].to_numpy(), extra["rb"].to_numpy()]).astype(np.int64))
            comp = _components(g)

    # anchor per component: min (priority, kind, value) over its identifiers
    idents = idents.with_columns(
        pl.Series("comp", comp[n_rec:]),
        pl.col("kind").replace_strict(KIND_PRIORITY, return_dtype=pl.Int32).alias("prio"),
    )
    anchors = (
        idents.sort("prio", "value")
        .group_by("comp")
        .agg(pl.format("{}:{}", pl.col("kind"), pl.col("value")).first().alias("anchor"))
        .sort("comp")
    )
    anchors = anchors.with_columns(pl.Series("person_id", _hash_ids(anchors["anchor"].to_list())))
    membership = (
        rec_ids.with_columns(pl.Series("comp", comp[:n_rec]))
        .join(anchors, on="comp")
        .select("record_id", "person_id")
        .sort("record_id")
    )
    people = build_people(records, membership.to_arrow(), identifiers)
    return {
        "identifiers": identifiers,
        "membership": conform(membership.to_arrow(), MEMBERSHIP),
        "people": people,
        "ignored": ignored.to_arrow(),
        "name_links": name_links.to_arrow(),
        "fuzzy": fuzzy.to_arrow(),
    }


def fuzzy_candidates(rec: pl.DataFrame, comp: np.ndarray, rec_ids: pl.DataFrame, *, threshold: float) -> pl.DataFrame:
    """Pairs of records in different components with the same company and names scoring >= threshold.

    Blocked on the normalised company, so only names within one company are compared (rapidfuzz's
    ``cdist`` per block, in C).
    """
    from rapidfuzz import fuzz, process

    r = rec.join(rec_ids, on="record_id")
    r = r.with_columns(pl.Series("comp", comp[r["rv"].to_numpy()]))
    r = r.with_columns(company_key(pl.col("company")).alias("ck"), name_signatures(r["display_name"]).alias("sig"))
    r = r.filter(pl.col("ck").is_not_null() & pl.col("sig").is_not_null())
    # one representative (record, name) per component and company
    reps = r.group_by("ck", "comp", "sig").agg(pl.col("record_id").min()).sort("ck", "comp", "sig")
    multi = reps.group_by("ck").agg(pl.col("comp").n_unique().alias("n")).filter(pl.col("n") > 1)
    reps = reps.join(multi.select("ck"), on="ck")
    out_a, out_b, out_s = [], [], []
    for _, block in reps.group_by("ck", maintain_order=True):
        names = block["sig"].to_list()
        comps = block["comp"].to_numpy()
        ids = block["record_id"].to_numpy()
        scores = process.cdist(names, names, scorer=fuzz.token_sort_ratio, score_cutoff=threshold)
        i, j = np.nonzero(np.triu(scores, k=1))
        keep = comps[i] != comps[j]
        out_a += ids[i[keep]].tolist()
        out_b += ids[j[keep]].tolist()
        out_s += scores[i[keep], j[keep]].astype(float).tolist()
    return pl.DataFrame(
        {"record_a": out_a, "record_b": out_b, "score": out_s},
        schema={"record_a": pl.Int64, "record_b": pl.Int64, "score": pl.Float64},
    )


def build_people(records: pa.Table, membership: pa.Table, identifiers: pa.Table) -> pa.Table:
    """One row per person with the best name, company, title, key and emails across their records."""
    rec = pl.from_arrow(records).join(pl.from_arrow(membership), on="record_id")
    ids = pl.from_arrow(identifiers).join(pl.from_arrow(membership), on="record_id")
    emails = (
        ids.filter(pl.col("kind") == "email").group_by("person_id").agg(pl.col("value").unique().sort().alias("emails"))
    )
    slugs = ids.filter(pl.col("kind") == "linkedin").group_by("person_id").agg(pl.col("value").min().alias("linkedin"))
    role_rank = pl.col("role").replace_strict({"contact": 0, "party": 1, "owner": 2, "node": 3}, default=4)
    # a real name beats an address or owner label used as a name
    looks_like_address = pl.col("display_name").str.contains("@").fill_null(True)
    blank = pl.col("display_name").str.strip_chars() == ""
    rec = rec.with_columns(pl.when(blank).then(None).otherwise(pl.col("display_name")).alias("display_name"))
    rec = rec.with_columns(role_rank.alias("rank"), looks_like_address.alias("addr")).sort(
        "person_id", "addr", "rank", "record_id", descending=[False, False, False, True]
    )
    people = rec.group_by("person_id", maintain_order=True).agg(
        pl.col("display_name").drop_nulls().first(),
        pl.col("company").drop_nulls().first(),
        pl.col("title").drop_nulls().first(),
        pl.col("location").drop_nulls().first(),
        pl.col("key").drop_nulls().sort().first(),
        pl.col("owner").drop_nulls().first(),
        pl.len().cast(pl.Int32).alias("n_records"),
        pl.col("source_id").n_unique().cast(pl.Int32).alias("n_sources"),
    )
    people = people.join(emails, on="person_id", how="left").join(slugs, on="person_id", how="left")
    # a phone as the person's exports write it (the label of someone known by a number only)
    phones = (
        ids.filter(pl.col("kind") == "phone")
        .group_by("person_id")
        .agg(pl.col("value").min().alias("_e164"))
        .join(
            rec.select("person_id", pl.col("phones").list.first().alias("_phone"))
            .drop_nulls()
            .unique("person_id", keep="first", maintain_order=True),
            on="person_id",
            how="left",
        )
        .select("person_id", pl.coalesce("_phone", "_e164").alias("_phone"))
    )
    people = people.join(phones, on="person_id", how="left").with_columns(person_label().alias("display_name"))
    return conform(people.drop("_phone").sort("person_id").to_arrow(), PEOPLE)


def person_label() -> pl.Expr:
    """A readable label for every person: the best name; for someone known without one, what they are known
    by: their (first) address, edge-list key, LinkedIn profile, phone, or ``"(no name) <company>"``; never
    null and never a person id. Needs ``display_name``, ``emails``, ``key``, ``linkedin``, ``_phone``
    (a number as the exports write it) and ``company``.
    """
    name = pl.col("display_name").str.strip_chars()
    return pl.coalesce(
        pl.when(name != "").then(name),
        pl.col("emails").list.first(),
        pl.col("key"),
        pl.format("linkedin.com/in/{}", pl.col("linkedin")),
        pl.col("_phone"),
        pl.format("(no name) {}", pl.col("company")),
        pl.lit("(no name)"),
    )
