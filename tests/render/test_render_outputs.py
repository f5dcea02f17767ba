"""The four renderers: results.json per the Gradescope spec, feedback.md, gradebook.csv, table."""
import csv
import io
import json
import math

import pytest

from grader.output import write_atomic, write_json
from grader.render.feedback import render_feedback
from grader.render.gradebook import render_gradebook
from grader.render.gradescope import render_results_json, results_from_json
from grader.render.terminal import render_terminal
from grader.results import ERROR, FAILED, NOT_IMPLEMENTED, PASSED, GradeResult, Outcome

VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
TOP_LEVEL = {"score": "number", "execution_time": "number", "output": str, "output_format": FORMATS,
             "test_output_format": FORMATS, "test_name_format": FORMATS, "visibility": VISIBILITIES,
             "stdout_visibility": VISIBILITIES, "extra_data": dict, "tests": list, "leaderboard": list}
PER_TEST = {"score": "number", "max_score": "number", "status": {"passed", "failed"}, "name": str,
            "name_format": FORMATS, "number": str, "output": str, "output_format": FORMATS, "tags": list,
            "visibility": VISIBILITIES, "extra_data": dict}
SECRET = "reference value 0.1234 from the hidden test"


def _check(value, kind, where):
    if kind == "number":
        assert isinstance(value, (int, float)) and not isinstance(value, bool), where
        assert math.isfinite(value), where
    elif isinstance(kind, set):
        assert value in kind, where
    else:
        assert isinstance(value, kind), where


def validate_results_json(text: str) -> dict:
    """Fails unless `text` is a results.json Gradescope accepts (field names, types, values)."""
    assert "\r" not in text
    data = json.loads(text)
    assert set(data) <= set(TOP_LEVEL), set(data) - set(TOP_LEVEL)
    for key, value in data.items():
        _check(value, TOP_LEVEL[key], key)
    assert "score" in data or all("score" in t for t in data["tests"])
    for i, test in enumerate(data.get("tests", [])):
        assert set(test) <= set(PER_TEST), set(test) - set(PER_TEST)
        for key, value in test.items():
            _check(value, PER_TEST[key], f"tests[{i}].{key}")
        assert all(isinstance(tag, str) for tag in test.get("tags", []))
    for entry in data.get("leaderboard", []):
        assert set(entry) <= {"name", "value", "order"} and isinstance(entry["name"], str)
        assert entry.get("order", "desc") in {"asc", "desc"}
    return data


def outcome(test, status, score, max_score, **kw):
    return Outcome(test, kw.pop("name", f"{test} does its job"), status, score, max_score, **kw)


GRADED = GradeResult("2023000001", (
    outcome("test_linear_forward", PASSED, 2.0, 2.0, visibility="visible"),
    outcome("test_gelu_backward", FAILED, 0.0, 3.0, message="wrong sign for negative u <b>*x*</b>",
            detail=SECRET),
    outcome("test_tanh_forward", NOT_IMPLEMENTED, 0.0, 1.0, message="still raises NotImplementedError"),
    outcome("test_accuracy", PASSED, 1.5, 2.0, tags=("training",)),
    outcome("test_dropout", ERROR, 0.0, 1.0, message="timed out after 10 s", visibility="visible"),
), notes=("codes/utils.py is missing",), execution_time_s=12.3456789,
    leaderboard=(("accuracy", 0.9812, "desc"),))
BROKEN = GradeResult.could_not_grade("2023000002", "no codes/ folder; put your .py files in codes/",
                                     extra={"max_score": 9.0, "detail": "Traceback: " + SECRET})


def test_graded_result_renders_valid_results_json():
    data = validate_results_json(json.dumps(render_results_json(GRADED)))
    real = [t for t in data["tests"] if not t["extra_data"].get("synthetic")]
    assert [t["extra_data"]["test"] for t in real] == [o.test for o in GRADED.outcomes]
    assert [t["status"] for t in real] == ["passed", "failed", "failed", "failed", "failed"]
    assert data["score"] == 3.5 and data["execution_time"] == pytest.approx(12.345679)
    assert data["output_format"] == "md" and data["leaderboard"] == [
        {"name": "accuracy", "value": 0.9812, "order": "desc"}]
    staff = [t for t in data["tests"] if t["extra_data"].get("synthetic")]
    assert len(staff) == 1 and staff[0]["visibility"] == "hidden" and SECRET in staff[0]["output"]
    shown = [t for t in data["tests"] if t["visibility"] != "hidden"]
    assert all(SECRET not in t["output"] for t in shown) and SECRET not in data["output"]


def test_overall_output_lists_only_tests_visible_now():
    output = render_results_json(GRADED)["output"]
    assert "linear\\_forward" in output and "timed out after 10 s" in output
    assert "gelu" not in output and "Score" not in output  # after_due_date tests stay hidden


def test_could_not_grade_renders_valid_results_json():
    data = validate_results_json(json.dumps(render_results_json(BROKEN)))
    visible = [t for t in data["tests"] if t["visibility"] == "visible"]
    assert len(visible) == 1 and visible[0]["status"] == "failed"
    assert visible[0]["score"] == 0 and visible[0]["max_score"] == 9.0
    assert "could not grade" in visible[0]["output"] and "no codes/ folder" in visible[0]["output"]
    hidden = [t for t in data["tests"] if t["visibility"] == "hidden"]
    assert len(hidden) == 1 and SECRET in hidden[0]["output"]
    assert data["score"] == 0 and SECRET not in data["output"]


