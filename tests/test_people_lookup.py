"""Finding people by reference: the batched lookup against a plain per-query oracle."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reach.errors import PersonNotFound
from reach.people import find_person, lookup_people

PEOPLE = pl.DataFrame(
    {
        "person_id": ["p1", "p2", "p3", "p4", "p5"],
        "key": ["17", None, None, "p3", None],  # an edge-list key that is also someone's person id
        "display_name": ["Chloé Martin", "Martin Chloe", "Omar Haddad", "Grace Lee", "Omar Haddad"],
        "emails": [
            ["chloe@acme.example"],
            ["cm@globex.example", "shared@x.example"],
            ["omar@acme.example"],
            [],
            ["shared@x.example"],
        ],
        "owner": [None, "Ana@Northwind.example", None, None, None],
        "linkedin": [None, None, "omar-h", "grace-lee-42", None],
    }
)


def oracle(query: str) -> str | None:
    """The documented tiers, evaluated one query at a time in plain Python (None: not found/ambiguous)."""
    q = query.strip()
    if not q:
        return None
    rows = PEOPLE.to_dicts()
    email = q.lower().strip() if "@" in q and " " not in q else None
    slug = q.rstrip("/").rsplit("/in/", 1)[-1].lower() if "linkedin.com/in/" in q.lower() else None

    def sig(s):
        import unicodedata

        s = "".join(c for c in unicodedata.normalize("NFKD", s.casefold()) if not unicodedata.combining(c))
        return " ".join(sorted(w for w in s.replace(",", " ").split() if w))

    tiers = [
        lambda r: r["person_id"] == q,
        lambda r: r["key"] == q,
        lambda r: email is not None and email in r["emails"],
        lambda r: r["owner"] is not None and r["owner"].lower() == q.lower(),
        lambda r: slug is not None and r["linkedin"] == slug,
        lambda r: "@" not in q and sig(r["display_name"]) == sig(q),
    ]
    for t in tiers:
        hits = [r["person_id"] for r in rows if t(r)]
        if hits:
            return hits[0] if len(hits) == 1 else None
    return None


QUERIES = [
    "p1",
    "17",
    "p3",
    "chloe@acme.example",
    "CHLOE@ACME.EXAMPLE ",
    "shared@x.example",
    "ana@northwind.example",
    "https://www.linkedin.com/in/omar-h/",
    "grace lee",
    "martin chloé",
    "Omar Haddad",
    "nobody",
    "",
    "  p2 ",
]


def test_lookup_matches_the_oracle_and_find_person():
    got = lookup_people(PEOPLE, QUERIES)
    for q, g in zip(QUERIES, got, strict=True):
        want = oracle(q)
        if want is None:
            assert isinstance(g, PersonNotFound), q
            with pytest.raises(PersonNotFound):
                find_person(PEOPLE, q)
        else:
            assert g == want == find_person(PEOPLE, q), q


def test_ambiguous_and_unknown_references_say_why():
    got = lookup_people(PEOPLE, ["Omar Haddad", "shared@x.example", "nobody"])
    assert "2 people match by name" in str(got[0])
    assert "2 people match by email" in str(got[1])
    assert "no person matches 'nobody'" in str(got[2])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(QUERIES), max_size=30))
def test_batched_lookup_is_per_query(queries):
    got = lookup_people(PEOPLE, queries)
    single = [lookup_people(PEOPLE, [q])[0] for q in queries]
    assert [g if isinstance(g, str) else type(g) for g in got] == [s if isinstance(s, str) else type(s) for s in single]
