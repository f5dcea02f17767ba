"""What the data cache costs: building each format once from the shipped MNIST, and a cache hit in
a fresh process (what each `grade` child of a batch pays), against parsing the IDX files, which is
what every grading process paid before the cache.

    PYTHONPATH=. python bench/data_cache.py [--rounds N] [--formats idx json pkl.gz hdf5]

Builds go to a temporary MLP_GRADER_CACHE, so the user's cache is left alone.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHILD = """
import json, sys, time
from pathlib import Path
from grader.assignment import DataSpec
from grader import datasets
from grader.data import load_mnist_pixels
spec, root = DataSpec(*json.loads(sys.argv[1])), Path(sys.argv[2])
t0 = time.perf_counter(); datasets.build(spec, root)
t1 = time.perf_counter(); datasets.load_splits(spec, root); datasets.worker_files(spec, root)
t2 = time.perf_counter(); datasets.load_splits(spec, root)
t3 = time.perf_counter(); load_mnist_pixels()
t4 = time.perf_counter()
print(json.dumps({"key": t1 - t0, "load": t2 - t1, "again": t3 - t2, "parse_idx": t4 - t3}))
"""


def in_child(spec: list, env: dict) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(spec), str(REPO / "grader" / "assignments" / "mlp")],
                          env=env, capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--formats", nargs="+", default=["idx", "json", "pkl.gz", "hdf5"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "MLP_GRADER_CACHE": cache, "PYTHONPATH": str(REPO)}
        print(f"load average {os.getloadavg()[0]:.2f}; {args.rounds} fresh processes per format after the build")
        print("| format | build (once) | entry size | hit: key check | hit: load_splits | hit total "
              "| parse IDX (baseline) | hit / baseline | second load_splits in-process |")
        print("|---|---|---|---|---|---|---|---|---|")
        for fmt in args.formats:
            spec = ["m", "mnist", fmt, [], {}]
            start = time.perf_counter()
            in_child(spec, env)  # the build (plus one hit, negligible next to it)
            build = time.perf_counter() - start
            entry = next(p for p in Path(cache).iterdir() if p.name.startswith(fmt.replace(".", "") + "-"))
            size = sum(p.stat().st_size for p in entry.rglob("*") if p.is_file())
            runs = [in_child(spec, env) for _ in range(args.rounds)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            hit = med["key"] + med["load"]
            print(f"| {fmt} | {build:.1f} s | {size / 2**20:.0f} MiB | {med['key'] * 1e3:.0f} ms | "
                  f"{med['load'] * 1e3:.0f} ms | {hit * 1e3:.0f} ms | {med['parse_idx'] * 1e3:.0f} ms | "
                  f"{hit / med['parse_idx']:.2f} | {med['again'] * 1e3:.2f} ms |")


if __name__ == "__main__":
    main()
