"""Recruiter, sales and team views on hand-built and random graphs, checked by brute force."""

from __future__ import annotations

import networkx as nx
import numpy as np
import polars as pl
import pytest

from reach.features import (
    AccountsOptions,
    CandidatesOptions,
    IntrosOptions,
    TeamOptions,
    accounts,
    candidates,
    intros,
    team_plan,
)
from reach.graph import build_graph
from reach.views import at_companies, best_new_connections, greedy_team_order, parse_account, seniority


def graph(people: list[dict], ties: list[tuple[str, str, float]]):
    ppl = pl.DataFrame(
        people,
        schema={
            "person_id": pl.String,
            "display_name": pl.String,
            "company": pl.String,
            "title": pl.String,
            "location": pl.String,
            "emails": pl.List(pl.String),
            "owner": pl.String,
            "key": pl.String,
        },
    )
    t = pl.DataFrame(
        {
            "person_a": [min(a, b) for a, b, _ in ties],
            "person_b": [max(a, b) for a, b, _ in ties],
            "strength": [s for *_, s in ties],
        }
    )
    return build_graph(ppl.to_arrow(), t.to_arrow())


P = [
    {
        "person_id": "ana",
        "display_name": "Ana Souza",
        "company": "Northwind",
        "emails": ["ana@northwind.example"],
        "owner": "ana@northwind.example",
    },
    {
        "person_id": "ben",
        "display_name": "Ben Okafor",
        "company": "Northwind GmbH",
        "emails": ["ben@northwind.example"],
        "owner": "ben@northwind.example",
    },
    {
        "person_id": "cat",
        "display_name": "Cat Jones",
        "company": "Northwind",
        "title": "Data Engineer",
        "emails": ["cat@northwind.example"],
    },
    {
        "person_id": "gra",
        "display_name": "Grace Lee",
        "company": "Acme, Inc.",
        "title": "VP Engineering",
        "location": "Berlin",
        "emails": ["grace@acme.example"],
    },
    {
        "person_id": "omr",
        "display_name": "Omar Haddad",
        "company": "ACME",
        "title": "Data Engineer",
        "location": "Berlin",
    },
    {
        "person_id": "zoe",
        "display_name": "Zoe Park",
        "title": "Senior Data Engineer",
        "location": "Paris",
        "emails": ["zoe@acme.example"],
    },
    {"person_id": "bnk", "display_name": "Bo Bank", "company": "Acme Bank", "title": "CEO", "location": "Berlin"},
    {"person_id": "far", "display_name": "Far Away", "company": "Acme", "title": "CTO"},
    {"person_id": "mid", "display_name": "Mid Person", "company": "Initech"},
]
T = [
    ("ana", "ben", 0.9),
    ("ana", "cat", 0.9),
    ("ana", "gra", 0.8),
    ("gra", "omr", 0.7),
    ("ben", "zoe", 0.4),
    ("cat", "omr", 0.2),
    ("gra", "bnk", 0.5),
    ("omr", "mid", 0.9),
    ("mid", "far", 0.9),
]


def test_company_matching_copes_with_suffixes_case_and_domains_but_not_other_companies():
    rg = graph(P, T)
    acct = parse_account("Acme Inc.; acme.example")
    at = dict(
        zip(
            rg.people["person_id"].to_list(),
            at_companies(rg.people, acct.companies, acct.domains).to_list(),
            strict=True,
        )
    )
    assert at["gra"] and at["omr"] and at["zoe"] and at["far"]  # "Acme, Inc.", "ACME", an acme.example address
    assert not at["bnk"]  # Acme Bank is another company
    assert parse_account("acme.example").companies == {"acme"}


def test_candidates_filter_exclude_own_company_and_give_best_introducer():
    rg = graph(P, T)
    rows = candidates(rg, CandidatesOptions(title="data engineer"))
    names = rows["name"].to_list()
    assert "Cat Jones" not in names  # works at Northwind, the team's company
    assert set(names) == {"Omar Haddad", "Zoe Park"}
    omar = rows.filter(pl.col("name") == "Omar Haddad").row(0, named=True)
    assert omar["hops"] == 2 and omar["introducer"] == "Grace Lee"  # 0.9*... via Grace (0.56) beats Cat (0.18)
    assert omar["strength"] == pytest.approx(0.8 * 0.7)
    berlin = candidates(rg, CandidatesOptions(title="engineer", location="berlin"))
    assert berlin["name"].to_list() == ["Grace Lee", "Omar Haddad"]  # direct tie first
    regex = candidates(rg, CandidatesOptions(title=r"^(vp|ceo)\b", regex=True))
    assert set(regex["name"].to_list()) == {"Grace Lee", "Bo Bank"}


