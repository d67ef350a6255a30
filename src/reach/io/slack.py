"""Slack workspace export: the ZIP from *Workspace settings > Import/Export data*, or it unpacked.

Layout (see ``shared/FORMATS.md`` 4.7): root files ``users.json`` and ``channels.json`` (public
channels), and on Business+/Enterprise exports ``groups.json`` (private channels), ``dms.json`` and
``mpims.json`` (group DMs); then one folder per conversation holding ``YYYY-MM-DD.json`` files, each a
JSON array of messages. Public and private channel folders are named after the channel, group-DM
folders after the ``mpdm-...`` name, DM folders after the ``D...`` id. The ZIP may wrap everything in
one top-level folder. Files other than these are ignored.

Each message's ``ts`` is a string epoch with microseconds (``"1506624512.000100"``); ``at`` is that
instant in UTC. Interactions:

- DM: the sender -> the other member, channel ``message``.
- Group DM: the sender -> each other member, ``message``.
- Public or private channel: a thread reply -> the thread parent's author (``parent_user_id``, or the
  parent message found by ``thread_ts`` anywhere in the folder), ``message``; a top-level message in a
  channel of at most ``max_channel_size`` (option, default 12) human members -> each other member,
  ``message``. Larger channels give no pairwise ties for top-level messages (counted in the notes).
- Reactions: each reactor -> the message's author, channel ``reaction`` (weak "other" evidence),
  in every kind of conversation.

Bots (``is_bot``, Slackbot, ``bot_message``, messages with a ``bot_id`` and no known human user) and
system subtypes (``channel_join``, ``channel_leave``, topic changes, ...) are skipped and counted in
``n_skipped``; bots are never a target. Deleted users are people like any other.

Records: one ``party`` per Slack user who appears (sender, reactor or target), with ``profile`` name,
title, email and phone from ``users.json`` (or the message's ``user_profile`` for ids missing from it).
With ``owner``, record 0 is the owner and the user whose email or name (handle, real or display name)
matches ``owner`` or an ``aliases`` option entry is mapped to it. Records have ``line`` null: a Slack
user comes from ``users.json``, not from one line, and a line number would not be unique across the
export's many day files.

``line`` of interactions and rejects is the message's 1-based index within its day file; a reject's
reason starts with that file's path inside the export (``general/2024-01-15.json``).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from reach.errors import ConfigError, InputFormatError
from reach.io.base import Format, Parsed, event_key, owner_record, rejects_table
from reach.io.limits import read_member
from reach.io.text import decode
from reach.schema import RECORDS

ROOT_FILES = ("users.json", "channels.json", "groups.json", "dms.json", "mpims.json")
DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}\.json")
TS_RE = re.compile(r"\s*(\d{1,12})(?:\.(\d{1,6})\d*)?\s*")
DM_ID_RE = re.compile(r"D[A-Z0-9]{6,}")
# subtypes that are a person writing; everything else (joins, topic changes, bots, ...) is skipped
KEEP_SUBTYPES = frozenset(
    {"", "thread_broadcast", "reply_broadcast", "me_message", "file_share", "file_comment", "file_mention"}
)
SLACKBOT = "USLACKBOT"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z

# --------------------------------------------------------------------------- export access


class _Export:
    """The export's files by path relative to its root, from a ZIP or a folder."""

    def __init__(
        self, names: Iterable[str], read: Callable[[str], bytes], label: str, close: Callable[[], None] | None = None
    ):
        self.names = sorted(set(names))
        self.present = frozenset(self.names)
        self._read = read
        self.label = label
        self.close = close or (lambda: None)

    def read(self, name: str) -> bytes:
        return self._read(name)


def _zip_root(names: list[str]) -> str | None:
    """The folder prefix of the shallowest ``users.json`` beside a ``channels.json``, or None."""
    best: str | None = None
    present = set(names)
    for n in names:
        if n == "users.json" or n.endswith("/users.json"):
            prefix = n[: -len("users.json")]
            if prefix.startswith("__MACOSX/") or prefix + "channels.json" not in present:
                continue
            if best is None or prefix.count("/") < best.count("/"):
                best = prefix
    return best


