"""Benchmark the iCalendar importer against the ``icalendar`` library, side by side.

The input is the generated Google-style sample (``data/samples/calendar/ben-calendar.ics``) plus the
real files' events (``../shared/data/ics``), with their VEVENTs repeated (fresh UIDs) until there are
``--events`` events in one VCALENDAR. ``reach`` does everything it does on import (parameters, time
zones, recurrence expansion, records and interactions); ``icalendar`` only parses the file and reads
ORGANIZER, ATTENDEE and DTSTART of each event (no recurrence expansion), so it does less work.

    python scripts/bench_ics.py [--events 20000]

``icalendar`` is only a baseline here (``pip install icalendar``); it is not a dependency of reach.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "ics"
SAMPLE = REPO / "data" / "samples" / "calendar" / "ben-calendar.ics"
EVENT = re.compile(rb"BEGIN:VEVENT\r?\n.*?END:VEVENT\r?\n?", re.DOTALL)
TIMEZONE = re.compile(rb"BEGIN:VTIMEZONE\r?\n.*?END:VTIMEZONE\r?\n?", re.DOTALL)


def build(n_events: int, out: Path) -> int:
    sources = [SAMPLE, *sorted(SHARED.rglob("*.ics"))]
    events: list[bytes] = []
    zones: dict[bytes, bytes] = {}
    for src in sources:
        if not src.exists():
            continue
        data = src.read_bytes().replace(b"\r\n", b"\n")
        for tz in TIMEZONE.findall(data):
            zones.setdefault(re.search(rb"TZID:([^\n]*)", tz).group(1), tz)
        events += [e if e.endswith(b"\n") else e + b"\n" for e in EVENT.findall(data)]
    body = []
    k = 0
    while len(body) < n_events:
        for e in events:
            k += 1
            body.append(re.sub(rb"(?m)^UID:([^\n]*)", lambda m, k=k: b"UID:" + m.group(1) + b"-%d" % k, e))
            if len(body) >= n_events:
                break
    text = (
        b"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//reach//bench//EN\n"
        + b"".join(zones.values())
        + b"".join(body)
        + b"END:VCALENDAR\n"
    )
    out.write_bytes(text.replace(b"\n", b"\r\n"))
    return len(body)


def time_reach(path: Path) -> tuple[float, float]:
    from reach.io.ics import read_ics

    t, c = time.perf_counter(), time.process_time()
    read_ics(path, owner="ben@northwind.example", options={"as_of": "2025-12-01T00:00:00Z"})
    return time.process_time() - c, time.perf_counter() - t


def time_icalendar(path: Path) -> tuple[float, float] | None:
    try:
        import icalendar
    except ImportError:
        return None
    t, c = time.perf_counter(), time.process_time()
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    for ev in cal.walk("VEVENT"):
        org = ev.get("ORGANIZER")
        _ = None if org is None else (str(org), org.params.get("CN"))
        atts = ev.get("ATTENDEE") or []
        for a in atts if isinstance(atts, list) else [atts]:
            _ = (str(a), a.params.get("CN"), a.params.get("PARTSTAT"))
        start = ev.get("DTSTART")
        _ = None if start is None else start.dt
    return time.process_time() - c, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=20000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.ics"
        n = build(args.events, path)
        size = path.stat().st_size
        runs = [time_reach(path) for _ in range(5)]
        cpu, wall = min(r[0] for r in runs), min(r[1] for r in runs)
        print(
            f"{n:,} events, {size / 1e6:.1f} MB (sample + real files, repeated; best of 5, CPU time, wall in brackets)"
        )
        print(f"  {'reach':10s} {cpu:7.3f} s  {n / cpu:>9,.0f} events/s   [{wall:.3f} s wall]")
        other = time_icalendar(path)
        if other is None:
            print("  icalendar not installed (pip install icalendar) - baseline skipped")
        else:
            ocpu, owall = other
            print(
                f"  {'icalendar':10s} {ocpu:7.3f} s  {n / ocpu:>9,.0f} events/s   [{owall:.3f} s wall]"
                f"   reach is {ocpu / cpu:.1f}x faster"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
