"""Property-based fuzzing of the zip intake and the analyzer, with a small seeded budget for CI
(bench/fuzz_long.py runs the same properties for longer): every generated input gets a result or
one clear error line, never an unhandled exception."""
import importlib.util
import sys
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

_spec = importlib.util.spec_from_file_location("fuzz_props", Path(__file__).with_name("fuzz_props.py"))
props = sys.modules.setdefault("fuzz_props", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(props)

CI = settings(max_examples=50, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
VALID_ZIP = props.build_zip([("s/codes/layers.py", b"import numpy as np\n" * 20, "file"),
                             ("s/summary.txt", b"summary\n", "file"), ("s/Report.md", b"# r\n", "file")])


@CI
@given(st.binary(max_size=2000))
def test_intake_random_bytes(data):
    assert props.check_intake(data) == "refused"


@CI
@given(props.ARCHIVES)
@example([("\n", b"", "symlink")])  # found by bench/fuzz_long.py: a newline in the one-line error
@example([("s/codes/layers.py", b"x", "file"), ("s/w\n.npy", b"", "file")])
def test_intake_generated_archives(entries):
    props.check_intake(props.build_zip(entries))


def _central_directory_version(value: int) -> list[tuple[int, int]]:
    return [(VALID_ZIP.index(b"PK\x01\x02") + 6, value)]


@CI
@given(props.MUTATIONS)
@example(_central_directory_version(64))  # found by bench/fuzz_long.py: zipfile raised NotImplementedError
def test_intake_corrupted_zip(mutations):
    props.check_intake(props.mutate(VALID_ZIP, mutations))


def test_intake_property_sees_both_outcomes():
    """The property is not vacuous: a good zip opens, a slip is refused."""
    assert props.check_intake(VALID_ZIP) == "ok"
    assert props.check_intake(props.build_zip([("../x.py", b"x", "file")])) == "refused"


@CI
@given(st.binary(max_size=3000))
def test_analyzer_random_bytes(data):
    props.check_analyzer(data)


@CI
@given(props.python_sources())
def test_analyzer_generated_python(source):
    props.check_analyzer(source)


@CI
@given(props.REFERENCE_EDITS)
def test_analyzer_edited_reference(edits):
    props.check_analyzer(props.edit_reference(edits))


@settings(max_examples=25, derandomize=True, deadline=None, database=None)
@given(props.python_sources(), st.binary(max_size=500))
def test_verify_generated_submissions(source, summary):
    assert props.check_verify(source, summary) is False  # a random summary never matches
