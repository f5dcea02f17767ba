"""Running an assignment's hidden pytest suite in the trusted parent against a sandboxed worker.

pytest, the hidden tests and the reference all live in this (parent) process; the student's code
only ever runs in the worker behind the `student` proxy. Verdicts come from pytest's reports and
the [points] table, never from anything the worker says about itself.
"""
from __future__ import annotations

import contextlib
import functools
import re
import importlib
import io
import os
import sys
import threading
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

from grader.assignment import Assignment, Limits
from grader.data import REPO_MNIST_DIR, load_mnist_pixels, scale_pixels
from grader.errors import ConfigError, SandboxError
from grader.proxy import (NotImplementedByStudent, StudentError, StudentImportError, StudentProxy,
                          StudentTimeout, WorkerCrashed)
from grader.results import BONUS, ERROR, FAILED, GRADER_ERROR, NOT_IMPLEMENTED, PASSED, Outcome
from grader.sandbox import Sandbox

MAX_DETAIL_CHARS = 20_000


# --- trusted data for the tests ---------------------------------------------------------------

class ReferenceModules:
    """reference.layers etc.: the reference solution, imported lazily in the parent.

    Its files import each other by bare name (`from layers import Linear`), so each import runs
    with the reference folder first on sys.path and its module names swapped into sys.modules,
    then everything is put back: the parent never keeps a top-level `layers` or `utils`."""

    _cache: dict[tuple[Path, str], object] = {}
    _lock = threading.Lock()

    def __init__(self, reference_dir: Path, names: list[str]):
        self._dir, self._names = reference_dir, names

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in self._names:
            raise AttributeError(f"the reference has no module {name!r}")
        key = (self._dir, name)
        with self._lock:
            if key not in self._cache:
                self._import(name)
            return self._cache[key]

    def _import(self, name: str) -> None:
        saved = {n: sys.modules.pop(n) for n in self._names if n in sys.modules}
        sys.modules.update({n: m for (d, n), m in self._cache.items() if d == self._dir})
        sys.path.insert(0, str(self._dir))
        try:
            importlib.import_module(name)
        finally:
            sys.path.remove(str(self._dir))
            for n in self._names:
                module = sys.modules.pop(n, None)
                if module is not None and getattr(module, "__file__", "").startswith(str(self._dir)):
                    self._cache[(self._dir, n)] = module
            sys.modules.update(saved)


class MnistPixels(NamedTuple):
    """MNIST as the parent keeps it: images as uint8 pixels 0..255, (N, 784) and read-only (an
    eighth of float64's memory: Gradescope gives the whole grading 768 MB), labels int64. Send the
    pixels to the worker as they are; `scaled(images[:n])` gives the float64 (x - 128) / 255 of
    load_mnist_2d for a slice a unit test needs. A named tuple: use the attributes or unpack it."""

    train_images: np.ndarray
    train_y: np.ndarray
    test_images: np.ndarray
    test_y: np.ndarray

    @staticmethod
    def scaled(images: np.ndarray) -> np.ndarray:
        return scale_pixels(images)


@functools.cache
def load_mnist_once(data_dir: Path) -> MnistPixels:
    return MnistPixels(*load_mnist_pixels(data_dir))


# --- verdicts ---------------------------------------------------------------------------------

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
        return Outcome(test=item.originalname, name=doc[0] if doc else item.name, status=status,
                       score=round(score, 6), max_score=points, message=message,
                       detail=detail[-MAX_DETAIL_CHARS:], leaderboard=tuple(self.leaderboard.get(item.nodeid, ())),
                       tags=(BONUS,) if item.originalname in self.assignment.bonus_tests else (),
                       visibility=self.assignment.visibility.get(item.originalname,
                                                                 self.assignment.default_visibility))


