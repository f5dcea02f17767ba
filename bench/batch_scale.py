"""Batch grading on one machine: wall time of `grade DIR --jobs N` for N = 1 and 2, the speed-up,
and the peak memory of the whole process tree (all `grade` children and their workers at once).

The submissions are COUNT copies of the example zips (correct, sign error, empty hand-out, in
turn) under different student ids. Both runs must give the same gradebook.csv; the baseline is
--jobs 1 in the same run.

    python bench/batch_scale.py [--count 20] [--jobs 1 2]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gradescope_limits import measure  # noqa: E402

EXAMPLES = sorted((ROOT / "examples").glob("*.zip"))


def make_submissions(folder: Path, count: int) -> None:
    folder.mkdir()
    for i in range(count):
        shutil.copyfile(EXAMPLES[i % len(EXAMPLES)], folder / f"{2024000001 + i}.zip")


def default_jobs() -> int:
    from grader.grade import _parser

    return _parser().parse_args(["x"]).jobs


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = p.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    print(f"grade --jobs defaults to {default_jobs()} (os.cpu_count() = {os.cpu_count()}, "
          f"usable cores = {len(os.sched_getaffinity(0))})")
    with tempfile.TemporaryDirectory(prefix="batch-scale-") as tmp:
        subs = Path(tmp) / "submissions"
        make_submissions(subs, args.count)
        runs = {}
        for jobs in args.jobs:
            out = Path(tmp) / f"out-{jobs}"
            runs[jobs] = m = measure([sys.executable, "-m", "grader.grade", str(subs), "--out", str(out),
                                      "--jobs", str(jobs)], env=env, cwd=ROOT)
            m["gradebook"] = (out / "gradebook.csv").read_bytes()
            print(f"--jobs {jobs}: {args.count} submissions in {m['wall_s']} s "
                  f"({m['wall_s'] / args.count:.2f} s each), CPU {m['cpu_s']} s, peak memory {m['peak_tree_mb']} MB "
                  f"summed over up to {m['processes']} processes, exit {m['exit']}")
        base = runs[args.jobs[0]]
        for jobs in args.jobs[1:]:
            same = "same" if runs[jobs]["gradebook"] == base["gradebook"] else "DIFFERENT"
            print(f"speed-up --jobs {jobs} vs --jobs {args.jobs[0]}: {base['wall_s'] / runs[jobs]['wall_s']:.2f}x "
                  f"({same} gradebook.csv)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
