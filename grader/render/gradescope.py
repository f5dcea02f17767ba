"""results.json exactly as Gradescope reads it (docs/gradescope-results.md).

Numbers are JSON numbers, every test has score/max_score/status/name/output/visibility/tags, text
uses Unix line ends. Staff-only text (Outcome.detail, tracebacks) goes only into one test with
visibility "hidden". `results_from_json` reads our own results.json back (for the gradebook).
"""
from __future__ import annotations

from grader.render import max_points
from grader.render.feedback import render_feedback
from grader.results import GRADER_ERROR, PASSED, GradeResult, Outcome

STUDENT_VISIBLE = ("visible",)  # the overall `output` is shown at once: list only these tests
STAFF_TEST_NAME = "Details for staff"
STAFF_EXTRA = ("sandbox", "requests", "input", "late", "grader_failed")
"""GradeResult.extra entries copied to results.json's extra_data for the staff: which isolation
mode ran, how many requests the suite made, the input (source, content hash, submission time),
the late record (grader/late.py), and whether the failure was the grader's (retried by a batch)."""


def _text(s: str) -> str:
    return s.replace("\r\n", "\n").replace("\r", "\n")


def _number(x: float) -> float:
    return round(float(x), 6)


def _test(o: Outcome) -> dict:
    passed = o.passed and o.score >= o.max_score
    extra = {"test": o.test, "status": o.status}
    if o.status == GRADER_ERROR:  # not at stake until a TA decides: 0 of 0 here, its points kept aside
        extra["points"] = _number(o.max_score)
    return {
        "name": _text(o.name or o.test),
        "score": _number(o.score),
        "max_score": _number(o.max_score if o.status != GRADER_ERROR else 0.0),
        "status": "passed" if passed else "failed",
        "output": _text(o.message),
        "visibility": o.visibility,
        "tags": list(o.tags),
        "extra_data": extra,
    }


def _staff_test(text: str) -> dict:
    return {"name": STAFF_TEST_NAME, "score": 0.0, "max_score": 0.0, "status": "passed",
            "output": _text(text), "visibility": "hidden", "tags": ["staff"],
            "extra_data": {"synthetic": True}}


def _staff_details(result: GradeResult) -> str:
    parts = [f"{o.test}: {o.detail}" for o in result.outcomes if o.detail]
    if result.extra.get("detail"):
        parts.append(str(result.extra["detail"]))
    return "\n\n".join(parts)


def render_results_json(result: GradeResult) -> dict:
    """The results.json dict; a could_not_grade result still gives a valid one: a failed visible
    test saying so (worth the assignment's points, from extra["max_score"]) and hidden details."""
    if result.error is not None:
        tests = [{"name": "Grading", "score": 0.0,
                  "max_score": _number(max_points(result)), "status": "failed",
                  "output": _text(f"The grader could not grade this submission: {result.error}"),
                  "visibility": "visible", "tags": [], "extra_data": {"synthetic": True}}]
    else:
        tests = [_test(o) for o in result.outcomes]
    details = _staff_details(result)
    if details:
        tests.append(_staff_test(details))
    data = {
        "score": _number(result.total),
        "execution_time": _number(result.execution_time_s),
        "output": _text(render_feedback(result, visibilities=STUDENT_VISIBLE)),
        "output_format": "md",
        "test_output_format": "text",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"student_id": result.student_id, "could_not_grade": result.error is not None,
                       "error": result.error, "notes": list(result.notes),
                       "grader_errors": list(result.grader_errors), "late_penalty": _number(result.late_penalty),
                       **{k: result.extra[k] for k in STAFF_EXTRA if k in result.extra}},
    }
    if result.leaderboard:
        data["leaderboard"] = [{"name": n, "value": _number(v), "order": order}
                               for n, v, order in result.leaderboard]
    return data


def results_from_json(data: dict) -> GradeResult:
    """Read back a results.json written by render_results_json (scores, statuses, notes, figures,
    the late penalty and the staff records the gradebook needs)."""
    extra = data.get("extra_data", {})
    student_id, notes = str(extra.get("student_id", "")), tuple(extra.get("notes", ()))
    kept = {k: extra[k] for k in STAFF_EXTRA if k in extra}
    common = {"notes": notes, "execution_time_s": data.get("execution_time", 0.0),
              "late_penalty": float(extra.get("late_penalty", 0.0))}
    if extra.get("could_not_grade"):
        max_score = sum(t["max_score"] for t in data["tests"] if t.get("visibility") == "visible")
        return GradeResult.could_not_grade(student_id, str(extra.get("error") or ""),
                                           extra={"max_score": max_score, **kept}, **common)
    outcomes = tuple(
        Outcome(test=t["extra_data"]["test"], name=t["name"], status=t["extra_data"].get("status", PASSED),
                score=t["score"], max_score=t["extra_data"].get("points", t["max_score"]),
                message=t.get("output", ""), visibility=t.get("visibility", "visible"), tags=tuple(t.get("tags", ())))
        for t in data["tests"] if not t.get("extra_data", {}).get("synthetic"))
    leaderboard = tuple((str(e["name"]), float(e["value"]), str(e.get("order", "desc")))
                        for e in data.get("leaderboard", ()))
    return GradeResult(student_id, outcomes, leaderboard=leaderboard, extra=kept, **common)
