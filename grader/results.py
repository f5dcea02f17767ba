"""What grading found: plain, frozen records with no I/O (the renderers in grader/render/ print them)."""
from __future__ import annotations

from dataclasses import dataclass, field

PASSED = "passed"
FAILED = "failed"  # the student's answer is wrong
NOT_IMPLEMENTED = "not_implemented"  # the block still holds its stub
ERROR = "error"  # could not check because of the student's code: import failure, crash, timeout...
GRADER_ERROR = "grader_error"
"""Could not check because of OUR code (a trusted check or fixture crashed): not counted against
the student (left out of the maximum) until a TA decides; reported to the staff."""
STATUSES = (PASSED, FAILED, NOT_IMPLEMENTED, ERROR, GRADER_ERROR)
BONUS = "bonus"
"""The tag of a bonus test: its points count in the score but not in the maximum."""


@dataclass(frozen=True)
class Outcome:
    """One hidden test's verdict for one submission."""

    test: str
    """The test function's name, e.g. "test_gelu_backward"; the key of the points table."""
    name: str
    """What students read: the first line of the test's docstring."""
    status: str
    """One of STATUSES."""
    score: float
    max_score: float
    message: str = ""
    """Student-facing reason when not passed ("timed out after 10 s", the feedback marker's hint...)."""
    detail: str = ""
    """Staff-only detail (assertion text, the student's traceback); never shown to students."""
    visibility: str = "after_due_date"
    """Gradescope visibility of this test."""
    tags: tuple[str, ...] = ()
    leaderboard: tuple[tuple[str, float, str], ...] = ()
    """(name, value, "asc" | "desc") figures the test recorded with the `leaderboard` fixture."""

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def bonus(self) -> bool:
        return BONUS in self.tags

    @property
    def counted(self) -> bool:
        """Whether the test's points are at stake: not for a bonus or a grader error."""
        return not self.bonus and self.status != GRADER_ERROR


@dataclass(frozen=True)
class GradeResult:
    """Everything graded about one submission."""

    student_id: str
    outcomes: tuple[Outcome, ...] = ()
    notes: tuple[str, ...] = ()
    """Student-facing notes that cost no points (layout flags, overflow warnings, summary mismatch)."""
    error: str | None = None
    """Set only by could_not_grade(): why the submission could not be graded at all."""
    execution_time_s: float = 0.0
    leaderboard: tuple[tuple[str, float, str], ...] = ()
    """(name, value, "asc" | "desc"), e.g. ("accuracy", 0.981, "desc")."""
    extra: dict = field(default_factory=dict)
    late_penalty: float = 0.0
    """Points lateness cost ([late] in assignment.toml, grader/late.py); `total` is after it."""

    @classmethod
    def could_not_grade(cls, student_id: str, reason: str, **kwargs) -> "GradeResult":
        return cls(student_id, (), error=reason, **kwargs)

    @property
    def score(self) -> float:
        """Every test's score, bonus included (so it may exceed max_score)."""
        return round(sum(o.score for o in self.outcomes), 6)

    @property
    def total(self) -> float:
        """The score after the late penalty: what the student gets."""
        return round(max(0.0, self.score - self.late_penalty), 6)

    @property
    def max_score(self) -> float:
        """The points at stake: bonus tests and grader errors left out."""
        return round(sum(o.max_score for o in self.outcomes if o.counted), 6)

    @property
    def grader_errors(self) -> tuple[str, ...]:
        """Tests our own code could not check, for the staff to decide."""
        return tuple(o.test for o in self.outcomes if o.status == GRADER_ERROR)

    @property
    def bonus_score(self) -> float:
        return round(sum(o.score for o in self.outcomes if o.bonus), 6)


GRADED, COULD_NOT_GRADE, NO_SUBMISSION = "graded", "could not grade", "no submission"


@dataclass(frozen=True)
class Entry:
    """One gradebook row: a graded submission, a student of the roster, or both."""

    student_id: str
    result: GradeResult | None = None
    """None: a student on the roster without a submission."""
    name: str = ""
    email: str = ""
    on_roster: bool | None = None
    """None when no roster was given."""

    @property
    def status(self) -> str:
        if self.result is None:
            return NO_SUBMISSION
        return COULD_NOT_GRADE if self.result.error is not None else GRADED
