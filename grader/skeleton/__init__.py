"""grade-skeleton: rebuild an assignment's student hand-out (skeleton/) from its reference/.

    grade-skeleton                       regenerate the default assignment's skeleton/
    grade-skeleton --assignment DIR      another assignment folder
    grade-skeleton --check               change nothing; exit 1 listing every file that differs (CI)
    grade-skeleton --zip hw1.zip         also write the hand-out, with its data, as a zip to publish

The staff edit only the assignment folder (assignment.toml, reference/, hidden/, public/,
handout/); docs/authoring.md describes it.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from grader.assignment import load_assignment
from grader.errors import GraderError
from grader.skeleton.handout import build_handout, differences, write_tree, write_zip

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
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    assignment = load_assignment(args.assignment)
    out = args.out or assignment.skeleton_dir
    handout = build_handout(assignment)
    if args.check:
        stale = differences(handout, out)
        for line in stale:
            print(f"{out.name}/{line}")
        if stale:
            print(f"{PROG}: {len(stale)} file(s) out of date; run {PROG} to regenerate")
            return 1
        print(f"{out} is up to date ({len(handout.files)} files)")
    else:
        write_tree(handout, out)
        print(f"wrote {out} ({len(handout.files)} files, {len(handout.blocks)} blocks stubbed)")
    if args.zip:
        write_zip(handout, args.zip)
        print(f"wrote {args.zip}")
    return 0
