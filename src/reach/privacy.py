"""Personal data: pseudonymising outputs with a keyed hash, and finding what `forget` must remove."""

from __future__ import annotations

import hashlib
import hmac

import polars as pl

PSEUDONYMISED_COLUMNS = ("display_name", "first_name", "last_name", "emails", "email", "phones", "linkedin",
                         "linkedin_url", "key", "owner", "excerpt")


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
            out = out.with_columns(pl.col(col).list.eval(
                pl.element().replace_strict(mapping, default=None, return_dtype=pl.String)))
    return out
