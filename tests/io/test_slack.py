from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.errors import ConfigError, InputFormatError
from reach.io.formats import detect_format, get_format
from reach.io.slack import parse_members, read_slack
from reach.schema import RECORDS, conform

ANA, BEN, CHLOE, GRACE, DAN, EVE, BOT = (
    "U05ANA1001",
    "U05BEN1002",
    "U05CHL1003",
    "U05GRC1004",
    "U05DAN1005",
    "U05EVE1006",
    "U05STB1007",
)
NAMES = {ANA: "Ana Souza", BEN: "Ben Okafor", CHLOE: "Chloé Martin", GRACE: "Grace Lee", DAN: "Dan Whitfield"}


@pytest.fixture(scope="module")
def sample(samples_dir) -> Path:
    return samples_dir / "slack" / "northwind"


def _load(folder: Path, rel: str):
    return json.loads((folder / rel).read_text(encoding="utf-8"))


def _named(parsed) -> pl.DataFrame:
    """Interactions with the display names of both ends (the owner record shows its Slack name)."""
    rec = pl.from_arrow(parsed.records).select("record_id", "display_name")
    return (
        pl.from_arrow(parsed.interactions)
        .join(rec.rename({"record_id": "src_record", "display_name": "src"}), on="src_record")
        .join(rec.rename({"record_id": "dst_record", "display_name": "dst"}), on="dst_record")
    )


def _at(ts: str) -> datetime:
    sec, micro = ts.split(".")
    return datetime.fromtimestamp(int(sec), UTC).replace(microsecond=int(micro))


def _rows(parsed, line: int, src: str | None = None) -> pl.DataFrame:
    df = _named(parsed).filter(pl.col("line") == line)
    return df if src is None else df.filter(pl.col("src") == src)


# --------------------------------------------------------------------------- the sample export


def test_sample_detected_and_records(sample):
    assert detect_format(sample).name == "slack"
    parsed = read_slack(sample, owner="chloe@northwind.example", options={})
    rec = pl.from_arrow(parsed.records)
    conform(parsed.records.append_column("source_id", pl.Series(["s"] * rec.height).to_arrow()), RECORDS)
    assert rec["record_id"].to_list() == list(range(rec.height))
    # every human who writes, reacts or is written to; not Eve (never active), bots or Slackbot
    assert sorted(rec["display_name"].to_list()) == sorted(NAMES.values())
    owner = rec.row(0, named=True)
    assert owner["role"] == "owner" and owner["owner"] == "chloe@northwind.example"
    assert owner["display_name"] == "Chloé Martin" and owner["title"] == "Product Designer"
    assert owner["emails"] == ["chloe@northwind.example"] and owner["phones"] == ["+1-202-555-0113"]
    assert set(rec["role"][1:]) == {"party"} and rec["line"].null_count() == rec.height
    ana = rec.filter(pl.col("display_name") == "Ana Souza").row(0, named=True)
    assert ana["emails"] == ["ana@northwind.example"] and ana["phones"] == ["+1-202-555-0111"]
    assert ana["title"] == "Head of Partnerships" and (ana["first_name"], ana["last_name"]) == ("Ana", "Souza")
    dan = rec.filter(pl.col("display_name") == "Dan Whitfield").row(0, named=True)
    assert dan["emails"] is None  # a deleted user's profile has no email
    grace = rec.filter(pl.col("display_name") == "Grace Lee").row(0, named=True)
    assert grace["emails"] == ["grace.lee@acme.example"]
    assert parsed.rejects.num_rows == 0


def test_sample_counts_match_the_files(sample):
    parsed = read_slack(sample, owner=None, options={})
    messages = [m for f in sorted(sample.glob("*/*.json")) for m in json.loads(f.read_text(encoding="utf-8"))]
    assert parsed.n_rows == len(messages) == 38
    system = [
        m for m in messages if m.get("subtype") in {"channel_join", "channel_leave", "channel_topic", "bot_message"}
    ]
    by_bots = [m for m in messages if m.get("user") in {BOT, "USLACKBOT"}]
    assert parsed.n_skipped == len(system) + len(by_bots) == 7
    rec = pl.from_arrow(parsed.records)
    assert "owner" not in rec["role"].to_list() and rec.height == 5
    it = pl.from_arrow(parsed.interactions)
    assert set(it["channel"]) == {"message", "reaction"}
    assert (it["weight"] == 1.0).all() and it["at"].null_count() == 0
    assert (it["src_record"] != it["dst_record"]).all()
    assert parsed.notes == []


