"""One cause is one row, figures and late penalties in every output, LMS exports, terminal safety."""
import csv
import io

from grader.render.exports import render_canvas, render_moodle
from grader.render.feedback import render_feedback
from grader.render.gradebook import render_gradebook
from grader.render.terminal import render_terminal
from grader.results import ERROR, FAILED, NOT_IMPLEMENTED, PASSED, Entry, GradeResult, Outcome
from grader.textsafe import csv_cell, terminal_text

IMPORT_ERROR = "could not import your code: SyntaxError: invalid syntax (codes/layers.py line 3)"
BROKEN_IMPORT = GradeResult("2023000001", tuple(
    Outcome(f"test_layer_{i:02d}", f"layer check {i:02d}", ERROR, 0.0, 1.0, IMPORT_ERROR) for i in range(45)) + (
    Outcome("test_loss", "loss", FAILED, 0.0, 2.0, "loss is off by 2"),
    Outcome("test_stub_a", "stub a", NOT_IMPLEMENTED, 0.0, 1.0, "not implemented"),
    Outcome("test_stub_b", "stub b", NOT_IMPLEMENTED, 0.0, 1.0, "not implemented"),
    Outcome("test_accuracy", "accuracy on MNIST", PASSED, 5.0, 5.0, leaderboard=(("accuracy (%)", 97.83, "desc"),)),
), leaderboard=(("accuracy (%)", 97.83, "desc"),), late_penalty=1.0,
    extra={"late": {"deadline": "2026-10-01T23:59:00+08:00", "submitted_at": "2026-10-02T02:00:00+08:00",
                    "late_by_s": 7260, "fraction": 0.2, "marker_only": False, "penalty": 1.0}})


def test_one_cause_is_one_row_in_the_table_and_the_feedback():
    table = render_terminal(BROKEN_IMPORT, width=200)
    assert table.count(IMPORT_ERROR) == 1
    assert "45 tests: layer check 00, layer check 01, layer check 02 and 42 more" in table and "0/45" in table
    assert "stub a" in table and "stub b" in table  # each unfilled block keeps its own row
    feedback = render_feedback(BROKEN_IMPORT)
    assert feedback.count("SyntaxError") == 1
    line = next(line for line in feedback.splitlines() if "SyntaxError" in line)
    assert line.startswith("- **45 tests: layer check 00, layer check 01,") and "layer check 44" in line
    assert "(0 / 45, could not be checked)" in line


def test_figures_and_late_penalty_in_table_feedback_and_gradebook():
    table = render_terminal(BROKEN_IMPORT, width=200)
    assert "accuracy (%)" in table and "97.83" in table
    assert "Late penalty" in table and "-1" in table and "4/54" in table  # 5 points, 1 off for lateness
    assert "submitted 2 h 1 min after the deadline (2026-10-01T23:59:00+08:00): -20%" in table
    feedback = render_feedback(BROKEN_IMPORT)
    assert "accuracy (%): **97.83**" in feedback and "**Score: 4 / 54**" in feedback
    assert "(-1 of 5 points)" in feedback
    rows = list(csv.DictReader(io.StringIO(render_gradebook([BROKEN_IMPORT]), newline="")))
    assert rows[0]["accuracy (%)"] == "97.83" and rows[0]["late_penalty"] == "1" and rows[0]["total"] == "4"
    assert rows[0]["late_hours"] == "2.02" and rows[0]["notes"] == "late"


def test_student_text_reaches_the_terminal_without_escape_sequences():
    nasty = "\x1b]52;c;cHduZWQ=\x07clipboard \x1b[2J\x1b[31mred\x1b[0m \x9b2J [bold]markup[/bold] \u202eevil"
    result = GradeResult("2023000002", (Outcome("test_x", "x " + nasty, FAILED, 0.0, 1.0, nasty),), notes=(nasty,))
    table = render_terminal(result, width=300)
    assert "\x1b" not in table and "\x9b" not in table and "\x07" not in table and "\u202e" not in table
    assert "clipboard red  [bold]markup[/bold] evil" in table  # shown as plain text, never as markup
    assert terminal_text(nasty) == "clipboard red  [bold]markup[/bold] evil"


def test_csv_cell_neutralises_every_formula_prefix():
    for prefix in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_cell(prefix + "cmd") == "'" + prefix + "cmd"
    assert csv_cell("2023000001") == "2023000001" and csv_cell("Li Lei") == "Li Lei"


def test_exports_leave_out_what_has_no_grade_to_import():
    graded = GradeResult("2023000003", (Outcome("t", "t", PASSED, 2.0, 2.0),),
                         extra={"input": {"layout": "canvas"}})
    ours = GradeResult.could_not_grade("2023000004", "grading stopped: timed out", extra={"grader_failed": True})
    theirs = GradeResult.could_not_grade("2023000005", "no codes/ folder", extra={"max_score": 2.0})
    entries = [Entry("2023000003", graded, "=Wang", "w@u.edu", True), Entry("2023000004", ours, on_roster=True),
               Entry("2023000005", theirs, "Li", "l@u.edu", True), Entry("2023000006", None, "Absent", "a@u.edu", True),
               Entry("2099000000", graded, on_roster=False)]
    canvas = render_canvas(entries, "HW1")
    assert canvas.startswith("\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,HW1\r\n")
    assert canvas.splitlines()[1:] == ["'=Wang,2023000003,,,,2", "Li,,2023000005,,,0", ",2099000000,,,,2"]
    moodle = render_moodle(entries, "HW1")
    assert moodle.splitlines()[1:] == ["2023000003,w@u.edu,'=Wang,2,2 / 2; details in feedback.md",
                                       "2023000005,l@u.edu,Li,0,could not grade: no codes/ folder"]
