"""Run code_analyze.verify on a submission in a child process with limits, for a trusted caller.

The analyzer refuses files beyond its limits before parsing them (code_analyze.source), but a
grader must not bet its process on that: LibCST can crash (signal 11) or run for seconds on
hostile input. This runs ``python -m code_analyze.verify --json`` in a child that first limits
its own CPU time, address space and core dumps (set inside the child, so it is safe in a
threaded caller, unlike `preexec_fn`), under a wall-clock timeout. Every way it ends gives the
same dict as the entry point prints (see code_analyze.verify): the report, or a failed one whose
single problem says what happened. POSIX only (the `resource` module).
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from code_analyze.blocks import DEFAULT_MARKERS, Markers

TIMEOUT_S = 30.0
MEMORY_MB = 1024
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent
# -I: no user site, no PYTHON* variables, no current folder on sys.path (a submission's
# "code_analyze" folder can never shadow ours); -B: nothing written.
_BOOT = """import resource, sys
def limit(kind, value):  # lower only: a limit the caller already has may be tighter
    hard = resource.getrlimit(kind)[1]
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(kind, (value, value))
limit(resource.RLIMIT_CORE, 0)
limit(resource.RLIMIT_CPU, int(sys.argv[1]))
limit(resource.RLIMIT_AS, int(sys.argv[2]))
sys.path.insert(0, sys.argv[3])
from code_analyze.verify import main
sys.exit(main(sys.argv[4:]))
"""


def run_verify_limited(pristine: Path, codes: Path, summary: Path | None = None,
                       timeout_s: float = TIMEOUT_S, memory_mb: int = MEMORY_MB,
                       markers: Markers = DEFAULT_MARKERS) -> dict:
    """The verify report of `codes` as a dict (code_analyze.verify's JSON schema)."""
    command = [sys.executable, "-I", "-B", "-c", _BOOT, str(int(timeout_s) + 1),
               str(memory_mb * 1024 * 1024), str(_PACKAGE_ROOT),
               "--pristine", str(pristine), "--codes", str(codes), "--json"]
    if summary is not None:
        command += ["--summary", str(summary)]
    if markers != DEFAULT_MARKERS:
        command += ["--markers-json", json.dumps(asdict(markers))]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout_s, cwd=_PACKAGE_ROOT)
    except subprocess.TimeoutExpired:
        return failed(f"the code check of codes/ did not finish within {timeout_s:g} s; "
                      "a file there is too large or too complex to analyse: simplify it")
    if done.returncode == 0:
        report = _report(done.stdout)
        if report is not None:
            return report
    return failed(f"the code check of codes/ stopped: {_why(done)}; a file there is too "
                  "large or too complex to analyse: simplify it")


def failed(problem: str) -> dict:
    """A report that fails the check for one reason (the JSON schema, with nothing analysed)."""
    return {"matches": False, "problems": [problem], "marker_problems": [], "regenerated": "",
            "files": {}}


def _report(stdout: bytes) -> dict | None:
    try:
        report = json.loads(stdout)
    except ValueError:
        return None
    if (isinstance(report, dict) and isinstance(report.get("matches"), bool)
            and isinstance(report.get("problems"), list) and isinstance(report.get("files"), dict)):
        return report
    return None


def _why(done: subprocess.CompletedProcess) -> str:
    if done.returncode < 0:
        number = -done.returncode
        if number in (signal.SIGXCPU, signal.SIGKILL):
            return "over its CPU time"
        name = signal.Signals(number).name if number in signal.valid_signals() else number
        return f"killed by signal {name}"
    lines = done.stderr.decode("ascii", errors="replace").strip().splitlines()
    last = "".join(char if char.isprintable() else "?" for char in lines[-1][:200]) if lines else ""
    if last.startswith("MemoryError"):
        return "out of memory"
    return f"exit status {done.returncode}" + (f" ({last})" if last else "")
