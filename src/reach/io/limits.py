"""Resource limits for reading exports: how much one ZIP member may decompress to, and at what ratio.

A real export's members are text that deflate shrinks three to twenty times; a member that claims to grow a
hundred times or more, or to more than :data:`MAX_MEMBER_BYTES`, is refused before a byte is decompressed
(a "zip bomb" would otherwise take the machine's memory, or abort the process natively). The limits can be
raised for a genuinely huge export with the environment variables ``REACH_MAX_MEMBER_MB`` and
``REACH_MAX_ZIP_RATIO``.
"""

from __future__ import annotations

import os
import zipfile
import zlib

from reach.errors import InputFormatError

MAX_MEMBER_BYTES = 512 << 20  # one decompressed ZIP member
MAX_RATIO = 100  # decompressed / compressed, for members above RATIO_FLOOR
RATIO_FLOOR = 4 << 20  # small members may compress as well as they like
CHUNK = 1 << 20


def max_member_bytes() -> int:
    """The cap on one decompressed member, from ``REACH_MAX_MEMBER_MB`` when set."""
    value = os.environ.get("REACH_MAX_MEMBER_MB", "").strip()
    return int(float(value) * (1 << 20)) if value else MAX_MEMBER_BYTES


def max_ratio() -> float:
    value = os.environ.get("REACH_MAX_ZIP_RATIO", "").strip()
    return float(value) if value else MAX_RATIO


def check_member(info: zipfile.ZipInfo, label: str) -> None:
    """Refuse a member whose declared size or compression ratio is beyond the limits."""
    limit = max_member_bytes()
    if info.file_size > limit:
        msg = (
            f"{label}: {info.filename} decompresses to {info.file_size >> 20} MiB, more than the {limit >> 20} MiB "
            "reach reads from one ZIP member (set REACH_MAX_MEMBER_MB to allow it)"
        )
        raise InputFormatError(msg)
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > RATIO_FLOOR and ratio > max_ratio():
        msg = (
            f"{label}: {info.filename} would grow {ratio:.0f} times when decompressed, far beyond what an "
            f"export's text compresses to (limit {max_ratio():.0f}): refused as a possible zip bomb "
            "(set REACH_MAX_ZIP_RATIO to allow it)"
        )
        raise InputFormatError(msg)


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo | str, label: str, *, limit: int | None = None) -> bytes:
    """One member's bytes, checked against the limits and read in chunks (a lying header cannot overrun).

    ``limit`` reads at most that many bytes (a sniffer's head) without the size checks.
    """
    if isinstance(info, str):
        info = zf.getinfo(info)
    if limit is None:
        check_member(info, label)
    cap = limit if limit is not None else max_member_bytes()
    parts: list[bytes] = []
    total = 0
    try:
        with zf.open(info) as fh:
            while total <= cap:
                chunk = fh.read(min(CHUNK, cap + 1 - total))
                if not chunk:
                    break
                parts.append(chunk)
                total += len(chunk)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        NotImplementedError,
        RuntimeError,
        ValueError,
        zlib.error,
    ) as exc:
        msg = f"{label}: cannot read {info.filename} from the ZIP: {exc}"
        raise InputFormatError(msg) from exc
    data = b"".join(parts)
    if limit is not None:
        return data[:limit]
    if len(data) > cap:
        msg = f"{label}: {info.filename} holds more than its declared size allows (over {cap >> 20} MiB): refused"
        raise InputFormatError(msg)
    return data
