"""Class and function spans from LibCST: exact against Python's own line numbers, with fallbacks."""
from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import libcst
import pytest

from code_analyze import visitors
from code_analyze.scan import scan
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


def _python_depths(text: str) -> dict[int, int]:
    """First line of each statement -> Python's own INDENT/DEDENT count, from its tokenizer."""
    depth, depths, starting = 0, {}, True
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in (tokenize.INDENT, tokenize.DEDENT):
            depth += 1 if token.type == tokenize.INDENT else -1
        elif token.type == tokenize.NEWLINE:
            starting = True
        elif token.type not in (tokenize.NL, tokenize.COMMENT, tokenize.ENDMARKER) and starting:
            depths[token.start[0]], starting = depth, False
    return depths


def test_scan_depths_are_pythons_own_on_tricky_layouts_and_the_reference():
    mixed = "class A:\n\tdef f(self):\n\t    if x:\n\t    \ty = (1,\n  2)\n\t    return y\n"
    texts = [TRICKY, mixed] + [path.read_text(encoding="utf-8")
                               for path in sorted(REFERENCE.glob("*.py"))]
    for text in texts:
        assert scan(text).depths == _python_depths(text)


@pytest.mark.parametrize("text, brackets, chain", [
    ('x = "((((((("  # ((((\n', 0, 0),  # strings and comments don't nest
    ("x = [1+1+1, 2+2]\n", 1, 3),  # a comma starts a new expression
    ("x = a.b.c(d)[0]\n", 1, 5),  # two dots, a call, a subscript and their brackets
    ("y = not not -a\n", 0, 3),
    ('x = f"{((a))}"\n', 3, 3),  # an f-string's fields are code
    ('x = f"{{((}}"\n', 0, 0),  # ...but not its escaped braces
])
def test_scan_measures_what_parsers_recurse_through(text, brackets, chain):
    layout = scan(text)
    assert layout.brackets == (brackets, 1 if brackets else 0)
    assert layout.chain == (chain, 1 if chain else 0)


def test_scan_knows_statements_from_continuations_and_strings():
    layout = scan("s = '''\n(((\n'''\nif x:\n    y = (1 +\n         2)\n# done\nz = 'open ((\nw = 1\n")
    assert layout.depths == {1: 0, 4: 0, 5: 1, 8: 0, 9: 0}
    assert layout.openers == {4} and sorted(layout.code) == [1, 2, 3, 4, 5, 6, 8, 9]