def test_dm_each_message_to_the_other_member(sample):
    parsed = read_slack(sample, owner="chloe@northwind.example", options={})
    named = _named(parsed)
    for day in ("2024-03-04", "2024-03-06"):
        for idx, m in enumerate(_load(sample, f"D05ANACHL1/{day}.json"), start=1):
            rows = named.filter(
                (pl.col("line") == idx) & (pl.col("at") == _at(m["ts"])) & (pl.col("channel") == "message")
            )
            other = CHLOE if m["user"] == ANA else ANA
            assert rows.select("src", "dst", "n_participants").rows() == [(NAMES[m["user"]], NAMES[other], 2)]
    # the DM reply in a thread (day 4, 4) is still a DM message; reactions are reactor -> author
    d4, d6 = _load(sample, "D05ANACHL1/2024-03-04.json"), _load(sample, "D05ANACHL1/2024-03-06.json")
    assert d4[3]["thread_ts"] == d4[0]["ts"]
    reactions = named.filter(pl.col("channel") == "reaction").filter(
        pl.col("at").is_in([_at(m["ts"]) for m in d4 + d6])
    )
    assert sorted(reactions.select("line", "at", "src", "dst").rows()) == [
        (3, _at(d4[2]["ts"]), "Chloé Martin", "Ana Souza"),
        (4, _at(d6[3]["ts"]), "Ana Souza", "Chloé Martin"),
    ]


def test_channel_threads_top_level_and_reactions(sample):
    parsed = read_slack(sample, owner=None, options={})
    day4 = _load(sample, "general/2024-03-04.json")
    named = _named(parsed)
    on4 = named.filter(pl.col("at").is_in([_at(m["ts"]) for m in day4]))  # general/, not the DM
    # 2: Ana's welcome, top level in a 4-human channel: Ana -> Ben, Chloé, Grace (not the bot, not Dan)
    welcome = on4.filter((pl.col("line") == 2) & (pl.col("channel") == "message"))
    assert sorted(welcome.select("src", "dst").rows()) == [("Ana Souza", NAMES[u]) for u in (BEN, CHLOE, GRACE)]
    assert set(welcome["n_participants"]) == {4}
    assert set(welcome["at"]) == {_at(day4[1]["ts"])}
    # reactions on it: Ben, Chloé and Grace -> Ana; the bot's and Ana's own are not counted
    react = on4.filter((pl.col("line") == 2) & (pl.col("channel") == "reaction"))
    assert sorted(react["src"]) == ["Ben Okafor", "Chloé Martin", "Grace Lee"] and set(react["dst"]) == {"Ana Souza"}
    # 3 and 4: thread replies go to the parent's author only
    for line, who in ((3, "Grace Lee"), (4, "Ben Okafor")):
        rows = on4.filter(pl.col("line") == line)
        assert rows.select("src", "dst", "channel", "n_participants").rows() == [(who, "Ana Souza", "message", 2)]
    # 1: channel_join and 5: bot_message give nothing
    assert on4.filter(pl.col("line").is_in([1, 5])).height == 0
    # 7: Dan (deleted, no longer a member) writes top level: to each member; Ana's reaction to him
    dan = on4.filter((pl.col("line") == 7) & (pl.col("channel") == "message"))
    assert sorted(dan["dst"]) == sorted(NAMES[u] for u in (ANA, BEN, CHLOE, GRACE))
    assert set(dan["n_participants"]) == {5}
    assert on4.filter((pl.col("line") == 7) & (pl.col("channel") == "reaction")).select("src", "dst").rows() == [
        ("Ana Souza", "Dan Whitfield")
    ]
    # 10: Ana replies in her own thread: no tie to herself
    assert on4.filter(pl.col("line") == 10).height == 0