def _open_zip(path: Path) -> _Export:
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        msg = f"{path}: cannot open the ZIP: {exc}"
        raise InputFormatError(msg) from exc
    by_name = {}
    for info in infos:
        name = info.filename.replace("\\", "/")
        if not name.endswith("/"):
            by_name.setdefault(name, info)
    root = _zip_root(list(by_name))
    if root is None:
        zf.close()
        msg = f"{path}: not a Slack export: no users.json beside a channels.json in the ZIP"
        raise InputFormatError(msg)
    members = {n[len(root) :]: info for n, info in by_name.items() if n.startswith(root)}

    def read(name: str) -> bytes:
        return read_member(zf, members[name], str(path))

    return _Export(members, read, str(path), zf.close)


def _open_folder(path: Path) -> _Export:
    names: list[str] = []
    try:
        for entry in path.iterdir():
            if entry.name.startswith("."):
                continue
            if entry.is_file() and entry.name in ROOT_FILES:
                names.append(entry.name)
            elif entry.is_dir():
                names += [f"{entry.name}/{f.name}" for f in entry.iterdir() if DAY_RE.fullmatch(f.name) and f.is_file()]
    except OSError as exc:
        msg = f"{path}: cannot list the folder: {exc.strerror or exc}"
        raise InputFormatError(msg) from exc
    if "users.json" not in names or "channels.json" not in names:
        msg = f"{path}: not a Slack export folder: users.json and channels.json are required"
        raise InputFormatError(msg)

    def read(name: str) -> bytes:
        try:
            return (path / name).read_bytes()
        except OSError as exc:
            msg = f"{name}: cannot read: {exc.strerror or exc}"
            raise InputFormatError(msg) from exc

    return _Export(names, read, str(path))


def open_export(path: Path) -> _Export:
    path = Path(path)
    if path.is_dir():
        return _open_folder(path)
    return _open_zip(path)


def sniff(head: str, path: Path) -> float:
    """1.0 for a folder or ZIP holding ``users.json`` and ``channels.json`` (at its root or one folder down)."""
    try:
        path = Path(path)
        if path.is_dir():
            return 1.0 if (path / "users.json").is_file() and (path / "channels.json").is_file() else 0.0
        if head or not zipfile.is_zipfile(path):
            return 0.0
        with zipfile.ZipFile(path) as zf:
            return 1.0 if _zip_root([i.filename.replace("\\", "/") for i in zf.infolist()]) is not None else 0.0
    except Exception:  # noqa: BLE001 - a sniffer must never fail; a broken file is just not ours
        return 0.0


# --------------------------------------------------------------------------- JSON helpers


def _load(export: _Export, name: str) -> object:
    """Parse one JSON member; raise InputFormatError naming it."""
    data = export.read(name)
    try:
        return json.loads(decode(data).lstrip("\ufeff"))
    except (ValueError, RecursionError) as exc:
        msg = f"{name}: not valid JSON: {exc}"
        raise InputFormatError(msg) from exc


def _s(value: object) -> str | None:
    """A non-blank string, stripped, else None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def _ts(value: object) -> int | None:
    """Microseconds since the epoch of a Slack ``ts`` (a string, or a number in some tools' exports)."""
    if isinstance(value, str):
        m = TS_RE.fullmatch(value)
        if m is None:
            return None
        us = int(m.group(1)) * 1_000_000 + int((m.group(2) or "0").ljust(6, "0"))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value) or value < 0 or value > MAX_EPOCH:  # huge values overflow when scaled
            return None
        us = round(value * 1_000_000)
    else:
        return None
    return us if us <= MAX_EPOCH * 1_000_000 else None


def _fold(text: str) -> str:
    """Case- and accent-insensitive form of a name or address, for matching the owner."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


# --------------------------------------------------------------------------- users and conversations


@dataclass
class _User:
    uid: str
    display_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    bot: bool = False
    deleted: bool = False
    names: tuple[str, ...] = ()


def _user(entry: dict) -> _User | None:
    uid = _s(entry.get("id"))
    if uid is None:
        return None
    prof = entry.get("profile")
    prof = prof if isinstance(prof, dict) else {}
    handle = _s(entry.get("name"))
    real = _s(prof.get("real_name")) or _s(entry.get("real_name"))
    display = _s(prof.get("display_name"))
    bot = entry.get("is_bot") is True or uid == SLACKBOT or prof.get("bot_id") is not None
    return _User(
        uid=uid,
        display_name=real or display or handle,
        first_name=_s(prof.get("first_name")),
        last_name=_s(prof.get("last_name")),
        title=_s(prof.get("title")),
        email=_s(prof.get("email")),
        phone=_s(prof.get("phone")),
        bot=bot,
        deleted=entry.get("deleted") is True,
        names=tuple(n for n in (handle, real, display, _s(entry.get("real_name"))) if n),
    )


def _profile_user(uid: str, prof: object) -> _User:
    """A user missing from ``users.json``, described by a message's ``user_profile`` if it has one."""
    prof = prof if isinstance(prof, dict) else {}
    return _User(
        uid=uid,
        display_name=_s(prof.get("real_name")) or _s(prof.get("display_name")) or _s(prof.get("name")),
        first_name=_s(prof.get("first_name")),
        bot=prof.get("is_bot") is True,
    )


