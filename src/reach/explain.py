"""Why reach believes what it shows: the records behind a person and the evidence behind a tie.

Pure functions over the workspace tables (records, identifiers, membership, interactions, sources,
ties), so a user can check a merge or a tie before asking a real person for a favour.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import pyarrow as pa

from reach.identity import NAME_ADDRESS_BOOK, NAME_COMPANY_DOMAIN, NAME_SHARED_EXPORT

# identifier kinds that record a name-based link rather than a shared identifier, and what they mean
NAME_RULES = {
    NAME_COMPANY_DOMAIN: "a full name with a company, linked to the same name with an address at that company's domain",
    NAME_SHARED_EXPORT: "a full name only two people have in all the records, both seen in one export "
    "(an old employer's or a personal address)",
    NAME_ADDRESS_BOOK: "a chat sender the export names from the owner's address book, linked to the one "
    "contact card of that name in the owner's exports",
}


@dataclass
class PersonReport:
    person: dict
    records: pl.DataFrame  # record_id, source, path, line, role, display_name, company, title
    identifiers: pl.DataFrame  # kind, value, n_records (kinds in NAME_RULES: a name-based link)

    def as_dict(self) -> dict:
        return {
            "person": self.person,
            "records": self.records.to_dicts(),
            "identifiers": self.identifiers.to_dicts(),
            "name_based": self.name_based(),
        }

    def reasons(self) -> list[str]:
        """Why these records are one person: the identifiers they share, then (said apart, since a name
        is weaker evidence) each name-based link, e.g. ``name+company-domain: 3 records with the name 'grace lee'
        and the company 'acme' (...)`` or ``name+shared-export: 4 records with the name 'pia abbott' (...)``.
        """
        if self.records.height <= 1:
            return ["a single record"]
        shared = self.identifiers.filter(pl.col("n_records") > 1)
        by_name = shared.filter(pl.col("kind").is_in(list(NAME_RULES)))
        shared = shared.filter(~pl.col("kind").is_in(list(NAME_RULES)))
        out = [f"{r['n_records']} records share {r['kind']} {r['value']}" for r in shared.iter_rows(named=True)]
        for r in by_name.iter_rows(named=True):
            name, _, company = r["value"].partition(" | ")
            with_company = f" and the company {company!r}" if company else ""
            out.append(
                f"{r['kind']}: {r['n_records']} records with the name {name!r}{with_company} ({NAME_RULES[r['kind']]})"
            )
        return out or ["merged by a user override or the fuzzy name+company tier"]

    def name_based(self) -> bool:
        """Whether a name-based rule (not only shared identifiers) holds some of these records together."""
        return self.identifiers.filter(pl.col("kind").is_in(list(NAME_RULES))).height > 0


def person_report(
    person_id: str,
    *,
    people: pa.Table,
    records: pa.Table,
    identifiers: pa.Table,
    membership: pa.Table,
    sources: pa.Table,
) -> PersonReport:
    """Every record and identifier behind ``person_id``, and which identifiers merged the records."""
    ppl = pl.from_arrow(people).filter(pl.col("person_id") == person_id)
    mem = pl.from_arrow(membership).filter(pl.col("person_id") == person_id).select("record_id")
    src = pl.from_arrow(sources).select("source_id", "path", "format")
    recs = (
        pl.from_arrow(records)
        .join(mem, on="record_id")
        .join(src, on="source_id", how="left")
        .select("record_id", "source_id", "path", "format", "line", "role", "display_name", "company", "title")
        .sort("record_id")
    )
    ids = (
        pl.from_arrow(identifiers)
        .join(mem, on="record_id")
        .group_by("kind", "value")
        .agg(pl.col("record_id").n_unique().alias("n_records"))
        .sort("kind", "value")
    )
    return PersonReport(
        person=ppl.to_dicts()[0] if ppl.height else {"person_id": person_id}, records=recs, identifiers=ids
    )


@dataclass
class TieExplanation:
    person_a: dict
    person_b: dict
    tie: dict | None  # the TIES row, or None when there is no direct tie
    by_channel: pl.DataFrame  # channel, n, first_at, last_at
    by_source: pl.DataFrame  # path, format, channel, n
    evidence: pl.DataFrame  # the most recent interactions: at, channel, direction, path, line

    @property
    def reason(self) -> str | None:
        """The tie's one-line reason (label, channels with counts, last contact); None without a tie."""
        return self.tie["reason"] if self.tie else None

    @property
    def other_channels(self) -> list[str]:
        """The channels counted as ``n_other`` (address book, invitation, reaction, call, CRM ...)."""
        from reach.strength import CHANNEL_COLUMNS

        return [c for c in self.by_channel["channel"].to_list() if c not in CHANNEL_COLUMNS and c != "broadcast"]

    def as_dict(self) -> dict:
        return {
            "person_a": self.person_a,
            "person_b": self.person_b,
            "tie": self.tie,
            "by_channel": self.by_channel.to_dicts(),
            "by_source": self.by_source.to_dicts(),
            "evidence": self.evidence.to_dicts(),
        }


def explain_tie(
    a: str,
    b: str,
    *,
    people: pa.Table,
    ties: pa.Table,
    interactions: pa.Table,
    membership: pa.Table,
    sources: pa.Table,
    max_evidence: int = 20,
) -> TieExplanation:
    """The tie between persons ``a`` and ``b`` with every interaction behind it (newest first)."""
    ppl = pl.from_arrow(people)
    pa_row = ppl.filter(pl.col("person_id") == a).select("person_id", "display_name", "company").to_dicts()
    pb_row = ppl.filter(pl.col("person_id") == b).select("person_id", "display_name", "company").to_dicts()
    lo, hi = sorted((a, b))
    tie = pl.from_arrow(ties).filter((pl.col("person_a") == lo) & (pl.col("person_b") == hi))
    mem = pl.from_arrow(membership)
    it = (
        pl.from_arrow(interactions)
        .join(mem.rename({"record_id": "src_record", "person_id": "src"}), on="src_record")
        .join(mem.rename({"record_id": "dst_record", "person_id": "dst"}), on="dst_record")
        .filter(((pl.col("src") == a) & (pl.col("dst") == b)) | ((pl.col("src") == b) & (pl.col("dst") == a)))
        .join(pl.from_arrow(sources).select("source_id", "path", "format"), on="source_id", how="left")
        .with_columns(pl.when(pl.col("src") == a).then(pl.lit("a->b")).otherwise(pl.lit("b->a")).alias("direction"))
    )
    by_channel = (
        it.group_by("channel")
        .agg(pl.len().alias("n"), pl.col("at").min().alias("first_at"), pl.col("at").max().alias("last_at"))
        .sort("channel")
    )
    by_source = it.group_by("path", "format", "channel").agg(pl.len().alias("n")).sort("path", "channel")
    evidence = (
        it.sort("at", descending=True, nulls_last=True)
        .head(max_evidence)
        .select("at", "channel", "direction", "n_participants", "path", "line")
    )
    return TieExplanation(
        person_a=pa_row[0] if pa_row else {"person_id": a},
        person_b=pb_row[0] if pb_row else {"person_id": b},
        tie=_labelled(tie).to_dicts()[0] if tie.height else None,
        by_channel=by_channel,
        by_source=by_source,
        evidence=evidence,
    )


def _labelled(tie: pl.DataFrame) -> pl.DataFrame:
    """The tie row with its ``strength_label`` and one-line ``reason`` (reach.strength_labels)."""
    from reach.strength_labels import strength_label_expr, tie_reason

    return tie.with_columns(strength_label_expr("strength").alias("strength_label"), tie_reason(tie).alias("reason"))