class GraderPlugin:
    """The fixtures the hidden tests use, and the `feedback` marker."""

    def __init__(self, assignment: Assignment, student: StudentProxy, codes_dir: Path, limits: Limits,
                 notes: list[str], collector: OutcomeCollector):
        # Private names: pytest would read a public attribute named like a fixture as the fixture.
        self._assignment, self._student, self._codes_dir, self._limits = assignment, student, codes_dir, limits
        self._notes, self._collector = notes, collector
        names = [Path(f).stem for f in assignment.student_files if f.endswith(".py")]
        self._reference = ReferenceModules(assignment.reference_dir, names)

    def pytest_configure(self, config) -> None:
        config.addinivalue_line("markers", "feedback(message): hint shown to the student when the test fails")
        config.addinivalue_line("markers", "depends_on(*tests, any=False): pays only when these earlier tests "
                                "passed (any=True: one of them), e.g. a backward checked against the student's own forward")

    def pytest_runtest_setup(self, item) -> None:
        marker = item.get_closest_marker("depends_on")
        if marker is None:
            return
        outcomes = []
        for name in marker.args:
            outcome = self._collector.outcome_of(name)
            if outcome is None:
                self._collector.config_errors.append(f"{item.nodeid}: depends_on({name!r}) names no earlier "
                                                     "test; put that test before it")
                raise ConfigError(self._collector.config_errors[-1])
            outcomes.append(outcome)
        if marker.kwargs.get("any") and any(o.passed for o in outcomes):
            return
        for outcome in outcomes:
            if outcome.status == NOT_IMPLEMENTED:
                raise PrerequisiteNotImplemented("not implemented")
            if not outcome.passed:
                raise PrerequisiteFailed(f"not checked: needs \"{outcome.name}\" to pass first")

    @pytest.fixture(scope="session")
    def student(self) -> StudentProxy:
        return self._student

    @pytest.fixture(scope="session")
    def submission(self) -> Path:
        """The submission's codes/ folder, for checks that read its files as text (never import
        or exec them here: that is what `student` is for)."""
        return self._codes_dir

    @pytest.fixture(scope="session")
    def reference(self) -> ReferenceModules:
        return self._reference

    @pytest.fixture(scope="session")
    def mnist(self) -> MnistPixels:
        return load_mnist_once(Path(self._assignment.root, self._assignment.settings.get("data_dir", REPO_MNIST_DIR)))

    @pytest.fixture(scope="session")
    def limits(self) -> Limits:
        return self._limits

    @pytest.fixture(scope="session")
    def assignment(self) -> Assignment:
        return self._assignment

    @pytest.fixture
    def record_score(self, request):
        """record_score(fraction): partial credit for this test (clamped to [0, 1])."""
        def record(fraction: float) -> None:
            self._collector.fractions[request.node.nodeid] = min(1.0, max(0.0, float(fraction)))
        return record

    @pytest.fixture
    def leaderboard(self, request):
        """leaderboard(name, value, order="desc"): a figure for Gradescope's leaderboard, e.g. the
        accuracy; kept whether or not the test passes."""
        def record(name: str, value: float, order: str = "desc") -> None:
            if order not in ("asc", "desc"):
                raise ValueError(f"leaderboard order must be 'asc' or 'desc', not {order!r}")
            self._collector.leaderboard.setdefault(request.node.nodeid, []).append((str(name), float(value), order))
        return record

    @pytest.fixture(scope="session")
    def passed(self):
        """passed(test): whether that earlier test passed, e.g. to compare a backward's values only
        where its own test found them right (one cause is charged once)."""
        return lambda test: (o := self._collector.outcome_of(test)) is not None and o.passed

    @pytest.fixture(scope="session")
    def note(self):
        """note(text): a student-facing note that costs no points (shown once)."""
        return lambda text: self._notes.append(str(text)) if str(text) not in self._notes else None


class SuiteRun(NamedTuple):
    """What running the hidden suite gives: one Outcome per hidden test, student-facing notes, and
    staff-only figures (the isolation mode, the number of requests to the worker)."""

    outcomes: list[Outcome]
    notes: list[str]
    extra: dict


def run_hidden_tests(assignment: Assignment, codes_dir: Path, *, limits: Limits | None = None,
                     sandbox: bool = True) -> SuiteRun:
    """Run the hidden suite against codes_dir. Never raises for what the student's code does;
    ConfigError for a broken assignment."""
    limits = limits or assignment.limits
    modules = [Path(f).stem for f in assignment.student_files if f.endswith(".py")]
    box = Sandbox(Path(codes_dir), assignment.tasks_file, modules, limits, sandbox=sandbox)
    student = StudentProxy(box, limits, modules)
    notes = list(box.notes)
    collector = OutcomeCollector(assignment)
    plugin = GraderPlugin(assignment, student, Path(codes_dir), limits, notes, collector)
    hidden = str(assignment.hidden_dir)
    # --tb=short: a long report (whole test source per failure) cost seconds on a skeleton.
    args = [hidden, "-q", "--tb=short", "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:xdist",
            "-p", "no:hypothesispytest", "--rootdir", hidden, "--confcutdir", hidden,
            "--import-mode=importlib", "-c", os.devnull, "-W", "default"]
    before = set(sys.modules)
    try:
        with contextlib.redirect_stdout(io.StringIO()) as log:
            exit_code = pytest.main(args, plugins=[plugin, collector])
    finally:
        student.close()
        # importlib mode names test modules by their path under rootdir; forget them, or the
        # next assignment's test_x.py would silently reuse this one's module.
        for name in set(sys.modules) - before:
            if str(getattr(sys.modules[name], "__file__", "")).startswith(hidden):
                del sys.modules[name]
    if collector.config_errors:
        raise ConfigError(f"{assignment.root}: " + collector.config_errors[0])
    if exit_code == pytest.ExitCode.INTERRUPTED:
        raise KeyboardInterrupt
    if exit_code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        raise ConfigError(f"pytest could not run {hidden}: " + log.getvalue().strip()[-500:])
    if student.numpy_1x_names:
        notes.append("your code uses names numpy 2 removed or moved (" + ", ".join(student.numpy_1x_names)
                     + "); they were aliased to their numpy 2 equivalents for grading")
    extra = {"sandbox": "bubblewrap" if box.use_bwrap else "fallback", "requests": student.requests}
    return SuiteRun(list(collector.outcomes.values()), notes, extra)
