"""Fixtures for the hand-out generator's tests: the default assignment and a small one in a temp folder."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.skeleton import main

REPO = Path(__file__).resolve().parents[2]

MINI_ASSIGNMENT = """name = "mini"
[submission]
code_folder = "codes"
required = ["mod.py"]
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
MINI_TEST = '''def test_thing_run(student):
    """Thing.run doubles"""
    assert student.mod.Thing().run(3) == 6
'''


@pytest.fixture(scope="session")
def handout(tmp_path_factory) -> Path:
    """The default assignment's hand-out generated from this repository's reference/ into a temp folder."""
    out = tmp_path_factory.mktemp("handout") / "skeleton"
    assert main(["--out", str(out)]) == 0
    return out


@pytest.fixture
def mini(tmp_path) -> Path:
    """A minimal assignment folder outside the repository: one reference file with one block."""
    root = tmp_path / "mini"
    (root / "reference" / "codes").mkdir(parents=True)
    (root / "hidden").mkdir()
    (root / "assignment.toml").write_text(MINI_ASSIGNMENT)
    (root / "reference" / "codes" / "mod.py").write_text(MINI_CODE)
    (root / "hidden" / "test_mod.py").write_text(MINI_TEST)
    return root