@dataclass
class _Conv:
    kind: str  # "dm", "mpim" or "channel"
    members: list[str] | None  # user ids from the listing, or None when not listed


def _listing(export: _Export, name: str, kind: str, convs: dict[str, _Conv]) -> None:
    if name not in export.present:
        return
    data = _load(export, name)
    if not isinstance(data, list):
        msg = f"{name}: expected a JSON array of conversations"
        raise InputFormatError(msg)
    for entry in data:
        if not isinstance(entry, dict):
            continue
        members = entry.get("members")
        members = [m for m in members if isinstance(m, str)] if isinstance(members, list) else None
        conv = _Conv(kind, members)
        # folders are named after the channel (or mpdm-...) name; DM folders after the id
        for key in (_s(entry.get("name")), _s(entry.get("id"))):
            if key is not None:
                convs.setdefault(key, conv)


# --------------------------------------------------------------------------- parsing


@dataclass
class _Msg:
    folder: str
    line: int
    uid: str
    us: int
    thread_us: int | None  # thread parent's ts, for replies only
    parent_uid: str | None
    reactors: list[str]


class _Builder:
    def __init__(self, users: dict[str, _User], owner_uid: str | None, owner: str | None):
        self.users = users
        self.records: list[dict] = []
        self.rid: dict[str, int] = {}
        if owner:
            rec = owner_record(owner)
            if owner_uid is not None:
                u = users[owner_uid]
                emails = list(rec.get("emails") or [])
                if u.email and u.email.lower() not in {e.lower() for e in emails}:
                    emails.append(u.email)
                rec.update(
                    display_name=u.display_name or rec["display_name"],
                    first_name=u.first_name,
                    last_name=u.last_name,
                    title=u.title,
                    emails=emails or None,
                    phones=[u.phone] if u.phone else None,
                )
                self.rid[owner_uid] = 0
            self.records.append(rec)
        self.src: list[int] = []
        self.dst: list[int] = []
        self.line: list[int] = []
        self.channel: list[str] = []
        self.at: list[datetime] = []
        self.n_part: list[int] = []
        self.key: list[str] = []

    def record(self, uid: str) -> int:
        rid = self.rid.get(uid)
        if rid is None:
            rid = self.rid[uid] = len(self.records)
            u = self.users[uid]
            self.records.append(
                {
                    "record_id": rid,
                    "line": None,
                    "role": "party",
                    "display_name": u.display_name,
                    "first_name": u.first_name,
                    "last_name": u.last_name,
                    "title": u.title,
                    "emails": [u.email] if u.email else None,
                    "phones": [u.phone] if u.phone else None,
                }
            )
        return rid

    def add(self, src: str, dst: str, m: _Msg, channel: str, n: int) -> None:
        self.src.append(self.record(src))
        self.dst.append(self.record(dst))
        self.line.append(m.line)
        self.channel.append(channel)
        self.at.append(EPOCH + timedelta(microseconds=m.us))
        self.n_part.append(n)
        self.key.append(event_key("slack", m.folder, m.us, channel))  # conversation and ts (the pair: who)


def _options(options: dict | None) -> tuple[int, list[str]]:
    options = options or {}
    size = options.get("max_channel_size", 12)
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        msg = f"slack option max_channel_size must be a non-negative integer, not {size!r}"
        raise ConfigError(msg)
    aliases = options.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, (list, tuple, set, frozenset)) or not all(isinstance(a, str) for a in aliases):
        msg = "slack option aliases must be a list of the owner's other addresses or names"
        raise ConfigError(msg)
    return size, list(aliases)


