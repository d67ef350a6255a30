#!/usr/bin/env python
"""Benchmark reach's mail importer against the standard library's ``mailbox`` on the Enron mbox files.

The four Enron mailboxes in ``../shared/data/enron_mbox`` (1,500 messages) are concatenated ``--copies``
times into one temporary mbox (40 copies: 60,000 messages, ~100 MB) so the figures are stable. Both
sides extract the same facts from every message: the From, To, Cc and Bcc addresses and the Date.

- ``reach``: ``reach.io.mail.read_mbox`` (headers only, streamed; builds the Arrow tables too);
- ``mailbox``: the naive way, ``for msg in mailbox.mbox(path)`` then ``getaddresses`` and
  ``parsedate_to_datetime`` on the parsed message (reads and parses every body).

Each side runs in its own subprocess, so its peak resident memory (``ru_maxrss``) is its own; a second
run of each side under ``tracemalloc`` gives the peak of Python allocations. Repeating one mailbox makes
its headers repeat, which helps reach's per-header caches; the extra row "original files" reads the
four real files one by one, each with fresh caches.

    python scripts/bench_mail.py                 # 40 copies
    python scripts/bench_mail.py --copies 4      # quicker
    python scripts/bench_mail.py --file my.mbox  # your own mailbox instead of the Enron copies
    python scripts/bench_mail.py --json
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENRON = REPO.parent / "shared" / "data" / "enron_mbox"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_reach(paths: list[Path]) -> int:
    from reach.io.mail import read_mbox

    n = 0
    for path in paths:
        parsed = read_mbox(path, owner=None, options={})
        n += parsed.n_rows
    return n


def run_mailbox(paths: list[Path]) -> int:
    import mailbox
    from email.utils import getaddresses, parsedate_to_datetime

    n = 0
    senders, recipients, dates = [], [], []
    for path in paths:
        for msg in mailbox.mbox(path):
            n += 1
            senders.append(getaddresses(msg.get_all("from", [])))
            recipients.append(getaddresses(msg.get_all("to", []) + msg.get_all("cc", []) + msg.get_all("bcc", [])))
            try:
                dates.append(parsedate_to_datetime(msg["date"]))
            except (TypeError, ValueError):
                dates.append(None)
    return n


def child(side: str, paths: list[Path], repeat: int, trace: bool) -> dict:
    fn = run_reach if side == "reach" else run_mailbox
    if side == "reach":
        import pyarrow as pa

        import reach.io.mail  # noqa: F401 - import time (pyarrow, numpy) is not parse time

        pa.array([0])  # pyarrow imports pandas on its first array (~28 MB): also import time
    else:
        import mailbox  # noqa: F401
    baseline = peak_rss_mb()
    if trace:
        tracemalloc.start()
        n = fn(paths)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {"messages": n, "tracemalloc_peak_mb": peak / 2**20}
    best = float("inf")
    n = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        n = fn(paths)
        best = min(best, time.perf_counter() - t0)
    return {
        "messages": n,
        "seconds": best,
        "per_second": n / best,
        "rss_peak_mb": peak_rss_mb(),
        "rss_imports_mb": baseline,
    }


def spawn(side: str, paths: list[Path], repeat: int, trace: bool) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        side,
        "--repeat",
        str(repeat),
        *(["--trace"] if trace else []),
        "--paths",
        *map(str, paths),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40, help="copies of the four Enron files (default 40)")
    parser.add_argument("--file", type=Path, help="benchmark this mbox instead")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of reach; the best counts")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["reach", "mailbox"], help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.paths, args.repeat, args.trace)))
        return

    originals = sorted(ENRON.glob("*.mbox"))
    with tempfile.TemporaryDirectory() as tmp:
        if args.file:
            big = args.file
        else:
            if not originals:
                sys.exit(f"no Enron mbox files in {ENRON}")
            big = Path(tmp) / f"enron-x{args.copies}.mbox"
            data = b"".join(p.read_bytes() for p in originals)
            with Path(big).open("wb") as fh:
                fh.writelines(data for _ in range(args.copies))
        size_mb = big.stat().st_size / 2**20
        rows = {
            "reach": {**spawn("reach", [big], args.repeat, False), **spawn("reach", [big], 1, True)},
            "mailbox": {**spawn("mailbox", [big], 1, False), **spawn("mailbox", [big], 1, True)},
        }
        if not args.file:
            rows["reach, original files"] = spawn("reach", originals * 10, args.repeat, False)
    result = {
        "file": str(big) if args.file else f"Enron x{args.copies}",
        "size_mb": round(size_mb, 1),
        "results": rows,
        "speedup": rows["reach"]["per_second"] / rows["mailbox"]["per_second"],
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"mailbox: {result['file']}, {size_mb:.1f} MB, {rows['reach']['messages']:,} messages")
    print(
        f"{'':24} {'messages/s':>12} {'seconds':>9} {'peak RSS MB':>12} {'of which imports':>17} {'tracemalloc MB':>15}"
    )
    for name, r in rows.items():
        trace = f"{r['tracemalloc_peak_mb']:15.1f}" if "tracemalloc_peak_mb" in r else f"{'':>15}"
        print(
            f"{name:24} {r['per_second']:12,.0f} {r['seconds']:9.2f} {r['rss_peak_mb']:12.1f} "
            f"{r['rss_imports_mb']:17.1f} {trace}"
        )
    print(
        f"reach is {result['speedup']:.1f}x faster than mailbox; reach never holds more than a chunk "
        f"(1 MiB) of the file, mailbox reads each whole message"
    )
    if not args.file:
        print("'reach, original files': the four real files (x10), each read with fresh caches")


if __name__ == "__main__":
    main()
