"""Our modules import each other at the top, never inside a function (issue 11).

An import placed in a function body to dodge an import cycle hides the cycle instead of
fixing it: the two modules still need each other, only later. Where two modules need each
other, the shared part moves down into a module both import, or a callable is passed in.

Walks every module of the apps (the import contract's root packages, migrations left out)
with `ast`. An import of our packages inside a function fails, except:
- in `ready()` of an AppConfig subclass (Django's place to load registering modules and
  connect receivers), and under `if TYPE_CHECKING:` (annotations only);
- the imports in ALLOWED, each with the reason it must stay lazy.
With the imports at the top, their graph shows any cycle left: there must be none.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

BASE = Path(__file__).resolve().parents[2]
ROOTS = tuple(
    tomllib.loads((BASE / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]
)


class Allowed(NamedTuple):
    module: str  # the importing module
    name: str  # what it imports, dotted: "package.module" or "package.module.name"
    reason: str


#: imports of our packages that stay inside a function, and why. Keep it short: an entry
#: that no longer matches an import fails, so the list only shrinks.
ALLOWED: tuple[Allowed, ...] = ()


class LateImport(NamedTuple):
    path: str
    line: int
    module: str
    name: str
    function: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.name} imported inside {self.function}()"


def _module_name(path: Path) -> str:
    parts = path.relative_to(BASE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _ours(name: str) -> bool:
    return name.split(".")[0] in ROOTS


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _is_app_config(node: ast.ClassDef) -> bool:
    return any(
        (isinstance(base, ast.Name) and base.id.endswith("AppConfig"))
        or (isinstance(base, ast.Attribute) and base.attr.endswith("AppConfig"))
        for base in node.bases
    )


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The dotted names NODE imports from our packages (relative imports resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if _ours(alias.name)]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        anchor = package[: len(package) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    return [f"{base}.{alias.name}" for alias in node.names] if _ours(base) else []


def late_imports(
    source: str, *, path: str, module: str, is_package: bool = False
) -> list[LateImport]:
    """Imports of our packages inside a function body of SOURCE, but for the exceptions
    above (ready() of an AppConfig, `if TYPE_CHECKING:`)."""
    found: list[LateImport] = []

    def visit(node: ast.AST, scope: str, in_function: bool, app_config: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child, scope, in_function, app_config)
        elif isinstance(node, ast.ClassDef):
            for child in node.body:
                visit(child, f"{scope}{node.name}.", in_function, _is_app_config(node))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if app_config and not in_function and node.name == "ready":
                return  # AppConfig.ready(): Django's place for registering imports
            for child in node.body:
                visit(child, f"{scope}{node.name}.", True, False)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            if in_function:
                function = scope.removesuffix(".")
                for name in _imported(node, module, is_package):
                    found.append(LateImport(path, node.lineno, module, name, function))
        else:
            for child in ast.iter_child_nodes(node):
                visit(child, scope, in_function, app_config)

    visit(ast.parse(source), "", False, False)
    return found


def project_modules() -> Iterator[Path]:
    for root in ROOTS:
        for path in sorted((BASE / root).rglob("*.py")):
            if "migrations" not in path.relative_to(BASE).parts:
                yield path


def project_late_imports() -> list[LateImport]:
    found = []
    for path in project_modules():
        found += late_imports(
            path.read_text(),
            path=str(path.relative_to(BASE)),
            module=_module_name(path),
            is_package=path.name == "__init__.py",
        )
    return found


def test_no_import_of_our_packages_inside_a_function():
    allowed = {(entry.module, entry.name) for entry in ALLOWED}
    late = [i for i in project_late_imports() if (i.module, i.name) not in allowed]
    assert not late, (
        "Imports of our packages inside a function: import at the top of the module; if "
        "that makes a cycle, break it (move what both need down, or pass a callable in). "
        "Lazy for a reason that is not a cycle: add it to ALLOWED with the reason.\n"
        + "\n".join(map(str, late))
    )


def test_every_allowed_late_import_still_exists():
    found = {(i.module, i.name) for i in project_late_imports()}
    stale = [entry for entry in ALLOWED if (entry.module, entry.name) not in found]
    assert not stale, f"ALLOWED entries that match no import any more: {stale}"
    assert all(entry.reason.strip() for entry in ALLOWED)


def top_level_imports(source: str, *, module: str, is_package: bool = False) -> set[str]:
    """The dotted names of our packages SOURCE imports when it loads (TYPE_CHECKING left out)."""
    names: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                names.update(_imported(node, module, is_package))
            elif isinstance(node, ast.If):
                visit([] if _is_type_checking(node.test) else node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, *(h.body for h in node.handlers), node.orelse):
                    visit(block)
                visit(node.finalbody)

    visit(ast.parse(source).body)
    return names


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules of GRAPH that import each other, directly or round a loop
    (strongly connected components of more than one module, Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def connect(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in index:
                connect(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = stack[stack.index(module) :]
            del stack[stack.index(module) :]
            if len(group) > 1:
                cycles.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            connect(module)
    return cycles


def test_our_modules_import_each_other_without_a_cycle():
    """With every import at the top, a cycle would be there to see: none is left."""
    sources = {_module_name(path): path for path in project_modules()}

    def resolve(name: str) -> str | None:  # the module a dotted name is, or is in
        while name and name not in sources:
            name = name.rpartition(".")[0]
        return name or None

    graph = {
        module: {
            target
            for name in top_level_imports(
                path.read_text(), module=module, is_package=path.name == "__init__.py"
            )
            if (target := resolve(name)) not in (None, module)
        }
        for module, path in sources.items()
    }
    cycles = import_cycles(graph)
    assert not cycles, "Modules that import each other:\n" + "\n".join(
        " <-> ".join(group) for group in cycles
    )


SAMPLE = """
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from identity.models import User


class SampleConfig(AppConfig):
    def ready(self):
        from regions import signals


class Other:
    def ready(self):
        from regions import tasks


def helper():
    import json
    from . import sibling
    if TYPE_CHECKING:
        from zones.models import Zone
    from regions.federation.replication import delivery
"""


def test_the_walk_finds_imports_inside_functions_and_names_file_and_line():
    found = late_imports(SAMPLE, path="regions/sample.py", module="regions.sample")
    assert [str(i) for i in found] == [
        "regions/sample.py:17: regions.tasks imported inside Other.ready()",
        "regions/sample.py:22: regions.sibling imported inside helper()",
        "regions/sample.py:25: regions.federation.replication.delivery imported inside helper()",
    ]


def test_a_cycle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []
