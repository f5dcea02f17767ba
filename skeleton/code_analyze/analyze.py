"""Write summary.txt: what you filled in the TODO blocks and what else you changed.

Run it from the hand-out (or from anywhere) before submitting:

    python code_analyze/analyze.py

It compares code_analyze/_codes/ (the hand-out's pristine codes) with codes/ (yours) and writes
code_analyze/summary.txt; --origin-dir, --target-dir and --output override the three paths.
A course whose blocks are marked otherwise than `# TODO START` / `# TODO END` ships a
markers.json beside this script (keys start, end, reference, protected: regular expressions).
Needs Python >= 3.8 and LibCST (`pip install libcst`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if not __package__:  # run as a script: make the folder importable as the package it is
    sys.path.insert(0, str(HERE.parent))

PROG = "analyze.py"
MARKERS_FILE = HERE / "markers.json"

try:
    from code_analyze.blocks import DEFAULT_MARKERS, Markers, markers_from_json
    from code_analyze.summary import analyze_dirs, problems, render_summary, write_summary
except ModuleNotFoundError as exc:  # the one dependency outside the standard library
    if exc.name != "libcst":
        raise
    print(f"{PROG}: error: LibCST is not installed; run `pip install libcst`, then run me again",
          file=sys.stderr)
    sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--origin-dir", type=Path, default=HERE / "_codes",
                        help="the pristine codes (default: _codes/ beside this script)")
    parser.add_argument("--target-dir", type=Path, default=HERE.parent / "codes",
                        help="your codes (default: codes/ next to this script's folder)")
    parser.add_argument("--output", type=Path, default=HERE / "summary.txt",
                        help="where to write the summary (default: summary.txt beside this script)")
    return parser


def _markers() -> Markers:
    if not MARKERS_FILE.is_file():
        return DEFAULT_MARKERS
    return markers_from_json(MARKERS_FILE.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    for folder, what in ((args.origin_dir, "pristine codes"), (args.target_dir, "your codes")):
        if not folder.is_dir():
            print(f"{PROG}: error: {folder} ({what}) is not a folder; run from the hand-out or "
                  "pass --origin-dir/--target-dir", file=sys.stderr)
            return 2
    try:
        markers = _markers()
    except ValueError as exc:  # not JSON, not UTF-8, not regular expressions
        print(f"{PROG}: error: {MARKERS_FILE}: {exc}", file=sys.stderr)
        return 2
    try:
        analysis = analyze_dirs(args.origin_dir, args.target_dir, markers)
        write_summary(render_summary(analysis), args.output)
    except OSError as exc:
        print(f"{PROG}: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    filled = sum(1 for report in analysis.files for block in report.blocks
                 if not block.markers_missing and block.lines)
    total = sum(len(report.blocks) for report in analysis.files)
    print(f"wrote {args.output} ({filled} of {total} blocks filled)")
    for problem in problems(analysis):
        print(f"warning: {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
