from __future__ import annotations

import contextlib
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.errors import ConfigError, InputFormatError
from reach.io.formats import detect_format, get_format
from reach.io.whatsapp import parse_chat, read_whatsapp
from reach.schema import RECORDS, conform

LRM, NNBSP = "\u200e", "\u202f"
OWNER = "chloe@northwind.example"


@pytest.fixture(scope="module")
def sample(samples_dir) -> Path:
    return samples_dir / "whatsapp" / "chloe-grace-chat.txt"


def _named(parsed) -> pl.DataFrame:
    rec = pl.from_arrow(parsed.records).select("record_id", "display_name")
    return (
        pl.from_arrow(parsed.interactions)
        .join(rec.rename({"record_id": "src_record", "display_name": "src"}), on="src_record", how="left")
        .join(rec.rename({"record_id": "dst_record", "display_name": "dst"}), on="dst_record", how="left")
        .sort("line", "dst_record")
    )


def _parse(text: str, owner: str = "Bo", **options):
    return parse_chat(text, owner=owner, options=options)


# --------------------------------------------------------------------------- the sample chat


def test_sample_ios_chat(sample):
    assert detect_format(sample).name == "whatsapp"
    parsed = read_whatsapp(sample, owner=OWNER, options={})
    rec = pl.from_arrow(parsed.records)
    conform(parsed.records.append_column("source_id", pl.Series(["s"] * rec.height).to_arrow()), RECORDS)
    assert rec.select("record_id", "role", "display_name", "line").rows() == [
        (0, "owner", "Chloé Martin", None),
        (1, "party", "Grace Lee", 3),
    ]
    assert rec["emails"][0].to_list() == [OWNER]
    lines = sample.read_text(encoding="utf-8").split("\n")
    # an independent reading: lines starting with "[" or LRM+"[" are messages; the two notices are skipped
    starts = [i for i, ln in enumerate(lines, start=1) if ln.lstrip(LRM).startswith("[")]
    notices = [i for i in starts if "end-to-end encrypted" in lines[i - 1] or "security code" in lines[i - 1]]
    assert parsed.n_rows == len(starts) == 17 and parsed.n_skipped == len(notices) == 2
    named = _named(parsed)
    assert named["line"].to_list() == [i for i in starts if i not in notices]
    for row in named.iter_rows(named=True):
        sender = lines[row["line"] - 1].lstrip(LRM).split("] ", 1)[1].split(": ", 1)[0]
        assert row["src"] == sender and row["dst"] != sender
        assert row["channel"] == "message" and row["n_participants"] == 2 and row["weight"] == 1.0
    assert parsed.rejects.num_rows == 0
    # the multi-line message keeps its start line; continuation lines (including a blank one) add nothing
    assert named.filter(pl.col("line") == 4)["at"].to_list() == [datetime(2024, 1, 8, 9, 16, 2, tzinfo=UTC)]
    assert named.filter(pl.col("line") == 9)["at"].to_list() == [datetime(2024, 1, 8, 9, 20, 33, tzinfo=UTC)]
    # 1/16/24: month first (iOS, US), 12-hour clock with U+202F
    assert named.filter(pl.col("line") == 12)["at"].to_list() == [datetime(2024, 1, 16, 14, 0, tzinfo=UTC)]
    assert named["at"].max() == datetime(2024, 2, 13, 20, 31, 10, tzinfo=UTC)


def test_sample_zip_and_folder_like_the_text(sample, tmp_path):
    text = read_whatsapp(sample, owner=OWNER)
    zpath = tmp_path / "WhatsApp Chat - Grace Lee.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(sample, "_chat.txt")
        zf.writestr("00000012-PHOTO-2024-01-16-14-30-45.jpg", b"\xff\xd8\xff\xe0" + bytes(200))
    assert detect_format(zpath).name == "whatsapp"
    zipped = read_whatsapp(zpath, owner=OWNER)
    assert zipped.records.equals(text.records) and zipped.interactions.equals(text.interactions)
    folder = tmp_path / "WhatsApp Chat - Grace Lee"
    folder.mkdir()
    (folder / "_chat.txt").write_bytes(sample.read_bytes())
    (folder / "00000012-PHOTO-2024-01-16-14-30-45.jpg").write_bytes(b"\xff\xd8")
    assert detect_format(folder).name == "whatsapp"
    assert read_whatsapp(folder, owner=OWNER).interactions.equals(text.interactions)


