"""A third, tiny assignment authored from scratch in a temporary folder outside the repository,
with only the keys docs/authoring.md documents: two functions in one flat file, USC-style banner
markers, a given JSON data file, a reference kept outside the assignment's folder."""
from __future__ import annotations

from pathlib import Path

import pytest

TOML = r'''name = "tiny"
title = "Two statistics in plain Python"
reference = "../solutions/tiny"      # outside this folder: the bundle carries it all the same
public = "public"

[submission]
code_folder = ""                     # flat: stats.py at the top of the submission
required = ["stats.py"]
given = ["scores.json"]              # graded from the hand-out's copy

[handout]
name = "tiny-hw"
markers = ['^\s*# TODO:', '^\s*# NOTE: DO NOT MODIFY CODE BELOW THIS']
banner = true
stub = 'raise NotImplementedError("Not Implemented function: {function}")'
readme = "handout/README.md"

[points."stats.py:mean"]
test_mean = 2
test_mean_of_one = 1

[points."stats.py:spread"]
test_spread = 2

[points."The data file"]
test_summary_of_data_file = 1

[validate]
cross_cutting = ["test_summary_of_data_file"]   # runs mean and spread together
'''

RULE = "    " + "#" * 60 + "\n"
STATS = ('''"""Two statistics of a list of numbers, and of the course's data file."""
import json
from pathlib import Path

DATA = Path(__file__).with_name("scores.json")


def mean(xs):
    """The arithmetic mean of a non-empty list."""
''' + RULE + "    # TODO: return the mean of xs\n    #       (a non-empty list of numbers)\n" + RULE + '''    total = sum(xs)
    return total / len(xs)
''' + RULE + "    # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO\n" + RULE + '''

def spread(xs):
    """The largest value minus the smallest."""
''' + RULE + "    # TODO: return max(xs) - min(xs) without calling max or min twice\n" + RULE + '''    return max(xs) - min(xs)
''' + RULE + "    # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO\n" + RULE + '''

def summary():
    """mean and spread of the scores in scores.json (given)."""
    scores = json.loads(DATA.read_text())["scores"]
    return {"mean": mean(scores), "spread": spread(scores)}
''')

SCORES = '{"scores": [71.5, 88.0, 93.25, 64.0, 79.5]}\n'

HIDDEN = '''import json

import pytest


def test_mean(student):
    """mean of a few numbers"""
    assert student.stats.mean([1.0, 2.0, 6.0]) == pytest.approx(3.0)


def test_mean_of_one(student):
    """the mean of one number is that number"""
    assert student.stats.mean([4.5]) == pytest.approx(4.5)


def test_spread(student):
    """spread is the largest minus the smallest"""
    assert student.stats.spread([3.0, -1.0, 2.0]) == pytest.approx(4.0)


@pytest.mark.feedback("summary() must give the mean and the spread of scores.json")
def test_summary_of_data_file(student, assignment):
    """summary() of the given scores.json"""
    scores = json.loads((assignment.reference_code / "scores.json").read_text())["scores"]  # the trusted copy
    want = {"mean": sum(scores) / len(scores), "spread": max(scores) - min(scores)}
    assert student.stats.summary() == pytest.approx(want)
'''

PUBLIC = '''import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # stats.py sits above tests/
import stats  # noqa: E402


def test_mean_of_two():
    assert stats.mean([2, 4]) == 3
'''

README = '''# $title

Fill the $block_count blocks of $files, between each `# TODO:` banner and the
`# NOTE: DO NOT MODIFY CODE BELOW THIS` line after it.

$blocks_table

That is $total_points points.
'''


def write_tiny(parent: Path) -> Path:
    """The assignment folder parent/tiny, its reference in parent/solutions/tiny."""
    root, reference = parent / "tiny", parent / "solutions" / "tiny"
    files = {root / "assignment.toml": TOML, root / "hidden" / "test_stats.py": HIDDEN,
             root / "public" / "test_stats.py": PUBLIC, root / "handout" / "README.md": README,
             reference / "stats.py": STATS, reference / "scores.json": SCORES}
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def tiny(tmp_path) -> Path:
    return write_tiny(tmp_path / "course")
