"""One output each, as pure functions of a GradeResult: terminal table, results.json, feedback.md,
gradebook.csv. Nothing here reads or writes files (grader/output.py does)."""
from __future__ import annotations

from grader.results import ERROR, FAILED, GRADER_ERROR, NOT_IMPLEMENTED, PASSED, GradeResult, Outcome

STATUS_WORDS = {PASSED: "passed", FAILED: "wrong answer", NOT_IMPLEMENTED: "not implemented",
                ERROR: "could not be checked", GRADER_ERROR: "grader error (staff will review)"}


def format_points(x: float) -> str:
    """2.0 -> "2", 0.5 -> "0.5": points as people write them."""
    return f"{x:g}"


def status_word(outcome: Outcome) -> str:
    """What a student reads for a status; a passed test with partial credit says so."""
    if outcome.passed and outcome.score < outcome.max_score:
        return "partly passed"
    return STATUS_WORDS.get(outcome.status, outcome.status)


def test_label(outcome: Outcome) -> str:
    """The name students read, marked when the test is a bonus."""
    name = outcome.name or outcome.test
    return f"{name} (bonus)" if outcome.bonus else name


def max_points(result: GradeResult) -> float:
    """The points at stake: a could_not_grade result has no outcomes but carries the assignment's."""
    return float(result.extra.get("max_score", 0.0)) if result.error is not None else result.max_score
