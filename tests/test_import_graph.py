"""Dependencies point one way: no module of reach imports, directly or through others, a module that
imports it back (counting imports inside functions too), and each module imports on its own."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import networkx as nx

import reach

SRC = Path(reach.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _imported(name: str, path: Path) -> set[str]:
    """The reach modules ``name`` imports anywhere in its file (a name imported from a package counts as
    its submodule when there is one, else as the package)."""
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1], *filter(None, [base])]
                )
            for a in node.names:
                sub = f"{base}.{a.name}"
                out.add(sub if sub in MODULES else base)
    return {m for m in out if m in MODULES and m != name}


def import_graph() -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(MODULES)
    for name, path in MODULES.items():
        g.add_edges_from((name, dep) for dep in _imported(name, path))
    return g


def test_import_graph_sees_known_edges():
    g = import_graph()
    assert g.has_edge("reach.identity", "reach.organisations")
    assert g.has_edge("reach.views", "reach.organisations")
    assert g.number_of_edges() > len(MODULES)


def test_no_import_cycle():
    g = import_graph()
    cycles = [sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1]
    assert cycles == []


def test_every_module_imports_first():
    """Each module imported first, with no other module of reach loaded (one fresh interpreter, reach's
    modules dropped from ``sys.modules`` between imports): none relies on another being imported before."""
    skip = {"reach.__main__"}  # runs the CLI
    optional = ("reach.serve",)  # needs the serve extra
    names = [m for m in MODULES if m not in skip and not m.startswith(optional)]
    code = (
        "import importlib, sys\n"
        "for m in sys.argv[1:]:\n"
        "    importlib.import_module(m)\n"
        "    for k in [k for k in sys.modules if k == 'reach' or k.startswith('reach.')]:\n"
        "        del sys.modules[k]\n"
    )
    res = subprocess.run([sys.executable, "-c", code, *names], check=False, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
