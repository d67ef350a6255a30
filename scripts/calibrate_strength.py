"""Calibrate the tie-strength model on real timestamped data (the table in docs/tie-strength.md).

For each data set and split, strengths are computed as of a cut date from the evidence before it
and scored on how well they predict contact in the following 90 days (ROC AUC, precision at 10 and
100), beside single-feature baselines (message count, recency only, connection only) and random.

Splits are forward in time, the way the model is used: the **train** cut is the earlier one (its
90-day window is where defaults may be tuned, ``--tune``), the **held-out** cut is later, with its own
evidence and window, and is never looked at while tuning.

Data (``../shared/data``): the four Enron mailboxes (1,500 messages, 1999-2002) and SNAP CollegeMsg
(59,835 timestamped messages over 193 days). SNAP email-Eu-core is a static edge list without
times and cannot be cut; the script says so and skips it.

    python scripts/calibrate_strength.py              # the table, markdown
    python scripts/calibrate_strength.py --tune       # grid search on the train cuts only
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from reach.calibration import CutLabels, evaluate, label_cut, roc_auc, strengths_for
from reach.identity import resolve
from reach.pipeline import import_paths
from reach.strength import StrengthSettings
from reach.workspace import Workspace

DATA = Path(__file__).resolve().parent.parent / ".." / "shared" / "data"
HORIZON = 90


@dataclass(frozen=True)
class DataSet:
    name: str
    paths: list[Path]
    train_cut: datetime
    held_out_cut: datetime


def datasets(root: Path) -> list[DataSet]:
    college_start = datetime(2004, 4, 15, tzinfo=UTC)  # first message of CollegeMsg (unix 1082040961)
    return [
        DataSet(
            "enron mailboxes",
            sorted((root / "enron_mbox").glob("*.mbox")),
            datetime(2000, 9, 1, tzinfo=UTC),
            datetime(2001, 1, 1, tzinfo=UTC),
        ),
        DataSet(
            "SNAP CollegeMsg",
            [root / "snap_collegemsg" / "CollegeMsg.txt"],
            college_start + timedelta(days=45),
            college_start + timedelta(days=103),
        ),
    ]


def has_times(path: Path) -> bool:
    """Whether an edge list has a third column of unix times (SNAP email-Eu-core has two columns)."""
    with path.open("rb") as f:
        first = f.readline().split()
    return len(first) >= 3


def load(ds: DataSet, work: Path):
    ws_dir = work / ds.name.replace(" ", "_")
    summary = import_paths(ws_dir, ds.paths)
    failed = [f.error for f in summary.files if f.status == "failed"]
    if failed:
        sys.exit(f"{ds.name}: import failed: {failed}")
    ws = Workspace.open(ws_dir)
    membership = resolve(ws.raw("records"))["membership"]
    return ws.raw("interactions"), membership


def tune_grid() -> list[StrengthSettings]:
    """The grid searched by ``--tune``: the recency rule and the reciprocity weight (the other weights
    cannot be told apart on single-channel data)."""
    base = StrengthSettings()
    return [
        replace(base, rhythm_factor=rf, min_half_life_days=mn, reciprocity_weight=rec, half_life_days=hl)
        for rf, mn, rec, hl in itertools.product(
            [0.0, 1.0, 2.0, 3.0], [5.0, 7.0, 10.0, 14.0], [0.0, 0.5], [30.0, 60.0, 90.0, 365.0]
        )
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--tune", action="store_true", help="grid search the defaults on the train cuts")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--labels", action="store_true", help="per strength label: pairs and the share in contact afterwards"
    )
    args = ap.parse_args(argv)
    eu = args.data / "snap_email_eu_core" / "email-Eu-core.txt"
    if eu.exists() and not has_times(eu):
        print(f"skipped: {eu.name} has no timestamps (two columns), so it cannot be cut by date\n")
    with tempfile.TemporaryDirectory(prefix="reach-calibrate-") as tmp:
        loaded = [(ds, *load(ds, Path(tmp))) for ds in datasets(args.data)]
        if args.tune:
            return tune(loaded)
        if args.labels:
            return label_table(loaded)
        print(f"| data set | split | cut | pairs | in contact within {HORIZON} d | model | ROC AUC | P@10 | P@100 |")
        print("|---|---|---|---|---|---|---|---|---|")
        for ds, inter, mem in loaded:
            for split, cut in (("train", ds.train_cut), ("held-out", ds.held_out_cut)):
                labelled = label_cut(inter, mem, cut, horizon_days=HORIZON)
                scores = evaluate(labelled, {"reach default": labelled.ties["strength"].to_numpy()}, seed=args.seed)
                for s in scores:
                    print(
                        f"| {ds.name} | {split} | {cut.date()} | {s.n_pairs} | {s.n_positive} | {s.model} "
                        f"| {s.auc:.3f} | {s.p_at_10:.2f} | {s.p_at_100:.2f} |"
                    )
    return 0


def label_table(loaded) -> int:
    """How often the pairs of each strength label (reach.strength_labels) were in contact after the cut."""
    from reach.strength_labels import LABELS, strength_label_expr

    print(f"| data set | split | label | pairs | in contact within {HORIZON} d | share |")
    print("|---|---|---|---|---|---|")
    for ds, inter, mem in loaded:
        for split, cut in (("train", ds.train_cut), ("held-out", ds.held_out_cut)):
            t = label_cut(inter, mem, cut, horizon_days=HORIZON).ties
            by = t.group_by(strength_label_expr("strength").alias("label")).agg(
                pl.len().alias("n"), pl.col("contact_after").sum().alias("k")
            )
            counts = {r["label"]: (r["n"], r["k"]) for r in by.iter_rows(named=True)}
            for label in LABELS:
                n, k = counts.get(label, (0, 0))
                share = f"{k / n:.2f}" if n else "-"
                print(f"| {ds.name} | {split} | {label} | {n} | {k} | {share} |")
    return 0


def tune(loaded) -> int:
    """Mean train AUC of each grid point (held-out cuts are not used)."""
    cuts: list[tuple[object, object, CutLabels]] = [
        (inter, mem, label_cut(inter, mem, ds.train_cut, horizon_days=HORIZON)) for ds, inter, mem in loaded
    ]
    rows = []
    for st in tune_grid():
        aucs = [roc_auc(strengths_for(inter, mem, c.cut, st, c.ties), c.labels) for inter, mem, c in cuts]
        rows.append(
            {
                "rhythm_factor": st.rhythm_factor,
                "min_half_life_days": st.min_half_life_days,
                "reciprocity_weight": st.reciprocity_weight,
                "half_life_days": st.half_life_days,
                **{f"auc_{i}": a for i, a in enumerate(aucs)},
                "mean_auc": float(np.mean(aucs)),
            }
        )
    table = pl.DataFrame(rows).sort("mean_auc", descending=True)
    names = [ds.name for ds, _, _ in loaded]
    print(
        "| rhythm_factor | min_half_life_days | reciprocity_weight | half_life_days | "
        + " | ".join(f"train AUC {n}" for n in names)
        + " | mean |"
    )
    print("|---" * (5 + len(names)) + "|")
    for r in table.head(15).iter_rows(named=True):
        aucs = " | ".join(f"{r[f'auc_{i}']:.3f}" for i in range(len(names)))
        print(
            f"| {r['rhythm_factor']:g} | {r['min_half_life_days']:g} "
            f"| {r['reciprocity_weight']:g} | {r['half_life_days']:g} | {aucs} | {r['mean_auc']:.3f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
