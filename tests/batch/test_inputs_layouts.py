"""Finding and naming inputs: LMS download layouts, ids from students, duplicates, other files."""
import datetime as dt
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.inputs import check_id, content_hash, find_inputs
from grader.lms import lms_file, moodle_folder, read_gradescope_metadata

REPO = Path(__file__).resolve().parents[2]
LAYOUT = load_assignment().layout
UTC8 = dt.timezone(dt.timedelta(hours=8))

# As Gradescope's "Export Submissions" writes it (Ruby's YAML): per folder, the submitters and the
# time, then subtrees (:results:, :history:) whose own keys must not be mistaken for the top ones.
METADATA = """---
submission_123456:
  :submitters:
  - :name: Wang Fang
    :sid: '2023000101'
    :email: wf@uni.edu
  :created_at: 2026-10-01 20:12:03.123456000 +08:00
  :score: 95.0
  :results:
    score: 95.0
    tests:
    - name: Linear forward
      output: |-
        :submitters:
        - :sid: forged
  :history:
  - :created_at: 2026-09-30 10:00:00.000000000 +08:00
    :score: 40.0
    :submitters:
    - :name: Wang Fang
      :sid: not-this
submission_123457:
  :submitters:
  - :name: Li Lei
    :sid:
    :email: "ll@uni.edu"
  - :name: Han Meimei
    :sid: '2023000104'
  :created_at: 2026-10-02 18:00:00 +08:00
"""


