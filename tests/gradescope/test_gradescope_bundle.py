"""The Gradescope bundle end to end: build autograder.zip, unpack it into a folder laid out like
/autograder ($AUTOGRADER_ROOT), run its run_autograder as a real bash subprocess, and hold the
results.json it writes to the contract (docs: gradescope-results.md) and to `grade`'s own scores.

setup.sh's apt/pip part is not run here: run_autograder finds this interpreter first on PATH
(MLP_GRADER_VENV points nowhere), which has the project's dependencies installed.
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.gradescope import main as build_main
from grader.gradescope.run import student_id, with_visibility
from grader.results import GradeResult, Outcome

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
CORRECT = "2023000001"

VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
TOP_KEYS = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
            "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
TEST_KEYS = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
             "tags", "visibility", "extra_data"}


def check_results(data: dict) -> None:
    """Every field results.json has is one Gradescope knows, of the type it reads."""
    number = (int, float)
    assert isinstance(data, dict) and set(data) <= TOP_KEYS, set(data) - TOP_KEYS
    assert isinstance(data["score"], number) and not isinstance(data["score"], bool)
    for key, kind in (("execution_time", number), ("output", str), ("extra_data", dict), ("tests", list)):
        assert key not in data or isinstance(data[key], kind), key
    for key in ("output_format", "test_output_format", "test_name_format"):
        assert key not in data or data[key] in FORMATS, (key, data[key])
    for key in ("visibility", "stdout_visibility"):
        assert key not in data or data[key] in VISIBILITIES, (key, data[key])
    assert "\r" not in data.get("output", "")
    for t in data.get("tests", []):
        assert set(t) <= TEST_KEYS, set(t) - TEST_KEYS
        assert isinstance(t["score"], number) and isinstance(t["max_score"], number)
        assert t.get("status", "passed") in ("passed", "failed")
        assert isinstance(t.get("name", ""), str) and isinstance(t.get("output", ""), str)
        assert "\r" not in t.get("output", "")
        assert t.get("visibility", "visible") in VISIBILITIES
        assert all(isinstance(tag, str) for tag in t.get("tags", []))
    for row in data.get("leaderboard", []):
        assert set(row) == {"name", "value", "order"} and row["order"] in ("asc", "desc")
        assert isinstance(row["name"], str) and isinstance(row["value"], number)


def graded_tests(data: dict) -> dict[str, float]:
    return {t["extra_data"]["test"]: t["score"] for t in data["tests"] if not t["extra_data"].get("synthetic")}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    assert build_main(["--out", str(out)]) == 0
    return out


def autograder_root(tmp_path: Path, bundle: Path, metadata: dict | None) -> Path:
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as zf:
        for info in zf.infolist():  # extractall drops the mode bits; Gradescope's unzip keeps them
            zf.extract(info, root / "source")
            os.chmod(root / "source" / info.filename, info.external_attr >> 16 & 0o777)
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
    return root


def start_autograder(root: Path, path_first: Path = Path(sys.executable).parent, **env) -> subprocess.Popen:
    environ = {**os.environ, "AUTOGRADER_ROOT": str(root), "MLP_GRADER_VENV": str(root / "no-venv"),
               "PATH": f"{path_first}{os.pathsep}{os.environ['PATH']}", **env}
    environ.pop("PYTHONPATH", None)  # the grader must come from the bundle itself
    return subprocess.Popen(["bash", str(root / "source" / "run_autograder")], cwd="/", env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen, root: Path) -> dict:
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output
    data = json.loads((root / "results" / "results.json").read_text())
    check_results(data)
    return data


def metadata(user_id) -> dict:
    return {"id": 987654, "users": [{"email": "student@example.edu", "id": user_id, "name": "S"}],
            "assignment": {"title": "MLP", "total_points": 10}, "previous_submissions": []}


def test_bundle_is_deterministic_and_carries_what_grading_needs(bundle, tmp_path):
    again = tmp_path / "again.zip"
    assert build_main(["--out", str(again)]) == 0
    assert again.read_bytes() == bundle.read_bytes()
    with zipfile.ZipFile(bundle) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        settings = json.loads(zf.read("gradescope.json"))
    assert names == sorted(names) and {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    modes = {i.filename: i.external_attr >> 16 & 0o777 for i in infos}
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    # the assignment travels under assignment/, laid out as around its folder, so its toml's
    # "../../../reference" still holds; the package's own assignments/ stays behind
    for needed in ("pyproject.toml", "README.md", "grader/gradescope/run.py", "code_analyze/verify.py",
                   "data/mnist/train-images-idx3-ubyte.gz", "assignment/grader/assignments/mlp/assignment.toml",
                   "assignment/grader/assignments/mlp/hidden/test_linear.py", "assignment/reference/codes/layers.py",
                   "assignment/skeleton/codes/layers.py"):  # the pristine hand-out the code rules compare with
        assert needed in names, needed
    assert not [n for n in names if n.split("/")[0] in ("tests", "examples", ".git", "bench", "reference", "skeleton")
                or n.startswith("grader/assignments/") or "__pycache__" in n or n.endswith(".pyc")]
    assert settings["assignment"] == "assignment/grader/assignments/mlp" and settings["visibility"] is None
    assert settings["max_score"] > 0


def test_run_autograder_scores_like_grade(bundle, tmp_path):
    """The correct example uploaded as files, graded by run_autograder and by `grade` side by side."""
    root = autograder_root(tmp_path / "files", bundle, metadata(4567))
    with zipfile.ZipFile(EXAMPLES / f"{CORRECT}.zip") as zf:
        zf.extractall(root / "submission")
    proc = start_autograder(root)
    grade = subprocess.run([sys.executable, "-m", "grader.grade", str(EXAMPLES / f"{CORRECT}.zip"),
                            "--out", str(tmp_path / "grade")], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert grade.returncode == 0, grade.stdout + grade.stderr
    correct = finish(proc, root)
    expected = json.loads((tmp_path / "grade" / CORRECT / "results.json").read_text())

    total = json.loads((root / "source" / "gradescope.json").read_text())["max_score"]
    graded = [t for t in correct["tests"] if not t["extra_data"].get("synthetic")]
    bonus = sum(t["max_score"] for t in graded if "bonus" in t["tags"])
    assert bonus > 0 and sum(t["max_score"] for t in graded) == total + bonus
    assert correct["score"] == expected["score"] == total + bonus  # full marks, bonus included
    assert graded_tests(correct) == graded_tests(expected)
    [board] = correct["leaderboard"]  # the accuracy test's figure, for Gradescope's leaderboard
    assert board["name"] == "accuracy (%)" and board["order"] == "desc" and 95 <= board["value"] <= 100
    assert expected["leaderboard"] == correct["leaderboard"]
    assert correct["extra_data"]["student_id"] == "4567"
    assert {t["visibility"] for t in graded} <= {"after_due_date", "visible"}
    assert correct["output_format"] == "md" and correct["output"].startswith("# Feedback")
    # the feedback shown at once must not reveal tests that are hidden until the due date
    assert not any(t["name"] in correct["output"] for t in graded if t["visibility"] != "visible")
    assert "Traceback" not in json.dumps([t for t in correct["tests"] if t["visibility"] != "hidden"])
    # `python3 -m grader.gradescope.run` from source/ imports the bundle's grader, not this checkout
    where = subprocess.run([sys.executable, "-c", "import grader; print(grader.__file__)"], cwd=root / "source",
                           capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert Path(where.stdout.strip()).is_relative_to(root / "source")


def _report_only_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Report.md", "# Report\n")


@pytest.mark.parametrize("upload, reason", [("notes.txt", "no codes/ folder"), ("broken.zip", "not a readable zip"),
                                            ("upload.zip", "no codes/ folder")])
def test_unusable_submission_is_a_visible_could_not_grade(bundle, tmp_path, upload, reason):
    """A stray file, a broken zip, a real zip (which is opened) without codes/; the student's id is
    their email when Gradescope gives no user id."""
    root = autograder_root(tmp_path, bundle, metadata(None))
    if upload == "upload.zip":
        _report_only_zip(root / "submission" / upload)
    else:
        (root / "submission" / upload).write_bytes(b"not a homework")
    data = finish(start_autograder(root), root)
    assert data["score"] == 0 and data["extra_data"]["could_not_grade"]
    visible = [t for t in data["tests"] if t["visibility"] == "visible"]
    assert len(visible) == 1 and visible[0]["status"] == "failed" and visible[0]["max_score"] == 100
    assert reason in visible[0]["output"]
    assert data["extra_data"]["student_id"] == "student@example.edu"


def test_non_editable_install_carries_the_gradescope_templates(tmp_path):
    """bundle.py reads setup.sh and run_autograder from the installed package."""
    src = tmp_path / "src"  # a copy, so the build leaves nothing in the checkout
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src)
    for name in ("grader", "code_analyze"):
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    # build_py is the step of every non-editable install that copies package data; running it
    # alone needs only setuptools (a venv's own copy, offline), not the wheel package.
    built = tmp_path / "built"
    subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
                    "--build-lib", str(built)], cwd=src, check=True, capture_output=True, timeout=120)
    assert (built / "grader" / "gradescope" / "setup.sh").is_file()
    assert (built / "grader" / "gradescope" / "run_autograder").is_file()


def test_python_that_cannot_start_still_leaves_a_valid_result(bundle, tmp_path):
    root = autograder_root(tmp_path, bundle, None)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").write_text("#!/bin/sh\necho 'python3: broken' >&2\nexit 3\n")
    (bin_dir / "python3").chmod(0o755)
    data = finish(start_autograder(root, path_first=bin_dir), root)
    [test] = data["tests"]
    settings = json.loads((root / "source" / "gradescope.json").read_text())
    assert data["score"] == 0 and test["status"] == "failed" and test["visibility"] == "visible"
    assert test["max_score"] == settings["max_score"] and "exit status 3" in test["output"]


def test_overrunning_the_time_budget_still_leaves_a_valid_result(bundle, tmp_path):
    root = autograder_root(tmp_path, bundle, None)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").write_text("#!/bin/sh\nexec sleep 60\n")
    (bin_dir / "python3").chmod(0o755)
    data = finish(start_autograder(root, path_first=bin_dir, MLP_GRADER_BUDGET_S="1"), root)
    assert "took longer than 1 s" in data["tests"][0]["output"]


def test_visibility_option_reaches_the_bundle_and_every_test(tmp_path):
    out = tmp_path / "visible.zip"
    assert build_main(["--out", str(out), "--visibility", "visible"]) == 0
    with zipfile.ZipFile(out) as zf:
        assert json.loads(zf.read("gradescope.json"))["visibility"] == "visible"
    result = GradeResult("s", (Outcome("test_a", "A", "passed", 1, 1), Outcome("test_b", "B", "failed", 0, 2)))
    assert {o.visibility for o in with_visibility(result, "visible").outcomes} == {"visible"}
    assert with_visibility(result, None) is result


def test_student_id_comes_from_metadata_and_is_safe_as_a_file_name():
    assert student_id(metadata(4567), "x") == "4567"
    assert student_id(metadata(None), "x") == "student@example.edu"
    assert student_id({"id": 5, "users": [{}]}, "x") == "5"
    assert student_id({}, "folder") == "folder"
    assert student_id({"users": [{"id": "../../etc/passwd"}]}, "x") == "etc_passwd"


def test_cli_errors_are_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-c", "import sys; from grader.cli import gradescope_main; "
                           "sys.argv[0] = 'grade-gradescope'; sys.exit(gradescope_main())", "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "is a folder" in proc.stderr
    assert stat.S_ISDIR(tmp_path.stat().st_mode)


def test_without_bubblewrap_the_reference_stays_out_of_reach(bundle, tmp_path):
    """On Gradescope without bubblewrap (here: a bwrap that cannot start), a skeleton that tries to
    read the bundle's reference and labels and run them as its own still scores 0: the worker is
    another uid confined by Landlock (and setup.sh makes the source root-only on top)."""
    root = autograder_root(tmp_path, bundle, metadata(4321))
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python3").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')  # this interpreter, its venv kept
    (fake / "bwrap").write_text("#!/bin/sh\nexit 1\n")
    for tool in ("python3", "bwrap"):
        (fake / tool).chmod(0o755)
    source = root / "source"
    stolen = [str(p) for p in (source / "assignment" / "reference" / "codes" / "layers.py",
                               source / "assignment" / "reference" / "codes" / "loss.py",
                               source / "data" / "mnist" / "t10k-labels-idx1-ubyte.gz")]
    with zipfile.ZipFile(EXAMPLES / f"{CORRECT}.zip") as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
    skeleton = {p.name: p.read_text() for p in (REPO / "skeleton" / "codes").glob("*.py")}
    thief = ("\nfor _path in %r:\n    try:\n        _stolen = open(_path).read()\n"
             "    except OSError as e:\n        raise ImportError('blocked: ' + type(e).__name__)\n"
             "    exec(_stolen, globals())\n" % (stolen,))
    (root / "submission" / "codes").mkdir()
    for name, text in skeleton.items():
        (root / "submission" / "codes" / name).write_text(text + (thief if name in ("layers.py", "loss.py") else ""))
    assert names  # the example exists; the thief is the hand-out plus the lines above
    data = finish(start_autograder(root, path_first=fake), root)
    assert data["extra_data"]["sandbox"] == "fallback"
    assert data["score"] == 0, [(t["name"], t["score"]) for t in data["tests"] if t["score"]]
    assert any("ImportError: blocked: PermissionError" in t["output"] for t in data["tests"])
