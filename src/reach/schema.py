"""Arrow schemas: the single source of truth for every table reach passes between stages.

Each schema carries ``reach.schema = "<name>/<version>"`` metadata. Readers return tables that
pass :func:`validate_table`; stages take and return these tables. Column conventions: ids end in
``_id``, counts start with ``n_``, times end in ``_at`` and are UTC.

The column documentation lives in :data:`COLUMN_DOCS` and is rendered into ``docs/schema.md``
(a test checks the two agree), so this module is the only place a column is described.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from reach.errors import SchemaError

SCHEMA_VERSION = 2  # 2: sources keep their versions (source_name, version, superseded_at)

TS = pa.timestamp("us", tz="UTC")
STR_LIST = pa.list_(pa.string())


def _schema(name: str, fields: list[tuple[str, pa.DataType, bool, str]]) -> pa.Schema:
    schema = pa.schema(
        [pa.field(col, typ, nullable=nullable) for col, typ, nullable, _ in fields],
        metadata={"reach.schema": f"{name}/{SCHEMA_VERSION}"},
    )
    COLUMN_DOCS[name] = {col: doc for col, _, _, doc in fields}
    return schema


COLUMN_DOCS: dict[str, dict[str, str]] = {}

SOURCES = _schema(
    "sources",
    [
        (
            "source_id",
            pa.string(),
            False,
            "Id of this version of the source: the first 16 hex digits of the file's SHA-256 (of the SHA-256, "
            "name and version number when an earlier version of the same source had the same bytes).",
        ),
        ("path", pa.string(), False, "Path of the file as given when it was imported."),
        ("sha256", pa.string(), False, "SHA-256 of the file's bytes; importing the same bytes again adds nothing."),
        ("format", pa.string(), False, "Importer used: `edgelist`, `linkedin-connections`, ..."),
        ("owner", pa.string(), True, "Whose export this is (`--owner`), or null when none was given."),
        (
            "source_name",
            pa.string(),
            True,
            "The source this file is a version of: its absolute path, or the name given with `reach import "
            "--source` or a run config's `[[sources]] name`. A file imported again under the same name and owner "
            "with new bytes is a new version that supersedes the previous one (docs/sources.md).",
        ),
        ("version", pa.int64(), True, "1 for the first import of the source, then 2, 3, ..."),
        (
            "superseded_at",
            TS,
            True,
            "When a newer version replaced this one (its records, interactions and rejects then left the "
            "workspace; the row stays as history). Null for the current version.",
        ),
        ("imported_at", TS, False, "When the import ran (UTC)."),
        ("n_bytes", pa.int64(), False, "File size in bytes."),
        ("n_rows", pa.int64(), False, "Data rows (lines, messages, cards) read from the file."),
        ("n_records", pa.int64(), False, "Rows this source added to `records`."),
        ("n_interactions", pa.int64(), False, "Rows this source added to `interactions`."),
        ("n_rejects", pa.int64(), False, "Rows set aside in `rejects`."),
        ("n_skipped", pa.int64(), False, "Rows skipped on purpose (blank rows, comments, self-loops)."),
    ],
)

RECORDS = _schema(
    "records",
    [
        ("record_id", pa.int64(), False, "Workspace-unique id of this record."),
        ("source_id", pa.string(), False, "The `sources.source_id` it came from."),
        ("line", pa.int64(), True, "1-based line in the file where the record starts (null if derived)."),
        (
            "role",
            pa.string(),
            False,
            "`owner` (the export's owner), `contact` (an address-book row), "
            "`node` (an edge-list node) or `party` (someone seen in mail, calendars or chat).",
        ),
        ("key", pa.string(), True, "Edge-list node key as written in the file."),
        ("owner", pa.string(), True, "For role `owner`: the owner label given with `--owner`."),
        ("display_name", pa.string(), True, "Name as shown in the export."),
        ("first_name", pa.string(), True, "Given name, where the export has it."),
        ("last_name", pa.string(), True, "Family name, where the export has it."),
        ("company", pa.string(), True, "Company or organisation."),
        ("title", pa.string(), True, "Job title or position."),
        ("location", pa.string(), True, "City, region or country, where the export has it."),
        ("emails", STR_LIST, True, "Email addresses as exported (normalised only when resolving)."),
        ("phones", STR_LIST, True, "Phone numbers as exported."),
        ("linkedin_url", pa.string(), True, "LinkedIn profile URL as exported."),
        (
            "attributes",
            pa.string(),
            True,
            "Graph files (GML, GraphML, GEXF, Pajek, ...): the node's id and other "
            'attributes as a JSON object, e.g. `{"id": "12", "value": 3}`; a WhatsApp sender shown by '
            'name: `{"name_from":"address-book"}`.',
        ),
    ],
)

INTERACTIONS = _schema(
    "interactions",
    [
        ("source_id", pa.string(), False, "The `sources.source_id` it came from."),
        ("line", pa.int64(), True, "1-based line in the file (message start for mail)."),
        (
            "src_record",
            pa.int64(),
            False,
            "`records.record_id` of the initiator (sender, organiser, inviter, "
            "export owner for a connection, first column of an edge list).",
        ),
        ("dst_record", pa.int64(), False, "`records.record_id` of the other party."),
        ("channel", pa.string(), False, "`edge`, `connection`, `email`, `meeting`, `message`, `invitation`, ..."),
        ("at", TS, True, "When it happened (UTC), if known."),
        ("weight", pa.float64(), False, "Edge-list weight column, else 1.0."),
        ("n_participants", pa.int32(), False, "People involved (2 for one-to-one; mail: sender + recipients)."),
        (
            "event_key",
            pa.string(),
            True,
            "The real-world event this row records, the same in every export that holds "
            "it: ties count each event once per person pair and channel, however many copies were imported "
            "(see docs/tie-strength.md, *Events, not copies*). Mail: a hash of Message-ID, sender and date (of "
            "sender and date when Message-ID is missing); calendar: of UID and occurrence (RECURRENCE-ID or the "
            "occurrence start); Slack: of channel and ts; WhatsApp: of time, text and its repeat count in the "
            "chat (chat and sender are the person pair); LinkedIn message: of conversation, date and sender; "
            "`linkedin:connection` (one connection per pair, whoever exports it), `linkedin:invitation:<time>`; "
            "`address-book` for an address-book entry (one per owner and contact). Null: the row is its own "
            "event (edge-list lines and CRM activity count per source and line).",
        ),
    ],
)

REJECTS = _schema(
    "rejects",
    [
        ("source_id", pa.string(), False, "The `sources.source_id` of the file."),
        ("path", pa.string(), False, "Path of the file."),
        ("line", pa.int64(), True, "1-based line of the rejected row."),
        ("reason", pa.string(), False, "What was wrong with the row."),
        ("excerpt", pa.string(), True, "The start of the row (at most 120 characters)."),
    ],
)

IDENTIFIERS = _schema(
    "identifiers",
    [
        ("record_id", pa.int64(), False, "`records.record_id` the identifier belongs to."),
        (
            "kind",
            pa.string(),
            False,
            "`key`, `owner`, `email`, `phone`, `linkedin`, `record` (the record alone), or a name-based "
            "link reported apart: `name+company-domain` (value `<name> | <company>`), `name+shared-export` "
            "or `name+address-book` (value `<name>`); see docs/tie-strength.md.",
        ),
        ("value", pa.string(), False, "Normalised identifier value."),
    ],
)

MEMBERSHIP = _schema(
    "membership",
    [
        ("record_id", pa.int64(), False, "`records.record_id`."),
        ("person_id", pa.string(), False, "`people.person_id` the record was resolved to."),
    ],
)

PEOPLE = _schema(
    "people",
    [
        ("person_id", pa.string(), False, "Stable id: a hash of the person's anchor identifier."),
        (
            "display_name",
            pa.string(),
            True,
            "Best name across the person's records; for someone known without a name, what they are known by "
            "(address, edge-list key, LinkedIn profile, phone), so it is never empty and never an id.",
        ),
        ("company", pa.string(), True, "Most recent non-empty company across records."),
        ("title", pa.string(), True, "Most recent non-empty title across records."),
        ("location", pa.string(), True, "First non-empty location across records."),
        ("key", pa.string(), True, "Edge-list node key, for people that came from edge lists."),
        ("emails", STR_LIST, True, "Normalised email addresses."),
        ("linkedin", pa.string(), True, "Canonical LinkedIn profile slug."),
        ("owner", pa.string(), True, "Owner label if this person owns an import (a team member)."),
        ("n_records", pa.int32(), False, "Records merged into this person."),
        ("n_sources", pa.int32(), False, "Distinct sources mentioning this person."),
    ],
)

TIES = _schema(
    "ties",
    [
        ("person_a", pa.string(), False, "The smaller person_id of the pair."),
        ("person_b", pa.string(), False, "The larger person_id of the pair."),
        ("strength", pa.float64(), False, "Tie strength in (0, 1]; see docs/tie-strength.md."),
        (
            "n_interactions",
            pa.int64(),
            False,
            "Events between the two: each real-world event once per channel, "
            "however many exports hold a copy (`interactions.event_key`).",
        ),
        (
            "n_a_to_b",
            pa.int64(),
            False,
            "Events initiated by person_a (a connection has no initiator: it counts in neither direction).",
        ),
        ("n_b_to_a", pa.int64(), False, "Events initiated by person_b."),
        ("n_edges", pa.int64(), False, "Edge-list lines."),
        ("n_connections", pa.int64(), False, "LinkedIn (or similar) connections."),
        ("n_emails", pa.int64(), False, "Emails."),
        ("n_meetings", pa.int64(), False, "Meetings."),
        ("n_messages", pa.int64(), False, "Chat or LinkedIn messages."),
        ("n_other", pa.int64(), False, "Other interactions (invitations, CRM activity, ...)."),
        ("weight_sum", pa.float64(), False, "Sum of interaction weights."),
        ("n_channels", pa.int32(), False, "Distinct channels."),
        (
            "n_sources",
            pa.int32(),
            False,
            "Distinct sources with evidence of the tie (provenance: copies of one "
            "event in two exports make 2 here, and 1 in every count and the strength).",
        ),
        ("first_at", TS, True, "Earliest dated interaction."),
        ("last_at", TS, True, "Latest dated interaction."),
        (
            "vertex_a",
            pa.int64(),
            True,
            "Row of person_a in the people table of the same build, sorted by "
            "person_id (lets the graph be built without matching ids; checked, and ignored if stale).",
        ),
        ("vertex_b", pa.int64(), True, "Row of person_b in that table."),
    ],
)

TABLES: Mapping[str, pa.Schema] = {
    "sources": SOURCES,
    "records": RECORDS,
    "interactions": INTERACTIONS,
    "rejects": REJECTS,
    "identifiers": IDENTIFIERS,
    "membership": MEMBERSHIP,
    "people": PEOPLE,
    "ties": TIES,
}


def schema_name(schema: pa.Schema) -> str:
    """Return the table name recorded in a schema's metadata."""
    meta = schema.metadata or {}
    return meta.get(b"reach.schema", b"?/?").decode().split("/")[0]


