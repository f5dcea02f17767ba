"""One training epoch of the reference (784-256-10, ReLU, softmax cross-entropy, batch 100, float32)
against the same network in PyTorch on CPU, and against the epoch's matrix products alone.

    python bench/epoch_speed.py [--rounds 5] [--dtype float32|float64]

The three are timed alternately in one process (reference, torch, products, reference, ...), so a
busy machine slows them alike; the figures are medians over the rounds. Torch gets as many threads
as numpy's BLAS uses. Goal: numpy / torch <= 1.0. torch is optional (never a project dependency):
without it only the reference and the floor are timed.

"float32" casts the data, the weights and the one-hot targets: the reference's maths keeps the dtype
of its inputs (numpy's Python-scalar rule), so nothing is upcast along the way. The loop is
solve_net.train_net's, minus its accuracy and loss bookkeeping, which torch's loop does not do either.
"""
from __future__ import annotations

import argparse
import ctypes
import glob
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from grader.data import load_mnist

CODES_DIR = Path(__file__).resolve().parents[1] / "reference" / "codes"
HIDDEN, BATCH, LR, MOMENTUM, INIT_STD = 256, 100, 0.05, 0.9, 0.05


def blas_threads() -> int:
    """How many threads numpy's OpenBLAS runs (asked from the library itself when it can be)."""
    pattern = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "*openblas*")
    for path in glob.glob(pattern):
        lib = ctypes.CDLL(path)
        for symbol in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(lib, symbol):
                return int(getattr(lib, symbol)())
    return int(os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or os.cpu_count())


def reference_modules():
    sys.path.insert(0, str(CODES_DIR))
    import layers, loss, network, solve_net, utils  # noqa: E401  (bare names, as in the hand-out)
    return layers, loss, network, solve_net, utils


class ReferenceEpoch:
    """The reference's Network and loss, weights cast to dtype."""

    def __init__(self, dtype):
        layers, loss, network, self.solve_net, self.utils = reference_modules()
        self.model = network.Network()
        self.model.add(layers.Linear("fc1", 784, HIDDEN, INIT_STD))
        self.model.add(layers.Relu("relu1"))
        self.model.add(layers.Linear("fc2", HIDDEN, 10, INIT_STD))
        for layer in self.model.layer_list:
            if layer.trainable:
                for name in ("W", "b", "grad_W", "grad_b", "diff_W", "diff_b"):
                    setattr(layer, name, getattr(layer, name).astype(dtype))
        self.loss = loss.SoftmaxCrossEntropyLoss("loss")
        self.config = {"learning_rate": LR, "weight_decay": 0.0, "momentum": MOMENTUM}
        self.dtype = dtype

    def run(self, x, y):
        for batch_x, batch_y in self.solve_net.data_iterator(x, y, BATCH):
            target = self.utils.onehot_encoding(batch_y, 10).astype(self.dtype)
            output = self.model.forward(batch_x)
            self.model.backward(self.loss.backward(output, target))
            self.model.update(self.config)
        assert self.model.layer_list[0].W.dtype == self.dtype, "something upcast the weights"


class MatmulFloor:
    """Only the six matrix products one reference step does, on batches of the same shapes."""

    def __init__(self, dtype):
        rng = np.random.default_rng(0)
        self.W1 = rng.standard_normal((784, HIDDEN)).astype(dtype)
        self.W2 = rng.standard_normal((HIDDEN, 10)).astype(dtype)
        self.h = rng.standard_normal((BATCH, HIDDEN)).astype(dtype)
        self.g2 = rng.standard_normal((BATCH, 10)).astype(dtype)
        self.g1 = rng.standard_normal((BATCH, HIDDEN)).astype(dtype)

    def run(self, x, y):
        for start in range(0, len(x), BATCH):
            batch = x[start:start + BATCH]
            _ = batch @ self.W1, self.h @ self.W2              # forward
            _ = self.h.T @ self.g2, self.g2 @ self.W2.T        # fc2 backward
            _ = batch.T @ self.g1, self.g1 @ self.W1.T         # fc1 backward: the reference computes dx too


class TorchEpoch:
    """The same network, loss, initialisation scale and SGD with momentum in PyTorch."""

    def __init__(self, dtype, threads):
        import torch

        self.torch = torch
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        self.net = torch.nn.Sequential(torch.nn.Linear(784, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 10))
        with torch.no_grad():
            for layer in (self.net[0], self.net[2]):
                layer.weight.normal_(0, INIT_STD)
                layer.bias.zero_()
        self.net.to(getattr(torch, np.dtype(dtype).name))
        self.loss = torch.nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=LR, momentum=MOMENTUM)

    def run(self, x, y):
        torch = self.torch
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        order = torch.randperm(len(x))
        for start in range(0, len(x), BATCH):
            index = order[start:start + BATCH]
            self.optimizer.zero_grad()
            self.loss(self.net(x[index]), y[index]).backward()
            self.optimizer.step()


def time_once(runner, x, y) -> float:
    start = time.perf_counter()
    runner.run(x, y)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    args = parser.parse_args(argv)
    dtype = np.dtype(args.dtype).type

    load = os.getloadavg()[0]  # other processes on the machine make every figure noisier
    train_x, train_y, _, _ = load_mnist()
    x, y = train_x.astype(dtype), train_y
    np.random.seed(0)
    threads = blas_threads()
    runners = {"reference (numpy)": ReferenceEpoch(dtype), "matmul floor": MatmulFloor(dtype)}
    try:
        runners["torch"] = TorchEpoch(dtype, threads)
    except ImportError:
        print("torch is not installed: timing the reference and the floor only")
    times = {name: [] for name in runners}
    for name, runner in runners.items():  # warm-up: BLAS thread pools, torch's first-call costs
        runner.run(x[:2000], y[:2000])
    for _ in range(args.rounds):
        for name, runner in runners.items():
            times[name].append(time_once(runner, x, y))

    print(f"one epoch of 784-{HIDDEN}-10, 60,000 examples, batch {BATCH}, {args.dtype}, {threads} BLAS/torch threads, "
          f"median of {args.rounds} alternating rounds (load average before: {load:.1f})")
    median = {name: statistics.median(ts) for name, ts in times.items()}
    for name, ts in times.items():
        print(f"  {name:<18} {median[name]:6.3f} s   (min {min(ts):.3f}, max {max(ts):.3f})")
    if "torch" in median:
        print(f"  ratio numpy / torch        {median['reference (numpy)'] / median['torch']:.2f}   (goal <= 1.0)")
    print(f"  ratio numpy / matmul floor {median['reference (numpy)'] / median['matmul floor']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