def test_timezone_option(sample):
    parsed = read_whatsapp(sample, owner=OWNER, options={"timezone": "America/New_York"})
    at = pl.from_arrow(parsed.interactions)["at"][0]
    assert at == datetime(2024, 1, 8, 14, 2, 11, tzinfo=UTC)  # 9:02:11 EST
    assert any("timezone option" in n for n in parsed.notes)
    with pytest.raises(ConfigError):
        read_whatsapp(sample, owner=OWNER, options={"timezone": "Mars/Olympus_Mons"})


# --------------------------------------------------------------------------- line variants


@pytest.mark.parametrize(
    ("first", "second", "when"),
    [
        # Android, US: M/D/YY, 24-hour
        ("12/31/23, 23:59 - Ana: hi", "12/31/23, 23:59 - Bo: yo", datetime(2023, 12, 31, 23, 59)),
        # Android, UK/India: D/M/YYYY, 12-hour lower case, U+202F
        (f"31/12/2023, 9:41{NNBSP}pm - Ana: hi", "31/12/2023, 9:42 pm - Bo: yo", datetime(2023, 12, 31, 21, 41)),
        # Android en dash and German dotted dates
        ("31.12.23, 21:41 \u2013 Ana: hi", "31.12.23, 21:42 \u2013 Bo: yo", datetime(2023, 12, 31, 21, 41)),
        # iOS, US
        ("[12/31/23, 11:59:59 PM] Ana: hi", "[12/31/23, 11:59:59 PM] Bo: yo", datetime(2023, 12, 31, 23, 59, 59)),
        (f"[1/2/24, 12:05:09{NNBSP}AM] Ana: hi", "[1/2/24, 12:06:00 AM] Bo: yo", datetime(2024, 1, 2, 0, 5, 9)),
        # iOS, Finnish
        ("[12.3.2022 klo 14.08.18] Ana: hi", "[12.3.2022 klo 14.09.00] Bo: yo", datetime(2022, 3, 12, 14, 8, 18)),
        # iOS, ISO dates
        ("[2024-12-31, 21:41:09] Ana: hi", "[2024-12-31, 21:42:00] Bo: yo", datetime(2024, 12, 31, 21, 41, 9)),
        ("[2020/05/01, 12:00:05] Ana: hi", "[2020.05.02, 12:00:05] Bo: yo", datetime(2020, 5, 1, 12, 0, 5)),
        # U+200E before the line and the text (an attachment), Spanish a. m.
        (
            f"{LRM}[3/4/24, 10:00:00 a. m.] Ana: {LRM}<attached: 00000003-PHOTO.jpg>",
            "[3/4/24, 10:01:00 a. m.] Bo: yo",
            datetime(2024, 3, 4, 10, 0),
        ),
    ],
)
def test_line_variants(first, second, when):
    parsed = _parse(f"{first}\n{second}\n")
    named = _named(parsed)
    assert named.select("line", "src", "dst").rows() == [(1, "Ana", "Bo"), (2, "Bo", "Ana")]
    assert named["at"][0] == when.replace(tzinfo=UTC)
    assert parsed.rejects.num_rows == 0 and parsed.n_rows == 2
    assert pl.from_arrow(parsed.records)["role"].to_list() == ["owner", "party"]
    assert get_format("whatsapp").sniff(f"{first}\n{second}\n", Path("chat.txt")) > 0.5


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (["1/2/24", "1/3/24"], datetime(2024, 1, 2)),  # ambiguous, two-digit year: US month first
        (["1/2/24", "13/2/24"], datetime(2024, 2, 1)),  # a first field over 12 decides: day first
        (["1/2/24", "1/13/24"], datetime(2024, 1, 2)),  # a second field over 12: month first
        (["01/02/2024", "01/03/2024"], datetime(2024, 2, 1)),  # ambiguous, four-digit year: day first
        (["01/02/2024", "01/30/2024"], datetime(2024, 1, 2)),
        (["1.2.24", "1.3.24"], datetime(2024, 2, 1)),  # dotted: day first
    ],
)
def test_day_month_inference(dates, expected):
    text = "".join(f"{d}, 10:00 - {who}: hi\n" for d, who in zip(dates, ["Ana", "Bo"], strict=True))
    parsed = _parse(text)
    assert pl.from_arrow(parsed.interactions).sort("line")["at"][0] == expected.replace(hour=10, tzinfo=UTC)
    bracket = "".join(f"[{d}, 10:00:00] {who}: hi\n" for d, who in zip(dates, ["Ana", "Bo"], strict=True))
    assert pl.from_arrow(_parse(bracket).interactions).sort("line")["at"][0] == expected.replace(hour=10, tzinfo=UTC)


