"""Dead code in a block: what a copier adds so that a copy no longer looks like one.

Dropped: `pass`, bare expressions without a call (docstrings included), assignments to names
nothing reads (repeated until none is left, since dropping one can make the one it read dead),
statements after a `return`/`raise`/`break`/`continue`, `if False:`/`while 0:` suites, and the
hand-out's stub `raise NotImplementedError`. This is the disguise that defeats MOSS, Dolos and
copydetect: they compare what is written, not what runs.

Each statement is walked once (`Facts`); pruning and the normaliser's choice of the block's own
names reuse that walk, because walking syntax trees is most of the cost of normalising.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

_EXITS = (ast.Return, ast.Raise, ast.Break, ast.Continue)
_CALLS = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)
SUITES = ("body", "orelse", "finalbody")


class _ChildFields(dict):
    """Node class -> the fields that can hold child nodes (never `ctx`: Load/Store are not code)."""

    def __missing__(self, cls):
        self[cls] = fields = tuple(f for f in cls._fields if f != "ctx")
        return fields


CHILD_FIELDS = _ChildFields()


@dataclass
class Facts:
    """What one statement does with names, from one walk of it."""

    loads: set[str] = field(default_factory=set)
    stores: set[str] = field(default_factory=set)  # names and parameters it binds
    self_attrs: set[str] = field(default_factory=set)  # `self.x = ...` targets
    calls: bool = False  # a call (or await/yield) anywhere in it


def facts_of(stmt: ast.stmt) -> Facts:
    facts = Facts()
    stack = [stmt]
    while stack:  # a prefix walk (ast.walk is 2x slower), the hottest loop of the normaliser
        n = stack.pop()
        kind = type(n)
        if kind is ast.Name:
            (facts.loads if type(n.ctx) is ast.Load else facts.stores).add(n.id)
            continue
        if kind is ast.Constant:
            continue
        if kind is ast.arg:
            facts.stores.add(n.arg)
        elif kind is ast.Attribute:
            if type(n.ctx) is ast.Store and type(n.value) is ast.Name and n.value.id == "self":
                facts.self_attrs.add(n.attr)
        elif kind in _CALLS:
            facts.calls = True
        elif not isinstance(n, ast.AST):
            continue
        for name in CHILD_FIELDS[kind]:
            value = getattr(n, name, None)
            if type(value) is list:
                stack.extend(value)
            elif isinstance(value, ast.AST):
                stack.append(value)
    return facts


def drop_dead(stmts: list[ast.stmt], external: frozenset[str]) -> tuple[list[ast.stmt], list[Facts]]:
    """The live statements and their Facts. Prune until nothing changes: dropping one dead
    assignment can make the one it read dead."""
    facts: dict[int, Facts] = {}
    while True:
        for stmt in stmts:  # an `if True:` suite lifts its statements to this level
            if id(stmt) not in facts:
                facts[id(stmt)] = facts_of(stmt)
        reads = set(external).union(*(facts[id(stmt)].loads for stmt in stmts))
        stmts, changed = _prune(stmts, reads, facts)
        if not changed:
            return stmts, [facts[id(stmt)] for stmt in stmts]


def _prune(stmts: list[ast.stmt], reads: set[str], facts: dict) -> tuple[list[ast.stmt], bool]:
    kept: list[ast.stmt] = []
    changed = False
    for stmt in stmts:
        if isinstance(stmt, (ast.If, ast.While)) and isinstance(stmt.test, ast.Constant):
            changed = True  # `if False:` / `if True:` / `while 0:`: keep only what can run
            if not isinstance(stmt, ast.While) or stmt.test.value:
                branch, _ = _prune(stmt.body if stmt.test.value else stmt.orelse, reads, facts)
                kept.extend(branch)
            continue
        if _is_dead(stmt, reads, facts):
            changed = True
            continue
        for name in SUITES:
            suite = getattr(stmt, name, None)
            if suite:
                new, sub_changed = _prune(suite, reads, facts)
                setattr(stmt, name, new)
                changed |= sub_changed
        for handler in getattr(stmt, "handlers", ()):
            handler.body, sub_changed = _prune(handler.body, reads, facts)
            changed |= sub_changed
        kept.append(stmt)
        if isinstance(stmt, _EXITS):
            changed |= len(kept) < len(stmts) and stmt is not stmts[-1]
            break  # the rest of the suite cannot run
    return kept, changed


def _is_dead(stmt: ast.stmt, reads: set[str], facts: dict) -> bool:
    kind = type(stmt)
    if kind is ast.Pass:
        return True
    if kind is ast.Expr:
        if id(stmt) not in facts:
            facts[id(stmt)] = facts_of(stmt)
        return not facts[id(stmt)].calls
    if kind is ast.Raise:  # the hand-out's stub, not student code
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    if kind is ast.Assign:
        targets = stmt.targets
    elif kind is ast.AugAssign or kind is ast.AnnAssign:
        targets = [stmt.target]
    else:
        return False
    if len(targets) == 1 and type(targets[0]) is ast.Name:
        return targets[0].id not in reads
    names = [n for t in targets for n in ast.walk(t) if isinstance(n, ast.expr)]
    plain = all(isinstance(n, (ast.Name, ast.Tuple, ast.List, ast.Starred)) for n in names)
    return plain and not any(isinstance(n, ast.Name) and n.id in reads for n in names)
