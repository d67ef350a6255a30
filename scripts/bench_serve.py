"""How fast ``reach serve`` answers on a big workspace, and how much memory the server holds.

    python scripts/bench_serve.py --size L          # 1M people, ~10M ties: the issue's figures
    python scripts/bench_serve.py --size XS --json  # quick smoke run

The synthetic team data of ``scripts/bench.py`` (``$TMPDIR/reach-bench/<size>``, made once by
``scripts/make_synthetic.py``) is imported and built into a workspace beside it (once; reused while
the data is unchanged). The server runs in a subprocess, as a user starts it, and is asked over HTTP:

- ``person``: the person page of 50 random people reached by the team (who they are, who knows them,
  the warmest routes with their evidence and the drafted request);
- ``targets``: a pasted list of 50 work emails, the best route to each (the form a recruiter posts);
- ``search``: a name search with "did you mean" for near misses.

Each request is timed from the client (the whole HTTP round trip on loopback); the table gives the median
and the 90th percentile. Beside each page, the same question asked of the library in one cold CLI process
(``reach intros --to ...``), the way the answer was got before the server: it pays for loading the graph on
every question, which the server pays once. The server's resident memory (VmRSS and its peak VmHWM from
``/proc``) is read after the load and after the requests, beside the size of the graph's CSR arrays.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
import bench  # noqa: E402  (the sizes and the synthetic data live there)

TOKEN = "bench-token-" + "0" * 20
SERVER = """
import sys
from reach.serve import serve
serve(sys.argv[1], port=0, token=sys.argv[2], out=sys.stdout)
"""


def ensure_workspace(data: Path) -> Path:
    """The imported and built workspace of ``data`` (the edge list and every export with its owner)."""
    from reach.io.formats import registry
    from reach.pipeline import build, import_paths

    manifest = json.loads((data / "manifest.json").read_text())
    ws = data / "serve-ws"
    stamp = data / "serve-ws.json"
    key = {"people": manifest["people"], "seed": manifest["seed"], "files": len(manifest["files"])}
    if ws.exists() and stamp.exists() and json.loads(stamp.read_text()) == key:
        return ws
    import shutil

    shutil.rmtree(ws, ignore_errors=True)
    t0 = time.perf_counter()
    import_paths(ws, [data / "edges.txt"])
    known = registry()
    for f in manifest["files"]:
        if f["format"] in known:
            import_paths(ws, [data / f["file"]], fmt=f["format"], owner=f["owner"])
    build(ws)
    stamp.write_text(json.dumps(key))
    print(f"workspace imported and built in {time.perf_counter() - t0:.0f} s: {ws}", file=sys.stderr)
    return ws


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


class Server:
    """``reach serve`` in a subprocess on a free port; the base URL once it listens."""

    def __init__(self, ws: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(ws), TOKEN], stdout=subprocess.PIPE, text=True, env=env
        )
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("open http"):
                self.base = line.split()[1].split("/?")[0]
                break
        else:
            msg = "the server stopped before it listened"
            raise SystemExit(msg)
        self.client = httpx.Client(base_url=self.base, timeout=300)
        # the token in the link once; the server answers with its cookie, which carries it from then on
        self.client.get("/", params={"token": TOKEN}, follow_redirects=True).raise_for_status()
        self.startup_s = time.perf_counter() - t0

    def time(self, method: str, url: str, **kw) -> float:
        t0 = time.perf_counter()
        r = self.client.request(method, url, **kw)
        dt = time.perf_counter() - t0
        r.raise_for_status()
        return dt

    def close(self) -> None:
        self.client.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)


def summary(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "n": len(times),
        "median_ms": 1000 * statistics.median(times),
        "p90_ms": 1000 * times[min(len(times) - 1, int(0.9 * len(times)))],
    }


def cold_cli(ws: Path, target: str) -> float:
    """One ``reach intros --to`` in a fresh process: the question without a server."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "reach", "-w", str(ws), "intros", "--to", target, "--format", "json"],
        check=True,
        capture_output=True,
        env=env,
    )
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="S", choices=sorted(bench.SIZES))
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--people", type=int, default=50, help="person pages to ask for")
    ap.add_argument("--lists", type=int, default=10, help="50-target lists to post")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import polars as pl

    data = args.data or Path(tempfile.gettempdir()) / "reach-bench" / args.size
    bench.ensure_data(args.size, data, args.seed)
    ws = ensure_workspace(data)

    from reach.builder import load_graph

    rg = load_graph(ws)
    csr = rg.csr
    csr_mb = sum(getattr(csr, a).nbytes for a in ("indptr", "indices", "edge")) / 2**20
    n_people, n_ties = rg.n_people, rg.n_ties
    # people the team may want to reach: not team members, known by a work address and tied to someone
    deg = csr.degree
    candidates = rg.people.filter(
        pl.Series(deg > 0) & pl.col("owner").is_null() & pl.col("emails").list.len().gt(0)
    ).select("person_id", pl.col("emails").list.first().alias("email"), "display_name")
    del rg, csr
    rng = random.Random(args.seed)
    picked = candidates.sample(min(candidates.height, args.people + 50 * args.lists + 20), seed=args.seed)
    person_ids = picked["person_id"].head(args.people).to_list()
    emails = picked["email"].to_list()
    names = [n for n in picked["display_name"].to_list() if n and "@" not in n and len(n) > 4]

    server = Server(ws)
    mem_loaded = memory_mb(server.proc.pid)
    try:
        person_t = [server.time("GET", f"/person/{pid}") for pid in person_ids]
        list_t = []
        for _ in range(args.lists):
            pasted = "\n".join(rng.sample(emails, 50))
            list_t.append(server.time("POST", "/targets", data={"targets": pasted}))
        search_t = [server.time("GET", "/search", params={"q": e}) for e in rng.sample(emails, 20)]
        name_t = [server.time("GET", "/search", params={"q": n[:-1]}) for n in rng.sample(names, min(20, len(names)))]
        mem_after = memory_mb(server.proc.pid)
        startup = server.startup_s
    finally:
        server.close()
    cli_t = [cold_cli(ws, e) for e in rng.sample(emails, 3)]

    rows = [
        {
            "page": "person",
            **summary(person_t),
            "peer": "reach intros --to (cold CLI)",
            **{"peer_median_ms": 1000 * statistics.median(cli_t)},
        },
        {"page": "targets (50 pasted)", **summary(list_t), "peer": "", "peer_median_ms": None},
        {"page": "search (email)", **summary(search_t), "peer": "", "peer_median_ms": None},
        {"page": "search (name, near miss)", **summary(name_t), "peer": "", "peer_median_ms": None},
    ]
    result = {
        "size": args.size,
        "people": n_people,
        "ties": n_ties,
        "startup_s": startup,
        "csr_mb": csr_mb,
        "rss_loaded_mb": mem_loaded.get("VmRSS"),
        "rss_after_mb": mem_after.get("VmRSS"),
        "peak_mb": mem_after.get("VmHWM"),
        "pages": rows,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"reach serve on {args.size}: {n_people:,} people, {n_ties:,} ties; up and answering in {startup:.1f} s")
    print(f"{'page':28} {'n':>4} {'median ms':>10} {'p90 ms':>9}   peer")
    for r in rows:
        peer = f"{r['peer']}: {r['peer_median_ms']:.0f} ms" if r["peer"] else ""
        print(f"{r['page']:28} {r['n']:>4} {r['median_ms']:>10.1f} {r['p90_ms']:>9.1f}   {peer}")
    print(
        f"server memory: {result['rss_loaded_mb']:.0f} MB loaded, {result['rss_after_mb']:.0f} MB after the "
        f"requests, peak {result['peak_mb']:.0f} MB (the graph's CSR arrays: {csr_mb:.0f} MB)"
    )


if __name__ == "__main__":
    main()
