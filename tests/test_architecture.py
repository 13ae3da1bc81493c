"""The shape of the code: no import circle anywhere, the layers of ``mocks`` import downwards
only, and no module passes 500 lines.

Imports are read from the source (``ast``), at any depth: an import inside a function counts as
much as one at the top, so no circle can hide in a lazy import. Only the imports under ``if
TYPE_CHECKING:`` are left out: they are never run, they only name types for the type checker.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("contracts", "strategies", "mocks")
MAX_LINES = 500

# the layers of mocks, lowest first: a module may import its own layer and the ones below
MOCKS_LAYERS = (
    ("mocks._errors",),
    ("mocks._core",),
    ("mocks._adapters", "mocks._traffic"),
    ("mocks._server",),
    ("mocks._cli", "mocks._plugin", "mocks"),
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the three packages, by dotted name."""
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _own(name: str) -> str | None:
    """``name``, or the longest prefix of it, that is one of our modules (else None)."""
    known = modules()
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:``."""
    found: list[ast.AST] = []
    pending = [tree]
    while pending:
        node = pending.pop()
        found.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and ast.unparse(child.test) in (
                "TYPE_CHECKING",
                "typing.TYPE_CHECKING",
            ):
                pending.extend(child.orelse)
                continue
            pending.append(child)
    return found


@cache
def imports() -> dict[str, set[str]]:
    """Module -> the modules of ours it imports when it runs, anywhere in its source."""
    graph: dict[str, set[str]] = {}
    for module, path in modules().items():
        is_package = path.name == "__init__.py"
        found: set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(module, is_package, node)
                # ``from pkg import sub`` imports the submodule pkg.sub when there is one
                names = [target, *(f"{target}.{alias.name}" for alias in node.names)]
            else:
                continue
            found.update(own for name in names if (own := _own(name)) is not None)
        found.discard(module)
        graph[module] = found
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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
            visit(node)
    return found


def test_the_reader_sees_the_imports_it_must_see() -> None:
    graph = imports()
    # a relative import inside a function, and ``from package import submodule``
    assert "mocks._core.stateless" in graph["mocks._adapters.prefer"]
    assert "mocks._server.options" in graph["mocks._plugin"]  # in a fixture
    assert "mocks._adapters.router" not in graph["mocks._plugin"]  # under TYPE_CHECKING only
    assert "contracts" in graph["mocks._core.handler"]
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circle_anywhere() -> None:
    assert _circles(imports()) == []


def test_imports_flow_one_way_between_the_packages() -> None:
    order = {"contracts": 0, "strategies": 1, "mocks": 2}
    wrong = [
        (module, target)
        for module, targets in imports().items()
        for target in targets
        if order[target.split(".")[0]] > order[module.split(".")[0]]
    ]
    assert wrong == []


def _layer(module: str) -> int:
    for number, prefixes in enumerate(MOCKS_LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes if p != "mocks"):
            return number
    assert module == "mocks", module
    return len(MOCKS_LAYERS) - 1


def test_the_layers_of_mocks_import_downwards_only() -> None:
    upwards = [
        (module, target)
        for module, targets in imports().items()
        if module.startswith("mocks")
        for target in targets
        if target.startswith("mocks") and _layer(target) > _layer(module)
    ]
    assert upwards == []


def test_the_core_is_framework_free() -> None:
    frameworks = ("httpx", "respx", "uvicorn")
    offenders = []
    for module, path in modules().items():
        if not module.startswith("mocks._core"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            offenders += [(module, n) for n in names if n.split(".")[0] in frameworks]
    assert offenders == []


@pytest.mark.parametrize("module", sorted(modules()))
def test_no_module_passes_500_lines(module: str) -> None:
    lines = len(modules()[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines; split it by topic"


_LAYERED = ("mocks._core.", "mocks._adapters.", "mocks._traffic.", "mocks._server.")


def test_architecture_md_names_every_module_of_the_layers() -> None:
    drawn = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    layered = [
        path
        for module, path in modules().items()
        if module.startswith(_LAYERED) and path.name != "__init__.py"
    ]
    assert layered
    missing = [str(path.relative_to(ROOT)) for path in layered if path.name not in drawn]
    assert missing == []
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for package in ("_core/", "_adapters/", "_traffic/", "_server/", "_cli/", "_plugin/"):
        assert package in readme[readme.index("## Architecture") :]
