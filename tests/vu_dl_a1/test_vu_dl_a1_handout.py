"""VU DL A1's hand-out: its public self-checks fail on the bare hand-out and pass once the
reference's code is in it, and a submission of notebooks (the reference's .py files turned into
.ipynb, with a magic line) grades exactly as the .py files do."""
from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat

from grader.assignment import load_assignment
from grader.data import REPO_MNIST_DIR
from grader.run import grade_one

FOLDER = Path(__file__).resolve().parents[2] / "grader" / "assignments" / "vu-dl-a1"
ASSIGNMENT = load_assignment(FOLDER)
MODULES = ("scalar.py", "tensor.py")


def run_public_checks(handout: Path, report: Path) -> dict[str, str | None]:
    """Test id -> None if it passed, else its failure message (pytest in a subprocess)."""
    subprocess.run([sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"],
                   cwd=handout, capture_output=True, timeout=600)
    outcomes = {}
    for case in ET.parse(report).iter("testcase"):
        problem = case.find("failure") if case.find("failure") is not None else case.find("error")
        outcomes[f"{case.get('classname')}.{case.get('name')}"] = None if problem is None else problem.get("message")
    return outcomes


def handout_copy(dest: Path, code_from: Path) -> Path:
    """The generated hand-out with MNIST in data/ (as the published zip has it) and the code of code_from."""
    shutil.copytree(ASSIGNMENT.skeleton_dir, dest)
    for path in REPO_MNIST_DIR.glob("*.gz"):
        shutil.copyfile(path, dest / "data" / path.name)
    for name in MODULES:
        shutil.copyfile(code_from / name, dest / name)
    return dest


def test_public_checks_fail_on_the_handout_and_pass_on_the_reference(tmp_path):
    filled = run_public_checks(handout_copy(tmp_path / "filled", ASSIGNMENT.reference_dir), tmp_path / "filled.xml")
    bare = run_public_checks(handout_copy(tmp_path / "bare", ASSIGNMENT.skeleton_dir), tmp_path / "bare.xml")
    assert len(filled) >= 8 and set(bare) == set(filled)
    assert {name: message for name, message in filled.items() if message is not None} == {}
    unclear = {name: message for name, message in bare.items()
               if message is None or "is not implemented yet (" not in message or "\n" in message}
    assert unclear == {}


def as_notebook(source: str) -> str:
    """A .py file as students keep it in a notebook: a markdown title, a magic, one cell per
    top-level statement group (blank-line separated blocks)."""
    cells = [nbformat.v4.new_markdown_cell("# Assignment 1"), nbformat.v4.new_code_cell("%matplotlib inline")]
    cells += [nbformat.v4.new_code_cell(block) for block in source.split("\n\n\n") if block.strip()]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = cells
    return nbformat.writes(notebook)


def test_a_notebook_version_of_the_reference_grades_the_same(tmp_path):
    (tmp_path / "py").mkdir()
    (tmp_path / "nb").mkdir()
    for name in MODULES:
        source = (ASSIGNMENT.reference_dir / name).read_text(encoding="utf-8")
        (tmp_path / "py" / name).write_text(source, encoding="utf-8")
        (tmp_path / "nb" / name.replace(".py", ".ipynb")).write_text(as_notebook(source), encoding="utf-8")
    as_py, as_nb = grade_one(tmp_path / "py", ASSIGNMENT), grade_one(tmp_path / "nb", ASSIGNMENT)
    verdicts = [[(o.test, o.name, o.status, o.score) for o in result.outcomes] for result in (as_py, as_nb)]
    assert verdicts[0] == verdicts[1] and as_nb.score == ASSIGNMENT.max_score
    assert "graded the code cells of scalar.ipynb as scalar.py" in as_nb.notes
    assert any("dropped `%matplotlib inline`" in note for note in as_nb.notes)