def test_reply_without_parent_user_id_finds_the_parent_on_an_earlier_day(sample):
    day5 = _load(sample, "general/2024-03-05.json")
    assert "parent_user_id" not in day5[0] and day5[0]["thread_ts"] != day5[0]["ts"]
    parsed = read_slack(sample, owner=None, options={})
    rows = _named(parsed).filter(pl.col("at") == _at(day5[0]["ts"]))
    assert rows.select("line", "src", "dst", "channel").rows() == [(1, "Chloé Martin", "Ana Souza", "message")]
    # 5: Ben's thread_broadcast in his own thread: no self-tie; 4 Slackbot and 6 a bot user: skipped
    assert _named(parsed).filter(pl.col("at").is_in([_at(day5[i]["ts"]) for i in (3, 4, 5)])).height == 0


def test_large_channel_gives_no_pairwise_ties(sample):
    parsed = read_slack(sample, owner=None, options={"max_channel_size": 3})
    named = _named(parsed)
    general = named.filter(pl.col("n_participants") > 2)
    assert general.height == 0  # no top-level fan-out in general (4 humans)
    assert any("no pairwise ties" in n for n in parsed.notes)
    # replies, reactions and DMs still count
    assert (
        named.filter(
            (pl.col("channel") == "message") & (pl.col("dst") == "Ana Souza") & (pl.col("src") == "Grace Lee")
        ).height
        >= 2
    )
    assert named.filter(pl.col("channel") == "reaction").height > 0
    with pytest.raises(ConfigError):
        read_slack(sample, owner=None, options={"max_channel_size": "twelve"})


def test_owner_by_name_alias_and_unmatched(sample):
    by_name = read_slack(sample, owner="Ben Okafor", options={})
    rec = pl.from_arrow(by_name.records)
    assert rec.row(0, named=True)["emails"] == ["ben@northwind.example"]
    assert rec.filter(pl.col("display_name") == "Ben Okafor").height == 1
    by_handle = read_slack(sample, owner="someone@else.example", options={"aliases": ["grace.lee"]})
    rec = pl.from_arrow(by_handle.records)
    assert rec.row(0, named=True)["emails"] == ["someone@else.example", "grace.lee@acme.example"]
    assert rec.height == 5
    accent_free = read_slack(sample, owner="chloe martin", options={})
    assert pl.from_arrow(accent_free.records).row(0, named=True)["title"] == "Product Designer"
    unmatched = read_slack(sample, owner="zoe@nowhere.example", options={})
    rec = pl.from_arrow(unmatched.records)
    assert rec.height == 6 and rec.row(0, named=True)["display_name"] == "zoe@nowhere.example"
    assert not ((pl.from_arrow(unmatched.interactions)["src_record"] == 0).any())
    assert "the owner matches no user of the workspace" in unmatched.notes


# --------------------------------------------------------------------------- ZIP and layout variants


def _same(a, b) -> None:
    assert a.records.equals(b.records)
    assert a.interactions.equals(b.interactions)
    assert (a.n_rows, a.n_skipped) == (b.n_rows, b.n_skipped)


def test_zip_with_and_without_a_top_folder(sample, tmp_path):
    folder = read_slack(sample, owner="chloe@northwind.example", options={})
    for prefix in ("", "Northwind Slack export Mar 4 2024 - Mar 7 2024/"):
        zpath = tmp_path / f"export{len(prefix)}.zip"
        with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
            if prefix:
                zf.writestr(prefix, "")
            zf.writestr(prefix + "integration_logs.json", "[]")
            for f in sorted(sample.rglob("*.json")):
                zf.write(f, prefix + f.relative_to(sample).as_posix())
            zf.writestr("__MACOSX/._users.json", b"\x00\x05\x16\x07")
        assert detect_format(zpath).name == "slack"
        _same(read_slack(zpath, owner="chloe@northwind.example", options={}), folder)


def _msg(user: str, ts: str, **kw) -> dict:
    return {"type": "message", "user": user, "text": "hi", "ts": ts, **kw}


