"""Grade many submissions, N at a time, in `grade` child processes (grader/jobs.py: one per slot,
serving its submissions one after another, each with fresh workers).

A crash, hang or memory blow-up stops only the submission it happened in: the parent kills that
child's process group after SUBMISSION_TIMEOUT_S and writes a could_not_grade result for it. Finished results are never touched again (atomic writes), so
Ctrl-C keeps them. A re-run skips a submission only when its content hash matches the one its
results.json records (and the grader did not fail on it); every input ends as graded, could not
grade (with the reason) or skipped as unchanged, and the summary lists each. The gradebook,
report and exports are then rebuilt from everything in --out (grader/cohort.py).
"""
from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from grader.assignment import Assignment
from grader.cohort import rebuild
from grader.inputs import Found, Input, content_hash, input_to_json
from grader.jobs import Jobs
from grader.output import write_atomic
from grader.render.summary import accounting_lines, cohort_table
from grader.results import GradeResult
from grader.run import ERROR_LOG, input_record, write_outputs
from grader.textsafe import terminal_text

LAUNCHER = (sys.executable, "-m", "grader.grade")
SUBMISSION_TIMEOUT_S = 1800.0
LOG_TAIL_CHARS = 4000
GRADED, COULD_NOT_GRADE, SKIPPED = "graded", "could not grade", "skipped"


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


def child_args(args: argparse.Namespace) -> list[str]:
    """The options a child `grade` needs to grade one submission as this run would."""
    extra = ["--out", str(Path(args.out).resolve())]
    if args.assignment:
        extra += ["--assignment", str(args.assignment.resolve())]
    for flag, value in (("--timeout", args.timeout), ("--memory", args.memory)):
        if value is not None:
            extra += [flag, str(value)]
    return extra + [f for f, on in (("--no-sandbox", args.no_sandbox), ("--debug", args.debug)) if on]


def _recorded(out_dir: Path, sid: str) -> dict | None:
    """The extra_data of the results.json already in out_dir for `sid`, if any."""
    try:
        data = json.loads((out_dir / sid / "results.json").read_text(encoding="utf-8"))
        return data["extra_data"] if isinstance(data.get("extra_data"), dict) else None
    except (OSError, ValueError, KeyError, AttributeError):
        return None


class Batch:
    """One `grade` run over many submissions."""

    def __init__(self, args: argparse.Namespace, assignment: Assignment, launcher=None,
                 timeout_s: float = SUBMISSION_TIMEOUT_S):
        self.out_dir, self.assignment = Path(args.out), assignment
        self.cmd = [*(launcher or LAUNCHER)]
        self.args = child_args(args)
        self.timeout_s = timeout_s
        self.children = Jobs([*self.cmd, *self.args])

    def grade(self, item: Input) -> tuple[str, str]:
        """(GRADED or COULD_NOT_GRADE, the reason) for one submission graded by a child."""
        folder = self.out_dir / item.student_id
        before = _stamp(folder / "results.json")
        status = self.children.run({"input": input_to_json(item)}, folder / "grade.log", self.timeout_s)
        if self.children.stopping.is_set():
            return "stopped", ""
        recorded = _recorded(self.out_dir, item.student_id)
        if _stamp(folder / "results.json") not in (None, before) and status in (0, 1, 2) and recorded:
            if recorded.get("could_not_grade"):
                return COULD_NOT_GRADE, str(recorded.get("error") or "")
            return GRADED, ""
        why = (f"timed out after {self.timeout_s:g} s" if status is None
               else f"the grading process stopped with exit status {status}")
        reason = f"grading stopped: {why}; the course staff have the details"
        write_outputs(GradeResult.could_not_grade(
            item.student_id, reason, notes=item.notes, extra={
                "max_score": self.assignment.max_score, "detail": _tail(folder / "grade.log"),
                "grader_failed": True, "input": input_record(item)}), self.out_dir)
        return COULD_NOT_GRADE, reason

    def safe_grade(self, item: Input) -> tuple[str, str]:
        try:
            return self.grade(item)
        except Exception as e:  # our bug in the parent for this one submission: keep going
            write_atomic(self.out_dir / item.student_id / ERROR_LOG, f"{type(e).__name__}: {e}\n")
            return COULD_NOT_GRADE, f"the grader failed ({type(e).__name__}); see {ERROR_LOG}"

    def run(self, todo: list[Input], jobs: int) -> dict[str, tuple[str, str]]:
        """source -> (outcome, reason) of each submission graded."""
        statuses: dict[str, tuple[str, str]] = {}
        if not todo:
            return statuses
        columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True)) as progress:
            task = progress.add_task("grading", total=len(todo))
            with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(todo)))) as pool:
                futures = {pool.submit(self.safe_grade, item): item for item in todo}
                try:
                    for future in as_completed(futures):
                        statuses[futures[future].source] = future.result()
                        progress.advance(task)
                except BaseException:  # Ctrl-C: stop the children, keep what finished
                    self.children.stop_all()
                    pool.shutdown(cancel_futures=True)
                    raise
        self.children.close_all()
        return statuses


