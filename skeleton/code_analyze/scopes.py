"""Which class.function encloses a line: LibCST's tree when the file parses, else indentation.

A file that does not parse (a Python-2 hand-out with tab-indented ``def`` lines, a student's
broken file) still has its classes and functions found as far as its text allows: statements and
their depth come from code_analyze.scan, tabs expanded to 8 columns as Python does.
"""
from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass

from code_analyze.blocks import split_lines
from code_analyze.scan import Layout, scan, width
from code_analyze.visitors import Span, definition_spans

_DEF = re.compile(r"[ \t\f]*(?:async\s+)?(?:def|class)\s+([^\W\d]\w*)")


@dataclass(frozen=True)
class Scopes:
    """The classes and functions of one file; `parse_error` says why it did not parse, if so."""

    spans: tuple[Span, ...]
    parse_error: str | None = None

    def enclosing(self, line: int) -> str:
        """Dotted name of the innermost class or function holding `line`; "" at module level."""
        inside = [span for span in self.spans if span.start <= line <= span.end]
        return max(inside, key=lambda span: span.start).name if inside else ""

    def find(self, name: str) -> Span | None:
        return next((span for span in self.spans if span.name == name), None)


def syntax_error(text: str) -> str | None:
    """Why Python rejects `text` ("line 3: '(' was never closed"), or None if it compiles.

    Python, not LibCST, is the judge: it is what runs the student's code, and its messages
    are the ones students know.
    """
    return python_tree(text)[1]


def python_tree(text: str) -> tuple[ast.Module | None, str | None]:
    """Python's syntax tree of `text`, or None and why Python rejects it."""
    try:
        with warnings.catch_warnings():  # a student's "\d" is no concern of the summary
            warnings.simplefilter("ignore")
            return ast.parse(text), None
    except SyntaxError as exc:
        return None, f"line {exc.lineno}: {exc.msg}" if exc.lineno else exc.msg
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes; absurd nesting
        return None, str(exc) or type(exc).__name__


def find_scopes(text: str, layout: Layout | None = None) -> Scopes:
    """`layout` is the scan of `text` when the caller has it (it is made here otherwise)."""
    lines = split_lines(text)
    error = syntax_error(text)
    # LibCST wants one kind of line end; CR, LF and CRLF all end a line, so numbers are kept.
    spans = None if error else definition_spans("\n".join(lines))
    if spans is not None:
        return Scopes(tuple(_with_trailing_comments(span, lines, width(lines[span.start - 1]) + 1)
                            for span in spans), error)
    # A file that does not parse, or newer syntax than LibCST's grammar: go by indentation.
    layout = layout or scan("\n".join(lines))
    return Scopes(tuple(_indented_spans(lines, layout)), error)


def _with_trailing_comments(span: Span, lines: list[str], least: int) -> Span:
    """Extend a span over the comments indented at least `least` that follow its last statement.

    A function's syntax tree ends at its last statement, yet a ``# TODO END`` just after it belongs
    to the function, as its indentation shows.
    """
    end = span.end
    for number in range(span.end + 1, len(lines) + 1):
        line = lines[number - 1]
        if not line.strip():
            continue
        if not line.strip().startswith("#") or width(line) < least:
            break
        end = number
    return Span(span.name, span.start, end)


@dataclass
class _OpenDef:
    depth: int
    name: str  # dotted
    start: int  # the def line
    least: int | None = None  # how far its trailing comments must be indented


def _indented_spans(lines: list[str], layout: Layout) -> list[Span]:
    """Classes and functions from the statements' depths, for files that do not parse."""
    spans: list[Span] = []
    open_defs: list[_OpenDef] = []
    last_code = 0
    for number in range(1, len(lines) + 1):
        depth = layout.depths.get(number)
        if depth is not None:
            if open_defs and open_defs[-1].least is None and depth > open_defs[-1].depth:
                # The body's first statement: comments after the function need its indentation
                # (or the def's plus one, whichever is less: a body may not be deeper at all).
                header = width(lines[open_defs[-1].start - 1])
                open_defs[-1].least = min(header + 1, width(lines[number - 1]))
            while open_defs and depth <= open_defs[-1].depth:
                spans.append(_closed(open_defs.pop(), last_code, lines))
            match = _DEF.match(lines[number - 1])
            if match:
                name = f"{open_defs[-1].name}.{match[1]}" if open_defs else match[1]
                open_defs.append(_OpenDef(depth, name, number))
        if number in layout.code:
            last_code = number
    spans.extend(_closed(entry, last_code, lines) for entry in reversed(open_defs))
    return sorted(spans, key=lambda span: span.start)


def _closed(entry: _OpenDef, end: int, lines: list[str]) -> Span:
    least = width(lines[entry.start - 1]) + 1 if entry.least is None else entry.least
    return _with_trailing_comments(Span(entry.name, entry.start, max(entry.start, end)), lines,
                                   least)
