"""gradebook.csv: one row per student (sorted ids), columns id, total, max, one per test, error.

Test columns come in the order given (the assignment's points table), then any others sorted,
so the same results always give the same bytes.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from grader.render import format_points, max_points
from grader.results import GradeResult


def _cell(text: str) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula; ids and errors come from students."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def gradebook_columns(results: Iterable[GradeResult], order: Sequence[str] = ()) -> list[str]:
    seen = {o.test for r in results for o in r.outcomes}
    return list(order) + sorted(seen - set(order))


def render_gradebook(results: Iterable[GradeResult], order: Sequence[str] = ()) -> str:
    results = sorted(results, key=lambda r: r.student_id)
    tests = gradebook_columns(results, order)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "total", "max", *tests, "error"])
    for r in results:
        scores = {o.test: format_points(o.score) for o in r.outcomes}
        writer.writerow([_cell(r.student_id), format_points(r.score), format_points(max_points(r)),
                         *(scores.get(t, "") for t in tests), _cell(r.error or "")])
    return out.getvalue()
