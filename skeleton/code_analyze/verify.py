"""Staff side: regenerate a submission's summary.txt and say whether the submitted one matches.

Used by the grader's hidden tests; the findings are one-line, student-facing sentences. A file the
analyzer cannot read (undecodable, too large, too deeply nested) fails the check, with its reason.

The grader runs it on student files in a limited subprocess (code_analyze.limited):

    python -m code_analyze.verify --pristine DIR --codes DIR [--summary FILE]
                                  [--markers-json JSON] --json

prints one JSON object (ASCII) and exits 0, whatever the verdict; 2 with one line on stderr
when the pristine folder is missing or an argument is wrong:

    {"matches": bool,               the summary matches and every file could be read
     "problems": [str, ...],        one-line findings, stable order
     "marker_problems": [str, ...], those of them about TODO markers and protected lines
     "regenerated": str,            the summary.txt the analyzer writes for this submission
     "files": {"<path in codes/>": {"readable": bool, "parses": bool, "reason": str | null,
                                    "imports": [dotted module name, ...]}, ...}}

"files" covers every .py file under codes/; "imports" lists `import x.y`, `from x import y` and
`__import__("x")` / `importlib.import_module("x")` with a string literal (relative imports left out).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from code_analyze.blocks import DEFAULT_MARKERS, Markers, markers_from_json, split_lines
from code_analyze.facts import PythonFile, python_file
from code_analyze.summary import RULE, analyze_dirs, list_files, problems, render_summary

PROG = "python -m code_analyze.verify"
RERUN = "run `python code_analyze/analyze.py` and submit the summary.txt it writes"


@dataclass(frozen=True)
class VerifyReport:
    matches: bool  # the submitted summary.txt says what the regenerated one says, all files read
    problems: list[str]  # one-line findings for the student, in a stable order
    regenerated: str  # the summary.txt the analyzer writes for this submission
    marker_problems: list[str] = field(default_factory=list)  # of `problems`: markers, TODO lines
    files: tuple[PythonFile, ...] = ()  # every .py file under codes/

    def to_json(self) -> dict:
        return {"matches": self.matches, "problems": self.problems,
                "marker_problems": self.marker_problems, "regenerated": self.regenerated,
                "files": {facts.name: facts.to_json() for facts in self.files}}


def verify_submission(pristine_dir: Path, codes_dir: Path, summary_path: Path | None,
                      markers: Markers = DEFAULT_MARKERS) -> VerifyReport:
    """Raises FileNotFoundError if `pristine_dir` is not a folder: that is the staff's setup."""
    if not pristine_dir.is_dir():
        raise FileNotFoundError(f"{pristine_dir}: the pristine codes are not a folder")
    analysis = analyze_dirs(pristine_dir, codes_dir, markers)
    regenerated = render_summary(analysis)
    found: list[str] = []
    if summary_path is None or not summary_path.is_file():
        found.append(f"summary.txt is missing; {RERUN}")
    else:
        try:
            submitted = summary_path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            found.append(f"summary.txt is not UTF-8 text; {RERUN}")
        else:
            differing = differing_sections(submitted, regenerated)
            if differing:
                found.append("summary.txt differs from the regenerated one "
                             f"({', '.join(differing)}); {RERUN}")
    files = tuple(python_file(name, codes_dir / name) for name in list_files(codes_dir)
                  if name.endswith(".py")) if codes_dir.is_dir() else ()
    compared = {report.name for report in analysis.files}
    # A file summary.txt cannot speak for is never a pass: the compared ones are in problems()
    # already, the student's own files are added here.
    unread = [f"{facts.name}: {facts.reason}" for facts in files
              if not facts.readable and facts.name not in compared]
    matches = not found and not unread and not any(report.unreadable for report in analysis.files)
    listed = found + problems(analysis) + unread
    return VerifyReport(matches, listed, regenerated, problems(analysis, markers_only=True), files)


def sections(text: str) -> dict[str, list[str]]:
    """Section title -> its lines; line ends, trailing spaces and blank lines don't count."""
    lines = [line.rstrip() for line in split_lines(text)]
    found: dict[str, list[str]] = {}
    current: list[str] = found.setdefault("", [])  # anything before the first heading
    number = 0
    while number < len(lines):
        if (lines[number] == RULE and number + 2 < len(lines) and lines[number + 2] == RULE
                and lines[number + 1].startswith("# ")):
            current = found.setdefault(lines[number + 1][2:], [])
            number += 3
            continue
        if lines[number]:
            current.append(lines[number])
        number += 1
    return found


def differing_sections(submitted: str, regenerated: str) -> list[str]:
    """Titles of the sections whose content differs, in the regenerated summary's order."""
    theirs, ours = sections(submitted), sections(regenerated)
    titles = [*ours, *(title for title in theirs if title not in ours)]
    return [title or "text before the first section" for title in titles
            if theirs.get(title) != ours.get(title)]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG,
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--pristine", type=Path, required=True, help="the hand-out's codes")
    parser.add_argument("--codes", type=Path, required=True, help="the submission's codes/")
    parser.add_argument("--summary", type=Path, help="the submitted summary.txt")
    parser.add_argument("--markers-json", help="the assignment's markers as a JSON object "
                        "(keys start, end, reference, protected: regular expressions)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        markers = markers_from_json(args.markers_json) if args.markers_json else DEFAULT_MARKERS
    except ValueError as exc:
        print(f"{PROG}: error: --markers-json: {exc}", file=sys.stderr)
        return 2
    try:
        report = verify_submission(args.pristine, args.codes, args.summary, markers)
    except FileNotFoundError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_json()))
        return 0
    print("\n".join(report.problems) or "summary.txt matches")
    return 0 if report.matches else 1


if __name__ == "__main__":
    sys.exit(main())
