#!/usr/bin/env python
"""A labelled identity set built on real exports: the Enron mailboxes plus overlapping contact exports.

    python scripts/make_identity_set.py --shared ../shared/data OUT
    python scripts/eval_identity.py OUT

The four real Enron mailboxes in ``shared/data/enron_mbox`` (Phillip Allen's and Daren Farmer's inbox
and sent mail) are copied byte for byte into ``OUT/exports`` with their owners. The people in them
(every address seen with a display name, the name as written most often, "Allen, Phillip K."
turned round) are the population. Two more exports are generated from that population, as a
colleague's LinkedIn ``Connections.csv`` and another's Google Contacts CSV would show it:

* the LinkedIn export lists about half of them by name, profile URL, company and title; a quarter of
  those rows carry the work address, the others none (as LinkedIn exports do);
* the address book lists about half of them with the address in random case, now and then a second,
  personal address, a phone in one of several national and international formats, one in ten with a
  typo in the name, and one in twenty-five with the Enron switchboard as their only phone;
* namesakes: for one person in twenty a different person with the same name at another company, in
  both exports, with their own address and phone (the trap for name-based rules).

The truth: one person per distinct address in the mailboxes (the corpus has no better key), each
generated row tied to the person it was made from, each namesake a person of its own. Written in the
layout of ``scripts/make_synthetic.py`` (``manifest.json``, ``truth.parquet``, ``exports/``), so
``scripts/eval_identity.py`` scores it. Deterministic for a ``--seed``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl

MAILBOXES = (
    "enron.allen-p._sent_mail.mbox",
    "enron.allen-p.inbox.mbox",
    "enron.farmer-d._sent_mail.mbox",
    "enron.farmer-d.inbox.mbox",
)
LINKEDIN_OWNER = "sally.beck@enron.com"
GOOGLE_OWNER = "john.arnold@enron.com"
SWITCHBOARD = "(713) 853-6161"
OTHER_COMPANIES = (("Dynegy", "dynegy.com"), ("Reliant Energy", "reliant.com"), ("El Paso", "elpaso.com"))
TITLES = ("Trader", "Analyst", "Director", "Vice President", "Manager", "Associate", "Scheduler", "Counsel")
LINKEDIN_HEADER = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
GOOGLE_FIELDS = [
    "Name",
    "Given Name",
    "Family Name",
    "Organization 1 - Name",
    "E-mail 1 - Type",
    "E-mail 1 - Value",
    "E-mail 2 - Type",
    "E-mail 2 - Value",
    "Phone 1 - Type",
    "Phone 1 - Value",
]
GOOGLE_SAMPLE = "contacts_csv/google_contacts.mtrazzi.csv"  # a real export: its 57-column header is used as is


def mailbox_people(mboxes: list[tuple[Path, str]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(people, parties)``: people by address with their most common name; every party record's file and address."""
    from reach.io.mail import read_mbox

    rows = []
    for path, owner in mboxes:
        recs = read_mbox(path, owner=owner, options={}).records
        df = pl.from_arrow(recs).filter(pl.col("role") == "party")
        for name, emails in zip(df["display_name"].to_list(), df["emails"].to_list(), strict=True):
            for e in emails or []:
                rows.append({"file": path.name, "address": e.strip().lower(), "name": name})
    parties = pl.DataFrame(rows, schema={"file": pl.String, "address": pl.String, "name": pl.String})
    names: dict[str, Counter] = {}
    for addr, name in zip(parties["address"].to_list(), parties["name"].to_list(), strict=True):
        names.setdefault(addr, Counter())
        if name:
            names[addr][name.strip().strip('"')] += 1
    people = []
    for addr in sorted(names):
        best = names[addr].most_common(1)[0][0] if names[addr] else None
        first, last = split_name(best) if best else (None, None)
        local = addr.split("@", 1)[0]
        if first is None and re.fullmatch(r"[a-z]{2,}\.[a-z]{2,}", local):  # john.arnold@enron.com: John Arnold
            first, last = (w.capitalize() for w in local.split("."))
        people.append({"address": addr, "first": first, "last": last})
    return pl.DataFrame(people, schema={"address": pl.String, "first": pl.String, "last": pl.String}), parties