def _refused_results(found: Found, out_dir: Path, assignment: Assignment) -> None:
    """A student whose only files were refused (a .rar, a PDF alone) gets a could-not-grade
    result saying why, unless an earlier run graded a real submission of theirs."""
    reasons: dict[str, list[str]] = {}
    for r in found.rejected:
        if r.student_id:
            reasons.setdefault(r.student_id, []).append(f"{Path(r.source).name}: {r.reason}")
    for sid, why in sorted(reasons.items()):
        recorded = _recorded(out_dir, sid)
        if recorded is None or recorded.get("refused"):
            write_outputs(GradeResult.could_not_grade(sid, "; ".join(why), extra={
                "max_score": assignment.max_score, "refused": True}), out_dir)


def plan(found: Found, out_dir: Path, regrade: bool) -> tuple[list[Input], dict[str, tuple[str, str]]]:
    """What to grade: every input but those whose content is unchanged since their result
    (unless --regrade, or the grader failed on them)."""
    todo, statuses = [], {}
    for item in found.inputs:
        recorded = _recorded(out_dir, item.student_id)
        before = ((recorded or {}).get("input") or {}).get("sha256")
        unchanged = before == content_hash(item.path)
        if not regrade and unchanged and not recorded.get("grader_failed") and not recorded.get("refused"):
            statuses[item.source] = (SKIPPED, "could not grade before: " + str(recorded.get("error"))
                                     if recorded.get("could_not_grade") else "")
            continue
        todo.append(item)
        if before and not unchanged:
            statuses[item.source] = (GRADED, "changed")  # replaced by the child's outcome below
    return todo, statuses


def grade_many(found: Found, args: argparse.Namespace, assignment: Assignment, *,
               launcher=None, timeout_s: float = SUBMISSION_TIMEOUT_S) -> int:
    """Grade the inputs with args.jobs children; exit status 1 when any could not be graded."""
    out_dir = Path(args.out)
    todo, statuses = plan(found, out_dir, args.regrade)
    _refused_results(found, out_dir, assignment)
    statuses.update({r.source: (COULD_NOT_GRADE, r.reason) for r in found.rejected if r.submission})
    others = [(r.source, r.reason) for r in found.rejected if not r.submission]
    batch = Batch(args, assignment, launcher, timeout_s)
    try:
        for source, (outcome, reason) in batch.run(todo, args.jobs).items():
            changed = statuses.get(source, ("", ""))[1] == "changed"
            statuses[source] = (outcome, "changed" if outcome == GRADED and changed else reason)
    finally:
        cohort = rebuild(out_dir, assignment, roster=args.roster, exports=tuple(args.export))
    for line in accounting_lines(statuses, [(n.source, n.reason) for n in found.noted], others, cohort.unknown,
                                 cohort.missing):
        print(line)
    for warning in cohort.warnings:
        print(f"grade: {terminal_text(warning)}", file=sys.stderr)
    Console().print(cohort_table(cohort.entries))
    print("written: " + ", ".join(str(p) for p in cohort.written))
    failed = any(kind == COULD_NOT_GRADE or (kind == SKIPPED and detail) for kind, detail in statuses.values())
    return 1 if failed else 0
