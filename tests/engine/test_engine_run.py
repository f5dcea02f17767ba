"""run_hidden_tests end to end: real workers (bubblewrap when it works, and the forced fallback),
a tiny assignment built in tmp_path, and the repository's own mlp assignment."""
import shutil
import textwrap
from pathlib import Path

import pytest

from grader.assignment import Limits, load_assignment
from grader.errors import ConfigError
from grader.plugin import run_hidden_tests
from grader.results import GradeResult
from grader.sandbox import bwrap_works

REPO = Path(__file__).resolve().parents[2]
LIMITS = Limits(call_timeout_s=2, task_timeout_s=20, memory_mb=1024, cpu_s=60, max_output_kb=4)

REFERENCE_LAYERS = """
import numpy as np
def relu(x):
    return np.maximum(x, 0)
def double(x):
    return 2 * x
"""

STUDENT_LAYERS = """
import os
import numpy as np
def relu(x):
    return np.maximum(x, 0)
def double(x):
    return {double}
def hang():
    while True:
        pass
def crash():
    os._exit(3)
def hog():
    return np.ones(50 * 2**30 // 8)
def chatty():
    os.write(1, b"x" * 3_000_000)
    print("y" * 1_000_000)
    return 1
def stub():
    raise NotImplementedError
"""

HIDDEN = '''
import numpy as np
import pytest
X = np.array([[-1.0, 2.0], [3.0, -4.0]])

def test_relu(student, reference):
    """relu"""
    np.testing.assert_allclose(student.layers.relu(X), reference.layers.relu(X))

@pytest.mark.feedback("double should return 2x")
def test_double(student, reference):
    """double"""
    np.testing.assert_allclose(student.layers.double(X), reference.layers.double(X))

def test_hang(student):
    """hang"""
    student.layers.hang()

def test_crash(student):
    """crash"""
    student.layers.crash()

def test_hog(student):
    """hog"""
    student.layers.hog()

def test_chatty(student, limits):
    """chatty"""
    assert student.layers.chatty() == 1
    assert len(student.last_output) < limits.max_output_kb * 1024 + 200

def test_stub(student):
    """stub"""
    student.layers.stub()

def test_relu_again(student, reference):
    """relu after all the trouble"""
    np.testing.assert_allclose(student.layers.relu(X), reference.layers.relu(X))
'''

POINTS = dict(test_relu=1, test_double=2, test_hang=1, test_crash=1, test_hog=1, test_chatty=1,
              test_stub=1, test_relu_again=1)


def make_assignment(root: Path, points=POINTS, hidden=HIDDEN, extra=""):
    (root / "ref").mkdir(parents=True)
    (root / "ref" / "layers.py").write_text(REFERENCE_LAYERS)
    (root / "hidden").mkdir()
    (root / "hidden" / "test_tiny_hidden.py").write_text(hidden)
    table = "\n".join(f"{k} = {v}" for k, v in points.items())
    (root / "assignment.toml").write_text(textwrap.dedent(f"""\
        name = "tiny"
        reference = "ref"
        hidden = "hidden"
        [submission]
        required = ["layers.py"]
        [data.mnist]
        source = "mnist"
        [points]
        """) + table + "\n")
    return load_assignment(root)


def make_codes(root: Path, double="2 * x", source=STUDENT_LAYERS) -> Path:
    codes = root / "codes"
    codes.mkdir(parents=True)
    (codes / "layers.py").write_text(source.format(double=double))
    return codes


SANDBOX_MODES = [pytest.param(True, id="bwrap", marks=pytest.mark.skipif(not bwrap_works(), reason="no bwrap")),
                 pytest.param(False, id="fallback")]


