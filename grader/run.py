"""Grading one submission: grade_one (intake, then the hidden tests) and its written outputs.

grade_one is a list of steps; a student's fault becomes a verdict, never an exception from here.
Our own bugs still leave a could_not_grade results.json and a log file with the traceback. The
`grade` command (grader/grade.py) and the batch (grader/batch.py) call these.
"""
from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from grader.assignment import Assignment, Limits
from grader.errors import GraderError, SubmissionError
from grader.intake import Submission, one_line, open_submission, student_id_of, supply_given
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
              sandbox: bool = True, runner: Runner | None = None) -> GradeResult:
    """Grade one .zip or folder. Raises SubmissionError only when the input cannot be opened."""
    started = time.perf_counter()
    runner = runner or run_hidden_tests
    with open_submission(path, assignment.layout) as sub:
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


def grade_to_dir(path: Path, out_dir: Path, assignment: Assignment, *, limits: Limits | None = None,
                 sandbox: bool = True, debug: bool = False, runner: Runner | None = None
                 ) -> tuple[GradeResult, int]:
    """Grade and write the outputs; return the result and the exit status (0, or 1 for our bug).

    A submission that cannot be opened is written as could_not_grade, then its SubmissionError
    is re-raised (exit 2 with one line).
    """
    sid, max_score = student_id_of(path), assignment.max_score
    log = Path(out_dir) / sid / ERROR_LOG
    try:
        result = grade_one(path, assignment, limits=limits, sandbox=sandbox, runner=runner)
    except SubmissionError as e:
        write_outputs(GradeResult.could_not_grade(sid, str(e), extra={"max_score": max_score}), out_dir)
        raise
    except GraderError as e:  # sandbox or configuration: not the student's fault, nothing to log
        write_outputs(GradeResult.could_not_grade(sid, f"the grader could not run: {e}",
                                                  extra={"max_score": max_score}), out_dir)
        raise
    except Exception as e:
        text = traceback.format_exc()
        write_atomic(log, text)
        result = GradeResult.could_not_grade(
            sid, "internal grader error; the course staff have the details",
            extra={"max_score": max_score, "detail": text})
        write_outputs(result, out_dir)
        print(f"grade: internal error while grading {sid} ({type(e).__name__}); traceback in {log}",
              file=sys.stderr)
        if debug:
            raise
        return result, 1
    log.unlink(missing_ok=True)
    write_outputs(result, out_dir)
    return result, 0
