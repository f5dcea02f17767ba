"""A stand-in for the engine (grader.plugin.run_hidden_tests), run as the `grade` program.

It never imports student code: each points-table entry `test_<stem>` passes when codes/<stem>.py
contains the word CORRECT. Markers let a test provoke the other paths: HANG (the grading process
hangs), CRASH (it dies), BUG (the grader raises); ACC=<n> records the leaderboard figure
"accuracy (%)" = n on the first test. Usage: python fake_engine.py <grade arguments>.
"""
import os
import re
import sys
import time
from pathlib import Path

from grader import batch, run
from grader.results import FAILED, PASSED, Outcome


def fake_run_hidden_tests(assignment, sub, *, limits=None, sandbox=True):
    codes_dir = sub.code_dir
    text = "".join(p.read_text() for p in sorted(Path(codes_dir).glob("*.py")))
    if "HANG" in text:
        time.sleep(600)
    if "CRASH" in text:
        os._exit(9)
    if "BUG" in text:
        raise RuntimeError("grader bug")
    outcomes = []
    accuracy = re.search(r"ACC=([\d.]+)", text)
    for test, points in assignment.points.items():
        source = Path(codes_dir) / (test.removeprefix("test_") + ".py")
        ok = source.is_file() and "CORRECT" in source.read_text()
        outcomes.append(Outcome(test, f"{test} works", PASSED if ok else FAILED, points if ok else 0.0,
                                points, "" if ok else f"{source.name} is wrong", "assert 1 == 2",
                                visibility="visible",
                                leaderboard=(("accuracy (%)", float(accuracy[1]), "desc"),) if accuracy and not outcomes
                                else ()))
    notes = [f"limits: timeout {limits.call_timeout_s:g} s, memory {limits.memory_mb} MB"]
    if os.environ.get("FAKE_ENGINE_SAYS_PID"):  # only where a test asks: a pid differs from run to run
        notes.append(f"graded by process {os.getpid()}")
    return outcomes, notes, {}


if __name__ == "__main__":
    run.run_hidden_tests = fake_run_hidden_tests
    batch.LAUNCHER = (sys.executable, os.path.abspath(__file__))
    from grader.cli import grade_main

    sys.exit(grade_main())
