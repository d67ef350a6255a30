"""Identity resolution: records -> people, as connected components of shared strong identifiers.

Pure functions over Arrow tables. Identifiers are normalised (emails, phones, LinkedIn slugs, owner
labels, edge-list keys); two records are the same person when they share one. Names alone never
merge. Components are computed on the bipartite record-identifier graph by igraph in one call, so
there is no pairwise Python loop.

``person_id`` is a hash of the component's anchor identifier (the smallest by kind priority, then
value), so the same inputs always give the same ids and an unrelated import changes no existing id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import igraph as ig
import numpy as np
import polars as pl
import pyarrow as pa

from reach.schema import IDENTIFIERS, MEMBERSHIP, PEOPLE, conform

# lower = preferred as anchor and as evidence
KIND_PRIORITY = {"owner": 0, "linkedin": 1, "email": 2, "phone": 3, "key": 4, "record": 5}
SHARED_KINDS = ("email", "phone")


@dataclass(frozen=True)
class ResolveSettings:
    """Options for :func:`resolve`.

    max_names_per_identifier: an email or phone seen on records with more distinct names than this
        (a switchboard number, ``info@company.com``) is not used to merge.
    """

    max_names_per_identifier: int = 3


def normalise_email(col: pl.Expr) -> pl.Expr:
    """Lower-case, trim, unwrap ``Name <a@b>`` and ``mailto:``; non-addresses become null."""
    e = col.str.strip_chars().str.to_lowercase()
    e = pl.when(e.str.contains("<")).then(e.str.extract(r"<([^>]*)>", 1)).otherwise(e)
    e = e.str.strip_prefix("mailto:").str.strip_chars(" \"'<>;,")
    return pl.when(e.str.contains(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")).then(e).otherwise(None)


def normalise_phone(col: pl.Expr) -> pl.Expr:
    """Keep a leading ``+`` and the digits; fewer than 7 digits is not a phone number."""
    s = col.str.strip_chars().str.strip_prefix("tel:")
    plus = s.str.starts_with("+") | s.str.starts_with("00")
    digits = s.str.replace_all(r"[^0-9]", "")
    digits = pl.when(s.str.starts_with("00")).then(digits.str.slice(2)).otherwise(digits)
    out = pl.when(plus).then(pl.lit("+") + digits).otherwise(digits)
    return pl.when(digits.str.len_chars() >= 7).then(out).otherwise(None)


def linkedin_slug(col: pl.Expr) -> pl.Expr:
    """Canonical profile slug from a LinkedIn URL (``/in/<slug>`` or legacy ``/pub/...``)."""
    s = col.str.strip_chars().str.to_lowercase()
    slug = s.str.extract(r"linkedin\.com/in/([^/?#\s]+)", 1)
    pub = s.str.extract(r"linkedin\.com/(pub/[^?#\s]+?)/?(?:[?#]|$)", 1)
    out = pl.when(slug.is_not_null()).then(slug).otherwise(pub)
    return out.str.replace_all("%20", "-").str.strip_chars("/")


def normalise_name(col: pl.Expr) -> pl.Expr:
    """Casefold, trim and collapse spaces (accents kept; used only to count distinct names)."""
    return col.str.to_lowercase().str.strip_chars().str.replace_all(r"\s+", " ")


def name_signature(col: pl.Expr) -> pl.Expr:
    """Order-free name form: ``"Lima, Ana"`` and ``"ana lima"`` agree; an address is no name."""
    words = normalise_name(col).str.replace_all(r"[^\w\s]", " ").str.split(" ")
    sig = words.list.eval(pl.element().filter(pl.element() != "")).list.sort().list.join(" ")
    return pl.when(col.str.contains("@") | (sig == "")).then(None).otherwise(sig)


def record_identifiers(records: pa.Table) -> pa.Table:
    """Every normalised identifier of every record (IDENTIFIERS schema)."""
    rec = pl.from_arrow(records)
    parts = [
        rec.filter(pl.col("key").is_not_null()).select("record_id", pl.lit("key").alias("kind"),
                                                        pl.col("key").alias("value")),
        rec.filter(pl.col("owner").is_not_null()).select(
            "record_id", pl.lit("owner").alias("kind"), normalise_name(pl.col("owner")).alias("value")),
        # an edge-list key that is an email address is that address
        rec.filter(pl.col("key").str.contains("@")).select(
            "record_id", pl.lit("email").alias("kind"), normalise_email(pl.col("key")).alias("value")),
        rec.select("record_id", "emails").explode("emails").select(
            "record_id", pl.lit("email").alias("kind"), normalise_email(pl.col("emails")).alias("value")),
        rec.select("record_id", "phones").explode("phones").select(
            "record_id", pl.lit("phone").alias("kind"), normalise_phone(pl.col("phones")).alias("value")),
        rec.select("record_id", pl.lit("linkedin").alias("kind"), linkedin_slug(pl.col("linkedin_url")).alias("value")),
    ]
    ids = pl.concat(parts).filter(pl.col("value").is_not_null() & (pl.col("value") != "")).unique()
    # a record with no identifier at all is a person of its own
    lonely = rec.join(ids.select("record_id").unique(), on="record_id", how="anti").select(
        "record_id", pl.lit("record").alias("kind"),
        pl.format("{}:{}", pl.col("source_id"), pl.coalesce(pl.col("line"), pl.col("record_id"))).alias("value"),
    )
    out = pl.concat([ids, lonely]).sort(["record_id", "kind", "value"])
    return conform(out.to_arrow(), IDENTIFIERS)


def shared_identifiers(records: pa.Table, identifiers: pa.Table, *, max_names: int) -> pl.DataFrame:
    """Emails and phones on records of more than ``max_names`` distinct names: too shared to merge on."""
    rec = (
        pl.from_arrow(records)
        .filter(pl.col("role") != "owner")
        .select("record_id", name_signature(pl.col("display_name")).alias("name"))
    )
    ids = pl.from_arrow(identifiers).filter(pl.col("kind").is_in(SHARED_KINDS))
    counts = (
        ids.join(rec, on="record_id").filter(pl.col("name").is_not_null())
        .group_by("kind", "value").agg(pl.col("name").n_unique().alias("n_names"),
                                       pl.col("record_id").n_unique().alias("n_records"))
    )
    return counts.filter(pl.col("n_names") > max_names).sort("kind", "value")


def _hash_ids(anchors: list[str]) -> list[str]:
    return ["p" + hashlib.blake2b(a.encode(), digest_size=8).hexdigest() for a in anchors]


def resolve(records: pa.Table, *, settings: ResolveSettings | None = None) -> dict[str, pa.Table]:
    """Resolve records into people.

    Returns a dict with ``identifiers``, ``membership`` (record_id -> person_id), ``people`` and
    ``ignored`` (identifiers too shared to merge on, with ``n_names`` and ``n_records``).
    """
    settings = settings or ResolveSettings()
    identifiers = record_identifiers(records)
    ignored = shared_identifiers(records, identifiers, max_names=settings.max_names_per_identifier)
    ids = pl.from_arrow(identifiers)
    usable = ids.join(ignored.select("kind", "value"), on=["kind", "value"], how="anti")
    # records left without a usable identifier stand alone
    alone = pl.from_arrow(records).select("record_id", "source_id", "line").join(
        usable.select("record_id").unique(), on="record_id", how="anti"
    ).select("record_id", pl.lit("record").alias("kind"),
             pl.format("{}:{}", pl.col("source_id"), pl.coalesce(pl.col("line"), pl.col("record_id"))).alias("value"))
    usable = pl.concat([usable, alone])

    rec_ids = pl.from_arrow(records).select("record_id").sort("record_id").with_row_index("rv")
    idents = usable.select("kind", "value").unique().sort("kind", "value").with_row_index("iv")
    n_rec = rec_ids.height
    pairs = usable.join(rec_ids, on="record_id").join(idents, on=["kind", "value"])
    g = ig.Graph(n_rec + idents.height)
    edges = np.column_stack([pairs["rv"].to_numpy().astype(np.int64), pairs["iv"].to_numpy().astype(np.int64) + n_rec])
    g.add_edges(edges)
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
    }


def build_people(records: pa.Table, membership: pa.Table, identifiers: pa.Table) -> pa.Table:
    """One row per person with the best name, company, title, key and emails across their records."""
    rec = pl.from_arrow(records).join(pl.from_arrow(membership), on="record_id")
    ids = pl.from_arrow(identifiers).join(pl.from_arrow(membership), on="record_id")
    emails = ids.filter(pl.col("kind") == "email").group_by("person_id").agg(
        pl.col("value").unique().sort().alias("emails"))
    slugs = ids.filter(pl.col("kind") == "linkedin").group_by("person_id").agg(
        pl.col("value").min().alias("linkedin"))
    role_rank = pl.col("role").replace_strict({"owner": 0, "contact": 1, "party": 2, "node": 3}, default=4)
    rec = rec.with_columns(role_rank.alias("rank")).sort("person_id", "rank", "record_id", descending=[False, False, True])
    people = rec.group_by("person_id", maintain_order=True).agg(
        pl.col("display_name").drop_nulls().first(),
        pl.col("company").drop_nulls().first(),
        pl.col("title").drop_nulls().first(),
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
