"""The code's shape, checked cheaply on every run: modules of at most 450 lines, functions of at most 70, and no
import cycle among the bot's modules (module-level imports; imports inside functions and under TYPE_CHECKING are
how a cycle is avoided on purpose, so they do not count)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 70

# The sandbox's independent contract emulations follow the contracts' own layout and may be longer.
CONTRACT_EMULATIONS = {"bot/sandbox/pool.py", "bot/sandbox/lockup_contract.py", "bot/sandbox/liquid_contracts.py"}


def _sources(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _outer_nested(node: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The functions defined inside `node`, not counting those inside them."""
    found = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append(child)
        else:
            found += _outer_nested(child)
    return found


def _own_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """A function's lines without the functions defined inside it (those are measured on their own)."""
    def span(f: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
        assert f.end_lineno is not None
        return f.end_lineno - f.lineno + 1

    return span(node) - sum(span(inner) for inner in _outer_nested(node))


def _offenders() -> set[str]:
    found = set()
    for path in _sources("bot", "cogs"):
        source = path.read_text(encoding="utf-8")
        if len(source.splitlines()) > MAX_MODULE_LINES and _name(path) not in CONTRACT_EMULATIONS:
            found.add(_name(path))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _own_lines(node) > MAX_FUNCTION_LINES:
                found.add(f"{_name(path)}:{node.name}")
    return found


def test_modules_and_functions_stay_small() -> None:
    assert sorted(_offenders()) == [], f"over {MAX_MODULE_LINES} lines a module or {MAX_FUNCTION_LINES} a function"


# -- import cycles ----------------------------------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports run when the module loads: top level, and inside top-level `if`/`try` (not `if TYPE_CHECKING`)."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        statement = pending.pop()
        if isinstance(statement, ast.Import | ast.ImportFrom):
            found.append(statement)
        elif isinstance(statement, ast.If):
            pending += statement.orelse if _is_type_checking(statement.test) else statement.body + statement.orelse
        elif isinstance(statement, ast.Try):
            pending += statement.body + statement.orelse + statement.finalbody
            pending += [s for handler in statement.handlers for s in handler.body]
    return found


def _import_graph() -> dict[str, set[str]]:
    paths = _sources("bot")
    modules = {_module_name(p): p for p in paths}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _module_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
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
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_no_import_cycle_among_bot_modules() -> None:
    assert _cycles(_import_graph()) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    """The check itself: a two-module cycle and a three-module cycle are found, a chain is not."""
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_graph_sees_module_level_imports_only() -> None:
    graph = _import_graph()
    assert "bot.render.embeds.base" in graph["bot.render.embeds.status"]  # a `from … import name` edge
    assert "bot.discord_app" not in graph["bot.cli"]  # imported inside a function only (the bot starts lazily)
    assert "bot.discord_app" not in graph["bot.discord.tree"]  # imported under TYPE_CHECKING only
