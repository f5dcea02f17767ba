"""Lets the self-checks import your scalar.py and tensor.py (the folder above this one) and turns
a function you have not written yet into one line."""
import sys
from pathlib import Path

import pytest

HANDOUT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HANDOUT))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is not None and call.excinfo.errisinstance(NotImplementedError):
        where = Path(str(call.excinfo.traceback[-1].path)).name
        report.longrepr = "%s is not implemented yet (%s): fill its TODO block" % (call.excinfo.value, where)
