"""Fast, exact CSV reading shared by the contact and CRM importers.

What the importers need from a CSV reader, and what the stdlib ``csv`` module or a plain
``polars.read_csv`` cannot give together:

- **Exact line numbers** of each row's first line, for rejects, even when quoted fields span several
  lines (Google ``Notes``, LinkedIn message ``CONTENT``).
- **Bad rows set aside, not fatal**: a row with too many cells, an unterminated quote, a 50 MB line.
- **Speed**: millions of rows per second on ordinary exports.

How: the file stays as UTF-8 bytes. numpy finds the line breaks; lines containing a quote are checked
by one vectorised RE2 expression (Arrow) that says whether a row starting there ends on the same line,
following the quoting rules of Python's ``csv`` module (a quote opens a quoted field only at a field's
start, ``""`` is an escaped quote, text after a closing quote is literal). Only lines that really open
a multi-line row are followed in Python, line by line, until the quote closes. That gives every row's
first line without a per-row Python loop. pyarrow's CSV parser then splits the cells (in threads on
machines with four cores or more); the rows it reports as invalid (wrong number of cells) are located
by their text and dealt with one by one (a row with fewer cells is kept, padded; one with more,
non-empty cells is rejected). Whenever pyarrow's view and ours disagree the file is read again row by row with the
``csv`` module over our row boundaries, so the result is the same, only slower.

Rows longer than :data:`MAX_ROW_BYTES` or quoted fields left open for more than
:data:`MAX_ROW_LINES` lines are rejected (only their first line; reading resumes on the next one).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from reach.errors import InputFormatError
from reach.io.base import EXCERPT_CHARS, Parsed, owner_record, rejects_table
from reach.io.text import decode, detect_encoding, looks_binary
from reach.schema import INTERACTIONS, RECORDS, TS

MAX_ROW_BYTES = 1 << 20  # a longer row is rejected (a contact row is a few hundred bytes)
MAX_ROW_LINES = 5000  # a quoted field still open after this many lines is taken as unterminated
HEADER_SCAN_LINES = 20
DELIMITERS = (",", ";", "\t")
_CHUNK = 1 << 23
_MAX_TEXT_MATCH = 2_000_000  # candidate rows compared when locating pyarrow's invalid rows
_MAX_INVALID = 20_000  # beyond this many invalid rows, read row by row


Reject = tuple[int | None, str, str | None]


@dataclass
class CsvRows:
    """Rows of one CSV file: selected cells, the line each row starts on, and the rejects so far.

    ``table`` has one ``string`` column per requested header index, named ``c<index>`` (``""``
    for an empty or missing cell); ``line`` (numpy int64) is each row's first line (1-based). Rows are
    in file order. Blank rows (every cell empty or white space) are counted in ``n_skipped``;
    ``n_rows`` counts every other data row, rejected ones included.
    """

    table: pa.Table
    line: np.ndarray
    rejects: list[Reject] = field(default_factory=list)
    n_rows: int = 0
    n_skipped: int = 0
    notes: list[str] = field(default_factory=list)
    label: str = ""
    _data: bytes = b""
    _lines: np.ndarray | None = None  # first line of every non-blank row, ascending
    _starts: np.ndarray | None = None
    _ends: np.ndarray | None = None
    _cells: dict[str, pa.Array] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.line)

    def cell(self, index: int | None) -> pa.Array:
        """Column ``index`` with surrounding white space removed; empty strings when absent.

        The raw column is released once read (memory), so later calls return the cached result.
        """
        name = f"c{index}"
        if name in self._cells:
            return self._cells[name]
        if index is None or name not in self.table.column_names:
            return _repeat("", len(self))
        arr = pc.utf8_trim_whitespace(_combine(self.table.column(name)))
        self._cells[name] = arr
        self.table = self.table.drop_columns([name]) if self.table.num_columns > 1 else self.table
        return arr

    def contains(self, text: str) -> bool:
        """Whether ``text`` occurs anywhere in the file (a cheap test before a column-wide search)."""
        return text.encode("utf-8") in self._data

    def excerpt(self, line: int) -> str | None:
        """The start of the raw row beginning on ``line`` (prefixed with the label), for rejects."""
        if self._lines is None or not len(self._lines):
            return None
        k = int(np.searchsorted(self._lines, line))
        if k >= len(self._lines) or self._lines[k] != line:
            return None
        prefix = f"{self.label}: " if self.label else ""
        return prefix + excerpt(self._data[self._starts[k] : self._ends[k]])

    def skip(self, mask: np.ndarray) -> None:
        """Skip the rows where ``mask`` is true (counted in ``n_skipped``, not in ``n_rows``)."""
        mask = np.asarray(mask, bool)
        if not mask.any():
            return
        keep = pa.array(~mask)
        self.table = self.table.filter(keep)
        self._cells = {k: v.filter(keep) for k, v in self._cells.items()}
        self.line = self.line[~mask]
        self.n_skipped += int(mask.sum())
        self.n_rows -= int(mask.sum())

    def reject(self, mask: np.ndarray, reason: str) -> np.ndarray:
        """Add the rows where ``mask`` is true to the rejects; return the mask of rows kept."""
        mask = np.asarray(mask, bool)
        if mask.any():
            self.rejects.extend((ln, reason, self.excerpt(ln)) for ln in self.line[mask].tolist())
            self.rejects.sort(key=lambda r: r[0] or 0)
        return ~mask


@dataclass
class Header:
    cells: list[str]  # as written, stripped
    line: int  # 1-based line of the header
    offset: int  # byte offset of the first data line
    delimiter: str

    def index(self) -> dict[str, int]:
        """Normalised name -> first index."""
        out: dict[str, int] = {}
        for i, cell in enumerate(self.cells):
            out.setdefault(norm(cell), i)
        return out

    def fields(self, aliases: Mapping[str, str], *, normalise: Callable[[str], str] | None = None) -> dict[str, int]:
        """Field name -> index of the first column whose normalised header ``aliases`` maps to that field."""
        normalise = normalise or norm
        out: dict[str, int] = {}
        for i, cell in enumerate(self.cells):
            name = aliases.get(normalise(cell))
            if name and name not in out:
                out[name] = i
        return out


def norm(cell: str) -> str:
    """A header cell for matching: no BOM, quotes or surrounding spaces, lower case, single spaces."""
    return " ".join(cell.replace("\ufeff", "").strip().strip('"').strip().lower().split())


# ---------------------------------------------------------------------------------------------
# loading


def load_bytes(path: Path, data: bytes | None = None, *, what: str = "CSV file") -> bytes:
    """The file as UTF-8 bytes (a UTF-8 BOM may remain); UTF-16 and cp1252 files are converted.

    Raises :class:`InputFormatError` naming the file when it cannot be read or is binary.
    """
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            msg = f"cannot read {path}: {exc.strerror or exc}"
            raise InputFormatError(msg) from exc
    head = data[:65536]
    if looks_binary(head):
        msg = f"{path}: looks like a binary file, not a {what}"
        raise InputFormatError(msg)
    enc = detect_encoding(head)
    if enc in ("utf-8", "utf-8-sig") and _valid_utf8(data):
        return _old_mac(data)  # the BOM stays: the header line is read past it, and not copying saves time
    # UTF-8 with a few bad bytes stays UTF-8 (each byte replaced and noted); a legacy code page is converted
    text = decode(data)
    return _old_mac(text.lstrip("\ufeff").encode("utf-8", errors="replace"))


def _old_mac(data: bytes) -> bytes:
    """Files from old Mac software end lines with a lone CR: make them LF."""
    head = data[:65536]
    if b"\r" in head and b"\n" not in head:
        return data.replace(b"\r", b"\n")
    return data


def _valid_utf8(data: bytes) -> bool:
    if not data:
        return True
    arr = pa.LargeStringArray.from_buffers(1, pa.py_buffer(np.array([0, len(data)], np.int64)), pa.py_buffer(data))
    try:
        arr.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def decode_head(data: bytes, n: int = 65536) -> str:
    return codecs.decode(data[:n], "utf-8", errors="replace")


# ---------------------------------------------------------------------------------------------
# header


def _split_header(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def guess_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def scan_header(
    text: str, match: Callable[[list[str]], bool], *, max_lines: int = HEADER_SCAN_LINES
) -> tuple[int, list[str], str] | None:
    """Find the header among the first lines of ``text``: ``(line index, cells, delimiter)`` or None.

    ``match`` receives the normalised cells (see :func:`norm`).
    """
    for i, line in enumerate(text.split("\n")[:max_lines]):
        line = line.rstrip("\r").lstrip("\ufeff")
        if not line.strip():
            continue
        delim = guess_delimiter(line)
        cells = _split_header(line, delim)
        if match([norm(c) for c in cells]):
            return i, [c.replace("\ufeff", "").strip() for c in cells], delim
    return None


def find_header(data: bytes, match: Callable[[list[str]], bool], path: Path, *, what: str) -> Header:
    """Locate the header row in ``data`` (UTF-8 bytes) or raise :class:`InputFormatError`."""
    found = scan_header(decode_head(data), match)
    if found is None:
        msg = f"{path}: no {what} header in the first {HEADER_SCAN_LINES} lines"
        raise InputFormatError(msg)
    idx, cells, delim = found
    offset = 0
    for _ in range(idx + 1):
        nxt = data.find(b"\n", offset)
        offset = len(data) if nxt < 0 else nxt + 1
    return Header(cells=cells, line=idx + 1, offset=offset, delimiter=delim)


@dataclass(frozen=True)
class Needs:
    """The columns a reader needs: one column of each group (alternatives, as the export spells them).

    An export trimmed in a spreadsheet still reads when it keeps one column of every group; the
    message for one that does not names the groups it lacks, not a missing header.
    """

    groups: tuple[tuple[str, ...], ...]

    def missing(self, cells: Sequence[str]) -> list[tuple[str, ...]]:
        """The groups none of whose columns is among ``cells`` (normalised, see :func:`norm`)."""
        have = set(cells)
        return [g for g in self.groups if not any(norm(c) in have for c in g)]

    def met(self, cells: list[str]) -> bool:
        return not self.missing(cells)

    def describe(self, groups: Sequence[tuple[str, ...]]) -> str:
        return "; ".join((f"one of {', '.join(repr(c) for c in g)}" if len(g) > 1 else repr(g[0])) for g in groups)


def find_export_header(
    data: bytes, path: Path, *, identify: Callable[[list[str]], bool], needs: Needs, what: str, name: str
) -> Header:
    """The header row of export format ``name``: the line ``identify`` recognises (the export as its
    product writes it, or as trimmed by a user), else the first line holding every column ``needs`` (the
    reader was told the format with ``--format``), unless another importer recognises the file as its own
    export (then the message names that format). When no line fits, the message names the columns missing
    from the line that comes closest (header cells only: a data row's values are never shown).
    """
    text = decode_head(data)
    found = scan_header(text, identify)
    if found is None:
        found = scan_header(text, needs.met)
        if found is not None:
            _refuse_other_export(path, text, name)
    if found is None:
        best: tuple[int, int, list[tuple[str, ...]]] | None = None
        for i, line in enumerate(text.split("\n")[:HEADER_SCAN_LINES]):
            line = line.rstrip("\r").lstrip("\ufeff")
            if not line.strip():
                continue
            cells = [norm(c) for c in _split_header(line, guess_delimiter(line))]
            lacking = needs.missing(cells)
            if best is None or len(lacking) < len(best[2]):
                best = (i, len(lacking), lacking)
        if best is None:
            msg = f"{path}: no {what} header: the file has no lines"
        else:
            msg = (
                f"{path}: line {best[0] + 1}: not a {what} header: it lacks the columns a {what} needs: "
                f"{needs.describe(best[2])}"
            )
        raise InputFormatError(msg)
    idx, cells, delim = found
    offset = 0
    for _ in range(idx + 1):
        nxt = data.find(b"\n", offset)
        offset = len(data) if nxt < 0 else nxt + 1
    return Header(cells=cells, line=idx + 1, offset=offset, delimiter=delim)


def _refuse_other_export(path: Path, text: str, name: str) -> None:
    from reach.io.formats import registry

    forms = registry()
    head = text.lstrip("\ufeff")
    claims = sorted((f.sniff(head, path), f.name) for f in forms.values() if f.name != name and not f.binary)
    if claims and claims[-1][0] >= 0.9:
        other = claims[-1][1]
        msg = (
            f"{path}: not a {forms[name].description if name in forms else name}: the file is {other} "
            f"({forms[other].description}); import it with --format {other} or without --format"
        )
        raise InputFormatError(msg)


# ---------------------------------------------------------------------------------------------
# row boundaries


_ESCAPED = {",": ",", ";": ";", "\t": r"\t", "|": r"\|"}


def _esc(d: str) -> str:
    return _ESCAPED.get(d) or re.escape(d)


def _field_re(d: str) -> str:
    d = _esc(d)
    return rf'"(?:[^"]|"")*"(?:[^{d}"\n][^{d}\n]*)?|[^{d}"\n][^{d}\n]*|'


def _line_regex(d: str) -> str:
    r"""RE2: a whole line (with its ``\r\n``) holding complete cells only, i.e. no quote left open."""
    f = _field_re(d)
    return rf"^(?:(?:{f}){_esc(d)})*(?:{f})\n?$"


def _close_regexes(d: str) -> tuple[re.Pattern, re.Pattern]:
    f = _field_re(d).encode()
    de = _esc(d).encode()
    close = re.compile(rb'(?:[^"]|"")*"(?!")')
    rest = re.compile(rb"[^" + de + rb"]*(?:" + de + rb"(?:" + f + rb"))*")
    return close, rest


def _newlines(buf: np.ndarray) -> np.ndarray:
    parts = [np.flatnonzero(buf[i : i + _CHUNK] == 10) + i for i in range(0, len(buf), _CHUNK)]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


@dataclass
class _Rows:
    start: np.ndarray  # byte offset of each row's first character
    end: np.ndarray  # byte offset after its last character (line terminator excluded)
    line: np.ndarray  # 0-based index of its first line
    multiline: bool
    bad: list[tuple[int, int, str]]  # (line index, byte offset, reason) of rejected lines
    n_blank: int  # empty lines skipped


def _row_bounds(data: bytes, offset: int, delimiter: str) -> _Rows:
    """Row boundaries of ``data[offset:]``; offsets in the result are absolute, line indices relative."""
    n = len(data)
    buf = np.frombuffer(data, np.uint8)[offset:]
    nl = _newlines(buf).astype(np.int64) + offset
    starts = np.concatenate([np.array([offset], np.int64), nl + 1])
    if starts[-1] >= n:
        starts = starts[:-1]
    n_lines = len(starts)
    ends = np.concatenate([nl, np.array([n], np.int64)])[:n_lines]
    if n_lines:
        full = np.frombuffer(data, np.uint8)
        cr = (ends > starts) & (full[np.maximum(ends - 1, 0)] == 13)
        ends = ends - cr
    lengths = ends - starts
    giant = lengths > MAX_ROW_BYTES
    has_q = np.zeros(n_lines, bool)
    problem = giant.copy()
    n_quotes = data.count(b'"', offset) if n_lines else 0
    if n_quotes:
        offsets = np.concatenate([starts, np.array([n], np.int64)])
        lines = pa.LargeStringArray.from_buffers(n_lines, pa.py_buffer(offsets), pa.py_buffer(data))
        if n_quotes <= 4 * n_lines:  # few quotes: find their lines with numpy
            quotes = np.concatenate(
                [np.flatnonzero(buf[i : i + _CHUNK] == 34) + (i + offset) for i in range(0, len(buf), _CHUNK)]
            )
            has_q[np.searchsorted(starts, quotes, side="right") - 1] = True
        else:  # quotes everywhere (desktop Outlook quotes every field)
            has_q = np_bool(pc.match_substring(lines, '"'))
        cand = np.flatnonzero(has_q & ~giant)
        if len(cand):
            sub = lines if len(cand) == n_lines else lines.take(pa.array(cand))
            ok = np_bool(pc.match_substring_regex(sub, _line_regex(delimiter)))
            problem[cand[~ok]] = True
    bad: list[tuple[int, int, str]] = []
    if not problem.any():
        nonblank = lengths > 0
        return _Rows(
            starts[nonblank], ends[nonblank], np.flatnonzero(nonblank), False, bad, int(n_lines - nonblank.sum())
        )
    # follow the rare rows that open a quoted field across lines
    is_start = np.ones(n_lines, bool)
    close_re, rest_re = _close_regexes(delimiter)
    covered = -1
    multiline = False
    for i in np.flatnonzero(problem).tolist():
        if i <= covered:
            continue
        if giant[i]:
            bad.append((i, int(starts[i]), f"row is longer than {MAX_ROW_BYTES} bytes"))
            is_start[i] = False
            continue
        size = int(lengths[i])
        j = i + 1
        closed = False
        while j < n_lines and j - i < MAX_ROW_LINES:
            size += int(lengths[j]) + 1
            if size > MAX_ROW_BYTES:
                break
            if has_q[j]:
                closed = _closes(data[starts[j] : ends[j]], close_re, rest_re)
                if closed:
                    break
            j += 1
        if closed:
            is_start[i + 1 : j + 1] = False
            covered = j
            multiline = True
        else:
            bad.append((i, int(starts[i]), "unterminated quoted field"))
            is_start[i] = False
    bad_mask = _mask(n_lines, [b[0] for b in bad])
    boundary = np.flatnonzero(is_start | bad_mask)
    first = np.flatnonzero(is_start)
    # a row runs until the line before the next boundary (row start or rejected line)
    pos = np.searchsorted(boundary, first, side="right")
    last = np.where(pos < len(boundary), boundary[np.minimum(pos, len(boundary) - 1)] - 1, n_lines - 1)
    row_start, row_end = starts[first], ends[last]
    nonblank = row_end > row_start
    return _Rows(row_start[nonblank], row_end[nonblank], first[nonblank], multiline, bad, int((~nonblank).sum()))


def _closes(text: bytes, close_re: re.Pattern, rest_re: re.Pattern) -> bool:
    """Whether a line that starts inside a quoted field ends with every quoted field closed."""
    m = close_re.match(text)
    while m is not None:
        rest = rest_re.match(text, m.end())
        if rest is not None and rest.end() == len(text):
            return True
        # the rest of the line opens another quoted field: find where that one closes
        nxt = text.find(b'"', rest.end() if rest is not None else m.end())
        m = close_re.match(text, nxt + 1) if nxt >= 0 else None
    return False


def _mask(n: int, idx: list[int]) -> np.ndarray:
    m = np.zeros(n, bool)
    if idx:
        m[np.array(idx, np.int64)] = True
    return m


# ---------------------------------------------------------------------------------------------
# cells


def excerpt(raw: bytes) -> str:
    return codecs.decode(raw[: EXCERPT_CHARS * 4], "utf-8", errors="replace")[:EXCERPT_CHARS]


_BLANK = re.compile(rb'[ \t\r\n,;"]*')


def _is_blank(raw: bytes, delimiter: str) -> bool:
    """True when every cell of the row is empty or white space."""
    if _BLANK.fullmatch(raw) is None:
        return False
    cells = _parse_one(raw, delimiter)
    return cells is not None and not any(c.strip(" \t\r\n") for c in cells)


def read_rows(data: bytes, header: Header, wanted: Sequence[int], *, label: str = "") -> CsvRows:
    """Parse the data rows after ``header`` in ``data`` (UTF-8 bytes), keeping columns ``wanted``.

    ``label`` prefixes reject excerpts (a ZIP member's name).
    """
    ncols = len(header.cells)
    wanted = sorted({i for i in wanted if 0 <= i < ncols})
    first_line = header.line + 1
    prefix = f"{label}: " if label else ""
    rows = _row_bounds(data, header.offset, header.delimiter)
    rejects: list[Reject] = []
    for i, start, reason in rows.bad:
        raw = data[start : start + 4 * EXCERPT_CHARS].split(b"\n")[0]
        rejects.append((first_line + i, reason, prefix + excerpt(raw)))
    result = None
    if len(rows.start):
        try:
            result = _fast_cells(data, rows, header, ncols, wanted, first_line, prefix)
        except (pa.ArrowException, ValueError, OverflowError):
            result = None
        if result is None:
            result = _slow_cells(data, rows, header, ncols, wanted, first_line, prefix)
    else:
        result = (_empty_table(wanted), np.zeros(0, np.int64), [], 0)
    table, lines, more_rejects, n_blank = result
    rejects.extend(more_rejects)
    rejects.sort(key=lambda r: r[0] or 0)
    n_rows = len(rows.start) - n_blank + len(rows.bad)
    return CsvRows(
        table=table,
        line=lines,
        rejects=rejects,
        n_rows=n_rows,
        n_skipped=n_blank + rows.n_blank,
        label=label,
        _data=data,
        _lines=first_line + rows.line,
        _starts=rows.start,
        _ends=rows.end,
    )


def _empty_table(wanted: Sequence[int]) -> pa.Table:
    return pa.table({f"c{i}": pa.array([], pa.string()) for i in wanted})


def _names(ncols: int) -> list[str]:
    return [f"c{i}" for i in range(ncols)]


def _fast_cells(data: bytes, rows: _Rows, header: Header, ncols: int, wanted: list[int], first_line: int, prefix: str):
    """Pyarrow's parser over the row bytes; None when its rows cannot be matched to ours.

    Threads only pay on machines with cores to spare: on two cores the single-threaded parser is as
    fast and needs less memory. A file whose rows are mostly invalid goes to the row-by-row path.
    """
    if rows.bad:
        # leave the rejected lines out so that pyarrow never sees them
        joined = b"\n".join([data[s:e] for s, e in zip(rows.start.tolist(), rows.end.tolist(), strict=True)])
        source = io.BytesIO(joined)
    else:
        source = pa.BufferReader(pa.py_buffer(data).slice(int(rows.start[0])))
    names = _names(ncols)
    invalid: list[tuple[int, str]] = []

    def handler(row) -> str:
        invalid.append((row.actual_columns, row.text))
        return "skip" if len(invalid) <= _MAX_INVALID else "error"

    max_len = int((rows.end - rows.start).max())
    block = max(1 << 20, 1 << int(2 * max_len + 64).bit_length())
    keep = [names[i] for i in wanted] or [names[0]]
    table = pacsv.read_csv(
        source,
        read_options=pacsv.ReadOptions(
            column_names=names, block_size=block, use_threads=(os.cpu_count() or 1) >= 4 and len(data) > (32 << 20)
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=header.delimiter,
            newlines_in_values=rows.multiline,
            ignore_empty_lines=True,
            invalid_row_handler=handler,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in keep},
            include_columns=keep,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    n = len(rows.start)
    valid = np.ones(n, bool)
    side: list[tuple[int, list[str]]] = []
    rejects: list[Reject] = []
    n_blank = 0
    if invalid:
        lengths = rows.end - rows.start
        by_len: dict[int, set[bytes]] = {}
        for _, text in invalid:
            raw = text.encode("utf-8")
            by_len.setdefault(len(raw), set()).add(raw)
        budget = _MAX_TEXT_MATCH
        found: list[int] = []
        for length, texts in by_len.items():
            cand = np.flatnonzero(lengths == length)
            budget -= len(cand)
            if budget < 0:
                return None
            for k, s in zip(cand.tolist(), rows.start[cand].tolist(), strict=True):
                if data[s : s + length] in texts:
                    found.append(k)
        if len(found) != len(invalid):
            return None
        valid[found] = False
        for k in sorted(found):
            raw = data[rows.start[k] : rows.end[k]]
            line = first_line + int(rows.line[k])
            cells = _parse_one(raw, header.delimiter)
            if cells is not None and not any(c.strip(" \t\r\n") for c in cells):
                n_blank += 1
                continue
            problem = _row_problem(cells, ncols)
            if problem:
                rejects.append((line, problem, prefix + excerpt(raw)))
                continue
            side.append((line, cells))
    if table.num_rows != int(valid.sum()):
        return None
    lines = first_line + rows.line[valid]
    table = table.select([names[i] for i in wanted])
    if side:
        extra = pa.table(
            {names[i]: pa.array([c[i] if i < len(c) else "" for _, c in side], pa.string()) for i in wanted}
        )
        table = pa.concat_tables([table, extra]) if wanted else table
        lines = np.concatenate([lines, np.array([ln for ln, _ in side], np.int64)])
        order = np.argsort(lines, kind="stable")
        table = table.take(pa.array(order)) if wanted else table
        lines = lines[order]
    table, lines, blank2 = _drop_blank(table, lines, data, rows, first_line, header.delimiter, wanted)
    return table, lines, rejects, n_blank + blank2


def _row_problem(cells: list[str] | None, ncols: int) -> str | None:
    if cells is None:
        return "malformed CSV row"
    if len(cells) > ncols and any(c.strip() for c in cells[ncols:]):
        return f"row has {len(cells)} columns, the header has {ncols}"
    return None


def _drop_blank(
    table: pa.Table, lines: np.ndarray, data: bytes, rows: _Rows, first_line: int, delimiter: str, wanted: list[int]
) -> tuple[pa.Table, np.ndarray, int]:
    """Drop rows whose every cell is empty or white space (the raw text decides)."""
    if not wanted or table.num_rows == 0:
        return table, lines, 0
    # cheap first pass: rows whose kept cells are all empty or white space, narrowing column by column
    cand = None
    for i in wanted:
        col = table.column(f"c{i}")
        col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        if cand is not None:
            col = col.take(pa.array(cand))
        m = pc.or_(pc.equal(pc.binary_length(col), 0), pc.utf8_is_space(col)).fill_null(True)
        m = np_bool(m)
        cand = np.flatnonzero(m) if cand is None else cand[m]
        if not len(cand):
            return table, lines, 0
    row_lines = first_line + rows.line
    drop = []
    for idx in cand.tolist():
        k = int(np.searchsorted(row_lines, lines[idx]))
        if _is_blank(data[rows.start[k] : rows.end[k]], delimiter):
            drop.append(idx)
    if not drop:
        return table, lines, 0
    keep = np.ones(table.num_rows, bool)
    keep[drop] = False
    return drop_rows(table, np.array(drop, np.int64)), lines[keep], len(drop)


def drop_rows(table: pa.Table, drop: np.ndarray) -> pa.Table:
    """``table`` without the rows at ``drop`` (sorted); a few rows are cut out with zero-copy slices."""
    if not len(drop):
        return table
    if len(drop) > 10_000:
        keep = np.ones(table.num_rows, bool)
        keep[drop] = False
        return table.filter(pa.array(keep))
    pieces, start = [], 0
    for k in drop.tolist():
        if k > start:
            pieces.append(table.slice(start, k - start))
        start = k + 1
    if start < table.num_rows:
        pieces.append(table.slice(start))
    return pa.concat_tables(pieces) if pieces else table.slice(0, 0)


def _parse_one(raw: bytes, delimiter: str) -> list[str] | None:
    text = codecs.decode(raw, "utf-8", errors="replace")
    try:
        rd = csv.reader([text], delimiter=delimiter)
        cells = next(rd, [])
        if next(rd, None) is not None:
            return None
    except csv.Error:
        return None
    return cells


def _slow_cells(data: bytes, rows: _Rows, header: Header, ncols: int, wanted: list[int], first_line: int, prefix: str):
    """Row by row with the csv module, over our row boundaries (used when pyarrow disagrees)."""
    cols: dict[int, list[str]] = {i: [] for i in wanted}
    lines: list[int] = []
    rejects: list[Reject] = []
    n_blank = 0
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, MAX_ROW_BYTES * 4))
    try:
        for s, e, ln in zip(rows.start.tolist(), rows.end.tolist(), rows.line.tolist(), strict=True):
            raw = data[s:e]
            line = first_line + ln
            cells = _parse_one(raw, header.delimiter)
            if cells is not None and not any(c.strip(" \t\r\n") for c in cells):
                n_blank += 1
                continue
            problem = _row_problem(cells, ncols)
            if problem:
                rejects.append((line, problem, prefix + excerpt(raw)))
                continue
            for i in wanted:
                cols[i].append(cells[i] if i < len(cells) else "")
            lines.append(line)
    finally:
        csv.field_size_limit(old_limit)
    table = pa.table({f"c{i}": pa.array(v, pa.string()) for i, v in cols.items()})
    return table, np.array(lines, np.int64), rejects, n_blank


# ---------------------------------------------------------------------------------------------
# column helpers for importers (Arrow arrays, no per-row Python)


def _may_contain(arr: pa.Array, text: str) -> bool:
    """A cheap test on the raw data buffer: False means no value of ``arr`` contains ``text``."""
    bufs = arr.buffers()
    return len(bufs) < 3 or bufs[2] is None or text.encode() in bufs[2].to_pybytes()


def np_bool(arr) -> np.ndarray:
    """A boolean Arrow array as numpy (nulls as False), without pyarrow's pandas-based conversion."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.null_count:
        arr = arr.fill_null(False)
    if len(arr) == 0:
        return np.zeros(0, bool)
    return pc.cast(arr, pa.uint8()).to_numpy(zero_copy_only=True).astype(bool)


def _combine(arr):
    if not isinstance(arr, pa.ChunkedArray):
        return arr
    try:
        return arr.combine_chunks()
    except (pa.ArrowInvalid, OverflowError):  # more than 2 GiB of text in one column
        return pa.chunked_array([c.cast(pa.large_string()) for c in arr.chunks]).combine_chunks()


def _repeat(value: str, n: int) -> pa.Array:
    """A string array of ``n`` times ``value``, without a Python list of n items."""
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([value], pa.string())).cast(
        pa.string()
    )


def nz(arr: pa.Array) -> pa.Array:
    """``arr`` (strings) with empty strings turned into nulls (a new validity bitmap, data shared)."""
    arr = _combine(arr)
    if len(arr) == 0:
        return arr
    valid = np_bool(pc.greater(pc.binary_length(arr), 0))
    if valid.all():
        return arr
    if arr.offset:
        valid = np.concatenate([np.zeros(arr.offset, bool), valid])
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    bufs = arr.buffers()
    return pa.Array.from_buffers(
        arr.type,
        len(arr),
        [bitmap, bufs[1], bufs[2]],
        null_count=int(len(arr) - valid[arr.offset :].sum()),
        offset=arr.offset,
    )


def fix_mojibake(arr: pa.Array) -> pa.Array:
    """Repair UTF-8 text that was decoded as Latin-1 once (``Ã©`` -> ``é``), as LinkedIn names can be."""
    arr = _combine(arr)
    if not len(arr):
        return arr
    cand = np.flatnonzero(np_bool(pc.match_substring_regex(arr, "[\u00c2\u00c3\u00c5][\u0080-\u00bf]")))
    if not len(cand):
        return arr
    fixed = []
    for value in arr.take(pa.array(cand)).to_pylist():
        for enc in ("cp1252", "latin-1"):
            try:
                value = value.encode(enc).decode("utf-8")
                break
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
        fixed.append(value)
    mask = np.zeros(len(arr), bool)
    mask[cand] = True
    return pc.replace_with_mask(arr, pa.array(mask), pa.array(fixed, arr.type))


def first_of(*arrays: pa.Array) -> pa.Array:
    """Per row, the first non-empty value (null when all are empty)."""
    arrays = [nz(a) for a in arrays]
    useful = [a for a in arrays if a.null_count < len(a)] or arrays[:1]
    if len(useful) > 1 and useful[0].null_count == 0:
        useful = useful[:1]
    return useful[0] if len(useful) == 1 else pc.coalesce(*useful)


def join(*arrays: pa.Array, sep: str = " ") -> pa.Array:
    """Per row, the non-empty values joined with ``sep`` (null when all are empty)."""
    arrays = [nz(a) for a in arrays]
    arrays = [a for a in arrays if a.null_count < len(a)] or arrays[:1]
    typ = pa.large_string() if any(a.type == pa.large_string() for a in arrays) else pa.string()
    arrays = [a.cast(typ) for a in arrays]
    out = arrays[0]
    sep_scalar = pa.scalar(sep, typ)
    for nxt in arrays[1:]:
        # (pyarrow's null_handling="skip" drops rows whose values are all null, so pair by pair)
        both = pc.binary_join_element_wise(out, nxt, sep_scalar, null_handling="emit_null")
        out = pc.coalesce(both, out, nxt)
    return out


def looks_email(arr: pa.Array) -> np.ndarray:
    """True where the value is a bare address (``x@y``, no spaces)."""
    out = np.zeros(len(arr), bool)
    if len(arr) == 0:
        return out
    cand = np.flatnonzero(np_bool(pc.match_substring(arr, "@")))
    if len(cand):
        sub = _combine(arr).take(pa.array(cand))
        out[cand] = np_bool(pc.match_substring_regex(sub, r"^[^\s@]+@[^\s@]+$"))
    return out


def where(mask: np.ndarray, a: pa.Array, b: pa.Array | None = None) -> pa.Array:
    """``a`` where ``mask``, else ``b`` (null when b is None)."""
    mask = np.asarray(mask, bool)
    if b is None:
        b = pa.nulls(len(a), a.type)
    if not mask.any():
        return b
    if mask.all():
        return a
    return pc.if_else(pa.array(mask), a, b.cast(a.type))


_KEEP = {
    "email": lambda v: pc.match_substring(v, "@"),
    "linkedin": lambda v: pc.match_substring(v, "linkedin.com/", ignore_case=True),
}


def multi(arrays: Sequence[pa.Array], *, split: str | None = None, keep: str | None = None) -> pa.Array:
    """Per row, the list of non-empty values of ``arrays`` (each split on ``split`` when given), trimmed,
    duplicates in a row dropped, order kept; null where the list would be empty.

    ``keep`` filters the values: ``"email"`` (contains ``@``) or ``"linkedin"`` (on linkedin.com).
    """
    n = len(arrays[0]) if arrays else 0
    vals: list[pa.Array] = []
    parents: list[np.ndarray] = []
    for arr in arrays:
        arr = _combine(arr)
        if (
            split is not None
            and len(arr)
            and _may_contain(arr, split)
            and pc.any(pc.match_substring(arr, split)).as_py()
        ):
            lst = pc.split_pattern(arr, split)
            values = pc.utf8_trim_whitespace(pc.list_flatten(lst))
            parent = pc.list_parent_indices(lst).to_numpy().astype(np.int64)
        else:
            values = arr  # cells from CsvRows.cell are already trimmed
            parent = None
        ok_np = np_bool(pc.greater(pc.binary_length(values), 0))
        idx = np.flatnonzero(ok_np) if parent is None else parent[ok_np]
        values = values.filter(pa.array(ok_np))
        if keep and len(values):
            ok_np = np_bool(_KEEP[keep](values))
            if not ok_np.all():
                values, idx = values.filter(pa.array(ok_np)), idx[ok_np]
        vals.append(values.cast(pa.string()))
        parents.append(idx)
    if not vals:
        return pa.nulls(n, pa.list_(pa.string()))
    values = pa.concat_arrays(vals) if len(vals) > 1 else vals[0]
    parent = np.concatenate(parents) if len(parents) > 1 else parents[0]
    if len(parents) > 1:
        order = np.argsort(parent, kind="stable")  # merging sorted runs: cheap
        values, parent = values.take(pa.array(order)), parent[order]
    return _to_list(values, parent, n)


def first_value(arrays: Sequence[pa.Array], *, split: str | None = None, keep: str | None = None) -> pa.Array:
    """Per row, the first value :func:`multi` would list (null when none)."""
    lst = multi(arrays, split=split, keep=keep)
    offsets = lst.offsets.to_numpy()
    counts = np.diff(offsets)
    if len(lst.values) == 0:
        return pa.nulls(len(lst), pa.string())
    out = lst.values.take(pa.array(np.where(counts > 0, offsets[:-1], 0)))
    return where(counts > 0, out)


def _to_list(values: pa.Array, parent: np.ndarray, n: int) -> pa.Array:
    """A list array of ``n`` rows from values and their (ascending) row numbers; null where empty."""
    if len(parent) > 1:
        # drop a value repeated within its row (the same address in two columns)
        dup = np.zeros(len(parent), bool)
        same_row = parent[1:] == parent[:-1]
        if same_row.any():
            pairs = np.flatnonzero(same_row)
            equal = np_bool(pc.equal(values.take(pa.array(pairs)), values.take(pa.array(pairs + 1))))
            dup[pairs[equal] + 1] = True
            per_row = np.bincount(parent, minlength=n)
            big = np.flatnonzero(per_row[parent] >= 3)  # rows of 3+ values may repeat a value further apart
            if len(big):
                frame = pl.DataFrame({"p": parent[big], "v": pl.from_arrow(values.take(pa.array(big)))})
                first = frame.select(pl.struct("p", "v").is_first_distinct()).to_series().to_numpy()
                dup[big[~first]] = True
        if dup.any():
            values, parent = values.filter(pa.array(~dup)), parent[~dup]
    counts = np.bincount(parent, minlength=n) if len(parent) else np.zeros(n, np.int64)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(counts, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), values.cast(pa.string()), mask=pa.array(counts == 0))


