"""Sales view: coverage of target accounts, paths to their most senior people, and who carries each."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from reach.algorithms.intros import warm_intro_paths
from reach.algorithms.neighbourhood import bfs_distances
from reach.evidence import describe_paths
from reach.features.common import team_vertices
from reach.features.options import AccountsOptions
from reach.graph import ReachGraph
from reach.reports.outputs import conform
from reach.views import at_companies, parse_account, seniority


@dataclass
class AccountsReport:
    coverage: pl.DataFrame  # OUTPUT_TABLES["accounts"]
    paths: pl.DataFrame  # OUTPUT_TABLES["account_paths"]
    carriers: pl.DataFrame  # OUTPUT_TABLES["account_carriers"]

    def tables(self) -> dict[str, pl.DataFrame]:
        return {"accounts": self.coverage, "account_paths": self.paths, "account_carriers": self.carriers}

    def as_dict(self) -> dict:
        return {
            "coverage": self.coverage.to_dicts(),
            "paths": self.paths.to_dicts(),
            "carriers": self.carriers.to_dicts(),
        }


def accounts(rg: ReachGraph, opts: AccountsOptions) -> AccountsReport:
    """Per account line (``Acme Inc.; acme.com``): people known there, share within 1 and 2 hops, best paths
    to the ``top_titles`` most senior of them, and the team members who carry the account.
    """
    team_v = team_vertices(rg, opts.team)
    dist = bfs_distances(rg, team_v, max_hops=2)
    member_dist = [bfs_distances(rg, np.array([m]), max_hops=2) for m in team_v]
    cov_rows, path_frames, carrier_rows = [], [], []
    for line in opts.accounts:
        acct = parse_account(line)
        mask = at_companies(rg.people, acct.companies, acct.domains).to_numpy()
        mask[team_v] = False
        verts = np.nonzero(mask)[0]
        d = dist[verts]
        cov_rows.append(
            {
                "account": acct.label,
                "n_people": int(verts.size),
                "n_hop1": int(np.count_nonzero(d == 1)),
                "n_hop2": int(np.count_nonzero(d == 2)),
                "coverage_1hop": round(float(np.mean(d == 1)), 4) if verts.size else 0.0,
                "coverage_2hop": round(float(np.mean((d >= 1) & (d <= 2))), 4) if verts.size else 0.0,
            }
        )
        for m, md in zip(team_v, member_dist, strict=True):
            dm = md[verts]
            if np.any((dm >= 1) & (dm <= 2)):
                carrier_rows.append(
                    {
                        "account": acct.label,
                        "member": rg.people["display_name"][int(m)],
                        "member_id": str(rg.person_ids[m]),
                        "n_hop1": int(np.count_nonzero(dm == 1)),
                        "n_hop2": int(np.count_nonzero(dm == 2)),
                    }
                )
        if verts.size:
            senior = rg.people[verts.tolist()].with_columns(
                pl.Series("v", verts), seniority(pl.col("title")).alias("rank")
            )
            top = senior.sort(["rank", "person_id"], descending=[True, False]).head(opts.top_titles)
            res = warm_intro_paths(rg, team_v, top["v"].to_numpy().astype(np.int64), top_k=1)
            if res.paths.height:
                path_frames.append(describe_paths(rg, res.paths).with_columns(pl.lit(acct.label).alias("account")))
    coverage = conform(pl.DataFrame(cov_rows) if cov_rows else None, "accounts")
    paths = conform(pl.concat(path_frames) if path_frames else None, "account_paths")
    carriers = conform(pl.DataFrame(carrier_rows) if carrier_rows else None, "account_carriers")
    return AccountsReport(
        coverage=coverage,
        paths=paths,
        carriers=carriers.sort(["account", "n_hop1", "n_hop2"], descending=[False, True, True]),
    )