def _users(*ids: str) -> bytes:
    return json.dumps([{"id": u, "name": u.lower(), "real_name": u, "profile": {"real_name": u}} for u in ids]).encode()


def test_private_channels_group_dms_and_unlisted_folders():
    files = {
        "users.json": _users("UA", "UB", "UC", "UD"),
        "channels.json": b"[]",
        "groups.json": json.dumps([{"id": "G1", "name": "secret", "members": ["UA", "UB", "UC"]}]).encode(),
        "mpims.json": json.dumps([{"id": "G2", "name": "mpdm-ua--ub--ud-1", "members": ["UA", "UB", "UD"]}]).encode(),
        "dms.json": b"[]",
        "secret/2024-01-01.json": json.dumps([_msg("UA", "1704067200.000100")]).encode(),
        "mpdm-ua--ub--ud-1/2024-01-01.json": json.dumps(
            [
                _msg("UD", "1704067300.000000"),
                _msg("UB", "1704067400.000000", thread_ts="1704067300.000000", parent_user_id="UD"),
            ]
        ).encode(),
        # not in any listing: a DM by its id, members from its authors
        "D0UNLISTED/2024-01-02.json": json.dumps([_msg("UC", "1704153600.5"), _msg("UD", "1704153700.25")]).encode(),
    }
    parsed = parse_members(files)
    got = _named(parsed).select("at", "src", "dst", "n_participants").rows()
    t = datetime.fromtimestamp
    assert sorted(got) == sorted(
        [
            (t(1704067200.0001, UTC), "UA", "UB", 3),
            (t(1704067200.0001, UTC), "UA", "UC", 3),
            (t(1704067300, UTC), "UD", "UA", 3),
            (t(1704067300, UTC), "UD", "UB", 3),
            (t(1704067400, UTC), "UB", "UA", 3),
            (t(1704067400, UTC), "UB", "UD", 3),
            (t(1704153600.5, UTC), "UC", "UD", 2),
            (t(1704153700.25, UTC), "UD", "UC", 2),
        ]
    )
    assert any("no member list" in n for n in parsed.notes)


def test_users_missing_from_users_json_and_bots():
    files = {
        "users.json": json.dumps(
            [
                {"id": "UA", "name": "a", "profile": {"real_name": "Alice Able", "email": "alice@x.example"}},
                {"id": "UBOT", "name": "bot", "is_bot": True, "profile": {"real_name": "Bot"}},
            ]
        ).encode(),
        "channels.json": json.dumps([{"id": "C1", "name": "team", "members": ["UA", "UBOT", "UZ"]}]).encode(),
        "team/2024-01-01.json": json.dumps(
            [
                _msg("UA", "1704067200.000100", reactions=[{"name": "+1", "users": ["UBOT", "UZ"], "count": 2}]),
                _msg("UNEW", "1704067201.000000", user_profile={"real_name": "Newt New", "name": "newt"}),
                {"type": "message", "subtype": "bot_message", "bot_id": "B1", "text": "beep", "ts": "1704067202.0"},
                {"type": "message", "bot_id": "B1", "user": "UBOT", "text": "beep", "ts": "1704067203.0"},
                _msg("UBOT", "1704067204.0"),
                {"type": "message", "subtype": "channel_purpose", "user": "UA", "ts": "1704067205.0", "text": "x"},
                {"type": "message", "subtype": "message_deleted", "hidden": True, "ts": "1704067206.0"},
            ]
        ).encode(),
    }
    parsed = parse_members(files)
    rec = pl.from_arrow(parsed.records)
    assert rec["display_name"].to_list() == ["Alice Able", None, "Newt New"]
    assert parsed.n_rows == 7 and parsed.n_skipped == 5 and parsed.rejects.num_rows == 0
    named = _named(parsed)
    assert sorted(named.filter(pl.col("line") == 1).select("src", "dst", "channel").rows(), key=str) == sorted(
        [("Alice Able", None, "message"), (None, "Alice Able", "reaction")], key=str
    )
    assert sorted(named.filter(pl.col("line") == 2)["dst"].to_list(), key=str) == sorted(["Alice Able", None], key=str)
    assert any("missing from users.json" in n for n in parsed.notes)


