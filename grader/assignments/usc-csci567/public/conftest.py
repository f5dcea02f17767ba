"""Lets the tests import neural_networks.py (one folder up) and turns a part you have not filled yet
into one line."""
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and call.excinfo.errisinstance(NotImplementedError):
        report.longrepr = "%s: fill this TODO part of neural_networks.py" % call.excinfo.value


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
    """The finite-difference gradient the backward passes are compared with."""
    return _numeric_gradient
