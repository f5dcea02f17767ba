"""`python -m grader.datasets [--assignment DIR]`: build an assignment's data sets into the cache.

Grading then never builds: run it once where the grader is installed (Gradescope's setup.sh), as
the user who grades, with the same MLP_GRADER_CACHE, if set.
"""
from __future__ import annotations

import argparse
import sys
import time

from grader.assignment import load_assignment
from grader.datasets import build
from grader.datasets.cache import cache_dir


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.datasets", description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", metavar="DIR", help="assignment folder (default: the built-in mlp)")
    args = parser.parse_args(argv)
    assignment = load_assignment(args.assignment)
    if not assignment.data:
        print(f"{assignment.root}: declares no [data.*] set; nothing to build")
    for name, spec in sorted(assignment.data.items()):
        start = time.perf_counter()
        entry = build(spec, assignment.root)
        what = "built" if entry.built else "cached"
        print(f"{name}: {spec.format} {what} in {time.perf_counter() - start:.2f} s: {entry.path}")
    print(f"cache: {cache_dir()}")
    return 0


if __name__ == "__main__":
    from grader.cli import datasets_main

    sys.exit(datasets_main())