def test_a_pasted_line_of_the_other_platform_is_a_continuation():
    text = "[1/2/24, 10:00:00] Ana: forwarding this:\n1/2/24, 09:00 - Cy: old note\n[1/2/24, 10:01:00] Bo: ok\n"
    parsed = _parse(text)
    assert parsed.n_rows == 2 and pl.from_arrow(parsed.records)["display_name"].to_list() == ["Bo", "Ana"]


def test_rejects_unparseable_dates_with_line_numbers():
    text = """\
[1/2/24, 10:00:00] Ana: fine
[2/30/24, 10:00:00] Ana: no such day
its continuation is dropped with it
[1/2/24, 25:00:00] Bo: no such hour
[1/2/24, 13:00:00 PM] Bo: 13 PM
[1/2/24, 1:00:00 nachts] Bo: unknown marker
[1/2/241, 1:00:00] Bo: five-digit year? three
[1/2/24, 10:05:00] Bo: fine"""
    parsed = _parse(text)
    rej = pl.from_arrow(parsed.rejects)
    assert rej["line"].to_list() == [2, 4, 5, 6, 7]
    assert all(r.startswith("unparseable") for r in rej["reason"])
    assert rej["excerpt"][0] == "[2/30/24, 10:00:00] Ana: no such day"
    assert _named(parsed)["line"].to_list() == [1, 8]
    assert parsed.n_rows == 7


# --------------------------------------------------------------------------- system lines, groups, owner


ANDROID_GROUP = """\
1/5/24, 09:00 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.
1/5/24, 09:00 - Ana created group "Trip: Lisbon"
1/5/24, 09:01 - Ana added Bo and Cy
1/5/24, 09:02 - Ana changed the subject from "Trip: Lisbon" to "Trip: Porto"
1/5/24, 09:03 - Ana: Who's in?
1/5/24, 09:04 - Bo: Me!
Also my sister maybe:
she will confirm
1/5/24, 09:05 - \u202a+1 202-555-0142\u202c: Count me in
1/5/24, 09:06 - Cy: <Media omitted>
1/5/24, 09:07 - Cy left
"""


def test_android_group_system_lines_and_phone_sender():
    parsed = _parse(ANDROID_GROUP, owner="bo@example.org", aliases=["Bo"])
    rec = pl.from_arrow(parsed.records)
    assert rec.select("record_id", "role", "display_name", "phones", "line").rows() == [
        (0, "owner", "Bo", None, None),
        (1, "party", "Ana", None, 5),
        (2, "party", None, ["+1 202-555-0142"], 9),
        (3, "party", "Cy", None, 10),
    ]
    assert parsed.n_rows == 9 and parsed.n_skipped == 5
    named = _named(parsed)
    assert named.filter(pl.col("line") == 5)["dst_record"].to_list() == [0, 2, 3]
    assert set(named["n_participants"]) == {4} and named.height == 4 * 3
    # too big a group: no ties, a note
    big = _parse(ANDROID_GROUP, owner="Bo", max_group_size=3)
    assert big.interactions.num_rows == 0 and any("no pairwise ties" in n for n in big.notes)


