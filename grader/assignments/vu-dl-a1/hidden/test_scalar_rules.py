"""Question 3 in plain Python: scalar.py imports nothing beyond the standard library (math, random)
and the hand-out's data.py. Read statically from the submitted file, never imported or parsed
here: code_analyze reads it in a child process with CPU, memory and time limits
(code_analyze.limited), and lists its imports (`import numpy`, `from numpy import ...`,
`importlib.import_module("numpy")`). A notebook is checked as the module it stands for."""
import sys

import pytest

from code_analyze.limited import run_verify_limited

ALLOWED = frozenset(sys.stdlib_module_names) | {"data"}
"""Top-level modules scalar.py may import: the standard library and the hand-out's loaders."""


@pytest.fixture(scope="module")
def static_report(submission, assignment):
    """code_analyze.verify's report (imports per file), computed once in a limited child process."""
    return run_verify_limited(assignment.pristine_dir, submission, None, markers=assignment.handout.markers)


@pytest.mark.depends_on("test_scalar_worked_example", "test_scalar_loss", any=True)
@pytest.mark.feedback("Question 3 must use plain Python and the math package only: no numpy in scalar.py")
def test_scalar_plain_python(static_report):
    """scalar.py uses plain Python (no numpy)"""
    facts = static_report["files"].get("scalar.py")
    if facts is None:
        raise AssertionError("; ".join(static_report["problems"]) or "scalar.py could not be checked")
    if not facts["readable"] or not facts["parses"]:
        raise AssertionError(f"scalar.py could not be checked: {facts['reason']}")
    found = sorted({m for m in facts["imports"] if m.split(".")[0] not in ALLOWED})
    assert not found, f"scalar.py imports {', '.join(found)}"
