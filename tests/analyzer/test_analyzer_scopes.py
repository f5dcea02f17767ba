"""Class and function spans from LibCST: exact against Python's own line numbers, with fallbacks."""
from __future__ import annotations

import ast
from pathlib import Path

import libcst

from code_analyze import visitors
from code_analyze.scopes import find_scopes
from code_analyze.summary import analyze_dirs, problems
from code_analyze.visitors import Span, definition_spans

REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "codes"

# Layouts where counting lines goes wrong if any newline is missed or counted twice.
TRICKY = '''"""Module docstring
over two lines."""
import os  # comment


@decorator(
    "arg",  # a comment inside the parentheses
)
@other
class Outer(Base1,
            Base2):
    """Doc."""

    x = """
text at column 0 inside a string
"""

    class Inner:
        def method(self, a,
                   b=(1,
                      2)) -> dict[
                str, int]:
            return a + \\
                b
        # a trailing comment of method

    async def fetch(self): return 1

    @property
    def value(self):
        if self.x:
            def helper():
                pass
        else:
            try:
                import json
            except ImportError:
                def helper():
                    return None
            finally:
                pass
        for item in ():
            pass
        else:
            while False:
                pass
        with open(os.devnull) as handle:
            def nested_in_with(): pass
        return helper


if __name__ == "__main__":
    def main(): return Outer()
'''


def _python_spans(text: str) -> list[Span]:
    """What Python says: def/class line (decorators excluded) to the last statement's line."""
    spans = []

    def visit(statements, prefix):
        for node in statements:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                spans.append(Span(prefix + node.name, node.lineno, node.end_lineno))
                visit(node.body, prefix + node.name + ".")
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    visit(getattr(node, field, ()), prefix)

    visit(ast.parse(text).body, "")
    return sorted(spans, key=lambda span: span.start)


def test_spans_match_python_line_numbers_on_tricky_layouts_and_the_reference():
    texts = [TRICKY] + [path.read_text(encoding="utf-8") for path in sorted(REFERENCE.glob("*.py"))]
    for text in texts:
        assert definition_spans(text) == _python_spans(text)
    names = [span.name for span in definition_spans(TRICKY)]
    assert names == ["Outer", "Outer.Inner", "Outer.Inner.method", "Outer.fetch", "Outer.value",
                     "Outer.value.helper", "Outer.value.helper", "Outer.value.nested_in_with",
                     "main"]


def test_mixed_line_ends_keep_the_tree_and_the_line_numbers():
    # LibCST rejects CRLF mixed with LF; indentation alone would end f at the column-0 string line.
    text = 'def f():\r\n    x = """\ncolumn 0\r"""\n    return x\r\n    # end of f\n\nclass A:\n    pass\n'
    scopes = find_scopes(text)
    assert scopes.parse_error is None
    assert scopes.spans == (Span("f", 1, 6), Span("A", 8, 9))


def test_file_libcst_cannot_parse_but_python_can_is_summarised_by_indentation(handout,
                                                                               monkeypatch):
    expected = handout.summary()

    def lagging_grammar(text):
        raise libcst.ParserSyntaxError("newer syntax", lines=[text], raw_line=1, raw_column=0)

    monkeypatch.setattr(visitors.cst, "parse_module", lagging_grammar)
    assert definition_spans("x = 1\n") is None
    # Python accepts the files, so there is no "does not parse" note and the same bytes result.
    assert handout.summary() == expected
    assert problems(analyze_dirs(handout.origin, handout.target)) == []
