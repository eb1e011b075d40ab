"""The floors hold: no import circle among the project's modules, and no function-local import of
project code without a comment saying why.

Read with ``ast`` from the source files, without importing them, so a circle shows up here as a
failure rather than as an ImportError somewhere else. The order of the floors (people → courses →
quizzes → mentors → careers → rampup → demo → lms) is import-linter's contract in pyproject.toml
(``make lint``); this test adds what a layers contract cannot see: circles inside one app (models ↔
views), and function-local imports, which would hide a circle, left without a reason. A circle
closed by a function-local import is a circle all the same (services ↔ tasks through an import
inside the function that enqueues): a reason comment excuses the import's place, not the
circle, so the graph counts both kinds.
"""

import ast
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("people", "courses", "quizzes", "mentors", "careers", "rampup", "demo", "lms", "bench")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    line: int
    targets: tuple[str, ...]  # project modules it loads
    local: bool  # inside a function body


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every project module by dotted name; tests and migrations are not project code."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _is_package(name: str, modules: dict[str, Path]) -> bool:
    return modules[name].name == "__init__.py"


def _resolve(node: ast.Import | ast.ImportFrom, module: str, modules: dict[str, Path]) -> list[str]:
    """The project modules an import statement executes (its packages' ``__init__`` included)."""
    if isinstance(node, ast.Import):
        bases = [alias.name for alias in node.names]
        names: list[str] = []
    else:
        if node.level:
            package = module if _is_package(module, modules) else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = ".".join(part for part in (package, node.module) if part)
        else:
            base = node.module or ""
        bases = [base]
        names = [f"{base}.{alias.name}" for alias in node.names]
    targets = []
    for dotted in [*bases, *names]:
        parts = dotted.split(".")
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix in modules and prefix not in targets:
                targets.append(prefix)
    return [target for target in targets if target != module]


def imports_of(module: str, modules: dict[str, Path]) -> list[Import]:
    tree = ast.parse(modules[module].read_text(), filename=str(modules[module]))
    found = []

    def walk(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                targets = _resolve(child, module, modules)
                if targets:
                    found.append(Import(module, child.lineno, tuple(targets), local))
            walk(child, local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    walk(tree, local=False)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan): the import circles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                connect(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def one_circle(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest way round from the component's first module back to it, for the message."""
    start = component[0]
    paths = {start: [start]}
    queue = [start]
    for node in queue:
        for successor in sorted(graph[node] & set(component)):
            if successor == start:
                return [*paths[node], start]
            if successor not in paths:
                paths[successor] = [*paths[node], successor]
                queue.append(successor)
    return component


def module_graph(modules: dict[str, Path], *, local: bool = True) -> dict[str, set[str]]:
    """Who imports whom; ``local=False`` leaves out the imports inside function bodies."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for module in modules:
        for found in imports_of(module, modules):
            if local or not found.local:
                graph[module].update(found.targets)
    return graph


def _comment_lines(source: str) -> tuple[set[int], set[int]]:
    """Lines carrying a comment, and lines that are nothing but a comment."""
    with_comment, only_comment = set(), set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            with_comment.add(token.start[0])
            if not token.line[: token.start[1]].strip():
                only_comment.add(token.start[0])
    return with_comment, only_comment


def unexplained_local_imports(modules: dict[str, Path], root: Path = ROOT) -> list[str]:
    """Function-local project imports with no comment on their line or just above. Consecutive
    imports form one block, and one comment above the block speaks for all of it."""
    problems = []
    for module, path in modules.items():
        source = path.read_text()
        lines = source.splitlines()
        with_comment, only_comment = _comment_lines(source)
        local = [found for found in imports_of(module, modules) if found.local]
        tree = ast.parse(source)
        starts = {
            node.lineno: node.end_lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
        }
        ends = {end: start for start, end in starts.items()}
        for found in local:
            if found.line in with_comment:
                continue
            line = found.line
            while True:  # climb over the imports stacked just above, blank lines between
                above = line - 1
                while above > 0 and not lines[above - 1].strip() and above - 1 in ends:
                    above -= 1
                if above not in ends:
                    break
                line = ends[above]
            if line - 1 in only_comment:
                continue
            problems.append(
                f"{path.relative_to(root).as_posix()}:{found.line}: {lines[found.line - 1].strip()}"
            )
    return problems


def test_the_project_modules_are_found():
    modules = project_modules()
    assert {"people.roles", "courses.models", "mentors.services", "rampup.dashboard"} <= set(
        modules
    )
    assert not [name for name in modules if ".migrations" in name or name.startswith("tests")]


def test_no_import_circle_among_project_modules():
    graph = module_graph(project_modules())
    found = cycles(graph)
    assert found == [], "import circles (module-level and function-local imports):\n" + "\n".join(
        " → ".join(one_circle(component, graph)) for component in found
    )


def test_every_function_local_project_import_says_why():
    problems = unexplained_local_imports(project_modules())
    assert problems == [], (
        "function-local project imports without a comment saying why (hoist them, or say why "
        "on the line or just above):\n" + "\n".join(problems)
    )


# The checks themselves, on a small planted project.


@pytest.fixture
def planted(tmp_path):
    def plant(files: dict[str, str]) -> dict[str, Path]:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        for package in PACKAGES:
            (tmp_path / package).mkdir(exist_ok=True)
            (tmp_path / package / "__init__.py").touch()
        return project_modules(tmp_path)

    return plant


def test_a_planted_circle_inside_one_app_is_found(planted):
    modules = planted(
        {
            "courses/models.py": "from .views import serve\n",
            "courses/views.py": "from courses import models\n",
            "courses/migrations/0001_initial.py": "from courses import models\n",
        }
    )
    assert cycles(module_graph(modules)) == [["courses.models", "courses.views"]]


def test_a_planted_circle_across_floors_is_found(planted):
    modules = planted(
        {
            "people/services.py": "from mentors.models import Mentorship\n",
            "mentors/models.py": "import courses.models\n",
            "courses/models.py": "from people import services\n",
        }
    )
    assert cycles(module_graph(modules)) == [
        ["courses.models", "mentors.models", "people.services"]
    ]


def test_a_circle_through_a_function_local_import_is_found(planted):
    """services ↔ tasks, the task module importing the services at its top and the service
    importing the task inside the function that enqueues it (with a comment)."""
    modules = planted(
        {
            "mentors/tasks.py": "from . import services\n",
            "mentors/services.py": (
                "def statement_finalize():\n"
                "    # the tasks import the services: imported here\n"
                "    from .tasks import statement_recompute\n"
            ),
        }
    )
    graph = module_graph(modules)
    assert cycles(graph) == [["mentors.services", "mentors.tasks"]]
    assert cycles(module_graph(modules, local=False)) == []


def test_a_lazy_import_needs_a_comment(planted, tmp_path):
    modules = planted(
        {
            "mentors/models.py": (
                "def clean():\n"
                "    from .validation import problems\n"
                "def explained():\n"
                "    # the reason\n"
                "    from .validation import problems\n"
                "    from people import roles\n"
                "def inline():\n"
                "    from .validation import problems  # the reason\n"
                "def not_ours():\n"
                "    import json\n"
            ),
            "mentors/validation.py": "from mentors.models import clean\n",
        }
    )
    assert cycles(module_graph(modules, local=False)) == []
    assert unexplained_local_imports(modules, root=tmp_path) == [
        "mentors/models.py:2: from .validation import problems"
    ]
