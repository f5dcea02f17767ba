"""Hostile student files: limits decided before any parser runs, the JSON entry point the grader
calls, and the limited child process that keeps the grader alive whatever happens."""
from __future__ import annotations

import ast
import json
import os
import pathlib
import subprocess
import sys

import pytest

from code_analyze import limited, visitors
from code_analyze.limited import run_verify_limited
from code_analyze.scan import scan
from code_analyze.source import MAX_BRACKETS, MAX_CHAIN, MAX_FILE_BYTES
from code_analyze.verify import verify_submission

REPO = pathlib.Path(__file__).resolve().parents[2]
# Each crashes LibCST (the first) or keeps it busy for seconds (the others; Python's own parser
# accepts all but the first); in layers.py, whose blocks make the analyzer want a syntax tree.
HOSTILE = {
    "nested": "x = " + "(" * 3000 + ")" * 3000,  # 6 KB: LibCST segfaults
    "calls": "x = f" + "()" * 5000,  # 10 KB of (): 19 s
    "subscripts": "x = a" + "[0]" * 2900,  # Python accepts it; LibCST takes ~15 s
    "f-string": 'x = f"{a' + "[0]" * 2900 + '}"',  # the same, inside a string
}
REASON = {
    "nested": f"brackets nested over {MAX_BRACKETS} deep (line 1); not analysed, simplify that code",
    "calls": f"over {MAX_CHAIN} operations chained in one expression (line 1); not analysed, "
             "split that expression",
}
REASON["subscripts"] = REASON["f-string"] = REASON["calls"]


@pytest.fixture
def parsers(monkeypatch) -> list[str]:
    """Every text LibCST or Python's parser is given, recorded (and still parsed)."""
    seen: list[str] = []
    libcst_parse, python_parse = visitors.cst.parse_module, ast.parse

    def record(parse):
        return lambda text, *args, **kwargs: seen.append(text) or parse(text, *args, **kwargs)

    monkeypatch.setattr(visitors.cst, "parse_module", record(libcst_parse))
    monkeypatch.setattr(ast, "parse", record(python_parse))
    return seen


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_file_is_refused_before_any_parser_sees_it(handout, parsers, kind):
    handout.write("layers.py", HOSTILE[kind] + "\n" + handout.fill("layers.py"))
    report = verify_submission(handout.origin, handout.target, None)
    assert not report.matches
    assert f"layers.py: {REASON[kind]}" in report.problems
    assert f"\n# ../codes/layers.py: {REASON[kind]}\n\n" in report.regenerated
    assert "# ../codes/loss.py:1\n        return np.sum(" in report.regenerated  # the rest is read
    assert not any(HOSTILE[kind] in text for text in parsers)
    layers = next(facts for facts in report.files if facts.name == "layers.py")
    assert (layers.readable, layers.parses, layers.reason) == (False, False, REASON[kind])


def test_huge_file_is_refused_without_being_read(handout, monkeypatch):
    big = "x = 1\n" * 400_000  # 2.4 MB: 3.6 GB in LibCST
    handout.write("layers.py", big)
    handout.write("helpers.py", big)
    read = pathlib.Path.read_bytes

    def guarded(path):
        assert path.stat().st_size <= MAX_FILE_BYTES, f"{path} was read"
        return read(path)

    monkeypatch.setattr(pathlib.Path, "read_bytes", guarded)
    report = verify_submission(handout.origin, handout.target, None)
    reason = f"larger than {MAX_FILE_BYTES // 1024} KiB ({len(big)} bytes); not analysed"
    assert not report.matches
    assert report.problems[1:] == [f"layers.py: {reason}", f"helpers.py: {reason}"]
    assert f"\n# ../codes/layers.py: {reason}\n\n" in report.regenerated


def test_special_files_are_refused_without_waiting_on_them(handout):
    (handout.target / "layers.py").unlink()
    os.mkfifo(handout.target / "layers.py")  # reading it would block until someone writes
    os.mkfifo(handout.target / "pipe.py")
    report = verify_submission(handout.origin, handout.target, None)
    assert report.problems[1:] == ["layers.py: not a regular file; not analysed",
                                   "pipe.py: not a regular file; not analysed"]


