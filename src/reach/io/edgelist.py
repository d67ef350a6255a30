"""Edge lists as SNAP and friends ship them.

Accepted: ``#`` or ``%`` comment lines, tabs, spaces, commas or semicolons between columns, CRLF or
LF, no final newline, self-loops (skipped and counted), both directions listed (kept: each line is one
interaction), and optional third and fourth columns: a weight and/or a unix time. A third column of
integers that all look like unix times (after 1990) is read as a time, otherwise as a weight. A header
row naming the columns (``source,target,weight``) is recognised and used.

Parsing is vectorised. Files of integer node ids (the SNAP shape: comment lines at the top, then
2 to 4 integer columns separated by one tab, comma, semicolon or space) take a fast path: Arrow's
multi-threaded CSV reader parses them straight to int64 columns, and the result is accepted only if
re-counting the digits of every value, plus one separator between columns and one newline per line,
gives exactly the bytes of the file, which proves the tokens were written canonically (no leading
zeros, plus signs, extra spaces or carriage returns that would make a node key differ from its
text). Anything else (a header, names as ids, a bad row, a comment in the middle) goes through the
general path: the file is split into lines by Arrow and tokenised by polars, so there is no Python
loop over lines there either, and bad rows become rejects with their line numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from reach.errors import InputFormatError
from reach.io.base import EXCERPT_CHARS, Format, Parsed
from reach.io.text import decode, looks_binary

COMMENT_PREFIXES = ("#", "%")
SPLIT = r"[ \t,;]+"
HEADER_NAMES = {
    "source": "src",
    "src": "src",
    "from": "src",
    "node1": "src",
    "fromnodeid": "src",
    "source_id": "src",
    "sourceid": "src",
    "id1": "src",
    "target": "dst",
    "dst": "dst",
    "to": "dst",
    "node2": "dst",
    "tonodeid": "dst",
    "target_id": "dst",
    "targetid": "dst",
    "id2": "dst",
    "weight": "weight",
    "value": "weight",
    "count": "weight",
    "time": "time",
    "timestamp": "time",
    "unixtime": "time",
    "date": "time",
}
UNIX_1990 = 631_152_000
# a header of generic column names: col1, Column 2, V1, node_a, vertex2, id1, person_b, ...
GENERIC_HEADER = re.compile(
    r"(?:col(?:umn)?|node|vertex|id|name|person|user|actor|ego|alter|key|label|(?:from|to|source|target)"
    r"(?:_?(?:node|id|name))?)[ _-]?(?:\d+|[a-d])?|[vn][ _-]?\d+",
    re.IGNORECASE,
)
OTHER_FORMAT_SCORE = 0.9  # another importer this sure of a file refuses --format edgelist on it
MAX_BAD_SHARE = 0.2  # more lines that do not fit than this share refuse a file (see refuses) ...
MIN_BAD_TO_REFUSE = 3  # ... when they are at least this many


def _lines(text: str) -> pl.DataFrame:
    """Split text into a ``line`` (1-based) / ``raw`` frame without a Python loop."""
    arr = pa.array([text], pa.large_string())
    parts = pc.list_flatten(pc.split_pattern(arr, "\n"))
    raw = pl.from_arrow(parts).cast(pl.String).str.strip_chars_end("\r")
    if raw.len() and text.endswith("\n"):
        raw = raw.head(raw.len() - 1)  # the final newline ends a line; it does not start one
    return pl.DataFrame({"raw": raw}).with_row_index("line", offset=1).with_columns(pl.col("line").cast(pl.Int64))


def sniff(head: str, path: Path | None = None) -> float:
    """Score 0..1: how much ``head`` looks like an edge list."""
    if head.lstrip()[:1] in ("{", "[", "<"):
        return 0.0  # JSON or XML, whatever its lines look like
    rows = [ln.strip() for ln in head.splitlines()[:200] if ln.strip() and not ln.lstrip().startswith(COMMENT_PREFIXES)]
    if len(rows) > 1 and len(head) >= 60_000:
        rows = rows[:-1]  # a full sample may cut its last line short
    if not rows:
        return 0.0
    ok = 0
    for row in rows:
        toks = [t for t in re.split(SPLIT, row) if t]
        if 2 <= len(toks) <= 4 and all(len(t) <= 64 for t in toks):
            rest = toks[2:]
            if all(re.fullmatch(r"[-+0-9.eE]+", t) for t in rest):
                ok += 1
    if ok < len(rows) * 0.6:
        return 0.0
    # pure numeric node ids are the strong signal; words could be anything
    numeric = sum(1 for row in rows if re.fullmatch(r"[-+0-9.eE \t,;]+", row))
    return 0.9 if numeric >= len(rows) * 0.9 else 0.5


_POW10 = 10 ** np.arange(1, 19, dtype=np.int64)


def _digits(col: np.ndarray) -> int:
    """Characters needed to write every int64 in ``col`` in canonical decimal (sign included)."""
    neg = col < 0
    mag = np.abs(col)
    return int(np.searchsorted(_POW10, mag, side="right").sum()) + col.shape[0] + int(neg.sum())


def _fast_integer_edges(data: bytes) -> tuple[int, pa.Table] | None:
    """``(first data line number, table of int64 columns)`` for a canonical integer edge list, else None."""
    import pyarrow.csv as pacsv

    head = data[:65536]
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return None
    pos = 0
    skipped = 0
    while pos < len(data) and data[pos : pos + 1] in (b"#", b"%"):
        nl = data.find(b"\n", pos)
        if nl < 0:
            return None
        pos = nl + 1
        skipped += 1
    nl = data.find(b"\n", pos)
    first = data[pos : nl if nl >= 0 else len(data)].removesuffix(b"\r")
    delim = next((d for d in (b"\t", b",", b";", b" ") if d in first), None)
    if delim is None or not re.fullmatch(rb"-?[0-9]+(?:" + re.escape(delim) + rb"-?[0-9]+){1,3}", first):
        return None
    n_cols = first.count(delim) + 1
    names = ["src", "dst", "c3", "c4"][:n_cols]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(memoryview(data)[pos:]),  # the data lines, without copying them
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=delim.decode(), quote_char=False, double_quote=False, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.int64()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    if any(table.column(c).null_count for c in names):
        return None
    m = table.num_rows
    n_nl = m if data.endswith(b"\n") else m - 1  # the last line may lack its newline
    n_cr = data.count(b"\r", pos)
    if n_cr not in (0, n_nl):  # CRLF line ends throughout, or none
        return None
    expect = sum(_digits(table.column(c).to_numpy()) for c in names) + m * (n_cols - 1) + n_nl + n_cr
    if len(data) - pos != expect:
        return None
    return skipped + 1, table


def _read_fast(start_line: int, table: pa.Table, n_comments: int, options: dict) -> Parsed | None:
    """Records and interactions from a canonical integer edge list (see the module docs); None when a
    row must be rejected, which the general path reports with its line.
    """
    m = table.num_rows
    src = table.column("src").to_numpy()
    dst = table.column("dst").to_numpy()
    ends = np.empty(2 * m, dtype=np.int64)
    ends[0::2] = src
    ends[1::2] = dst
    first_pos = pl.Series(ends).arg_unique().to_numpy()  # nodes in order of first appearance
    keys = ends[first_pos]
    n_nodes = keys.shape[0]
    lo, hi = (int(keys.min()), int(keys.max())) if n_nodes else (0, -1)
    if lo >= 0 and hi < 8 * max(n_nodes, 1) + 1024:
        table_ = np.full(hi + 1, -1, dtype=np.int64)
        table_[keys] = np.arange(n_nodes, dtype=np.int64)
        src_rec, dst_rec = table_[src], table_[dst]
    else:
        ids = pl.DataFrame({"key": keys, "rid": np.arange(n_nodes, dtype=np.int64)})
        src_rec = pl.DataFrame({"key": src}).join(ids, on="key", how="left", maintain_order="left")["rid"].to_numpy()
        dst_rec = pl.DataFrame({"key": dst}).join(ids, on="key", how="left", maintain_order="left")["rid"].to_numpy()
    lines = np.arange(start_line, start_line + m, dtype=np.int64)
    key_str = pl.Series("key", keys).cast(pl.String)
    records = pl.DataFrame(
        {
            "record_id": np.arange(n_nodes, dtype=np.int64),
            "line": lines[first_pos // 2],
            "role": pl.repeat("node", n_nodes, dtype=pl.String, eager=True),
            "key": key_str,
            "display_name": key_str,
        }
    )
    c3 = table.column("c3").to_numpy() if "c3" in table.column_names else None
    c4 = table.column("c4").to_numpy() if "c4" in table.column_names else None
    kind = options.get("third_column")
    if c3 is not None and kind is None:
        kind = "time" if m and int(c3.min()) >= UNIX_1990 else "weight"
    weight = np.ones(m, dtype=np.float64)
    at = None
    if c3 is not None:
        if kind == "time":
            at = c3
        else:
            weight = c3.astype(np.float64)
            at = c4
    loop = src == dst
    n_loops = int(loop.sum())
    keep = ~loop if n_loops else slice(None)  # SNAP files rarely have self-loops: no copies then
    if (weight[keep] <= 0).any():
        return None  # rejects: the general path reports them with their lines
    n_keep = m - n_loops
    stamp = pa.timestamp("us", tz="UTC")
    inter = pa.table(
        {
            "line": lines[keep],
            "src_record": src_rec[keep],
            "dst_record": dst_rec[keep],
            "channel": pa.repeat(pa.scalar("edge"), n_keep),
            "at": pa.array(at[keep] * 1_000_000, pa.int64()).cast(stamp) if at is not None else pa.nulls(n_keep, stamp),
            "weight": weight[keep],
            "n_participants": pa.repeat(pa.scalar(2, pa.int32()), n_keep),
        }
    )
    rejects = pl.DataFrame(schema={"line": pl.Int64, "reason": pl.String, "excerpt": pl.String})
    return Parsed(
        records=records.to_arrow(),
        interactions=inter,
        rejects=rejects.to_arrow(),
        n_rows=m,
        n_skipped=n_comments + n_loops,
    )


def _refuse_other_format(path: Path, raw: bytes) -> None:
    """Refuse a file another importer claims with confidence (a Pajek, GML or MatrixMarket file forced
    through ``--format edgelist``): its section lines, brackets and size lines are not edges.
    """
    from reach.io.formats import registry

    head = raw[:65536]
    if looks_binary(head):
        return
    text = decode(head).lstrip("\ufeff")
    own = sniff(text, path)
    claims = sorted(
        ((f.sniff(text, path), f.name) for f in registry().values() if f.name != "edgelist" and not f.binary),
        reverse=True,
    )
    if claims and claims[0][0] >= OTHER_FORMAT_SCORE and claims[0][0] > own:
        name = claims[0][1]
        msg = (
            f"{path}: not an edge list: the file is {name} ({registry()[name].description}); "
            f"import it with --format {name} or without --format"
        )
        raise InputFormatError(msg)


def _is_number(col: pl.Expr) -> pl.Expr:
    return col.str.contains(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")


def _header(data: pl.DataFrame) -> list[str] | None:
    """The column roles when the first data line is a header row, else None.

    A header names its columns: every token is a known column name (``source target weight``,
    ``from,to``), or a generic one (``col1 col2``, ``V1 V2``, ``node_a node_b``), or the line has words
    where every other line has numbers in both key columns. In the last two cases none of its tokens
    may be a node elsewhere in the file: a header's names never reappear as keys, an edge's often do.
    """
    if data.height == 0:
        return None
    toks = [t.strip("\"'") for t in data.row(0, named=True)["tok"]]
    if not 2 <= len(toks) <= 4 or len({t.lower() for t in toks}) != len(toks):
        return None
    names = [HEADER_NAMES.get(t.lower()) for t in toks]
    if names[0] == "src" and names[1] == "dst" and all(names):
        return names  # type: ignore[return-value]
    rest = data.slice(1)
    if rest.height == 0:
        return None
    key_cols = [pl.col("tok").list.get(i, null_on_oob=True) for i in (0, 1)]
    reused = rest.select(pl.any_horizontal(*(c.is_in(toks[:2]) for c in key_cols)).any()).item()
    if reused:
        return None
    generic = all(GENERIC_HEADER.fullmatch(t) or t.lower() in HEADER_NAMES for t in toks)
    worded = (
        rest.height >= 3
        and all(re.search(r"[^\W\d_]", t) and not re.fullmatch(r"[-+0-9.eE]+", t) for t in toks[:2])
        and rest.select(pl.all_horizontal(*(_is_number(c).fill_null(False) for c in key_cols)).all()).item()
    )
    if not (generic or worded):
        return None
    roles = ["src", "dst", "c3", "c4"][: len(toks)]
    for i in (2, 3):
        if i < len(toks) and names[i] in ("weight", "time"):
            roles[i] = names[i]  # type: ignore[assignment]
    return roles


def refuses(n_bad: int, n: int) -> bool:
    """Whether ``n_bad`` lines that do not fit among ``n`` make a file not an edge list: all of them, more
    than half when they are two or more, or more than :data:`MAX_BAD_SHARE` when they are at least
    :data:`MIN_BAD_TO_REFUSE`. A single stray row in a longer file only goes to rejects.
    """
    return n_bad > 0 and (
        n_bad == n or (n_bad >= 2 and 2 * n_bad > n) or (n_bad >= MIN_BAD_TO_REFUSE and n_bad > MAX_BAD_SHARE * n)
    )


def _refuse_inconsistent(path: Path, data: pl.DataFrame) -> None:
    """Refuse a file whose lines are not consistently an edge list (see :func:`refuses`): it is another
    format, and reading the lines that happen to fit would invent people. A stray bad row goes to rejects.
    """
    shape = pl.col("reason").is_not_null() & (pl.col("reason") != "weight must be positive")
    bad = data.filter(shape)
    n_bad, n = bad.height, data.height
    if not refuses(n_bad, n):
        return
    first = bad.row(0, named=True)
    msg = (
        f"{path}: line {first['line']}: not consistently an edge list: {n_bad:,} of {n:,} lines do not fit "
        f"({first['reason']}); if it is another format, pass --format with one of: {', '.join(_format_names())}"
    )
    raise InputFormatError(msg)


def _format_names() -> list[str]:
    from reach.io.formats import format_names

    return [n for n in format_names() if n != "edgelist"]


def read_edgelist(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Parse an edge list into records (one per node key) and interactions (one per line)."""
    options = options or {}
    raw = Path(path).read_bytes()
    _refuse_other_format(path, raw)
    fast = _fast_integer_edges(raw)
    if fast is not None:
        start_line, table = fast
        parsed = _read_fast(start_line, table, start_line - 1, options)
        if parsed is not None:
            return parsed
    text = decode(raw)
    del raw
    frame = _lines(text)
    del text
    stripped = pl.col("raw").str.strip_chars()
    frame = frame.with_columns(stripped.alias("body"))
    is_comment = pl.col("body").str.starts_with("#") | pl.col("body").str.starts_with("%")
    is_blank = pl.col("body") == ""
    n_comment_or_blank = frame.select((is_comment | is_blank).sum()).item()
    data = frame.filter(~is_comment & ~is_blank)
    data = data.with_columns(pl.col("body").str.replace_all(SPLIT, " ").str.split(" ").alias("tok"))
    data = data.with_columns(pl.col("tok").list.len().alias("n_tok"))

    columns = ["src", "dst"]
    header = _header(data)
    if header is not None:
        columns = header
        data = data.slice(1)
    third_kind = columns[2] if len(columns) > 2 and columns[2] in ("weight", "time") else options.get("third_column")

    data = data.with_columns(
        pl.col("tok").list.get(0, null_on_oob=True).alias("src"),
        pl.col("tok").list.get(1, null_on_oob=True).alias("dst"),
        pl.col("tok").list.get(2, null_on_oob=True).alias("c3"),
        pl.col("tok").list.get(3, null_on_oob=True).alias("c4"),
    ).with_columns(
        pl.col("c3").cast(pl.Float64, strict=False).alias("c3f"),
        pl.col("c4").cast(pl.Float64, strict=False).alias("c4f"),
    )
    bad_count = (pl.col("n_tok") < 2) | (pl.col("n_tok") > 4)
    bad_c3 = pl.col("c3").is_not_null() & (pl.col("c3f").is_null() | ~pl.col("c3f").is_finite())
    bad_c4 = pl.col("c4").is_not_null() & (pl.col("c4f").is_null() | ~pl.col("c4f").is_finite())
    long_key = (pl.col("src").str.len_chars() > 256) | (pl.col("dst").str.len_chars() > 256)
    reason = (
        pl.when(bad_count)
        .then(pl.format("expected 2 to 4 columns (source, target, weight, time), found {}", pl.col("n_tok")))
        .when(long_key)
        .then(pl.lit("node key longer than 256 characters"))
        .when(bad_c3)
        .then(pl.lit("third column is not a number"))
        .when(bad_c4)
        .then(pl.lit("fourth column is not a number"))
        .otherwise(None)
    )
    data = data.with_columns(reason.alias("reason"))
    bad = data.filter(pl.col("reason").is_not_null())
    good = data.filter(pl.col("reason").is_null())

    if third_kind is None and good.height and good["c3f"].null_count() < good.height:
        c3 = good["c3f"].drop_nulls()
        looks_time = bool((c3 == c3.round(0)).all()) and float(c3.min()) >= UNIX_1990
        third_kind = "time" if looks_time else "weight"
    if third_kind == "time":
        weight = pl.col("c4f") if len(columns) > 3 and columns[3] == "weight" else pl.lit(None, pl.Float64)
        time = pl.col("c3f")
    else:
        weight = pl.col("c3f")
        time = pl.col("c4f")
    good = good.with_columns(weight.fill_null(1.0).alias("weight"), time.alias("time"))
    bad_weight = good.filter(pl.col("weight") <= 0).with_columns(pl.lit("weight must be positive").alias("reason"))
    good = good.filter(pl.col("weight") > 0)
    bad = pl.concat([bad.select("line", "reason", "raw"), bad_weight.select("line", "reason", "raw")])
    self_loop = pl.col("src") == pl.col("dst")
    n_loops = good.select(self_loop.sum()).item()

    # records: every node key, in order of first appearance (self-loop-only nodes included)
    ends = pl.concat(
        [
            good.select(pl.col("line"), pl.col("src").alias("key")),
            good.select(pl.col("line"), pl.col("dst").alias("key")),
        ]
    ).sort("line", maintain_order=True)
    nodes = ends.group_by("key", maintain_order=True).agg(pl.col("line").first())
    nodes = nodes.with_row_index("record_id").with_columns(pl.col("record_id").cast(pl.Int64))
    records = nodes.select(
        "record_id", "line", pl.lit("node").alias("role"), "key", pl.col("key").alias("display_name")
    )
    edges = good.filter(~self_loop)
    ids = nodes.select("key", "record_id")
    edges = (
        edges.join(ids.rename({"key": "src", "record_id": "src_record"}), on="src", how="left")
        .join(ids.rename({"key": "dst", "record_id": "dst_record"}), on="dst", how="left")
        .sort("line")
    )
    ts = (pl.col("time") * 1_000_000).cast(pl.Int64).cast(pl.Datetime("us", "UTC"))
    interactions = edges.select(
        "line",
        "src_record",
        "dst_record",
        pl.lit("edge").alias("channel"),
        pl.when(pl.col("time").is_not_null()).then(ts).otherwise(None).alias("at"),
        "weight",
        pl.lit(2, pl.Int32).alias("n_participants"),
    )
    rejects = bad.sort("line").select("line", "reason", pl.col("raw").str.slice(0, EXCERPT_CHARS).alias("excerpt"))
    _refuse_inconsistent(path, data)
    return Parsed(
        records=records.to_arrow(),
        interactions=interactions.to_arrow(),
        rejects=rejects.to_arrow(),
        n_rows=data.height,
        n_skipped=int(n_comment_or_blank) + int(n_loops),
    )


FORMATS = [
    Format("edgelist", "edge list: source target [weight] [unix time] per line (SNAP style)", sniff, read_edgelist),
]
