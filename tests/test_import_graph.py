"""The arrows point down: no import circle, and the floors below import nothing above them.

The graph is read from the source with ``ast`` (nothing is imported): every ``import`` and
``from ... import`` of every module of ``importer/``, at module level or inside a function,
``if TYPE_CHECKING:`` blocks included (a circle for the type checker is still a circle
for the reader), and ``import_module("importer....")`` with a constant name. A module
name written in a string (a catalogue of domains to load) is checked separately. See
docs/architecture.md.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import pytest
from helpers import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "importer"

# The front ends and the simulator: nothing below them may import them.
ABOVE = ("importer.cli", "importer.commands", "importer.web", "importer.watch", "importer.sandbox")
# The floors below the front ends (and the modules beside the flow they use).
BELOW = (
    "importer.messages",
    "importer.read",
    "importer.rows",
    "importer.send",
    "importer.report",
    "importer.settings",
    "importer.fields",
    "importer.ocean_api",
    "importer.result_columns",
    "importer.model",
    "importer.errors",
    "importer.environment",
    "importer.zones",
    "importer.date_range",
    "importer.tls_trust",
    "importer.filelock",
    "importer.net",
)
# The sandbox used as a feature, imported inside the one function that starts it: the
# embedded sandbox of ``--sandbox`` and the ``mission-importer sandbox`` command.
SANDBOX_DOORS = {
    ("importer.commands.connect", "importer.sandbox"),
    ("importer.cli.service", "importer.sandbox"),
}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    in_function: bool

    def __str__(self) -> str:
        where = "in a function" if self.in_function else "at module level"
        return f"{self.source} -> {self.target} (line {self.line}, {where})"


def module_name(path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, ast.Module]:
    return {
        module_name(path): ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _resolve(name: str, known: dict[str, ast.Module]) -> str | None:
    """The module of ours that ``name`` is, or the closest package of ours above it."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _imports(source: str, tree: ast.Module) -> Iterator[Edge]:
    known = modules()
    is_package = (PACKAGE / source.removeprefix("importer").replace(".", "/")).is_dir()
    functions: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            functions.update(id(child) for child in ast.walk(node) if child is not node)
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package upwards
                anchor = source if is_package else source.rpartition(".")[0]
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}" if base else anchor
            # ``from pkg import sub`` imports the submodule sub when there is one.
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        for name in names:
            target = _resolve(name, known) if name.startswith("importer") else None
            if target and target != source:
                yield Edge(source, target, node.lineno, id(node) in functions)


@cache
def edges() -> tuple[Edge, ...]:
    return tuple(edge for name, tree in modules().items() for edge in _imports(name, tree))


def _within(name: str, packages: tuple[str, ...] | str) -> bool:
    packages = (packages,) if isinstance(packages, str) else packages
    return any(name == p or name.startswith(p + ".") for p in packages)


def _is_reexport(edge: Edge) -> bool:
    """A package's ``__init__`` importing its own submodule: the package itself."""
    return edge.target.startswith(edge.source + ".")


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the strongly connected components of ``graph``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def test_the_graph_is_read():
    found = edges()
    assert len(modules()) > 80
    # one import of each kind, to know the reader sees them
    assert any(str(e).startswith("importer.cli.app -> importer.messages") for e in found)
    assert any(e.in_function for e in found)
    assert any(e.source == "importer.web.app" and e.target == "importer.web.pages" for e in found)


def test_strongly_connected_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert sorted(map(sorted, strongly_connected(graph))) == [["a", "b", "c"], ["d"]]


def test_no_import_circle():
    graph: dict[str, set[str]] = {name: set() for name in modules()}
    for edge in edges():
        if not _is_reexport(edge):
            graph[edge.source].add(edge.target)
    circles = [component for component in strongly_connected(graph) if len(component) > 1]
    assert circles == []


@pytest.mark.parametrize("floor", BELOW)
def test_the_floors_below_import_nothing_above(floor):
    upward = [
        str(edge) for edge in edges() if _within(edge.source, floor) and _within(edge.target, ABOVE)
    ]
    assert upward == []


@pytest.mark.parametrize("floor", BELOW)
def test_the_floors_below_name_no_module_above(floor):
    """Not even as a string to import later (the catalogue once loaded the sandbox's texts)."""
    named = [
        f"{name}: {node.value!r} (line {node.lineno})"
        for name, tree in modules().items()
        if _within(name, floor)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _within(node.value, ABOVE)
    ]
    assert named == []


def test_production_code_takes_nothing_from_the_sandbox():
    """Only the doors that start the sandbox as a feature import it, inside a function."""
    users = [
        edge
        for edge in edges()
        if _within(edge.target, "importer.sandbox") and not _within(edge.source, "importer.sandbox")
    ]
    assert {(e.source, e.target) for e in users} == SANDBOX_DOORS
    assert [str(e) for e in users if not e.in_function] == []


def test_the_front_ends_do_not_import_each_other():
    fronts = ("importer.cli", "importer.web", "importer.watch")
    crossing = [
        str(edge)
        for edge in edges()
        if _within(edge.source, ABOVE)
        and _within(edge.target, fronts)
        and not _within(edge.source, "importer.cli")  # the command line starts them all
        and edge.source.split(".")[:2] != edge.target.split(".")[:2]
    ]
    assert crossing == []


def test_rows_do_not_read_the_settings():
    found = [
        str(e)
        for e in edges()
        if _within(e.source, "importer.rows") and _within(e.target, "importer.settings")
    ]
    assert found == []


def test_the_page_does_not_import_the_sending_step():
    """The page sends through the run API (importer.commands.run) only."""
    found = [
        str(e)
        for e in edges()
        if _within(e.source, "importer.web") and _within(e.target, "importer.send")
    ]
    assert found == []
