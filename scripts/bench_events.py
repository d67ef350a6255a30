#!/usr/bin/env python
"""Import and build time on synthetic data: what counting events (not copies) costs.

    python scripts/make_synthetic.py /tmp/reach-L --people 1000000      # the data, once (not timed)
    python scripts/bench_events.py /tmp/reach-L                         # this checkout
    PYTHONPATH=/path/to/other/checkout/src python scripts/bench_events.py /tmp/reach-L --label before

Times, in a fresh workspace each run: importing the edge list, importing every export with its owner
(the synthetic team's LinkedIn, Google Contacts, mbox and calendar files), and ``build`` (identity
resolution and tie strengths; ``force=True``). Then the same exports are imported again as copies at
other paths (each export seen twice, as in a pooled team) and built again: with event keys the ties of
that build equal those of the first (the check column says whether they do), without them they grow.
Prints one JSON line per run with the seconds of each stage and the people, ties and strength sum.
The peer is the same script run over another checkout (``PYTHONPATH``), in the same session.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def run_once(data: Path, tmp: Path, copies: bool) -> dict:
    import polars as pl

    import reach
    from reach.pipeline import build, import_paths
    from reach.workspace import Workspace

    manifest = json.loads((data / "manifest.json").read_text())
    ws_path = tmp / f"ws{time.perf_counter_ns()}"
    t0 = time.perf_counter()
    import_paths(ws_path, [data / "edges.txt"])
    t1 = time.perf_counter()
    for f in manifest["files"]:
        import_paths(ws_path, [data / f["file"]], fmt=f["format"], owner=f["owner"])
    t2 = time.perf_counter()
    build(ws_path, force=True)
    t3 = time.perf_counter()
    ws = Workspace.open(ws_path)
    ties = pl.from_arrow(ws.built("ties"))
    out = {
        "reach": str(Path(reach.__file__).resolve().parents[1]),
        "import_edgelist_s": round(t1 - t0, 2),
        "import_exports_s": round(t2 - t1, 2),
        "build_s": round(t3 - t2, 2),
        "import_build_s": round(t3 - t0, 2),
        "people": ws.built("people").num_rows,
        "ties": ties.height,
        "strength_sum": round(float(ties["strength"].sum()), 4),
        "interactions": ws.raw("interactions").num_rows,
    }
    if copies:
        copy_dir = tmp / "copies"
        for f in manifest["files"]:
            dst = copy_dir / f["file"]
            dst.parent.mkdir(parents=True, exist_ok=True)
            if not dst.exists():
                shutil.copyfile(data / f["file"], dst)
                with Path(dst).open("ab") as fh:  # other bytes, same content: a second export of the same events
                    fh.write(b"\n")
            import_paths(ws_path, [dst], fmt=f["format"], owner=f["owner"])
        t4 = time.perf_counter()
        build(ws_path, force=True)
        t5 = time.perf_counter()
        again = pl.from_arrow(ws.built("ties"))
        out |= {
            "build_with_copies_s": round(t5 - t4, 2),
            "ties_with_copies": again.height,
            "strength_sum_with_copies": round(float(again["strength"].sum()), 4),
            "interactions_with_copies": ws.raw("interactions").num_rows,
        }
    shutil.rmtree(ws_path, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path, help="a folder written by scripts/make_synthetic.py")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--label", default="")
    ap.add_argument("--copies", action="store_true", help="also import every export a second time and rebuild")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="reach-bench-events-"))
    try:
        runs = [run_once(args.data, tmp, args.copies and i == 0) for i in range(args.repeats)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for r in runs:
        print(json.dumps({"label": args.label, **r}))
    keys = ("import_edgelist_s", "import_exports_s", "build_s", "import_build_s")
    print(
        json.dumps({"label": args.label, "median": {k: round(statistics.median(r[k] for r in runs), 2) for k in keys}})
    )


if __name__ == "__main__":
    main()
