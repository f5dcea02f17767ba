"""End to end with the real engine: `grade examples/ --jobs 2` on the committed example zips."""
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
SIGN_ERROR_LOSES = {"test_linear_backward_grad_W", "test_linear_backward_matches_forward", "test_worked_example",
                    "test_accuracy_on_mnist"}  # gradient ascent on W does not learn


def test_examples_are_current_and_deterministic(tmp_path):
    subprocess.run([sys.executable, str(EXAMPLES / "make_examples.py"), str(tmp_path)], check=True,
                   capture_output=True, env=ENV)
    for sid in ("2023000001", "2023000002", "2023000003"):
        assert (tmp_path / f"{sid}.zip").read_bytes() == (EXAMPLES / f"{sid}.zip").read_bytes(), (
            f"examples/{sid}.zip is stale: run python examples/make_examples.py")


def test_examples_grade_correct_full_wrong_partial_skeleton_stubbed(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "grader.grade", str(EXAMPLES), "--out", str(out), "--jobs", "2"],
                          capture_output=True, text=True, env=ENV, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = {sid: json.loads((out / sid / "results.json").read_text())
            for sid in ("2023000001", "2023000002", "2023000003")}
    statuses = {sid: {t["extra_data"]["test"]: t["extra_data"]["status"] for t in d["tests"]
                      if not t["extra_data"].get("synthetic")} for sid, d in data.items()}
    graded = [t for t in data["2023000001"]["tests"] if not t["extra_data"].get("synthetic")]
    maximum = sum(t["max_score"] for t in graded if "bonus" not in t["tags"])
    bonus = sum(t["max_score"] for t in graded if "bonus" in t["tags"])
    assert maximum == 100 and bonus > 0 and data["2023000001"]["score"] == maximum + bonus
    assert set(statuses["2023000001"].values()) == {"passed"}
    assert 0 < data["2023000002"]["score"] < maximum
    # the sign error in grad_W loses exactly the tests that use grad_W
    assert {t for t, status in statuses["2023000002"].items() if status != "passed"} == SIGN_ERROR_LOSES
    assert "not_implemented" in statuses["2023000003"].values()
    assert data["2023000003"]["score"] < data["2023000002"]["score"]
    rows = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text())))
    assert [r["id"] for r in rows] == ["2023000001", "2023000002", "2023000003"]
    assert float(rows[0]["total"]) == maximum + bonus and float(rows[0]["max"]) == maximum
    assert all(rows[1][t] == "0" for t in SIGN_ERROR_LOSES)
    # the MNIST accuracy (a leaderboard figure) in the gradebook, the feedback and the report
    assert float(rows[0]["accuracy (%)"]) >= 95 and rows[0]["status"] == "graded"
    accuracy = rows[0]["accuracy (%)"]
    assert f"accuracy (%): **{accuracy}**" in (out / "2023000001" / "feedback.md").read_text()
    assert "accuracy (%)" in (out / "report.html").read_text()
