"""Grading one submission: grade_one (intake, then the hidden tests) and its written outputs.

grade_one is a list of steps; a student's fault becomes a verdict, never an exception from here.
Our own bugs still leave a could_not_grade results.json and a log file with the traceback. The
`grade` command (grader/grade.py) and the batch (grader/batch.py) call these.
"""
from __future__ import annotations

import dataclasses
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from grader.assignment import Assignment, Limits
from grader.errors import GraderError, SubmissionError
from grader.inputs import Input, content_hash
from grader.intake import Submission, one_line, open_submission, supply_given
from grader.late import apply_late, file_time, iso
from grader.output import write_atomic, write_json
from grader.render.feedback import render_feedback
from grader.render.gradescope import render_results_json
from grader.results import GradeResult

ERROR_LOG = "grader-error.log"
Runner = Callable[..., "SuiteRun"]


def run_hidden_tests(assignment: Assignment, sub: Submission, *, limits: Limits | None = None,
                     sandbox: bool = True):
    """The engine (grader.plugin), imported late so intake and rendering work without it."""
    from grader.plugin import run_hidden_tests as engine

    return engine(assignment, sub.code_dir, limits=limits, sandbox=sandbox, root=sub.root)


def _no_code_reason(sub: Submission, folder: str) -> str:
    loose = sorted(one_line(p.name) for p in sub.root.glob("*.py"))  # names are the student's
    hint = f" (found {', '.join(loose[:3])} at the top level)" if loose else ""
    return f"{sub.student_id}: no {folder}/ folder{hint}; put your .py files in {folder}/ at the top of the zip"


def grade_one(path: Path | str, assignment: Assignment, *, limits: Limits | None = None,
              sandbox: bool = True, runner: Runner | None = None, student_id: str = "") -> GradeResult:
    """Grade one archive or folder. Raises SubmissionError only when the input cannot be opened."""
    started = time.perf_counter()
    runner = runner or run_hidden_tests
    with open_submission(path, assignment.layout, student_id) as sub:
        if sub.code_dir is None:
            return GradeResult.could_not_grade(sub.student_id, _no_code_reason(sub, assignment.layout.code_folder),
                                               notes=tuple(sub.flags), execution_time_s=time.perf_counter() - started,
                                               extra={"max_score": assignment.max_score})
        supply_given(sub, assignment.layout, assignment.pristine_dir)
        outcomes, notes, extra = runner(assignment, sub, limits=limits or assignment.limits, sandbox=sandbox)
        notes = list(sub.flags) + list(notes)
    return GradeResult(sub.student_id, tuple(outcomes), notes=tuple(notes),
                       execution_time_s=time.perf_counter() - started,
                       leaderboard=tuple(row for o in outcomes for row in o.leaderboard), extra=dict(extra))


def write_outputs(result: GradeResult, out_dir: Path) -> Path:
    """feedback.md, then results.json (its presence means "graded"; both written atomically)."""
    folder = Path(out_dir) / result.student_id
    write_atomic(folder / "feedback.md", render_feedback(result))
    write_json(folder / "results.json", render_results_json(result))
    return folder


def input_record(item: Input) -> dict:
    """What results.json keeps about the input: where it came from, its content hash (a changed
    file is graded again, an unchanged one skipped) and when it was submitted."""
    submitted = item.submitted_at or file_time(item.path)
    return {"source": one_line(item.source), "layout": item.layout, "sha256": content_hash(item.path),
            "submitted_at": iso(submitted), "time_from": "lms" if item.submitted_at else "file",
            "marked_late": item.marked_late, "name": one_line(item.name), "email": one_line(item.email)}


def _finish(result: GradeResult, item: Input, record: dict, assignment: Assignment) -> GradeResult:
    """The parent's notes, the input record and the late penalty, added to a result."""
    result = dataclasses.replace(result, notes=result.notes + item.notes, extra={**result.extra, "input": record})
    return apply_late(result, assignment.late, item.submitted_at or file_time(item.path), item.marked_late)


def grade_to_dir(item: Input, out_dir: Path, assignment: Assignment, *, limits: Limits | None = None,
                 sandbox: bool = True, debug: bool = False, runner: Runner | None = None
                 ) -> tuple[GradeResult, int]:
    """Grade and write the outputs; return the result and the exit status (0, or 1 for our bug).

    A submission that cannot be opened is written as could_not_grade, then its SubmissionError
    is re-raised (exit 2 with one line).
    """
    sid, max_score = item.student_id, assignment.max_score
    log = Path(out_dir) / sid / ERROR_LOG
    record = input_record(item)

    def could_not_grade(reason: str, **extra) -> GradeResult:
        return _finish(GradeResult.could_not_grade(sid, reason, extra={"max_score": max_score, **extra}),
                       item, record, assignment)

    try:
        result = grade_one(item.path, assignment, limits=limits, sandbox=sandbox, runner=runner, student_id=sid)
    except SubmissionError as e:
        write_outputs(could_not_grade(str(e)), out_dir)
        raise
    except GraderError as e:  # sandbox or configuration: not the student's fault, nothing to log
        write_outputs(could_not_grade(f"the grader could not run: {e}", grader_failed=True), out_dir)
        raise
    except Exception as e:
        text = traceback.format_exc()
        write_atomic(log, text)
        result = could_not_grade("internal grader error; the course staff have the details", detail=text,
                                 grader_failed=True)
        write_outputs(result, out_dir)
        print(f"grade: internal error while grading {sid} ({type(e).__name__}); traceback in {log}",
              file=sys.stderr)
        if debug:
            raise
        return result, 1
    log.unlink(missing_ok=True)
    result = _finish(result, item, record, assignment)
    write_outputs(result, out_dir)
    return result, 0
