"""`grade` as a real subprocess: exit codes, one-line errors, outputs, batch, skip/regrade, Ctrl-C.

The hidden tests are stood in for by fake_engine.py (it decides from the text of codes/*.py),
so these tests check the command, not the engine.
"""
import json
import os
import signal
import subprocess
import tempfile
import sys
import time
import zipfile
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.batch import grade_many
from grader.grade import _parser
from grader.inputs import find_inputs
from grader.run import grade_one

REPO = Path(__file__).resolve().parents[2]
FAKE = Path(__file__).resolve().parent / "fake_engine.py"
ENV = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "120"}
TOML = """name = "tiny"
reference = "ref"
hidden = "hidden"
[submission]
code_folder = "codes"
required = ["layers.py", "loss.py"]
report = ["Report.md"]
integrity = "summary.txt"
[points]
test_layers = 2
test_loss = 3
"""


@pytest.fixture
def assignment_dir(tmp_path):
    folder = tmp_path / "assignment"
    (folder / "ref").mkdir(parents=True)
    (folder / "hidden").mkdir()
    (folder / "assignment.toml").write_text(TOML)
    return folder


def submission(folder: Path, sid: str, layers="# CORRECT", loss="# CORRECT", codes=True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sid}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{sid}/Report.md", "# Report\n")
        zf.writestr(f"{sid}/summary.txt", "summary\n")
        prefix = f"{sid}/codes/" if codes else f"{sid}/"
        zf.writestr(prefix + "layers.py", layers + "\n")
        zf.writestr(prefix + "loss.py", loss + "\n")
    return path


def grade(*args, fake=True, cwd=None):
    program = [sys.executable, str(FAKE)] if fake else [sys.executable, "-m", "grader.grade"]
    return subprocess.run([*program, *map(str, args)], capture_output=True, text=True, env=ENV,
                          cwd=cwd, timeout=120)


def results(out: Path, sid: str) -> dict:
    return json.loads((out / sid / "results.json").read_text())


def one_error_line(proc) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


def test_graded_submission_exits_0_and_writes_results(tmp_path, assignment_dir):
    zip_path = submission(tmp_path / "in", "2023000001", loss="# wrong")
    proc = grade(zip_path, "--out", tmp_path / "out", "--assignment", assignment_dir,
                 "--timeout", "3", "--memory", "512")
    assert proc.returncode == 0, proc.stderr
    assert "test_loss works" in proc.stdout and "2/5" in proc.stdout
    data = results(tmp_path / "out", "2023000001")
    assert data["score"] == 2 and [t["status"] for t in data["tests"][:2]] == ["passed", "failed"]
    assert "limits: timeout 3 s, memory 512 MB" in data["extra_data"]["notes"]  # flags reach Limits
    feedback = (tmp_path / "out" / "2023000001" / "feedback.md").read_text()
    assert "loss.py is wrong" in feedback and "assert 1 == 2" not in feedback


