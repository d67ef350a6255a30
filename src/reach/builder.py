"""Building a workspace: resolve people and compute ties from everything imported, and load the graph."""

from __future__ import annotations

import logging
import os

import polars as pl

from reach.errors import WorkspaceError
from reach.graph import ReachGraph, build_graph
from reach.identity import resolve
from reach.people import find_person
from reach.settings import BuildSettings, load_settings
from reach.strength import compute_ties
from reach.workspace import Workspace

log = logging.getLogger("reach.build")


def open_workspace(workspace: str | os.PathLike[str] | Workspace) -> Workspace:
    return workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)


def build(
    workspace: str | os.PathLike[str] | Workspace, *, settings: BuildSettings | None = None, force: bool = False
) -> dict[str, int]:
    """Resolve people and compute ties from everything imported; skipped when nothing changed."""
    ws = open_workspace(workspace)
    settings = settings or load_settings(ws)
    digest = ws.inputs_digest(settings.as_dict())
    if not force and ws.build_is_current(digest):
        return {"people": ws.built("people").num_rows, "ties": ws.built("ties").num_rows, "rebuilt": 0}
    if not ws.source_ids():
        msg = f"workspace {ws.root} is empty; import something first (`reach import FILE`)"
        raise WorkspaceError(msg)
    with ws.lock():
        records = ws.raw("records")
        resolved = resolve(records, settings=settings.resolve)
        ties = compute_ties(ws.raw("interactions"), resolved["membership"], settings=settings.strength)
        ws.write_build(
            {
                "identifiers": resolved["identifiers"],
                "membership": resolved["membership"],
                "people": resolved["people"],
                "ties": ties,
            },
            digest,
        )
    n_ignored = resolved["ignored"].num_rows
    n_fuzzy = resolved["fuzzy"].num_rows
    if n_ignored:
        log.warning("%d shared emails/phones were not used to merge people", n_ignored)
    if n_fuzzy:
        log.info("%d record pairs merged by the fuzzy name+company tier", n_fuzzy)
    return {
        "people": resolved["people"].num_rows,
        "ties": ties.num_rows,
        "rebuilt": 1,
        "ignored": n_ignored,
        "fuzzy_merges": n_fuzzy,
    }


def load_graph(workspace: str | os.PathLike[str] | Workspace) -> ReachGraph:
    """Build (if needed) and load the workspace's relationship graph."""
    ws = open_workspace(workspace)
    build(ws)
    return build_graph(ws.built("people"), ws.built("ties"))


def find_person_id(workspace: str | os.PathLike[str] | Workspace, query: str) -> str:
    """The person_id a reference designates (see :func:`reach.people.find_person`), after building if needed."""
    ws = open_workspace(workspace)
    build(ws, settings=load_settings(ws))
    return find_person(pl.from_arrow(ws.built("people")), query)
