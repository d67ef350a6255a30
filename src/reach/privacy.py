"""Personal data: pseudonymising outputs with a keyed hash, and finding what `forget` must remove."""

from __future__ import annotations

import hashlib
import hmac

import polars as pl

PSEUDONYMISED_COLUMNS = (
    "display_name",
    "first_name",
    "last_name",
    "emails",
    "email",
    "phones",
    "linkedin",
    "linkedin_url",
    "key",
    "owner",
    "excerpt",
    "path",
    "source_name",
)  # file names (and the names of sources, by default their paths) can hold names


def pseudonym(value: str, key: bytes) -> str:
    return "x" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:12]


def pseudonymise_frame(df: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """Replace names and identifiers in ``df`` by keyed hashes (same input, same pseudonym; no key, no reversal).

    Hashes are computed once per distinct value. Company and title are kept: they describe the
    organisation, not the person.
    """
    out = df
    # identifier rows (kind, value): the value is an email, phone, profile, key or name
    cols = PSEUDONYMISED_COLUMNS + (("value",) if "kind" in df.columns else ())
    for col in cols:
        if col not in df.columns:
            continue
        dtype = df.schema[col]
        if dtype == pl.String:
            uniq = df[col].drop_nulls().unique().to_list()
            mapping = {v: pseudonym(v, key) for v in uniq}
            out = out.with_columns(pl.col(col).replace_strict(mapping, default=None, return_dtype=pl.String))
        elif dtype == pl.List(pl.String):
            uniq = df[col].explode().drop_nulls().unique().to_list()
            mapping = {v: pseudonym(v, key) for v in uniq}
            out = out.with_columns(
                pl.col(col).list.eval(pl.element().replace_strict(mapping, default=None, return_dtype=pl.String))
            )
    return out


REFERENCE_FIELDS = ("team", "targets", "sources", "do_not_ask", "people")  # option fields that name people


def pseudonymised_graph(rg, key: bytes):
    """The same graph with every name and identifier of its people replaced by keyed hashes.

    Features run on it produce pseudonymised frames throughout (names in paths and evidence included),
    since every name they show comes from ``rg.people``; person ids, companies and titles stay.
    """
    from reach.graph import ReachGraph

    return ReachGraph(people=pseudonymise_frame(rg.people, key), strength=rg.strength, edges=rg.edges, ties=rg.ties)


def with_person_ids(rg, opts):
    """``opts`` with every person reference (team, targets, ...) replaced by the person_id it designates in ``rg``,
    so that the options still name the same people on the pseudonymised graph.
    """
    import dataclasses

    from reach.features.common import resolve_people

    changes = {}
    for f in dataclasses.fields(opts):
        if f.name in REFERENCE_FIELDS and getattr(opts, f.name):
            changes[f.name] = tuple(str(rg.person_ids[v]) for v in resolve_people(rg, getattr(opts, f.name)))
    return dataclasses.replace(opts, **changes) if changes else opts