def test_jobs_default_to_the_cpus_we_may_use(monkeypatch):
    """A container limited to one CPU (Gradescope, CI) must not run one grading per host core."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3})
    assert _parser().parse_args(["x.zip"]).jobs == 1


def test_default_out_dir_is_grading_results(tmp_path, assignment_dir):
    zip_path = submission(tmp_path / "in", "2023000001")
    assert grade(zip_path, "--assignment", assignment_dir, cwd=tmp_path).returncode == 0
    assert results(tmp_path / "grading-results", "2023000001")["score"] == 5


@pytest.mark.parametrize("content", [b"not a zip at all", b""])
def test_unreadable_zip_exits_2_with_one_line(tmp_path, assignment_dir, content):
    bad = tmp_path / "2023000002.zip"
    bad.write_bytes(content)
    proc = grade(bad, "--out", tmp_path / "out", "--assignment", assignment_dir, fake=False)
    assert proc.returncode == 2
    assert one_error_line(proc).startswith("grade: error: 2023000002.zip: not a readable zip archive")
    data = results(tmp_path / "out", "2023000002")  # the verdict is still recorded
    assert data["extra_data"]["could_not_grade"] and data["tests"][0]["max_score"] == 5


@pytest.mark.parametrize("args, words", [
    ([], "give a submission"),
    (["missing.zip"], "missing.zip: no such file or folder"),
    (["x.zip", "--jobs", "0"], "--jobs must be positive"),
    (["x.zip", "--assignment", "nowhere"], "no assignment.toml"),
])
def test_usage_errors_exit_2_with_one_line(tmp_path, args, words):
    (tmp_path / "x.zip").write_bytes(b"")
    proc = grade(*args, fake=False, cwd=tmp_path)
    assert proc.returncode == 2 and words in one_error_line(proc)
    assert not (tmp_path / "grading-results").exists()


def test_missing_codes_folder_is_could_not_grade(tmp_path, assignment_dir):
    zip_path = submission(tmp_path / "in", "2023000003", codes=False)
    proc = grade(zip_path, "--out", tmp_path / "out", "--assignment", assignment_dir, fake=False)
    assert proc.returncode == 0 and "could not grade" in proc.stdout
    data = results(tmp_path / "out", "2023000003")
    assert data["score"] == 0 and "no codes/ folder (found layers.py, loss.py" in data["tests"][0]["output"]


def test_loose_file_names_stay_on_one_line(tmp_path, assignment_dir):
    path = tmp_path / "2023000006.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("layers\n.py", "x = 1\n")
    result = grade_one(path, load_assignment(assignment_dir))
    assert result.error.startswith("2023000006: no codes/ folder (found layers\\n.py at the top level)")
    assert result.error.isprintable()


def test_grader_bug_writes_could_not_grade_and_names_the_log(tmp_path, assignment_dir):
    zip_path = submission(tmp_path / "in", "2023000004", layers="BUG")
    out = tmp_path / "out"
    proc = grade(zip_path, "--out", out, "--assignment", assignment_dir)
    assert proc.returncode == 1
    log = out / "2023000004" / "grader-error.log"
    assert f"traceback in {log}" in one_error_line(proc)
    assert "RuntimeError: grader bug" in log.read_text()
    data = results(out, "2023000004")
    assert data["extra_data"]["could_not_grade"] and "RuntimeError" not in data["output"]
    debug = grade(zip_path, "--out", out, "--assignment", assignment_dir, "--debug")
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_no_sandbox_warns_loudly(tmp_path, assignment_dir):
    proc = grade(submission(tmp_path / "in", "2023000005"), "--out", tmp_path / "out",
                 "--assignment", assignment_dir, "--no-sandbox")
    assert proc.returncode == 0 and "WARNING: --no-sandbox" in proc.stderr


def _batch_inputs(folder: Path) -> None:
    submission(folder, "2023000011")
    submission(folder, "2023000012", layers="# wrong")
    submission(folder, "2023000013", codes=False)
    (folder / "2023000014.zip").write_bytes(b"garbage")


def _without_time(data: dict) -> dict:
    """A results.json without what differs between runs: the time taken, and the input's name
    (the path given for one submission, the folder-relative one in a batch)."""
    extra = {**data["extra_data"], "input": {k: v for k, v in data["extra_data"].get("input", {}).items()
                                            if k != "source"}}
    return {k: v for k, v in data.items() if k != "execution_time"} | {"extra_data": extra}


HEADER = ("id,name,email,status,total,max,score,bonus,late_penalty,submitted_at,late_hours,test_layers,test_loss,"
          "notes,error,grader_errors,source")


def gradebook_rows(out: Path) -> list[list[str]]:
    """gradebook.csv's rows as lists of cells, the submission time left out (it is the file's)."""
    import csv

    rows = list(csv.reader((out / "gradebook.csv").read_text().splitlines()))
    assert ",".join(rows[0]) == HEADER
    return [row[:9] + row[10:] for row in rows[1:]]


def test_batch_with_two_jobs_equals_one_by_one(tmp_path, assignment_dir):
    inputs = tmp_path / "in"
    _batch_inputs(inputs)
    ids = sorted(p.stem for p in inputs.glob("*.zip"))
    for zip_path in sorted(inputs.glob("*.zip")):
        grade(zip_path, "--out", tmp_path / "one", "--assignment", assignment_dir)
    proc = grade(inputs, "--out", tmp_path / "many", "--assignment", assignment_dir, "--jobs", "2")
    assert proc.returncode == 1, proc.stderr  # two could not be graded
    assert proc.stdout.splitlines()[:3] == [
        "graded 2, could not grade 2, skipped 0 unchanged",
        "  could not grade in/2023000013.zip: 2023000013: no codes/ folder (found layers.py, loss.py at the top "
        "level); put your .py files in codes/ at the top of the zip",
        "  could not grade in/2023000014.zip: 2023000014.zip: not a readable zip archive (File is not a zip file); "
        "re-create it with a zip tool"]
    for sid in ids:
        assert _without_time(results(tmp_path / "one", sid)) == _without_time(results(tmp_path / "many", sid))
    rows = gradebook_rows(tmp_path / "many")
    assert rows[:2] == [["2023000011", "", "", "graded", "5", "5", "5", "0", "0", "", "2", "3", "", "", "",
                         "in/2023000011.zip"],
                        ["2023000012", "", "", "graded", "3", "5", "3", "0", "0", "", "0", "3", "", "", "",
                         "in/2023000012.zip"]]
    assert [row[0] for row in rows] == ids and [row[3] for row in rows[2:]] == ["could not grade"] * 2
    assert gradebook_rows(tmp_path / "one")[:2] == [r[:-1] + [str(inputs / f"{r[0]}.zip")] for r in rows[:2]]


def test_rerun_skips_graded_unless_regrade(tmp_path, assignment_dir):
    inputs = tmp_path / "in"
    submission(inputs, "2023000021")
    submission(inputs, "2023000022")
    out = tmp_path / "out"
    assert grade(inputs, "--out", out, "--assignment", assignment_dir, "--jobs", "2").returncode == 0
    first = {sid: (out / sid / "results.json").stat().st_ino for sid in ("2023000021", "2023000022")}
    (out / "2023000022" / "results.json").unlink()
    proc = grade(inputs, "--out", out, "--assignment", assignment_dir)
    assert "graded 1, could not grade 0, skipped 1 unchanged" in proc.stdout
    assert (out / "2023000021" / "results.json").stat().st_ino == first["2023000021"]
    assert (out / "2023000022" / "results.json").is_file()
    proc = grade(inputs, "--out", out, "--assignment", assignment_dir, "--regrade")
    assert "graded 2, could not grade 0, skipped 0 unchanged" in proc.stdout
    assert (out / "2023000021" / "results.json").stat().st_ino != first["2023000021"]


def test_crash_and_timeout_of_one_submission_do_not_stop_the_others(tmp_path, assignment_dir, capsys,
                                                                     monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # the children are real `grade` processes
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    inputs = tmp_path / "in"
    submission(inputs, "2023000031", layers="HANG")
    submission(inputs, "2023000032", layers="CRASH")
    submission(inputs, "2023000033")
    out = tmp_path / "out"
    args = _parser().parse_args([str(inputs), "--out", str(out), "--assignment", str(assignment_dir),
                                 "--jobs", "2"])
    assignment = load_assignment(assignment_dir)
    status = grade_many(find_inputs([inputs], out, assignment.layout), args, assignment,
                        launcher=[sys.executable, str(FAKE)], timeout_s=3.0)
    printed = capsys.readouterr().out
    assert status == 1 and "graded 1, could not grade 2, skipped 0 unchanged" in printed
    assert "could not grade in/2023000031.zip: grading stopped: timed out after 3 s" in printed
    assert "timed out after 3 s" in results(out, "2023000031")["tests"][0]["output"]
    assert "exit status 9" in results(out, "2023000032")["tests"][0]["output"]
    assert results(out, "2023000033")["score"] == 5
    assert len((out / "gradebook.csv").read_text().splitlines()) == 4
    assert list(temp.iterdir()) == []  # what the killed and crashed children left is gone
    rerun = grade_many(find_inputs([inputs], out, assignment.layout), args, assignment,
                       launcher=[sys.executable, str(FAKE)], timeout_s=3.0)
    assert rerun == 1 and "graded 0, could not grade 2, skipped 1 unchanged" in capsys.readouterr().out


def test_a_batch_child_serves_many_submissions_and_a_crash_costs_one(tmp_path, assignment_dir, monkeypatch):
    """With --jobs 1 one child grades every submission (the grader and its data loaded once), but a
    crash costs only the submission it happened in: a fresh child serves the rest."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("FAKE_ENGINE_SAYS_PID", "1")
    inputs = tmp_path / "in"
    for i in range(1, 4):
        submission(inputs, f"202300006{i}")
    submission(inputs, "2023000064", layers="CRASH")
    for i in range(5, 7):
        submission(inputs, f"202300006{i}")
    out = tmp_path / "out"
    args = _parser().parse_args([str(inputs), "--out", str(out), "--assignment", str(assignment_dir), "--jobs", "1"])
    assignment = load_assignment(assignment_dir)
    assert grade_many(find_inputs([inputs], out, assignment.layout), args, assignment,
                      launcher=[sys.executable, str(FAKE)]) == 1
    pids = {sid: next(n for n in results(out, sid)["extra_data"]["notes"] if n.startswith("graded by process"))
            for sid in ("2023000061", "2023000062", "2023000063", "2023000065", "2023000066")}
    assert pids["2023000061"] == pids["2023000062"] == pids["2023000063"]
    assert pids["2023000065"] == pids["2023000066"] != pids["2023000061"]
    assert "exit status 9" in results(out, "2023000064")["tests"][0]["output"]
    assert all(results(out, sid)["score"] == 5 for sid in pids)


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text in cmdline.read_bytes().decode(errors="replace"):
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


