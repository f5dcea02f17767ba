"""Grade many submissions, N at a time, each in its own `grade` subprocess.

A separate process per submission means one crash, hang or memory blow-up stops only that
submission: the parent kills its process group after SUBMISSION_TIMEOUT_S and writes a
could_not_grade result for it. Finished results are never touched again (atomic writes), so
Ctrl-C keeps them, and a re-run skips every submission whose results.json exists.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from grader.assignment import Assignment
from grader.intake import student_id_of
from grader.output import write_atomic
from grader.render.gradebook import render_gradebook
from grader.render.gradescope import results_from_json
from grader.results import GradeResult
from grader.run import ERROR_LOG, write_outputs

LAUNCHER = (sys.executable, "-m", "grader.grade")
SUBMISSION_TIMEOUT_S = 1800.0
STOP_GRACE_S = 5.0  # after SIGINT, before SIGKILL: lets the child delete its temp dir
LOG_TAIL_CHARS = 4000
GRADED, NOT_GRADABLE, OUR_FAULT = "graded", "could not be opened", "grader failed"


def _stamp(path: Path) -> tuple[int, int] | None:
    """Identity of a file version: os.replace gives the new one a new inode."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns


def _tail(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-LOG_TAIL_CHARS:]
    except OSError:
        return ""


class ChildProcesses:
    """The running `grade` children, so that Ctrl-C or a timeout stops a whole process group."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen] = set()
        self.stopping = threading.Event()

    def run(self, cmd: list[str], log_path: Path, timeout_s: float) -> int | None:
        """The child's exit status; None when it timed out or was stopped."""
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            if self.stopping.is_set():
                return None
            log = open(log_path, "wb")
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            self._running.add(proc)
        try:
            return proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _stop(proc)
            return None
        finally:
            with self._lock:
                self._running.discard(proc)
            log.close()

    def stop_all(self) -> None:
        with self._lock:
            self.stopping.set()
            running = list(self._running)
        for proc in running:
            _stop(proc)


def _stop(proc: subprocess.Popen) -> None:
    """SIGINT to the child's group (it cleans up like at Ctrl-C), then SIGKILL if it lingers."""
    for sig, wait_s in ((signal.SIGINT, STOP_GRACE_S), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def child_args(args: argparse.Namespace) -> list[str]:
    """The options a child `grade` needs to grade one submission as this run would."""
    extra = ["--out", str(args.out.resolve())]
    if args.assignment:
        extra += ["--assignment", str(args.assignment.resolve())]
    for flag, value in (("--timeout", args.timeout), ("--memory", args.memory)):
        if value is not None:
            extra += [flag, str(value)]
    return extra + [f for f, on in (("--no-sandbox", args.no_sandbox), ("--debug", args.debug)) if on]


class Batch:
    """One `grade` run over many submissions."""

    def __init__(self, args: argparse.Namespace, assignment: Assignment, launcher=None,
                 timeout_s: float = SUBMISSION_TIMEOUT_S):
        self.out_dir, self.assignment = Path(args.out), assignment
        self.cmd = [*(launcher or LAUNCHER)]
        self.args = child_args(args)
        self.timeout_s = timeout_s
        self.children = ChildProcesses()

    def grade(self, path: Path, sid: str) -> str:
        folder = self.out_dir / sid
        before = _stamp(folder / "results.json")
        status = self.children.run([*self.cmd, str(path), *self.args], folder / "grade.log", self.timeout_s)
        if self.children.stopping.is_set():
            return "stopped"
        if _stamp(folder / "results.json") not in (None, before) and status in (0, 1, 2):
            return {0: GRADED, 2: NOT_GRADABLE}.get(status, OUR_FAULT)
        why = (f"timed out after {self.timeout_s:g} s" if status is None
               else f"the grading process stopped with exit status {status}")
        write_outputs(GradeResult.could_not_grade(
            sid, f"grading stopped: {why}; the course staff have the details",
            extra={"max_score": self.assignment.max_score, "detail": _tail(folder / "grade.log")}),
            self.out_dir)
        return OUR_FAULT

    def safe_grade(self, path: Path, sid: str) -> str:
        try:
            return self.grade(path, sid)
        except Exception as e:  # our bug in the parent for this one submission: keep going
            write_atomic(self.out_dir / sid / ERROR_LOG, f"{type(e).__name__}: {e}\n")
            return OUR_FAULT

    def run(self, todo: list[tuple[Path, str]], jobs: int) -> dict[str, str]:
        statuses: dict[str, str] = {}
        columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True)) as progress:
            task = progress.add_task("grading", total=len(todo))
            with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(todo)))) as pool:
                futures = {pool.submit(self.safe_grade, p, sid): sid for p, sid in todo}
                try:
                    for future in as_completed(futures):
                        statuses[futures[future]] = future.result()
                        progress.advance(task)
                except BaseException:  # Ctrl-C: stop the children, keep what finished
                    self.children.stop_all()
                    pool.shutdown(cancel_futures=True)
                    raise
        return statuses


def write_gradebook(out_dir: Path, ids: list[str], assignment: Assignment) -> Path:
    """gradebook.csv from the results.json of `ids` that exist (this run's and earlier ones)."""
    results = []
    for sid in sorted(ids):
        path = out_dir / sid / "results.json"
        if path.is_file():
            try:
                results.append(results_from_json(json.loads(path.read_text(encoding="utf-8"))))
            except (ValueError, KeyError, TypeError):
                print(f"grade: {path} is not a results.json written by grade; left out of the gradebook",
                      file=sys.stderr)
    target = out_dir / "gradebook.csv"
    write_atomic(target, render_gradebook(results, order=list(assignment.points)))
    return target


def grade_many(paths: list[Path], args: argparse.Namespace, assignment: Assignment, *,
               launcher=None, timeout_s: float = SUBMISSION_TIMEOUT_S) -> int:
    """Grade `paths` with args.jobs children; exit status 1 when the grader failed on any."""
    out_dir = Path(args.out)
    ids = {student_id_of(p): p for p in paths}
    todo = [(p, sid) for sid, p in ids.items()
            if args.regrade or not (out_dir / sid / "results.json").is_file()]
    batch = Batch(args, assignment, launcher, timeout_s)
    try:
        statuses = batch.run(todo, args.jobs)
    finally:
        gradebook = write_gradebook(out_dir, list(ids), assignment)
    failed = sorted(sid for sid, s in statuses.items() if s == OUR_FAULT)
    unreadable = sorted(sid for sid, s in statuses.items() if s == NOT_GRADABLE)
    print(f"graded {len(statuses)}, skipped {len(ids) - len(todo)} already graded (--regrade to redo); "
          f"gradebook: {gradebook}")
    if unreadable:
        print(f"could not open: {', '.join(unreadable)} (see <id>/feedback.md)")
    if failed:
        print(f"grader failed on: {', '.join(failed)} (see {out_dir}/<id>/grade.log)")
    return 1 if failed else 0