def test_accounts_coverage_paths_and_carriers():
    rg = graph(P, T)
    res = accounts(rg, AccountsOptions(accounts=("Acme Inc.; acme.example",)))
    cov = res.coverage.row(0, named=True)
    assert cov["n_people"] == 4  # gra, omr, zoe, far
    assert cov["n_hop1"] == 2 and cov["n_hop2"] == 1  # gra (ana), zoe (ben); omr; far is 3 hops away
    assert cov["coverage_2hop"] == pytest.approx(0.75)
    senior = res.paths["target"].to_list()
    assert senior[0] in {"Far Away", "Grace Lee"} and "Grace Lee" in senior  # CTO and VP first
    carriers = res.carriers
    assert set(carriers["member"].to_list()) == {"Ana Souza", "Ben Okafor"}


def test_seniority_ranks():
    s = pl.DataFrame({"t": ["CEO", "VP Sales", "Director of X", "Engineering Manager", "Engineer", None]})
    assert s.select(seniority(pl.col("t")).alias("r"))["r"].to_list() == [5, 4, 3, 2, 1, 0]


@pytest.mark.parametrize("seed", range(15))
def test_greedy_team_order_matches_brute_force_marginal_gains(seed):
    g = nx.gnp_random_graph(60, 0.05, seed=seed)
    ids = [f"v{i:02d}" for i in range(60)]
    rg = graph([{"person_id": i} for i in ids], [(ids[a], ids[b], 0.5) for a, b in g.edges])
    rng = np.random.default_rng(seed)
    team = rng.choice(60, 4, replace=False)
    order = greedy_team_order(rg, np.array([rg.vertex(ids[t]) for t in team]))
    sets = {
        rg.vertex(ids[t]): {
            rg.vertex(ids[v]) for v, d in nx.single_source_shortest_path_length(g, int(t), cutoff=2).items() if d > 0
        }
        for t in team
    }
    teamv = set(sets)
    covered: set[int] = set()
    for row in order.iter_rows(named=True):
        gains = {
            m: len(s - covered - teamv)
            for m, s in sets.items()
            if m not in {r for r in order["vertex"][: row["order"] - 1]}
        }
        assert row["n_new"] == max(gains.values())
        covered |= sets[row["vertex"]] - teamv
        assert row["n_cumulative"] == len(covered)


@pytest.mark.parametrize("seed", range(15))
def test_best_new_connection_matches_brute_force(seed):
    g = nx.gnp_random_graph(50, 0.04, seed=seed)
    ids = [f"v{i:02d}" for i in range(50)]
    rg = graph([{"person_id": i} for i in ids], [(ids[a], ids[b], 0.5) for a, b in g.edges])
    rng = np.random.default_rng(seed)
    team = [int(x) for x in rng.choice(50, 2, replace=False)]
    targets = [int(x) for x in rng.choice(50, 12, replace=False)]
    got = best_new_connections(
        rg, np.array([rg.vertex(ids[t]) for t in team]), np.array([rg.vertex(ids[t]) for t in targets]), top=50
    )

    def covered(graph_):
        near = set()
        for t in team:
            near |= set(nx.single_source_shortest_path_length(graph_, t, cutoff=2))
        return {t for t in targets if t in near}

    base = covered(g)
    gains = {}
    for x in range(50):
        if x in team:
            continue
        h = g.copy()
        h.add_edge(team[0], x)  # any team member: coverage within 2 hops is the same
        gains[x] = len(covered(h) - base)
    best = max(gains.values())
    if best == 0:
        assert got.height == 0
        return
    top = got.row(0, named=True)
    assert top["n_targets_gained"] == best
    assert gains[int(rg.person_ids[top["vertex"]][1:])] == best
    for r in got.iter_rows(named=True):
        assert gains[int(rg.person_ids[r["vertex"]][1:])] == r["n_targets_gained"]


def test_intros_report_names_introducers_and_evidence(tmp_path):
    rg = graph(P, T)
    rep = intros(rg, IntrosOptions(targets=("Omar Haddad", "Zoe Park", "Ana Souza"), top=2))
    omar = rep.paths.filter(pl.col("target") == "Omar Haddad")
    assert omar["introducer"].to_list() == ["Grace Lee", "Cat Jones"]
    assert rep.paths.filter(pl.col("target") == "Ana Souza")["hops"].to_list() == [0]
    assert rep.team == ["ana", "ben"]  # the owners
    plan = team_plan(rg, TeamOptions(targets=("Far Away", "Mid Person")))
    assert plan.connections.row(0, named=True)["display_name"] in {"Mid Person", "Far Away"}
