"""The leaderboard path: a hidden test's `leaderboard(name, value)` reaches GradeResult.leaderboard
and results.json's `leaderboard` array, whether or not the test passes."""
import zipfile

from grader.assignment import load_assignment
from grader.render.gradescope import render_results_json
from grader.run import grade_one

HIDDEN = '''
def test_accuracy(leaderboard, record_score):
    """MNIST test accuracy"""
    leaderboard("accuracy", 93.25)
    record_score(0.5)
    assert False, "below 95%"


def test_speed(leaderboard):
    """Training time"""
    leaderboard("training time (s)", 12.5, order="asc")
'''


def test_leaderboard_reaches_results_json(tmp_path):
    root = tmp_path / "assignment"
    (root / "hidden").mkdir(parents=True)
    (root / "ref").mkdir()
    (root / "hidden" / "test_board.py").write_text(HIDDEN)
    (root / "assignment.toml").write_text('reference = "ref"\n[submission]\ncode_folder = "codes"\n'
                                          'required = ["layers.py"]\n[points]\ntest_accuracy = 4\ntest_speed = 0\n')
    zip_path = tmp_path / "s1.zip"
    with zipfile.ZipFile(zip_path, "w") as zf:
        zf.writestr("codes/layers.py", "X = 1\n")
    result = grade_one(zip_path, load_assignment(root), sandbox=False)
    assert result.leaderboard == (("accuracy", 93.25, "desc"), ("training time (s)", 12.5, "asc"))
    data = render_results_json(result)
    assert data["leaderboard"] == [{"name": "accuracy", "value": 93.25, "order": "desc"},
                                   {"name": "training time (s)", "value": 12.5, "order": "asc"}]
    assert data["score"] == 2.0  # the failed test still gave its partial credit