# ---------------------------------------------------------------------------------------------
# building the result


CONTACT_COLUMNS = [
    "display_name",
    "first_name",
    "last_name",
    "company",
    "title",
    "location",
    "emails",
    "phones",
    "linkedin_url",
]
_REC_FIELDS = [f for f in RECORDS if f.name != "source_id"]
REC_SCHEMA = pa.schema(_REC_FIELDS)
INTER_SCHEMA = pa.schema([f for f in INTERACTIONS if f.name != "source_id"])


def to_records(
    columns: dict[str, pa.Array], n: int, *, role: str, first_id: int, line: np.ndarray | None = None
) -> pa.Table:
    """Records from Arrow ``columns`` (any RECORDS columns); record ids count from ``first_id``."""
    cols: dict[str, pa.Array] = {}
    for fld in _REC_FIELDS:
        if fld.name == "record_id":
            cols["record_id"] = pa.array(np.arange(first_id, first_id + n, dtype=np.int64))
        elif fld.name == "role":
            cols["role"] = _repeat(role, n)
        elif fld.name == "line" and line is not None:
            cols["line"] = pa.array(np.asarray(line, np.int64))
        elif fld.name in columns and columns[fld.name] is not None:
            col = columns[fld.name]
            col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
            cols[fld.name] = col.cast(fld.type)
        else:
            cols[fld.name] = pa.nulls(n, fld.type)
    return pa.Table.from_arrays([cols[f.name] for f in _REC_FIELDS], schema=REC_SCHEMA)