def make_zip(path: Path, entries=None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in (entries or {"codes/layers.py": "x = 1\n"}).items():
            zf.writestr(name, text)
    return path


def test_gradescope_metadata_subset():
    found = read_gradescope_metadata(METADATA)
    assert sorted(found) == ["submission_123456", "submission_123457"]
    one, two = found["submission_123456"], found["submission_123457"]
    assert one.submitters == [{"name": "Wang Fang", "sid": "2023000101", "email": "wf@uni.edu"}]
    assert one.created_at == dt.datetime(2026, 10, 1, 20, 12, 3, 123456, tzinfo=UTC8)
    assert [s.get("sid") for s in two.submitters] == ["", "2023000104"] and two.submitters[0]["email"] == "ll@uni.edu"
    assert two.created_at == dt.datetime(2026, 10, 2, 18, 0, tzinfo=UTC8)


def test_gradescope_export_folder(tmp_path):
    export = tmp_path / "assignment_42_export"
    (export / "submission_123456" / "codes").mkdir(parents=True)  # files uploaded loose
    (export / "submission_123456" / "codes" / "layers.py").write_text("x = 1\n")
    make_zip(export / "submission_123457" / "hw1.zip")  # a zip uploaded as it is
    (export / "submission_999").mkdir()
    (export / "submission_metadata.yml").write_text(METADATA)
    found = find_inputs([export], tmp_path / "out", LAYOUT)
    by_id = {i.student_id: i for i in found.inputs}
    assert sorted(by_id) == ["2023000101", "ll@uni.edu"]  # no sid: the email
    first, group = by_id["2023000101"], by_id["ll@uni.edu"]
    assert (first.layout, first.path.name, first.name, first.email) == ("gradescope", "submission_123456", "Wang Fang",
                                                                        "wf@uni.edu")
    assert first.submitted_at == dt.datetime(2026, 10, 1, 20, 12, 3, 123456, tzinfo=UTC8)
    assert group.path.name == "hw1.zip" and group.notes == ("a group submission, also by Han Meimei",)
    assert [(r.source, r.reason) for r in found.rejected] == [
        ("assignment_42_export/submission_999", "not a submission submission_metadata.yml lists")]
    beside = find_inputs([tmp_path], tmp_path / "out", LAYOUT)  # the export as one folder among others
    assert [i.student_id for i in beside.inputs] == ["2023000101", "ll@uni.edu"]


@pytest.mark.parametrize("name, expected", [
    ("Jane Doe_1234567_assignsubmission_file_", ("moodle", "1234567", "Jane Doe", "file")),
    ("Jane Doe_1234567_assignsubmission_file", ("moodle", "1234567", "Jane Doe", "file")),
    ("Participant_1234567_assignsubmission_onlinetext_", ("moodle", "1234567", "Participant", "onlinetext")),
    ("Group A-Jane Doe_77_assignsubmission_file_", ("moodle", "77", "Group A-Jane Doe", "file")),
])
def test_moodle_folder_names(name, expected):
    got = moodle_folder(name)
    assert (got.layout, got.student_id, got.name, got.plugin) == expected


@pytest.mark.parametrize("name, expected", [
    ("smithjane_12345_67890_hw1.zip", ("canvas", "12345", False, "hw1.zip")),
    ("smithjane_late_12345_67890_hw1_final.zip", ("canvas", "12345", True, "hw1_final.zip")),
    ("smithjane_LATE_12345_67890_hw1-1.tar.gz", ("canvas", "12345", True, "hw1-1.tar.gz")),
    ("Jane Doe_1234567_assignsubmission_file_hw1.zip", ("moodle", "1234567", False, "hw1.zip")),
    ("2023000101.zip", None),
    ("2023000101_2_3_x.zip", None),  # no login (no letter): a plain name
])
def test_lms_file_names(name, expected):
    got = lms_file(name)
    assert (got and (got.layout, got.student_id, got.marked_late, got.file)) == expected


def test_moodle_download_folders(tmp_path):
    download = tmp_path / "download"
    make_zip(download / "Jane Doe_1234567_assignsubmission_file_" / "hw1.zip")
    loose = download / "Li Lei_7654321_assignsubmission_file_" / "codes"
    loose.mkdir(parents=True)
    (loose / "layers.py").write_text("x = 1\n")
    (download / "Jane Doe_1234567_assignsubmission_onlinetext_").mkdir()
    (download / "Han Meimei_5555555_assignsubmission_onlinetext_").mkdir()
    found = find_inputs([download], tmp_path / "out", LAYOUT)
    assert [(i.student_id, i.layout, i.name, i.path.name) for i in found.inputs] == [
        ("1234567", "moodle", "Jane Doe", "hw1.zip"),
        ("7654321", "moodle", "Li Lei", "Li Lei_7654321_assignsubmission_file_")]
    # typed text only: the student gets a could-not-grade result; beside a file: a note on it
    assert [(r.student_id, r.reason) for r in found.rejected] == [
        ("5555555", "Moodle's onlinetext submissions are not graded, only files")]
    assert found.inputs[0].notes == ("Jane Doe_1234567_assignsubmission_onlinetext_: Moodle's onlinetext "
                                     "submissions are not graded, only files",)


@pytest.mark.parametrize("sid, ok", [
    ("2023000101", True), ("jane.doe@uni.edu", True), ("a-b_c+d", True),
    ("..", False), (".hidden", False), ("=1+1", False), ("-rf", False), ("+1", False), ("@SUM", False),
    ("\tx", False), ("a b", False), ("a/b", False), ("a\\b", False), ("张三", False), ("x" * 81, False),
    ("gradebook.csv", False), ("Report.HTML", False), ("roster.csv", False), ("canvas.csv", False),
])
def test_ids_are_a_safe_set(sid, ok):
    assert (check_id(sid) is None) == ok


def test_names_that_differ_only_by_case_are_one_student(tmp_path):
    folder = tmp_path / "in"
    old, new = make_zip(folder / "X.zip"), make_zip(folder / "x.ZIP", {"codes/layers.py": "y = 2\n"})
    os.utime(old, (1_000_000, 1_000_000))
    found = find_inputs([folder], tmp_path / "out", LAYOUT)
    assert [(i.student_id, i.path) for i in found.inputs] == [("x", new)]
    assert [(r.source, r.reason) for r in found.noted] == [("in/X.zip", "older than in/x.ZIP; graded that one")]


def test_other_files_are_named_and_unsupported_archives_refused(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "notes.txt").write_text("x")
    (folder / "2023000107.rar").write_bytes(b"Rar!")
    (folder / "smithjane_12345_678_report.pdf").write_bytes(b"%PDF")
    (folder / ".DS_Store").write_bytes(b"")
    found = find_inputs([folder], tmp_path / "out", LAYOUT)
    assert found.inputs == []
    assert [(r.source, r.student_id, r.submission) for r in found.rejected] == [
        ("in/2023000107.rar", "2023000107", True), ("in/notes.txt", None, False),
        ("in/smithjane_12345_678_report.pdf", "12345", True)]


def test_content_hash_follows_content_not_time(tmp_path):
    path = make_zip(tmp_path / "a.zip")
    first = content_hash(path)
    os.utime(path, (1, 1))
    assert content_hash(path) == first
    make_zip(path, {"codes/layers.py": "x = 2\n"})
    assert content_hash(path) != first
    folder = tmp_path / "f"
    (folder / "codes").mkdir(parents=True)
    (folder / "codes" / "a.py").write_text("1")
    before = content_hash(folder)
    (folder / "codes" / "a.py").rename(folder / "codes" / "b.py")
    assert content_hash(folder) != before  # a renamed file is a change


def test_one_bad_name_is_one_line_and_exit_2(tmp_path):
    bad = make_zip(tmp_path / "=cmd().zip")
    proc = subprocess.run([sys.executable, "-m", "grader.grade", str(bad), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("grade: error: ") and "the id '=cmd()' may hold only" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_student_whose_only_file_is_refused_gets_a_row(tmp_path):
    """A Canvas student who uploaded only a .rar is in the gradebook as could-not-grade with the
    reason; once a zip of theirs comes, it is graded and replaces that row."""
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "smithjane_12345_678_hw1.rar").write_bytes(b"Rar!")
    fake = [sys.executable, str(REPO / "tests" / "cli" / "fake_engine.py")]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([*fake, str(folder), "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert ("  could not grade in/smithjane_12345_678_hw1.rar: not a .zip, .tar.gz/.tgz or submission folder; "
            "ask for a .zip") in proc.stdout.splitlines()
    row = (out / "gradebook.csv").read_text().splitlines()[1].split(",")
    assert row[:4] == ["12345", "", "", "could not grade"] and "ask for a .zip" in row[-3]
    make_zip(folder / "smithjane_12345_679_hw1.zip", {"Report.md": "r", "summary.txt": "s",
                                                      "codes/layers.py": "# CORRECT\n", "codes/loss.py": "# CORRECT\n"})
    proc = subprocess.run([*fake, str(folder), "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout
    assert "  not graded, noted on the student's result: in/smithjane_12345_678_hw1.rar" in proc.stdout
    assert (out / "gradebook.csv").read_text().splitlines()[1].startswith("12345,,,graded,")
