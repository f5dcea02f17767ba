"""grader.training_score: the rates are tried in order until full points, within the budget; a timeout
is the student's failure only on the first try; points are linear between the two thresholds."""
import pytest

from grader.proxy import StudentTimeout
from grader.training_score import award, best_accuracy


def runner(accuracies, calls, timeout_at=None):
    def run(rate, timeout_s):
        calls.append((rate, timeout_s))
        if rate == timeout_at:
            raise StudentTimeout(timeout_s)
        return accuracies[rate], f"{accuracies[rate]:.0%} at {rate:g}"
    return run


def test_tries_rates_in_order_until_full_points_and_keeps_the_best():
    calls = []
    best, tried = best_accuracy(runner({0.5: 0.40, 0.05: 0.96, 0.005: 0.99}, calls), [0.5, 0.05, 0.005],
                                budget_s=100, limit_s=30, full=0.95)
    assert best == 0.96 and tried == ["40% at 0.5", "96% at 0.05"]
    assert [rate for rate, _ in calls] == [0.5, 0.05] and all(0 < t <= 30 for _, t in calls)


def test_the_best_of_all_counts_when_none_reaches_full_points():
    best, tried = best_accuracy(runner({1: 0.7, 2: 0.9, 3: 0.8}, []), [1, 2, 3], 100, 30, full=0.95)
    assert best == 0.9 and len(tried) == 3


def test_a_timeout_fails_the_first_try_and_ends_later_ones():
    with pytest.raises(StudentTimeout):
        best_accuracy(runner({}, [], timeout_at=1), [1, 2], 100, 30, full=0.95)
    calls = []
    best, tried = best_accuracy(runner({1: 0.5, 3: 0.99}, calls, timeout_at=2), [1, 2, 3], 100, 30, full=0.95)
    assert best == 0.5 and tried == ["50% at 1"] and [r for r, _ in calls] == [1, 2]


def test_a_spent_budget_stops_after_the_first_try():
    calls = []
    best, _ = best_accuracy(runner({1: 0.5, 2: 0.99}, calls), [1, 2], budget_s=0, limit_s=30, full=0.95)
    assert best == 0.5 and [r for r, _ in calls] == [1]
    assert calls[0][1] == 1.0  # even a spent budget gives the first try a second


def test_award_is_linear_between_the_thresholds():
    scores, boards = [], []
    award(0.97, ["97%"], 0.85, 0.95, scores.append, lambda *a: boards.append(a))
    with pytest.raises(AssertionError, match=r"test accuracy 90.00%, full points from 95%, none below 85% \(90%\)"):
        award(0.90, ["90%"], 0.85, 0.95, scores.append, lambda *a: boards.append(a))
    with pytest.raises(AssertionError):
        award(0.50, ["50%"], 0.85, 0.95, scores.append, lambda *a: boards.append(a))
    assert scores == [1.0, pytest.approx(0.5), 0.0]
    assert boards == [("accuracy (%)", 97.0), ("accuracy (%)", 90.0), ("accuracy (%)", 50.0)]
