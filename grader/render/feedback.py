"""feedback.md: what failed and why, in words a student can act on.

Only student-facing text goes in (Outcome.message, notes, the could-not-grade reason); never
Outcome.detail, which may hold hidden-test internals and reference values.
"""
from __future__ import annotations

import re
from collections.abc import Collection

from grader.late import describe
from grader.render import figures, format_points, group_label, grouped, status_word
from grader.results import GradeResult, Outcome

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def escape_md(text: str) -> str:
    """Literal text inside Markdown (student messages may hold `*`, `_`, `<`...); one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _line(group: tuple[Outcome, ...]) -> str:
    """One test, or the tests that failed for one cause, on one line."""
    o = group[0]
    points = f"{format_points(sum(g.score for g in group))} / {format_points(sum(g.max_score for g in group))}"
    why = f": {escape_md(o.message)}" if o.message and not (o.passed and o.score >= o.max_score) else ""
    return f"- **{escape_md(group_label(group, limit=len(group)))}** ({points}, {status_word(o)}){why}"


def render_feedback(result: GradeResult, *, visibilities: Collection[str] | None = None) -> str:
    """The whole feedback as Markdown. With `visibilities`, only tests of those Gradescope
    visibilities are listed and the total is left out (it would reveal the hidden tests)."""
    lines = [f"# Feedback for submission {escape_md(result.student_id)}", ""]
    if result.error is not None:
        lines += ["**The grader could not grade this submission.**", "", escape_md(result.error), ""]
    elif visibilities is None:
        bonus = (f" (bonus included: {format_points(result.bonus_score)})"
                 if any(o.bonus for o in result.outcomes) else "")
        lines += [f"**Score: {format_points(result.total)} / {format_points(result.max_score)}**{bonus}", ""]
        late = result.extra.get("late")
        if late:
            lines += [f"Late: {escape_md(describe(late))} (-{format_points(result.late_penalty)} of "
                      f"{format_points(result.score)} points)", ""]
        lines += [f"{escape_md(name)}: **{value}**" for name, value in figures(result)] + (
            [""] if result.leaderboard else [])
    if result.notes:
        lines += ["## Notes", ""] + [f"- {escape_md(n)}" for n in result.notes] + [""]
    shown = [o for o in result.outcomes if visibilities is None or o.visibility in visibilities]
    not_passed = [o for o in shown if not o.passed or o.score < o.max_score]
    passed = [o for o in shown if o not in not_passed]
    if not_passed:
        lines += ["## Tests that did not pass", ""] + [_line(g) for g in grouped(not_passed)] + [""]
    if passed:
        lines += ["## Tests passed", ""] + [_line((o,)) for o in passed] + [""]
    if result.error is None and shown and not not_passed:
        lines += ["All tests listed here passed.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
