"""The files of a whole --out folder, rebuilt from every results.json in it after any `grade` run.

gradebook.csv, report.html and the LMS exports (grader/render/) are functions of what --out holds,
not of the run that just ended: grading one zip, a subset or the whole folder, or --regrade, all
leave them complete and true. Each file is written to a temp file and renamed. The roster given
once (--roster) is kept as --out/roster.csv for later runs.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from grader.assignment import Assignment
from grader.inputs import check_id
from grader.output import write_atomic
from grader.render.exports import RENDERERS
from grader.render.gradebook import render_gradebook
from grader.render.gradescope import results_from_json
from grader.render.report_html import render_report
from grader.results import Entry, GradeResult
from grader.roster import Student, read_roster, render_roster

GRADEBOOK, REPORT, ROSTER = "gradebook.csv", "report.html", "roster.csv"


def export_file(kind: str) -> str:
    return f"{kind}.csv"


@dataclass
class Cohort:
    entries: list[Entry]
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rostered: bool = False

    @property
    def unknown(self) -> list[str]:
        """Ids graded but not on the roster."""
        return [e.student_id for e in self.entries if e.on_roster is False]

    @property
    def missing(self) -> list[str]:
        """Roster students without a submission."""
        return [e.student_id for e in self.entries if e.result is None]


def load_results(out_dir: Path) -> tuple[dict[str, GradeResult], list[str]]:
    """id -> result for every <id>/results.json under out_dir, and a warning per unreadable one."""
    results, warnings = {}, []
    for folder in sorted(p for p in Path(out_dir).iterdir() if p.is_dir()) if Path(out_dir).is_dir() else ():
        path = folder / "results.json"
        if not path.is_file():
            continue
        if check_id(folder.name) is not None:
            warnings.append(f"{folder}: not a student id grade accepts; its results are left out of the gradebook")
            continue
        try:
            result = results_from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            warnings.append(f"{path} is not a results.json written by grade; left out of the gradebook")
            continue
        # the folder's name is the id (a results.json copied by hand may say otherwise)
        results[folder.name] = replace(result, student_id=folder.name)
    return results, warnings


def entries_of(results: dict[str, GradeResult], roster: list[Student] | None) -> list[Entry]:
    """One entry per result and per roster student; names and emails from the roster, else from
    what the LMS layout gave."""
    by_key = {s.id.casefold(): s for s in roster or ()}
    entries, seen = [], set()
    for sid, result in sorted(results.items()):
        student = by_key.get(sid.casefold())
        given = result.extra.get("input") or {}
        seen.add(sid.casefold())
        entries.append(Entry(sid, result, name=student.name if student and student.name else given.get("name", ""),
                             email=student.email if student and student.email else given.get("email", ""),
                             on_roster=None if roster is None else student is not None))
    entries += [Entry(s.id, None, s.name, s.email, True) for s in roster or () if s.id.casefold() not in seen]
    return sorted(entries, key=lambda e: e.student_id)


def rebuild(out_dir: Path, assignment: Assignment, *, roster: Path | None = None,
            exports: tuple[str, ...] = ()) -> Cohort:
    """Rewrite gradebook.csv, report.html and the exports (those asked for now or written before)
    from every result under out_dir."""
    out_dir = Path(out_dir)
    students = read_roster(roster) if roster else None
    if students is not None:
        write_atomic(out_dir / ROSTER, render_roster(students))
    elif (out_dir / ROSTER).is_file():
        students = read_roster(out_dir / ROSTER)
    results, warnings = load_results(out_dir)
    cohort = Cohort(entries_of(results, students), warnings=warnings, rostered=students is not None)
    files = {GRADEBOOK: render_gradebook(cohort.entries, assignment=assignment),
             REPORT: render_report(cohort.entries, assignment)}
    for kind in sorted(set(exports) | {k for k in RENDERERS if (out_dir / export_file(k)).is_file()}):
        files[export_file(kind)] = RENDERERS[kind](cohort.entries, assignment.title)
    for name, text in files.items():
        write_atomic(out_dir / name, text)
        cohort.written.append(out_dir / name)
    return cohort
