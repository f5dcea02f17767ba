"""USC CSCI-567's assignment as its students and staff meet it: the hand-out's public self-checks
(each fails on the bare hand-out with one line naming the part, all pass once the parts are filled),
and Gradescope's path with the files uploaded loose (grader/gradescope/run.py, as run_autograder
calls it). Zips of the two files and folders of loose files are graded in tests/corpus/test_corpus_usc.py."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from grader.assignment import load_assignment

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = load_assignment(REPO / "grader" / "assignments" / "usc-csci567")
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def run_public_tests(handout: Path, report: Path) -> dict[str, str | None]:
    """Test name -> None if it passed, else its failure message; pytest runs in a subprocess."""
    subprocess.run([sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"],
                   cwd=handout, capture_output=True, timeout=300)
    outcomes = {}
    for case in ET.parse(report).iter("testcase"):
        problem = case.find("failure") if case.find("failure") is not None else case.find("error")
        outcomes[case.get("name")] = None if problem is None else problem.get("message")
    return outcomes


def test_public_tests_fail_on_the_handout_and_pass_on_the_reference(tmp_path):
    bare, filled = tmp_path / "bare", tmp_path / "filled"
    shutil.copytree(ASSIGNMENT.skeleton_dir, bare)
    shutil.copytree(ASSIGNMENT.skeleton_dir, filled)
    shutil.copyfile(ASSIGNMENT.reference_code / "neural_networks.py", filled / "neural_networks.py")
    passing = run_public_tests(filled, tmp_path / "filled.xml")
    failing = run_public_tests(bare, tmp_path / "bare.xml")
    assert len(passing) >= 7 and set(failing) == set(passing)
    assert {name: msg for name, msg in passing.items() if msg is not None} == {}
    unreadable = {name: msg for name, msg in failing.items()
                  if msg is None or not msg.startswith("Not Implemented function: ") or "\n" in msg}
    assert unreadable == {}


def test_gradescope_grades_loose_files_and_supplies_utils(tmp_path):
    """submission/ holds neural_networks.py alone, as a student drags it into Gradescope: graded in
    full, with the hand-out's utils.py supplied and said so."""
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "gradescope.json").write_text(json.dumps({"assignment": str(ASSIGNMENT.root)}))
    (tmp_path / "submission").mkdir()
    shutil.copyfile(ASSIGNMENT.reference_code / "neural_networks.py", tmp_path / "submission" / "neural_networks.py")
    (tmp_path / "submission_metadata.json").write_text(json.dumps({"users": [{"id": 5670042}]}))
    run = subprocess.run([sys.executable, "-m", "grader.gradescope.run"], env={**ENV, "AUTOGRADER_ROOT": str(tmp_path)},
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["score"] == ASSIGNMENT.max_score == 100, [t for t in results["tests"] if t["score"] < t["max_score"]]
    assert "utils.py was missing; graded with the hand-out's copy" in results["output"]
    assert "5670042: score 100 / 100" in run.stdout
