"""Finding people by what a user types: a person id, an edge-list key, an email, a LinkedIn URL or a name."""

from __future__ import annotations

import polars as pl

from reach.errors import PersonNotFound
from reach.identity import linkedin_slug, name_signature, normalise_email


def find_person(people: pl.DataFrame, query: str) -> str:
    """Return the person_id ``query`` designates.

    Tried in order, the first tier with any match wins: person id, edge-list key, email, owner label,
    LinkedIn profile URL or slug, then the name (case, accents-as-typed and word order ignored). A tier
    matching several people is ambiguous and raises :class:`PersonNotFound` naming how many matched.
    """
    q = query.strip()
    if not q:
        msg = "empty person reference"
        raise PersonNotFound(msg)
    tiers: list[tuple[str, pl.Expr]] = [
        ("person id", pl.col("person_id") == q),
        ("key", pl.col("key") == q),
    ]
    email = pl.select(normalise_email(pl.lit(q))).item()
    if email:
        tiers.append(("email", pl.col("emails").list.contains(email)))
    tiers.append(("owner", pl.col("owner").str.to_lowercase() == q.lower()))
    slug = pl.select(linkedin_slug(pl.lit(q))).item()
    if slug:
        tiers.append(("LinkedIn profile", pl.col("linkedin") == slug))
    sig = pl.select(name_signature(pl.lit(q))).item()
    if sig:
        tiers.append(("name", name_signature(pl.col("display_name")) == sig))
    for label, cond in tiers:
        hits = people.filter(cond.fill_null(False))
        if hits.height == 1:
            return str(hits["person_id"][0])
        if hits.height > 1:
            msg = (
                f"{query!r} is ambiguous: {hits.height} people match by {label}; "
                "use a person id, email or profile URL (`reach people` lists them)"
            )
            raise PersonNotFound(msg)
    msg = f"no person matches {query!r} (tried person id, key, email, owner and name)"
    raise PersonNotFound(msg)
