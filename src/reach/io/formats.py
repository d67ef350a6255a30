"""The importer registry and format detection from content.

Every module in ``reach.io`` that defines a ``FORMATS`` list of :class:`reach.io.base.Format` is an
importer; they are discovered here, so adding a format is adding a module.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path

import reach.io
from reach.errors import InputFormatError
from reach.io.base import Format
from reach.io.mail import mbox_framed
from reach.io.text import decode, looks_binary

SNIFF_BYTES = 65536


@cache
def registry() -> dict[str, Format]:
    """All formats, by name, from every ``reach.io`` module with a ``FORMATS`` list."""
    found: dict[str, Format] = {}
    for mod in sorted(pkgutil.iter_modules(reach.io.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"reach.io.{mod.name}")
        for form in getattr(module, "FORMATS", ()):
            found[form.name] = form
    return dict(sorted(found.items()))


def format_names() -> list[str]:
    return list(registry())


def detect_format(path: Path) -> Format:
    """Pick the importer for ``path`` from its content; raise :class:`InputFormatError` if none fits."""
    path = Path(path)
    forms = registry()
    if path.is_dir():
        scored = sorted(((f.sniff("", path), f.name) for f in forms.values() if f.accepts_dirs), reverse=True)
        if scored and scored[0][0] > 0:
            return forms[scored[0][1]]
        msg = f"{path}: a folder reach does not recognise as an export"
        raise InputFormatError(msg)
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror or exc}"
        raise InputFormatError(msg) from exc
    if not head.strip():
        msg = f"{path}: file is empty"
        raise InputFormatError(msg)
    # a mailbox keeps stray NULs in message bodies: its framing, not its bytes, says it is text
    binary = looks_binary(head) and not mbox_framed(head)
    text = "" if binary else decode(head).lstrip("\ufeff")
    scored = sorted(((f.sniff(text, path), f.name) for f in forms.values() if f.binary or not binary), reverse=True)
    if not scored or scored[0][0] <= 0:
        if binary:
            msg = f"{path}: looks like a binary file, not an export reach can read"
        else:
            msg = f"{path}: unrecognised format; pass --format with one of: {', '.join(forms)}"
        raise InputFormatError(msg)
    return forms[scored[0][1]]


def get_format(name: str) -> Format:
    forms = registry()
    try:
        return forms[name]
    except KeyError:
        msg = f"unknown format {name!r}; expected one of: {', '.join(forms)}"
        raise InputFormatError(msg) from None
