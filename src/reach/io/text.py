"""Decoding export bytes: BOMs, UTF-16, and the cp1252 fall-back real exports need."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect_encoding(head: bytes) -> str:
    """Guess the encoding of a file from its first bytes.

    UTF-8 with or without BOM, UTF-16 with BOM (or without, when every other byte is NUL), and
    Windows-1252 when the bytes are not valid UTF-8.
    """
    for bom, name in BOMS:
        if head.startswith(bom):
            return name
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0::2].count(0) > len(head) // 4 and head[1::2].count(0) == 0:
        return "utf-16-be"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if exc.start < len(head) - 3:
            return "cp1252"
    return "utf-8"


# a well-formed UTF-8 multi-byte character (two to four bytes)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_NOTES: ContextVar[list[str] | None] = ContextVar("reach_decode_notes", default=None)
_BAD: ContextVar[list[int] | None] = ContextVar("reach_bad_bytes", default=None)
MAX_LINES_NAMED = 5


def _record_bad_byte(exc: UnicodeError) -> tuple[str, int]:
    """Codecs error handler: replace a malformed sequence by U+FFFD and remember where it was."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = _BAD.get()
    if bad is not None:
        bad.append(exc.start)
    return "\ufffd", exc.end


codecs.register_error("reach-record", _record_bad_byte)


@contextmanager
def collecting_notes() -> Iterator[list[str]]:
    """Collect what decoding had to repair while a file is read (the import shows these notes)."""
    notes: list[str] = []
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def note(message: str) -> None:
    """Record a note for the file being imported (ignored when nobody collects)."""
    notes = _NOTES.get()
    if notes is not None and message not in notes:
        notes.append(message)


def _utf8_with_repairs(data: bytes, skip: int = 0) -> str | None:
    """``data`` as UTF-8 when it is UTF-8 with a few bad bytes, each replaced by U+FFFD and noted with its line.

    A file is taken for UTF-8 with damage, rather than for a legacy code page, when its well-formed multi-byte
    characters are at least as many as its malformed bytes: one stray byte must not turn every correct accented
    name of a UTF-8 export into mojibake. Returns None when the file looks like a legacy code page.
    """
    bad: list[int] = []
    token = _BAD.set(bad)
    try:
        text = data[skip:].decode("utf-8", errors="reach-record")
    finally:
        _BAD.reset(token)
    well_formed = 0
    for _ in _UTF8_MULTIBYTE.finditer(data):
        well_formed += 1
        if well_formed >= len(bad):
            break
    if well_formed < len(bad):
        return None
    lines = [data.count(b"\n", 0, skip + pos) + 1 for pos in bad[:MAX_LINES_NAMED]]
    more = f" and {len(bad) - MAX_LINES_NAMED} more" if len(bad) > MAX_LINES_NAMED else ""
    where = ", ".join(map(str, lines))
    noun = "byte" if len(bad) == 1 else "bytes"
    note(f"{len(bad)} invalid UTF-8 {noun} replaced by U+FFFD (line {where}{more}); the rest of the file is UTF-8")
    return text


def decode(data: bytes) -> str:
    """Decode a whole file's bytes with :func:`detect_encoding`, never failing.

    UTF-8 with a few malformed bytes stays UTF-8 (the bytes are replaced and noted, see
    :func:`collecting_notes`); a file in a legacy code page is read as cp1252, whose five undefined bytes
    are decoded as latin-1 so no input byte is lost.
    """
    enc = detect_encoding(data[:65536])
    if enc in ("utf-8", "utf-8-sig", "cp1252"):
        bom = data.startswith(codecs.BOM_UTF8)
        try:
            return data.decode("utf-8-sig" if bom else "utf-8")
        except UnicodeDecodeError:
            repaired = _utf8_with_repairs(data, skip=3 if bom else 0)
            if repaired is not None:
                return repaired
            enc = "cp1252"
            if bom:
                data = data[3:]
    if enc == "cp1252":
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")
    return data.decode(enc, errors="replace")


def looks_binary(head: bytes) -> bool:
    """True for bytes that are not text in any encoding reach reads (NULs outside UTF-16, control bytes)."""
    enc = detect_encoding(head)
    if enc.startswith("utf-16"):
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head[:4096] if b < 9 or 13 < b < 32)
    return control > max(8, len(head[:4096]) // 100)