# --------------------------------------------------------------------------- rejects and errors


def test_rejects_name_the_day_file_and_index():
    files = {
        "users.json": _users("UA", "UB"),
        "channels.json": json.dumps([{"id": "C1", "name": "team", "members": ["UA", "UB"]}]).encode(),
        "team/2024-01-01.json": json.dumps(
            [
                _msg("UA", "1704067200.000100"),
                "not a message",
                {"type": "message", "user": "UA", "text": "no ts"},
                _msg("UA", "yesterday"),
                {"type": "message", "text": "nobody", "ts": "1704067300.0"},
                _msg("UB", "1704067400.000000"),
            ]
        ).encode(),
        "team/2024-01-02.json": b"{ not json",
        "team/2024-01-03.json": b'{"messages": []}',
        "team/notes.json": b"ignored: not a day file",
    }
    parsed = parse_members(files)
    rej = pl.from_arrow(parsed.rejects)
    assert rej["line"].to_list() == [2, 3, 4, 5, None, None]
    assert all(r.startswith("team/2024-01-0") for r in rej["reason"])
    assert "no valid ts" in rej["reason"][1] and "no user" in rej["reason"][3]
    assert rej["excerpt"][0].startswith("team/2024-01-01.json: ")
    assert "not valid JSON" in rej["reason"][4] and "expected a JSON array" in rej["reason"][5]
    assert sorted(pl.from_arrow(parsed.interactions)["line"].to_list()) == [1, 6]
    assert parsed.n_rows == 6


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"channels.json": b"[]"}, "no users.json"),
        ({"users.json": b"[]"}, "no channels.json"),
        ({"users.json": b"[{", "channels.json": b"[]"}, "users.json: not valid JSON"),
        ({"users.json": b'{"a": 1}', "channels.json": b"[]"}, "users.json: expected a JSON array"),
        ({"users.json": b"[]", "channels.json": b"7"}, "channels.json: expected a JSON array"),
        ({"users.json": b"[]", "channels.json": b"[]", "dms.json": b"\xff\xfe\x00"}, "dms.json"),
    ],
)
def test_broken_exports_raise_input_format_error(files, message):
    with pytest.raises(InputFormatError, match=message):
        parse_members(files)


def test_broken_paths(tmp_path, sample):
    bad = tmp_path / "export.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputFormatError, match="cannot open the ZIP"):
        read_slack(bad)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("Connections.csv", "First Name,Last Name\n")
    assert get_format("slack").sniff("", other) == 0.0
    with pytest.raises(InputFormatError, match="not a Slack export"):
        read_slack(other)
    folder = tmp_path / "copy"
    shutil.copytree(sample, folder)
    (folder / "channels.json").unlink()
    assert get_format("slack").sniff("", folder) == 0.0
    with pytest.raises(InputFormatError, match="users.json and channels.json are required"):
        read_slack(folder)
    (folder / "channels.json").write_text("[")
    with pytest.raises(InputFormatError, match=r"copy: channels.json: not valid JSON"):
        read_slack(folder)
    assert get_format("slack").sniff("source,target\na,b\n", tmp_path / "edges.csv") == 0.0


def test_ts_parsing_and_encodings():
    files = {
        "users.json": "\ufeff".encode() + _users("UA", "UB"),
        "channels.json": json.dumps([{"id": "C1", "name": "t", "members": ["UA", "UB"]}]).encode("utf-16"),
        "t/2024-01-01.json": json.dumps(
            [
                _msg("UA", "1506624512.000100"),
                _msg("UB", 1506624513.5),
                _msg("UA", "1506624514"),
                _msg("UB", "-5"),
                _msg("UA", True),
                _msg("UB", float("nan")),
            ]
        ).encode(),
    }
    parsed = parse_members(files)
    at = pl.from_arrow(parsed.interactions).sort("line")["at"].to_list()
    assert at == [
        datetime(2017, 9, 28, 18, 48, 32, 100, tzinfo=UTC),
        datetime(2017, 9, 28, 18, 48, 33, 500000, tzinfo=UTC),
        datetime(2017, 9, 28, 18, 48, 34, tzinfo=UTC),
    ]
    assert pl.from_arrow(parsed.rejects)["line"].to_list() == [4, 5, 6]


