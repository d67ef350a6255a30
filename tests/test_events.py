"""Count events, not copies: the same real-world event imported from several exports counts once.

Each test compares with ONE clean import of the same final content (the union of the messages, once).
``n_sources`` (provenance: how many exports hold evidence) and the people's ``n_records``/``n_sources``
are the only columns allowed to differ.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reach.pipeline import build, import_paths
from reach.workspace import Workspace

ENRON = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "enron_mbox" / "enron.allen-p._sent_mail.mbox"
PROVENANCE = {"n_sources", "vertex_a", "vertex_b"}


def _messages(path: Path) -> list[bytes]:
    """The mbox's messages, split at 'From ' separator lines with the stdlib regex engine (independent of reach)."""
    data = path.read_bytes()
    starts = [m.start() for m in re.finditer(rb"^From ", data, re.MULTILINE)]
    return [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)], strict=True)]


def _ties(ws: Path) -> pl.DataFrame:
    """The ties with each side named by its smallest email (person ids hash an owner's label when they own an
    import, and the two workspaces compared do not always have the same owners)."""
    build(ws, force=True)
    ties = pl.from_arrow(Workspace.open(ws).built("ties"))
    ppl = pl.from_arrow(Workspace.open(ws).built("people"))
    name = ppl.select(
        "person_id", pl.coalesce(pl.col("emails").list.min(), pl.col("linkedin"), pl.col("person_id")).alias("who")
    )
    ties = ties.join(name.rename({"person_id": "person_a", "who": "a"}), on="person_a").join(
        name.rename({"person_id": "person_b", "who": "b"}), on="person_b"
    )
    swap = pl.col("a") > pl.col("b")
    ties = ties.with_columns(
        pl.when(swap).then(pl.col("b")).otherwise(pl.col("a")).alias("a"),
        pl.when(swap).then(pl.col("a")).otherwise(pl.col("b")).alias("b"),
        pl.when(swap).then(pl.col("n_b_to_a")).otherwise(pl.col("n_a_to_b")).alias("n_a_to_b"),
        pl.when(swap).then(pl.col("n_a_to_b")).otherwise(pl.col("n_b_to_a")).alias("n_b_to_a"),
    )
    return ties.drop(*PROVENANCE, "person_a", "person_b").sort("a", "b")


def _people(ws: Path) -> pl.DataFrame:
    return pl.from_arrow(Workspace.open(ws).built("people")).drop("n_records", "n_sources").sort("person_id")


