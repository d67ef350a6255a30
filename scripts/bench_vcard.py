"""Benchmark the vCard importer against the ``vobject`` library, side by side.

The input is made by concatenating every real ``.vcf`` in ``../shared/data/vcard`` (Android 2.1 with
QUOTED-PRINTABLE, iPhone 3.0 with a 45 KB base64 PHOTO, Outlook, Gmail, RFC examples...) as often as
needed to reach ``--cards`` cards, plus, separately, the generated sample address book
(``data/samples/vcard``), which looks like a real iCloud export (small photos, itemN groups).

    python scripts/bench_vcard.py [--cards 20000] [--no-vobject]

``vobject`` is only a baseline here (``pip install vobject``); it is not a dependency of reach.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "vcard"
SAMPLES = REPO / "data" / "samples" / "vcard"


def build(files: list[Path], n_cards: int, out: Path) -> int:
    chunks = []
    per_round = 0
    for f in files:
        data = f.read_bytes()
        if not data.endswith(b"\n"):
            data += b"\r\n"
        chunks.append(data)
        per_round += data.upper().count(b"BEGIN:VCARD")
    rounds = max(1, -(-n_cards // per_round))
    out.write_bytes(b"".join(chunks) * rounds)
    return per_round * rounds


def time_reach(path: Path) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one import; CPU time is steadier on a shared machine."""
    from reach.io.vcard import read_vcard

    t, c = time.perf_counter(), time.process_time()
    read_vcard(path, owner="me@example.com", options={})
    return time.process_time() - c, time.perf_counter() - t


def time_vobject(path: Path) -> tuple[float, float, int] | None:
    try:
        import vobject
    except ImportError:
        return None
    logging.getLogger("vobject").setLevel(logging.CRITICAL)
    logging.getLogger("vobject.base").setLevel(logging.CRITICAL)
    t, c = time.perf_counter(), time.process_time()
    text = path.read_text(encoding="utf-8", errors="replace")
    n = 0
    for card in vobject.readComponents(text, ignoreUnreadable=True):
        # the same fields reach extracts, so both do comparable work
        for key in ("fn", "n", "email", "tel", "org", "title", "url"):
            for prop in card.contents.get(key, ()):
                _ = prop.value
        n += 1
    return time.process_time() - c, time.perf_counter() - t, n


def run(label: str, path: Path, cards: int, use_vobject: bool) -> None:
    size = path.stat().st_size
    runs = [time_reach(path) for _ in range(5)]
    cpu, wall = min(r[0] for r in runs), min(r[1] for r in runs)
    print(f"\n{label}: {cards:,} cards, {size / 1e6:.1f} MB  (best of 5; CPU time, wall time in brackets)")
    print(
        f"  {'reach':8s} {cpu:7.3f} s  {cards / cpu:>9,.0f} cards/s  {size / cpu / 1e6:6.1f} MB/s"
        f"   [{wall:.3f} s wall, {cards / wall:,.0f} cards/s]"
    )
    if not use_vobject:
        return
    try:
        res = time_vobject(path)
    except Exception as exc:  # noqa: BLE001 - vobject gives up on some real files (2.1 soft breaks, bad base64)
        print(f"  {'vobject':8s} failed: {type(exc).__name__}: {str(exc)[:80]}")
        return
    if res is None:
        print("  vobject not installed (pip install vobject) - baseline skipped")
        return
    vcpu, vwall, n = res
    print(
        f"  {'vobject':8s} {vcpu:7.3f} s  {n / vcpu:>9,.0f} cards/s  ({n:,} cards read)"
        f"   [{vwall:.3f} s wall]   reach is {vcpu / cpu:.1f}x faster"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=20000)
    ap.add_argument("--no-vobject", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        real = sorted(SHARED.rglob("*.vcf"))
        if real:
            # vobject stops at the Android 2.1 file (bad base64); bench the rest with it too
            out = Path(tmp) / "real.vcf"
            n = build(real, args.cards, out)
            run("real files repeated (all)", out, n, use_vobject=False)
            tolerated = [f for f in real if "ANDROID" not in f.name]
            out2 = Path(tmp) / "real-vobject.vcf"
            n2 = build(tolerated, args.cards, out2)
            run("real files repeated (without Android 2.1, which vobject cannot read)", out2, n2, not args.no_vobject)
        else:
            print(f"(no real data at {SHARED}; skipping)")
        samples = sorted(SAMPLES.glob("*.vcf"))
        if samples:
            out3 = Path(tmp) / "sample.vcf"
            n3 = build(samples, args.cards, out3)
            run("generated sample address book repeated", out3, n3, not args.no_vobject)
    return 0


if __name__ == "__main__":
    sys.exit(main())
