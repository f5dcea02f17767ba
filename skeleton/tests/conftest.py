"""Lets the tests import your codes/ and turns a block you have not filled yet into one line."""
import sys
from pathlib import Path

import numpy as np
import pytest

CODES = Path(__file__).resolve().parent.parent / "codes"
sys.path.insert(0, str(CODES))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and call.excinfo.errisinstance(NotImplementedError):
        where = Path(str(call.excinfo.traceback[-1].path)).name
        report.longrepr = ("%s is not implemented yet (codes/%s): fill its TODO block"
                           % (call.excinfo.value, where))


def _numeric_gradient(f, x, eps=1e-6):
    """d f(x) / dx by central differences; f maps an array to a number."""
    x = x.copy()
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + eps
        plus = f(x)
        x[idx] = saved - eps
        minus = f(x)
        x[idx] = saved
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


@pytest.fixture
def numeric_gradient():
    """The finite-difference gradient every backward pass is compared with."""
    return _numeric_gradient
