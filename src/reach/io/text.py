"""Decoding export bytes: BOMs, UTF-16, and the cp1252 fall-back real exports need."""

from __future__ import annotations

import codecs

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


def decode(data: bytes) -> str:
    """Decode a whole file's bytes with :func:`detect_encoding`, never failing.

    cp1252 leaves five bytes undefined; they are decoded as latin-1 so no input byte is lost.
    """
    enc = detect_encoding(data[:65536])
    if enc == "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            enc = "cp1252"
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
