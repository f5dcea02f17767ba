"""The tiny assignment end to end, as a TA outside the repository would run it: generate the
hand-out, grade the reference (full marks) and the skeleton (0), validate, bundle for Gradescope
and grade a loose-file upload with the bundle's own run_autograder."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from grader.assignment import load_assignment
from grader.gradescope import main as bundle_main
from grader.results import NOT_IMPLEMENTED
from grader.run import grade_one
from grader.skeleton import main as skeleton_main

REPO = Path(__file__).resolve().parents[2]
BANNER_END = "    # NOTE: DO NOT MODIFY CODE BELOW THIS, until next TODO\n"


def test_handout_keeps_the_banners_and_stubs_the_code(tiny, capsys):
    assert not tiny.is_relative_to(REPO)
    assert skeleton_main(["--assignment", str(tiny)]) == 0
    skeleton = tiny / "skeleton"
    assert sorted(p.relative_to(skeleton).as_posix() for p in skeleton.rglob("*") if p.is_file()) == [
        "README.md", "scores.json", "stats.py", "tests/test_stats.py"]
    text = (skeleton / "stats.py").read_text()
    assert ("    # TODO: return the mean of xs\n    #       (a non-empty list of numbers)\n    " + "#" * 60 + "\n"
            '    raise NotImplementedError("Not Implemented function: mean")\n    ' + "#" * 60 + "\n" + BANNER_END) in text
    assert '    raise NotImplementedError("Not Implemented function: spread")\n' in text
    assert "sum(xs)" not in text and "max(xs) - min(xs)\n" not in text  # no solution left
    assert text.count("# TODO:") == 2 and "def summary():" in text
    readme = (skeleton / "README.md").read_text()
    assert "| `mean` (stats.py) | `mean` | 3 |" in readme and "That is 6 points." in readme
    capsys.readouterr()
    assert skeleton_main(["--assignment", str(tiny), "--check"]) == 0  # a re-run gives the same bytes


def test_reference_gets_full_marks_and_skeleton_zero(tiny):
    assert skeleton_main(["--assignment", str(tiny)]) == 0
    assignment = load_assignment(tiny)
    full = grade_one(assignment.reference_dir, assignment)
    assert full.error is None and full.score == full.max_score == 6
    assert all(o.passed for o in full.outcomes)
    bare = grade_one(tiny / "skeleton", assignment)
    assert bare.score == 0
    assert {o.test: o.status for o in bare.outcomes if o.test != "test_summary_of_data_file"} == {
        "test_mean": NOT_IMPLEMENTED, "test_mean_of_one": NOT_IMPLEMENTED, "test_spread": NOT_IMPLEMENTED}


def test_validate_passes_and_names_the_test_that_crosses_groups(tiny, capsys):
    assert skeleton_main(["--assignment", str(tiny), "--validate", "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert not (tiny / "skeleton").exists()  # validating writes no hand-out
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith(("reference", "skeleton", "stats"))}
    assert set(rows) == {"reference", "skeleton", "stats.py:mean", "stats.py:spread"}
    assert all("  ok  " in row for row in rows.values()), out
    assert "6 / 6" in rows["reference"] and "0 / 6" in rows["skeleton"]
    assert "test_mean, test_mean_of_one, test_summary_of_data_file" in rows["stats.py:mean"]

    toml = tiny / "assignment.toml"  # without the declaration, the shared test breaks the rule
    toml.write_text(toml.read_text().split("[validate]")[0])
    assert skeleton_main(["--assignment", str(tiny), "--validate", "--jobs", "2"]) == 1
    out = capsys.readouterr().out
    failing = [line for line in out.splitlines() if "FAIL" in line]
    assert len(failing) == 2 and all("also loses test_summary_of_data_file" in line for line in failing)
    assert out.splitlines()[-1].startswith("2 of 4 variants ok, 2 failed")


def _unpack(bundle: Path, root: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        for info in zf.infolist():  # extractall drops the mode bits; Gradescope's unzip keeps them
            zf.extract(info, root / "source")
            os.chmod(root / "source" / info.filename, info.external_attr >> 16 & 0o777)


def test_bundle_carries_the_outside_reference_and_grades_loose_files(tiny, tmp_path):
    assert skeleton_main(["--assignment", str(tiny)]) == 0
    first, again = tmp_path / "a.zip", tmp_path / "b.zip"
    for out in (first, again):
        assert bundle_main(["--assignment", str(tiny), "--out", str(out)]) == 0
    assert first.read_bytes() == again.read_bytes()
    with zipfile.ZipFile(first) as zf:
        names = set(zf.namelist())
        settings = json.loads(zf.read("gradescope.json"))
        setup = zf.read("setup.sh").decode()
    assert settings["assignment"] == "assignment/tiny" and settings["max_score"] == 6
    assert 'python" -m grader.datasets --assignment "$SOURCE/assignment/tiny"' in setup  # data warmed at setup
    assert {"assignment/tiny/assignment.toml", "assignment/tiny/hidden/test_stats.py",
            "assignment/tiny/skeleton/stats.py", "assignment/solutions/tiny/stats.py",
            "assignment/solutions/tiny/scores.json", "grader/gradescope/run.py", "code_analyze/blocks.py"} <= names
    assert not [n for n in names if n.startswith("grader/assignments/")]

    root = tmp_path / "autograder"
    _unpack(first, root)
    (root / "submission").mkdir()
    shutil.copy(tiny.parent / "solutions" / "tiny" / "stats.py", root / "submission")  # loose, no scores.json
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "MLP_GRADER_VENV": str(root / "no-venv"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)  # the grader must come from the bundle itself
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd="/", env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 6, results
    assert "scores.json was missing; graded with the hand-out's copy" in results["output"]
