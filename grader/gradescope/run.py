"""Grading inside Gradescope's container: `python -m grader.gradescope.run` (run_autograder calls it).

Reads $AUTOGRADER_ROOT (default /autograder): source/gradescope.json (the choices made when the
bundle was built), submission_metadata.json (whose submission this is) and submission/ (the
student's files, or the zip they uploaded); writes results/results.json. Whatever happens, a
valid results.json is written: a submission that cannot be graded, or a bug of ours, gives a
could-not-grade result whose details are visible to staff only. Student code runs only in the
sandboxed worker (as a uid of its own when we are root, see grader/sandbox.py), never in this process.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path

from grader.assignment import Assignment, Layout, load_assignment
from grader.errors import GraderError, SubmissionError
from grader.gradescope.bundle import SETTINGS_FILE, VISIBILITIES
from grader.output import write_json
from grader.render.gradescope import render_results_json
from grader.results import GradeResult
from grader.run import grade_one

DEFAULT_ROOT = Path("/autograder")
MAX_ID_CHARS = 80
_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9._@+-]+")


def autograder_root() -> Path:
    return Path(os.environ.get("AUTOGRADER_ROOT") or DEFAULT_ROOT)


def _read_json(path: Path) -> dict:
    """A JSON object from path, or {} when it is missing or unreadable (never fatal)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        if path.exists():
            print(f"run_autograder: ignoring {path}: {e}", file=sys.stderr)
        return {}
    return data if isinstance(data, dict) else {}


def student_id(metadata: dict, fallback: str) -> str:
    """users[0].id, else its email, else the submission id, else `fallback`; safe as a file name."""
    users = metadata.get("users") if isinstance(metadata.get("users"), list) else []
    first = users[0] if users and isinstance(users[0], dict) else {}
    for value in (first.get("id"), first.get("email"), metadata.get("id"), fallback):
        text = _UNSAFE_ID_CHARS.sub("_", str(value or "")).strip("._")[:MAX_ID_CHARS]
        if text:
            return text
    return "submission"


def find_submission(folder: Path, layout: Layout) -> Path:
    """The folder itself, or the one .zip in it when the student uploaded a zip (and no code beside it:
    the layout's code folder, or for a flat layout any of its files)."""
    if not folder.is_dir():
        raise SubmissionError(f"{folder}: no submission folder; Gradescope did not provide the files")
    zips = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".zip"]
    if len(zips) == 1 and not layout.holds_code(folder):
        return zips[0]
    return folder


def with_visibility(result: GradeResult, visibility: str | None) -> GradeResult:
    """Every test at `visibility` (the bundle's --visibility), or as the assignment set it."""
    if visibility is None:
        return result
    return dataclasses.replace(result, outcomes=tuple(dataclasses.replace(o, visibility=visibility)
                                                      for o in result.outcomes))


def grade_submission(path: Path, assignment: Assignment, sid: str) -> GradeResult:
    """grade_one under the student's id; every failure becomes a could_not_grade result."""
    started = time.perf_counter()
    extra = {"max_score": assignment.max_score}
    with tempfile.TemporaryDirectory(prefix="gradescope-") as tmp:
        # intake files a submission under its path's name: give it the student's id.
        named = Path(tmp) / (sid + (".zip" if path.is_file() else ""))
        named.symlink_to(path.resolve())
        try:
            result = grade_one(named, assignment)
        except SubmissionError as e:
            result = GradeResult.could_not_grade(sid, str(e), extra=extra)
        except GraderError as e:
            result = GradeResult.could_not_grade(sid, f"the grader could not run: {e}",
                                                 extra={**extra, "detail": str(e)})
        except Exception as e:
            print(f"run_autograder: internal error ({type(e).__name__}); details in results.json "
                  "(hidden test)", file=sys.stderr)
            result = GradeResult.could_not_grade(
                sid, "internal grader error; the course staff have the details",
                extra={**extra, "detail": traceback.format_exc()})
    if result.error is not None:
        result = dataclasses.replace(result, execution_time_s=time.perf_counter() - started)
    return result


def _load(source: Path, settings: dict) -> Assignment:
    folder = settings.get("assignment")
    return load_assignment(source / folder if folder else None)


def main(argv: list[str] | None = None) -> int:
    root = autograder_root()
    settings = _read_json(root / "source" / SETTINGS_FILE)
    visibility = settings.get("visibility")
    if visibility not in (None, *VISIBILITIES):
        print(f"run_autograder: ignoring visibility {visibility!r} in {SETTINGS_FILE}", file=sys.stderr)
        visibility = None
    sid = student_id(_read_json(root / "submission_metadata.json"), "submission")
    try:
        assignment = _load(root / "source", settings)
    except GraderError as e:
        result = GradeResult.could_not_grade(sid, f"the grader is misconfigured: {e}",
                                             extra={"max_score": settings.get("max_score", 0.0), "detail": str(e)})
    else:
        try:
            path = find_submission(root / "submission", assignment.layout)
        except SubmissionError as e:
            result = GradeResult.could_not_grade(sid, str(e), extra={"max_score": assignment.max_score})
        else:
            result = grade_submission(path, assignment, sid)
    write_json(root / "results" / "results.json", render_results_json(with_visibility(result, visibility)))
    what = f"could not grade: {result.error}" if result.error else f"score {result.score:g} / {result.max_score:g}"
    print(f"run_autograder: {sid}: {what} ({result.execution_time_s:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
