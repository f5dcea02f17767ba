"""The development corpus of the default assignment (tests/corpus/mlp/, see README.md there), graded
for real: every case becomes a submission zip (codes/ = the hand-out's codes overlaid with the case's
files, summary.txt from the hand-out's analyzer, a Report.md), and all of them, plus the bare skeleton
and the reference, go through one `grade <folder> --jobs 2` batch.

Verdicts are checked per [points] group, never per test name: correct cases get full marks (bonus
included), buggy ones lose points only in the groups their case.toml names (and in the accuracy group
when it says breaks_training) and do lose some, empty and forging ones score no more than the skeleton.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.assignment import load_assignment

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_harness import ENV, KINDS, Judge, grade_batch, load_cases, write_zip  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "mlp"
HANDOUT = REPO / "skeleton"
REFERENCE_CODES = REPO / "reference" / "codes"
STUDENT_FILES = ("layers.py", "loss.py")
ACCURACY_GROUP = "MNIST test accuracy"
"""The accuracy group's name starts with this ("MNIST test accuracy: full points from 95%, ...")."""

CASES = load_cases(CORPUS)
ASSIGNMENT = load_assignment(None)
JUDGE = Judge(ASSIGNMENT, ACCURACY_GROUP)


def case_files(case) -> dict[str, str]:
    return {n: (case.folder / n).read_text(encoding="utf-8") for n in STUDENT_FILES if (case.folder / n).is_file()}


# --- building and grading the batch -----------------------------------------------------------------

def _write_tree(root: Path, overlay: dict[str, str]) -> None:
    """root/codes: the hand-out's codes/ with `overlay` written over it; root/Report.md."""
    shutil.copytree(HANDOUT / "codes", root / "codes")
    for name, text in overlay.items():
        (root / "codes" / name).write_text(text, encoding="utf-8")
    (root / "Report.md").write_text(f"# Report\n\n{root.name}: a case of tests/corpus/mlp.\n", encoding="utf-8")


def _analyze(root: Path) -> None:
    """summary.txt as a student makes it: the hand-out's analyzer, run on the tree."""
    subprocess.run([sys.executable, str(HANDOUT / "code_analyze" / "analyze.py"), "--target-dir",
                    str(root / "codes"), "--output", str(root / "summary.txt")],
                   check=True, capture_output=True, env=ENV, timeout=120)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    """Student id -> results.json of one real `grade` batch over every case, the skeleton and the reference."""
    base = tmp_path_factory.mktemp("corpus")
    trees, zips = base / "trees", base / "zips"
    zips.mkdir()
    overlays = {case.sid: case_files(case) for case in CASES}
    overlays["handout-skeleton"] = {}
    overlays["handout-reference"] = {n: (REFERENCE_CODES / n).read_text(encoding="utf-8") for n in STUDENT_FILES}
    for sid, overlay in overlays.items():
        _write_tree(trees / sid, overlay)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(_analyze, [trees / sid for sid in overlays]))
    for sid in overlays:  # <id>/Report.md, <id>/summary.txt, <id>/codes/*.py
        root = trees / sid
        write_zip(zips, sid, {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()})
    return grade_batch(zips, base / "out", list(overlays))


def _markers(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith(("# TODO START", "# TODO END"))]


# --- the checks ---------------------------------------------------------------------------------------

def test_cases_are_declared_well():
    """Each case folder: the student's files and a case.toml whose keys fit its kind."""
    assert {c.kind for c in CASES} == set(KINDS)
    assert sum(c.kind == "correct" for c in CASES) >= 18 and sum(c.kind == "buggy" for c in CASES) >= 18
    assert sum(c.kind == "empty" for c in CASES) >= 6
    for case in CASES:
        extra = sorted(p.name for p in case.folder.iterdir())
        assert set(extra) <= {"case.toml", *STUDENT_FILES} and case_files(case), f"{case.sid}: {extra}"
        for name, text in case_files(case).items():  # the hand-out's TODO markers, all kept
            assert _markers(text) == _markers((HANDOUT / "codes" / name).read_text(encoding="utf-8")), (
                f"{case.sid}: {name} does not keep the hand-out's TODO START/END markers")
        JUDGE.check_spec(case)


def test_reference_gets_full_marks(graded):
    results = graded["handout-reference"]
    JUDGE.graded_or_fail(results, "reference")
    if not results["score"] == JUDGE.max_score(results) > ASSIGNMENT.max_score:
        pytest.fail(f"the reference scored {results['score']:g}:\n{JUDGE.describe(JUDGE.losses(results))}",
                    pytrace=False)


def test_skeleton_is_graded(graded):
    """The skeleton's score is what empty and forging cases are held to."""
    JUDGE.graded_or_fail(graded["handout-skeleton"], "skeleton")


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}/{c.name}" for c in CASES])
def test_case_verdict(case, graded):
    JUDGE.verdict(case, graded[case.sid], graded["handout-skeleton"]["score"])
