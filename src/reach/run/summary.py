"""What a run did (:class:`RunSummary`) and its progress display."""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

from reach.run.config import STAGES, ProgressCallback

log = logging.getLogger("reach.run")


# ------------------------------------------------------------------ summary
@dataclass
class RunSummary:
    """What a run did; ``as_dict()`` is the JSON `reach run` prints (keys are stable)."""

    config: str
    workspace: str
    outputs: str | None = None
    previous_outputs: str | None = None
    status: str = "running"  # ok | warnings | failed
    exit_code: int = 2
    error: str | None = None
    failed_stage: str | None = None
    started_at: str = ""
    finished_at: str | None = None
    seconds: float = 0.0
    stages: list[dict] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=lambda: {"total": 0, "imported": 0, "unchanged": 0, "failed": 0})
    rebuilt: bool | None = None
    people: int = 0
    ties: int = 0
    team: int = 0
    team_reach: int = 0
    targets: int = 0
    targets_reachable: int = 0
    candidates: int = 0
    accounts: int = 0
    communities: int = 0
    modularity: float | None = None
    rows: int = 0
    rejects: int = 0
    reject_rate: float = 0.0
    changes: dict[str, int] = field(default_factory=dict)
    candidate_filters: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, default=str, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ progress
class Progress:
    """Stage progress: a callback and/or a one-line display on a terminal (carriage returns, no dependency)."""

    def __init__(self, callback: ProgressCallback | None, stream: TextIO | None) -> None:
        self.callback = callback
        self.stream = stream
        self.name = ""
        self.index = 0
        self.total = len(STAGES)
        self.t0 = time.perf_counter()
        self._last = 0.0

    def stage(self, name: str, index: int) -> None:
        self.name, self.index, self.t0 = name, index, time.perf_counter()
        self.tick(0, None, force=True)

    def tick(self, done: int, total: int | None, *, force: bool = False) -> None:
        if self.callback is not None:
            self.callback(self.name, done, total)
        if self.stream is None:
            return
        now = time.perf_counter()
        if not force and now - self._last < 0.1 and done != total:
            return
        self._last = now
        head = f"reach run [{self.index + 1}/{self.total}] {self.name:<11}"
        if total:
            filled = int(20 * done / total)
            bar = f" {'#' * filled}{'.' * (20 - filled)} {done}/{total}"
        else:
            bar = ""
        self.stream.write(f"\r\x1b[K{head}{bar}  {now - self.t0:.1f}s")
        self.stream.flush()

    def clear(self) -> None:
        if self.stream is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def make_progress(progress: bool | ProgressCallback | None, *, quiet: bool) -> Progress:  # noqa: FBT001 (flag or callback)
    if callable(progress):
        return Progress(progress, None)
    show = (not quiet and sys.stderr.isatty()) if progress is None else (bool(progress) and not quiet)
    return Progress(None, sys.stderr if show else None)
