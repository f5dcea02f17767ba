"""A stuck student method costs one timeout, not one per test: real workers (fallback, and
bubblewrap when it works), the proxy alone and the whole hidden suite."""
import textwrap
from pathlib import Path

import pytest

from grader.assignment import Limits, load_assignment
from grader.plugin import run_hidden_tests
from grader.proxy import StudentProxy, StudentTimeout
from grader.sandbox import Sandbox, bwrap_works

LIMITS = Limits(call_timeout_s=1, memory_mb=1024, cpu_s=60, max_output_kb=4)
SANDBOX_MODES = [pytest.param(True, id="bwrap", marks=pytest.mark.skipif(not bwrap_works(), reason="no bwrap")),
                 pytest.param(False, id="fallback")]

LAYERS = """
class Stuck:
    def forward(self, x):
        while True:
            pass
    def backward(self, g):
        return g

def spin():
    while True:
        pass

def fine():
    return 7
"""


@pytest.mark.parametrize("sandbox", SANDBOX_MODES)
def test_a_timed_out_method_fails_at_once_afterwards(tmp_path, sandbox):
    codes = tmp_path / "codes"
    codes.mkdir()
    (codes / "layers.py").write_text(LAYERS)
    student = StudentProxy(Sandbox(codes, None, ["layers"], LIMITS, sandbox=sandbox), LIMITS, ["layers"])
    try:
        with pytest.raises(StudentTimeout, match=r"^Timeout: timed out after 1 s$"):
            student.layers.Stuck().forward(1)
        assert student._worker is None  # the timeout killed the worker
        with pytest.raises(StudentTimeout) as again:
            student.layers.Stuck().forward(2)  # a new object, the same method
        assert again.value.message == "skipped: timed out earlier (Stuck.forward timed out after 1 s)"
        requests = student.requests
        with pytest.raises(StudentTimeout, match="skipped: timed out earlier"):
            student.layers.Stuck().forward(3)
        assert student.requests == requests + 2  # the constructor and `.forward` were sent, never the call
        assert student.layers.Stuck().backward(5) == 5  # other methods of the class still run
        with pytest.raises(StudentTimeout, match="timed out after 1 s"):
            student.layers.spin()
        worker = student._ensure_worker()
        with pytest.raises(StudentTimeout, match=r"skipped: timed out earlier \(layers.spin timed out"):
            student.layers.spin()
        assert student._worker is worker and student.layers.fine() == 7  # the skip did not cost a worker
    finally:
        student.close()


HIDDEN = '''
def test_forward(student):
    """forward"""
    student.layers.Stuck().forward(1)

def test_forward_again(student):
    """forward again"""
    student.layers.Stuck().forward(2)

def test_backward_uses_forward(student):
    """backward after forward"""
    layer = student.layers.Stuck()
    layer.forward(3)
    assert layer.backward(4) == 4

def test_backward_alone(student):
    """backward alone"""
    assert student.layers.Stuck().backward(4) == 4
'''


@pytest.mark.parametrize("sandbox", SANDBOX_MODES)
def test_the_suite_pays_one_timeout_for_a_stuck_method(tmp_path, sandbox):
    root = tmp_path / "a"
    (root / "ref").mkdir(parents=True)
    (root / "ref" / "layers.py").write_text("")
    (root / "hidden").mkdir()
    (root / "hidden" / "test_stuck_hidden.py").write_text(HIDDEN)
    (root / "assignment.toml").write_text(textwrap.dedent("""\
        name = "stuck"
        reference = "ref"
        hidden = "hidden"
        [submission]
        required = ["layers.py"]
        [points]
        test_forward = 1
        test_forward_again = 1
        test_backward_uses_forward = 1
        test_backward_alone = 1
        """))
    codes = tmp_path / "s" / "codes"
    codes.mkdir(parents=True)
    (codes / "layers.py").write_text(LAYERS)
    outcomes, _, extra = run_hidden_tests(load_assignment(root), codes, limits=LIMITS, sandbox=sandbox)
    got = {o.test: (o.status, o.message) for o in outcomes}
    skipped = ("error", "skipped: timed out earlier (Stuck.forward timed out after 1 s)")
    assert got == {"test_forward": ("error", "timed out after 1 s"), "test_forward_again": skipped,
                   "test_backward_uses_forward": skipped, "test_backward_alone": ("passed", "")}
