"""Lateness: when a submission came in, and what [late] in assignment.toml charges for it.

The time comes from the LMS when its layout gives one (Gradescope's created_at), else from the
file's modification time (for a folder: its newest file). Canvas's `late` marker carries no time:
with a file time after the deadline that time is charged as usual; with one before it the
submission is recorded as "late (LMS marker), time unknown" and charged nothing, so a TA decides
(docs/batch.md).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from pathlib import Path

from grader.assignment import LatePolicy
from grader.results import GradeResult

HOUR_S = 3600
DAY_S = 24 * HOUR_S
MAX_FOLDER_FILES = 10_000  # a folder's time is its newest file's; stop looking after this many


def file_time(path: Path) -> dt.datetime:
    """The modification time of a file, or of the newest file in a folder (UTC)."""
    path = Path(path)
    stamp = path.stat().st_mtime
    if path.is_dir():
        files = (p for p in itertools.islice(path.rglob("*"), MAX_FOLDER_FILES) if p.is_file() and not p.is_symlink())
        stamp = max((p.stat().st_mtime for p in files), default=stamp)
    return dt.datetime.fromtimestamp(stamp, dt.timezone.utc)


def iso(when: dt.datetime) -> str:
    return when.isoformat(timespec="seconds")


def lateness(policy: LatePolicy, submitted_at: dt.datetime, marked_late: bool = False) -> dict | None:
    """The late record ({deadline, submitted_at, late_by_s, fraction, marker_only}), or None
    when the submission is on time and no LMS marked it late."""
    late_by_s = max(0, math.ceil((submitted_at - policy.deadline).total_seconds()))
    if late_by_s == 0 and not marked_late:
        return None
    if policy.penalty_per_hour:
        fraction = math.ceil(late_by_s / HOUR_S) * policy.penalty_per_hour
    else:
        fraction = math.ceil(late_by_s / DAY_S) * policy.penalty_per_day
    return {"deadline": iso(policy.deadline), "submitted_at": iso(submitted_at), "late_by_s": late_by_s,
            "fraction": round(min(policy.cap, fraction), 6), "marker_only": late_by_s == 0}


def apply_late(result: GradeResult, policy: LatePolicy | None, submitted_at: dt.datetime | None,
               marked_late: bool = False) -> GradeResult:
    """`result` with its late record in extra["late"] and the penalty charged (a could-not-grade
    result is charged nothing: it has no points)."""
    if policy is None or submitted_at is None:
        return result
    record = lateness(policy, submitted_at, marked_late)
    if record is None:
        return result
    penalty = 0.0 if result.error is not None else round(result.score * record["fraction"], 6)
    return dataclasses.replace(result, late_penalty=penalty, extra={**result.extra, "late": {**record, "penalty": penalty}})


def describe(late: dict) -> str:
    """`late` (a late record) in words: "26 h 5 min late (deadline ...): -20 %"."""
    if late.get("marker_only"):
        return "marked late by the LMS (no time known): no penalty applied"
    minutes = math.ceil(late["late_by_s"] / 60)
    days, rest = divmod(minutes, 24 * 60)
    span = " ".join(f"{n} {unit}" for n, unit in ((days, "d"), (rest // 60, "h"), (rest % 60, "min")) if n)
    cost = f"-{late['fraction']:.0%}" if late["fraction"] else "no penalty"
    return f"submitted {span} after the deadline ({late['deadline']}): {cost}"