IOS_GROUP = f"""\
[1/5/24, 9:00:00 AM] Trip Porto: {LRM}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.
[1/5/24, 9:00:00 AM] Trip Porto: {LRM}Ana created group “Trip Porto”
[1/5/24, 9:00:01 AM] Trip Porto: {LRM}Ana added you
{LRM}[1/5/24, 9:01:00 AM] Ana: Welcome!
[1/5/24, 9:02:00 AM] Bo: {LRM}image omitted
[1/5/24, 9:03:00 AM] Cy: {LRM}This message was deleted.
[1/5/24, 9:04:00 AM] Cy: {LRM}Missed group voice call
[1/5/24, 9:05:00 AM] Trip Porto: {LRM}Cy changed the group description
[1/5/24, 9:06:00 AM] ~{NNBSP}Dee: hello from a non-contact
"""


def test_ios_group_notices_come_from_the_chat_name():
    parsed = _parse(IOS_GROUP, owner="Cy")
    rec = pl.from_arrow(parsed.records)
    assert rec["display_name"].to_list() == ["Cy", "Ana", "Bo", "Dee"]  # the group's name is not a person
    assert parsed.n_skipped == 4
    assert _named(parsed)["line"].unique().sort().to_list() == [4, 5, 6, 7, 9]
    assert any("could not tell" in n for n in _parse(IOS_GROUP, owner="nobody").notes)
    colon = _parse(IOS_GROUP.replace("Trip Porto", "Trip: Porto"), owner="Cy")
    assert pl.from_arrow(colon.records)["display_name"].to_list() == ["Cy", "Ana", "Bo", "Dee"]


def test_owner_found_by_you_deleted_by_chat_name_and_silent():
    dm = "[1/5/24, 9:00:00 AM] Ana: hi\n[1/5/24, 9:01:00 AM] Zed: You deleted this message.\n"
    rec = pl.from_arrow(_parse(dm, owner="me@example.org").records)
    assert rec["display_name"].to_list() == ["Zed", "Ana"]
    # chat name from iOS's first notice
    ios = (
        f"[1/5/24, 9:00:00 AM] Ana: {LRM}Messages and calls are end-to-end encrypted.\n"
        "[1/5/24, 9:01:00 AM] Ana: hi\n[1/5/24, 9:02:00 AM] Zed: hello\n"
    )
    assert pl.from_arrow(_parse(ios, owner="me@example.org").records)["display_name"].to_list() == ["Zed", "Ana"]
    # chat name from an Android file name
    android = "1/5/24, 09:01 - Ana: hi\n1/5/24, 09:02 - Zed: hello\n"
    parsed = parse_chat(android, owner="me@example.org", chat_name="Ana")
    assert pl.from_arrow(parsed.records)["display_name"].to_list() == ["Zed", "Ana"]
    # undecidable: both are parties, a note says so
    parsed = _parse(android, owner="me@example.org")
    assert pl.from_arrow(parsed.records)["display_name"].to_list() == ["me@example.org", "Ana", "Zed"]
    assert _named(parsed).select("src", "dst").rows() == [("Ana", "Zed"), ("Zed", "Ana")]
    # only the other side wrote: the owner is the silent second participant
    silent = _parse("1/5/24, 09:01 - Ana: hi\n1/5/24, 09:02 - Ana: are you there?\n", owner="me@example.org")
    assert _named(silent).select("src_record", "dst_record", "n_participants").rows() == [(1, 0, 2), (1, 0, 2)]
    # the owner given as a phone number matches a number sender
    phone = "1/5/24, 09:01 - +1 (202) 555-0199: hi\n1/5/24, 09:02 - Ana: hey\n"
    rec = pl.from_arrow(_parse(phone, owner="+12025550199").records)
    assert rec.select("role", "phones").rows() == [("owner", ["+1 (202) 555-0199"]), ("party", None)]


def test_android_file_name_gives_the_chat_name(tmp_path):
    path = tmp_path / "WhatsApp Chat with Ana.txt"
    path.write_text("1/5/24, 09:01 - Ana: hi\n1/5/24, 09:02 - Zed: hello\n", encoding="utf-8")
    parsed = read_whatsapp(path, owner="me@example.org")
    assert pl.from_arrow(parsed.records)["display_name"].to_list() == ["Zed", "Ana"]


