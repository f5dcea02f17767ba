"""Fixtures of the similarity tests; the cohort builders live in planting.py (also used by bench/)."""
import importlib.util
from pathlib import Path

import pytest


def _load_planting():
    spec = importlib.util.spec_from_file_location("similarity_planting", Path(__file__).with_name("planting.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PLANTING = _load_planting()


@pytest.fixture(scope="session")
def planting():
    return PLANTING


@pytest.fixture(scope="session")
def planted(tmp_path_factory):
    """(submission folders, label -> honest students its code comes from)."""
    return PLANTING.planted_cohort(tmp_path_factory.mktemp("planted"))
