"""The shape of the package, as the README's module map states it: stages import only downward, no module
imports another's private name, and there is no import cycle, not even inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "symdl"

# A module may import from its own stage or a lower one.  numeric and network are one stage (a network
# applies compiled activations); render is above both; the command line above everything.
STAGES = {"engine": 1, "numeric": 2, "network": 2, "render": 3, "figures": 3, "cli": 4, "__main__": 4}


def modules() -> dict[str, Path]:
    return {
        ".".join(("symdl", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__"): path
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def stage(module: str) -> int:
    parts = module.split(".")
    return STAGES.get(parts[1], 0) if len(parts) > 1 else 5  # the package itself (the public API) is on top


def imports(module: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names, line) for every import that runs, at any depth (inside functions too)."""
    found = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {  # ``if TYPE_CHECKING:`` imports name types for the checker and never run
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            found.append((base, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names]
    return [(m, names, line) for m, names, line in found if m == "symdl" or m.startswith("symdl.")]


MODULES = modules()


def _targets(base: str, names: list[str]) -> list[str]:
    """The modules an import reaches: ``from symdl.render import latex`` reaches symdl.render.latex."""
    reached = [base] if base in MODULES else []
    reached += [f"{base}.{name}" for name in names if f"{base}.{name}" in MODULES]
    return reached or [base]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_stages(module):
    for base, names, line in imports(module, MODULES[module]):
        for target in _targets(base, names):
            assert stage(target) <= stage(module), f"{module}:{line} imports {target} from a higher stage"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_from_another_module(module):
    for base, names, line in imports(module, MODULES[module]):
        private = [n for n in names if n.startswith("_") and n != "__version__"]
        assert base == module or not private, f"{module}:{line} imports {private} from {base}"


def test_no_import_cycle():
    graph = {
        m: {t for base, names, _ in imports(m, p) for t in _targets(base, names) if t != m} for m, p in MODULES.items()
    }
    graph = {m: {t for t in targets if t in MODULES} for m, targets in graph.items()}
    # The package's __init__ files are entry points, not stages: an import of symdl.x runs symdl/__init__.py
    # first, which is not a dependency of x's code.
    graph = {m: {t for t in ts if t not in ("symdl",)} for m, ts in graph.items()}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
