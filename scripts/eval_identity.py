#!/usr/bin/env python
"""Measure identity resolution on a folder written by ``scripts/make_synthetic.py``.

    python scripts/eval_identity.py out/S
    python scripts/eval_identity.py out/S --fuzzy 90 --region US --json
    python scripts/eval_identity.py out/S --no-name-company-domain --no-name-shared-export  # identifiers only

Every export in the folder's ``manifest.json`` is imported into a temporary workspace with its owner
(``imports.import_paths``, one call per file, the format named explicitly). Formats that are not
registered in ``reach.io.formats.registry()`` yet are skipped, and the output says which. The
workspace is then built (identity resolution with the given settings), and the resulting membership
(record -> person_id) is compared with ``truth.parquet``:

* a CSV row record is matched on (file, line), a mail or calendar party on (file, address), an owner
  record on its file;
* pairwise precision = record pairs put together that are truly one person / all pairs put together,
  pairwise recall = record pairs truly one person that were put together / all such pairs, over the
  matched records. Pairs weigh people by their records squared, so a few people present in every
  export dominate; B-cubed precision and recall (per record, averaged) are printed beside them.

Also printed: records that matched no truth row (should be none), the largest false merges, recall
per pair of formats (which kinds of export fail to link), and each name rule (name+company-domain,
name+shared-export) on its own (how many keys it linked on, and how many of those joined different
true people).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import polars as pl


def pairs(n: pl.Expr) -> pl.Expr:
    return (n * (n - 1) // 2).sum()


def import_folder(folder: Path, ws: Path, *, log=print) -> dict:
    from reach.imports import import_paths
    from reach.io.formats import registry

    manifest = json.loads((folder / "manifest.json").read_text())
    known = registry()
    skipped: dict[str, int] = {}
    failed = []
    n_files = 0
    t0 = time.perf_counter()
    for f in manifest["files"]:
        if f["format"] not in known:
            skipped[f["format"]] = skipped.get(f["format"], 0) + 1
            continue
        summary = import_paths(ws, [folder / f["file"]], fmt=f["format"], owner=f["owner"])
        n_files += 1
        for r in summary.files:
            if r.status == "failed":
                failed.append(f"{f['file']}: {r.error}")
            elif r.n_rejects:
                log(f"  {f['file']}: {r.n_rejects} rows rejected")
    for fmt, n in sorted(skipped.items()):
        log(f"skipped {n} {fmt} files: format {fmt!r} is not registered in this reach yet")
    for msg in failed:
        log(f"FAILED {msg}")
    return {"files": n_files, "skipped": skipped, "failed": failed, "import_s": time.perf_counter() - t0}


def evaluate(
    folder: Path,
    ws_path: Path,
    *,
    fuzzy: float | None = None,
    region: str | None = None,
    max_names: int | None = None,
    name_company_domain: bool = True,
    name_shared_export: bool = True,
    log=print,
) -> dict:
    """Build ``ws_path`` with the given settings and score its membership against the folder's truth."""
    from reach.builder import build
    from reach.identity import ResolveSettings
    from reach.settings import BuildSettings
    from reach.workspace import Workspace

    ws = Workspace.open(ws_path)
    t0 = time.perf_counter()
    extra = {} if max_names is None else {"max_names_per_identifier": max_names}
    settings = ResolveSettings(
        fuzzy_threshold=fuzzy,
        default_region=region,
        name_company_domain=name_company_domain,
        name_shared_export=name_shared_export,
        **extra,
    )
    build(ws, settings=BuildSettings(resolve=settings), force=True)
    build_s = time.perf_counter() - t0
    root = str(folder.resolve())
    src = pl.from_arrow(ws.sources()).select(
        "source_id",
        pl.col("path")
        .map_elements(lambda p: str(Path(p).resolve().relative_to(root)), return_dtype=pl.String)
        .alias("file"),
    )
    rec = (
        pl.from_arrow(ws.raw("records"))
        .join(src, on="source_id")
        .select("record_id", "file", "role", "line", pl.col("emails").list.first().str.to_lowercase().alias("address"))
    )
    mem = pl.from_arrow(ws.built("membership"))
    rec = rec.join(mem, on="record_id", how="left")
    truth = pl.read_parquet(folder / "truth.parquet").rename({"person_id": "true_id"})
    by_line = rec.filter(pl.col("role") == "contact").join(
        truth.filter(pl.col("role") == "contact").select("file", "line", "true_id", "format"),
        on=["file", "line"],
        how="left",
    )
    by_addr = rec.filter(pl.col("role") == "party").join(
        truth.filter(pl.col("role") == "party").select("file", "address", "true_id", "format"),
        on=["file", "address"],
        how="left",
    )
    owners = rec.filter(pl.col("role") == "owner").join(
        truth.filter(pl.col("role") == "owner").select("file", "true_id", "format"), on="file", how="left"
    )
    other = rec.filter(~pl.col("role").is_in(["contact", "party", "owner"])).with_columns(
        pl.lit(None, pl.Int64).alias("true_id"), pl.lit(None, pl.String).alias("format")
    )
    cols = ["record_id", "file", "role", "line", "address", "person_id", "true_id", "format"]
    allrec = pl.concat([d.select(cols) for d in (by_line, by_addr, owners, other)])
    unmatched = allrec.filter(pl.col("true_id").is_null())
    m = allrec.filter(pl.col("true_id").is_not_null())
    cells = m.group_by("person_id", "true_id").agg(pl.len().alias("n"))
    tp = cells.select(pairs(pl.col("n"))).item()
    pred = m.group_by("person_id").agg(pl.len().alias("n")).select(pairs(pl.col("n"))).item()
    true = m.group_by("true_id").agg(pl.len().alias("n")).select(pairs(pl.col("n"))).item()
    precision = tp / pred if pred else 1.0
    recall = tp / true if true else 1.0
    # B-cubed: per record, the share of its predicted (true) person that is truly (predictedly) the same,
    # averaged over records; unlike pairs, not dominated by the people with the most records
    sizes = cells.join(m.group_by("person_id").agg(pl.len().alias("np")), on="person_id").join(
        m.group_by("true_id").agg(pl.len().alias("nt")), on="true_id"
    )
    b3 = sizes.select(
        (pl.col("n") ** 2 / pl.col("np")).sum().alias("p") / m.height,
        (pl.col("n") ** 2 / pl.col("nt")).sum().alias("r") / m.height,
    )
    b3_precision, b3_recall = (float(x) for x in b3.row(0)) if m.height else (1.0, 1.0)
    n_pred = m["person_id"].n_unique()
    n_true = m["true_id"].n_unique()
    # the worst false merges: predicted people holding several true people
    merged = (
        cells.group_by("person_id")
        .agg(pl.len().alias("true_people"), pl.col("n").sum().alias("records"))
        .filter(pl.col("true_people") > 1)
        .sort("true_people", "records", descending=True)
    )
    # recall per format pair: of the true same-person pairs across two formats, the share linked
    per_fmt = m.group_by("true_id", "format", "person_id").agg(pl.len().alias("n"))
    fmt_pairs = per_fmt.join(per_fmt, on="true_id", suffix="_b").filter(pl.col("format") <= pl.col("format_b"))
    same_cell = pl.col("format") == pl.col("format_b")
    fmt_pairs = fmt_pairs.with_columns(
        pl.when(same_cell & (pl.col("person_id") == pl.col("person_id_b")))
        .then(pl.col("n") * (pl.col("n") - 1) // 2)
        .when(same_cell)
        .then(pl.col("n") * pl.col("n_b") // 2)  # each unordered pair counted twice
        .otherwise(pl.col("n") * pl.col("n_b"))
        .alias("pairs"),
        (pl.col("person_id") == pl.col("person_id_b")).alias("linked"),
    )
    by_pair = (
        fmt_pairs.group_by("format", "format_b")
        .agg(
            pl.col("pairs").sum().alias("true_pairs"),
            pl.col("pairs").filter(pl.col("linked")).sum().alias("linked_pairs"),
        )
        .with_columns((pl.col("linked_pairs") / pl.col("true_pairs")).round(4).alias("recall"))
        .sort("format", "format_b")
    )
    # each name rule, scored on its own: each key (name | company, or name) it linked on, and whether the
    # records carrying it are truly one person
    from reach.identity import NAME_COMPANY_DOMAIN, NAME_SHARED_EXPORT

    built_ids = pl.from_arrow(ws.built("identifiers"))
    rules = {}
    for rule in (NAME_COMPANY_DOMAIN, NAME_SHARED_EXPORT):
        ev = built_ids.filter(pl.col("kind") == rule).join(m.select("record_id", "true_id"), on="record_id")
        keys = ev.group_by("value").agg(pl.col("true_id").n_unique().alias("n_true"))
        rules[rule] = {
            "links": keys.height,
            "records": ev["record_id"].n_unique(),
            "wrong": keys.filter(pl.col("n_true") > 1).height,
        }
    name_ev = built_ids.filter(pl.col("kind") == NAME_COMPANY_DOMAIN).join(
        m.select("record_id", "true_id"), on="record_id"
    )
    name_keys = name_ev.group_by("value").agg(pl.col("true_id").n_unique().alias("n_true"))
    result = {
        "records": allrec.height,
        "matched": m.height,
        "unmatched": unmatched.height,
        "true_people": n_true,
        "predicted_people": n_pred,
        "true_pairs": int(true),
        "predicted_pairs": int(pred),
        "correct_pairs": int(tp),
        "precision": round(precision, 5),
        "recall": round(recall, 5),
        "bcubed_precision": round(b3_precision, 5),
        "bcubed_recall": round(b3_recall, 5),
        "false_merges": merged.height,
        "fuzzy_threshold": fuzzy,
        "default_region": region,
        "name_company_domain": name_company_domain,
        "name_links": name_keys.height,
        "name_link_records": name_ev["record_id"].n_unique(),
        "name_links_wrong": name_keys.filter(pl.col("n_true") > 1).height,
        "name_shared_export": name_shared_export,
        "name_rules": rules,
        "max_names_per_identifier": settings.max_names_per_identifier,
        "build_s": round(build_s, 2),
        "recall_by_format_pair": by_pair.filter(pl.col("true_pairs") > 0).to_dicts(),
        "truth_rows_not_imported": truth.height - m.height,
    }
    if unmatched.height:
        log(f"{unmatched.height} records matched no truth row, e.g.:")
        log(str(unmatched.head(5)))
    if merged.height:
        worst = merged.head(3)["person_id"].to_list()
        log("largest false merges (predicted person: true people, records):")
        for row in merged.head(3).iter_rows(named=True):
            log(f"  {row['person_id']}: {row['true_people']} true people, {row['records']} records")
        result["worst_false_merges"] = worst
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder", type=Path, help="a folder written by scripts/make_synthetic.py")
    ap.add_argument("--workspace", type=Path, default=None, help="keep the workspace here (default: a temp folder)")
    ap.add_argument("--fuzzy", type=float, default=None, help="fuzzy name+company threshold (default: off)")
    ap.add_argument("--region", default=None, help="default phone region, e.g. US (default: none)")
    ap.add_argument(
        "--max-names",
        type=int,
        default=None,
        help="max_names_per_identifier for the resolver (default: reach's own, 3)",
    )
    ap.add_argument(
        "--no-name-company-domain",
        action="store_true",
        help="turn off the name+company-domain rule (default: on, as in reach)",
    )
    ap.add_argument(
        "--no-name-shared-export",
        action="store_true",
        help="turn off the name+shared-export rule (default: on, as in reach)",
    )
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = ap.parse_args()
    folder = args.folder
    if not (folder / "manifest.json").exists():
        sys.exit(f"eval_identity: {folder}/manifest.json not found; generate with scripts/make_synthetic.py")
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    with tempfile.TemporaryDirectory() as tmp:
        ws = args.workspace or Path(tmp) / "ws"
        imp = import_folder(folder, ws, log=log)
        res = evaluate(
            folder,
            ws,
            fuzzy=args.fuzzy,
            region=args.region,
            max_names=args.max_names,
            name_company_domain=not args.no_name_company_domain,
            name_shared_export=not args.no_name_shared_export,
            log=log,
        )
    res.update(
        {
            "files": imp["files"],
            "skipped_formats": imp["skipped"],
            "failed": imp["failed"],
            "import_s": round(imp["import_s"], 2),
        }
    )
    if args.json:
        print(json.dumps(res))
        return
    print(
        f"{folder}: {res['files']} files imported in {res['import_s']:.1f} s, built in {res['build_s']:.1f} s "
        f"(fuzzy {args.fuzzy}, region {args.region}, max names per identifier {res['max_names_per_identifier']})"
    )
    print(
        f"records {res['records']:,} (matched to truth {res['matched']:,}, unmatched {res['unmatched']:,}); "
        f"true people {res['true_people']:,}, predicted {res['predicted_people']:,}"
    )
    print(
        f"pairwise precision {res['precision']:.4f}  recall {res['recall']:.4f}  "
        f"({res['correct_pairs']:,} correct of {res['predicted_pairs']:,} merged pairs; "
        f"{res['true_pairs']:,} true pairs); predicted people merging several true people: {res['false_merges']:,}"
    )
    print(f"B-cubed precision {res['bcubed_precision']:.4f}  recall {res['bcubed_recall']:.4f}  (per record, averaged)")
    for rule, r in res["name_rules"].items():
        if r["links"]:
            print(
                f"{rule} rule (reported apart): {r['links']:,} keys linked over {r['records']:,} records; "
                f"keys joining different true people: {r['wrong']:,}"
            )
    ok_p, ok_r = res["precision"] >= 0.99, res["recall"] >= 0.95
    print(f"aim precision >= 0.99: {'met' if ok_p else 'NOT met'}; recall >= 0.95: {'met' if ok_r else 'NOT met'}")
    print("recall by format pair (true same-person record pairs linked):")
    for row in res["recall_by_format_pair"]:
        print(
            f"  {row['format']:>22} - {row['format_b']:<22} {row['linked_pairs']:>10,} / {row['true_pairs']:<10,} "
            f"{row['recall']:.3f}"
        )


if __name__ == "__main__":
    main()
