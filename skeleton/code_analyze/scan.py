"""A cheap scan of Python source, without parsing: statements, their nesting, bracket depth.

One pass of a regular expression that steps over strings and comments. It serves two jobs:
- limits decided before any parser runs: LibCST crashes on thousands of nested brackets and takes
  seconds on long chains such as ``a[0][0]...`` or ``f()()...``, so the analyzer refuses a file
  whose brackets or chained operations nest too deep (measured here) before parsing it;
- structure for files that do not parse (a Python-2 hand-out, a student's broken file): which
  lines start a statement and how deep Python nests them, tabs expanded to 8 columns as Python does.

Standard library only: it ships to students inside the hand-out.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

# A string is one token, opening quote to closing quote (or to the line's or file's end when
# unterminated: Python rejects the file, the scan goes on).
_STRING = "|".join([
    r"'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*(?:'''|\Z)",
    r'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*(?:"""|\Z)',
    r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'?",
    r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"?',
])
_TOKEN = re.compile(
    r"(?P<string>[rRbBuUfF]{0,2}(?:" + _STRING + r"))"
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<name>[^\W\d]\w*(?:[ \t]*\.[ \t]*[^\W\d]\w*)*)"  # a dotted name is one token
    r"|(?P<number>\.?\d(?:[\w.]|[eE][-+])*)"
    r"|(?P<open>[(\[{])"
    r"|(?P<close>[)\]}])"
    r"|(?P<newline>\n)"
    r"|(?P<continuation>\\\n)"
    r"|(?P<separator>\*\*=|//=|>>=|<<=|:=|[-+*/%@&|^]=|[,;]|=(?!=))"
    r"|(?P<operator>\*\*|//|<<|>>|<=|>=|==|!=|->|[-+*/%@&|^~<>.])"
    r"|(?P<other>\S)", re.S)
# Keywords that chain an expression one level deeper, like an operator.
_OPERATOR_WORDS = frozenset({"not", "and", "or", "in", "is", "if", "else", "lambda", "await",
                             "yield"})
_KEYWORDS = frozenset(keyword.kwlist)
_HEADER = re.compile(r"[ \t\f]*(?:@|(?:async[ \t]+)?(?:def|class)\b)")


@dataclass(frozen=True)
class Layout:
    """What the scan found. Line numbers are 1-based, counted as split_lines counts them."""

    depths: Dict[int, int]  # first line of each statement -> how deep Python nests it (0: module)
    openers: FrozenSet[int]  # first lines of statements that end with ':' (def, if, for...)
    code: FrozenSet[int]  # lines holding code: statements, their continuations, string interiors
    brackets: Tuple[int, int]  # (deepest bracket nesting, its line)
    chain: Tuple[int, int]  # (deepest chain of operations and brackets in one expression, its line)


