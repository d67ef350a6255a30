"""Hostile inputs stop at the door: ZIP bombs, stray bytes in UTF-8 exports, NUL bytes in mailboxes.

Every bomb is built here in a temporary folder (never committed). The oracle for decoding is the standard
library's own UTF-8 and cp1252 codecs.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reach.imports import import_paths
from reach.io.text import collecting_notes, decode

MiB = 1 << 20


FILLER = {  # what each bomb repeats: the start of a real member of that format, so detection takes it as one
    "_chat.txt": b"[01/02/2024, 10:00:00] Ana: hello\n",
    "Connections.csv": (
        b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\nAna,Lee,,,,,01 Jan 2024\n"
    ),
}


def _zip_with(path: Path, members: dict[str, bytes | int]) -> Path:
    """A ZIP whose members are given bytes, or (for an int) that many bytes of the format's filler streamed in."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, content in members.items():
            if isinstance(content, bytes):
                zf.writestr(name, content)
                continue
            with zf.open(name, "w", force_zip64=True) as fh:
                filler = FILLER.get(name, b"0")
                block = (filler * (MiB // len(filler) + 1))[:MiB]
                fh.write(filler)
                for _ in range(content // MiB):
                    fh.write(block)
    return path


def _import_in_child(ws: Path, target: Path, *extra: str, env: dict[str, str] | None = None) -> dict:
    """Run one import in a fresh interpreter; its wall time, peak RSS and summary."""
    code = textwrap.dedent(
        f"""
        import json, time
        def hwm_kb():  # this process's own peak RSS (ru_maxrss would include the forking parent's)
            for line in open("/proc/self/status"):
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
            return 0
        from reach.imports import import_paths
        t = time.process_time()  # CPU seconds: a shared CI machine must not make it flaky
        s = import_paths({str(ws)!r}, [{str(target)!r}], owner={extra[0] if extra else None!r})
        f = s.files[0]
        print(json.dumps({{"status": f.status, "error": f.error, "seconds": time.process_time() - t,
                           "n_rejects": f.n_rejects,
                           "rss_mb": hwm_kb() / 1024}}))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


BOMBS = [
    ("whatsapp-bomb.zip", "_chat.txt", "me@example.com"),
    ("linkedin-bomb.zip", "Connections.csv", "me@example.com"),
    ("slack-bomb.zip", "general/2024-01-01.json", None),
]
SLACK_FRAME = {"users.json": b"[]", "channels.json": b'[{"id": "C1", "name": "general"}]'}


def _bomb(tmp_path: Path, name: str, member: str, size: int) -> Path:
    return _zip_with(tmp_path / name, {**(SLACK_FRAME if name.startswith("slack") else {}), member: size})


@pytest.mark.parametrize(("name", "member", "owner"), BOMBS)
@pytest.mark.parametrize("kind", ["size", "ratio"])
def test_zip_bombs_are_refused_fast_and_small(
    tmp_path: Path, name: str, member: str, owner: str | None, kind: str
) -> None:
    """The size cap is exercised at a lowered limit (the mechanism; the default is tested at full size, slow);
    the ratio cap at its default."""
    bomb = _bomb(tmp_path, name, member, 40 * MiB if kind == "size" else 8 * MiB)
    assert bomb.stat().st_size < MiB  # it really is a bomb: kilobytes that claim megabytes
    env = {"REACH_MAX_MEMBER_MB": "32", "REACH_MAX_ZIP_RATIO": "1e9"} if kind == "size" else {}
    got = _import_in_child(tmp_path / "ws", bomb, *([owner] if owner else []), env=env)
    _assert_refused(tmp_path, name, got)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "member", "owner"), BOMBS)
def test_full_size_bombs_at_the_default_limits(tmp_path: Path, name: str, member: str, owner: str | None) -> None:
    """The hostile probe's sizes: a 3 GiB chat in a ZIP of a few MiB, a 1 GiB LinkedIn member."""
    bomb = _bomb(tmp_path, name, member, (3 << 30) if name.startswith("whatsapp") else (1 << 30))
    got = _import_in_child(tmp_path / "ws", bomb, *([owner] if owner else []))
    _assert_refused(tmp_path, name, got)


def _assert_refused(tmp_path: Path, name: str, got: dict) -> None:
    if name.startswith("slack"):
        # one day file of a Slack export is one bad part: it goes to rejects and the rest imports
        assert got["status"] == "imported" and got["n_rejects"] == 1
        reasons = pa.concat_tables(pq.read_table(f) for f in (tmp_path / "ws").rglob("rejects/*.parquet"))
        assert any("zip bomb" in r or "REACH_MAX_MEMBER_MB" in r for r in reasons.column("reason").to_pylist())
    else:
        assert got["status"] == "failed"
        assert name in got["error"] and ("zip bomb" in got["error"] or "MiB" in got["error"])
    assert got["seconds"] < 5
    assert got["rss_mb"] < 500


def test_a_real_sized_member_under_the_limits_still_imports(tmp_path: Path) -> None:
    lines = [f"[01/02/2024, 10:{m % 60:02d}:00] {'Ana' if m % 2 else 'Ben'}: message number {m}" for m in range(2000)]
    chat = ("\n".join(lines) + "\n").encode()
    bomb = _zip_with(tmp_path / "WhatsApp Chat - Ben.zip", {"_chat.txt": chat})
    summary = import_paths(tmp_path / "ws", [bomb], owner="Ana")
    assert summary.files[0].status == "imported", summary.files[0].error
    assert summary.files[0].n_interactions > 0


def _google_csv(names: list[str]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["Name", "Given Name", "Family Name", "E-mail 1 - Type", "E-mail 1 - Value", "Group Membership"])
    for i, n in enumerate(names):
        first, _, last = n.partition(" ")
        w.writerow([n, first, last, "* Home", f"person{i}@example.com", "* myContacts"])
    return buf.getvalue().encode("utf-8")


NAMES = ["Chloé Martin", "Zoë Adams", "Jürgen Weiß", "Søren Ødegaard", "Bad Byte"]


@pytest.mark.parametrize("bom", [False, True])
def test_one_bad_byte_does_not_change_the_whole_file(tmp_path: Path, bom: bool) -> None:
    data = _google_csv(NAMES).replace(b"Bad Byte", b"Bad \xff Byte", 1)
    path = tmp_path / "contacts.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    summary = import_paths(tmp_path / "ws", [path])
    f = summary.files[0]
    assert f.status == "imported", f.error
    assert f.format == "google-csv"
    assert any("invalid UTF-8 byte" in n and "line 6" in n for n in f.notes), f.notes
    records = pa.concat_tables(pq.read_table(f) for f in (tmp_path / "ws").rglob("records/*.parquet"))
    names = set(records.column("display_name").to_pylist())
    assert {n for n in NAMES if n != "Bad Byte"} <= names  # every correct name in its own script, not mojibake
    assert "Bad \ufffd Byte" in names


def test_a_cp1252_file_is_still_read_as_cp1252(tmp_path: Path) -> None:
    data = _google_csv(NAMES).decode("utf-8").encode("cp1252")
    with collecting_notes() as notes:
        assert decode(data) == data.decode("cp1252")
    assert notes == []


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(st.characters(min_codepoint=1, exclude_categories=("Cs",)), max_size=200),
    accents=st.integers(1, 5),
    at=st.integers(0, 10_000),
)
def test_utf8_with_stray_bytes_matches_the_stdlib_replacement(text: str, accents: int, at: int) -> None:
    """UTF-8 with fewer stray bytes than well-formed multi-byte characters decodes as UTF-8, each bad byte
    replaced, exactly as the stdlib's 'replace' handler does."""
    raw = ("é" * accents + text).encode("utf-8")
    cut = at % (len(raw) + 1)
    while 0 < cut < len(raw) and (raw[cut] & 0xC0) == 0x80:  # insert between characters, not inside one
        cut -= 1
    damaged = raw[:cut] + b"\xff" + raw[cut:]
    with collecting_notes() as notes:
        got = decode(damaged)
    assert got == damaged.decode("utf-8", errors="replace")
    assert len(notes) == 1 and "1 invalid UTF-8 byte" in notes[0]


def _mbox_with_nul(path: Path) -> Path:
    msgs = []
    for i in range(3):
        body = "hello\x00there" if i == 0 else "hi"
        msgs.append(
            f"From ana@example.com Mon Jan  1 00:00:00 2024\nFrom: Ana <ana@example.com>\nTo: p{i}@example.org\n"
            f"Subject: s{i}\nDate: Mon, 1 Jan 2024 0{i}:00:00 +0000\nMessage-ID: <m{i}@example.com>\n\n{body}\n"
        )
    path.write_text("\n".join(msgs))
    return path


@pytest.mark.parametrize("fmt", [None, "mbox"])
def test_a_nul_byte_in_a_message_body_does_not_make_an_mbox_binary(tmp_path: Path, fmt: str | None) -> None:
    box = _mbox_with_nul(tmp_path / "inbox.mbox")
    summary = import_paths(tmp_path / "ws", [box], fmt=fmt)
    f = summary.files[0]
    assert f.status == "imported", f.error
    assert f.n_interactions == 3  # the stdlib's mailbox.mbox finds the same three messages
    import mailbox

    assert len(mailbox.mbox(box)) == 3


def test_a_binary_file_is_still_refused(tmp_path: Path) -> None:
    blob = tmp_path / "photo.mbox"
    blob.write_bytes(bytes(range(256)) * 64)
    summary = import_paths(tmp_path / "ws", [blob], fmt="mbox")
    assert summary.files[0].status == "failed"
    assert "binary" in summary.files[0].error
