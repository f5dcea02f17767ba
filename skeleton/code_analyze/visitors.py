"""Small LibCST helpers for the analyzer: each collects one kind of fact about a module.

The TODO comments themselves are found line by line (blocks.py); LibCST tells which class and
function hold them. Positions come from counting the lines of each statement's own code, not from
`PositionProvider`: that provider records a range for every node of the module and, with the copy
`MetadataWrapper` makes, took about 0.6 s per submission (bench/analyze_speed.py measures both).
"""
from __future__ import annotations

from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True)
class Span:
    """A class or function: its dotted name (``Gelu.backward``) and 1-based line range.

    `start` is the ``def``/``class`` line (decorators excluded), `end` its last statement's line.
    """

    name: str
    start: int
    end: int


def _holds_statements(node: cst.CSTNode) -> bool:
    """Compound statements, indented blocks and their clauses (else, except, finally, case)."""
    return (isinstance(node, (cst.BaseCompoundStatement, cst.IndentedBlock))
            or isinstance(getattr(node, "body", None), cst.BaseSuite))


class DefinitionSpans:
    """Every class and function of a module, by dotted name, in source order.

    Walks statements only, in the order they are written (`children` is lexical), and counts the
    newlines of the code each leaf generates: line breaks come only from leaves (empty lines,
    statement ends, parenthesised whitespace, strings), never from the keywords a parent adds.
    """

    _NO_BODY = cst.SimpleStatementSuite(())

    def __init__(self, module: cst.Module) -> None:
        self.spans: list[Span] = []
        self._module = module
        self._line = 0  # lines fully written so far
        self._code_end = 0  # last line of the latest statement (comments don't count)

    def visit(self, node: cst.CSTNode, prefix: str = "") -> None:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self._visit_definition(node, prefix)
            return
        for child in node.children:
            if _holds_statements(child):
                self.visit(child, prefix)
            else:
                self._write(child)

    def _visit_definition(self, node: cst.FunctionDef | cst.ClassDef, prefix: str) -> None:
        self._line += len(node.leading_lines) + len(node.lines_after_decorators)
        for decorator in node.decorators:
            self._write(decorator)
        start = self._line + 1
        # The header alone (a return annotation can't be written without its def); its code
        # ends with the stand-in body's newline, which is not the header's.
        header = node.with_changes(leading_lines=(), decorators=(), lines_after_decorators=(),
                                   body=self._NO_BODY)
        self._line += self._module.code_for_node(header).count("\n") - 1
        name = prefix + node.name.value
        if isinstance(node.body, cst.IndentedBlock):
            self.visit(node.body, name + ".")
        else:
            self._write(node.body)
        self.spans.append(Span(name, start, self._code_end))

    def _write(self, leaf: cst.CSTNode) -> None:
        if isinstance(leaf, (cst.EmptyLine, cst.TrailingWhitespace)):
            self._line += 1  # both end with exactly one newline
            return
        self._line += self._module.code_for_node(leaf).count("\n")
        if isinstance(leaf, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            self._code_end = self._line


def definition_spans(text: str) -> list[Span] | None:
    """The spans of `text` (lines ended by ``\\n`` only), sorted by start line; None if LibCST
    cannot parse it (its grammar may lag the running Python's)."""
    try:
        module = cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError):
        return None
    finder = DefinitionSpans(module)
    finder.visit(module)
    return sorted(finder.spans, key=lambda span: span.start)
