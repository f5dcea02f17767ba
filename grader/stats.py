"""Cohort figures for the end-of-batch table and report.html: plain functions of the entries.

Scores are totals (after any late penalty) of graded submissions; a could-not-grade result counts
in the counts but not in the score statistics (it has no score to speak of, and the reason is
listed). Pass rates are over graded submissions.
"""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from grader.results import COULD_NOT_GRADE, GRADED, NO_SUBMISSION, NOT_IMPLEMENTED, Entry

HISTOGRAM_BINS = 10


@dataclass(frozen=True)
class Summary:
    graded: int
    could_not_grade: int
    no_submission: int
    mean: float | None
    median: float | None
    max_score: float


def summarize(entries: Sequence[Entry]) -> Summary:
    scores = [e.result.total for e in entries if e.status == GRADED]
    maxima = [e.result.max_score for e in entries if e.status == GRADED] or [
        float(e.result.extra.get("max_score", 0.0)) for e in entries if e.status == COULD_NOT_GRADE]
    return Summary(graded=len(scores), could_not_grade=sum(e.status == COULD_NOT_GRADE for e in entries),
                   no_submission=sum(e.status == NO_SUBMISSION for e in entries),
                   mean=round(statistics.fmean(scores), 2) if scores else None,
                   median=round(statistics.median(scores), 2) if scores else None,
                   max_score=max(maxima, default=0.0))


def histogram(entries: Sequence[Entry], max_score: float, bins: int = HISTOGRAM_BINS) -> list[tuple[str, int]]:
    """(label, count) per tenth of the maximum; totals above it (bonus) count in the last bin."""
    counts = [0] * bins
    for e in entries:
        if e.status == GRADED and max_score > 0:
            counts[min(bins - 1, int(e.result.total / max_score * bins))] += 1
    step = max_score / bins if max_score else 0
    return [(f"{i * step:g}-{(i + 1) * step:g}", n) for i, n in enumerate(counts)]


@dataclass(frozen=True)
class PassRate:
    test: str
    name: str
    points: float
    passed: int
    graded: int

    @property
    def rate(self) -> float:
        return self.passed / self.graded if self.graded else 0.0


def pass_rates(entries: Sequence[Entry]) -> list[PassRate]:
    """Per test, how many graded submissions passed it; the most failed first."""
    found: dict[str, list] = {}
    for e in entries:
        if e.status != GRADED:
            continue
        for o in e.result.outcomes:
            row = found.setdefault(o.test, [o.name or o.test, o.max_score, 0, 0])
            row[2] += o.passed
            row[3] += 1
    rates = [PassRate(t, name, pts, passed, n) for t, (name, pts, passed, n) in found.items()]
    return sorted(rates, key=lambda r: (r.rate, -r.points, r.test))


def group_rates(entries: Sequence[Entry], groups: dict[str, tuple[str, ...]]
                ) -> list[tuple[str, int, float | None, float]]:
    """Per point group: (group, tests, share of its points earned (None for a 0-point group of
    flags), share of submissions passing all its tests), in the assignment's order."""
    graded = [e.result for e in entries if e.status == GRADED]
    rows = []
    for group, tests in groups.items():
        earned = possible = all_passed = 0.0
        for r in graded:
            mine = [o for o in r.outcomes if o.test in tests]
            earned += sum(o.score for o in mine)
            possible += sum(o.max_score for o in mine)
            all_passed += bool(mine) and all(o.passed for o in mine)
        rows.append((group, len(tests), earned / possible if possible else None,
                     all_passed / len(graded) if graded else 0.0))
    return rows


def failure_causes(entries: Sequence[Entry], limit: int = 20) -> list[tuple[str, int, int]]:
    """One cause, one row: (message, submissions it struck, tests it failed) for the messages of
    tests that failed or could not be checked ("not implemented" aside), those that failed the
    most tests first (an import error that broke 45 tests is one row with 45)."""
    causes: dict[str, list] = {}
    for e in entries:
        if e.status != GRADED:
            continue
        for o in e.result.outcomes:
            if not o.passed and o.message and o.status != NOT_IMPLEMENTED:
                row = causes.setdefault(o.message, [set(), 0])
                row[0].add(e.student_id)
                row[1] += 1
    ranked = sorted(((m, len(ids), n) for m, (ids, n) in causes.items()), key=lambda c: (-c[2], -c[1], c[0]))
    return ranked[:limit]


def figure_ranges(entries: Sequence[Entry]) -> list[tuple[str, float, float, float, int]]:
    """Per leaderboard figure: (name, min, median, max, submissions with it)."""
    values: dict[str, list[float]] = {}
    for e in entries:
        if e.result is not None:
            for name, value, _ in e.result.leaderboard:
                values.setdefault(name, []).append(value)
    return [(n, min(v), statistics.median(v), max(v), len(v)) for n, v in sorted(values.items())]


def slowest(entries: Sequence[Entry], limit: int = 10) -> list[Entry]:
    timed = [e for e in entries if e.result is not None]
    return sorted(timed, key=lambda e: (-e.result.execution_time_s, e.student_id))[:limit]
