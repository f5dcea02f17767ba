"""What the corpus harnesses (test_corpus_*.py) share: the cases on disk, a submission as a zip, one
real `grade` batch over them, and the verdict rules, judged per [points] group (README.md).

Imported by the harnesses with this folder put on sys.path (pytest's importlib mode does not make
test folders importable); it holds no tests.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.assignment import Assignment

REPO = Path(__file__).resolve().parents[2]
KINDS = ("correct", "buggy", "empty")
SIGNATURE = re.compile(r"none|factor:\S+|transposed|sign-region|wrong-axis|offset|overflow")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
BATCH_TIMEOUT_S = 3600
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
KEYS = {"correct": {"description"}, "buggy": {"description", "groups", "breaks_training", "signature"},
        "empty": {"description", "expect"}}
"""case.toml's keys, by kind."""


@dataclass(frozen=True)
class Case:
    kind: str
    name: str
    folder: Path
    spec: dict

    @property
    def sid(self) -> str:
        return f"{self.kind}-{self.name}"


def load_cases(corpus: Path) -> list[Case]:
    """Every case folder under corpus/<kind>/, in kind then name order."""
    return [Case(kind, folder.name, folder, tomllib.loads((folder / "case.toml").read_text(encoding="utf-8")))
            for kind in KINDS for folder in sorted(p for p in (corpus / kind).iterdir() if p.is_dir())]


def write_zip(dest: Path, sid: str, files: dict[str, bytes]) -> None:
    """dest/<sid>.zip holding <sid>/<name> for each file, with fixed times and modes."""
    with zipfile.ZipFile(dest / f"{sid}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{sid}/{name}", ZIP_TIME)
            info.external_attr, info.compress_type = 0o100644 << 16, zipfile.ZIP_DEFLATED
            zf.writestr(info, files[name])


def grade_batch(zips: Path, out: Path, sids, assignment: Path | None = None) -> dict[str, dict]:
    """Student id -> results.json of one real `grade <zips> --jobs 2` batch (the command students' staff run)."""
    command = [sys.executable, "-m", "grader.grade", str(zips), "--jobs", "2", "--out", str(out)]
    if assignment is not None:
        command += ["--assignment", str(assignment)]
    start = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=BATCH_TIMEOUT_S)
    print(f"\ncorpus batch: {len(sids)} submissions graded in {time.monotonic() - start:.0f} s")
    assert proc.returncode in (0, 1), proc.stdout[-2000:] + proc.stderr[-2000:]  # 1: the grader failed on some
    return {sid: json.loads((out / sid / "results.json").read_text(encoding="utf-8")) for sid in sids}


class Judge:
    """The verdict rules for one assignment's corpus, per [points] group."""

    def __init__(self, assignment: Assignment, accuracy_prefix: str):
        self.assignment = assignment
        self.group_of = {test: group for group, tests in assignment.point_groups.items() for test in tests}
        self.accuracy = next(g for g in assignment.point_groups if g.startswith(accuracy_prefix))
        """The training group a buggy case may lose when its case.toml says breaks_training."""

    def check_spec(self, case: Case) -> None:
        """case.toml's keys fit the case's kind, and its groups and signature are known."""
        assert isinstance(case.spec.get("description"), str) and case.spec["description"], case.sid
        keys = KEYS[case.kind]
        assert set(case.spec) == keys, f"{case.sid}: case.toml keys {sorted(case.spec)}, expected {sorted(keys)}"
        if case.kind == "buggy":
            unknown = set(case.spec["groups"]) - set(self.assignment.point_groups)
            assert case.spec["groups"] and not unknown, f"{case.sid}: unknown groups {sorted(unknown)}"
            assert isinstance(case.spec["breaks_training"], bool), case.sid
            assert SIGNATURE.fullmatch(case.spec["signature"]), f"{case.sid}: signature {case.spec['signature']!r}"
        if case.kind == "empty":
            assert case.spec["expect"] == "skeleton", case.sid

    @staticmethod
    def tests(results: dict) -> list[dict]:
        return [t for t in results["tests"] if not t.get("extra_data", {}).get("synthetic")]

    def max_score(self, results: dict) -> float:
        return sum(t["max_score"] for t in self.tests(results))

    def losses(self, results: dict) -> list[tuple[str, str, dict]]:
        """(group, test, the results.json test) for every test that lost points."""
        return [(self.group_of.get(t["extra_data"]["test"], "(no group)"), t["extra_data"]["test"], t)
                for t in self.tests(results) if t["score"] < t["max_score"]]

    @staticmethod
    def describe(losses) -> str:
        return "\n".join(f"  [{group}] {test} {t['score']:g}/{t['max_score']:g} ({t['extra_data'].get('status')}): "
                         f"{' '.join(t['output'].split())[:300]}" for group, test, t in losses)

    @staticmethod
    def graded_or_fail(results: dict, sid: str) -> None:
        extra = results.get("extra_data", {})
        if extra.get("could_not_grade"):
            pytest.fail(f"{sid}: could not be graded: {extra.get('error')}", pytrace=False)

    def verdict(self, case: Case, results: dict, skeleton_score: float) -> None:
        """correct: full marks; buggy: loses points, and only in its groups; empty: no more than the skeleton."""
        self.graded_or_fail(results, case.sid)
        what = f"{case.sid} ({case.spec['description']})"
        score, losses = results["score"], self.losses(results)
        if case.kind == "correct":
            if score != self.max_score(results):
                pytest.fail(f"{what} is correct but scored {score:g} of {self.max_score(results):g}:\n"
                            f"{self.describe(losses)}", pytrace=False)
        elif case.kind == "buggy":
            allowed = set(case.spec["groups"]) | ({self.accuracy} if case.spec["breaks_training"] else set())
            outside = [loss for loss in losses if loss[0] not in allowed]
            if not losses:
                pytest.fail(f"{what} lost no points", pytrace=False)
            if outside:
                pytest.fail(f"{what} lost points outside {sorted(allowed)}:\n{self.describe(outside)}", pytrace=False)
        elif score > skeleton_score:
            won = "\n".join(f"  [{self.group_of.get(t['extra_data']['test'], '(no group)')}] {t['extra_data']['test']} "
                            f"{t['score']:g}/{t['max_score']:g}" for t in self.tests(results) if t["score"] > 0)
            pytest.fail(f"{what} scored {score:g}, the skeleton {skeleton_score:g}; its points:\n{won}", pytrace=False)
