"""`--roster roster.csv`: the students who should have submitted (id, name, email).

Columns are found by their header, in any order and any case, under the spellings LMS exports and
spreadsheets use ("Student ID", "ID number", "SIS User ID", "Email address", "学号"...); a UTF-8
BOM (Excel's) is fine; a Moodle grading worksheet's "Participant 1234567" identifiers become the
participant ids its downloads are named with. The roster is kept in --out as roster.csv, so a
later `grade` into the same folder keeps its rows.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError
from grader.textsafe import FORMULA_PREFIXES, csv_cell

MAX_ROSTER_BYTES = 16 * 2**20
HEADERS = {
    "id": ("id", "student id", "studentid", "student_id", "student number", "student no", "sid", "id number",
           "idnumber", "sis user id", "sis_user_id", "user id", "userid", "identifier", "login", "username",
           "学号", "编号"),
    "name": ("name", "full name", "fullname", "student", "student name", "display name", "姓名", "名字"),
    "email": ("email", "email address", "e-mail", "e-mail address", "mail", "邮箱", "电子邮件", "电子邮箱"),
}
_FIRST, _LAST = ("first name", "firstname", "given name"), ("last name", "lastname", "surname", "family name")
_PARTICIPANT = re.compile(r"participant\s+(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""
    email: str = ""


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    keys = [" ".join(h.strip().lower().replace("_", " ").split()) for h in header]
    wanted = [" ".join(n.replace("_", " ").split()) for n in names]
    return next((keys.index(n) for n in wanted if n in keys), None)


def read_roster(path: Path) -> list[Student]:
    """The students of a roster CSV, in file order. GraderError (exit 2) names the line to fix."""
    try:
        if path.stat().st_size > MAX_ROSTER_BYTES:
            raise GraderError(f"{path}: larger than {MAX_ROSTER_BYTES // 2**20} MiB; is this the roster?")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise GraderError(f"{path}: cannot read the roster ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise GraderError(f"{path}: not UTF-8 text; save the roster as CSV UTF-8") from None
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)]
    if not rows:
        raise GraderError(f"{path}: the roster is empty; it needs a header row (id, name, email) and a row per student")
    header = rows[0]
    cols = {key: _column(header, names) for key, names in HEADERS.items()}
    if cols["id"] is None:
        raise GraderError(f"{path}: no id column in the header ({', '.join(header)[:200]}); name one 'id'")
    first, last = _column(header, _FIRST), _column(header, _LAST)
    students, seen = [], {}
    for line, row in enumerate(rows[1:], start=2):
        def cell(i):
            value = row[i].strip() if i is not None and i < len(row) else ""
            # an apostrophe before a formula prefix is how spreadsheets (and render_roster) quote it
            return value[1:] if value[:1] == "'" and value[1:2] in FORMULA_PREFIXES else value
        sid = cell(cols["id"])
        if m := _PARTICIPANT.fullmatch(sid):
            sid = m[1]
        if not sid:
            raise GraderError(f"{path}: line {line} has no id; fill it in or delete the line")
        if sid.casefold() in seen:
            raise GraderError(f"{path}: line {line}: id {sid} is also on line {seen[sid.casefold()]}; keep one")
        seen[sid.casefold()] = line
        name = cell(cols["name"]) or " ".join(filter(None, (cell(first), cell(last))))
        students.append(Student(sid, name, cell(cols["email"])))
    return students


def render_roster(students: list[Student]) -> str:
    """The roster as grade keeps it in --out (id, name, email; cells safe for spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # CRLF (RFC 4180): a CR inside a cell is quoted too
    writer.writerow(["id", "name", "email"])
    for s in students:
        writer.writerow([csv_cell(s.id), csv_cell(s.name), csv_cell(s.email)])
    return out.getvalue()
