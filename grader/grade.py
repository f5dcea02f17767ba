"""`grade`: grade one submission, or many (grader/batch.py), and write the results.

    grade submission.zip              one submission: a table, results.json, feedback.md
    grade submissions/ --jobs 2       a folder of submissions, each in its own process
    python -m grader.grade ...        what the batch runs for one submission
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from grader.assignment import load_assignment
from grader.errors import GraderError
from grader.intake import student_id_of
from grader.run import grade_to_dir

DEFAULT_OUT_DIR = Path("grading-results")


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


def _is_submission_dir(path: Path, layout) -> bool:
    """A folder holding one submission (its code folder, or for a flat layout its code files)."""
    return layout.holds_code(path)


def collect_inputs(inputs: list[Path], out_dir: Path, layout) -> tuple[list[Path], bool]:
    """The submissions to grade, and whether this is one submission named directly."""
    found: list[Path] = []
    for path in inputs:
        if not path.exists():
            raise GraderError(f"{path}: no such file or folder")
        if path.is_file() or _is_submission_dir(path, layout):
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
    single = len(inputs) == 1 and (inputs[0].is_file() or _is_submission_dir(inputs[0], layout))
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
    paths, single = collect_inputs(args.inputs, args.out, assignment.layout)
    if not single:
        from grader.batch import grade_many  # the batch imports run, never this module

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
