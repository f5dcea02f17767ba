"""--roster (header spellings, BOM, errors as one line) and [late] (reading and charging)."""
import datetime as dt
import textwrap

import pytest

from grader.assignment import load_assignment
from grader.errors import ConfigError, GraderError
from grader.late import apply_late, lateness
from grader.results import GradeResult, Outcome, PASSED
from grader.roster import Student, read_roster, render_roster

UTC8 = dt.timezone(dt.timedelta(hours=8))
DEADLINE = dt.datetime(2026, 10, 1, 23, 59, tzinfo=UTC8)


@pytest.mark.parametrize("text, expected", [
    ("id,name,email\n1,A,a@u\n", [Student("1", "A", "a@u")]),
    ("\ufeffStudent ID,Full Name,Email Address\n2,B,b@u\n", [Student("2", "B", "b@u")]),
    ("Email,SIS User ID,Student\nc@u,3,\"Doe, C\"\n", [Student("3", "Doe, C", "c@u")]),
    ("学号,姓名,邮箱\n2023000101,王芳,wf@u\n", [Student("2023000101", "王芳", "wf@u")]),
    ("Identifier,Full name,Email address,Status\nParticipant 1234567,D,d@u,Submitted\n",  # Moodle's worksheet
     [Student("1234567", "D", "d@u")]),
    ("ID number,First name,Surname\n5,Lei,Li\n\n,,\n", [Student("5", "Lei Li", "")]),
])
def test_roster_columns_are_found_by_their_header(tmp_path, text, expected):
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode("utf-8"))
    assert read_roster(path) == expected


@pytest.mark.parametrize("text, words", [
    ("name,email\nA,a@u\n", "no id column in the header (name, email); name one 'id'"),
    ("id,name\n1,A\n1,B\n", "line 3: id 1 is also on line 2; keep one"),
    ("id,name\n,A\n", "line 2 has no id"),
    ("", "the roster is empty"),
])
def test_roster_errors_are_one_line(tmp_path, text, words):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(GraderError) as caught:
        read_roster(path)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value) and str(caught.value).startswith(str(path))


def test_roster_kept_in_out_reads_back_the_same(tmp_path):
    students = [Student("1", "=Chen", "c@u"), Student("2", "Li, Lei", "")]
    path = tmp_path / "roster.csv"
    path.write_text(render_roster(students))
    assert path.read_text().splitlines()[1] == "1,'=Chen,c@u"
    assert read_roster(path) == students


def _assignment(tmp_path, late: str):
    root = tmp_path / "a"
    (root / "ref").mkdir(parents=True)
    (root / "hidden").mkdir()
    (root / "assignment.toml").write_text(textwrap.dedent("""\
        reference = "ref"
        hidden = "hidden"
        [submission]
        required = ["layers.py"]
        [points]
        test_a = 10
        """) + late)
    return load_assignment(root)


def test_late_table_is_read(tmp_path):
    a = _assignment(tmp_path, '[late]\ndeadline = "2026-10-01T23:59:00+08:00"\npenalty_per_hour = 0.01\ncap = 0.3\n')
    assert (a.late.deadline, a.late.penalty_per_hour, a.late.penalty_per_day, a.late.cap) == (DEADLINE, 0.01, 0.0, 0.3)
    native = _assignment(tmp_path / "b", "[late]\ndeadline = 2026-10-01T23:59:00+08:00\n")  # a TOML date-time
    assert native.late.deadline == DEADLINE and native.late.cap == 1.0
    assert _assignment(tmp_path / "c", "").late is None


@pytest.mark.parametrize("late, words", [
    ('[late]\ndeadline = "2026-10-01T23:59:00"\n', "with its UTC offset"),
    ("[late]\npenalty_per_day = 0.1\n", "with its UTC offset"),
    ('[late]\ndeadline = "2026-10-01T23:59:00Z"\npenalty_per_day = 10\n', "must be a fraction between 0 and 1"),
    ('[late]\ndeadline = "2026-10-01T23:59:00Z"\npenalty_per_day = 0.1\npenalty_per_hour = 0.01\n', "keep one"),
    ('[late]\ndeadline = "2026-10-01T23:59:00Z"\ngrace = 5\n', "[late] grace is not a known key"),
])
def test_late_table_errors_name_the_key(tmp_path, late, words):
    with pytest.raises(ConfigError, match=words.replace("[", r"\[").replace("]", r"\]")):
        _assignment(tmp_path, late)


def test_lateness_per_day_per_hour_and_cap(tmp_path):
    per_day = _assignment(tmp_path / "d", '[late]\ndeadline = "2026-10-01T23:59:00+08:00"\npenalty_per_day = 0.1\n'
                          'cap = 0.25\n').late
    per_hour = _assignment(tmp_path / "h", '[late]\ndeadline = "2026-10-01T23:59:00+08:00"\npenalty_per_hour = 0.01\n').late
    on_time = DEADLINE - dt.timedelta(seconds=1)
    assert lateness(per_day, on_time) is None and lateness(per_day, DEADLINE) is None
    assert lateness(per_day, DEADLINE + dt.timedelta(seconds=1))["fraction"] == 0.1  # a part of a day is a day
    assert lateness(per_day, DEADLINE + dt.timedelta(hours=25))["fraction"] == 0.2
    assert lateness(per_day, DEADLINE + dt.timedelta(days=9))["fraction"] == 0.25  # the cap
    assert lateness(per_hour, DEADLINE + dt.timedelta(minutes=90))["fraction"] == 0.02
    marker = lateness(per_day, on_time, marked_late=True)  # Canvas's "late" with an on-time file
    assert marker["marker_only"] and marker["fraction"] == 0 and marker["late_by_s"] == 0
    result = GradeResult("1", (Outcome("test_a", "a", PASSED, 8.0, 10.0),))
    charged = apply_late(result, per_day, DEADLINE + dt.timedelta(hours=30))
    assert (charged.score, charged.late_penalty, charged.total) == (8, 1.6, 6.4)
    assert charged.extra["late"]["late_by_s"] == 30 * 3600
    assert apply_late(result, None, DEADLINE + dt.timedelta(days=3)) is result  # no policy: nothing charged
