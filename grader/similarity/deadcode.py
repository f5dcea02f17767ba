"""Dead code in a block: what a copier adds so that a copy no longer looks like one.

Dropped: `pass`, bare expressions without a call (docstrings included), assignments to names
nothing reads (repeated until none is left, since dropping one can make the one it read dead),
statements after a `return`/`raise`/`break`/`continue`, `if False:`/`while 0:` suites, and the
hand-out's stub `raise NotImplementedError`. This is the disguise that defeats MOSS, Dolos and
copydetect: they compare what is written, not what runs.
"""
from __future__ import annotations

import ast

_EXITS = (ast.Return, ast.Raise, ast.Break, ast.Continue)
SUITES = ("body", "orelse", "finalbody")


def walk(node: ast.AST) -> list[ast.AST]:
    """Every node under `node`, each before its children (ast.walk is 2x slower)."""
    stack, out = [node], []
    while stack:
        n = stack.pop()
        out.append(n)
        for field in n._fields:
            value = getattr(n, field, None)
            if isinstance(value, list):
                stack.extend(x for x in value if isinstance(x, ast.AST))
            elif isinstance(value, ast.AST) and not isinstance(value, ast.expr_context):
                stack.append(value)
    return out


def drop_dead(stmts: list[ast.stmt], external: frozenset[str]) -> list[ast.stmt]:
    """Prune until nothing changes: dropping one dead assignment can make the one it read dead."""
    loads = {id(stmt): {n.id for n in walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
             for stmt in stmts}
    while True:
        reads = set(external).union(*(loads.get(id(stmt), ()) for stmt in stmts))
        stmts, changed = _prune(stmts, reads)
        if not changed:
            return stmts


def _prune(stmts: list[ast.stmt], reads: set[str]) -> tuple[list[ast.stmt], bool]:
    kept: list[ast.stmt] = []
    changed = False
    for stmt in stmts:
        if isinstance(stmt, (ast.If, ast.While)) and isinstance(stmt.test, ast.Constant):
            changed = True  # `if False:` / `if True:` / `while 0:`: keep only what can run
            if not isinstance(stmt, ast.While) or stmt.test.value:
                branch, _ = _prune(stmt.body if stmt.test.value else stmt.orelse, reads)
                kept.extend(branch)
            continue
        if _is_dead(stmt, reads):
            changed = True
            continue
        for name in SUITES:
            suite = getattr(stmt, name, None)
            if suite:
                new, sub_changed = _prune(suite, reads)
                setattr(stmt, name, new)
                changed |= sub_changed
        for handler in getattr(stmt, "handlers", ()):
            handler.body, sub_changed = _prune(handler.body, reads)
            changed |= sub_changed
        kept.append(stmt)
        if isinstance(stmt, _EXITS):
            changed |= len(kept) < len(stmts) and stmt is not stmts[-1]
            break  # the rest of the suite cannot run
    return kept, changed


def _is_dead(stmt: ast.stmt, reads: set[str]) -> bool:
    if isinstance(stmt, ast.Pass):
        return True
    if isinstance(stmt, ast.Expr):
        return not any(isinstance(n, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom))
                       for n in walk(stmt.value))
    if isinstance(stmt, ast.Raise):  # the hand-out's stub, not student code
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        targets = [stmt.target]
    else:
        return False
    names = [n for t in targets for n in walk(t)]
    plain = all(isinstance(n, (ast.Name, ast.Tuple, ast.List, ast.Starred)) for n in names)
    return plain and not any(isinstance(n, ast.Name) and n.id in reads for n in names)
