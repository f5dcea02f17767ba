"""The development corpus of VU DL A1 (tests/corpus/vu-dl-a1/, see README.md), graded for real:
every case becomes a flat submission zip (its scalar and tensor files, .py or .ipynb; a correct or
buggy case that brings only one of them gets the reference's other; a report.pdf), and all of them,
plus the bare skeleton and the reference, go through one `grade --assignment ... --jobs 2` batch.

Verdicts are checked per [points] group, as for the default assignment: correct cases get full
marks, buggy ones lose points only in the groups their case.toml names (and in the two training
groups when it says breaks_training) and do lose some, empty and forging ones score no more than
the skeleton."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.assignment import load_assignment

REPO = Path(__file__).resolve().parents[2]
FOLDER = REPO / "grader" / "assignments" / "vu-dl-a1"
CORPUS = Path(__file__).resolve().parent / "vu-dl-a1"
KINDS = ("correct", "buggy", "empty")
MODULES = ("scalar", "tensor")
TRAINING_GROUPS = ("scalar.py:train", "tensor.py:train")
SIGNATURE = r"none|factor:\S+|transposed|sign-region|wrong-axis|offset|overflow"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
ASSIGNMENT = load_assignment(FOLDER)
GROUP_OF = {test: group for group, tests in ASSIGNMENT.point_groups.items() for test in tests}


@dataclass(frozen=True)
class Case:
    kind: str
    name: str
    folder: Path
    spec: dict

    @property
    def sid(self) -> str:
        return f"{self.kind}-{self.name}"

    def files(self) -> dict[str, bytes]:
        """The student's files; a correct or buggy case's missing module is the reference's."""
        found = {p.name: p.read_bytes() for p in sorted(self.folder.iterdir()) if p.suffix in (".py", ".ipynb")}
        for module in MODULES:
            if self.kind != "empty" and not {f"{module}.py", f"{module}.ipynb"} & set(found):
                found[f"{module}.py"] = (ASSIGNMENT.reference_dir / f"{module}.py").read_bytes()
        return found


CASES = [Case(kind, p.name, p, tomllib.loads((p / "case.toml").read_text(encoding="utf-8")))
         for kind in KINDS for p in sorted((CORPUS / kind).iterdir()) if p.is_dir()]


def _zip(sid: str, files: dict[str, bytes], dest: Path) -> None:
    with zipfile.ZipFile(dest / f"{sid}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted({**files, "report.pdf": b"%PDF-1.4\n% a case of tests/corpus/vu-dl-a1\n"}.items()):
            info = zipfile.ZipInfo(f"{sid}/{name}", ZIP_TIME)
            info.external_attr, info.compress_type = 0o100644 << 16, zipfile.ZIP_DEFLATED
            zf.writestr(info, data)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    """Student id -> results.json of one real `grade` batch over every case, the skeleton and the reference."""
    base = tmp_path_factory.mktemp("corpus-vu")
    zips, out = base / "zips", base / "out"
    zips.mkdir()
    trees = {case.sid: case.files() for case in CASES}
    for sid, folder in (("handout-skeleton", ASSIGNMENT.skeleton_dir), ("handout-reference", ASSIGNMENT.reference_dir)):
        trees[sid] = {f"{m}.py": (folder / f"{m}.py").read_bytes() for m in MODULES}
    for sid, files in trees.items():
        _zip(sid, files, zips)
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "grader.grade", str(zips), "--assignment", str(FOLDER),
                           "--jobs", "2", "--out", str(out)], capture_output=True, text=True, env=ENV, timeout=1800)
    print(f"\nvu-dl-a1 corpus batch: {len(trees)} submissions graded in {time.monotonic() - start:.0f} s")
    assert proc.returncode in (0, 1), proc.stdout[-2000:] + proc.stderr[-2000:]
    return {sid: json.loads((out / sid / "results.json").read_text(encoding="utf-8")) for sid in trees}


def _tests(results: dict) -> list[dict]:
    return [t for t in results["tests"] if not t.get("extra_data", {}).get("synthetic")]


def _losses(results: dict) -> list[tuple[str, str, dict]]:
    return [(GROUP_OF.get(t["extra_data"]["test"], "(no group)"), t["extra_data"]["test"], t)
            for t in _tests(results) if t["score"] < t["max_score"]]


def _describe(losses) -> str:
    return "\n".join(f"  [{group}] {test} {t['score']:g}/{t['max_score']:g}: {' '.join(t['output'].split())[:300]}"
                     for group, test, t in losses)


def _graded(results: dict, sid: str) -> None:
    if results.get("extra_data", {}).get("could_not_grade"):
        pytest.fail(f"{sid}: could not be graded: {results['extra_data'].get('error')}", pytrace=False)


def test_cases_are_declared_well():
    """Enough cases of each kind, each with its student files and a case.toml whose keys fit its kind."""
    counts = {kind: sum(c.kind == kind for c in CASES) for kind in KINDS}
    assert counts["correct"] >= 6 and counts["buggy"] >= 8 and counts["empty"] >= 2, counts
    for case in CASES:
        names = {p.name for p in case.folder.iterdir()}
        assert names - {"case.toml"} <= {f"{m}{s}" for m in MODULES for s in (".py", ".ipynb")}, case.sid
        keys = {"correct": {"description"}, "buggy": {"description", "groups", "breaks_training", "signature"},
                "empty": {"description", "expect"}}[case.kind]
        assert set(case.spec) == keys, f"{case.sid}: case.toml keys {sorted(case.spec)}, expected {sorted(keys)}"
        if case.kind == "buggy":
            assert case.spec["groups"] and set(case.spec["groups"]) <= set(ASSIGNMENT.point_groups), case.sid
            assert __import__("re").fullmatch(SIGNATURE, case.spec["signature"]), case.sid


def test_reference_full_and_skeleton_zero(graded):
    reference, skeleton = graded["handout-reference"], graded["handout-skeleton"]
    _graded(reference, "reference")
    _graded(skeleton, "skeleton")
    assert reference["score"] == ASSIGNMENT.max_score, _describe(_losses(reference))
    assert skeleton["score"] == 0


@pytest.mark.parametrize("case", CASES, ids=[f"{c.kind}/{c.name}" for c in CASES])
def test_case_verdict(case, graded):
    results = graded[case.sid]
    _graded(results, case.sid)
    what = f"{case.sid} ({case.spec['description']})"
    score, losses = results["score"], _losses(results)
    if case.kind == "correct":
        if score != ASSIGNMENT.max_score:
            pytest.fail(f"{what} is correct but scored {score:g}:\n{_describe(losses)}", pytrace=False)
    elif case.kind == "buggy":
        allowed = set(case.spec["groups"]) | (set(TRAINING_GROUPS) if case.spec["breaks_training"] else set())
        outside = [loss for loss in losses if loss[0] not in allowed]
        if not losses:
            pytest.fail(f"{what} lost no points", pytrace=False)
        if outside:
            pytest.fail(f"{what} lost points outside {sorted(allowed)}:\n{_describe(outside)}", pytrace=False)
    elif score > graded["handout-skeleton"]["score"]:
        won = "\n".join(f"  [{GROUP_OF.get(t['extra_data']['test'])}] {t['extra_data']['test']} {t['score']:g}"
                        for t in _tests(results) if t["score"] > 0)
        pytest.fail(f"{what} scored {score:g}, more than the skeleton:\n{won}", pytrace=False)