# --------------------------------------------------------------------------- encodings, errors, sniffing


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_encodings_and_newlines(sample, tmp_path, encoding, newline):
    text = sample.read_text(encoding="utf-8").replace("\n", newline)
    path = tmp_path / "_chat.txt"
    path.write_bytes(text.encode(encoding))
    assert detect_format(path).name == "whatsapp"
    parsed = read_whatsapp(path, owner=OWNER)
    assert parsed.interactions.equals(read_whatsapp(sample, owner=OWNER).interactions)


def test_errors(tmp_path, sample):
    with pytest.raises(InputFormatError, match="--owner"):
        read_whatsapp(sample, owner=None)
    other = tmp_path / "notes.txt"
    other.write_text("hello\nworld\n")
    with pytest.raises(InputFormatError, match=r"notes.txt: no WhatsApp message lines"):
        read_whatsapp(other, owner="me")
    assert get_format("whatsapp").sniff("hello\nworld\n", other) == 0.0
    bad = tmp_path / "chat.zip"
    bad.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(InputFormatError, match="chat.zip"):
        read_whatsapp(bad, owner="me")
    empty = tmp_path / "media.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("a.jpg", b"x")
    assert get_format("whatsapp").sniff("", empty) == 0.0
    with pytest.raises(InputFormatError, match="no _chat.txt"):
        read_whatsapp(empty, owner="me")
    with pytest.raises(ConfigError):
        _parse("[1/2/24, 10:00:00] Ana: hi\n", max_group_size=-1)
    notes_folder = tmp_path / "notes"
    notes_folder.mkdir()
    (notes_folder / "todo.txt").write_text("buy milk\n")
    assert get_format("whatsapp").sniff("", notes_folder) == 0.0
    with pytest.raises(InputFormatError, match="no WhatsApp message lines"):
        read_whatsapp(notes_folder, owner="me")
    assert get_format("whatsapp").sniff("", tmp_path / "missing") == 0.0


def test_sniff_leaves_other_formats_alone(samples_dir):
    sniff = get_format("whatsapp").sniff
    edges = samples_dir / "edgelist" / "northwind-referrals.csv"
    assert sniff(edges.read_text(encoding="utf-8"), edges) == 0.0
    assert detect_format(edges).name != "whatsapp"
    assert sniff("2024-01-05 10:00 - server started\n2024-01-05 10:01 - ok\n", Path("log.txt")) == 0.0
    assert sniff("First Name,Last Name,Connected On\n", Path("c.csv")) == 0.0


def test_shared_data_other_than_chats_is_not_claimed(shared_data):
    """No shared file outside real_exports_2/whatsapp (real chats) is taken for a WhatsApp chat or a Slack export."""
    chats = shared_data / "real_exports_2" / "whatsapp"
    small = [p for p in sorted(shared_data.rglob("*")) if p.is_file() and p.stat().st_size < 5_000_000]
    for path in small:
        head = path.read_bytes()[:65536]
        text = head.decode("utf-8", errors="replace")
        if chats not in path.parents:
            assert get_format("whatsapp").sniff(text, path) == 0.0, path
        else:
            assert detect_format(path).name == "whatsapp", path
        if path.suffix != ".zip":
            assert get_format("slack").sniff(text, path) == 0.0, path


# --------------------------------------------------------------------------- fuzzing

FRAGMENTS = st.sampled_from(
    [
        "[",
        "]",
        "12/31/23",
        "31/12/2023",
        "1.2.24",
        "2024-12-31",
        "13/13/13",
        "0/0/0",
        ", ",
        " ",
        "klo ",
        "11:59:59",
        "23:59",
        "14.08.18",
        "99:99",
        " PM",
        f"{NNBSP}am",
        " a. m.",
        " - ",
        " \u2013 ",
        "Ana",
        "Bo",
        "+1 202-555-0100",
        "\u202a+44 7700 900123\u202c",
        ": ",
        ":",
        LRM,
        "\ufeff",
        "~ ",
        "\n",
        "\r\n",
        "image omitted",
        "You deleted this message.",
        "Messages and calls are end-to-end encrypted.",
        'created group "x: y"',
        "“",
        "hello",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=40),
    owner=st.sampled_from(["Ana", "me@example.org", "+12025550100", " "]),
    options=st.sampled_from([{}, {"max_group_size": 2}, {"timezone": "Asia/Kolkata"}, {"aliases": ["Bo"]}]),
)
def test_fuzz_only_input_format_error(parts, owner, options):
    try:
        parsed = parse_chat("".join(parts), owner=owner, options=options)
    except InputFormatError:
        return
    n = parsed.records.num_rows
    it = pl.from_arrow(parsed.interactions)
    assert it.height == 0 or (it["src_record"].max() < n and it["dst_record"].max() < n)
    assert (it["src_record"] != it["dst_record"]).all()
    assert parsed.rejects.num_rows + parsed.n_skipped <= parsed.n_rows


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=400))
def test_fuzz_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("w") / "_chat.txt"
    path.write_bytes(data)
    with contextlib.suppress(InputFormatError):
        read_whatsapp(path, owner="me")


