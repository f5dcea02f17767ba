"""Code rules, read statically from the submitted files: no deep-learning framework, hand-out TODO
lines unchanged, summary.txt up to date, the required files present. Student files are never
imported, exec'd or parsed here: the analyzer reads them in a child process with CPU, memory and
time limits (code_analyze.limited), and a file it cannot read fails the rule with its reason.
Their points (0 by default: flags) are in assignment.toml."""
import pytest

from code_analyze.limited import run_verify_limited


@pytest.fixture(scope="module")
def static_report(submission, submission_root, assignment):
    """code_analyze.verify's report on the submission (imports per file, marker problems,
    whether summary.txt matches), computed once in a limited child process."""
    integrity = submission_root / assignment.layout.integrity
    return run_verify_limited(assignment.pristine_dir, submission, integrity if integrity.is_file() else None,
                              markers=assignment.handout.markers)


def unreadable(report) -> list[str]:
    return [f"{name}: {facts['reason']}" for name, facts in sorted(report["files"].items())
            if not facts["readable"] or not facts["parses"]]


@pytest.mark.feedback("the homework must be done with numpy alone: remove imports of deep-learning frameworks")
def test_no_framework_imported(static_report, assignment):
    """No deep-learning framework is imported"""
    refused = set(assignment.sandbox.refused)
    found = [f"{name} imports {module}" for name, facts in sorted(static_report["files"].items())
             for module in facts["imports"] if module.split(".")[0] in refused]
    assert not found, "; ".join(found)
    if not static_report["files"]:  # the check itself could not run (limits, crash)
        raise AssertionError("; ".join(static_report["problems"]))
    assert not unreadable(static_report), "could not be checked: " + "; ".join(unreadable(static_report))


@pytest.mark.feedback("keep the hand-out's lines outside your code intact, including the # TODO START / # TODO END markers")
def test_todo_markers_unchanged(static_report):
    """The hand-out's TODO markers are unchanged"""
    assert not static_report["marker_problems"], "; ".join(static_report["marker_problems"])
    if not static_report["files"]:
        raise AssertionError("; ".join(static_report["problems"]))


@pytest.mark.feedback("summary.txt must be the output of code_analyze/analyze.py on the code you submit")
def test_summary_matches_code(static_report):
    """summary.txt matches your code"""
    # everything the analyzer found but the marker problems, which test_todo_markers_unchanged reports
    others = [p for p in static_report["problems"] if p not in static_report["marker_problems"]]
    assert static_report["matches"], "; ".join(others)


@pytest.mark.feedback("codes/ must hold every file of the hand-out, under its original name")
def test_required_files_present(submission, assignment):
    """codes/ holds the required files"""
    missing = [name for name in assignment.layout.required if not (submission / name).is_file()]
    assert not missing, f"codes/ has no {', '.join(missing)}"
