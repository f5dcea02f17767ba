"""Which class.function encloses a line: LibCST's tree when the file parses, else indentation."""
from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass

from code_analyze.blocks import split_lines
from code_analyze.visitors import Span, definition_spans

_DEF = re.compile(r"\s*(?:async\s+)?(?:def|class)\s+([A-Za-z_]\w*)")


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
    try:
        with warnings.catch_warnings():  # a student's "\d" is no concern of the summary
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}" if exc.lineno else exc.msg
    except (ValueError, RecursionError) as exc:  # null bytes on some versions; absurd nesting
        return str(exc) or type(exc).__name__
    return None


def find_scopes(text: str) -> Scopes:
    lines = split_lines(text)
    error = syntax_error(text)
    # LibCST wants one kind of line end; CR, LF and CRLF all end a line, so numbers are kept.
    spans = None if error else definition_spans("\n".join(lines))
    if spans is None:  # a student's file may not parse: fall back to indentation
        spans = _indented_spans(lines)
    return Scopes(tuple(_with_trailing_comments(span, lines) for span in spans), error)


def _width(line: str) -> int:
    expanded = line.expandtabs(8)
    return len(expanded) - len(expanded.lstrip())


def _with_trailing_comments(span: Span, lines: list[str]) -> Span:
    """Extend a span over the comments indented under it that follow its last statement.

    A function's syntax tree ends at its last statement, yet a ``# TODO END`` just after it belongs
    to the function, as its indentation shows.
    """
    indent = _width(lines[span.start - 1])
    end = span.end
    for number in range(span.end + 1, len(lines) + 1):
        line = lines[number - 1]
        if not line.strip():
            continue
        if not line.strip().startswith("#") or _width(line) <= indent:
            break
        end = number
    return Span(span.name, span.start, end)


def _indented_spans(lines: list[str]) -> list[Span]:
    """Classes and functions by indentation alone, for files that do not parse."""
    spans: list[Span] = []
    open_defs: list[tuple[int, str, int]] = []  # (indent width, dotted name, def line)
    last_code = 0
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        # Comments and closing brackets of wrapped signatures don't end a block.
        if not stripped or stripped.startswith("#") or stripped[0] in ")]}":
            continue
        width = _width(line)
        while open_defs and width <= open_defs[-1][0]:
            _, name, start = open_defs.pop()
            spans.append(Span(name, start, last_code))
        match = _DEF.match(line)
        if match:
            name = f"{open_defs[-1][1]}.{match[1]}" if open_defs else match[1]
            open_defs.append((width, name, number))
        last_code = number
    spans.extend(Span(name, start, last_code) for _, name, start in reversed(open_defs))
    return sorted(spans, key=lambda span: span.start)
