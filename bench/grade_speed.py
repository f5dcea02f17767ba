"""What grading one correct submission costs: CPU seconds of the whole `grade` process tree (the
worker included), wall time, and the number of requests the hidden suite sends to the worker,
against the bare cost of what the accuracy test must do anyway (the same staff training run on
the reference, in this process, one BLAS thread like the worker) measured in the same run.

CPU is counted with the fallback sandbox (`--no-sandbox`): its workers are the grading process's
own children, so their CPU time adds up; under bubblewrap the worker sits in another pid namespace
and the same work is not visible to getrusage. The wall time of the default (bubblewrap) run is
shown beside it.

    python bench/grade_speed.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the worker's setting
os.environ.setdefault("OMP_NUM_THREADS", "1")

from code_analyze.summary import analyze_dirs, render_summary  # noqa: E402

from grader import datasets  # noqa: E402
from grader.assignment import load_assignment  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "reference" / "codes"
GOAL_CPU_S = 4.0


def reference_zip(folder: Path) -> Path:
    summary = render_summary(analyze_dirs(REPO / "skeleton" / "codes", REFERENCE))
    path = folder / "2023000000.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("Report.md", "# Report\n")
        z.writestr("summary.txt", summary)
        for f in sorted(REFERENCE.glob("*.py")):
            z.write(f, f"codes/{f.name}")
    return path


def training_baseline() -> tuple[float, float]:
    """(CPU s, wall s) of the staff training run on the reference, in this process."""
    assignment = load_assignment()
    sys.path[:0] = [str(REFERENCE), str(REPO / "grader")]
    spec = importlib.util.spec_from_file_location("grader_tasklib", REPO / "grader" / "tasklib.py")
    sys.modules["grader_tasklib"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sys.modules["grader_tasklib"])
    spec = importlib.util.spec_from_file_location("bench_tasks", assignment.tasks_path)
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    config = assignment.settings["accuracy"]
    train = datasets.load_splits(assignment.data["mnist"], assignment.root)["train"]
    cpu, wall = time.process_time(), time.perf_counter()
    tasks.train_weights(train.images, train.labels, hidden=config["hidden"], epochs=config["epochs"],
                        batch_size=config["batch_size"], learning_rate=config["learning_rates"][0],
                        final_rate=config["final_rate"], momentum=config["momentum"],
                        init_std=config["init_std"], seed=config["seed"])
    return time.process_time() - cpu, time.perf_counter() - wall


def grade(path: Path, out: Path, *extra: str) -> tuple[float, float, dict]:
    """(CPU s of the grade process tree, wall s, results.json) of `grade path`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader.grade", str(path), "--out", str(out), *extra],
                   check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    results = json.loads((out / path.stem / "results.json").read_text())
    return cpu, wall, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="grade-speed-") as tmp:
        path = reference_zip(Path(tmp))
        for run in range(args.repeat):
            base_cpu, base_wall = training_baseline()
            cpu, wall, results = grade(path, Path(tmp) / f"fallback{run}", "--no-sandbox")
            _, bwrap_wall, bwrap_results = grade(path, Path(tmp) / f"bwrap{run}")
            extra = results["extra_data"]
            rows.append((cpu, wall, bwrap_wall, base_cpu, extra.get("requests")))
            print(f"run {run + 1}: grade {cpu:.2f} s CPU ({wall:.1f} s wall; {bwrap_wall:.1f} s wall under "
                  f"{bwrap_results['extra_data'].get('sandbox')}), score {results['score']:g} | staff training alone "
                  f"{base_cpu:.2f} s CPU, ratio {cpu / base_cpu:.2f} | {extra.get('requests')} requests")
    best = min(rows)
    print(f"best: {best[0]:.2f} s CPU per correct submission (goal <= {GOAL_CPU_S:g} s: "
          f"{'met' if best[0] <= GOAL_CPU_S else 'not met'}), {best[4]} requests; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
