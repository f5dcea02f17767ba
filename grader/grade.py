"""`grade`: grade one submission, or many (grader/batch.py), and write the results.

    grade submission.zip              one submission: a table, results.json, feedback.md
    grade submissions/ --jobs 2       a folder of archives or an LMS download, two at a time
    python -m grader.grade ... --serve FD   what the batch runs: submissions read from stdin, one by one

After either, gradebook.csv, report.html and the exports in --out are rebuilt from every result
there (grader/cohort.py). docs/batch.md describes inputs, ids, the roster, late policy and exports.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from grader.assignment import load_assignment
from grader.errors import GraderError
from grader.inputs import Input, check_id, find_inputs, input_from_json, is_submission_dir
from grader.render.exports import EXPORTS

DEFAULT_OUT_DIR = Path("grading-results")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, through grader.cli, instead of usage + exit
        raise GraderError(f"{message} (see grade --help)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="grade", description="Grade MLP homework submissions (archives, folders, LMS downloads).")
    p.add_argument("inputs", nargs="*", type=Path, metavar="SUBMISSION",
                   help="a .zip/.tar.gz/.tgz, a submission folder, or a folder of them (also Moodle, Canvas "
                        "and Gradescope downloads, unzipped)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT_DIR, help="results folder (default %(default)s)")
    p.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)),
                   help="submissions graded in parallel (default: the CPUs this process may use, %(default)s)")
    p.add_argument("--regrade", action="store_true", help="grade again those whose content did not change")
    p.add_argument("--roster", type=Path, help="CSV of the students (id, name, email), kept in --out for later runs")
    p.add_argument("--export", action="append", choices=EXPORTS, default=[],
                   help="also write <lms>.csv for the LMS's grade import (repeatable)")
    p.add_argument("--id", help="the student id to file one submission under (default: from its name)")
    p.add_argument("--timeout", type=float, help="seconds per call into student code")
    p.add_argument("--memory", type=int, help="memory limit of the student's worker, MB")
    p.add_argument("--no-sandbox", action="store_true", help="run student code without bubblewrap (unsafe)")
    p.add_argument("--assignment", type=Path, help="assignment folder (default: the MLP homework)")
    p.add_argument("--debug", action="store_true", help="re-raise the grader's own errors")
    p.add_argument("--input-record", help=argparse.SUPPRESS)  # one Input record, as the batch writes it
    p.add_argument("--serve", type=int, metavar="FD", help=argparse.SUPPRESS)  # a batch's child (grader/jobs.py)
    return p


def _check_args(args: argparse.Namespace) -> None:
    if not args.inputs and args.serve is None:
        raise GraderError("give a submission: a .zip, a folder, or a folder of them (see grade --help)")
    for name in ("jobs", "timeout", "memory"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            raise GraderError(f"--{name} must be positive, not {value}")
    for path in args.inputs:
        if not path.exists():
            raise GraderError(f"{path}: no such file or folder")
    if args.roster is not None:
        from grader.roster import read_roster

        read_roster(args.roster)  # a roster error stops the run before any grading (exit 2)
    if args.id is not None and (len(args.inputs) != 1 or check_id(args.id)):
        raise GraderError(check_id(args.id) or "--id names one submission; give exactly one")


def _single(args: argparse.Namespace, layout) -> Input | None:
    """The one submission named directly, or None for a batch."""
    if args.input_record:
        return input_from_json(args.input_record)
    path = args.inputs[0]
    if len(args.inputs) != 1 or not (path.is_file() or is_submission_dir(path, layout)):
        return None
    found = find_inputs([path], args.out, layout)
    if not found.inputs:
        if args.id is None:
            raise GraderError(f"{found.rejected[0].source}: {found.rejected[0].reason}")
        return Input(args.id, path, str(path))
    item = found.inputs[0]
    return Input(args.id, path, item.source, "plain", item.submitted_at) if args.id else item


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    _check_args(args)
    assignment = load_assignment(args.assignment)
    limits = assignment.limits.replace(call_timeout_s=args.timeout, memory_mb=args.memory)
    if args.serve is not None:
        return serve(args, assignment, limits)
    if args.no_sandbox and not args.input_record:
        print("grade: WARNING: --no-sandbox runs student code without bubblewrap: confined by Landlock (where "
              "the kernel has it), seccomp, rlimits and a uid of its own; see docs/security.md", file=sys.stderr)
    item = _single(args, assignment.layout)
    if item is None:
        from grader.batch import grade_many  # the batch imports run, never this module

        return grade_many(find_inputs(args.inputs, args.out, assignment.layout), args, assignment)
    from grader.run import grade_to_dir

    try:
        result, status = grade_to_dir(item, args.out, assignment, limits=limits, sandbox=not args.no_sandbox,
                                      debug=args.debug)
    finally:
        if not args.input_record:  # a batch's child: the batch rebuilds once at its end
            _rebuild(args, assignment)
    from rich.console import Console

    from grader.render.terminal import build_table

    Console().print(build_table(result))
    print(f"results: {args.out / result.student_id / 'results.json'}; gradebook: {args.out / 'gradebook.csv'}")
    return status


def serve(args: argparse.Namespace, assignment, limits) -> int:
    """A batch's child: grade the submissions the batch sends on stdin, one JSON line each
    ({"input", "log", "temp"}), each with its own log (as stdout and stderr) and temp folder, and
    write each one's exit status as a line to fd args.serve. Python, the grader, pytest and the
    data stay loaded between submissions; their workers do not."""
    import json
    import tempfile

    from grader.run import grade_to_dir

    with os.fdopen(args.serve, "w") as answers:
        for line in sys.stdin:
            request = json.loads(line)
            with open(request["log"], "wb") as log:
                for stream in (sys.stdout, sys.stderr):
                    stream.flush()
                    os.dup2(log.fileno(), stream.fileno())
            tempfile.tempdir = os.environ["TMPDIR"] = request["temp"]
            try:
                result, status = grade_to_dir(input_from_json(request["input"]), args.out, assignment,
                                              limits=limits, sandbox=not args.no_sandbox, debug=args.debug)
                print(f"{result.student_id}: {result.score:g} / {result.max_score:g}")
            except GraderError as e:  # written as could-not-grade by grade_to_dir: one line, like `grade`
                print(f"grade: error: {e}", file=sys.stderr)
                status = 2
            sys.stdout.flush()
            sys.stderr.flush()
            answers.write(f"{status}\n")
            answers.flush()
    return 0


def _rebuild(args: argparse.Namespace, assignment) -> None:
    from grader.cohort import rebuild

    cohort = rebuild(args.out, assignment, roster=args.roster, exports=tuple(args.export))
    for warning in cohort.warnings:
        print(f"grade: {warning}", file=sys.stderr)


if __name__ == "__main__":
    from grader.cli import grade_main

    sys.exit(grade_main())
