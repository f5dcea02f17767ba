"""Small LibCST visitors for the analyzer: each collects one kind of fact about a module."""
from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider


@dataclass(frozen=True)
class Span:
    """A class or function: its dotted name (``Gelu.backward``) and 1-based line range.

    `start` is the ``def``/``class`` line (decorators excluded), `end` its last line.
    """

    name: str
    start: int
    end: int


class DefSpans(cst.CSTVisitor):
    """Every class and function of a module, by qualified name, outermost first."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.spans: list[Span] = []
        self._names: list[str] = []

    def _enter(self, node: cst.ClassDef | cst.FunctionDef) -> None:
        self._names.append(node.name.value)
        where = self.get_metadata(PositionProvider, node)
        self.spans.append(Span(".".join(self._names), where.start.line, where.end.line))

    def _leave(self) -> None:
        self._names.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._enter(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._leave()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._enter(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._leave()


def def_spans(text: str) -> list[Span]:
    """The spans of `text`; raises ``libcst.ParserSyntaxError`` if it does not parse."""
    module = cst.parse_module(text)
    visitor = DefSpans()
    # The module is ours alone, so the defensive deep copy would only cost time.
    MetadataWrapper(module, unsafe_skip_copy=True).visit(visitor)
    return visitor.spans
