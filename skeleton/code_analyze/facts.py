"""What the grader's code rules need to know about each .py file, without importing or running it.

Whether the analyzer could read the file and Python parses it (and why not), and the modules it
imports: ``import x.y``, ``from x import y``, and ``__import__("x")`` or
``importlib.import_module("x")`` with a string literal. Python's own `ast` decides, after the
limits of code_analyze.source, so a hostile file costs no more here than in the analyzer.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from code_analyze.scopes import python_tree
from code_analyze.source import UnreadableError, read_bytes, read_source

_IMPORT_CALLS = ("__import__", "import_module")


@dataclass(frozen=True)
class PythonFile:
    """The facts about one .py file (path relative to codes/, with `/`)."""

    name: str
    readable: bool  # False: too large, too deeply nested or not decodable (`reason` says which)
    parses: bool  # Python accepts it (only ever True when readable)
    reason: str | None  # why it is unreadable or does not parse
    imports: tuple[str, ...]  # dotted module names, sorted, each once; relative imports left out

    def to_json(self) -> dict:
        return {"readable": self.readable, "parses": self.parses, "reason": self.reason,
                "imports": list(self.imports)}


def python_file(name: str, path: Path) -> PythonFile:
    try:
        source = read_source(read_bytes(path), python=True)
    except UnreadableError as exc:
        return PythonFile(name, False, False, str(exc), ())
    tree, error = python_tree(source.text)
    if tree is None:
        return PythonFile(name, True, False, f"does not parse ({error})", ())
    return PythonFile(name, True, True, None, tuple(sorted(set(imported_modules(tree)))))


def imported_modules(tree: ast.AST) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.module and not node.level:
                found.append(node.module)
        elif isinstance(node, ast.Call) and _called_name(node.func) in _IMPORT_CALLS:
            argument = node.args[0] if node.args else next(
                (keyword.value for keyword in node.keywords if keyword.arg == "name"), None)
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.append(argument.value)
    return found


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""
