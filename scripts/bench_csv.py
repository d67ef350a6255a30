#!/usr/bin/env python
"""Benchmark the contact CSV importers beside a naive stdlib-``csv`` importer, in the same run.

Two generated files (in a temporary folder, deterministic): a Google Contacts CSV with the current
header (BOM, CRLF, 38 columns, `` ::: `` multi-values, labels, phone-only and "Other Contacts" rows, a
multi-line note every 1,000 rows) and a LinkedIn ``Connections.csv`` (BOM, CRLF, the ``Notes:``
preamble, quoted companies, a blank row every 10,000). Each side runs in its own subprocess so its
peak memory (ru_maxrss, Python and libraries included) is its own:

- **reach**: ``reach.io.google_csv.read_google_csv`` / ``reach.io.linkedin.read_connections``,
  producing the records and interactions tables;
- **csv module**: what one writes with the standard library: ``csv.reader`` over the decoded text,
  a dict per row with the same fields (names joined, `` ::: `` split, line numbers tracked), and
  ``pyarrow.Table.from_pylist`` at the end, so both produce the same tables.

Both sides' record counts are compared, and a sample of records checked equal.

    python scripts/bench_csv.py                 # 1,000,000 rows per file
    python scripts/bench_csv.py --rows 20000    # quicker
    python scripts/bench_csv.py --repeat 3      # best of three runs per side
    python scripts/bench_csv.py --smoke --json  # CI: tiny files, no timing assertions
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOOGLE_HEADER = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,"
    "Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,"
    "Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,"
    "Phone 2 - Label,Phone 2 - Value,Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,"
    "Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address,"
    "Website 1 - Label,Website 1 - Value,Custom Field 1 - Label,Custom Field 1 - Value"
)
LINKEDIN_PREAMBLE = (
    'Notes:\r\n"When exporting your connection data, you may notice that some of the email '
    'addresses are missing."\r\n\r\n'
)
LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# --------------------------------------------------------------------------- the files


def write_google(path: Path, n: int) -> None:
    cols = GOOGLE_HEADER.count(",") + 1
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        fh.write("\ufeff" + GOOGLE_HEADER + "\r\n")
        chunk = []
        for i in range(n):
            row = [""] * cols
            kind = i % 50
            if kind == 7:  # phone-only
                row[8], row[16], row[21], row[22] = f"Shop {i}", "* myContacts", "Mobile", f"+1 555-{i % 10000:04d}"
            elif kind == 13:  # "Other Contacts": the address as the name
                row[0], row[16], row[17], row[18] = (
                    f"p{i}@mail{i % 97}.example",
                    "* Other Contacts",
                    "* Other",
                    f"p{i}@mail{i % 97}.example",
                )
            else:
                row[0], row[2] = f"First{i}", f"Last{i % 5000}"
                row[10], row[11] = f"Company {i % 20000}", "Engineer"
                row[16] = "* myContacts ::: * starred" if i % 10 == 0 else "* myContacts"
                row[17], row[18] = "* Work", f"first{i}@corp{i % 1000}.example"
                if i % 4 == 0:
                    row[21], row[22] = "Mobile", f"+1 555-{i % 10000:04d} ::: +1 555-{(i + 1) % 10000:04d}"
                if i % 3 == 0:
                    row[28], row[32] = "Lisbon", "Portugal"
                if i % 1000 == 0:
                    row[14] = '"Met at the summit.\r\nFollow up, maybe."'
                if i % 25 == 0:
                    row[34], row[35] = "Profile", f"https://www.linkedin.com/in/person-{i}"
            chunk.append(",".join(row))
            if len(chunk) == 10_000:
                fh.write("\r\n".join(chunk) + "\r\n")
                chunk = []
        if chunk:
            fh.write("\r\n".join(chunk) + "\r\n")


def write_linkedin(path: Path, n: int) -> None:
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        fh.write("\ufeff" + LINKEDIN_PREAMBLE + LINKEDIN_HEADER + "\r\n")
        chunk = []
        for i in range(n):
            company = f'"Company {i % 20000}, Inc."' if i % 7 == 0 else f"Company {i % 20000}"
            email = f"first{i}@corp.example" if i % 20 == 0 else ""
            chunk.append(
                f"First{i},Last{i % 5000},https://www.linkedin.com/in/person-{i},{email},{company},"
                f"Engineer,{1 + i % 28:02d} {MONTHS[i % 12]} {2015 + i % 10}"
            )
            if i % 10_000 == 5:
                chunk.append(",,,,,,")
            if len(chunk) >= 10_000:
                fh.write("\r\n".join(chunk) + "\r\n")
                chunk = []
        if chunk:
            fh.write("\r\n".join(chunk) + "\r\n")


# --------------------------------------------------------------------------- the naive side


def naive_google(path: Path) -> dict:
    """Google CSV with the csv module: a dict per row, line numbers tracked, tables at the end."""
    import csv
    import io

    import pyarrow as pa

    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    idx = {h: i for i, h in enumerate(header)}
    email_cols = [i for h, i in idx.items() if h.startswith("E-mail") and h.endswith("Value")]
    phone_cols = [i for h, i in idx.items() if h.startswith("Phone") and h.endswith("Value")]
    site_cols = [i for h, i in idx.items() if h.startswith("Website") and h.endswith("Value")]
    records, lines, rejects = [], [], []
    prev = reader.line_num
    for row in reader:
        line = prev + 1
        prev = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) > len(header):
            rejects.append(line)
            continue
        row = row + [""] * (len(header) - len(row))
        first, last = row[idx["First Name"]].strip(), row[idx["Last Name"]].strip()
        name = (
            " ".join(p for p in (first, row[idx["Middle Name"]].strip(), last) if p)
            or row[idx["Nickname"]].strip()
            or None
        )
        emails = [e.strip() for i in email_cols for e in row[i].split(":::") if "@" in e]
        if name and "@" in name and " " not in name:
            emails.append(name) if name not in emails else None
            name = first = None
        phones = [p.strip() for i in phone_cols for p in row[i].split(":::") if p.strip()]
        sites = [s.strip() for i in site_cols for s in row[i].split(":::") if "linkedin.com/" in s.lower()]
        city, country = row[idx["Address 1 - City"]].strip(), row[idx["Address 1 - Country"]].strip()
        if not (name or emails or phones or sites):
            rejects.append(line)
            continue
        records.append(
            {
                "record_id": len(records) + 1,
                "line": line,
                "role": "contact",
                "display_name": name,
                "first_name": first or None,
                "last_name": last or None,
                "company": row[idx["Organization Name"]].strip() or None,
                "title": row[idx["Organization Title"]].strip() or None,
                "location": ", ".join(p for p in (city, country) if p) or None,
                "emails": emails or None,
                "phones": phones or None,
                "linkedin_url": sites[0] if sites else None,
            }
        )
        lines.append(line)
    table = pa.Table.from_pylist(records)
    n = len(lines)
    inter = pa.table(
        {"line": lines, "src_record": [0] * n, "dst_record": list(range(1, n + 1)), "channel": ["contact"] * n}
    )
    return {
        "records": table.num_rows,
        "interactions": inter.num_rows,
        "rejects": len(rejects),
        "sample": _sample(table),
    }


def naive_linkedin(path: Path) -> dict:
    """LinkedIn Connections.csv with the csv module (reach's own importer before this rewrite)."""
    import csv
    import io
    from datetime import UTC, datetime

    import pyarrow as pa

    months = {m.lower(): i for i, m in enumerate(MONTHS, start=1)}
    text = path.read_bytes().decode("utf-8-sig")
    start = text.find("First Name,Last Name")
    base = text.count("\n", 0, start)
    reader = csv.reader(io.StringIO(text[start:], newline=""))
    header = next(reader)
    records, ats = [], []
    prev = reader.line_num
    for row in reader:
        line = base + prev + 1
        prev = reader.line_num
        if not any(c.strip() for c in row):
            continue
        values = dict(zip(header, (c.strip() for c in row), strict=False))
        first, last = values.get("First Name", ""), values.get("Last Name", "")
        day, mon, year = values.get("Connected On", "").split()
        ats.append(datetime(int(year), months[mon.lower()], int(day), tzinfo=UTC))
        email = values.get("Email Address", "")
        records.append(
            {
                "record_id": len(records) + 1,
                "line": line,
                "role": "contact",
                "display_name": " ".join(p for p in (first, last) if p) or None,
                "first_name": first or None,
                "last_name": last or None,
                "company": values.get("Company") or None,
                "title": values.get("Position") or None,
                "emails": [email] if email else None,
                "linkedin_url": values.get("URL") or None,
            }
        )
    table = pa.Table.from_pylist(records)
    inter = pa.table({"at": pa.array(ats, pa.timestamp("us", tz="UTC"))})
    return {"records": table.num_rows, "interactions": inter.num_rows, "rejects": 0, "sample": _sample(table)}


def _sample(table) -> list[dict]:
    """A few records (every 9973rd) in a comparable form."""
    cols = ["line", "display_name", "company", "title", "emails", "phones", "linkedin_url", "location"]
    cols = [c for c in cols if c in table.column_names]
    step = max(1, table.num_rows // 100)
    rows = table.take(list(range(0, table.num_rows, step))).select(cols).to_pylist()
    return [{k: v for k, v in r.items()} for r in rows]


# --------------------------------------------------------------------------- the reach side


def reach_google(path: Path) -> dict:
    from reach.io.google_csv import read_google_csv

    parsed = read_google_csv(path, owner="me@example.com", options={})
    contacts = parsed.records.slice(1)
    return {
        "records": contacts.num_rows,
        "interactions": parsed.interactions.num_rows,
        "rejects": parsed.rejects.num_rows,
        "sample": _sample(contacts),
    }


def reach_linkedin(path: Path) -> dict:
    from reach.io.linkedin import read_connections

    parsed = read_connections(path, owner="me@example.com", options={})
    contacts = parsed.records.slice(1)
    return {
        "records": contacts.num_rows,
        "interactions": parsed.interactions.num_rows,
        "rejects": parsed.rejects.num_rows,
        "sample": _sample(contacts),
    }


SIDES = {
    ("google", "reach"): reach_google,
    ("google", "csv"): naive_google,
    ("linkedin", "reach"): reach_linkedin,
    ("linkedin", "csv"): naive_linkedin,
}


def child(kind: str, side: str, path: Path) -> dict:
    import pyarrow as pa  # imported and warmed up before timing, on both sides

    import reach.io.csvutil  # noqa: F401

    pa.array([0])  # pyarrow imports pandas on first use: a one-off cost of any process, kept out of the timing

    base = peak_mb()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    out = SIDES[(kind, side)](path)
    out["seconds"] = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_seconds"] = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    out["peak_mb"] = peak_mb()
    out["import_mb"] = base
    return out


def run_child(kind: str, side: str, path: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, side, str(path)], capture_output=True, text=True, check=False
    )
    if proc.returncode:
        raise SystemExit(f"{kind}/{side} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def _same(ours: list[dict], theirs: list[dict]) -> bool:
    """The sampled records agree on every column the naive side fills."""
    keys = set(theirs[0]) if theirs else set()
    return [{k: r.get(k) for k in keys} for r in ours] == [{k: r.get(k) for k in keys} for r in theirs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="data rows per generated file")
    ap.add_argument("--smoke", action="store_true", help="10,000 rows: a quick check that everything runs")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each side this many times and keep the fastest (shared machines are noisy)",
    )
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, side, path = args.child
        print(json.dumps(child(kind, side, Path(path)), default=str))
        return
    n = 10_000 if args.smoke else args.rows
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        files = {"google": Path(tmp) / "google-contacts.csv", "linkedin": Path(tmp) / "Connections.csv"}
        write_google(files["google"], n)
        write_linkedin(files["linkedin"], n)
        for kind, path in files.items():
            mb = path.stat().st_size / 1e6
            sides = {
                side: min((run_child(kind, side, path) for _ in range(max(1, args.repeat))), key=lambda r: r["seconds"])
                for side in ("reach", "csv")
            }
            same = sides["reach"]["records"] == sides["csv"]["records"] and _same(
                sides["reach"]["sample"], sides["csv"]["sample"]
            )
            for side, res in sides.items():
                results.append(
                    {
                        "file": kind,
                        "side": side,
                        "rows": n,
                        "mb": round(mb, 1),
                        "records": res["records"],
                        "rejects": res["rejects"],
                        "seconds": round(res["seconds"], 3),
                        "cpu_seconds": round(res["cpu_seconds"], 3),
                        "rows_per_s": round(n / res["seconds"]) if res["seconds"] else None,
                        "mb_per_s": round(mb / res["seconds"], 1) if res["seconds"] else None,
                        "peak_mb": round(res["peak_mb"]),
                        "peak_above_imports_mb": round(res["peak_mb"] - res["import_mb"]),
                        "same_output": same,
                    }
                )
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        f"{'file':9} {'side':6} {'rows':>9} {'MB':>6} {'seconds':>8} {'cpu s':>6} {'rows/s':>11} {'MB/s':>6} "
        f"{'peak MB':>8} {'(+imports)':>10} same"
    )
    for r in results:
        print(
            f"{r['file']:9} {r['side']:6} {r['rows']:>9} {r['mb']:>6} {r['seconds']:>8} {r['cpu_seconds']:>6} "
            f"{r['rows_per_s']:>11,} {r['mb_per_s']:>6} {r['peak_above_imports_mb']:>8} {r['peak_mb']:>10} "
            f"{r['same_output']}"
        )
    for kind in ("google", "linkedin"):
        pair = {r["side"]: r for r in results if r["file"] == kind}
        print(f"{kind}: reach is {pair['csv']['seconds'] / pair['reach']['seconds']:.1f}x the csv module")


if __name__ == "__main__":
    main()
