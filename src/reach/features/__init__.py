"""The feature layer: one function per feature, each taking a :class:`reach.graph.ReachGraph` and one typed,
frozen options object (:mod:`reach.features.options`) and returning polars frames in the one output vocabulary
of :data:`reach.reports.outputs.OUTPUT_TABLES`. The CLI, the nightly run (`reach run`) and the report call these
and nothing below them.
"""

from reach.features.accounts import AccountsReport, accounts
from reach.features.brokers import brokers
from reach.features.candidates import candidates
from reach.features.common import allowed_ties, resolve_people, team_or_none, team_vertices
from reach.features.communities import CommunitiesReport, communities
from reach.features.explain import explain, explain_person
from reach.features.intros import IntroReport, intros
from reach.features.options import (
    AccountsOptions,
    BrokersOptions,
    CandidatesOptions,
    CommunitiesOptions,
    IntrosOptions,
    PathOptions,
    PeopleOptions,
    ReachedOptions,
    ReachOptions,
    StatsOptions,
    TeamOptions,
)
from reach.features.path import PathResult, degrees_of_separation
from reach.features.people import find_people, find_people_counted
from reach.features.reach import TeamPlan, reached, team_plan, team_reach
from reach.features.stats import StatsReport, stats

__all__ = [
    "AccountsOptions",
    "AccountsReport",
    "BrokersOptions",
    "CandidatesOptions",
    "CommunitiesOptions",
    "CommunitiesReport",
    "IntroReport",
    "IntrosOptions",
    "PathOptions",
    "PathResult",
    "PeopleOptions",
    "ReachOptions",
    "ReachedOptions",
    "StatsOptions",
    "StatsReport",
    "TeamOptions",
    "TeamPlan",
    "accounts",
    "allowed_ties",
    "brokers",
    "candidates",
    "communities",
    "degrees_of_separation",
    "explain",
    "explain_person",
    "find_people",
    "find_people_counted",
    "intros",
    "reached",
    "resolve_people",
    "stats",
    "team_or_none",
    "team_plan",
    "team_reach",
    "team_vertices",
]
