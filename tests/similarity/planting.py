"""Build cohorts for the similarity tests: honest students from fixtures/honest, planted copies.

Each honest fixture fills the reference's blocks; a planted copy is made from one by the edits a
copier makes by hand (rename, reformat, reorder, comments and dead code, one block only).
honest_students() generates a class: each student takes each block from one of six independent
implementations (the fixtures and the reference), then decides every site of it on its own
(HonestEdit: operand order, spellings, temporaries, names). Sites are independent so that two
honest students rarely write a long block verbatim, while the short obvious blocks coincide as in
a real class; an honest generator that copied whole blocks would be planting copies.
conftest.py hands this module to the tests as the `planting` fixture; bench/similarity_speed.py
loads it by path to build its cohort the same way.
"""
from __future__ import annotations

import ast
import io
import random
import re
import tokenize
from pathlib import Path

from grader.similarity.blocks import block_keys

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_CODES = ROOT / "reference" / "codes"
HONEST_DIR = Path(__file__).resolve().parent / "fixtures" / "honest"
HONEST = ("student_a", "student_b", "student_c", "student_d", "student_e")
FILLED_FILES = ("layers.py", "loss.py")
_HEADER = re.compile(r"# === (\S+)$")
_ASSIGNED = re.compile(r"^\s*(?:for\s+)?([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*(?:[-+*/]?=(?!=)|\s+in\s)")

Bodies = dict[str, list[str]]  # block key -> body lines at zero indentation


def read_honest(name: str) -> Bodies:
    bodies: Bodies = {}
    key = None
    for line in (HONEST_DIR / f"{name}.txt").read_text().splitlines():
        match = _HEADER.match(line)
        if match:
            key = match.group(1)
            bodies[key] = []
        elif key is not None:
            bodies[key].append(line)
    return bodies


def write_submission(dest: Path, bodies: Bodies, files: dict[str, str] | None = None) -> Path:
    """A submission folder: the reference's codes/ with the blocks of `bodies` filled in, and
    `files` (name -> text) added to codes/ or replacing a file there."""
    codes = dest / "codes"
    codes.mkdir(parents=True)
    for source in sorted(REFERENCE_CODES.glob("*.py")):
        text = source.read_text()
        if source.name in FILLED_FILES:
            text = fill_blocks(source.name, text, bodies)
        (codes / source.name).write_text(text)
    for name, text in (files or {}).items():
        (codes / name).write_text(text)
    return dest


def fill_blocks(file_name: str, text: str, bodies: Bodies) -> str:
    lines = text.split("\n")
    for key, block, _ in reversed(block_keys(file_name, text)):
        body = [block.indent + line if line.strip() else "" for line in bodies[key]]
        lines[block.start:block.end - 1] = body
    return "\n".join(lines)


# --- honest students' own choices --------------------------------------------------------------

