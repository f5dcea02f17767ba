"""USC CSCI-567: test accuracy of the reference's main() in the grader's short runs, over seeds, and
in the course's full runs: where the thresholds of test_main_accuracy* come from.

    python bench/usc_main_accuracy.py [--rows 1000 2000] [--seeds 10] [--full]

Short runs: main() as the hidden suite runs it (tasks.run_main: trusted modules, the first ROWS
training rows of mnist_subset.json, one epoch, [settings.main_relu] / [settings.main_momentum] with
random_seed 0..SEEDS-1 and 42), accuracy on the 1,000 test rows, CPU seconds per run (one BLAS
thread, as in the worker). --full: the course's own command on the whole subset (10 epochs), as
`python neural_networks.py --input_file mnist_subset.json [--alpha 0.9 --activation tanh]`, its
last validation accuracy as main prints it.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: one thread, as the worker has
import numpy as np  # noqa: E402

from grader.assignment import load_assignment  # noqa: E402
from grader.datasets import build, load_splits  # noqa: E402

FOLDER = Path(__file__).resolve().parents[1] / "grader" / "assignments" / "usc-csci567"
FULL_FLAGS = {"relu": [], "momentum": ["--alpha", "0.9", "--activation", "tanh"]}


def _tasks(reference: Path):
    """The assignment's tasks.py with the reference's modules importable by bare name."""
    sys.path.insert(0, str(reference))
    spec = importlib.util.spec_from_file_location("usc_tasks", FOLDER / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def short_runs(assignment, rows: list[int], seeds: int) -> None:
    tasks = _tasks(assignment.reference_code)
    data = load_splits(assignment.data["mnist_subset"], assignment.root, as_stored=True)
    (train_X, train_y), (valid_X, valid_y), (test_X, test_y) = data["train"], data["valid"], data["test"]
    here = os.getcwd()
    print("| run | rows | test accuracy, seeds 0-%d: min / max | seed 42 | CPU s per run |" % (seeds - 1))
    print("|---|---|---|---|---|")
    for config in ("relu", "momentum"):
        for n in rows:
            found, cpu = {}, time.process_time()
            for seed in [*range(seeds), 42]:
                params = dict(assignment.settings[f"main_{config}"], random_seed=seed)
                with contextlib.redirect_stdout(io.StringIO()), tempfile.TemporaryDirectory() as tmp:
                    os.chdir(tmp)  # main() writes its accuracy records into the working folder
                    try:
                        learned = tasks.run_main(params, train_X[:n], train_y[:n], valid_X, valid_y)["params"]
                    finally:
                        os.chdir(here)
                act = np.tanh if params["activation"] == "tanh" else (lambda u: np.maximum(0.0, u))
                scores = act(test_X @ learned["L1_W"] + learned["L1_b"]) @ learned["L2_W"] + learned["L2_b"]
                found[seed] = float(np.mean(np.argmax(scores, axis=1) == test_y))
            spread = [v for k, v in found.items() if k != 42]
            print(f"| {config} | {n} | {min(spread):.3f} / {max(spread):.3f} | {found[42]:.3f} | "
                  f"{(time.process_time() - cpu) / len(found):.2f} |", flush=True)


def full_runs(assignment) -> None:
    data_file = build(assignment.data["mnist_subset"], assignment.root).path / "handout" / "mnist_subset.json"
    print("\n| course run | command flags | last validation accuracy | wall s |")
    print("|---|---|---|---|")
    for config, flags in FULL_FLAGS.items():
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            out = subprocess.run([sys.executable, str(assignment.reference_code / "neural_networks.py"),
                                  "--input_file", str(data_file), *flags], cwd=tmp, capture_output=True, text=True,
                                 check=True).stdout
        accuracy = re.findall(r"Validation accuracy at epoch \d+ is ([0-9.]+)", out)[-1]
        print(f"| {config} | `{' '.join(flags) or '(defaults)'}` | {float(accuracy):.3f} | "
              f"{time.perf_counter() - start:.0f} |", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 2000])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--full", action="store_true", help="also the course's full 10-epoch runs")
    args = parser.parse_args(argv)
    assignment = load_assignment(FOLDER)
    short_runs(assignment, args.rows, args.seeds)
    if args.full:
        full_runs(assignment)
    return 0


if __name__ == "__main__":
    sys.exit(main())
