"""The development corpus of the Montreal MLP (tests/corpus/montreal-mlp/, described in
tests/corpus/README.md), graded for real: each case is a flat submission zip (<id>/mlp.py, or
<id>/mlp.ipynb for a notebook), and all of them, with the bare skeleton and the reference, go
through one `grade <folder> --jobs 2 --assignment grader/assignments/montreal-mlp` batch.

Verdicts are checked per [points] group of the folder's assignment.toml: correct cases get full
marks, buggy ones lose points only in the groups their case.toml names (and in the MNIST group when
it says breaks_training) and do lose some, empty and forging ones score no more than the skeleton.
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
from pathlib import Path

import pytest

from grader.assignment import load_assignment

REPO = Path(__file__).resolve().parents[2]
FOLDER = REPO / "grader" / "assignments" / "montreal-mlp"
CORPUS = Path(__file__).resolve().parent / "montreal-mlp"
ASSIGNMENT = load_assignment(FOLDER)
GROUP_OF = {test: group for group, tests in ASSIGNMENT.point_groups.items() for test in tests}
TRAINING = next(group for group in ASSIGNMENT.point_groups if group.startswith("MNIST"))
KEYS = {"correct": {"description"}, "buggy": {"description", "groups", "breaks_training", "signature"},
        "empty": {"description", "expect"}}
SIGNATURE = re.compile(r"none|factor:\S+|transposed|sign-region|wrong-axis|offset|overflow")
STUDENT_FILES = ("mlp.py", "mlp.ipynb")
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def cases() -> list[tuple[str, Path, dict]]:
    """(id, folder, case.toml) of every case, as <kind>-<name>."""
    found = []
    for kind in KEYS:
        for folder in sorted(p for p in (CORPUS / kind).iterdir() if p.is_dir()):
            found.append((f"{kind}-{folder.name}", folder, tomllib.loads((folder / "case.toml").read_text())))
    return found


CASES = cases()


def write_zip(zips: Path, sid: str, files: dict[str, bytes]) -> None:
    """<sid>.zip holding <sid>/<file> for each file (fixed time stamps)."""
    with zipfile.ZipFile(zips / f"{sid}.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            zf.writestr(zipfile.ZipInfo(f"{sid}/{name}", (1980, 1, 1, 0, 0, 0)), data)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, dict]:
    """Id -> results.json of one real batch over every case, the skeleton and the reference."""
    base = tmp_path_factory.mktemp("montreal-corpus")
    zips, out = base / "zips", base / "out"
    zips.mkdir()
    for sid, folder, _ in CASES:
        write_zip(zips, sid, {n: (folder / n).read_bytes() for n in STUDENT_FILES if (folder / n).is_file()})
    for sid, tree in (("handout-skeleton", ASSIGNMENT.skeleton_dir), ("handout-reference", ASSIGNMENT.reference_dir)):
        write_zip(zips, sid, {"mlp.py": (tree / "mlp.py").read_bytes()})
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "grader.grade", str(zips), "--jobs", "2", "--assignment", str(FOLDER),
                           "--out", str(out)], capture_output=True, text=True, env=ENV, timeout=1800)
    print(f"\nmontreal corpus: {len(CASES) + 2} submissions graded in {time.monotonic() - start:.0f} s")
    assert proc.returncode in (0, 1), proc.stdout[-2000:] + proc.stderr[-2000:]
    return {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/results.json")}


def lost(results: dict) -> list[tuple[str, dict]]:
    """(group, test) of every test that scored less than its maximum."""
    return [(GROUP_OF.get(t["extra_data"]["test"], "(no group)"), t) for t in results["tests"]
            if not t.get("extra_data", {}).get("synthetic") and t["score"] < t["max_score"]]


def listing(losses) -> str:
    return "\n".join(f"  [{group}] {t['extra_data']['test']} {t['score']:g}/{t['max_score']:g}: "
                     f"{' '.join(t['output'].split())[:300]}" for group, t in losses)


def result_of(graded, sid: str) -> dict:
    results = graded.get(sid)
    if results is None or results.get("extra_data", {}).get("could_not_grade"):
        pytest.fail(f"{sid}: not graded: {results and results['extra_data'].get('error')}", pytrace=False)
    return results


def test_cases_are_declared_well():
    kinds = [sid.split("-")[0] for sid, _, _ in CASES]
    assert kinds.count("correct") >= 6 and kinds.count("buggy") >= 8 and kinds.count("empty") >= 2
    for sid, folder, spec in CASES:
        kind = sid.split("-")[0]
        assert set(spec) == KEYS[kind], f"{sid}: case.toml keys {sorted(spec)}"
        files = sorted(p.name for p in folder.iterdir() if p.name != "case.toml")
        assert len(files) == 1 and files[0] in STUDENT_FILES, f"{sid}: {files}"
        if kind == "buggy":
            assert spec["groups"] and set(spec["groups"]) <= set(ASSIGNMENT.point_groups), sid
            assert isinstance(spec["breaks_training"], bool) and SIGNATURE.fullmatch(spec["signature"]), sid


def test_reference_full_marks_and_skeleton_zero(graded):
    reference, skeleton = result_of(graded, "handout-reference"), result_of(graded, "handout-skeleton")
    assert reference["score"] == ASSIGNMENT.max_score, listing(lost(reference))
    assert skeleton["score"] == 0


@pytest.mark.parametrize("sid", [sid for sid, _, _ in CASES])
def test_case_verdict(sid, graded):
    spec = next(spec for s, _, spec in CASES if s == sid)
    results = result_of(graded, sid)
    what, losses = f"{sid} ({spec['description']})", lost(results)
    if sid.startswith("correct-"):
        assert not losses, f"{what} is correct but lost points:\n{listing(losses)}"
    elif sid.startswith("buggy-"):
        allowed = set(spec["groups"]) | ({TRAINING} if spec["breaks_training"] else set())
        assert losses, f"{what} lost no points"
        outside = [(group, t) for group, t in losses if group not in allowed]
        assert not outside, f"{what} lost points outside {sorted(allowed)}:\n{listing(outside)}"
    else:
        skeleton = graded["handout-skeleton"]["score"]
        assert results["score"] <= skeleton, f"{what} scored {results['score']:g}, the skeleton {skeleton:g}"