def test_results_json_reads_back_for_the_gradebook():
    for result in (GRADED, BROKEN):
        back = results_from_json(json.loads(json.dumps(render_results_json(result))))
        assert (back.student_id, back.score, back.error) == (result.student_id, result.score, result.error)
        assert [(o.test, o.status, o.score, o.max_score) for o in back.outcomes] == [
            (o.test, o.status, o.score, o.max_score) for o in result.outcomes]
    assert render_gradebook([results_from_json(render_results_json(BROKEN))]) == render_gradebook([BROKEN])


def test_feedback_says_what_failed_and_never_the_detail():
    text = render_feedback(GRADED)
    assert "**Score: 3.5 / 9**" in text
    failing = text.split("## Tests that did not pass")[1].split("## Tests passed")[0]
    for word in ("gelu\\_backward", "wrong sign", "not implemented", "timed out after 10 s", "partly passed"):
        assert word in failing
    assert "\\<b\\>\\*x\\*\\</b\\>" in failing  # student text cannot inject markup
    assert "linear\\_forward" in text.split("## Tests passed")[1]
    assert SECRET not in text and "codes/utils.py is missing" in text
    broken = render_feedback(BROKEN)
    assert "could not grade" in broken and "no codes/ folder" in broken and SECRET not in broken


def test_gradebook_columns_are_stable_and_ids_sorted():
    other = GradeResult("2023000000", (outcome("test_zeta", PASSED, 1.0, 1.0),
                                       outcome("test_linear_forward", FAILED, 0.0, 2.0)))
    order = ["test_linear_forward", "test_gelu_backward"]
    csv_a = render_gradebook([GRADED, BROKEN, other], order)
    csv_b = render_gradebook([other, BROKEN, GRADED], order)
    assert csv_a == csv_b
    lines = csv_a.splitlines()
    assert lines[0] == ("id,name,email,status,total,max,score,bonus,late_penalty,submitted_at,late_hours,"
                        "test_linear_forward,test_gelu_backward,test_accuracy,test_dropout,test_tanh_forward,"
                        "test_zeta,accuracy,notes,error,grader_errors,source")
    assert [line.split(",")[0] for line in lines[1:]] == ["2023000000", "2023000001", "2023000002"]
    assert lines[2].startswith("2023000001,,,graded,3.5,9,3.5,0,0,,,2,0,1.5,0,0,,0.9812,,,,")
    assert lines[3] == ("2023000002,,,could not grade,0,9,0,0,0,,,,,,,,,,,"
                        "no codes/ folder; put your .py files in codes/,,")
    for hostile in ("=cmd()", "\t=cmd()", "+1", "-1", "@SUM(A1)", "\r=x"):  # never a formula in a spreadsheet
        rows = list(csv.reader(io.StringIO(render_gradebook([GradeResult(hostile, (), error=hostile)]), newline="")))
        assert rows[1][0] == "'" + hostile and rows[1][rows[0].index("error")] == "'" + hostile


def test_terminal_table_shows_each_test_and_the_total():
    text = render_terminal(GRADED, width=120)
    for line in ("linear_forward does its job", "wrong answer", "not implemented", "0/3", "3.5/9",
                 "codes/utils.py is missing"):
        assert line in text
    assert SECRET not in text
    assert "could not grade" in render_terminal(BROKEN) and "0/9" in render_terminal(BROKEN)


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "out" / "results.json"
    write_json(target, {"score": 1})
    with pytest.raises(ValueError):
        write_json(target, {"score": float("nan")})  # not JSON: nothing may be replaced
    def failing_replace(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr("os.replace", failing_replace)
    with pytest.raises(OSError):
        write_atomic(target, "half")
    assert json.loads(target.read_text()) == {"score": 1}
    assert [p.name for p in target.parent.iterdir()] == ["results.json"]  # no temp files left


BONUS = GradeResult("2023000009", (
    outcome("test_linear_forward", PASSED, 4.0, 4.0),
    outcome("test_focal_forward", PASSED, 2.0, 2.0, name="FocalLoss forward", tags=("bonus",)),
    outcome("test_focal_backward", FAILED, 0.0, 1.0, name="FocalLoss backward", tags=("bonus",)),
))


def test_bonus_counts_in_the_score_not_in_the_maximum():
    assert (BONUS.score, BONUS.max_score, BONUS.bonus_score) == (6, 4, 2)
    data = validate_results_json(json.dumps(render_results_json(BONUS)))
    assert data["score"] == 6
    focal = [t for t in data["tests"] if "bonus" in t["tags"]]
    assert [(t["score"], t["max_score"]) for t in focal] == [(2, 2), (0, 1)]
    back = results_from_json(data)
    assert (back.score, back.max_score) == (6, 4)
    feedback = render_feedback(BONUS)
    assert "**Score: 6 / 4** (bonus included: 2)" in feedback
    assert "- **FocalLoss forward (bonus)** (2 / 2, passed)" in feedback
    table = render_terminal(BONUS, width=120)
    assert "FocalLoss forward (bonus)" in table and "6/4" in table
    header, row = render_gradebook([back], order=[o.test for o in BONUS.outcomes]).splitlines()
    assert header == ("id,name,email,status,total,max,score,bonus,late_penalty,submitted_at,late_hours,"
                      "test_linear_forward,test_focal_forward (bonus),test_focal_backward (bonus),"
                      "notes,error,grader_errors,source")
    assert row == "2023000009,,,graded,6,4,6,2,0,,,4,2,0,,,,"