@pytest.mark.parametrize("sandbox", SANDBOX_MODES)
def test_every_misbehaviour_gets_its_own_verdict(tmp_path, sandbox):
    assignment = make_assignment(tmp_path / "a")
    outcomes, notes, _ = run_hidden_tests(assignment, make_codes(tmp_path / "s", double="3 * x"),
                                       limits=LIMITS, sandbox=sandbox)
    got = {o.test: (o.status, o.score) for o in outcomes}
    assert got == {"test_relu": ("passed", 1), "test_double": ("failed", 0), "test_hang": ("error", 0),
                   "test_crash": ("error", 0), "test_hog": ("error", 0), "test_chatty": ("passed", 1),
                   "test_stub": ("not_implemented", 0), "test_relu_again": ("passed", 1)}
    by = {o.test: o for o in outcomes}
    assert by["test_hang"].message == "timed out after 2 s"
    assert by["test_crash"].message.startswith("worker exited with status 3")
    assert "memory" in by["test_hog"].message
    assert by["test_stub"].message == "not implemented"
    assert by["test_double"].message.startswith("double should return 2x; ")
    assert by["test_relu"].name == "relu" and by["test_double"].max_score == 2
    assert (notes == []) == sandbox  # exactly one warning without bubblewrap
    assert len(notes) == (0 if sandbox else 1)


def test_syntax_error_names_file_and_line(tmp_path):
    assignment = make_assignment(tmp_path / "a", points={"test_relu": 1}, hidden=HIDDEN.split("@pytest")[0])
    codes = make_codes(tmp_path / "s", source="import numpy as np\ndef relu(x):\n    return x +\n")
    (outcome,), _, _ = run_hidden_tests(assignment, codes, limits=LIMITS)
    assert outcome.status == "error"
    # a flat layout (no code_folder): the file is named as the student has it, at the top
    assert "(layers.py line 3)" in outcome.message and "SyntaxError" in outcome.message


FILES_HIDDEN = '''
def test_reads_files(submission):
    """reads codes/ as text"""
    assert submission.name == "codes" and "def relu" in (submission / "layers.py").read_text()


def test_fails_briefly(submission):
    """a failure's staff detail is short"""
    line_before_the_failure = 1
    assert (submission / "nothing.py").is_file(), "no nothing.py"
'''


def test_submission_fixture_and_short_failure_reports(tmp_path):
    assignment = make_assignment(tmp_path / "a", points={"test_reads_files": 1, "test_fails_briefly": 1},
                                 hidden=FILES_HIDDEN)
    outcomes, _, _ = run_hidden_tests(assignment, make_codes(tmp_path / "s"), limits=LIMITS)
    by = {o.test: o for o in outcomes}
    assert by["test_reads_files"].passed
    assert by["test_fails_briefly"].status == "failed" and by["test_fails_briefly"].message == "no nothing.py"
    # --tb=short: the failing line only, not the whole test's source
    assert "nothing.py" in by["test_fails_briefly"].detail
    assert "line_before_the_failure" not in by["test_fails_briefly"].detail


def test_bonus_tests_are_tagged_and_left_out_of_the_maximum(tmp_path):
    assignment = make_assignment(tmp_path / "a", points={"test_relu": 1, "test_double": 2},
                                 hidden=HIDDEN.split("def test_hang")[0])
    toml = tmp_path / "a" / "assignment.toml"
    toml.write_text(toml.read_text() + '[settings]\nbonus_tests = ["test_double"]\n')
    assignment = load_assignment(tmp_path / "a")
    assert assignment.max_score == 1
    outcomes, _, _ = run_hidden_tests(assignment, make_codes(tmp_path / "s"), limits=LIMITS)
    assert {o.test: o.tags for o in outcomes} == {"test_relu": (), "test_double": ("bonus",)}
    result = GradeResult("s", tuple(outcomes))
    assert (result.score, result.max_score, result.bonus_score) == (3, 1, 2)
    toml.write_text(toml.read_text().replace('"test_double"', '"test_tripple"'))
    with pytest.raises(ConfigError, match="bonus_tests names test_tripple"):
        load_assignment(tmp_path / "a")


