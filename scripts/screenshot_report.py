"""Render a `reach run` HTML report with headless Chromium and save a PNG screenshot.

Usage::

    python scripts/screenshot_report.py OUT/report.html [--png report.png] [--width 1280] [--height 4000]
    python scripts/screenshot_report.py --run CONFIG.toml   # run the pipeline first (into a temp dir)

Needs Chromium (Debian: ``apt-get install -y chromium``); the page loads nothing from the network,
and the browser is started with networking features off to make sure of that.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(report: Path, png: Path, *, width: int = 1280, height: int = 4000, browser: str | None = None) -> Path:
    """Screenshot ``report`` into ``png`` with headless Chromium; return ``png``."""
    browser = browser or find_browser()
    if browser is None:
        msg = "Chromium not found; install it (Debian: apt-get install -y chromium)"
        raise FileNotFoundError(msg)
    png = png.resolve()
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={png}",
            report.resolve().as_uri(),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return png


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report", nargs="?", type=Path, help="report.html to render")
    ap.add_argument("--run", type=Path, help="run this pipeline config first and render its report")
    ap.add_argument("--png", type=Path, default=None, help="where to write the PNG (default: beside the report)")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=4000)
    args = ap.parse_args(argv)
    report = args.report
    if args.run:
        from reach.run import run_pipeline

        tmp = Path(tempfile.mkdtemp(prefix="reach-report-"))
        summary = run_pipeline(args.run, workspace=tmp / "ws", out=tmp / "out", quiet=True)
        if summary.exit_code == 2:
            print(f"run failed: {summary.error}", file=sys.stderr)
            return 2
        report = Path(summary.outputs) / "report.html"
    if report is None:
        ap.error("give a report.html or --run CONFIG")
    png = args.png or report.with_suffix(".png")
    screenshot(report, png, width=args.width, height=args.height)
    print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
