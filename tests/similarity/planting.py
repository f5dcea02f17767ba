"""Build cohorts for the similarity tests: honest students from fixtures/honest, planted copies.

Each honest fixture fills the reference's blocks; a planted copy is made from one by the edits a
copier makes by hand (rename, reformat, reorder, comments and dead code, one block only).
conftest.py hands this module to the tests as the `planting` fixture; bench/similarity_speed.py
loads it by path to build its cohort the same way.
"""
from __future__ import annotations

import io
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


def write_submission(dest: Path, bodies: Bodies) -> Path:
    """A submission folder: the reference's codes/ with the blocks of `bodies` filled in."""
    codes = dest / "codes"
    codes.mkdir(parents=True)
    for source in sorted(REFERENCE_CODES.glob("*.py")):
        text = source.read_text()
        if source.name in FILLED_FILES:
            text = fill_blocks(source.name, text, bodies)
        (codes / source.name).write_text(text)
    return dest


def fill_blocks(file_name: str, text: str, bodies: Bodies) -> str:
    lines = text.split("\n")
    for key, block, _ in reversed(block_keys(file_name, text)):
        body = [block.indent + line if line.strip() else "" for line in bodies[key]]
        lines[block.start:block.end - 1] = body
    return "\n".join(lines)


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
