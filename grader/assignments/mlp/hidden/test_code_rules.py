"""Code rules, read statically from the submitted files (never imported here): no deep-learning
framework, hand-out TODO lines unchanged, summary.txt up to date, the required files present.
Their points (0 by default: flags) are in assignment.toml."""
from pathlib import Path

import libcst as cst
from libcst.helpers import get_full_name_for_node
import pytest
from code_analyze.verify import verify_submission


class FrameworkImports(cst.CSTVisitor):
    """Top-level package names of `import x`, `from x import y`, `__import__("x")` and
    `importlib.import_module("x")` that are in `banned`."""

    def __init__(self, banned):
        super().__init__()
        self.banned, self.found = set(banned), []

    def _add(self, dotted: str) -> None:
        if dotted.split(".")[0] in self.banned:
            self.found.append(dotted)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self._add(get_full_name_for_node(alias.name) or "")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None and not node.relative:
            self._add(get_full_name_for_node(node.module) or "")

    def visit_Call(self, node: cst.Call) -> None:
        name = get_full_name_for_node(node.func) or ""
        if name.split(".")[-1] in ("__import__", "import_module") and node.args:
            value = node.args[0].value
            if isinstance(value, cst.SimpleString):
                self._add(value.evaluated_value)


def marker_problems(report) -> list[str]:
    return [p for p in report.problems if "markers missing" in p or "changed or removed" in p]


def python_files(codes: Path):
    return sorted(p for p in codes.rglob("*.py") if p.is_file())


@pytest.mark.feedback("the homework must be done with numpy alone: remove imports of deep-learning frameworks")
def test_no_framework_imported(submission, assignment):
    """No deep-learning framework is imported"""
    found = []
    for path in python_files(submission):
        try:
            module = cst.parse_module(path.read_bytes())
        except cst.ParserSyntaxError:
            continue  # the import tests already report a file that does not parse
        visitor = FrameworkImports(assignment.sandbox.refused)
        module.visit(visitor)
        found += [f"{path.relative_to(submission)} imports {name}" for name in visitor.found]
    assert not found, "; ".join(found)


@pytest.mark.feedback("keep the hand-out's lines outside your code intact, including the # TODO START / # TODO END markers")
def test_todo_markers_unchanged(submission, assignment):
    """The hand-out's TODO markers are unchanged"""
    report = verify_submission(assignment.pristine_dir, submission, None)
    assert not marker_problems(report), "; ".join(marker_problems(report))


@pytest.mark.feedback("summary.txt must be the output of code_analyze/analyze.py on the code you submit")
def test_summary_matches_code(submission, submission_root, assignment):
    """summary.txt matches your code"""
    report = verify_submission(assignment.pristine_dir, submission, submission_root / assignment.layout.integrity)
    # everything else the analyzer found (missing or unparsable files...) but the marker problems,
    # which test_todo_markers_unchanged reports
    others = [p for p in report.problems if p not in marker_problems(report)]
    assert report.matches, "; ".join(others)


@pytest.mark.feedback("codes/ must hold every file of the hand-out, under its original name")
def test_required_files_present(submission, assignment):
    """codes/ holds the required files"""
    missing = [name for name in assignment.layout.required if not (submission / name).is_file()]
    assert not missing, f"codes/ has no {', '.join(missing)}"
