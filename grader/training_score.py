"""A short training run that the parent scores, as hidden tests of every assignment that trains use
it: the worker trains at the course's learning rates in order, within a time budget, until one
reaches full points; the parent computes each accuracy from what came back; the best one counts,
with partial credit between two thresholds.

Why several rates: a mistake already charged elsewhere (a gradient summed over the batch where the
spec takes the mean) changes the scale of the learning rate, and a smaller rate then trains; one
cause is charged once.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from grader.proxy import StudentTimeout


def best_accuracy(run: Callable[[float, float], tuple[float, str]], rates: Sequence[float], budget_s: float,
                  limit_s: float, full: float) -> tuple[float, list[str]]:
    """(the best accuracy, what run said of each rate tried). run(rate, timeout_s) trains at that rate
    and returns (accuracy, a line for the student). The tries stop at full points, when the budget
    is spent, or at a timeout (which is the student's failure only on the first try)."""
    deadline = time.monotonic() + budget_s
    best, tried = 0.0, []
    for rate in rates:
        remaining = min(deadline - time.monotonic(), limit_s)
        if tried and remaining <= 0:
            break
        try:
            accuracy, said = run(rate, max(remaining, 1.0))
        except StudentTimeout:
            if not tried:
                raise
            break
        tried.append(said)
        best = max(best, accuracy)
        if best >= full:
            break
    return best, tried


def award(best: float, tried: Sequence[str], zero: float, full: float, record_score, leaderboard) -> None:
    """Points from none below `zero` to all from `full`, linear between; the accuracy on the
    leaderboard; an AssertionError (the student's line) when short of full points."""
    leaderboard("accuracy (%)", round(100 * best, 2))
    record_score(min(1.0, max(0.0, (best - zero) / (full - zero))))
    if best < full:
        raise AssertionError(f"test accuracy {best:.2%}, full points from {full:.0%}, none below {zero:.0%} "
                             f"({'; '.join(tried)})")