def test_limits_leave_real_code_far_below_them():
    for path in [*(REPO / "reference" / "codes").glob("*.py"), *(REPO / "grader").rglob("*.py")]:
        layout = scan(path.read_text(encoding="utf-8"))
        assert layout.brackets[0] <= MAX_BRACKETS // 10 and layout.chain[0] <= MAX_CHAIN // 2, path


def test_json_entry_point_gives_the_code_rules_their_facts(handout, tmp_path):
    handout.write("layers.py", handout.fill("layers.py").replace(
        "import numpy as np\n",
        "import numpy as np\nimport os.path as p\nfrom . import utils\nfrom .loss import MSELoss\n"
        "def sneaky():\n    import torch.nn as nn\n    from tensorflow import keras\n"
        "    jax = __import__('jax')\n    il = importlib.import_module('sklearn.linear_model')\n"
        "    return importlib.import_module(name='mxnet'), __import__(name)\n"))
    handout.write("helpers.py", "def f(:\n")
    handout.write("notes.txt", b"\xff")  # not Python: not a file the code rules read
    summary = tmp_path / "summary.txt"
    summary.write_text(handout.summary(), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "code_analyze.verify", "--pristine", str(handout.origin),
                          "--codes", str(handout.target), "--summary", str(summary), "--json"],
                         capture_output=True, timeout=60)
    assert run.returncode == 0 and run.stderr == b""
    assert run.stdout.isascii()
    report = json.loads(run.stdout)
    assert sorted(report) == ["files", "marker_problems", "matches", "problems", "regenerated"]
    assert (report["matches"], report["problems"], report["marker_problems"]) == (True, [], [])
    assert report["regenerated"] == handout.summary()
    assert list(report["files"]) == ["helpers.py", "layers.py", "loss.py", "run_mlp.py"]
    assert report["files"]["layers.py"] == {
        "readable": True, "parses": True, "reason": None,
        "imports": ["jax", "mxnet", "numpy", "os.path", "sklearn.linear_model", "tensorflow",
                    "torch.nn"]}
    helpers = report["files"]["helpers.py"]
    assert (helpers["readable"], helpers["parses"], helpers["imports"]) == (True, False, [])
    assert helpers["reason"].startswith("does not parse (line 1: ")


def test_limited_child_reports_hostile_files_by_name(handout):
    for kind, text in HOSTILE.items():
        handout.write(f"{kind.replace('-', '_')}.py", text + "\n")
    handout.write("layers.py", HOSTILE["nested"] + "\n")
    report = run_verify_limited(handout.origin, handout.target, timeout_s=60)
    assert report["matches"] is False
    assert report["problems"][1:] == [f"layers.py: {REASON['nested']}"] + [
        f"{kind.replace('-', '_')}.py: {REASON[kind]}" for kind in sorted(HOSTILE)]
    assert report["files"]["loss.py"]["parses"] is True


def test_limited_child_turns_running_out_of_limits_into_one_problem(handout):
    # Within the analyzer's limits yet slow for LibCST (seconds): the wall clock ends it.
    chains = ("y = a" + "[0]" * 30 + "\n") * 2500
    handout.write("layers.py", handout.fill("layers.py") + "\n" + chains)
    assert len(chains) < MAX_FILE_BYTES
    report = run_verify_limited(handout.origin, handout.target, timeout_s=1)
    assert report == limited.failed(
        "the code check of codes/ did not finish within 1 s; a file there is too large or too "
        "complex to analyse: simplify it")
    # Memory: the child cannot even import what it needs.
    report = run_verify_limited(handout.origin, handout.target, memory_mb=20)
    assert report == limited.failed(
        "the code check of codes/ stopped: out of memory; a file there is too large or too "
        "complex to analyse: simplify it")


@pytest.mark.parametrize("returncode, stderr, why", [
    (-11, b"", "killed by signal SIGSEGV"),
    (-24, b"", "over its CPU time"),
    (1, b"Traceback ...\nMemoryError\n", "out of memory"),
    (1, b"Traceback ...\nValueError: \x1b[2Jbad\n", "exit status 1 (ValueError: ?[2Jbad)"),
])
def test_child_endings_read_as_one_line(returncode, stderr, why):
    assert limited._why(subprocess.CompletedProcess([], returncode, b"", stderr)) == why
