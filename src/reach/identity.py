"""Identity resolution: records -> people, as connected components of shared strong identifiers.

Pure functions over Arrow tables. Identifiers are normalised (emails, E.164 phones, LinkedIn slugs,
owner labels, edge-list keys); two records are the same person when they share one. Names alone
never merge; an optional fuzzy tier merges people with the same company and near-identical names and
reports each such merge. Components are computed on the bipartite record-identifier graph by igraph
in one call, so there is no pairwise Python loop. Python only runs over *distinct* phone numbers and
names (for libphonenumber and Unicode accent folding), never over record pairs.

``person_id`` is a hash of the component's anchor identifier (the smallest by kind priority, then
value), so the same inputs always give the same ids and an unrelated import changes no existing id.

User corrections (:class:`Overrides`) hold on every build: ``merge`` links two identifiers,
``ignore`` stops an identifier from merging anything, ``detach`` makes a record (``source_id:line``)
a person of its own.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import igraph as ig
import numpy as np
import polars as pl
import pyarrow as pa

from reach.schema import IDENTIFIERS, MEMBERSHIP, PEOPLE, conform

# lower = preferred as anchor and as evidence
KIND_PRIORITY = {"owner": 0, "linkedin": 1, "email": 2, "phone": 3, "key": 4, "record": 5}
SHARED_KINDS = ("email", "phone")
COMPANY_SUFFIXES = r"\b(inc|incorporated|llc|ltd|limited|gmbh|ag|sa|sas|bv|nv|plc|corp|corporation|co|company|oy|ab|as|srl|spa)\b"


@dataclass(frozen=True)
class Overrides:
    """User corrections kept in the workspace (``overrides.json``) and applied on every build."""

    merge: tuple[tuple[str, str], ...] = ()  # pairs of "kind:value" identifiers that are one person
    ignore: tuple[str, ...] = ()  # "kind:value" identifiers never used to merge
    detach: tuple[str, ...] = ()  # "source_id:line" records that stand alone

    @classmethod
    def from_dict(cls, d: dict) -> Overrides:
        return cls(merge=tuple(tuple(p) for p in d.get("merge", [])), ignore=tuple(d.get("ignore", [])),
                   detach=tuple(d.get("detach", [])))

    def as_dict(self) -> dict:
        return {"merge": [list(p) for p in self.merge], "ignore": list(self.ignore), "detach": list(self.detach)}


@dataclass(frozen=True)
class ResolveSettings:
    """Options for :func:`resolve`.

    max_names_per_identifier: an email or phone seen on records with more distinct names than this
        (a switchboard number, ``info@company.com``) is not used to merge, and is reported.
    default_region: ISO country for phone numbers written without ``+`` (e.g. ``"GB"``); without it
        such numbers are not used as identifiers.
    fold_gmail: treat ``j.doe+x@gmail.com`` and ``jdoe@googlemail.com`` as one address.
    fuzzy_threshold: when set (0-100), people with the same company and names at least this similar
        (rapidfuzz token-sort ratio) are merged, and each merge is reported.
    """

    max_names_per_identifier: int = 3
    default_region: str | None = None
    fold_gmail: bool = False
    fuzzy_threshold: float | None = None
    overrides: Overrides = field(default_factory=Overrides)

    def as_dict(self) -> dict:
        return {"max_names_per_identifier": self.max_names_per_identifier, "default_region": self.default_region,
                "fold_gmail": self.fold_gmail, "fuzzy_threshold": self.fuzzy_threshold,
                "overrides": self.overrides.as_dict()}


# ------------------------------------------------------------------ normalisers (polars expressions)
def normalise_email(col: pl.Expr, *, fold_gmail: bool = False) -> pl.Expr:
    """Lower-case, trim, unwrap ``Name <a@b>`` and ``mailto:``; non-addresses become null."""
    e = col.str.strip_chars().str.to_lowercase()
    e = pl.when(e.str.contains("<")).then(e.str.extract(r"<([^>]*)>", 1)).otherwise(e)
    e = e.str.strip_prefix("mailto:").str.strip_chars(" \"'<>;,")
    e = pl.when(e.str.contains(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")).then(e).otherwise(None)
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


def company_key(col: pl.Expr) -> pl.Expr:
    """``"Acme, Inc."`` -> ``"acme"``: lower-case, legal suffixes and punctuation removed."""
    c = col.str.to_lowercase().str.replace_all(r"[^\w\s&]", " ").str.replace_all(COMPANY_SUFFIXES, " ")
    c = c.str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(c == "").then(None).otherwise(c)


# ------------------------------------------------------------------ identifiers
def record_identifiers(records: pa.Table, *, settings: ResolveSettings | None = None) -> pa.Table:
    """Every normalised identifier of every record (IDENTIFIERS schema)."""
    settings = settings or ResolveSettings()
    rec = pl.from_arrow(records)
    email = lambda c: normalise_email(c, fold_gmail=settings.fold_gmail)  # noqa: E731
    phones = rec.select("record_id", "phones").explode("phones")
    parts = [
        rec.filter(pl.col("key").is_not_null()).select("record_id", pl.lit("key").alias("kind"),
                                                        pl.col("key").alias("value")),
        rec.filter(pl.col("owner").is_not_null()).select(
            "record_id", pl.lit("owner").alias("kind"), normalise_name(pl.col("owner")).alias("value")),
        # an edge-list key that is an email address is that address
        rec.filter(pl.col("key").str.contains("@")).select(
            "record_id", pl.lit("email").alias("kind"), email(pl.col("key")).alias("value")),
        rec.select("record_id", "emails").explode("emails").select(
            "record_id", pl.lit("email").alias("kind"), email(pl.col("emails")).alias("value")),
        phones.select("record_id", pl.lit("phone").alias("kind"),
                      normalise_phones(phones["phones"], region=settings.default_region).alias("value")),
        rec.select("record_id", pl.lit("linkedin").alias("kind"), linkedin_slug(pl.col("linkedin_url")).alias("value")),
    ]
    ids = pl.concat(parts).filter(pl.col("value").is_not_null() & (pl.col("value") != "")).unique()
    # a record with no identifier at all is a person of its own
    lonely = rec.with_columns(_lonely_ref().alias("ref")).join(
        ids.select("record_id").unique(), on="record_id", how="anti").select(
        "record_id", pl.lit("record").alias("kind"), pl.col("ref").alias("value"))
    out = pl.concat([ids, lonely]).sort(["record_id", "kind", "value"])
    return conform(out.to_arrow(), IDENTIFIERS)


def _record_ref() -> pl.Expr:
    """``source_id:line`` of a record: what users name in ``detach`` overrides."""
    return pl.format("{}:{}", pl.col("source_id"), pl.coalesce(pl.col("line"), pl.col("record_id")))


def _lonely_ref() -> pl.Expr:
    """A record's own identity when it has no identifier: its source and its position within that source
    (unique even when several records share a line, and independent of import order)."""
    local = pl.col("record_id") - pl.col("record_id").min().over("source_id")
    return pl.format("{}#{}", pl.col("source_id"), local)


def shared_identifiers(records: pa.Table, identifiers: pa.Table, *, max_names: int) -> pl.DataFrame:
    """Emails and phones on records of more than ``max_names`` distinct names: too shared to merge on."""
    rec = pl.from_arrow(records).filter(pl.col("role") != "owner")
    rec = rec.select("record_id", name_signatures(rec["display_name"]).alias("name"))
    ids = pl.from_arrow(identifiers).filter(pl.col("kind").is_in(SHARED_KINDS))
    counts = (
        ids.join(rec, on="record_id").filter(pl.col("name").is_not_null())
        .group_by("kind", "value").agg(pl.col("name").n_unique().alias("n_names"),
                                       pl.col("record_id").n_unique().alias("n_records"))
    )
    return counts.filter(pl.col("n_names") > max_names).sort("kind", "value")


def _hash_ids(anchors: list[str]) -> list[str]:
    return ["p" + hashlib.blake2b(a.encode(), digest_size=8).hexdigest() for a in anchors]


def _split_ref(ref: str) -> tuple[str, str]:
    kind, _, value = ref.partition(":")
    return kind, value


# ------------------------------------------------------------------ resolution
def resolve(records: pa.Table, *, settings: ResolveSettings | None = None) -> dict[str, pa.Table]:
    """Resolve records into people.

    Returns a dict with ``identifiers``, ``membership`` (record_id -> person_id), ``people``,
    ``ignored`` (identifiers too shared to merge on, with ``n_names`` and ``n_records``) and ``fuzzy``
    (merges made by the fuzzy name+company tier, with their score).
    """
    settings = settings or ResolveSettings()
    ov = settings.overrides
    rec = pl.from_arrow(records)
    identifiers = record_identifiers(records, settings=settings)
    ignored = shared_identifiers(records, identifiers, max_names=settings.max_names_per_identifier)
    user_ignored = pl.DataFrame([_split_ref(r) for r in ov.ignore], schema=["kind", "value"], orient="row")
    ids = pl.from_arrow(identifiers)
    usable = ids.join(pl.concat([ignored.select("kind", "value"), user_ignored]), on=["kind", "value"], how="anti")
    if ov.detach:
        detached = rec.filter(_record_ref().is_in(list(ov.detach))).select("record_id")
        usable = usable.join(detached, on="record_id", how="anti")
    # records left without a usable identifier stand alone
    alone = rec.select("record_id", "source_id", "line").with_columns(_lonely_ref().alias("ref")).join(
        usable.select("record_id").unique(), on="record_id", how="anti"
    ).select("record_id", pl.lit("record").alias("kind"), pl.col("ref").alias("value"))
    usable = pl.concat([usable.filter(pl.col("kind") != "record"), alone,
                        usable.filter(pl.col("kind") == "record")]).unique()

    rec_ids = rec.select("record_id").sort("record_id").with_row_index("rv")
    idents = usable.select("kind", "value").unique().sort("kind", "value").with_row_index("iv")
    n_rec = rec_ids.height
    pairs = usable.join(rec_ids, on="record_id").join(idents, on=["kind", "value"])
    edges = [np.column_stack([pairs["rv"].to_numpy().astype(np.int64),
                              pairs["iv"].to_numpy().astype(np.int64) + n_rec])]
    if ov.merge:
        links = pl.DataFrame([(*_split_ref(a), *_split_ref(b)) for a, b in ov.merge],
                             schema=["k1", "v1", "k2", "v2"], orient="row")
        links = links.join(idents.rename({"kind": "k1", "value": "v1", "iv": "i1"}), on=["k1", "v1"]).join(
            idents.rename({"kind": "k2", "value": "v2", "iv": "i2"}), on=["k2", "v2"])
        edges.append(np.column_stack([links["i1"].to_numpy(), links["i2"].to_numpy()]).astype(np.int64) + n_rec)
    g = ig.Graph(n_rec + idents.height)
    g.add_edges(np.concatenate(edges))
    comp = np.asarray(g.connected_components().membership, dtype=np.int64)

    fuzzy = pl.DataFrame(schema={"record_a": pl.Int64, "record_b": pl.Int64, "score": pl.Float64})
    if settings.fuzzy_threshold is not None:
        fuzzy = fuzzy_candidates(rec, comp[:n_rec], rec_ids, threshold=settings.fuzzy_threshold)
        if fuzzy.height:
            extra = fuzzy.join(rec_ids.rename({"record_id": "record_a", "rv": "ra"}), on="record_a").join(
                rec_ids.rename({"record_id": "record_b", "rv": "rb"}), on="record_b")
            g.add_edges(np.column_stack([extra["ra"].to_numpy(), extra["rb"].to_numpy()]).astype(np.int64))
            comp = np.asarray(g.connected_components().membership, dtype=np.int64)

    # anchor per component: min (priority, kind, value) over its identifiers
    idents = idents.with_columns(
        pl.Series("comp", comp[n_rec:]),
        pl.col("kind").replace_strict(KIND_PRIORITY, return_dtype=pl.Int32).alias("prio"),
    )
    anchors = idents.sort("prio", "value").group_by("comp").agg(
        pl.format("{}:{}", pl.col("kind"), pl.col("value")).first().alias("anchor")
    ).sort("comp")
    anchors = anchors.with_columns(pl.Series("person_id", _hash_ids(anchors["anchor"].to_list())))
    membership = rec_ids.with_columns(pl.Series("comp", comp[:n_rec])).join(anchors, on="comp").select(
        "record_id", "person_id"
    ).sort("record_id")
    people = build_people(records, membership.to_arrow(), identifiers)
    return {
        "identifiers": identifiers,
        "membership": conform(membership.to_arrow(), MEMBERSHIP),
        "people": people,
        "ignored": ignored.to_arrow(),
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
    r = r.with_columns(company_key(pl.col("company")).alias("ck"),
                       name_signatures(r["display_name"]).alias("sig"))
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
    return pl.DataFrame({"record_a": out_a, "record_b": out_b, "score": out_s},
                        schema={"record_a": pl.Int64, "record_b": pl.Int64, "score": pl.Float64})


def build_people(records: pa.Table, membership: pa.Table, identifiers: pa.Table) -> pa.Table:
    """One row per person with the best name, company, title, key and emails across their records."""
    rec = pl.from_arrow(records).join(pl.from_arrow(membership), on="record_id")
    ids = pl.from_arrow(identifiers).join(pl.from_arrow(membership), on="record_id")
    emails = ids.filter(pl.col("kind") == "email").group_by("person_id").agg(
        pl.col("value").unique().sort().alias("emails"))
    slugs = ids.filter(pl.col("kind") == "linkedin").group_by("person_id").agg(
        pl.col("value").min().alias("linkedin"))
    role_rank = pl.col("role").replace_strict({"contact": 0, "party": 1, "owner": 2, "node": 3}, default=4)
    # a real name beats an address or owner label used as a name
    looks_like_address = pl.col("display_name").str.contains("@").fill_null(True)
    rec = rec.with_columns(role_rank.alias("rank"), looks_like_address.alias("addr")).sort(
        "person_id", "addr", "rank", "record_id", descending=[False, False, False, True])
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
    people = (
        people.join(emails, on="person_id", how="left")
        .join(slugs, on="person_id", how="left")
        .sort("person_id")
    )
    return conform(people.to_arrow(), PEOPLE)