def test_ctrl_c_keeps_finished_results_and_stops_the_children(tmp_path, assignment_dir):
    inputs = tmp_path / "in"
    submission(inputs, "2023000041")
    hang = submission(inputs, "2023000042", layers="HANG")
    out = tmp_path / "out"
    parent = subprocess.Popen([sys.executable, str(FAKE), str(inputs), "--out", str(out), "--assignment",
                               str(assignment_dir), "--jobs", "2"], env=ENV, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    serving = lambda: [pid for pid in _processes_mentioning("--serve") if pid in _processes_mentioning(str(out))]  # noqa: E731
    while not (out / "2023000041" / "results.json").exists() or not serving():
        assert time.monotonic() < deadline and parent.poll() is None
        time.sleep(0.05)  # polling for a condition, not timing
    assert hang.exists() and not (out / "2023000042" / "results.json").exists()  # still hanging in a child
    parent.send_signal(signal.SIGINT)
    _, stderr = parent.communicate(timeout=60)
    assert parent.returncode == 130 and "interrupted" in stderr
    assert results(out, "2023000041")["score"] == 5
    assert not (out / "2023000042" / "results.json").exists()
    assert [row[:5] for row in gradebook_rows(out)] == [["2023000041", "", "", "graded", "5"]]
    assert serving() == []


PRISTINE = "def f():\n    # TODO START\n    raise NotImplementedError\n    # TODO END\n"
FILLED = "def f():\n    # TODO START\n    return 1  # CORRECT\n    # TODO END\n"


def test_summary_check_is_left_to_the_hidden_tests(tmp_path, assignment_dir):
    """grade no longer runs code_analyze.verify itself: the hidden tests test_summary_matches_code
    and test_todo_markers_unchanged do, so a stale summary.txt adds no note of grade's own."""
    from code_analyze.summary import analyze_dirs, render_summary

    (assignment_dir / "pristine" / "codes").mkdir(parents=True)
    for name in ("layers.py", "loss.py"):
        (assignment_dir / "pristine" / "codes" / name).write_text(PRISTINE)
    (assignment_dir / "assignment.toml").write_text(TOML.replace('hidden = ', 'skeleton = "pristine"\nhidden = '))
    mine = tmp_path / "mine" / "codes"
    mine.mkdir(parents=True)
    for name in ("layers.py", "loss.py"):
        (mine / name).write_text(FILLED)
    good = render_summary(analyze_dirs(assignment_dir / "pristine" / "codes", mine))
    (mine.parent / "summary.txt").write_text(good.replace("return 1", "return 2"))
    (mine.parent / "Report.md").write_text("r")
    out = tmp_path / "out"
    assert grade(mine.parent, "--out", out, "--assignment", assignment_dir).returncode == 0
    notes = results(out, "mine")["extra_data"]["notes"]
    assert not any("summary" in n for n in notes), notes
