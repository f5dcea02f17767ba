"""The development corpus of USC CSCI-567's assignment (tests/corpus/usc-csci567/, see README.md there),
graded for real the way its students hand in: neural_networks.py and utils.py at the top of a zip (no
folder), or the files uploaded loose (a folder). All the cases, the bare hand-out and the reference
go through one `grade <folder> --assignment grader/assignments/usc-csci567 --jobs 2` batch.

Verdicts are checked per [points] group as for the default assignment's corpus: correct cases get
full marks, buggy ones lose points only in their groups (and, where case.toml lists `tests`, only in
those tests) and do lose some, empty and forging ones score no more than the skeleton.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from grader.assignment import load_assignment

_spec = importlib.util.spec_from_file_location("corpus_group_harness", Path(__file__).with_name("harness.py"))
harness = sys.modules.setdefault("corpus_group_harness", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(harness)

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "usc-csci567"
ASSIGNMENT = load_assignment(REPO / "grader" / "assignments" / "usc-csci567")
HANDOUT = ASSIGNMENT.skeleton_dir
KINDS = harness.KINDS
STUDENT_FILE, GIVEN_FILE = "neural_networks.py", "utils.py"
BANNERS = re.compile(r"\s*# (TODO:|NOTE: DO NOT MODIFY CODE BELOW THIS)")
CHANGED_UTILS = "\nprint('utils.py loaded')  # a student's debugging line\n"
NOTES = {"changed": "your utils.py differs from the hand-out's", "missing": "utils.py was missing"}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
BATCH_TIMEOUT_S = 3600
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
GROUP_OF = {test: group for group, tests in ASSIGNMENT.point_groups.items() for test in tests}


CASES = harness.load_cases(CORPUS)


def _code(case) -> str:
    return case.files((STUDENT_FILE,))[STUDENT_FILE]


# --- building and grading the batch -----------------------------------------------------------------

def _files(code: str, utils: str) -> dict[str, str]:
    """What the student hands in: their neural_networks.py and utils.py as the case says."""
    given = (HANDOUT / GIVEN_FILE).read_text(encoding="utf-8")
    files = {STUDENT_FILE: code}
    if utils != "missing":
        files[GIVEN_FILE] = given + (CHANGED_UTILS if utils == "changed" else "")
    return files


def _pack(dest: Path, sid: str, files: dict[str, str], packing: str) -> None:
    """<sid>.zip with the files at its top, or a folder <sid>/ of the files loose."""
    if packing == "loose":
        (dest / sid).mkdir()
        for name, text in files.items():
            (dest / sid / name).write_text(text, encoding="utf-8")
        return
    with zipfile.ZipFile(dest / f"{sid}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in sorted(files.items()):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.external_attr, info.compress_type = 0o100644 << 16, zipfile.ZIP_DEFLATED
            zf.writestr(info, text)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    """Student id -> results.json of one real `grade` batch over every case, the skeleton and the reference."""
    base = tmp_path_factory.mktemp("corpus-usc")
    subs, out = base / "submissions", base / "out"
    subs.mkdir()
    handins = {case.sid: (_code(case), case.spec.get("utils", "handout"), case.spec.get("packing", "zip"))
               for case in CASES}
    handins["handout-skeleton"] = ((HANDOUT / STUDENT_FILE).read_text(encoding="utf-8"), "handout", "zip")
    handins["handout-reference"] = ((ASSIGNMENT.reference_code / STUDENT_FILE).read_text(encoding="utf-8"),
                                    "handout", "loose")
    for sid, (code, utils, packing) in handins.items():
        _pack(subs, sid, _files(code, utils), packing)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "grader.grade", str(subs), "--assignment", str(ASSIGNMENT.root),
                           "--jobs", "2", "--out", str(out)],
                          capture_output=True, text=True, env=ENV, timeout=BATCH_TIMEOUT_S)
    print(f"\ncorpus batch: {len(handins)} submissions graded in {time.monotonic() - start:.0f} s")
    assert proc.returncode in (0, 1), proc.stdout[-2000:] + proc.stderr[-2000:]  # 1: the grader failed on some
    return {sid: json.loads((out / sid / "results.json").read_text(encoding="utf-8")) for sid in handins}


# --- the checks ---------------------------------------------------------------------------------------

def _banners(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if BANNERS.match(line)]


def test_cases_are_declared_well():
    """Each case folder: the student's neural_networks.py (the hand-out's banners kept) and a case.toml
    whose keys fit its kind; the course's listed bug classes are all there."""
    counts = {kind: sum(c.kind == kind for c in CASES) for kind in KINDS}
    assert counts["correct"] >= 6 and counts["buggy"] >= 8 and counts["empty"] >= 2, counts
    handout = _banners((HANDOUT / STUDENT_FILE).read_text(encoding="utf-8"))
    for case in CASES:
        assert sorted(p.name for p in case.folder.iterdir()) == ["case.toml", STUDENT_FILE], case.sid
        assert _banners(_code(case)) == handout, f"{case.sid}: the hand-out's TODO/NOTE banners are not all kept"
        keys = {"correct": {"description"}, "buggy": {"description", "groups", "tests", "breaks_training", "signature"},
                "empty": {"description", "expect"}}[case.kind]
        extra = set(case.spec) - keys - {"packing", "utils"}
        assert keys <= set(case.spec) and not extra, f"{case.sid}: case.toml keys {sorted(case.spec)}"
        assert case.spec.get("packing", "zip") in ("zip", "loose") and case.spec.get("utils", "handout") in (
            "handout", "changed", "missing"), case.sid
        if case.kind == "buggy":
            groups, tests = set(case.spec["groups"]), set(case.spec["tests"])
            assert groups and groups <= set(ASSIGNMENT.point_groups), f"{case.sid}: groups {sorted(groups)}"
            assert tests and {GROUP_OF.get(t) for t in tests} <= groups, f"{case.sid}: tests {sorted(tests)}"
            assert case.spec["breaks_training"] is False, f"{case.sid}: main's runs use trusted modules"
            assert harness.SIGNATURE.fullmatch(case.spec["signature"]), f"{case.sid}: {case.spec['signature']!r}"
    packings = {c.spec.get("packing", "zip") for c in CASES}
    utils = {c.spec.get("utils", "handout") for c in CASES}
    assert packings == {"zip", "loose"} and utils == {"handout", "changed", "missing"}
    names = {c.name for c in CASES if c.kind == "buggy"}
    assert {"momentum_not_stored", "no_momentum_drops_lambda", "momentum_name_error", "main_activation_output",
            "init_left_raising", "np_ones_typeerror", "tanh_backward_times_X", "bias_vector"} <= names


def test_reference_gets_full_marks(graded):
    results = graded["handout-reference"]
    harness.graded_or_fail(results, "reference")
    if not results["score"] == harness.max_score(results) == ASSIGNMENT.max_score:
        pytest.fail(f"the reference scored {results['score']:g}:\n"
                    f"{harness.describe(harness.losses(results, GROUP_OF))}", pytrace=False)


def test_skeleton_scores_nothing(graded):
    results = graded["handout-skeleton"]
    harness.graded_or_fail(results, "skeleton")
    assert results["score"] == 0, harness.describe(harness.losses(results, GROUP_OF))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}/{c.name}" for c in CASES])
def test_case_verdict(case, graded):
    results = graded[case.sid]
    harness.graded_or_fail(results, case.sid)
    note = NOTES.get(case.spec.get("utils", "handout"))
    if note and note not in results.get("output", ""):
        pytest.fail(f"{case.sid}: no note saying {note!r} in:\n{results.get('output', '')}", pytrace=False)
    harness.check_verdict(case, results, graded["handout-skeleton"]["score"], GROUP_OF,
                          lambda group, test: test in case.spec.get("tests", ()), str(case.spec.get("tests")))
