"""Grade files the LMSs import (`grade --export canvas|moodle`), documented in docs/batch.md.

canvas.csv, for Canvas's Gradebook "Import" (the layout of its own Gradebook export):
    Student,ID,SIS User ID,SIS Login ID,Section,<assignment title>
Canvas matches a row by ID (its user id: the number in its download's file names) or SIS User ID;
a submission named by a Canvas download fills ID, any other fills SIS User ID with the id. Section
may stay empty; the grade column is matched by name (rename it "<title> (<assignment id>)" to pin it).

moodle.csv, for Moodle's Gradebook "Import > CSV file", mapping from "ID number" or "Email address":
    ID number,Email address,Full name,<assignment title>,Feedback
Moodle stops the whole import at a user it does not know, so with a roster only its students are
written. Ids from a Moodle download are participant numbers, not ID numbers: map by email then
(from a roster or Moodle's grading worksheet).

Both carry a UTF-8 BOM (spreadsheets then read the names right; both LMSs accept it) and hold a
row only for a student with a grade: a student without one is left out, so an import never writes
an empty or made-up grade, and neither does a result the grader failed to produce (a TA decides).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from grader.render import format_points
from grader.results import COULD_NOT_GRADE, GRADED, Entry
from grader.textsafe import csv_cell

EXPORTS = ("canvas", "moodle")
BOM = "\ufeff"


def _gradable(entries: Iterable[Entry]) -> list[Entry]:
    """Entries with a grade to import: graded, or could not grade for the student's own reason."""
    return [e for e in entries if e.status == GRADED
            or (e.status == COULD_NOT_GRADE and not e.result.extra.get("grader_failed"))]


def _feedback(e: Entry) -> str:
    r = e.result
    if r.error is not None:
        return f"could not grade: {r.error}"
    late = f"; late penalty -{format_points(r.late_penalty)}" if r.late_penalty else ""
    return f"{format_points(r.total)} / {format_points(r.max_score)}{late}; details in feedback.md"


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # what both LMSs' own exports use
    writer.writerow(header)
    writer.writerows([[csv_cell(c) for c in row] for row in rows])
    return BOM + out.getvalue()


def render_canvas(entries: Iterable[Entry], title: str) -> str:
    rows = []
    for e in _gradable(entries):
        canvas = (e.result.extra.get("input") or {}).get("layout") == "canvas"
        rows.append([e.name, e.student_id if canvas else "", "" if canvas else e.student_id, "", "",
                     format_points(e.result.total)])
    return _csv(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", title], rows)


def render_moodle(entries: Iterable[Entry], title: str) -> str:
    entries = list(entries)
    rostered = any(e.on_roster is not None for e in entries)
    rows = [[e.student_id, e.email, e.name, format_points(e.result.total), _feedback(e)]
            for e in _gradable(entries) if not rostered or e.on_roster]
    return _csv(["ID number", "Email address", "Full name", title, "Feedback"], rows)


RENDERERS = {"canvas": render_canvas, "moodle": render_moodle}
