"""grade-skeleton: rebuild the student hand-out (skeleton/) from the reference (reference/).

    grade-skeleton                 regenerate skeleton/
    grade-skeleton --check         change nothing; exit 1 listing every file that differs (CI)
    grade-skeleton --zip hw1.zip   also write the hand-out, MNIST included, as a zip to publish

The staff edits only reference/ (codes/, tests/, handout.toml); the layout is
docs/assignment-interface.md.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from grader.errors import ConfigError
from grader.skeleton.handout import build_handout, differences, write_tree, write_zip

PROG = "grade-skeleton"


def find_root(start: Path = Path(__file__).resolve().parent) -> Path | None:
    """The repository root: the nearest folder above `start` that holds reference/codes/."""
    for folder in (start, *start.parents):
        if (folder / "reference" / "codes").is_dir():
            return folder
    return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=None,
                        help="repository root holding reference/ (default: the one this package "
                             "is installed from, else the current folder's)")
    parser.add_argument("--out", type=Path, default=None,
                        help="hand-out folder to write or check (default: ROOT/skeleton)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 listing every file that differs")
    parser.add_argument("--zip", type=Path, default=None, metavar="PATH",
                        help="also write the hand-out with MNIST as a zip at PATH")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    root = args.root or find_root() or find_root(Path.cwd())
    if root is None or not (root / "reference" / "codes").is_dir():
        raise ConfigError(f"{root or Path.cwd()}: no reference/codes/ here; pass --root "
                          "with the repository root")
    out = args.out or root / "skeleton"
    handout = build_handout(root)
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
        write_zip(handout, root / "data" / "mnist", args.zip)
        print(f"wrote {args.zip}")
    return 0
