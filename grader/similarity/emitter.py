"""Emit a block's statements as tokens, and put independent statements in a canonical order.

A prefix walk of the syntax tree gives one token per node type, name or literal; names the block
binds are marked (LOCAL) and so are its own `self.` attributes (ATTR), for normalize.py to rename.
The same walk collects what each simple statement reads and writes: two statements that do not
touch each other's names commute, and are put in the order of their shapes.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from grader.similarity.deadcode import CHILD_FIELDS, SUITES

LOCAL = "\x00"  # prefix of a token that names one of the block's own variables
ATTR = "\x01"  # prefix of a token that names one of the block's own self.attributes
_SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)
_RANDOM_ROOTS = ("np.random", "numpy.random", "random")
# The interface's one setter: saving for backward changes _saved_tensor, not all of `self`.
_SETTERS = {"self._saved_for_backward": "self._saved_tensor"}


@dataclass
class _Unit:
    """One statement of a suite, with what it reads and writes (dotted names, e.g. `self.W`)."""

    tokens: list[str]
    lines: list[int]
    where: list[tuple[int, int]]
    reads: set[str]
    writes: set[str]
    barrier: bool
    _prefixes: tuple[set[str], set[str]] | None = None

    def conflicts(self, other: "_Unit") -> bool:
        """One writes what the other reads or writes; `self.W` and `self.W.T` overlap."""
        if self.barrier or other.barrier:
            return True
        mine, theirs = self.prefixes(), other.prefixes()
        return not (self.writes.isdisjoint(theirs[0]) and self.writes.isdisjoint(theirs[1])
                    and other.writes.isdisjoint(mine[0]) and other.writes.isdisjoint(mine[1])
                    and self.reads.isdisjoint(theirs[1]) and other.reads.isdisjoint(mine[1]))

    def prefixes(self) -> tuple[set[str], set[str]]:
        """Reads and writes with every dotted prefix of each (`self.W.T` -> `self`, `self.W`)."""
        if self._prefixes is None:
            self._prefixes = (_with_prefixes(self.reads), _with_prefixes(self.writes))
        return self._prefixes


def _with_prefixes(names: set[str]) -> set[str]:
    out = set(names)
    for name in names:
        while "." in name:
            name = name.rsplit(".", 1)[0]
            out.add(name)
    return out


_NO_SPAN = (-1, -1)
_FIELDLESS = frozenset(cls for base in (ast.operator, ast.unaryop, ast.boolop)
                       for cls in base.__subclasses__())


class Emitter:
    """Serialises statements as a prefix walk of the syntax tree, one token per node or name.

    The same walk collects what each simple statement reads and writes, for the reordering: a
    name inside an attribute chain (`self` of `self.W`) counts as the chain, not on its own.
    """

    def __init__(self, local_names: set[str], local_attrs: set[str], spans: bool = False):
        self.local_names = local_names
        self.local_attrs = local_attrs
        self.spans = spans

    def suite(self, stmts: list[ast.stmt], line: int) -> tuple[list[str], list[int], list]:
        units = [self._unit(s) for s in stmts]
        if len(units) == 1:
            return units[0].tokens, units[0].lines, units[0].where
        tokens: list[str] = []
        lines: list[int] = []
        where: list = []
        for unit in _canonical_order(units):
            tokens += unit.tokens
            lines += unit.lines
            where += unit.where
        return tokens, lines, where

    def _unit(self, stmt: ast.stmt) -> _Unit:
        unit = _Unit([], [], [], set(), set(), not isinstance(stmt, _SIMPLE))
        self._node(stmt, stmt.lineno, unit, not unit.barrier, False)
        return unit

    def _emit(self, unit: _Unit, token: str, line: int, span=_NO_SPAN) -> None:
        unit.tokens.append(token)
        unit.lines.append(line)
        if self.spans:
            unit.where.append(span)

    def _node(self, node, line: int, unit: _Unit, effects: bool, in_chain: bool) -> None:
        kind = type(node)
        if kind is ast.Name:
            name = node.id
            unit.tokens.append(LOCAL + name if name in self.local_names else name)
            unit.lines.append(node.lineno)
            if self.spans:
                unit.where.append((node.col_offset, node.end_col_offset))
            if effects and not in_chain:
                (unit.reads if type(node.ctx) is ast.Load else unit.writes).add(name)
            return
        if kind is ast.Constant:
            unit.tokens.append(_literal(node.value))
            unit.lines.append(node.lineno)
            if self.spans:
                unit.where.append((node.col_offset, node.end_col_offset))
            return
        if kind is ast.Attribute:
            self._attribute(node, unit, effects)
            return
        if not isinstance(node, ast.AST):  # None in Dict.keys, names in Global.names
            self._emit(unit, repr(node), line)
            return
        line = getattr(node, "lineno", line)
        if effects:
            self._call_effects(node, kind, unit)
        unit.tokens.append(kind.__name__)  # _emit(), inlined: one token per node
        unit.lines.append(line)
        if self.spans:
            unit.where.append(_NO_SPAN)
        for name in CHILD_FIELDS[kind]:
            value = getattr(node, name, None)
            if type(value) is list:
                if name in SUITES and value and isinstance(value[0], ast.stmt):
                    tokens, lines, where = self.suite(value, line)
                    self._emit(unit, "{", line)
                    unit.tokens += tokens
                    unit.lines += lines
                    unit.where += where
                    self._emit(unit, "}", line)
                else:
                    for item in value:
                        self._node(item, line, unit, effects, False)
            elif isinstance(value, ast.AST):
                if type(value) in _FIELDLESS:  # an operator: `Add`, `Gt` (saves a call each)
                    self._emit(unit, type(value).__name__, line)
                else:
                    self._node(value, line, unit, effects, False)
            elif type(value) is str:
                self._emit(unit, LOCAL + value if kind is ast.arg else value, line)
            elif value is not None:
                self._emit(unit, _literal(value), line)

    def _attribute(self, node: ast.Attribute, unit: _Unit, effects: bool) -> None:
        self._emit(unit, ".", node.lineno)
        chain = _chain(node) if effects else None
        if chain:
            (unit.reads if type(node.ctx) is ast.Load else unit.writes).add(chain)
        self._node(node.value, node.lineno, unit, effects, chain is not None)
        value = node.value
        own = node.attr in self.local_attrs and type(value) is ast.Name and value.id == "self"
        end = node.end_col_offset
        span = (end - len(node.attr.encode()), end) if self.spans else _NO_SPAN
        self._emit(unit, ATTR + node.attr if own else node.attr, node.end_lineno, span)

    def _call_effects(self, node, kind, unit: _Unit) -> None:
        if kind is ast.Subscript:
            if type(node.ctx) is not ast.Load:
                unit.writes.add(_chain(node.value) or "?")
        elif kind is ast.Call and type(node.func) is ast.Attribute:
            chain = _chain(node.func) or "?"
            root = chain.split(".")[0]
            if chain in _SETTERS:
                unit.writes.add(_SETTERS[chain])
            elif chain.startswith(_RANDOM_ROOTS):
                unit.writes.add("random")  # two draws from one generator do not commute
            elif root == "self" or root in self.local_names or root == "?":
                unit.writes.add(root)  # a method call may change its object


def _canonical_order(units: list[_Unit]) -> list[_Unit]:
    """Kahn's topological sort; among statements free to go next, the smallest shape goes first."""
    waiting_on = [{i for i in range(j) if units[i].conflicts(units[j])} for j in range(len(units))]
    shapes: dict[int, str] = {}
    done: set[int] = set()
    order: list[_Unit] = []
    while len(order) < len(units):
        ready = [j for j in range(len(units)) if j not in done and waiting_on[j] <= done]
        j = ready[0] if len(ready) == 1 else min(ready, key=lambda i: (_shape(units[i], shapes, i), i))
        done.add(j)
        order.append(units[j])
    return order


def _shape(unit: _Unit, shapes: dict[int, str], i: int) -> str:
    """The statement's tokens with its own names blanked: renaming must not change the order."""
    if i not in shapes:
        shapes[i] = "\x02".join(t[0] if t[:1] in (LOCAL, ATTR) else t for t in unit.tokens)
    return shapes[i]


def _chain(node: ast.expr) -> str | None:
    """`self.W.T` -> 'self.W.T'; None when the chain does not start at a plain name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


_LITERALS: dict = {}


def _literal(value) -> str:
    """`1`, `1.0` and `1.` are one token (one shared string object per value)."""
    try:
        return _LITERALS[type(value), value]
    except (KeyError, TypeError):
        pass
    text = _spell(value)
    if len(_LITERALS) < 100_000:
        try:
            _LITERALS[type(value), value] = text
        except TypeError:
            pass
    return text


def _spell(value) -> str:
    if isinstance(value, bool) or value is None or value is Ellipsis:
        return repr(value)
    if isinstance(value, (int, float)):
        try:
            return repr(float(value))
        except OverflowError:
            return "int"
    return repr(value)
