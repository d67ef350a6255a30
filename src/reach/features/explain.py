"""Explanations: every record and identifier behind a person, and the interactions behind a tie.

These read the workspace's raw tables (records, interactions, sources), not only the graph.
"""

from __future__ import annotations

import os

from reach.builder import find_person_id, open_workspace
from reach.explain import PersonReport, TieExplanation, explain_tie, person_report
from reach.workspace import Workspace


def explain_person(workspace: str | os.PathLike[str] | Workspace, query: str) -> PersonReport:
    """Every record and identifier behind a person, and why they were merged."""
    ws = open_workspace(workspace)
    pid = find_person_id(ws, query)
    return person_report(
        pid,
        people=ws.built("people"),
        records=ws.raw("records"),
        identifiers=ws.built("identifiers"),
        membership=ws.built("membership"),
        sources=ws.sources(),
    )


def explain(workspace: str | os.PathLike[str] | Workspace, a: str, b: str, *, max_evidence: int = 20) -> TieExplanation:
    """The tie between two people and the interactions behind it (up to ``max_evidence`` of them)."""
    ws = open_workspace(workspace)
    pa_id, pb_id = find_person_id(ws, a), find_person_id(ws, b)
    return explain_tie(
        pa_id,
        pb_id,
        people=ws.built("people"),
        ties=ws.built("ties"),
        interactions=ws.raw("interactions"),
        membership=ws.built("membership"),
        sources=ws.sources(),
        max_evidence=max_evidence,
    )
