"""The importer registry and format detection from content."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reach.errors import InputFormatError
from reach.io import edgelist, linkedin
from reach.io.base import Parsed
from reach.io.text import decode, looks_binary

SNIFF_BYTES = 65536


@dataclass(frozen=True)
class Format:
    """One importer: its name, a content sniffer scoring 0..1, and its reader."""

    name: str
    description: str
    sniff: Callable[[str], float]
    read: Callable[..., Parsed]
    needs_owner: bool = False


FORMATS: dict[str, Format] = {
    f.name: f
    for f in [
        Format("linkedin-connections", "LinkedIn data export Connections.csv", linkedin.sniff,
               linkedin.read_connections, needs_owner=True),
        Format("edgelist", "edge list: source target [weight] [unix time] per line (SNAP style)",
               edgelist.sniff, edgelist.read_edgelist),
    ]
}


def format_names() -> list[str]:
    return list(FORMATS)


def detect_format(path: Path) -> Format:
    """Pick the importer for ``path`` from its content; raise :class:`InputFormatError` if none fits."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise InputFormatError(msg) from exc
    if not head.strip():
        msg = f"{path}: file is empty"
        raise InputFormatError(msg)
    if looks_binary(head):
        msg = f"{path}: looks like a binary file, not an export reach can read"
        raise InputFormatError(msg)
    text = decode(head).lstrip("\ufeff")
    scored = sorted(((f.sniff(text), f.name) for f in FORMATS.values()), reverse=True)
    score, name = scored[0]
    if score <= 0:
        msg = (
            f"{path}: unrecognised format; pass --format with one of: {', '.join(FORMATS)}"
        )
        raise InputFormatError(msg)
    return FORMATS[name]


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        msg = f"unknown format {name!r}; expected one of: {', '.join(FORMATS)}"
        raise InputFormatError(msg) from None
