"""The development corpus of USC EE599 HW3 (tests/corpus/ee599-hw3/, see its README.md), graded for
real: every case becomes a flat submission zip (its mlp_numpy and confusion files, .py or .ipynb, a
report.md; a buggy case's other file from the reference), and all of them, plus the bare hand-out and
the reference, go through one `grade <folder> --jobs 2` batch.

Verdicts are checked per [points] group (corpus_harness.Judge): correct cases get full marks, buggy
ones lose points only in the groups their case.toml names (and in the MNIST group when it says
breaks_training) and do lose some, empty and forging ones score no more than the skeleton.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from grader.assignment import ASSIGNMENTS_DIR, load_assignment

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_harness import KINDS, Case, Judge, grade_batch, load_cases, write_zip  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "ee599-hw3"
ASSIGNMENT = load_assignment(ASSIGNMENTS_DIR / "ee599-hw3")
HANDOUT, REFERENCE = ASSIGNMENT.skeleton_dir, ASSIGNMENT.reference_dir
PROBLEMS = ("mlp_numpy", "confusion")
CASES = load_cases(CORPUS)
JUDGE = Judge(ASSIGNMENT, "MNIST test accuracy")


def case_files(case: Case) -> dict[str, bytes]:
    """File name -> bytes: the case's own files, and for each problem it leaves out the reference's."""
    found = {p.name: p.read_bytes() for p in sorted(case.folder.iterdir()) if p.suffix in (".py", ".ipynb")}
    for problem in PROBLEMS:
        if not {f"{problem}.py", f"{problem}.ipynb"} & set(found):
            found[f"{problem}.py"] = (REFERENCE / f"{problem}.py").read_bytes()
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    """Student id -> results.json of one real `grade` batch over every case, the skeleton and the reference."""
    base = tmp_path_factory.mktemp("corpus-ee599")
    zips = base / "zips"
    zips.mkdir()
    submissions = {case.sid: case_files(case) for case in CASES}
    submissions["handout-skeleton"] = {f"{p}.py": (HANDOUT / f"{p}.py").read_bytes() for p in PROBLEMS}
    submissions["handout-reference"] = {f"{p}.py": (REFERENCE / f"{p}.py").read_bytes() for p in PROBLEMS}
    for sid, files in submissions.items():
        write_zip(zips, sid, {**files, "report.md": f"# Report\n\n{sid}: a case of tests/corpus/ee599-hw3.\n".encode()})
    return grade_batch(zips, base / "out", list(submissions), ASSIGNMENT.root)


def test_cases_are_declared_well():
    """Each case folder: the student's files and a case.toml whose keys fit its kind."""
    counts = {kind: sum(c.kind == kind for c in CASES) for kind in KINDS}
    assert counts["correct"] >= 6 and counts["buggy"] >= 8 and counts["empty"] >= 2, counts
    allowed = {"case.toml", *(f"{p}{ext}" for p in PROBLEMS for ext in (".py", ".ipynb"))}
    for case in CASES:
        names = {p.name for p in case.folder.iterdir()}
        assert names <= allowed and names - {"case.toml"}, f"{case.sid}: {sorted(names)}"
        if case.kind != "buggy":  # whole submissions: both problems written by the case
            assert all({f"{p}.py", f"{p}.ipynb"} & names for p in PROBLEMS), f"{case.sid}: {sorted(names)}"
        JUDGE.check_spec(case)


def test_reference_gets_full_marks(graded):
    results = graded["handout-reference"]
    JUDGE.graded_or_fail(results, "reference")
    if not results["score"] == JUDGE.max_score(results) == ASSIGNMENT.max_score:
        pytest.fail(f"the reference scored {results['score']:g}:\n{JUDGE.describe(JUDGE.losses(results))}",
                    pytrace=False)


def test_skeleton_scores_nothing(graded):
    """The skeleton's score is what empty and forging cases are held to."""
    JUDGE.graded_or_fail(graded["handout-skeleton"], "skeleton")
    assert graded["handout-skeleton"]["score"] == 0


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}/{c.name}" for c in CASES])
def test_case_verdict(case, graded):
    JUDGE.verdict(case, graded[case.sid], graded["handout-skeleton"]["score"])