class HonestEdit(ast.NodeTransformer):
    """The small choices that make two honest students' versions of one formula differ.

    Each site of a block (an operator, a call, a comparison, a return) is decided on its own, so a
    long block has thousands of honest spellings and two honest students rarely write the same
    long block verbatim, while a one-line block often coincides (as it does in a real class).
    """

    def __init__(self, rng: random.Random):
        self.rng = rng

    def _flip(self, p: float = 0.5) -> bool:
        return self.rng.random() < p

    def visit_BinOp(self, node):
        self.generic_visit(node)
        left, right = node.left, node.right
        if isinstance(node.op, ast.Pow) and isinstance(right, ast.Constant) and right.value == 2:
            return self._square(left)
        if isinstance(node.op, ast.Pow) and not _is_np(left, "e") and self._flip(0.4):
            return _np_call("power", [left, right])
        if (isinstance(node.op, ast.Mult) and isinstance(left, ast.Constant) and left.value == 0.5
                and self._flip(0.4)):
            return ast.BinOp(right, ast.Div(), ast.Constant(2))
        if isinstance(node.op, ast.MatMult) and self._flip(0.5):
            return _np_call(self.rng.choice(["matmul", "dot"]), [left, right])
        if isinstance(node.op, (ast.Mult, ast.Add)) and self._flip():
            return ast.BinOp(right, node.op, left)
        return node

    def _square(self, x):
        choice = self.rng.randrange(4)
        if choice == 1 and isinstance(x, (ast.Name, ast.Attribute)):
            return ast.BinOp(x, ast.Mult(), x)
        if choice == 2:
            return _np_call("square", [x])
        if choice == 3:
            return _np_call("power", [x, ast.Constant(2)])
        return ast.BinOp(x, ast.Pow(), ast.Constant(2))

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        for keyword in node.keywords:  # on 2-D arrays, axis=1 and axis=-1 are one axis
            value = keyword.value
            if (keyword.arg == "axis" and self._flip() and isinstance(value, ast.UnaryOp)
                    and isinstance(value.operand, ast.Constant) and value.operand.value == 1):
                keyword.value = ast.Constant(1)
            elif keyword.arg == "axis" and isinstance(value, ast.Constant) and value.value == 1 and self._flip():
                keyword.value = ast.UnaryOp(ast.USub(), ast.Constant(1))
        if (isinstance(f, ast.Attribute) and f.attr == "astype" and len(node.args) == 1
                and _is_np(node.args[0], "float64") and self._flip()):
            node.args = [ast.Name("float", ast.Load())]
        if (isinstance(f, ast.Attribute) and f.attr in ("sum", "max", "mean") and not _is_np(f.value)
                and self._flip()):
            return ast.Call(_np_attr(f.attr), [f.value, *node.args], node.keywords)
        if not (isinstance(f, ast.Attribute) and _is_np(f.value)):
            return node
        if f.attr in ("asarray", "array") and self._flip():
            return ast.Call(_np_attr("array" if f.attr == "asarray" else "asarray"), node.args, node.keywords)
        args = node.args
        if f.attr == "power" and len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value == 2:
            return self._square(args[0])
        if f.attr in ("sum", "max", "mean") and len(args) == 1 and self._flip():
            return ast.Call(ast.Attribute(args[0], f.attr, ast.Load()), [], node.keywords)
        if f.attr in ("maximum", "minimum", "multiply", "add") and len(args) == 2 and self._flip():
            return ast.Call(f, [args[1], args[0]], node.keywords)
        if f.attr in ("matmul", "dot") and len(args) == 2 and self._flip(0.6):
            if self._flip():
                return ast.BinOp(args[0], ast.MatMult(), args[1])
            return ast.Call(ast.Attribute(args[0], "dot", ast.Load()), [args[1]], [])
        if f.attr == "exp" and len(args) == 1 and self._flip(0.15):
            return ast.BinOp(_np_attr("e"), ast.Pow(), args[0])
        return node

    def visit_Compare(self, node):
        self.generic_visit(node)
        flipped = {ast.Gt: ast.Lt, ast.Lt: ast.Gt, ast.GtE: ast.LtE, ast.LtE: ast.GtE}
        op = type(node.ops[0])
        if len(node.ops) == 1 and op in flipped and self._flip():
            return ast.Compare(node.comparators[0], [flipped[op]()], [node.left])
        return node

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        if isinstance(node.target, ast.Name) and self._flip():  # x -= y -> x = x - y
            load = ast.Name(node.target.id, ast.Load())
            return ast.Assign([node.target], ast.BinOp(load, node.op, node.value), lineno=0)
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.Invert) and self._flip():
            return _np_call("logical_not", [node.operand])
        return node

    def visit_Subscript(self, node):
        self.generic_visit(node)
        index = node.slice  # x[:, None] -> x.reshape(-1, 1) or x[:, np.newaxis]
        if (isinstance(index, ast.Tuple) and len(index.elts) == 2 and isinstance(index.elts[0], ast.Slice)
                and isinstance(index.elts[1], ast.Constant) and index.elts[1].value is None):
            choice = self.rng.randrange(3)
            if choice == 1:
                minus_one = ast.UnaryOp(ast.USub(), ast.Constant(1))
                return ast.Call(ast.Attribute(node.value, "reshape", ast.Load()), [minus_one, ast.Constant(1)], [])
            if choice == 2:
                index.elts[1] = _np_attr("newaxis")
            return node
        value = node.value  # input.shape[0] -> len(input)
        if (isinstance(value, ast.Attribute) and value.attr == "shape" and isinstance(node.slice, ast.Constant)
                and node.slice.value == 0 and self._flip()):
            return ast.Call(ast.Name("len", ast.Load()), [value.value], [])
        return node

    def visit_Return(self, node):
        self.generic_visit(node)
        if node.value is not None and not isinstance(node.value, ast.Name) and self._flip(0.4):
            name = self.rng.choice(["result", "out", "res", "ret", "value", "ans"])
            return [ast.Assign([ast.Name(name, ast.Store())], node.value, lineno=0),
                    ast.Return(ast.Name(name, ast.Load()))]
        return node


