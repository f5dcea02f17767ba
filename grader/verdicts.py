"""From pytest's reports to verdicts: one Outcome per hidden test, scored from the [points] table.

A student's fault (a wrong answer, an exception in their code, a timeout) fails the test; an
exception from trusted code (a check, a fixture, the sandbox) is a grader error, never counted
against the student. A test marked depends_on pays only when the tests it names passed.
"""
from __future__ import annotations

import re

import pytest

from grader.assignment import Assignment
from grader.proxy import NotImplementedByStudent, StudentError, StudentImportError, StudentTimeout, WorkerCrashed
from grader.results import BONUS, ERROR, FAILED, GRADER_ERROR, NOT_IMPLEMENTED, PASSED, Outcome

MAX_DETAIL_CHARS = 20_000


GRADER_ERROR_MESSAGE = ("could not be checked: grader error; the course staff will review it, and it does not "
                        "count against you")


class PrerequisiteFailed(AssertionError):
    """A test that only pays when another passed (a backward checked against the student's own
    forward pays only when that forward is right): raised at setup when it did not."""


class PrerequisiteNotImplemented(PrerequisiteFailed):
    """The test it depends on found the student's code still unfilled."""


_MISSING_ATTRIBUTE = re.compile(r"module '(\w+)' has no attribute '(\w+)'")


def classify(exc: BaseException, when: str, feedback: str) -> tuple[str, str]:
    """(status, student-facing message) for an exception raised in a test's setup or call."""
    def with_hint(text: str) -> str:
        return "; ".join(t for t in (feedback, text) if t)

    if isinstance(exc, PrerequisiteNotImplemented | NotImplementedByStudent):
        return NOT_IMPLEMENTED, "not implemented"
    if isinstance(exc, PrerequisiteFailed):
        return FAILED, str(exc)
    if isinstance(exc, NotImplementedByStudent):
        return NOT_IMPLEMENTED, "not implemented"
    if isinstance(exc, (StudentTimeout, WorkerCrashed)):
        return ERROR, exc.message
    if isinstance(exc, StudentImportError):
        if exc.type_name == "FileNotFoundError":
            return ERROR, exc.message
        return ERROR, f"could not import your code: {exc.type_name}: {exc.message}" + (
            f" ({exc.where})" if exc.where else "")
    if isinstance(exc, StudentError):
        status = FAILED if when == "call" else ERROR
        where = f" ({exc.where})" if exc.where else ""
        missing = _MISSING_ATTRIBUTE.fullmatch(exc.message) if exc.type_name == "AttributeError" else None
        if missing:
            return status, with_hint(f"your {missing[1]}.py has no {missing[2]}, which the hand-out defines")
        return status, with_hint(f"your code raised {exc.type_name}: {exc.message.splitlines()[0] if exc.message else ''}{where}")
    first_line = (str(exc).strip().splitlines() or [""])[0]
    if isinstance(exc, AssertionError) and when == "call":
        return FAILED, with_hint(first_line)
    # Anything else was raised by trusted code (a check, a fixture, the sandbox): never the student's fault.
    return GRADER_ERROR, GRADER_ERROR_MESSAGE


class OutcomeCollector:
    """Builds one Outcome per hidden test from pytest's reports (pass counted only at call;
    a failure in any phase counts; a setup failure is an error, not a wrong answer)."""

    def __init__(self, assignment: Assignment):
        self.assignment = assignment
        self.outcomes: dict[str, Outcome] = {}
        self.fractions: dict[str, float] = {}
        self.leaderboard: dict[str, list[tuple[str, float, str]]] = {}
        self.config_errors: list[str] = []
        self._points: dict[str, float] = {}

    def pytest_collection_modifyitems(self, items) -> None:
        names = [item.originalname for item in items]
        table = self.assignment.points
        missing = sorted(set(names) - set(table))
        stale = sorted(set(table) - set(names))
        if missing or stale:
            self.config_errors.append(
                "[points] in assignment.toml does not match the hidden tests: "
                + "; ".join(filter(None, [missing and f"no points for {', '.join(missing)}",
                                          stale and f"no test named {', '.join(stale)}"])))
            items[:] = []
        for item in items:  # a parametrized test shares its points among its cases
            self._points[item.nodeid] = table[item.originalname] / names.count(item.originalname)

    def outcome_of(self, test: str) -> Outcome | None:
        """The outcome of the test function named `test` (all its cases passed, if parametrized)."""
        found = [o for o in self.outcomes.values() if o.test == test]
        if not found:
            return None
        return next((o for o in found if not o.passed), found[0])

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.config_errors.append(f"hidden test {report.nodeid or 'folder'} could not be collected: "
                                      + str(report.longrepr).strip().splitlines()[-1])

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if report.when == "call" or not report.passed:
            previous = self.outcomes.get(item.nodeid)
            if previous is None or previous.passed:
                self.outcomes[item.nodeid] = self._outcome(item, call, report)
        return report

    def _outcome(self, item, call, report) -> Outcome:
        marker = item.get_closest_marker("feedback")
        feedback = str(marker.args[0]) if marker and marker.args else ""
        status, message, detail = PASSED, "", ""
        if report.skipped:
            status, message = ERROR, "not run: " + str(report.longrepr[-1] if isinstance(report.longrepr, tuple) else "")
        elif report.failed:
            exc = call.excinfo.value if call.excinfo else Exception("failed")
            status, message = classify(exc, report.when, feedback)
            detail = report.longreprtext + (f"\n--- student traceback ---\n{exc.traceback_text}"
                                            if isinstance(exc, StudentError) else "")
        points = self._points.get(item.nodeid, 0.0)
        score = points if status == PASSED else 0.0
        if item.nodeid in self.fractions and status in (PASSED, FAILED):
            score = points * self.fractions[item.nodeid]
        doc = (getattr(item.function, "__doc__", None) or "").strip().splitlines()
        name = doc[0] if doc else item.name
        if doc and hasattr(item, "callspec"):  # a parametrized test's cases share a docstring
            name += f" ({item.callspec.id})"
        return Outcome(test=item.originalname, name=name, status=status,
                       score=round(score, 6), max_score=points, message=message,
                       detail=detail[-MAX_DETAIL_CHARS:], leaderboard=tuple(self.leaderboard.get(item.nodeid, ())),
                       tags=(BONUS,) if item.originalname in self.assignment.bonus_tests else (),
                       visibility=self.assignment.visibility.get(item.originalname,
                                                                 self.assignment.default_visibility))
