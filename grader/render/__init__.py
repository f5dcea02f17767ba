"""One output each, as pure functions of a GradeResult (or of a cohort of them): terminal table,
results.json, feedback.md, gradebook.csv, LMS exports, report.html, the end-of-batch summary.
Nothing here reads or writes files (grader/output.py and grader/cohort.py do)."""
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


def grouped(outcomes) -> list[tuple[Outcome, ...]]:
    """The outcomes in order, with those that failed for one cause (same status and message, say
    an import error that broke 45 tests) folded into one group at the first one's place. "not
    implemented" is not a shared cause: each test names its own unfilled block."""
    groups: dict[tuple, list[Outcome]] = {}
    order: list[tuple] = []
    for i, o in enumerate(outcomes):
        shared = not o.passed and o.message and o.status != NOT_IMPLEMENTED
        key = (o.status, o.message) if shared else (i,)
        if key not in groups:
            order.append(key)
        groups.setdefault(key, []).append(o)
    return [tuple(groups[key]) for key in order]


def group_label(group: tuple[Outcome, ...], limit: int = 3) -> str:
    """"test a" for one test; "3 tests: a, b, c" or "45 tests: a, b, c and 42 more" for a group."""
    if len(group) == 1:
        return test_label(group[0])
    names = [test_label(o) for o in group[:limit]]
    more = f" and {len(group) - limit} more" if len(group) > limit else ""
    return f"{len(group)} tests: {', '.join(names)}{more}"


def figures(result: GradeResult) -> list[tuple[str, str]]:
    """The leaderboard figures (name, value as text), e.g. ("accuracy (%)", "97.83")."""
    return [(name, f"{value:g}") for name, value, _ in result.leaderboard]
