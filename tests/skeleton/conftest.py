"""Fixtures for the hand-out generator's tests: the real repository and small fake ones."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.skeleton import main

REPO = Path(__file__).resolve().parents[2]

MINI_TOML = """name = "mini"
assignment = "../assignment"
"""
MINI_ASSIGNMENT = """name = "mini"
reference = "../reference/codes"
student_files = ["mod.py"]
[points."mod.py:Thing"]
test_thing_run = 3
"""
MINI_CODE = """import math


class Thing:
    \"\"\"Doubles.\"\"\"

    def __init__(self):
        self.k = 2

    def run(self, x):
        # TODO START
        return self.k * x
        # TODO END
"""


@pytest.fixture(scope="session")
def handout(tmp_path_factory) -> Path:
    """The hand-out generated from this repository's reference/ into a temp folder."""
    out = tmp_path_factory.mktemp("handout") / "skeleton"
    assert main(["--root", str(REPO), "--out", str(out)]) == 0
    return out


@pytest.fixture
def mini_root(tmp_path) -> Path:
    """A minimal repository: one reference file with one block, and an analyzer file."""
    (tmp_path / "reference" / "codes").mkdir(parents=True)
    (tmp_path / "reference" / "handout.toml").write_text(MINI_TOML)
    (tmp_path / "assignment" / "hidden").mkdir(parents=True)
    (tmp_path / "assignment" / "assignment.toml").write_text(MINI_ASSIGNMENT)
    (tmp_path / "reference" / "codes" / "mod.py").write_text(MINI_CODE)
    (tmp_path / "code_analyze").mkdir()
    shutil.copy(REPO / "code_analyze" / "blocks.py", tmp_path / "code_analyze" / "blocks.py")
    return tmp_path
