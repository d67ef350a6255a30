"""People search: everyone whose name, company, title, key or email contains a text."""

from __future__ import annotations

import polars as pl

from reach.features.options import PeopleOptions
from reach.graph import ReachGraph

PEOPLE_COLUMNS = ("person_id", "display_name", "company", "title", "key", "emails", "owner", "n_records")


def find_people(rg: ReachGraph, opts: PeopleOptions) -> pl.DataFrame:
    """People whose name, company, title, key, email or owner label contains ``opts.search`` (any case)."""
    return find_people_counted(rg, opts)[0]


def find_people_counted(rg: ReachGraph, opts: PeopleOptions) -> tuple[pl.DataFrame, int]:
    """The first ``opts.limit`` people :func:`find_people` finds, and how many match in all."""
    ppl = rg.people
    if opts.search:
        hay = pl.concat_str(
            [
                pl.col("display_name"),
                pl.col("company"),
                pl.col("title"),
                pl.col("key"),
                pl.col("emails").list.join(" "),
                pl.col("owner"),
            ],
            separator=" ",
            ignore_nulls=True,
        )
        ppl = ppl.filter(hay.str.to_lowercase().str.contains(opts.search.lower(), literal=True))
    return ppl.select(*PEOPLE_COLUMNS).head(opts.limit), ppl.height
