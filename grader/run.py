"""`grade`: grade one submission (or many, via grader.batch) and write its results.

grade_one is a list of steps (intake, then the hidden tests, which also check summary.txt and the
hand-out's TODO lines); a student's fault becomes a verdict, never an exception from here. Our
own bugs still leave a could_not_grade results.json and a log file with the traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from grader.assignment import Assignment, Limits, load_assignment
from grader.errors import GraderError, SubmissionError
from grader.intake import Submission, one_line, open_submission, student_id_of
from grader.output import write_atomic, write_json
from grader.render.feedback import render_feedback
from grader.render.gradescope import render_results_json
from grader.results import GradeResult, Outcome

DEFAULT_OUT_DIR = Path("grading-results")
ERROR_LOG = "grader-error.log"
Runner = Callable[..., "SuiteRun"]


def run_hidden_tests(assignment: Assignment, codes_dir: Path, *, limits: Limits | None = None,
                     sandbox: bool = True) -> tuple[list[Outcome], list[str]]:
    """The engine (grader.plugin), imported late so intake and rendering work without it."""
    from grader.plugin import run_hidden_tests as engine

    return engine(assignment, codes_dir, limits=limits, sandbox=sandbox)


def _no_codes_reason(sub: Submission) -> str:
    loose = sorted(one_line(p.name) for p in sub.root.glob("*.py"))  # names are the student's
    hint = f" (found {', '.join(loose[:3])} at the top level)" if loose else ""
    return f"{sub.student_id}: no codes/ folder{hint}; put your .py files in codes/ at the top of the zip"


def grade_one(path: Path | str, assignment: Assignment, *, limits: Limits | None = None,
              sandbox: bool = True, runner: Runner | None = None) -> GradeResult:
    """Grade one .zip or folder. Raises SubmissionError only when the input cannot be opened."""
    started = time.perf_counter()
    runner = runner or run_hidden_tests
    with open_submission(path, assignment.required_files) as sub:
        if sub.codes_dir is None:
            return GradeResult.could_not_grade(sub.student_id, _no_codes_reason(sub), notes=tuple(sub.flags),
                                               execution_time_s=time.perf_counter() - started,
                                               extra={"max_score": assignment.max_score})
        outcomes, notes, extra = runner(assignment, sub.codes_dir, limits=limits or assignment.limits,
                                        sandbox=sandbox)
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


# --- command line ----------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, through grader.cli, instead of usage + exit
        raise GraderError(f"{message} (see grade --help)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="grade", description="Grade MLP homework submissions (.zip files or folders).")
    p.add_argument("inputs", nargs="+", type=Path, metavar="SUBMISSION",
                   help="a .zip, a submission folder, or a folder of .zip files")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR, help="results folder (default %(default)s)")
    p.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)),
                   help="submissions graded in parallel (default: the CPUs this process may use, %(default)s)")
    p.add_argument("--regrade", action="store_true", help="grade again those that have results.json")
    p.add_argument("--timeout", type=float, help="seconds per call into student code")
    p.add_argument("--memory", type=int, help="memory limit of the student's worker, MB")
    p.add_argument("--no-sandbox", action="store_true", help="run student code without bubblewrap (unsafe)")
    p.add_argument("--assignment", type=Path, help="assignment folder (default: the MLP homework)")
    p.add_argument("--debug", action="store_true", help="re-raise the grader's own errors")
    return p


def _is_submission_dir(path: Path) -> bool:
    return (path / "codes").is_dir() or (path / "summary.txt").is_file()


def collect_inputs(inputs: list[Path], out_dir: Path) -> tuple[list[Path], bool]:
    """The submissions to grade, and whether this is one submission named directly."""
    found: list[Path] = []
    for path in inputs:
        if not path.exists():
            raise GraderError(f"{path}: no such file or folder")
        if path.is_file() or _is_submission_dir(path):
            found.append(path)
            continue
        skip = {out_dir.resolve()}
        found += sorted(p for p in path.iterdir()
                        if (p.is_file() and p.suffix.lower() == ".zip")
                        or (p.is_dir() and not p.name.startswith((".", "__")) and p.resolve() not in skip))
    if not found:
        raise GraderError(f"{' '.join(map(str, inputs))}: no .zip files or submission folders to grade")
    ids = [student_id_of(p) for p in found]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise GraderError(f"student id {twice[0]} given twice; each zip name must be unique")
    single = len(inputs) == 1 and (inputs[0].is_file() or _is_submission_dir(inputs[0]))
    return found, single


def _check_args(args: argparse.Namespace) -> None:
    for name in ("jobs", "timeout", "memory"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            raise GraderError(f"--{name} must be positive, not {value}")


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    _check_args(args)
    assignment = load_assignment(args.assignment)
    limits = assignment.limits.replace(call_timeout_s=args.timeout, memory_mb=args.memory)
    if args.no_sandbox:
        print("grade: WARNING: --no-sandbox runs student code with YOUR permissions (files, network); "
              "use it only for code you trust", file=sys.stderr)
    paths, single = collect_inputs(args.inputs, args.out)
    if not single:
        from grader.batch import grade_many

        return grade_many(paths, args, assignment)
    result, status = grade_to_dir(paths[0], args.out, assignment, limits=limits,
                                  sandbox=not args.no_sandbox, debug=args.debug)
    from rich.console import Console

    from grader.render.terminal import build_table

    Console().print(build_table(result))
    print(f"results: {args.out / result.student_id / 'results.json'}")
    return status


if __name__ == "__main__":
    from grader.cli import grade_main

    sys.exit(grade_main())