# --------------------------------------------------------------------------- other UI languages and date systems

RLM = "\u200f"
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    ("line_a", "line_b", "when"),
    [
        # Arabic iOS: Arabic-Indic digits, RLM marks inside the date, Arabic comma, Arabic PM after the time
        (
            f"[{'18'.translate(ARABIC_DIGITS)}{RLM}/{'3'.translate(ARABIC_DIGITS)}{RLM}/{'2022'.translate(ARABIC_DIGITS)}"
            f"\u060c {'2:56:01'.translate(ARABIC_DIGITS)}\u00a0م] Ana: hi",
            f"[{'18'.translate(ARABIC_DIGITS)}/3/2022\u060c 2:57:00\u00a0ص] Bo: yo",
            datetime(2022, 3, 18, 14, 56, 1),
        ),
        # Persian digits, 24-hour
        ("[۱۸/۳/۲۰۲۲, ۱۴:۵۶:۰۱] Ana: hi", "[18/3/2022, 14:57:00] Bo: yo", datetime(2022, 3, 18, 14, 56, 1)),
        # time before the date
        ("[14:56:01, 18/3/2022] Ana: hi", "[14:57:00, 18/3/2022] Bo: yo", datetime(2022, 3, 18, 14, 56, 1)),
        ("14:56, 18.03.2022 - Ana: hi", "14:57, 18.03.2022 - Bo: yo", datetime(2022, 3, 18, 14, 56)),
        # Thai Buddhist Era years, four and two digits
        ("[18/3/2565 14:56:01] Ana: hi", "[18/3/2565 14:57:00] Bo: yo", datetime(2022, 3, 18, 14, 56, 1)),
        ("18/3/65 14:56 - Ana: hi", "18/3/65 14:57 - Bo: yo", datetime(2022, 3, 18, 14, 56)),
        # Japanese era years (Reiwa 4 = 2022), letter and kanji
        ("[R4/03/18 14:56:01] Ana: hi", "[R4/03/18 14:57:00] Bo: yo", datetime(2022, 3, 18, 14, 56, 1)),
        ("令和4/3/18 午後2:56 - Ana: hi", "令和4/3/18 午後2:57 - Bo: yo", datetime(2022, 3, 18, 14, 56)),
        ("[H31/04/30 9:00:00] Ana: hi", "[H31/04/30 9:01:00] Bo: yo", datetime(2019, 4, 30, 9, 0)),
        # Chinese / Japanese year-month-day with the AM/PM marker before the time, and with 年月日
        ("[2022/3/18 下午2:56:01] Ana: hi", "[2022/3/18 下午2:57:00] Bo: yo", datetime(2022, 3, 18, 14, 56, 1)),
        ("2022年3月18日 14:56 - Ana: hi", "2022年3月18日 14:57 - Bo: yo", datetime(2022, 3, 18, 14, 56)),
        # Korean: dotted year-month-day with a final dot, 오후 before the time
        ("2022. 3. 18. 오후 2:56 - Ana: hi", "2022. 3. 18. 오후 2:57 - Bo: yo", datetime(2022, 3, 18, 14, 56)),
        # Spanish a. m./p. m., including the 0-11 hour some Android locales write
        ("06/20/2020, 00:08 a. m. - Ana: hi", "06/20/2020, 12:10 p. m. - Bo: yo", datetime(2020, 6, 20, 0, 8)),
        ("06/20/2020, 08:49 p. m. - Ana: hi", "06/20/2020, 08:50 p. m. - Bo: yo", datetime(2020, 6, 20, 20, 49)),
    ],
)
def test_every_date_system(line_a, line_b, when):
    parsed = _parse(f"{line_a}\r\n{line_b}\r\n")
    assert parsed.rejects.num_rows == 0, pl.from_arrow(parsed.rejects).to_dicts()
    named = _named(parsed)
    assert named.select("src", "dst").rows() == [("Ana", "Bo"), ("Bo", "Ana")]
    assert named["at"][0] == when.replace(tzinfo=UTC)
    assert get_format("whatsapp").sniff(f"{line_a}\n{line_b}\n", Path("chat.txt")) > 0.5


