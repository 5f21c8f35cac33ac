"""The package's layout: what may import what, read from the source (nothing is imported).

Every module under interview/ is parsed with ast. An import counts wherever it is written,
inside a function too (a lazy import is still a dependency), and so does
importlib.import_module("interview...") with a literal name. Imports under
`if TYPE_CHECKING:` are left out: they exist only for the type checker.

Nodes of the graph are the first-level packages (interview.scoring, interview.candidate...);
a module at the package root (interview.pipeline, interview.cli) is a node of its own.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "interview"
MAX_ROOT_MODULES = 8  # config, errors, the entry points (cli, pipeline, worker), __init__...
ENTRY_POINTS = {"interview.cli"}  # may start the API
PURE_STAGES = ("interview.scoring", "interview.integrity")  # never touch the database
ROUTE_FORBIDDEN = ("interview.backend.engines", "interview.backend.registry")
ROUTE_FORBIDDEN += ("interview.competency.library",)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """ast.walk, skipping the body of `if TYPE_CHECKING:` blocks (their else runs)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield other
                yield from _walk(other)
            continue
        yield child
        yield from _walk(child)


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every interview import in a file."""
    for node in _walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "interview":  # from interview import x: x may be a module
                for alias in node.names:
                    yield node.lineno, f"interview.{alias.name}"
            else:
                yield node.lineno, node.module
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def node_of(module: str) -> str:
    """interview.scoring.content -> interview.scoring; interview.pipeline stays itself."""
    return ".".join(module.split(".")[:2])


def all_imports() -> list[tuple[str, int, str]]:
    """(importing module, line, imported module) for imports of interview's own modules."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        src = module_name(path)
        for line, target in imports_of(path):
            if target == "interview" or target.startswith("interview."):
                found.append((src, line, target))
    return found


IMPORTS = all_imports()


def package_graph() -> dict[str, dict[str, list[str]]]:
    """node -> node it imports -> the imports that make the edge ("module:line -> target")."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for src, line, target in IMPORTS:
        a, b = node_of(src), node_of(target)
        if a != b and b != "interview":  # interview/__init__ holds only the version
            graph[a][b].append(f"{src}:{line} -> {target}")
    return graph


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def test_the_walk_sees_known_imports() -> None:
    """The walker itself works: module-level and lazy imports are both found."""
    seen = {(src, target) for src, _, target in IMPORTS}
    assert ("interview.pipeline", "interview.config") in seen
    assert ("interview.cli", "interview.api.app") in seen  # imported inside a function
    assert len({node_of(s) for s, _, _ in IMPORTS}) > 10


def test_no_cycle_between_packages() -> None:
    graph = package_graph()
    problems = []
    for component in cycles(graph):
        edges = [
            f"  {a} -> {b}: {graph[a][b][0]}"
            for a in component
            for b in component
            if b in graph.get(a, {})
        ]
        problems.append(" <-> ".join(component) + "\n" + "\n".join(edges))
    assert not problems, "import cycles between packages:\n" + "\n".join(problems)


def test_only_the_api_and_the_cli_import_the_api() -> None:
    bad = [
        f"{src}:{line} -> {target}"
        for src, line, target in IMPORTS
        if node_of(target) == "interview.api"
        and node_of(src) != "interview.api"
        and src not in ENTRY_POINTS
    ]
    assert not bad, "interview.api imported from below it:\n" + "\n".join(bad)


@pytest.mark.parametrize("stage", PURE_STAGES)
def test_pure_stages_do_not_touch_storage(stage: str) -> None:
    bad = [
        f"{src}:{line} -> {target}"
        for src, line, target in IMPORTS
        if node_of(src) == stage and node_of(target) == "interview.storage"
    ]
    assert not bad, f"{stage} imports storage:\n" + "\n".join(bad)


def test_routes_load_no_model_or_library() -> None:
    """Routes get models through the app context; loading is domain work."""
    bad = [
        f"{src}:{line} -> {target}"
        for src, line, target in IMPORTS
        if src.startswith("interview.api.routes.")
        and any(target == f or target.startswith(f + ".") for f in ROUTE_FORBIDDEN)
    ]
    assert not bad, "routes importing engines, registry or library loaders:\n" + "\n".join(bad)


def test_the_package_root_stays_small() -> None:
    modules = sorted(p.name for p in ROOT.glob("*.py"))
    assert len(modules) <= MAX_ROOT_MODULES, (
        f"interview/ has {len(modules)} modules at its root ({', '.join(modules)}); "
        f"at most {MAX_ROOT_MODULES}: put the rest in the folder of their stage or domain"
    )