def _find_owner(users: dict[str, _User], owner: str | None, aliases: list[str]) -> tuple[str | None, str]:
    """The user id standing for the owner (by email first, then by a unique name) and a note."""
    if not owner or not owner.strip():
        return None, ""
    wanted = {_fold(x) for x in [owner, *aliases] if x.strip()}
    by_email = [u.uid for u in users.values() if not u.bot and u.email and _fold(u.email) in wanted]
    if by_email:
        return by_email[0], "the owner is a user of the workspace (matched by email)"
    by_name = [u.uid for u in users.values() if not u.bot and any(_fold(n) in wanted for n in u.names)]
    if len(by_name) == 1:
        return by_name[0], "the owner is a user of the workspace (matched by name)"
    if by_name:
        return None, f"the owner's name matches {len(by_name)} users; none was taken as the owner"
    return None, "the owner matches no user of the workspace"


def read_slack(path: Path, *, owner: str | None = None, options: dict | None = None) -> Parsed:
    """Parse a Slack export ZIP or its unpacked folder."""
    export = open_export(Path(path))
    try:
        return parse_export(export, owner=owner, options=options)
    except InputFormatError as exc:
        if str(exc).startswith(export.label):
            raise
        msg = f"{export.label}: {exc}"
        raise InputFormatError(msg) from exc
    finally:
        export.close()


def parse_members(
    files: dict[str, bytes], *, owner: str | None = None, options: dict | None = None, label: str = "<slack export>"
) -> Parsed:
    """Parse an export given as ``{relative path: bytes}`` (tests and fuzzing)."""
    return parse_export(_Export(files, files.__getitem__, label), owner=owner, options=options)


