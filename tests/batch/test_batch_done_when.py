"""Issue 16's "done when": a term's folder as a TA gets it, graded twice into one --out, then one
more zip; every row of gradebook.csv, canvas.csv and moodle.csv is asserted.

The folder holds a zip replaced since the first run, a .tar.gz, a Moodle folder, a Canvas-named
file (marked late), one id twice (X.zip and X.ZIP), an id not on the roster, names that must
never reach the disk or a spreadsheet as they are, and a file that is no submission. The engine
is tests/cli/fake_engine.py (the real hidden suite is not the point here).
"""
import csv
import datetime as dt
import importlib.util
import io
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FAKE = REPO / "tests" / "cli" / "fake_engine.py"
ENV = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "150"}
_spec = importlib.util.spec_from_file_location("grade_cli_tests", REPO / "tests" / "cli" / "test_grade_cli.py")
_cli = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_cli)
# the CLI tests' tiny assignment, with a title, a late policy and a gradebook note
TOML = _cli.TOML.replace('name = "tiny"\n', 'name = "tiny"\ntitle = "Tiny homework"\n') + """[late]
deadline = "2026-10-01T23:59:00+08:00"
penalty_per_day = 0.1
cap = 0.5
[gradebook]
notes = { test_loss = "loss wrong" }
"""
DEADLINE = dt.datetime(2026, 10, 1, 15, 59, tzinfo=dt.timezone.utc)
ON_TIME = (DEADLINE - dt.timedelta(hours=4)).timestamp()
EARLIER = (DEADLINE - dt.timedelta(days=2)).timestamp()
LATE_26H = (DEADLINE + dt.timedelta(hours=26)).timestamp()
CORRECT, WRONG = "# CORRECT", "# wrong"


def files(sid: str, layers=CORRECT, loss=CORRECT, report=True) -> dict[str, str]:
    entries = {f"{sid}/summary.txt": "summary\n", f"{sid}/codes/layers.py": layers + "\n",
               f"{sid}/codes/loss.py": loss + "\n"}
    if report:
        entries[f"{sid}/Report.md"] = "# Report\n"
    return entries


def make_zip(path: Path, entries: dict[str, str], when: float = ON_TIME) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in entries.items():
            zf.writestr(name, text)
    os.utime(path, (when, when))
    return path


def make_tar(path: Path, entries: dict[str, str], when: float = ON_TIME) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for name, text in entries.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), int(when)
            tf.addfile(info, io.BytesIO(data))
    os.utime(path, (when, when))
    return path


def grade(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(FAKE), *map(str, args)], capture_output=True, text=True,
                          env=ENV, timeout=300)