def _is_np(node: ast.AST, attr: str | None = None) -> bool:
    """`np` (attr None) or `np.<attr>`."""
    if attr is not None:
        return isinstance(node, ast.Attribute) and node.attr == attr and _is_np(node.value)
    return isinstance(node, ast.Name) and node.id == "np"


def _np_attr(name: str) -> ast.Attribute:
    return ast.Attribute(ast.Name("np", ast.Load()), name, ast.Load())


def _np_call(name: str, args: list) -> ast.Call:
    return ast.Call(_np_attr(name), args, [])


def edited(body: list[str], rng: random.Random) -> list[str]:
    tree = HonestEdit(rng).visit(_hoist_calls(_inline_temporaries(ast.parse("\n".join(body)), rng), rng))
    own = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
                  and n.id not in ("input", "grad_output")})
    names = {name: name + rng.choice(["", "", "_", "_val", "2", "_t"]) for name in own}
    for node in ast.walk(tree):  # students name their temporaries each their own way
        if isinstance(node, ast.Name) and node.id in names:
            node.id = names[node.id]
    return ast.unparse(ast.fix_missing_locations(tree)).split("\n")


def _inline_temporaries(tree: ast.Module, rng: random.Random) -> ast.Module:
    """`t = f(x); return g(t)` -> `return g(f(x))`, half the time, for a temporary read once by
    the very next statement (so nothing in between can change what it computed)."""
    stmts = tree.body
    i = 0
    while i < len(stmts) - 1:
        stmt, after = stmts[i], stmts[i + 1]
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                and rng.random() < 0.5):
            name = stmt.targets[0].id
            uses = [n for n in ast.walk(after) if isinstance(n, ast.Name) and n.id == name]
            later = [n for s in stmts[i + 2:] for n in ast.walk(s) if isinstance(n, ast.Name) and n.id == name]
            if len(uses) == 1 and isinstance(uses[0].ctx, ast.Load) and not later:
                stmts[i + 1] = _Substitute(name, stmt.value).visit(after)
                del stmts[i]
                continue
        i += 1
    return tree


def _hoist_calls(tree: ast.Module, rng: random.Random) -> ast.Module:
    """`y = f(g(x)) + 1` -> `t = g(x); y = f(t) + 1`, for a third of the statements: the
    temporaries a student introduces are theirs alone."""
    out = []
    for stmt in tree.body:
        value = getattr(stmt, "value", None)
        inner = [n for n in ast.walk(value) if isinstance(n, ast.Call) and n is not value] if value else []
        if inner and isinstance(stmt, (ast.Assign, ast.Return)) and rng.random() < 0.33:
            call = rng.choice(inner)
            name = rng.choice(["tmp", "part", "inner", "term", "aux"]) + rng.choice(["", "1", "_"])
            out.append(ast.Assign([ast.Name(name, ast.Store())], call, lineno=0))
            stmt = _Replace(call, ast.Name(name, ast.Load())).visit(stmt)
        out.append(stmt)
    tree.body = out
    return tree


class _Replace(ast.NodeTransformer):
    def __init__(self, old: ast.AST, new: ast.AST):
        self.old, self.new = old, new

    def visit(self, node):
        return self.new if node is self.old else super().visit(node)


class _Substitute(ast.NodeTransformer):
    def __init__(self, name: str, value: ast.expr):
        self.name, self.value = name, value

    def visit_Name(self, node):
        return self.value if node.id == self.name else node


def reference_bodies() -> Bodies:
    """The reference's own blocks, a sixth independent implementation."""
    out = {}
    for name in FILLED_FILES:
        text = (REFERENCE_CODES / name).read_text()
        for key, block, _ in block_keys(name, text):
            width = len(block.indent)
            out[key] = [line[width:] for line in block.body if not line.strip().startswith("#")]
    return out


def honest_students(count: int, rng: random.Random) -> list[Bodies]:
    """Honest students: each block from one of six implementations, then its own small choices."""
    variants = [read_honest(n) for n in HONEST] + [reference_bodies()]
    return [{key: edited(rng.choice(variants)[key], rng) for key in variants[0]} for _ in range(count)]


# --- the copier's edits -------------------------------------------------------------------------

