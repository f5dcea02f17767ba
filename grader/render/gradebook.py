"""gradebook.csv: one row per student (sorted ids), documented in docs/batch.md:

    id, name, email, status, total, max, score, bonus, late_penalty, submitted_at, late_hours,
    <one column per test>, <one per leaderboard figure>, notes, error, grader_errors, source

total = score - late_penalty (what the student gets); score includes the bonus points, max does
not; a bonus test's column is headed "<test> (bonus)". status is "graded", "could not grade" or
"no submission" (a roster student). notes holds short tags a TA filters on ("no report", "edits
outside TODO blocks", "grader error", "late", "not on roster"...). Test columns come in the order
given (the assignment's points table), then any others sorted, so the same results always give the
same bytes. Every text cell passes textsafe.csv_cell: ids and errors come from students.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from grader.assignment import Assignment
from grader.render import format_points, max_points
from grader.results import GRADER_ERROR, Entry, GradeResult
from grader.textsafe import csv_cell

FIXED = ["id", "name", "email", "status", "total", "max", "score", "bonus", "late_penalty", "submitted_at",
         "late_hours"]
TRAILING = ["notes", "error", "grader_errors", "source"]


def as_entries(items: Iterable[Entry | GradeResult]) -> list[Entry]:
    entries = [i if isinstance(i, Entry) else Entry(i.student_id, i) for i in items]
    return sorted(entries, key=lambda e: e.student_id)


def gradebook_columns(results: Iterable[GradeResult], order: Sequence[str] = ()) -> list[str]:
    seen = {o.test for r in results for o in r.outcomes}
    return list(order) + sorted(seen - set(order))


def figure_names(results: Iterable[GradeResult]) -> list[str]:
    return sorted({name for r in results for name, _, _ in r.leaderboard})


def short_notes(entry: Entry, assignment: Assignment | None = None) -> list[str]:
    """The tags of the notes column, from the result and the assignment's declarations."""
    r, tags = entry.result, []
    if entry.on_roster is False:
        tags.append("not on roster")
    if r is None:
        return tags
    if assignment is not None:
        layout = assignment.layout
        if layout.report and layout.report_note in r.notes:
            tags.append("no report")
        if layout.integrity and layout.integrity_note in r.notes:
            tags.append(f"no {layout.integrity}")
        failed = {o.test for o in r.outcomes if not o.passed}
        tags += [tag for test, tag in assignment.gradebook_notes.items() if test in failed]
    if r.grader_errors or r.extra.get("grader_failed") or any(o.status == GRADER_ERROR for o in r.outcomes):
        tags.append("grader error")
    late = r.extra.get("late")
    if late:
        tags.append("late (LMS marker, time unknown)" if late.get("marker_only") else "late")
    if any(n.startswith("an older submission") for n in r.notes):
        tags.append("older submission not graded")
    return tags


def _late_hours(r: GradeResult) -> str:
    late = r.extra.get("late") or {}
    return f"{late['late_by_s'] / 3600:.2f}" if late.get("late_by_s") else ""


def render_gradebook(items: Iterable[Entry | GradeResult], order: Sequence[str] = (), *,
                     assignment: Assignment | None = None) -> str:
    entries = as_entries(items)
    results = [e.result for e in entries if e.result is not None]
    order = order or (list(assignment.points) if assignment else ())
    tests = gradebook_columns(results, order)
    bonus = {o.test for r in results for o in r.outcomes if o.bonus} | (assignment.bonus_tests if assignment else set())
    names = figure_names(results)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # CRLF (RFC 4180): a CR inside a cell is quoted too
    writer.writerow([*FIXED, *(f"{t} (bonus)" if t in bonus else t for t in tests), *names, *TRAILING])
    for e in entries:
        r = e.result
        front = [csv_cell(e.student_id), csv_cell(e.name), csv_cell(e.email), e.status]
        notes = csv_cell("; ".join(short_notes(e, assignment)))
        if r is None:
            writer.writerow([*front, *[""] * (len(FIXED) - 4 + len(tests) + len(names)), notes, "", "", ""])
            continue
        scores = {o.test: format_points(o.score) for o in r.outcomes}
        values = {name: f"{value:g}" for name, value, _ in r.leaderboard}
        source = (r.extra.get("input") or {})
        writer.writerow([*front, format_points(r.total), format_points(max_points(r)), format_points(r.score),
                         format_points(r.bonus_score), format_points(r.late_penalty),
                         source.get("submitted_at", ""), _late_hours(r),
                         *(scores.get(t, "") for t in tests), *(values.get(n, "") for n in names),
                         notes, csv_cell(r.error or ""), csv_cell(";".join(r.grader_errors)),
                         csv_cell(source.get("source", ""))])
    return out.getvalue()