def test_solar_hijri_or_islamic_years_are_refused():
    with pytest.raises(InputFormatError, match="Gregorian calendar"):
        _parse("[1401/1/29, 14:56:01] Ana: hi\n[1401/1/29, 14:57:00] Bo: yo\n")


def test_a_year_before_whatsapp_is_rejected_not_guessed():
    parsed = _parse("[1/1/1970, 00:00:05] Ana: reset clock\n[3/18/2022, 14:57:00] Bo: yo\n")
    assert pl.from_arrow(parsed.rejects)["line"].to_list() == [1]


NOTICES = {  # the end-to-end notice and "this message was deleted" in other UI languages
    "de": ("Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.", "Diese Nachricht wurde gelöscht."),
    "id": ("Pesan dan panggilan terenkripsi secara end-to-end.", "Pesan ini telah dihapus"),
    "xx": ("Zzz qqq vvv.", "Qqq zzz."),  # a language nobody listed: structure alone must do
}


@pytest.mark.parametrize("lang", sorted(NOTICES))
def test_ios_partner_whose_only_lines_are_notices_stays_and_the_exporter_is_the_owner(lang):
    e2e, deleted = NOTICES[lang]
    text = (
        f"[3/18/22, 14:56:00] Elon Musk: {LRM}{e2e}\r\n"
        "[3/27/22, 21:41:35] Dmitry S: Hello World\r\n"
        f"{LRM}[3/27/22, 21:41:55] Dmitry S: {LRM}Bild weggelassen\r\n"
        f"[3/27/22, 21:54:45] Elon Musk: {LRM}{deleted}\r\n"
    )
    parsed = parse_chat(text, owner="me@example.org")
    rec = pl.from_arrow(parsed.records)
    assert rec.select("role", "display_name").rows() == [("owner", "Dmitry S"), ("party", "Elon Musk")]
    named = _named(parsed)
    assert set(named.select("src", "dst").rows()) >= {("Dmitry S", "Elon Musk")}
    assert set(named["n_participants"]) == {2}


def test_real_chats_in_other_languages_read_like_the_english_one(shared_data):
    folder = shared_data / "real_exports_2" / "whatsapp"
    english = read_whatsapp(folder / "whats_json.english_ios.txt", owner="me@example.org")
    for name in ("whats_json.german_ios.txt", "whats_json.arabic_ios.txt"):
        other = read_whatsapp(folder / name, owner="me@example.org")
        assert other.rejects.num_rows == 0
        assert pl.from_arrow(other.records)["role"].to_list() == ["owner", "party"]
        assert pl.from_arrow(other.records)["display_name"][0] == "Dmitry S"
        assert other.interactions.num_rows == english.interactions.num_rows
        # the exports were made from one chat a second apart here and there: compare to the minute
        minutes = [[t.replace(second=0) for t in p.interactions.column("at").to_pylist()] for p in (other, english)]
        assert minutes[0] == minutes[1]
    russian = read_whatsapp(folder / "whats_json.russian_android.txt", owner="me@example.org")
    # "Вы удалили данное сообщение" (you deleted this message) is written in the exporter's name
    assert pl.from_arrow(russian.records).select("role", "display_name").rows() == [
        ("owner", "Elon"),
        ("party", "Dmitry S"),
    ]
