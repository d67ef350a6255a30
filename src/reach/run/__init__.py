"""`reach run PIPELINE.toml`: the whole job in one call, for a nightly schedule.

:func:`run_pipeline` validates the config (every problem at once, before any work), then runs the
stages in order: ``import`` (incremental: files already imported, by content hash, are skipped; a new
version of a source supersedes the previous one, see docs/sources.md),
``build`` (people and ties; skipped when nothing changed), ``graph``, ``intros`` (targets, candidates,
accounts), ``reach`` (team reach and plan), ``communities``, ``stats``, ``report`` (tables, changes
since the previous run, GraphML, plots, HTML). It returns a :class:`RunSummary` whose ``exit_code`` is
0 (ok), 1 (finished, but files failed or rejects went over the thresholds) or 2 (a stage failed).

Safety: a second run on the same workspace is refused while one is going (an OS lock on
``WORKSPACE/run.lock``, released by the kernel if the process dies). Outputs are written into a temp
folder beside the final one and renamed into place at the end, so a killed or failed run leaves the
previous outputs as they were and never a half-written file. The previous run's folder is remembered
in ``WORKSPACE/last_run.json``, which the next run compares against.

Config keys (paths relative to the config file) are described in :func:`load_run_config` and in
``docs/outputs.md``.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from datetime import datetime

from reach.errors import ReachError
from reach.run import stages
from reach.run.config import STAGES, ProgressCallback, RunConfig, RunConfigError, load_run_config
from reach.run.publish import check_outputs_folder, recover, run_lock
from reach.run.summary import RunSummary, make_progress

log = logging.getLogger("reach.run")


def run_pipeline(
    config_path: str | os.PathLike[str],
    *,
    quiet: bool = False,
    progress: bool | ProgressCallback | None = None,
    workspace: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
    now: datetime | None = None,
) -> RunSummary:
    """Run the whole pipeline described by a TOML config; return the :class:`RunSummary`.

    Parameters
    ----------
    config_path : path
        The run config (keys in :func:`load_run_config`).
    quiet : bool
        No progress display (stage timings still go to the ``reach.run`` logger at INFO).
    progress : bool, callable or None
        ``None``: a one-line progress display on stderr when it is a terminal; ``True``/``False``: force
        it on or off; a callable ``progress(stage, done, total)`` is called instead (``total`` may be None).
    workspace, out : path, optional
        Override the config's ``workspace`` and ``[outputs] folder`` (e.g. for `reach demo`).
    now : datetime, optional
        The time used for ``{date}``/``{time}`` in the outputs folder (default: now, local time).

    Raises
    ------
    RunConfigError
        The config has problems (all are listed); nothing was done.
    WorkspaceError
        Another run holds the workspace.

    A stage that fails does not raise: the summary has ``status="failed"``, ``exit_code=2``, ``error`` and
    ``failed_stage``, and the previous outputs are left as they were.
    """
    cfg = load_run_config(config_path, workspace=workspace, out=out)
    now = now or datetime.now().astimezone()
    final = cfg.output_folder(now)
    check_run_outputs(cfg, final)
    summary = RunSummary(
        config=str(cfg.path),
        workspace=str(cfg.workspace),
        started_at=now.isoformat(timespec="seconds"),
        candidate_filters={k: v for k, v in cfg.candidates.items() if k not in ("limit", "max_hops")},
    )
    prog = make_progress(progress, quiet=quiet)
    t_start = time.perf_counter()
    with run_lock(cfg.workspace):
        recover(final)
        st = stages.State(cfg=cfg, summary=summary, progress=prog, final=final, now=now)
        st.previous, st.previous_keys = stages.previous_run(cfg.workspace)
        try:
            for i, name in enumerate(STAGES):
                prog.stage(name, i)
                t0 = time.perf_counter()
                try:
                    detail = getattr(stages, f"stage_{name}")(st) or {}
                except Exception as exc:  # noqa: BLE001 - a failed stage is reported, never half-applied
                    secs = time.perf_counter() - t0
                    prog.clear()
                    summary.stages.append({"stage": name, "seconds": round(secs, 3), "status": "failed"})
                    _fail(summary, name, exc, kept=final.exists())
                    break
                secs = time.perf_counter() - t0
                prog.clear()
                summary.stages.append({"stage": name, "seconds": round(secs, 3), "status": "ok", **detail})
                log.info("stage %-11s %7.2fs  %s", name, secs, _detail_text(detail))
        finally:
            prog.clear()
            if st.tmp is not None and st.tmp.exists():
                shutil.rmtree(st.tmp, ignore_errors=True)
    summary.seconds = round(time.perf_counter() - t_start, 3)
    summary.finished_at = datetime.now().astimezone().isoformat(timespec="seconds")
    if summary.status == "failed":
        log.error("run failed after %.2fs: %s", summary.seconds, summary.error)
    else:
        log.info("run finished (%s) in %.2fs; outputs in %s", summary.status, summary.seconds, summary.outputs)
    return summary


def check_run_outputs(cfg: RunConfig, final) -> None:
    """Refuse, before any work, an outputs folder whose publishing could delete the config, an export,
    the workspace or files reach did not write (see :func:`reach.run.publish.check_outputs_folder`).
    """
    from pathlib import Path

    base = cfg.path.parent
    files = [f for spec in cfg.sources for f in spec.files]
    folders = [p for p in ((base / Path(spec.spec).expanduser()) for spec in cfg.sources) if p.is_dir()]
    check_outputs_folder(final, workspace=cfg.workspace, config=cfg.path, sources=files, source_folders=folders)


def _fail(summary: RunSummary, stage: str, exc: BaseException, *, kept: bool) -> None:
    bug = not isinstance(exc, ReachError)
    what = f"{type(exc).__name__}: {exc}" if bug else str(exc)
    summary.status, summary.exit_code, summary.failed_stage = "failed", 2, stage
    summary.outputs = None
    outcome = "the previous outputs were left as they were" if kept else "no outputs were written"
    summary.error = f"stage {stage!r} failed: {what}; {outcome}" + (
        " (this is a bug in reach; run with --debug for the traceback)" if bug else ""
    )
    log.debug("stage %s failed", stage, exc_info=exc)


def _detail_text(detail: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in detail.items() if not isinstance(v, dict | list))


__all__ = ["STAGES", "RunConfig", "RunConfigError", "RunSummary", "load_run_config", "run_lock", "run_pipeline"]