PARAMETRIZED_HIDDEN = '''
import pytest


@pytest.mark.parametrize("x", [1.0, -2.0])
def test_relu(student, reference, x):
    """relu of one number"""
    assert student.layers.relu(x) == reference.layers.relu(x)
'''


def test_parametrized_cases_share_the_points_and_are_named_by_their_case(tmp_path):
    assignment = make_assignment(tmp_path / "a", points={"test_relu": 3}, hidden=PARAMETRIZED_HIDDEN)
    outcomes, _, _ = run_hidden_tests(assignment, make_codes(tmp_path / "s"), limits=LIMITS)
    assert [(o.name, o.max_score, o.passed) for o in outcomes] == [
        ("relu of one number (1.0)", 1.5, True), ("relu of one number (-2.0)", 1.5, True)]


MNIST_HIDDEN = '''
import numpy as np


def test_pixels(dataset):
    """the parent keeps MNIST as bytes"""
    (images, labels), (test_images, test_labels) = dataset("mnist")["train"], dataset("mnist")["test"]
    assert images.dtype == np.uint8 and images.shape == (60000, 784) and not images.flags.writeable
    assert images.nbytes + test_images.nbytes < 60 * 2**20 and labels.dtype == test_labels.dtype == np.int64
'''


def test_mnist_fixture_keeps_pixels_as_bytes(tmp_path):
    """Gradescope gives the whole grading 768 MB: MNIST as float64 was 440 MB of it."""
    assignment = make_assignment(tmp_path / "a", points={"test_pixels": 1}, hidden=MNIST_HIDDEN)
    (outcome,), _, _ = run_hidden_tests(assignment, make_codes(tmp_path / "s"), limits=LIMITS)
    assert outcome.passed, outcome.detail


def test_points_table_must_match_the_hidden_tests(tmp_path):
    assignment = make_assignment(tmp_path / "a", points={"test_relu": 1, "test_gone": 1},
                                 hidden=HIDDEN.split("@pytest")[0])
    with pytest.raises(ConfigError, match="no test named test_gone"):
        run_hidden_tests(assignment, make_codes(tmp_path / "s"), limits=LIMITS)


MLP_HIDDEN = (Path(__file__).with_name("mlp_minimal_hidden.txt")).read_text()
MLP_POINTS = dict(test_relu_forward=1, test_linear_forward=1, test_linear_backward=2,
                  test_softmax_cross_entropy_forward=1)


def test_reference_copy_full_marks_and_exact_loss(tmp_path):
    """The reference as a student copy gets everything; a wrong grad_b loses exactly 2 points."""
    root = tmp_path / "mlp"
    (root / "hidden").mkdir(parents=True)
    (root / "hidden" / "test_mlp_minimal.py").write_text(MLP_HIDDEN)
    table = "\n".join(f"{k} = {v}" for k, v in MLP_POINTS.items())
    (root / "assignment.toml").write_text(
        f'reference = "{REPO / "reference"}"\n[submission]\ncode_folder = "codes"\nrequired = ["layers.py", "loss.py"]\n'
        f'[points]\n{table}\n')
    assignment = load_assignment(root)
    outcomes, _, _ = run_hidden_tests(assignment, REPO / "reference" / "codes")
    assert [o.status for o in outcomes] == ["passed"] * len(MLP_POINTS)
    assert sum(o.score for o in outcomes) == sum(MLP_POINTS.values())

    codes = tmp_path / "codes"
    shutil.copytree(REPO / "reference" / "codes", codes)
    layers = codes / "layers.py"
    text = layers.read_text()
    assert "self.grad_b = grad_output.sum(axis=0)" in text
    layers.write_text(text.replace("self.grad_b = grad_output.sum(axis=0)", "self.grad_b = grad_output.mean(axis=0)"))
    outcomes, _, _ = run_hidden_tests(assignment, codes)
    lost = {o.test: o.max_score - o.score for o in outcomes if o.score < o.max_score}
    assert lost == {"test_linear_backward": 2}