def split_name(name: str) -> tuple[str | None, str | None]:
    """("Phillip", "Allen") from "Phillip K Allen" or "Allen, Phillip K."; (None, None) for addresses and
    single words."""
    if "@" in name:
        return None, None
    if "," in name:
        last, _, first = name.partition(",")
        words = first.split()
        return (words[0], last.strip()) if words and last.strip() else (None, None)
    words = name.split()
    return (words[0], words[-1]) if len(words) >= 2 else (None, None)


def typo(word: str, rng: np.random.Generator) -> str:
    if len(word) < 4:
        return word
    i = int(rng.integers(1, len(word) - 2))
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def phone(rng: np.random.Generator) -> str:
    n = int(rng.integers(0, 10_000))
    return [f"(713) 853-{n:04d}", f"713.853.{n:04d}", f"+1 713-853-{n:04d}", f"713853{n:04d}"][int(rng.integers(4))]


def csv_text(header: list[str], rows: list[list[str]], preamble: str = "") -> str:
    buf = io.StringIO()
    buf.write(preamble)
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def generate(shared: Path, out: Path, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "exports").mkdir(exist_ok=True)
    owners = {"allen-p": "phillip.allen@enron.com", "farmer-d": "daren.farmer@enron.com"}
    mboxes = []
    files = []
    for name in MAILBOXES:
        owner = owners[name.split(".")[1]]
        dst = out / "exports" / name
        shutil.copyfile(shared / "enron_mbox" / name, dst)  # byte-exact: the real export
        mboxes.append((dst, owner))
        files.append({"file": f"exports/{name}", "format": "mbox", "owner": owner})
    people, parties = mailbox_people(mboxes)
    people = people.with_row_index("person_id").with_columns(pl.col("person_id").cast(pl.Int64))
    pid_of = dict(zip(people["address"].to_list(), people["person_id"].to_list(), strict=True))
    next_id = people.height
    seen = parties.select("file", "address").unique().sort("file", "address").rows()
    truth = [
        {"file": f"exports/{f}", "format": "mbox", "role": "party", "line": None, "address": a, "person_id": pid_of[a]}
        for f, a in seen
    ]
    for f in files:
        if f["owner"] not in pid_of:  # the owner's own address is the owner record, not a party
            pid_of[f["owner"]] = next_id
            next_id += 1
        truth.append(
            {
                "file": f["file"],
                "format": "mbox",
                "role": "owner",
                "line": None,
                "address": None,
                "person_id": pid_of[f["owner"]],
            }
        )
    named = people.filter(pl.col("first").is_not_null())
    li_rows, g_rows, li_truth, g_truth = [], [], [], []
    for pid, addr, first, last in named.select("person_id", "address", "first", "last").rows():
        domain = addr.split("@", 1)[1]
        company = "Enron" if domain.endswith("enron.com") else domain.split(".")[0].capitalize()
        if rng.random() < 0.5:
            slug = f"{first}-{last}-{int(rng.integers(16**6)):06x}".lower()
            li_rows.append(
                [
                    first,
                    last,
                    f"https://www.linkedin.com/in/{slug}",
                    addr if rng.random() < 0.25 else "",
                    company,
                    TITLES[int(rng.integers(len(TITLES)))],
                    f"{int(rng.integers(1, 29)):02d} Mar 2001",
                ]
            )
            li_truth.append(pid)
        if rng.random() < 0.5:
            shown_first = typo(first, rng) if rng.random() < 0.1 else first
            email = addr.upper() if rng.random() < 0.15 else addr.capitalize() if rng.random() < 0.2 else addr
            personal = f"{first}.{last}@aol.com".lower() if rng.random() < 0.2 else ""
            tel = SWITCHBOARD if rng.random() < 0.04 else (phone(rng) if rng.random() < 0.5 else "")
            g_rows.append(
                [
                    f"{shown_first} {last}",
                    shown_first,
                    last,
                    company,
                    "* Work",
                    email,
                    "Home" if personal else "",
                    personal,
                    "Work" if tel else "",
                    tel,
                ]
            )
            g_truth.append(pid)
        if rng.random() < 0.05:  # a namesake at another company, in both exports
            other, other_domain = OTHER_COMPANIES[int(rng.integers(len(OTHER_COMPANIES)))]
            ns_addr = f"{first[0]}{last}@{other_domain}".lower()
            slug = f"{first}-{last}-{int(rng.integers(16**6)):06x}".lower()
            li_rows.append([first, last, f"https://www.linkedin.com/in/{slug}", "", other, "Trader", "02 Apr 2001"])
            li_truth.append(next_id)
            g_rows.append([f"{first} {last}", first, last, other, "* Work", ns_addr, "", "", "Work", phone(rng)])
            g_truth.append(next_id)
            next_id += 1
    preamble = (
        'Notes:\r\n"When exporting your connection data, you may notice that some of the email addresses '
        "are missing. You will only see email addresses for connections who have allowed their connections "
        "to see or download their email address using this setting https://www.linkedin.com/psettings/"
        'privacy/email. You can learn more here https://www.linkedin.com/help/linkedin/answer/261"\r\n\r\n'
    )
    li_file, g_file = "exports/sally-beck/Connections.csv", "exports/john-arnold/contacts.csv"
    (out / li_file).parent.mkdir(parents=True, exist_ok=True)
    (out / g_file).parent.mkdir(parents=True, exist_ok=True)
    (out / li_file).write_text(csv_text(LINKEDIN_HEADER, li_rows, preamble), encoding="utf-8", newline="")
    header = next(csv.reader(io.StringIO((shared / GOOGLE_SAMPLE).read_text(encoding="utf-8"))))
    at = [header.index(f) for f in GOOGLE_FIELDS]

    def full(row: list[str]) -> list[str]:
        cells = [""] * len(header)
        for i, v in zip(at, row, strict=True):
            cells[i] = v
        cells[header.index("Group Membership")] = "* myContacts"
        return cells

    (out / g_file).write_text(csv_text(header, [full(r) for r in g_rows]), encoding="utf-8", newline="")
    first_li = preamble.count("\r\n") + 2  # the header line, then one line per row
    truth += [
        {
            "file": li_file,
            "format": "linkedin-connections",
            "role": "contact",
            "line": first_li + i,
            "address": None,
            "person_id": p,
        }
        for i, p in enumerate(li_truth)
    ]
    truth += [
        {"file": g_file, "format": "google-csv", "role": "contact", "line": 2 + i, "address": None, "person_id": p}
        for i, p in enumerate(g_truth)
    ]
    for f, fmt, owner in ((li_file, "linkedin-connections", LINKEDIN_OWNER), (g_file, "google-csv", GOOGLE_OWNER)):
        files.append({"file": f, "format": fmt, "owner": owner})
        if owner not in pid_of:  # an owner the mailboxes never saw is a person of their own
            pid_of[owner] = next_id
            next_id += 1
        truth.append(
            {"file": f, "format": fmt, "role": "owner", "line": None, "address": None, "person_id": pid_of[owner]}
        )
    pl.DataFrame(
        truth,
        schema={
            "file": pl.String,
            "format": pl.String,
            "role": pl.String,
            "line": pl.Int64,
            "address": pl.String,
            "person_id": pl.Int64,
        },
    ).write_parquet(out / "truth.parquet")
    manifest = {
        "generator": "scripts/make_identity_set.py",
        "seed": seed,
        "people": next_id,
        "mailbox_people": people.height,
        "linkedin_rows": len(li_rows),
        "google_rows": len(g_rows),
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    m = generate(args.shared, args.out, args.seed)
    print(json.dumps({k: v for k, v in m.items() if k != "files"}))


if __name__ == "__main__":
    main()