@pytest.mark.skipif(not ENRON.exists(), reason="shared Enron data not available")
def test_two_overlapping_halves_of_a_real_mailbox_equal_one_import(tmp_path):
    msgs = _messages(ENRON)
    n = len(msgs)
    assert n > 50
    first, second = msgs[: 2 * n // 3], msgs[n // 3 :]  # a third of the messages in both halves
    (tmp_path / "a.mbox").write_bytes(b"".join(first))
    (tmp_path / "b.mbox").write_bytes(b"".join(second))
    owner = "phillip.allen@enron.com"
    import_paths(tmp_path / "halves", [tmp_path / "a.mbox"], owner=owner)
    import_paths(tmp_path / "halves", [tmp_path / "b.mbox"], owner=owner)
    import_paths(tmp_path / "clean", [ENRON], owner=owner)
    halves, clean = _ties(tmp_path / "halves"), _ties(tmp_path / "clean")
    assert halves.height == clean.height
    assert halves.equals(clean)
    assert _people(tmp_path / "halves").equals(_people(tmp_path / "clean"))
    # the copies are still there as provenance
    both = pl.from_arrow(Workspace.open(tmp_path / "halves").raw("interactions")).height
    assert both > pl.from_arrow(Workspace.open(tmp_path / "clean").raw("interactions")).height


MSG = (
    "From {sender} Mon Jan  1 00:00:00 2024\nFrom: {sender}\nTo: {to}\nDate: Mon, {day} Jan 2024 10:00:00 +0000\n"
    "Message-ID: <{mid}@example.com>\nSubject: hello\n\nbody\n\n"
)


def _mbox(rows) -> str:
    return "".join(MSG.format(sender=s, to=t, day=d, mid=m) for s, t, d, m in rows)


def test_same_messages_in_the_senders_and_the_recipients_mailbox_count_once(tmp_path):
    ana, ben, cy = "ana@example.com", "ben@example.com", "cy@example.com"
    rows = [
        (ana, ben, 2, "m1"),
        (ben, ana, 3, "m2"),
        (ana, f"{ben}, {cy}", 4, "m3"),
        # three different messages sharing one Message-ID (real files do this): three events
        (ana, ben, 5, "dup"),
        (cy, ben, 6, "dup"),
        (ben, ana, 7, "dup"),
    ]
    (tmp_path / "ana.mbox").write_text(_mbox(rows))
    (tmp_path / "ben.mbox").write_text(_mbox([r for r in rows if ben in r[0] or ben in r[1]]))
    import_paths(tmp_path / "two", [tmp_path / "ana.mbox"], owner=ana)
    import_paths(tmp_path / "two", [tmp_path / "ben.mbox"], owner=ben)
    import_paths(tmp_path / "one", [tmp_path / "ana.mbox"], owner=ana)
    two, one = _ties(tmp_path / "two"), _ties(tmp_path / "one")
    assert two.equals(one)
    # brute force: the ana-ben tie holds every distinct message between them once
    expected = sum(1 for s, t, _, _ in rows if {ana, ben} <= {s, *t.split(", ")})
    assert one["n_emails"].max() == expected == 5


CONN = (
    'Notes:\n"When exporting your connection data, you may notice that some of the email addresses are missing."\n\n'
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
)


def test_two_linkedin_exports_that_list_each_others_owner(tmp_path):
    ana = CONN + (
        "Ben,Berg,https://www.linkedin.com/in/ben-berg,ben@example.com,Acme,CTO,01 Mar 2024\n"
        "Cy,Cole,https://www.linkedin.com/in/cy-cole,,Beta,CEO,02 Mar 2024\n"
    )
    ben = CONN + "Ana,Alves,https://www.linkedin.com/in/ana-alves,ana@example.com,Acme,CEO,01 Mar 2024\n"
    ben_alone = CONN + "Dee,Dunn,https://www.linkedin.com/in/dee-dunn,,Gamma,VP,03 Mar 2024\n"
    for name, text in (
        ("ana", ana),
        ("ben", ben + "Dee,Dunn,https://www.linkedin.com/in/dee-dunn,,Gamma,VP,03 Mar 2024\n"),
        ("ben_clean", ben_alone),
    ):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Connections.csv").write_text(text)
    import_paths(tmp_path / "both", [tmp_path / "ana" / "Connections.csv"], owner="ana@example.com")
    import_paths(tmp_path / "both", [tmp_path / "ben" / "Connections.csv"], owner="ben@example.com")
    import_paths(tmp_path / "clean", [tmp_path / "ana" / "Connections.csv"], owner="ana@example.com")
    import_paths(tmp_path / "clean", [tmp_path / "ben_clean" / "Connections.csv"], owner="ben@example.com")
    both, clean = _ties(tmp_path / "both"), _ties(tmp_path / "clean")
    assert both.equals(clean)
    assert both["n_connections"].to_list() == [1, 1, 1]
    assert (both["n_a_to_b"] + both["n_b_to_a"]).sum() == 0  # a connection has no initiator


ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:meet-1@example.com\r\n"
    "DTSTART:20240105T100000Z\r\nDTEND:20240105T110000Z\r\nSUMMARY:Plan\r\n"
    "ORGANIZER;CN=Ana:mailto:ana@example.com\r\nATTENDEE;CN=Ben:mailto:ben@example.com\r\n"
    "ATTENDEE;CN=Cy:mailto:cy@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_two_calendars_of_one_meetings_attendees(tmp_path):
    (tmp_path / "ana.ics").write_text(ICS)
    (tmp_path / "ben.ics").write_text(ICS.replace("PRODID:-//x//y//EN", "PRODID:-//other//client//EN"))
    import_paths(tmp_path / "two", [tmp_path / "ana.ics"], owner="ana@example.com")
    import_paths(tmp_path / "two", [tmp_path / "ben.ics"], owner="ben@example.com")
    import_paths(tmp_path / "one", [tmp_path / "ana.ics"], owner="ana@example.com")
    two, one = _ties(tmp_path / "two"), _ties(tmp_path / "one")
    assert two.equals(one)
    assert one["n_meetings"].to_list() == [1, 1, 1]


PEOPLE = ["ana@example.com", "ben@example.com", "cy@example.com", "dee@example.com"]
VEVENT = (
    "BEGIN:VEVENT\r\nUID:ev{i}@example.com\r\nDTSTART:202401{d:02d}T100000Z\r\nDTEND:202401{d:02d}T110000Z\r\n"
    "SUMMARY:m\r\nORGANIZER:mailto:{org}\r\n{att}END:VEVENT\r\n"
)


def _ics(events) -> str:
    body = "".join(
        VEVENT.format(i=i, d=d, org=org, att="".join(f"ATTENDEE:mailto:{a}\r\n" for a in att))
        for i, d, org, att in events
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{body}END:VCALENDAR\r\n"


_event = st.tuples(
    st.sampled_from(["email", "meeting"]),
    st.integers(0, 3),  # sender / organiser
    st.sets(st.integers(0, 3), min_size=1, max_size=3),  # recipients / attendees
    st.integers(1, 28),  # day
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=st.lists(_event, min_size=1, max_size=12),
    n_exports=st.integers(2, 4),
    data=st.data(),
)
def test_random_overlapping_splits_of_exports_give_the_ties_of_their_union(events, n_exports, data):
    """Every event goes to at least one export, any may go to several (each export its own owner); the ties
    equal those of one import of the union."""
    events = [(kind, s, sorted(r - {s}), d) for kind, s, r, d in events if r - {s}]
    if not events:
        return
    homes = [data.draw(st.sets(st.integers(0, n_exports - 1), min_size=1)) for _ in events]

    def write(folder: Path, chosen: list[int]) -> list[Path]:
        mails = [
            (PEOPLE[events[i][1]], ", ".join(PEOPLE[r] for r in events[i][2]), events[i][3], f"e{i}")
            for i in chosen
            if events[i][0] == "email"
        ]
        meets = [
            (i, events[i][3], PEOPLE[events[i][1]], [PEOPLE[r] for r in events[i][2]])
            for i in chosen
            if events[i][0] == "meeting"
        ]
        folder.mkdir(parents=True)
        out = []
        if mails:
            (folder / "mail.mbox").write_text(_mbox([(s, t, min(d, 28), m) for s, t, d, m in mails]))
            out.append(folder / "mail.mbox")
        if meets:
            (folder / "cal.ics").write_text(_ics(meets))
            out.append(folder / "cal.ics")
        return out

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for e in range(n_exports):
            chosen = [i for i, h in enumerate(homes) if e in h]
            files = write(root / f"export{e}", chosen)
            if files:
                import_paths(root / "split", files, owner=PEOPLE[e % len(PEOPLE)])
        import_paths(root / "union", write(root / "all", list(range(len(events)))), owner=PEOPLE[0])
        assert _ties(root / "split").equals(_ties(root / "union"))
