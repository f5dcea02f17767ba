"""gradebook.csv: one row per student (sorted ids), columns id, total, max, [bonus,] one per test,
error. total includes the bonus points, max does not; the bonus column (the bonus points within
total) and each bonus test's "(bonus)" header appear when the results have bonus tests.

Test columns come in the order given (the assignment's points table), then any others sorted,
so the same results always give the same bytes.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from grader.render import format_points, max_points
from grader.textsafe import csv_cell
from grader.results import GradeResult


_cell = csv_cell  # ids and errors come from students

def gradebook_columns(results: Iterable[GradeResult], order: Sequence[str] = ()) -> list[str]:
    seen = {o.test for r in results for o in r.outcomes}
    return list(order) + sorted(seen - set(order))


def render_gradebook(results: Iterable[GradeResult], order: Sequence[str] = ()) -> str:
    results = sorted(results, key=lambda r: r.student_id)
    tests = gradebook_columns(results, order)
    bonus = {o.test for r in results for o in r.outcomes if o.bonus}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "total", "max", *(["bonus"] if bonus else []),
                     *(f"{t} (bonus)" if t in bonus else t for t in tests), "error", "grader_errors"])
    for r in results:
        scores = {o.test: format_points(o.score) for o in r.outcomes}
        writer.writerow([_cell(r.student_id), format_points(r.score), format_points(max_points(r)),
                         *([format_points(r.bonus_score)] if bonus else []),
                         *(scores.get(t, "") for t in tests), _cell(r.error or ""), ";".join(r.grader_errors)])
    return out.getvalue()
