"""End to end: the sandboxed worker reads the data files beside the student's code, finds no test
label in them, and the parent's dataset(name, as_stored=True) matches what the student read."""
import textwrap

import pytest

from grader.assignment import Limits, load_assignment
from grader.plugin import run_hidden_tests
from grader.sandbox import bwrap_works

LIMITS = Limits(call_timeout_s=20, task_timeout_s=20, memory_mb=1024, cpu_s=60)

STUDENT = '''
import gzip, json, os
import numpy as np

def json_split(split):
    with open("mnist_subset.json") as f:
        x, y = json.load(f)[split]
    return np.array(x), np.array(y)

def files():
    return sorted(os.listdir("."))
'''

HIDDEN = '''
import numpy as np

def test_worker_sees_no_test_labels(student, dataset):
    """the worker's data"""
    stored = dataset("subset", as_stored=True)
    x, y = student.layers.json_split("train")
    assert np.array_equal(x, stored["train"].images) and np.array_equal(y, stored["train"].labels)
    x, y = student.layers.json_split("test")
    assert np.array_equal(x, stored["test"].images) and (y == -1).all() and (stored["test"].labels >= 0).all()
    assert student.layers.files() == ["layers.py", "mnist_subset.json", "t10k-images-idx3-ubyte.gz",
                                      "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
'''


@pytest.mark.parametrize("sandbox", [pytest.param(True, id="bwrap", marks=pytest.mark.skipif(
    not bwrap_works(), reason="no bwrap")), pytest.param(False, id="fallback")])
def test_the_worker_reads_the_declared_sets_without_test_labels(course, tmp_path, sandbox):
    (course / "ref").mkdir()
    (course / "ref" / "layers.py").write_text(STUDENT)
    (course / "hidden").mkdir()
    (course / "hidden" / "test_data_hidden.py").write_text(HIDDEN)
    (course / "assignment.toml").write_text(textwrap.dedent('''\
        reference = "ref"
        hidden = "hidden"
        [submission]
        required = ["layers.py"]
        [sandbox]
        data = ["subset", "digits"]
        [data.subset]
        source = "idx"
        format = "json"
        sizes = {train = 50, valid = 10, test = 20}
        [data.digits]
        source = "idx"
        [points]
        test_worker_sees_no_test_labels = 1
        '''))
    codes = tmp_path / "submission" / "codes"
    codes.mkdir(parents=True)
    (codes / "layers.py").write_text(STUDENT)
    (outcome,), _, _ = run_hidden_tests(load_assignment(course), codes, limits=LIMITS, sandbox=sandbox)
    assert outcome.passed, outcome.message