def scan(text: str, max_brackets: Optional[int] = None, max_chain: Optional[int] = None
         ) -> Layout:
    """Scan `text` (lines ended by ``\\n`` only).

    The chain counts what a parser recurses through: each operator, attribute dot, call or
    subscript after an operand, and bracket, since the expression's start or its last comma.
    When a limit is passed and exceeded, the scan stops there: the layout then only says where.
    """
    limit_brackets = max_brackets if max_brackets is not None else 1 << 62
    limit_chain = max_chain if max_chain is not None else 1 << 62
    line, code_line, statement = 1, 0, 0  # statement: its first line, 0 between statements
    starts: List[int] = []
    openers: Set[int] = set()
    code: Set[int] = set()
    depth = chain = 0
    saved: List[int] = []  # the chain before each open bracket
    after_operand = colon = False  # after an operand a bracket is a call or a subscript
    brackets, brackets_line, deepest, deepest_line = 0, 0, 0, 0
    for token in _TOKEN.finditer(text):
        kind = token.lastgroup
        if kind == "newline" or kind == "continuation":
            if kind == "newline" and not depth:
                if statement and colon:
                    openers.add(statement)
                statement, chain, after_operand = 0, 0, False
            line += 1
            continue
        if kind == "comment":
            continue
        if line != code_line:  # the line's first token; after a logical line's end, a statement's
            code_line = line
            code.add(line)
            if not statement:
                statement = line
                starts.append(line)
        colon = False
        if kind == "name":
            value = token.group()
            if "." in value:
                chain += value.count(".")
                after_operand = True
            elif value in _KEYWORDS:
                chain += value in _OPERATOR_WORDS
                after_operand = False
            else:
                after_operand = True
        elif kind == "operator":
            chain += 1
            after_operand = False
        elif kind == "separator":
            chain = saved[-1] + 1 if saved else 0
            after_operand = False
        elif kind == "open":
            chain += after_operand
            saved.append(chain)
            chain += 1
            depth += 1
            after_operand = False
            if depth > brackets:
                brackets, brackets_line = depth, line
        elif kind == "close":
            if saved:
                chain = saved.pop()
                depth -= 1
            after_operand = True
        elif kind == "string":
            after_operand = True
            value = token.group()
            if "{" in value and "f" in value[:3].lower():
                inner_brackets, inner_chain = _measure_fields(value)
                if depth + inner_brackets > brackets:
                    brackets, brackets_line = depth + inner_brackets, line
                if chain + inner_chain > deepest:
                    deepest, deepest_line = chain + inner_chain, line
            newlines = value.count("\n")
            if newlines:
                code.update(range(line + 1, line + newlines + 1))
                line += newlines
                code_line = line
        else:
            after_operand = kind == "number"
            colon = token.group() == ":"
        if chain > deepest:
            deepest, deepest_line = chain, line
        if brackets > limit_brackets or deepest > limit_chain:
            break
    return Layout(_depths(text.split("\n"), starts, openers), frozenset(openers),
                  frozenset(code), (brackets, brackets_line), (deepest, deepest_line))


def _measure_fields(literal: str) -> Tuple[int, int]:
    """(bracket depth, chain) inside an f-string's replacement fields, which parsers also parse."""
    body = literal.lstrip("rRbBuUfF")
    deepest_brackets = deepest_chain = 0
    for field in _fields(body):
        inner = scan(field)
        deepest_brackets = max(deepest_brackets, inner.brackets[0] + 1)
        deepest_chain = max(deepest_chain, inner.chain[0] + 1)
    return deepest_brackets, deepest_chain


def _fields(body: str) -> List[str]:
    """The replacement fields of an f-string's body (``{...}``, not ``{{``), outermost only."""
    found: List[str] = []
    start = level = at = 0
    while at < len(body):
        if level == 0 and body.startswith(("{{", "}}"), at):
            at += 2
            continue
        if body[at] == "{":
            level += 1
            start = at + 1 if level == 1 else start
        elif body[at] == "}" and level:
            level -= 1
            if level == 0:
                found.append(body[start:at])
        at += 1
    return found


def width(line: str) -> int:
    """The indentation's width as Python counts it: tabs to the next multiple of 8 columns."""
    indent = line[:len(line) - len(line.lstrip(" \t\f"))]
    return len(indent.rsplit("\f", 1)[-1].expandtabs(8))


def _depths(lines: List[str], starts: List[int], openers: set) -> Dict[int, int]:
    """Each statement's depth, as Python's INDENT/DEDENT tokens would count it.

    Where Python would refuse the file, it goes on as far as the text allows: a block whose
    body is not indented deeper than its header (a hand-out whose ``def`` lines are tab-indented
    above space-indented bodies) still holds that body, up to the next def or class at most as deep.
    """
    levels: List[Tuple[int, Optional[int]]] = [(0, None)]  # (width, header width when adopted)
    depths: Dict[int, int] = {}
    previous = 0
    for number in starts:
        text = lines[number - 1]
        indent = width(text)
        if previous in openers and indent == levels[-1][0]:
            levels.append((indent, indent))
        else:
            header = _HEADER.match(text) is not None
            while len(levels) > 1 and (indent < levels[-1][0] or (
                    header and levels[-1][1] is not None and indent <= levels[-1][1])):
                levels.pop()
            if indent > levels[-1][0]:
                levels.append((indent, None))
        depths[number] = len(levels) - 1
        previous = number
    return depths
