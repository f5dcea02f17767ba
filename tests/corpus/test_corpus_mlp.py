"""The development corpus of the default assignment (tests/corpus/mlp/, see README.md there), graded
for real: every case becomes a submission zip (codes/ = the hand-out's codes overlaid with the case's
files, summary.txt from the hand-out's analyzer, a Report.md), and all of them, plus the bare skeleton
and the reference, go through one `grade <folder> --jobs 2` batch.

Verdicts are checked per [points] group, never per test name: correct cases get full marks (bonus
included), buggy ones lose points only in the groups their case.toml names (and in the accuracy group
when it says breaks_training) and do lose some, empty and forging ones score no more than the skeleton.
"""
from __future__ import annotations

import importlib.util
import json
import re
import os
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.assignment import load_assignment

_spec = importlib.util.spec_from_file_location("corpus_group_harness", Path(__file__).with_name("harness.py"))
harness = sys.modules.setdefault("corpus_group_harness", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(harness)

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "mlp"
HANDOUT = REPO / "skeleton"
REFERENCE_CODES = REPO / "reference" / "codes"
KINDS = harness.KINDS
STUDENT_FILES = ("layers.py", "loss.py")
ACCURACY_GROUP = "MNIST test accuracy"
"""The accuracy group's name starts with this ("MNIST test accuracy: full points from 95%, ...")."""
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
BATCH_TIMEOUT_S = 3600
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


CASES = harness.load_cases(CORPUS)
ASSIGNMENT = load_assignment(None)
GROUP_OF = {test: group for group, tests in ASSIGNMENT.point_groups.items() for test in tests}
ACCURACY = next(g for g in ASSIGNMENT.point_groups if g.startswith(ACCURACY_GROUP))


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


def _zip(root: Path, dest: Path) -> None:
    """<id>.zip holding <id>/Report.md, <id>/summary.txt, <id>/codes/*.py."""
    with zipfile.ZipFile(dest / f"{root.name}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{root.name}/{path.relative_to(root).as_posix()}", ZIP_TIME)
            info.external_attr, info.compress_type = 0o100644 << 16, zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    """Student id -> results.json of one real `grade` batch over every case, the skeleton and the reference."""
    base = tmp_path_factory.mktemp("corpus")
    trees, zips, out = base / "trees", base / "zips", base / "out"
    zips.mkdir()
    overlays = {case.sid: case.files(STUDENT_FILES) for case in CASES}
    overlays["handout-skeleton"] = {}
    overlays["handout-reference"] = {n: (REFERENCE_CODES / n).read_text(encoding="utf-8") for n in STUDENT_FILES}
    for sid, overlay in overlays.items():
        _write_tree(trees / sid, overlay)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(_analyze, [trees / sid for sid in overlays]))
    for sid in overlays:
        _zip(trees / sid, zips)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "grader.grade", str(zips), "--jobs", "2", "--out", str(out)],
                          capture_output=True, text=True, env=ENV, timeout=BATCH_TIMEOUT_S)
    print(f"\ncorpus batch: {len(overlays)} submissions graded in {time.monotonic() - start:.0f} s")
    assert proc.returncode in (0, 1), proc.stdout[-2000:] + proc.stderr[-2000:]  # 1: the grader failed on some
    return {sid: json.loads((out / sid / "results.json").read_text(encoding="utf-8")) for sid in overlays}


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
        assert set(extra) <= {"case.toml", *STUDENT_FILES} and case.files(STUDENT_FILES), f"{case.sid}: {extra}"
        assert isinstance(case.spec.get("description"), str) and case.spec["description"], case.sid
        for name, text in case.files(STUDENT_FILES).items():  # the hand-out's TODO markers, all kept
            assert _markers(text) == _markers((HANDOUT / "codes" / name).read_text(encoding="utf-8")), (
                f"{case.sid}: {name} does not keep the hand-out's TODO START/END markers")
        keys = {"correct": {"description"}, "buggy": {"description", "groups", "breaks_training", "signature"},
                "empty": {"description", "expect"}}[case.kind]
        assert set(case.spec) == keys, f"{case.sid}: case.toml keys {sorted(case.spec)}, expected {sorted(keys)}"
        if case.kind == "buggy":
            unknown = set(case.spec["groups"]) - set(ASSIGNMENT.point_groups)
            assert case.spec["groups"] and not unknown, f"{case.sid}: unknown groups {sorted(unknown)}"
            assert isinstance(case.spec["breaks_training"], bool), case.sid
            assert harness.SIGNATURE.fullmatch(case.spec["signature"]), f"{case.sid}: {case.spec['signature']!r}"
        if case.kind == "empty":
            assert case.spec["expect"] == "skeleton", case.sid


def test_reference_gets_full_marks(graded):
    results = graded["handout-reference"]
    harness.graded_or_fail(results, "reference")
    if not results["score"] == harness.max_score(results) > ASSIGNMENT.max_score:
        pytest.fail(f"the reference scored {results['score']:g}:\n"
                    f"{harness.describe(harness.losses(results, GROUP_OF))}", pytrace=False)


def test_skeleton_is_graded(graded):
    """The skeleton's score is what empty and forging cases are held to."""
    harness.graded_or_fail(graded["handout-skeleton"], "skeleton")


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}/{c.name}" for c in CASES])
def test_case_verdict(case, graded):
    results = graded[case.sid]
    harness.graded_or_fail(results, case.sid)
    allowed = set(case.spec.get("groups", ())) | ({ACCURACY} if case.spec.get("breaks_training") else set())
    harness.check_verdict(case, results, graded["handout-skeleton"]["score"], GROUP_OF,
                          lambda group, test: group in allowed, str(sorted(allowed)))


CAUSES = {
    "factor:-1": r"the sign is flipped",
    "factor:N": r"\(the batch size\) times the expected values",
    "factor:1/N": r"1/\d+ of the expected values",
    "factor:lambda": r"lambda \(1\.0507\) times the expected values",
    "factor:1/K": r"1/K \(0\.1\) times the expected values",
    "factor:1-p": r"half the expected values|1 - drop_rate \(0\.\d+\) times the expected values",
    "offset": r"right up to (a constant offset|the same offset in every row)",
    "overflow": r"nan or inf",
    "sign-region": r"right where the input is",
    "transposed": r"transpose of the expected",
    "wrong-axis": r"broadcast along the wrong axis|summed over every axis",
}
"""What the feedback says for each signature a buggy case declares (grader.checks.diagnose)."""
ANY_CAUSE = re.compile("|".join(f"(?:{c})" for c in CAUSES.values()))


@pytest.mark.parametrize("case", [c for c in CASES if c.kind == "buggy"],
                         ids=[c.name for c in CASES if c.kind == "buggy"])
def test_feedback_names_the_likely_cause(case, graded):
    """A difference with a clear signature is named in the message of a test that lost points; a
    bug without one gets no guess."""
    messages = [t["output"] for _, _, t in harness.losses(graded[case.sid], GROUP_OF)]
    signature = case.spec["signature"]
    if signature == "none":
        guesses = [m for m in messages if ANY_CAUSE.search(m)]
        assert not guesses, f"{case.sid} has no clear signature, yet the feedback guesses:\n" + "\n".join(guesses)
    else:
        assert any(re.search(CAUSES[signature], m) for m in messages), (
            f"{case.sid} ({signature}): no message names it:\n" + "\n".join(messages))
