"""The Montreal hand-out (grader/assignments/montreal-mlp/): its self-checks pass on the reference
and fail on the bare skeleton, each one, and a notebook made from the reference grades exactly as
the reference's mlp.py does."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

from grader import datasets
from grader.assignment import load_assignment
from grader.run import grade_one

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = load_assignment(REPO / "grader" / "assignments" / "montreal-mlp")


def self_checks(handout: Path, report: Path) -> dict[str, str | None]:
    """`python -m pytest tests` in the hand-out, as a student runs it: test -> None or its failure."""
    subprocess.run([sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"],
                   cwd=handout, capture_output=True, timeout=600, env={**os.environ, "PYTHONPATH": ""})
    outcomes = {}
    for case in ET.parse(report).iter("testcase"):
        problem = case.find("failure") if case.find("failure") is not None else case.find("error")
        skipped = case.find("skipped")
        outcomes[case.get("name")] = ("skipped" if skipped is not None else
                                      None if problem is None else problem.get("message"))
    return outcomes


@pytest.fixture(scope="module")
def handouts(tmp_path_factory) -> dict[str, Path]:
    """The generated hand-out as it is (bare), with the reference's mlp.py (filled), and with a
    notebook of the reference in place of mlp.py; each with data/mnist.pkl.gz as the published zip
    carries it."""
    base = tmp_path_factory.mktemp("montreal-handout")
    data = datasets.handout_files(ASSIGNMENT.data["mnist"], ASSIGNMENT.root)["mnist.pkl.gz"]
    trees = {}
    for name in ("bare", "filled", "notebook"):
        tree = trees[name] = base / name
        shutil.copytree(ASSIGNMENT.skeleton_dir, tree)
        (tree / "data").mkdir()
        (tree / "data" / "mnist.pkl.gz").symlink_to(data)
    source = (ASSIGNMENT.reference_dir / "mlp.py").read_text()
    (trees["filled"] / "mlp.py").write_text(source)
    (trees["notebook"] / "mlp.py").unlink()
    (trees["notebook"] / "mlp.ipynb").write_text(notebook_of(source))
    return trees


def test_self_checks_pass_on_the_reference_and_its_notebook_and_each_fails_on_the_skeleton(handouts, tmp_path):
    filled = self_checks(handouts["filled"], tmp_path / "filled.xml")
    bare = self_checks(handouts["bare"], tmp_path / "bare.xml")
    notebook = self_checks(handouts["notebook"], tmp_path / "notebook.xml")
    assert len(filled) >= 10 and set(bare) == set(filled) == set(notebook)
    assert {name: message for name, message in filled.items() if message is not None} == {}
    assert {name: message for name, message in notebook.items() if message is not None} == {}
    assert {name: message for name, message in bare.items()
            if not (message or "").startswith("NotImplementedError")} == {}


def notebook_of(source: str) -> str:
    """The module as a student's notebook: a markdown cell, IPython magics (dropped at grading, with
    a note), then one code cell per top-level piece."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Assignment: MLP on MNIST"),
                nbformat.v4.new_code_cell("%matplotlib inline\n!ls data")]
    nb.cells += [nbformat.v4.new_code_cell(piece) for piece in re.split(r"\n{3}(?=\S)", source)]
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{number}"
    return nbformat.writes(nb)


def test_a_notebook_of_the_reference_grades_as_its_py(tmp_path):
    source = (ASSIGNMENT.reference_dir / "mlp.py").read_text()
    notebook = tmp_path / "notebook"
    notebook.mkdir()
    (notebook / "mlp.ipynb").write_text(notebook_of(source))
    assert len(nbformat.reads((notebook / "mlp.ipynb").read_text(), as_version=4).cells) > 10

    as_py, as_notebook = grade_one(ASSIGNMENT.reference_dir, ASSIGNMENT), grade_one(notebook, ASSIGNMENT)
    assert as_py.error is None and as_notebook.error is None
    assert as_py.score == as_notebook.score == ASSIGNMENT.max_score
    assert [(o.test, o.status, o.score) for o in as_notebook.outcomes] == [
        (o.test, o.status, o.score) for o in as_py.outcomes]
    assert "graded the code cells of mlp.ipynb as mlp.py" in as_notebook.notes
    assert sum("(IPython syntax, not Python)" in note for note in as_notebook.notes) == 2