def owner_table(owner: str, **extra) -> pa.Table:
    rec = owner_record(owner)
    rec.update({k: v for k, v in extra.items() if v})
    return pa.Table.from_pylist([rec], schema=REC_SCHEMA)


def interactions_table(line, src, dst, channel, at=None, n_participants=None, weight=None, event_key=None) -> pa.Table:
    """Interactions from numpy or Arrow arrays; a scalar (or None for ``at``, ``event_key``) is repeated."""
    n = len(line)

    def arr(value, typ):
        if value is None:
            return pa.nulls(n, typ)
        if isinstance(value, str):
            return _repeat(value, n)
        if isinstance(value, (int, float)):
            return pa.array(np.full(n, value), typ)
        if isinstance(value, pa.ChunkedArray):
            value = value.combine_chunks()
        if isinstance(value, pa.Array):
            return value.cast(typ)
        return pa.array(np.asarray(value), typ)

    cols = [
        arr(line, pa.int64()),
        arr(src, pa.int64()),
        arr(dst, pa.int64()),
        arr(channel, pa.string()),
        arr(at, TS),
        arr(1.0 if weight is None else weight, pa.float64()),
        arr(2 if n_participants is None else n_participants, pa.int32()),
        arr(event_key, pa.string()),
    ]
    return pa.Table.from_arrays(cols, schema=INTER_SCHEMA)