def test_notes_hold_no_personal_data(sample):
    parsed = read_slack(sample, owner="zoe@nowhere.example", options={"max_channel_size": 2})
    text = " ".join(parsed.notes).lower()
    for word in ("ana", "ben", "chlo", "grace", "dan", "zoe", "general", "northwind", "@"):
        assert word not in text.split() and "@" not in text


# --------------------------------------------------------------------------- fuzzing

JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12))
JSON = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=12,
)
ANY = st.one_of(
    JSON,
    st.sampled_from(
        ["UA", "UB", "UX", "1704067200.000100", "1704067300.5", "D1", "message", "thread_broadcast", "bot_message", ""]
    ),
)
MESSAGE = st.fixed_dictionaries(
    {},
    optional={
        "type": ANY,
        "subtype": ANY,
        "user": ANY,
        "ts": ANY,
        "thread_ts": ANY,
        "parent_user_id": ANY,
        "bot_id": ANY,
        "hidden": ANY,
        "user_profile": ANY,
        "reactions": st.one_of(
            ANY,
            st.lists(
                st.fixed_dictionaries({}, optional={"users": st.one_of(ANY, st.lists(ANY, max_size=3))}), max_size=3
            ),
        ),
    },
)
USER = st.fixed_dictionaries(
    {},
    optional={
        "id": ANY,
        "name": ANY,
        "real_name": ANY,
        "is_bot": ANY,
        "deleted": ANY,
        "profile": st.one_of(
            ANY, st.fixed_dictionaries({}, optional={"email": ANY, "real_name": ANY, "phone": ANY, "bot_id": ANY})
        ),
    },
)
CONV = st.fixed_dictionaries(
    {}, optional={"id": ANY, "name": ANY, "members": st.one_of(ANY, st.lists(ANY, max_size=4))}
)


def _dump(value) -> bytes:
    return json.dumps(value).encode()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    users=st.one_of(st.lists(USER, max_size=4), JSON),
    channels=st.one_of(st.lists(CONV, max_size=3), JSON),
    dms=st.one_of(st.none(), st.lists(CONV, max_size=2)),
    day=st.one_of(st.lists(MESSAGE, max_size=6), JSON),
    folder=st.sampled_from(["general", "D1", "mpdm-a--b-1", "x"]),
    owner=st.sampled_from([None, "UA", "a@b.c"]),
    raw=st.binary(max_size=40),
)
def test_fuzz_only_input_format_error(users, channels, dms, day, folder, owner, raw):
    files = {
        "users.json": _dump(users),
        "channels.json": _dump(channels),
        f"{folder}/2024-01-01.json": _dump(day),
        "x/2024-01-02.json": raw,
    }
    if dms is not None:
        files["dms.json"] = _dump(dms)
    try:
        parsed = parse_members(files, owner=owner)
    except InputFormatError:
        return
    n = parsed.records.num_rows
    it = pl.from_arrow(parsed.interactions)
    assert it.height == 0 or (it["src_record"].max() < n and it["dst_record"].max() < n)
    assert parsed.rejects.num_rows <= parsed.n_rows + 2


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=300))
def test_fuzz_zip_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("z") / "export.zip"
    path.write_bytes(b"PK\x03\x04" + data)
    assert get_format("slack").sniff("", path) == 0.0
    with pytest.raises(InputFormatError):
        read_slack(path)


def test_absurd_numeric_timestamp_is_not_a_date():
    """Found by the fuzz test: a float ts near the float maximum overflowed when scaled to microseconds."""
    from reach.io.slack import _ts

    assert _ts(1.797693134862316e302) is None and _ts(float("inf")) is None and _ts(-1.0) is None
    assert _ts(1_700_000_000.5) == 1_700_000_000_500_000