def validate_table(table: pa.Table, schema: pa.Schema) -> None:
    """Raise :class:`SchemaError` listing every missing, extra, mistyped or null-violating column."""
    problems: list[str] = []
    names = set(table.column_names)
    for field in schema:
        if field.name not in names:
            problems.append(f"missing column {field.name!r}")
            continue
        col = table.column(field.name)
        if not col.type.equals(field.type):
            problems.append(f"column {field.name!r} is {col.type}, expected {field.type}")
        if not field.nullable and col.null_count:
            problems.append(f"column {field.name!r} has {col.null_count} nulls")
    problems.extend(f"unexpected column {name!r}" for name in table.column_names if name not in schema.names)
    if problems:
        msg = f"{schema_name(schema)} table does not match its schema: " + "; ".join(problems)
        raise SchemaError(msg)


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Select, order and cast columns to ``schema``; missing nullable columns become nulls.

    Raises :class:`SchemaError` (via :func:`validate_table`) when the result still does not fit.
    """
    cols = []
    n = table.num_rows
    for field in schema:
        if field.name in table.column_names:
            col = table.column(field.name)
            if not col.type.equals(field.type):
                try:
                    col = col.cast(field.type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                    msg = f"{schema_name(schema)}.{field.name}: cannot cast {col.type} to {field.type}: {exc}"
                    raise SchemaError(msg) from exc
            cols.append(col)
        else:
            cols.append(pa.nulls(n, field.type))
    out = pa.Table.from_arrays(cols, schema=schema)
    validate_table(out, schema)
    return out


def empty(schema: pa.Schema) -> pa.Table:
    """An empty table of ``schema``."""
    return schema.empty_table()


def schema_markdown() -> str:
    """Render every table's columns as Markdown (the body of docs/schema.md)."""
    parts = [
        "# Tables",
        "",
        "Generated from `src/reach/schema.py` (`python -m reach.schema > docs/schema.md`). "
        f"Schema version {SCHEMA_VERSION}. Every table is stored in the workspace as Parquet and can be read "
        "directly by polars, pandas, pyarrow or DuckDB.",
    ]
    for name, schema in TABLES.items():
        parts += ["", f"## `{name}`", "", "| column | type | description |", "|---|---|---|"]
        for field in schema:
            null = "" if field.nullable else ", not null"
            parts.append(f"| `{field.name}` | {field.type}{null} | {COLUMN_DOCS[name][field.name]} |")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(schema_markdown(), end="")
