"""Compatibility names for code written against the old ``reach.pipeline`` module.

The library now lives by responsibility: :mod:`reach.imports` (walking and hashing input files),
:mod:`reach.settings`, :mod:`reach.builder` (build and load the graph), :mod:`reach.corrections`
(merge, split, forget), :mod:`reach.evidence` and the feature layer :mod:`reach.features`. New code imports
from those.
"""

from reach.builder import build, find_person_id, load_graph
from reach.corrections import forget, merge_people, split_person
from reach.features import explain, explain_person
from reach.imports import FileImport, ImportSummary, expand_paths, import_file, import_paths
from reach.settings import BuildSettings, load_settings

__all__ = [
    "BuildSettings",
    "FileImport",
    "ImportSummary",
    "build",
    "expand_paths",
    "explain",
    "explain_person",
    "find_person_id",
    "forget",
    "import_file",
    "import_paths",
    "load_graph",
    "load_settings",
    "merge_people",
    "split_person",
]
