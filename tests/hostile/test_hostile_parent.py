"""Hostile bytes the trusted parent must survive: the grader's own static checks read student files
only through the analyzer's limited child, so deep nesting, a huge file or an odd encoding give
one clear failed rule, never a crash, a hang or gigabytes in the grader."""
import resource
import shutil
import time
from pathlib import Path

import pytest
from code_analyze.summary import analyze_dirs, render_summary

from grader.assignment import load_assignment
from grader.plugin import run_hidden_tests

REPO = Path(__file__).resolve().parents[2]
RULES = {"test_no_framework_imported", "test_todo_markers_unchanged", "test_summary_matches_code",
         "test_required_files_present"}
ASSIGNMENT = load_assignment()
LEAVE_OUT = frozenset(ASSIGNMENT.points) - RULES


def submission(tmp_path: Path, extra: dict[str, bytes] = {}, summary_before_extra: bool = True) -> Path:
    """The reference as a student's codes/, a summary.txt made BEFORE `extra` was written."""
    root = tmp_path / "sub"
    shutil.copytree(REPO / "reference" / "codes", root / "codes")
    if summary_before_extra:
        (root / "summary.txt").write_text(render_summary(analyze_dirs(ASSIGNMENT.pristine_dir, root / "codes")))
    for name, data in extra.items():
        (root / "codes" / name).write_bytes(data)
    return root / "codes"


def rules(code_dir: Path) -> dict[str, tuple[str, str]]:
    outcomes, _, _ = run_hidden_tests(ASSIGNMENT, code_dir, leave_out=LEAVE_OUT)
    return {o.test: (o.status, o.message) for o in outcomes}


@pytest.mark.parametrize("name, data", [
    ("nested.py", b"x = " + b"(" * 3000 + b")" * 3000 + b"\n"),  # 6 KB: LibCST segfaulted on this
    ("pairs.py", b"x = " + b"()" * 5000 + b"\n"),  # 10 KB of (): 19 s each in LibCST
    ("chain.py", b"x = a" + b"[0]" * 3000 + b"\n"),
    ("huge.py", b"# padding\n" * 250_000),  # 2.5 MB: 3.6 GB of LibCST memory
])
def test_hostile_source_is_a_failed_rule_not_a_crash(tmp_path, name, data):
    started, before = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    verdicts = rules(submission(tmp_path, {name: data}))
    status, message = verdicts["test_no_framework_imported"]
    assert status == "failed" and "could not be checked" in message and name in message
    assert verdicts["test_required_files_present"][0] == "passed"
    assert time.monotonic() - started < 120
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 500  # the parent never held a parse of it


def test_a_latin1_file_hiding_a_change_to_given_code_is_seen(tmp_path):
    """`# coding: latin-1` and one non-UTF-8 byte used to make the file 'not analysed' while the
    change took effect: now it is decoded as Python decodes it, and the stale summary fails."""
    layers = (REPO / "reference" / "codes" / "layers.py").read_text()
    changed = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + layers.replace(
        "    def _saved_for_backward(self, tensor):", "    def _saved_for_backward(self, tensor):  # changed", 1)
    verdicts = rules(submission(tmp_path, {"layers.py": changed.encode("latin-1")}))
    assert verdicts["test_summary_matches_code"][0] == "failed"
    assert verdicts["test_no_framework_imported"][0] == "passed"
