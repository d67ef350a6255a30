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
    found = lookup_people(people, [query])[0]
    if isinstance(found, PersonNotFound):
        raise found
    return found


def lookup_people(people: pl.DataFrame, queries: list[str]) -> list[str | PersonNotFound]:
    """:func:`find_person` for many queries at once: one join per tier, not a scan per query.

    Returns, per query in order, the person_id or the :class:`PersonNotFound` that :func:`find_person`
    raises for it, so a caller can report every unknown or ambiguous reference together.
    """
    q = pl.DataFrame(
        {"i": range(len(queries)), "q": [str(x).strip() for x in queries]}, schema={"i": pl.Int64, "q": pl.String}
    )
    q = q.with_columns(
        normalise_email(pl.col("q")).alias("email"),
        pl.col("q").str.to_lowercase().alias("lower"),
        linkedin_slug(pl.col("q")).alias("slug"),
    )
    out: list[str | PersonNotFound | None] = [None] * len(queries)
    for i, text in zip(q["i"].to_list(), q["q"].to_list(), strict=True):
        if not text:
            out[i] = PersonNotFound("empty person reference")
    open_q = q.filter(pl.col("q") != "")
    cols = set(people.columns)

    def tier(label: str, query_col: str, key: pl.Expr, *, explode: bool = False) -> None:
        """Match the open queries' ``query_col`` against ``key`` of every person (built only if needed)."""
        nonlocal open_q
        if not open_q.height:
            return
        table = people.select("person_id", key.alias("_k"))
        if explode:
            table = table.explode("_k")
        hits = (
            open_q.select("i", pl.col(query_col).alias("_k"))
            .drop_nulls("_k")
            .join(table.drop_nulls("_k"), on="_k")
            .group_by("i")
            .agg(pl.col("person_id").n_unique().alias("n"), pl.col("person_id").first())
        )
        for i, n, pid in hits.iter_rows():
            if n == 1:
                out[i] = str(pid)
            else:
                out[i] = PersonNotFound(
                    f"{queries[i]!r} is ambiguous: {n} people match by {label}; "
                    "use a person id, email or profile URL (`reach people` lists them)"
                )
        open_q = open_q.filter(~pl.col("i").is_in(hits["i"].implode()))

    tier("person id", "q", pl.col("person_id"))
    if "key" in cols:
        tier("key", "q", pl.col("key"))
    if "emails" in cols:
        tier("email", "email", pl.col("emails"), explode=True)
    if "owner" in cols:
        tier("owner", "lower", pl.col("owner").str.to_lowercase())
    if "linkedin" in cols:
        tier("LinkedIn profile", "slug", pl.col("linkedin"))
    if open_q.height and "display_name" in cols:
        open_q = open_q.with_columns(name_signature(pl.col("q")).alias("sig"))
        tier("name", "sig", name_signature(pl.col("display_name")))
    for i in open_q["i"].to_list():
        out[i] = PersonNotFound(f"no person matches {queries[i]!r} (tried person id, key, email, owner and name)")
    return out  # type: ignore[return-value]