def parse_export(export: _Export, *, owner: str | None, options: dict | None) -> Parsed:
    max_size, aliases = _options(options)
    for required in ("users.json", "channels.json"):
        if required not in export.present:
            msg = f"not a Slack export: no {required}"
            raise InputFormatError(msg)
    raw_users = _load(export, "users.json")
    if not isinstance(raw_users, list):
        msg = "users.json: expected a JSON array of users"
        raise InputFormatError(msg)
    users: dict[str, _User] = {}
    for entry in raw_users:
        u = _user(entry) if isinstance(entry, dict) else None
        if u is not None:
            users.setdefault(u.uid, u)
    convs: dict[str, _Conv] = {}
    _listing(export, "channels.json", "channel", convs)
    _listing(export, "groups.json", "channel", convs)
    _listing(export, "mpims.json", "mpim", convs)
    _listing(export, "dms.json", "dm", convs)

    rejects: list[tuple[int | None, str, str | None]] = []
    n_rows = n_skipped = 0
    msgs: list[_Msg] = []
    authors: dict[tuple[str, int], str | None] = {}  # (folder, ts) -> author id, None for bots
    n_unknown_users = 0

    def human(uid: str) -> bool:
        u = users.get(uid)
        return u is None or not u.bot

    day_files = [n for n in export.names if n.count("/") == 1 and DAY_RE.fullmatch(n.split("/")[1])]
    for name in day_files:
        folder = name.split("/")[0]
        try:
            day = _load(export, name)
        except InputFormatError as exc:
            rejects.append((None, str(exc), None))
            continue
        if not isinstance(day, list):
            rejects.append((None, f"{name}: expected a JSON array of messages", None))
            continue
        for idx, m in enumerate(day, start=1):
            n_rows += 1
            if not isinstance(m, dict):
                rejects.append((idx, f"{name}: message is not a JSON object", f"{name}: {_excerpt(m)}"))
                continue
            mtype = m.get("type", "message")
            subtype = m.get("subtype") or ""
            us = _ts(m.get("ts"))
            uid = _s(m.get("user"))
            if (
                mtype != "message"
                or not isinstance(subtype, str)
                or subtype not in KEEP_SUBTYPES
                or m.get("hidden") is True
            ):
                n_skipped += 1
                if us is not None:
                    authors.setdefault((folder, us), None)
                continue
            if us is None:
                rejects.append((idx, f"{name}: message has no valid ts", f"{name}: {_excerpt(m)}"))
                continue
            if uid is None or (m.get("bot_id") is not None and uid not in users):
                if m.get("bot_id") is not None:
                    n_skipped += 1
                    authors.setdefault((folder, us), None)
                else:
                    rejects.append((idx, f"{name}: message has no user", f"{name}: {_excerpt(m)}"))
                continue
            if uid not in users:
                users[uid] = _profile_user(uid, m.get("user_profile"))
                n_unknown_users += 1
            if not human(uid):
                n_skipped += 1
                authors.setdefault((folder, us), None)
                continue
            thread_us = _ts(m.get("thread_ts"))
            if thread_us == us:
                thread_us = None
            reactors: list[str] = []
            reactions = m.get("reactions")
            if isinstance(reactions, list):
                for r in reactions:
                    rusers = r.get("users") if isinstance(r, dict) else None
                    if isinstance(rusers, list):
                        reactors += [x for x in rusers if isinstance(x, str) and x.strip()]
            msgs.append(_Msg(folder, idx, uid, us, thread_us, _s(m.get("parent_user_id")), reactors))
            authors[(folder, us)] = uid

    owner_uid, owner_note = _find_owner(users, owner, aliases)
    b = _Builder(users, owner_uid, owner)
    notes = [owner_note] if owner_note else []

    # channel members: the listing's humans, or for unlisted folders the folder's authors
    folder_authors: dict[str, list[str]] = {}
    for m in msgs:
        fa = folder_authors.setdefault(m.folder, [])
        if m.uid not in fa:
            fa.append(m.uid)
    members: dict[str, tuple[str, list[str]]] = {}
    n_unlisted = 0
    for folder, fa in folder_authors.items():
        conv = convs.get(folder)
        if conv is None:
            kind = "dm" if DM_ID_RE.fullmatch(folder) else "mpim" if folder.startswith("mpdm-") else "channel"
            conv = _Conv(kind, None)
        if conv.members is None:
            n_unlisted += 1
        mem = conv.members if conv.members is not None else fa
        seen: set[str] = set()
        out = []
        for uid in mem:
            if uid not in seen and human(uid):
                seen.add(uid)
                out.append(uid)
                if uid not in users:
                    users[uid] = _User(uid)
        members[folder] = (conv.kind, out)

    n_big = n_orphan = 0
    big: set[str] = set()
    for m in msgs:
        kind, mem = members[m.folder]
        if kind in ("dm", "mpim"):
            others = [u for u in mem if u != m.uid]
            n = len(others) + 1
            for o in others:
                b.add(m.uid, o, m, "message", n)
        elif m.thread_us is not None:
            parent = m.parent_uid if m.parent_uid is not None and human(m.parent_uid) else None
            if m.parent_uid is None:
                key = (m.folder, m.thread_us)
                if key in authors:
                    parent = authors[key]
                else:
                    n_orphan += 1
            if parent is not None and parent != m.uid:
                if parent not in users:
                    users[parent] = _User(parent)
                b.add(m.uid, parent, m, "message", 2)
        else:
            size = len(set(mem) | {m.uid})
            if size <= max_size:
                for o in mem:
                    if o != m.uid:
                        b.add(m.uid, o, m, "message", size)
            else:
                n_big += 1
                big.add(m.folder)
        for r in dict.fromkeys(m.reactors):
            if r != m.uid and human(r):
                if r not in users:
                    users[r] = _User(r)
                b.add(r, m.uid, m, "reaction", 2)
        b.record(m.uid)

    if n_big:
        notes.append(
            f"{n_big} top-level messages in {len(big)} channels of more than {max_size} members gave no pairwise ties"
        )
    if n_orphan:
        notes.append(f"{n_orphan} thread replies whose parent message is not in the export")
    if n_unknown_users:
        notes.append(f"{n_unknown_users} user ids are missing from users.json")
    if n_unlisted:
        notes.append(
            f"{n_unlisted} conversation folders have no member list in the channel listings; "
            "their members were taken from their authors"
        )
    n = len(b.src)
    interactions = pa.table(
        {
            "line": pa.array(b.line, pa.int64()),
            "src_record": pa.array(b.src, pa.int64()),
            "dst_record": pa.array(b.dst, pa.int64()),
            "channel": pa.array(b.channel, pa.string()),
            "at": pa.array(b.at, pa.timestamp("us", tz="UTC")),
            "weight": pa.array([1.0] * n, pa.float64()),
            "n_participants": pa.array(b.n_part, pa.int32()),
            "event_key": pa.array(b.key, pa.string()),
        }
    )
    rec_schema = pa.schema([f for f in RECORDS if f.name != "source_id"])
    return Parsed(
        records=pa.Table.from_pylist(b.records, schema=rec_schema),
        interactions=interactions,
        rejects=rejects_table(rejects),
        n_rows=n_rows,
        n_skipped=n_skipped,
        notes=notes,
    )


def _excerpt(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)[:200]
    except (TypeError, ValueError, RecursionError):
        return repr(type(value))


FORMATS = [
    Format(
        "slack",
        "Slack workspace export (ZIP or folder with users.json, channels.json)",
        sniff,
        read_slack,
        accepts_dirs=True,
        binary=True,
    ),
]
