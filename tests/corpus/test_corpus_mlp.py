"""The development corpus of the default assignment (tests/corpus/mlp/, see README.md there), graded
for real: every case becomes a submission zip (codes/ = the hand-out's codes overlaid with the case's
files, summary.txt from the hand-out's analyzer, a Report.md), and all of them, plus the bare skeleton
and the reference, go through one `grade <folder> --jobs 2` batch.

Verdicts are checked per [points] group, never per test name: correct cases get full marks (bonus
included), buggy ones lose points only in the groups their case.toml names (and in the accuracy group
when it says breaks_training) and do lose some, empty and forging ones score no more than the skeleton.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.assignment import load_assignment

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "mlp"
HANDOUT = REPO / "skeleton"
REFERENCE_CODES = REPO / "reference" / "codes"
KINDS = ("correct", "buggy", "empty")
STUDENT_FILES = ("layers.py", "loss.py")
ACCURACY_GROUP = "MNIST test accuracy"
"""The accuracy group's name starts with this ("MNIST test accuracy: full points from 95%, ...")."""
SIGNATURE = re.compile(r"none|factor:\S+|transposed|sign-region|wrong-axis|offset|overflow")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
BATCH_TIMEOUT_S = 3600
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


@dataclass(frozen=True)
class Case:
    kind: str
    name: str
    folder: Path
    spec: dict

    @property
    def sid(self) -> str:
        return f"{self.kind}-{self.name}"

    def files(self) -> dict[str, str]:
        return {n: (self.folder / n).read_text(encoding="utf-8") for n in STUDENT_FILES if (self.folder / n).is_file()}


def load_cases() -> list[Case]:
    cases = []
    for kind in KINDS:
        for folder in sorted(p for p in (CORPUS / kind).iterdir() if p.is_dir()):
            spec = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
            cases.append(Case(kind, folder.name, folder, spec))
    return cases


CASES = load_cases()
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
    overlays = {case.sid: case.files() for case in CASES}
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


# --- reading results.json -----------------------------------------------------------------------------

def _tests(results: dict) -> list[dict]:
    return [t for t in results["tests"] if not t.get("extra_data", {}).get("synthetic")]


def _max_score(results: dict) -> float:
    return sum(t["max_score"] for t in _tests(results))


def _losses(results: dict) -> list[tuple[str, str, dict]]:
    """(group, test, the results.json test) for every test that lost points."""
    return [(GROUP_OF.get(t["extra_data"]["test"], "(no group)"), t["extra_data"]["test"], t)
            for t in _tests(results) if t["score"] < t["max_score"]]


def _describe(losses) -> str:
    return "\n".join(f"  [{group}] {test} {t['score']:g}/{t['max_score']:g} ({t['extra_data'].get('status')}): "
                     f"{' '.join(t['output'].split())[:300]}" for group, test, t in losses)


def _graded_or_fail(results: dict, sid: str) -> None:
    extra = results.get("extra_data", {})
    if extra.get("could_not_grade"):
        pytest.fail(f"{sid}: could not be graded: {extra.get('error')}", pytrace=False)


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
        assert set(extra) <= {"case.toml", *STUDENT_FILES} and case.files(), f"{case.sid}: {extra}"
        assert isinstance(case.spec.get("description"), str) and case.spec["description"], case.sid
        for name, text in case.files().items():  # the hand-out's TODO markers, all kept
            assert _markers(text) == _markers((HANDOUT / "codes" / name).read_text(encoding="utf-8")), (
                f"{case.sid}: {name} does not keep the hand-out's TODO START/END markers")
        keys = {"correct": {"description"}, "buggy": {"description", "groups", "breaks_training", "signature"},
                "empty": {"description", "expect"}}[case.kind]
        assert set(case.spec) == keys, f"{case.sid}: case.toml keys {sorted(case.spec)}, expected {sorted(keys)}"
        if case.kind == "buggy":
            unknown = set(case.spec["groups"]) - set(ASSIGNMENT.point_groups)
            assert case.spec["groups"] and not unknown, f"{case.sid}: unknown groups {sorted(unknown)}"
            assert isinstance(case.spec["breaks_training"], bool), case.sid
            assert SIGNATURE.fullmatch(case.spec["signature"]), f"{case.sid}: signature {case.spec['signature']!r}"
        if case.kind == "empty":
            assert case.spec["expect"] == "skeleton", case.sid


def test_reference_gets_full_marks(graded):
    results = graded["handout-reference"]
    _graded_or_fail(results, "reference")
    if not results["score"] == _max_score(results) > ASSIGNMENT.max_score:
        pytest.fail(f"the reference scored {results['score']:g}:\n{_describe(_losses(results))}", pytrace=False)


def test_skeleton_is_graded(graded):
    """The skeleton's score is what empty and forging cases are held to."""
    _graded_or_fail(graded["handout-skeleton"], "skeleton")


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}/{c.name}" for c in CASES])
def test_case_verdict(case, graded):
    results = graded[case.sid]
    _graded_or_fail(results, case.sid)
    what = f"{case.sid} ({case.spec['description']})"
    score, losses = results["score"], _losses(results)
    if case.kind == "correct":
        if score != _max_score(results):
            pytest.fail(f"{what} is correct but scored {score:g} of {_max_score(results):g}:\n{_describe(losses)}",
                        pytrace=False)
    elif case.kind == "buggy":
        allowed = set(case.spec["groups"]) | ({ACCURACY} if case.spec["breaks_training"] else set())
        outside = [loss for loss in losses if loss[0] not in allowed]
        if not losses:
            pytest.fail(f"{what} lost no points", pytrace=False)
        if outside:
            pytest.fail(f"{what} lost points outside {sorted(allowed)}:\n{_describe(outside)}", pytrace=False)
    else:
        skeleton = graded["handout-skeleton"]["score"]
        if score > skeleton:
            won = "\n".join(f"  [{GROUP_OF.get(t['extra_data']['test'], '(no group)')}] {t['extra_data']['test']} "
                            f"{t['score']:g}/{t['max_score']:g}" for t in _tests(results) if t["score"] > 0)
            pytest.fail(f"{what} scored {score:g}, the skeleton {skeleton:g}; its points:\n{won}", pytrace=False)


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
    messages = [t["output"] for _, _, t in _losses(graded[case.sid])]
    signature = case.spec["signature"]
    if signature == "none":
        guesses = [m for m in messages if ANY_CAUSE.search(m)]
        assert not guesses, f"{case.sid} has no clear signature, yet the feedback guesses:\n" + "\n".join(guesses)
    else:
        assert any(re.search(CAUSES[signature], m) for m in messages), (
            f"{case.sid} ({signature}): no message names it:\n" + "\n".join(messages))