def renamed(bodies: Bodies) -> Bodies:
    """Every name a block assigns gets another name (`grad` -> `grad_tmp`)."""
    out = {}
    for key, body in bodies.items():
        names = {n.strip() for line in body for m in [_ASSIGNED.match(line)] if m
                 for n in m.group(1).split(",")}
        names.discard("self")
        pattern = re.compile(r"(?<![\w.])(" + "|".join(sorted(names)) + r")\b") if names else None
        out[key] = [pattern.sub(lambda m: m.group(1) + "_tmp", line) if pattern else line
                    for line in body]
    return out


def reformatted(bodies: Bodies) -> Bodies:
    """Tokens re-spaced one space apart, a blank line after each statement."""
    out = {}
    for key, body in bodies.items():
        text = "\n".join(body) + "\n"
        tokens = [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(text).readline)]
        spaced = tokenize.untokenize(tokens).split("\n")
        out[key] = [line for s in spaced for line in (s.rstrip(), "") if s.strip()]
    return out


def commented(bodies: Bodies) -> Bodies:
    """Comments, a docstring and dead statements that compute things nothing uses."""
    out = {}
    for key, body in bodies.items():
        head = ['"""Computes the result for this layer."""', "# first we compute things",
                "unused_total = 0", "unused_check = unused_total + 1", "pass",
                "input.shape", "if False:", "    unused_total = 3"]
        out[key] = head + [line + "  # step" if line.strip() and not line.rstrip().endswith(("(", ",", "\\"))
                           else line for line in body]
    return out


# Independent neighbouring lines of student_d, as (block, line, line) swaps.
STUDENT_D_SWAPS = [("layers.py:Selu.forward:1", 0, 1), ("layers.py:Selu.backward:1", 0, 1),
                   ("layers.py:Linear.forward:1", 0, 1), ("layers.py:Linear.backward:1", 1, 2),
                   ("layers.py:Dropout.forward:1", 3, 4), ("loss.py:FocalLoss.forward:1", 2, 3),
                   ("loss.py:FocalLoss.backward:1", 4, 5)]


def reordered(bodies: Bodies, swaps=STUDENT_D_SWAPS) -> Bodies:
    out = {key: list(body) for key, body in bodies.items()}
    for key, i, j in swaps:
        out[key][i], out[key][j] = out[key][j], out[key][i]
    return out


def one_block(own: Bodies, source: Bodies, key: str) -> Bodies:
    return {**own, key: list(source[key])}


def parameters(key: str) -> list[str]:
    """The parameters of the method around block `key` (`layers.py:Linear.backward:1`)."""
    file_name, qualname, _ = key.split(":")
    class_name, method = qualname.split(".")
    tree = ast.parse((REFERENCE_CODES / file_name).read_text())
    [cls] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name]
    [fn] = [n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == method]
    return [a.arg for a in fn.args.args]


def moved_out(own: Bodies, source: Bodies, keys: list[str], module: str | None = "helpers") -> tuple[Bodies, str]:
    """The copier's disguise: the source's bodies of `keys` become functions, and each block only
    calls its function, from `module` (None: the functions sit in the block's own file).
    Returns (block bodies, the functions' text)."""
    bodies, text = dict(own), ["import numpy as np", ""]
    for key in keys:
        name = key.split(":")[1].replace(".", "_").lower()
        args = ", ".join(parameters(key))
        text += [f"def {name}({args}):", *("    " + line for line in source[key]), "", ""]
        call = f"{module}.{name}({args})" if module else f"{name}({args})"
        bodies[key] = [f"import {module}", f"return {call}"] if module else [f"return {call}"]
    return bodies, "\n".join(text)


ONE_BLOCK_KEY = "loss.py:HingeLoss.forward:1"


def planted_cohort(dest: Path) -> tuple[list[Path], dict[str, set[str]]]:
    """Ten submissions and, per label, the honest students its code comes from."""
    a, b, c, d, e = (read_honest(n) for n in HONEST)
    students = {
        "a": (a, {"a"}), "b": (b, {"b"}), "c": (c, {"c"}), "d": (d, {"d"}),
        "copy_exact_a": (a, {"a"}), "copy_renamed_b": (renamed(b), {"b"}),
        "copy_reformatted_c": (reformatted(c), {"c"}), "copy_reordered_d": (reordered(d), {"d"}),
        "copy_dead_code_a": (commented(a), {"a"}),
        "copy_one_block_b": (one_block(e, b, ONE_BLOCK_KEY), {"e", "b"}),
    }
    paths = [write_submission(dest / label, bodies) for label, (bodies, _) in sorted(students.items())]
    return paths, {label: origin for label, (_, origin) in students.items()}