def rows(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_a_term_folder_then_one_more_zip(tmp_path):
    assignment = tmp_path / "assignment"
    (assignment / "ref").mkdir(parents=True)
    (assignment / "hidden").mkdir()
    (assignment / "assignment.toml").write_text(TOML)
    folder, out = tmp_path / "downloads", tmp_path / "out"

    # first run: one zip, with a wrong loss
    make_zip(folder / "2023000101.zip", files("2023000101", loss=WRONG))
    first = grade(folder, "--out", out, "--assignment", assignment)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.startswith("graded 1, could not grade 0, skipped 0 unchanged")

    # the term's folder, as downloaded and unpacked
    make_zip(folder / "2023000101.zip", files("2023000101", layers=CORRECT + " ACC=97.5"))  # replaced
    make_tar(folder / "2023000102.tar.gz", files("2023000102", loss=WRONG, report=False))
    moodle = folder / "Li Lei_2023000103_assignsubmission_file_"
    make_zip(moodle / "hw1.zip", files("hw1"), when=LATE_26H)
    (moodle / "notes.pdf").write_bytes(b"%PDF-1.4\n")
    make_zip(folder / "hanmeimei_late_2023000104_777_hw1.zip", files("hw1"))  # late marker, on-time file
    make_zip(folder / "2023000105.zip", files("2023000105", loss=WRONG), when=EARLIER)
    make_zip(folder / "2023000105.ZIP", files("2023000105"))  # the same id, newer: graded
    make_zip(folder / "2099000001.zip", files("2099000001"))  # not on the roster
    for hostile in ("...zip", "gradebook.csv.zip", "=1+1.zip", "\tx.zip"):
        make_zip(folder / hostile, files("x"))
    (folder / "README.txt").write_text("downloaded from the LMS\n")
    roster = tmp_path / "roster.csv"
    roster.write_bytes("\ufeffStudent ID,Full Name,Email Address\n2023000101,Wang Fang,wf@uni.edu\n"
                       "2023000102,Zhang Wei,zw@uni.edu\n2023000103,Li Lei,ll@uni.edu\n"
                       "2023000104,Han Meimei,hm@uni.edu\n2023000105,=Chen Jie,cj@uni.edu\n"
                       "2023000106,Zhao Min,zm@uni.edu\n".encode())
    second = grade(folder, "--out", out, "--assignment", assignment, "--roster", roster, "--jobs", "2",
                   "--export", "canvas", "--export", "moodle")
    assert second.returncode == 1, second.stdout + second.stderr  # the hostile names could not be graded
    lines = second.stdout.splitlines()
    assert lines[0] == "graded 6 (1 changed since the last run), could not grade 4, skipped 0 unchanged"
    assert "  changed, graded again: downloads/2023000101.zip" in lines
    assert ("  could not grade downloads/gradebook.csv.zip: the id 'gradebook.csv' is the name of a file grade "
            "writes; rename it to the student's id") in lines
    assert any(line.startswith("  could not grade downloads/...zip: the id '..' may hold only") for line in lines)
    assert any(line.startswith("  could not grade downloads/ x.zip: the id '\\tx' may hold only") for line in lines)
    assert ("  not graded, noted on the student's result: downloads/2023000105.zip: older than "
            "downloads/2023000105.ZIP; graded that one") in lines
    assert ("  not a submission: downloads/README.txt: not a .zip, .tar.gz/.tgz or submission folder") in lines
    assert "not on the roster (1): 2099000001" in lines
    assert "on the roster without a submission (1): 2023000106" in lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["assignment", "downloads", "out", "roster.csv"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [
        "2023000101", "2023000102", "2023000103", "2023000104", "2023000105", "2099000001"]
    assert (out / "gradebook.csv").is_file()

    # one more zip, graded alone into the same --out: the gradebook, exports and roster stay whole
    extra = make_zip(tmp_path / "late" / "2023000106.zip", files("2023000106", loss=WRONG), when=LATE_26H)
    third = grade(extra, "--out", out, "--assignment", assignment)
    assert third.returncode == 0, third.stdout + third.stderr

    sub = {i: (DEADLINE - dt.timedelta(hours=4)).isoformat() for i in ("101", "102", "104", "105", "2099")}
    late = (DEADLINE + dt.timedelta(hours=26)).isoformat()
    assert rows(out / "gradebook.csv") == [
        ["id", "name", "email", "status", "total", "max", "score", "bonus", "late_penalty", "submitted_at",
         "late_hours", "test_layers", "test_loss", "accuracy (%)", "notes", "error", "grader_errors", "source"],
        ["2023000101", "Wang Fang", "wf@uni.edu", "graded", "5", "5", "5", "0", "0", sub["101"], "", "2", "3",
         "97.5", "", "", "", "downloads/2023000101.zip"],
        ["2023000102", "Zhang Wei", "zw@uni.edu", "graded", "2", "5", "2", "0", "0", sub["102"], "", "2", "0",
         "", "no report; loss wrong", "", "", "downloads/2023000102.tar.gz"],
        ["2023000103", "Li Lei", "ll@uni.edu", "graded", "4", "5", "5", "0", "1", late, "26.00", "2", "3", "",
         "late", "", "", "downloads/Li Lei_2023000103_assignsubmission_file_/hw1.zip"],
        ["2023000104", "Han Meimei", "hm@uni.edu", "graded", "5", "5", "5", "0", "0", sub["104"], "", "2", "3",
         "", "late (LMS marker, time unknown)", "", "", "downloads/hanmeimei_late_2023000104_777_hw1.zip"],
        ["2023000105", "'=Chen Jie", "cj@uni.edu", "graded", "5", "5", "5", "0", "0", sub["105"], "", "2", "3",
         "", "older submission not graded", "", "", "downloads/2023000105.ZIP"],
        ["2023000106", "Zhao Min", "zm@uni.edu", "graded", "1.6", "5", "2", "0", "0.4", late, "26.00", "2",
         "0", "", "loss wrong; late", "", "", str(extra)],
        ["2099000001", "", "", "graded", "5", "5", "5", "0", "0", sub["2099"], "", "2", "3", "",
         "not on roster", "", "", "downloads/2099000001.zip"],
    ]
    assert (out / "canvas.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert rows(out / "canvas.csv") == [
        ["\ufeffStudent", "ID", "SIS User ID", "SIS Login ID", "Section", "Tiny homework"],
        ["Wang Fang", "", "2023000101", "", "", "5"],
        ["Zhang Wei", "", "2023000102", "", "", "2"],
        ["Li Lei", "", "2023000103", "", "", "4"],
        ["Han Meimei", "2023000104", "", "", "", "5"],  # a Canvas download: its id is Canvas's user id
        ["'=Chen Jie", "", "2023000105", "", "", "5"],
        ["Zhao Min", "", "2023000106", "", "", "1.6"],
        ["", "", "2099000001", "", "", "5"],
    ]
    assert rows(out / "moodle.csv") == [  # only roster students: Moodle stops at an unknown user
        ["\ufeffID number", "Email address", "Full name", "Tiny homework", "Feedback"],
        ["2023000101", "wf@uni.edu", "Wang Fang", "5", "5 / 5; details in feedback.md"],
        ["2023000102", "zw@uni.edu", "Zhang Wei", "2", "2 / 5; details in feedback.md"],
        ["2023000103", "ll@uni.edu", "Li Lei", "4", "4 / 5; late penalty -1; details in feedback.md"],
        ["2023000104", "hm@uni.edu", "Han Meimei", "5", "5 / 5; details in feedback.md"],
        ["2023000105", "cj@uni.edu", "'=Chen Jie", "5", "5 / 5; details in feedback.md"],
        ["2023000106", "zm@uni.edu", "Zhao Min", "1.6", "1.6 / 5; late penalty -0.4; details in feedback.md"],
    ]
    feedback = (out / "2023000103" / "feedback.md").read_text()
    assert "**Score: 4 / 5**" in feedback and "Late: submitted 1 d 2 h after the deadline" in feedback
    assert "notes.pdf: submitted beside the archive; not graded" in feedback
    assert "an older submission (2023000105.zip) was not graded" in (out / "2023000105" / "feedback.md").read_text()
    assert "accuracy (%): **97.5**" in (out / "2023000101" / "feedback.md").read_text()
    report = (out / "report.html").read_text()
    assert all(f'href="{sid}/feedback.md"' in report for sid in ("2023000101", "2099000001"))

    # a fourth run changes nothing: every input is skipped as unchanged, the files stay the same bytes
    before = {name: (out / name).read_bytes() for name in ("gradebook.csv", "canvas.csv", "moodle.csv")}
    fourth = grade(folder, "--out", out, "--assignment", assignment)
    assert fourth.stdout.startswith("graded 0, could not grade 4, skipped 6 unchanged")
    assert {name: (out / name).read_bytes() for name in before} == before
