"""grade-skeleton: rebuild an assignment's student hand-out (skeleton/) from its reference/.

    grade-skeleton                           regenerate the default assignment's skeleton/
    grade-skeleton --assignment DIR          an assignment folder anywhere on disk
    grade-skeleton --check                   change nothing; exit 1 listing every file that differs (CI)
    grade-skeleton --zip handout.zip         also write the hand-out, with its data, as a zip to publish
    grade-skeleton --validate [--jobs N]     change nothing; grade the reference (full marks), the
                                             skeleton (0) and each block left as its stub (loses only
                                             its own tests); exit 1 when a rule breaks

The staff edit only the assignment folder (assignment.toml, reference/, hidden/, public/,
handout/); docs/authoring.md describes it.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from grader.assignment import load_assignment
from grader.errors import GraderError
from grader.skeleton.handout import build_handout, differences, write_tree, write_zip, zip_entries

PROG = "grade-skeleton"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, through grader.cli
        raise GraderError(f"{message} (see {PROG} --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", type=Path, default=None,
                        help="assignment folder (default: the MLP homework)")
    parser.add_argument("--out", type=Path, default=None,
                        help="hand-out folder to write or check (default: the assignment's skeleton)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 listing every file that differs")
    parser.add_argument("--zip", type=Path, default=None, metavar="PATH",
                        help="also write the hand-out with its data as a zip at PATH")
    parser.add_argument("--validate", action="store_true",
                        help="write no hand-out; grade the reference, the skeleton and every block-broken "
                             "variant of the regenerated hand-out; exit 1 when a rule breaks")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)),
                        help="variants graded in parallel by --validate (default: the CPUs, %(default)s)")
    return parser


def _check(handout, out: Path) -> int:
    stale = differences(handout, out)
    for line in stale:
        print(f"{out.name}/{line}")
    if stale:
        print(f"{PROG}: {len(stale)} file(s) out of date; run {PROG} to regenerate")
        return 1
    print(f"{out} is up to date ({len(handout.files)} files)")
    return 0


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.jobs <= 0:
        raise GraderError(f"--jobs must be positive, not {args.jobs}")
    assignment = load_assignment(args.assignment)
    out = args.out or assignment.skeleton_dir
    handout = build_handout(assignment)
    entries = zip_entries(handout) if args.zip else None  # a missing data file fails before any write
    status = 0
    if args.check:
        status = _check(handout, out)
    elif args.validate:
        if differences(handout, out):
            print(f"note: {out} is not up to date ({PROG} regenerates it); validating the regenerated hand-out")
    else:
        write_tree(handout, out)
        print(f"wrote {out} ({len(handout.files)} files, {len(handout.blocks)} blocks stubbed)")
    if args.zip:
        write_zip(handout, args.zip, entries)
        print(f"wrote {args.zip}")
    if args.validate:
        from grader.skeleton.validate import validate  # the grading engine, only when asked

        status = max(status, validate(handout, args.jobs))
    return status
