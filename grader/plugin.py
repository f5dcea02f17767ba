"""Running an assignment's hidden pytest suite in the trusted parent against a sandboxed worker.

pytest, the hidden tests and the reference all live in this (parent) process; the student's code
only ever runs in the worker behind the `student` proxy. Verdicts (grader/verdicts.py) come from
pytest's reports and the [points] table, never from anything the worker says about itself.
"""
from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
import threading
from pathlib import Path
from typing import NamedTuple

import pytest

from grader import datasets
from grader.assignment import Assignment, Limits
from grader.errors import ConfigError
from grader.proxy import StudentProxy
from grader.results import NOT_IMPLEMENTED, Outcome
from grader.sandbox import Sandbox
from grader.verdicts import OutcomeCollector, PrerequisiteFailed, PrerequisiteNotImplemented


class ReferenceModules:
    """reference.<module>: the reference solution, imported lazily in the parent.

    Its files import each other by bare name (`from mod import Thing`), so each import runs
    with the reference folder first on sys.path and its module names swapped into sys.modules,
    then everything is put back: the parent never keeps a top-level student module name."""

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


class GraderPlugin:
    """The fixtures the hidden tests use, and the `feedback` marker."""

    def __init__(self, assignment: Assignment, student: StudentProxy, code_dir: Path, root: Path, limits: Limits,
                 notes: list[str], collector: OutcomeCollector):
        # Private names: pytest would read a public attribute named like a fixture as the fixture.
        self._assignment, self._student, self._code_dir, self._root = assignment, student, code_dir, root
        self._limits, self._notes, self._collector = limits, notes, collector
        self._reference = ReferenceModules(assignment.reference_code, list(assignment.layout.modules))
        self._module = None

    def pytest_configure(self, config) -> None:
        config.addinivalue_line("markers", "feedback(message): hint shown to the student when the test fails")
        config.addinivalue_line("markers", "depends_on(*tests, any=False): pays only when these earlier tests "
                                "passed (any=True: one of them), e.g. a backward checked against the student's own forward")

    def pytest_runtest_setup(self, item) -> None:
        fresh = self._assignment.sandbox.fresh_worker
        if fresh == "test" or (fresh == "module" and item.module is not self._module):
            self._student.restart()  # [sandbox] fresh_worker: nothing carries over
        self._module = item.module
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
        """The submission's code folder, for checks that read its files as text (never import,
        exec or parse them here without limits: that is what `student` and grader.static are for)."""
        return self._code_dir

    @pytest.fixture(scope="session")
    def submission_root(self) -> Path:
        """The submission's top level (report, integrity file...)."""
        return self._root

    @pytest.fixture(scope="session")
    def reference(self) -> ReferenceModules:
        return self._reference

    @pytest.fixture(scope="session")
    def dataset(self):
        """dataset(name) -> {split: Split(images, labels)} of a [data.<name>] set, read here in the
        parent (test labels included; the worker sees only datasets.worker_files). uint8 pixels;
        dataset(name, as_stored=True): the values exactly as the student's files hold them."""
        def load(name: str, as_stored: bool = False) -> dict:
            if name not in self._assignment.data:
                raise ConfigError(f"{self._assignment.root}: no [data.{name}] in assignment.toml")
            return datasets.load_splits(self._assignment.data[name], self._assignment.root, as_stored=as_stored)
        return load

    @pytest.fixture(scope="session")
    def limits(self) -> Limits:
        return self._limits

    @pytest.fixture(scope="session")
    def assignment(self) -> Assignment:
        return self._assignment

    @pytest.fixture(scope="session")
    def settings(self) -> dict:
        """The [settings] table of assignment.toml."""
        return self._assignment.settings

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


class _LeaveOut:
    """Deselects the named tests after the collector has matched every test to [points]
    (grade-skeleton --validate leaves the expensive ones out of its block-broken variants)."""

    def __init__(self, tests: frozenset[str]):
        self._tests = tests

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items) -> None:
        dropped = [item for item in items if item.originalname in self._tests]
        if dropped:
            items[:] = [item for item in items if item.originalname not in self._tests]
            config.hook.pytest_deselected(items=dropped)
class LiveStatus:
    """One status line on a terminal naming the test now running (`grade` of one submission).
    Registered only when stderr is a terminal, so nothing of it reaches a batch's logs."""

    def __init__(self):
        from rich.console import Console
        from rich.live import Live
        from rich.spinner import Spinner

        self._spinner = Spinner("dots", text="collecting the hidden tests")
        # stdout stays where run_hidden_tests sends it (pytest's own report is captured, not shown)
        self._status = Live(self._spinner, console=Console(stderr=True), transient=True, refresh_per_second=8,
                            redirect_stdout=False, redirect_stderr=False)
        self._total = self._done = 0

    @classmethod
    def on_terminal(cls) -> "LiveStatus | None":
        return cls() if sys.stderr.isatty() else None

    def pytest_collection_finish(self, session) -> None:
        self._total = len(session.items)
        self._status.start()

    def pytest_runtest_logstart(self, nodeid, location) -> None:
        self._done += 1
        self._spinner.update(text=f"test {self._done}/{self._total}: {nodeid.rsplit('::', 1)[-1]}")
        self._status.refresh()  # shown now, even when the test takes less than a refresh period

    def stop(self) -> None:
        self._status.stop()


class SuiteRun(NamedTuple):
    """What running the hidden suite gives: one Outcome per hidden test, student-facing notes, and
    staff-only figures (the isolation mode, the number of requests to the worker)."""

    outcomes: list[Outcome]
    notes: list[str]
    extra: dict


def run_hidden_tests(assignment: Assignment, code_dir: Path, *, limits: Limits | None = None,
                     sandbox: bool = True, root: Path | None = None, leave_out: frozenset[str] = frozenset()
                     ) -> SuiteRun:
    """Run the hidden suite against the code in code_dir (root: the submission's top level, by
    default its parent; leave_out: test names not run, and given no outcome). Never raises for
    what the student's code does; ConfigError for a broken assignment."""
    limits = limits or assignment.limits
    code_dir = Path(code_dir)
    modules = list(assignment.layout.modules)
    data_files = [f for name in assignment.sandbox.data for f in datasets.worker_files(assignment.data[name], assignment.root)]
    box = Sandbox(code_dir, assignment.tasks_path, modules, limits, assignment.sandbox, data_files, sandbox=sandbox,
                  shown=assignment.layout.shown(""))
    student = StudentProxy(box, limits, modules)
    notes = list(box.notes)
    collector = OutcomeCollector(assignment)
    plugin = GraderPlugin(assignment, student, code_dir, Path(root) if root else code_dir.parent, limits, notes,
                          collector)
    hidden = str(assignment.hidden_dir)
    # --tb=short: a long report (whole test source per failure) cost seconds on a skeleton.
    args = [hidden, "-q", "--tb=short", "-p", "no:cacheprovider", "-p", "no:randomly", "-p", "no:xdist",
            "-p", "no:hypothesispytest", "--rootdir", hidden, "--confcutdir", hidden,
            "--import-mode=importlib", "-c", os.devnull, "-W", "default"]
    before = set(sys.modules)
    live = LiveStatus.on_terminal()
    try:
        with contextlib.redirect_stdout(io.StringIO()) as log:
            exit_code = pytest.main(args, plugins=[plugin, collector, _LeaveOut(frozenset(leave_out)),
                                                   *([live] if live else [])])
    finally:
        if live:
            live.stop()
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