def empty_interactions() -> pa.Table:
    return INTER_SCHEMA.empty_table()


def _take(col, keep: np.ndarray):
    if col is None:
        return None
    return col.filter(pa.array(keep))


def contacts_parsed(
    rows: CsvRows,
    columns: dict[str, pa.Array],
    owner: str | None,
    *,
    channel: str = "contact",
    at: pa.Array | None = None,
    notes: list[str] | None = None,
    owner_extra: dict | None = None,
) -> Parsed:
    """The usual address-book result from ``columns`` (aligned with ``rows``; any of
    :data:`CONTACT_COLUMNS`): one ``contact`` record per row, and with an ``owner`` a record 0 for
    the owner plus an owner -> contact interaction per row (``channel``, at ``at`` when given).

    Rows without a name, email, phone or LinkedIn URL are rejected first.
    """
    n = len(rows)
    ident = np.zeros(n, bool)
    for name in ("display_name", "first_name", "last_name", "emails", "phones", "linkedin_url"):
        col = columns.get(name)
        if col is not None and n:
            ident |= np_bool(pc.is_valid(col))
    keep = rows.reject(~ident, "row has no name, email, phone or profile URL")
    lines = rows.line
    if not keep.all():
        columns = {k: _take(v, keep) for k, v in columns.items()}
        at = _take(at, keep)
        lines = lines[keep]
    m = len(lines)
    first_id = 1 if owner else 0
    records = to_records(columns, m, role="contact", first_id=first_id, line=lines)
    if owner:
        records = pa.concat_tables([owner_table(owner, **(owner_extra or {})), records])
        inter = interactions_table(
            lines, np.zeros(m, np.int64), np.arange(first_id, first_id + m, dtype=np.int64), channel, at=at
        )
    else:
        inter = empty_interactions()
    return Parsed(
        records=records,
        interactions=inter,
        rejects=rejects_table(rows.rejects),
        n_rows=rows.n_rows,
        n_skipped=rows.n_skipped,
        notes=(notes or []) + rows.notes,
    )
