"""Lets the tests import your mlp_numpy.py and confusion.py (one folder up) and turns a function you
have not filled yet into one line."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and call.excinfo.errisinstance(NotImplementedError):
        where = Path(str(call.excinfo.traceback[-1].path)).name
        report.longrepr = "%s is not implemented yet (%s): fill its TODO block" % (call.excinfo.value, where)
