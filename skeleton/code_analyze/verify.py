"""Staff side: regenerate a submission's summary.txt and say whether the submitted one matches.

Used by the grader's intake; the findings are one-line, student-facing sentences.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from code_analyze.blocks import split_lines
from code_analyze.summary import RULE, analyze_dirs, problems, render_summary

RERUN = "run `python code_analyze/analyze.py` and submit the summary.txt it writes"


@dataclass(frozen=True)
class VerifyReport:
    matches: bool  # the submitted summary.txt says what the regenerated one says
    problems: list[str]  # one-line findings for the student, in a stable order
    regenerated: str  # the summary.txt the analyzer writes for this submission


def verify_submission(pristine_dir: Path, codes_dir: Path,
                      summary_path: Path | None) -> VerifyReport:
    """Raises FileNotFoundError if `pristine_dir` is not a folder: that is the staff's setup."""
    if not pristine_dir.is_dir():
        raise FileNotFoundError(f"{pristine_dir}: the pristine codes are not a folder")
    analysis = analyze_dirs(pristine_dir, codes_dir)
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
    matches = not found
    return VerifyReport(matches, found + problems(analysis), regenerated)


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
