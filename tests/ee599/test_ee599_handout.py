"""USC EE599 HW3's folder end to end: the hand-out's public self-checks fail on the bare hand-out and
pass once its blocks hold the reference's code, and the reference handed in as notebooks grades
exactly as the reference handed in as .py files."""
from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat

from grader.assignment import ASSIGNMENTS_DIR, load_assignment
from grader.run import grade_one

ASSIGNMENT = load_assignment(ASSIGNMENTS_DIR / "ee599-hw3")
FILES = ("mlp_numpy.py", "confusion.py")


def run_public_tests(handout: Path, report: Path) -> dict[str, str | None]:
    """Test id -> None if it passed, else its failure message; pytest runs in a subprocess."""
    subprocess.run([sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"],
                   cwd=handout, capture_output=True, timeout=300)
    outcomes = {}
    for case in ET.parse(report).iter("testcase"):
        problem = case.find("failure") if case.find("failure") is not None else case.find("error")
        outcomes[f"{case.get('classname')}.{case.get('name')}"] = None if problem is None else problem.get("message")
    return outcomes


def test_public_checks_fail_on_the_handout_and_pass_on_the_reference(tmp_path):
    bare, filled = tmp_path / "bare", tmp_path / "filled"
    for folder in (bare, filled):
        shutil.copytree(ASSIGNMENT.skeleton_dir, folder)
    for name in FILES:  # the reference is the hand-out with every block filled
        shutil.copyfile(ASSIGNMENT.reference_dir / name, filled / name)
    passing = run_public_tests(filled, tmp_path / "filled.xml")
    failing = run_public_tests(bare, tmp_path / "bare.xml")
    assert len(passing) >= 12 and set(failing) == set(passing)
    assert {name: msg for name, msg in passing.items() if msg is not None} == {}
    unreadable = {name: msg for name, msg in failing.items()
                  if msg is None or "is not implemented yet (" not in msg or "\n" in msg}
    assert unreadable == {}


def as_notebook(source: str) -> str:
    """A .py file as a student's notebook: a title cell, a magic, then one code cell per top-level
    definition (the file's paragraphs split at its double blank lines)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# EE599 HW3"), nbformat.v4.new_code_cell("%matplotlib inline")]
    nb.cells += [nbformat.v4.new_code_cell(part.strip("\n")) for part in source.split("\n\n\n") if part.strip()]
    return nbformat.writes(nb)


def test_the_reference_as_notebooks_grades_as_the_reference(tmp_path):
    scripts, notebooks = tmp_path / "scripts", tmp_path / "notebooks"
    scripts.mkdir()
    notebooks.mkdir()
    for name in FILES:
        source = (ASSIGNMENT.reference_dir / name).read_text(encoding="utf-8")
        (scripts / name).write_text(source, encoding="utf-8")
        (notebooks / name.replace(".py", ".ipynb")).write_text(as_notebook(source), encoding="utf-8")
    as_py, as_nb = grade_one(scripts, ASSIGNMENT), grade_one(notebooks, ASSIGNMENT)
    assert as_py.error is None and as_nb.error is None
    assert as_py.score == as_nb.score == ASSIGNMENT.max_score
    verdicts = [[(o.test, o.status, o.score) for o in result.outcomes] for result in (as_py, as_nb)]
    assert verdicts[0] == verdicts[1]
    notes = "\n".join(as_nb.notes)
    assert "graded the code cells of mlp_numpy.ipynb as mlp_numpy.py" in notes
    assert "mlp_numpy.ipynb code cell 1: dropped `%matplotlib inline`" in notes
