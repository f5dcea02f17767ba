"""How much the sandboxed worker costs: the minimal mlp checks through the worker vs the same
calls on the reference imported directly in this process (one run each, same inputs).

    PYTHONPATH=. python bench/sandbox_overhead.py [--calls N] [--no-sandbox]   (or after pip install -e .)
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

# The worker runs BLAS on one thread; so must the direct side, or the ratio measures threading.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

from grader.assignment import load_assignment  # noqa: E402
from grader.plugin import ReferenceModules  # noqa: E402
from grader.proxy import StudentProxy  # noqa: E402
from grader.sandbox import Sandbox  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def checks(mod_layers, mod_loss, rng) -> None:
    """Relu forward, Linear forward/backward with set weights, cross-entropy forward."""
    x, g = rng.normal(size=(100, 784)), rng.normal(size=(100, 10))
    mod_layers.Relu("r").forward(x)
    lin = mod_layers.Linear("fc", 784, 10, 0.1)
    lin.W, lin.b = rng.normal(size=(784, 10)), np.zeros(10)
    lin.forward(x)
    lin.backward(g)
    _ = lin.grad_W, lin.grad_b
    mod_loss.SoftmaxCrossEntropyLoss("ce").forward(g, np.eye(10)[rng.integers(0, 10, 100)])


def timed(fn, calls: int) -> float:
    start = time.perf_counter()
    for i in range(calls):
        fn(np.random.default_rng(i))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--no-sandbox", action="store_true")
    args = parser.parse_args()
    assignment = load_assignment()
    modules = [Path(f).stem for f in assignment.student_files]
    reference = ReferenceModules(assignment.reference_dir, modules)
    box = Sandbox(REPO / "reference" / "codes", assignment.tasks_file, modules, assignment.limits,
                  sandbox=not args.no_sandbox)
    student = StudentProxy(box, assignment.limits, modules)
    try:
        start = time.perf_counter()
        student.layers.Relu("warm-up")  # worker start + imports, reported separately
        startup = time.perf_counter() - start
        direct = timed(lambda rng: checks(reference.layers, reference.loss, rng), args.calls)
        remote = timed(lambda rng: checks(student.layers, student.loss, rng), args.calls)
    finally:
        student.close()
    mode = "bubblewrap" if box.use_bwrap else "rlimits only"
    print(f"sandbox: {mode}; worker start {startup * 1000:.0f} ms")
    print(f"{args.calls} rounds of the minimal checks: direct {direct:.3f} s, worker {remote:.3f} s, "
          f"ratio {remote / direct:.1f}x ({(remote - direct) / args.calls * 1000:.2f} ms extra per round)")


if __name__ == "__main__":
    main()
