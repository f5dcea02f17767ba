"""Small syntax-tree visitors for the analyzer: each collects one kind of fact about a module.

They walk Python's own `ast`, not LibCST: only line ranges of classes and functions are needed
(the TODO comments are found line by line in blocks.py), and LibCST's parse alone of one
submission's block files takes longer than the analyzer's whole 0.2 s budget on the grading
machine (bench/analyze_speed.py measures both).
"""
from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A class or function: its dotted name (``Gelu.backward``) and 1-based line range.

    `start` is the ``def``/``class`` line (decorators excluded), `end` its last statement's line.
    """

    name: str
    start: int
    end: int


class DefSpans(ast.NodeVisitor):
    """Every class and function of a module, by dotted name, in source order."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self._names: list[str] = []

    def _visit_def(self, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._names.append(node.name)
        self.spans.append(Span(".".join(self._names), node.lineno, node.end_lineno or node.lineno))
        self.generic_visit(node)
        self._names.pop()

    visit_ClassDef = visit_FunctionDef = visit_AsyncFunctionDef = _visit_def


def def_spans(text: str) -> list[Span]:
    """The spans of `text`; raises SyntaxError (or ValueError) if it does not parse."""
    visitor = DefSpans()
    with warnings.catch_warnings():  # a student's "\d" is no concern of the summary
        warnings.simplefilter("ignore")
        visitor.visit(ast.parse(text))
    return visitor.spans
