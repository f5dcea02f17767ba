"""How long `grade` takes on a correct submission (the reference, zipped with its summary.txt),
against the bare cost of what the accuracy test must do anyway: the same staff training run on
the reference imported in this process (same trusted loop, same config, one BLAS thread like the
worker). Also times the hidden suite without the accuracy test.

    python bench/grade_speed.py [--repeat N]
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the worker's setting; see sandbox_overhead.py
os.environ.setdefault("OMP_NUM_THREADS", "1")

from code_analyze.summary import analyze_dirs, render_summary  # noqa: E402

from grader.assignment import load_assignment  # noqa: E402
from grader.data import load_mnist  # noqa: E402
from grader.plugin import run_hidden_tests  # noqa: E402
from grader.run import grade_one  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference" / "codes"
TARGET_S = 30.0


def reference_zip(folder: Path) -> Path:
    summary = render_summary(analyze_dirs(REPO / "skeleton" / "codes", REFERENCE))
    path = folder / "2023000000.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("Report.md", "# Report\n")
        z.writestr("summary.txt", summary)
        for f in sorted(REFERENCE.glob("*.py")):
            z.write(f, f"codes/{f.name}")
    return path


def baseline_training_s(assignment) -> float:
    """The staff training run (first learning rate) on the reference, in this process."""
    sys.path.insert(0, str(REFERENCE))
    spec = importlib.util.spec_from_file_location("bench_tasks", assignment.tasks_file)
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    config = assignment.settings["accuracy"]
    train_x, train_y, test_x, _ = load_mnist()
    to_bytes = lambda x: (x * 255.0 + 128.5).astype("uint8")  # noqa: E731
    train_images, test_images = to_bytes(train_x), to_bytes(test_x)
    start = time.perf_counter()
    tasks.train_and_predict(train_images, train_y, test_images, hidden=config["hidden"], epochs=config["epochs"],
                            batch_size=config["batch_size"], learning_rate=config["learning_rates"][0],
                            momentum=config["momentum"], init_std=config["init_std"], seed=config["seed"])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    assignment = load_assignment()
    folder = Path(tempfile.mkdtemp(prefix="grade-speed-"))
    try:
        path = reference_zip(folder)
        hidden = folder / "hidden"
        shutil.copytree(assignment.hidden_dir, hidden, ignore=shutil.ignore_patterns("test_accuracy.py", "__pycache__"))
        quick = dataclasses.replace(assignment, hidden_dir=hidden,
                                    points={k: v for k, v in assignment.points.items() if k != "test_accuracy_on_mnist"})
        shutil.copytree(REFERENCE, folder / "codes")
        for run in range(args.repeat):
            baseline = baseline_training_s(assignment)
            start = time.perf_counter()
            result = grade_one(path, assignment)
            grade_s = time.perf_counter() - start
            start = time.perf_counter()
            run_hidden_tests(quick, folder / "codes")
            quick_s = time.perf_counter() - start
            print(f"run {run + 1}: grade {grade_s:.1f} s (score {result.score:g}/{result.max_score:g}; "
                  f"target <= {TARGET_S:g} s) | staff training alone {baseline:.1f} s, ratio {grade_s / baseline:.2f} | "
                  f"suite without accuracy {quick_s:.1f} s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    load = os.getloadavg()[0]
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
