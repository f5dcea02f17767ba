"""One training epoch as `python run_mlp.py` runs it, against the same network in PyTorch and against
the epoch's matrix products alone, all timed in one run.

    python bench/epoch_speed.py [--rounds 5] [--threads N] [--breakdown]

"reference" is run_mlp.py's own epoch: its defaults (784-256-10, ReLU, softmax cross-entropy, batch
100, lr 0.05, momentum 0.9, weight decay 2e-4), its data loader and dtype (float32; "reference
float64" is `--dtype float64`), its model through Network, and solve_net.train_net with its loss and
accuracy bookkeeping. Its per-epoch evaluation (test_net) is left out, as torch's loop has none.
torch is the same network, loss, initialisation scale and SGD (momentum and weight decay), in float32
and in float64, with the same bookkeeping. The floors are the six matrix products of one step, on
batches of the same shapes; "floor without fc1's g W^T" leaves out the product that the interface
requires (Linear.backward returns g W^T) and that nothing uses for the first layer: torch skips it.

Threads: run_mlp.py's own choice (--threads N overrides), set in numpy's OpenBLAS and in torch. The
runners alternate (reference, torch, floors, reference, ...), so a busy machine slows them alike; the
figures are medians over the rounds. torch is optional (never a project dependency).
--breakdown then times each pass of the reference's epoch (each layer's forward, backward, update).
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

CODES_DIR = Path(__file__).resolve().parents[1] / "reference" / "codes"
sys.path.insert(0, str(CODES_DIR))
import run_mlp  # noqa: E402  (bare names, as in the hand-out)
import solve_net  # noqa: E402
from load_data import load_mnist_2d  # noqa: E402

HIDDEN, CLASSES = 256, 10


def openblas():
    """numpy's bundled OpenBLAS, or None (another BLAS: then set OPENBLAS_NUM_THREADS and friends)."""
    pattern = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "*openblas*")
    return next((ctypes.CDLL(path) for path in glob.glob(pattern)), None)


def set_blas_threads(threads: int) -> int:
    """Sets OpenBLAS's thread count at run time (numpy is already loaded); returns what it reports."""
    lib = openblas()
    for prefix in ("scipy_openblas", "openblas"):
        for suffix in ("64_", ""):
            if hasattr(lib, f"{prefix}_set_num_threads{suffix}"):
                getattr(lib, f"{prefix}_set_num_threads{suffix}")(threads)
                return int(getattr(lib, f"{prefix}_get_num_threads{suffix}")())
    raise SystemExit("epoch_speed.py: numpy's OpenBLAS not found: run with OPENBLAS_NUM_THREADS set instead")


class ReferenceEpoch:
    """run_mlp.py's model, loss and config; one epoch is solve_net.train_net, as run_mlp.train calls it."""

    def __init__(self, argv):
        self.args = run_mlp.parse_args(argv)
        self.dtype = np.dtype(self.args.dtype)
        np.random.seed(self.args.seed)
        self.model = run_mlp.build_model(self.args)
        run_mlp.cast_parameters(self.model, self.dtype)
        self.loss = run_mlp.build_loss(self.args)
        self.config = {"learning_rate": self.args.lr, "weight_decay": self.args.weight_decay,
                       "momentum": self.args.momentum}

    def run(self, data):
        x, y = data[self.dtype.name]
        solve_net.train_net(self.model, self.loss, self.config, x, y, self.args.batch_size, 0)
        assert self.model.layer_list[0].W.dtype == self.dtype, "something upcast the weights"


class MatmulFloor:
    """Only the matrix products one reference step does, on batches of the same shapes."""

    def __init__(self, dtype, batch, fc1_input_grad=True):
        rng = np.random.default_rng(0)
        self.dtype, self.batch, self.fc1_input_grad = np.dtype(dtype), batch, fc1_input_grad
        self.W1 = rng.standard_normal((784, HIDDEN)).astype(dtype)
        self.W2 = rng.standard_normal((HIDDEN, CLASSES)).astype(dtype)
        self.h = rng.standard_normal((batch, HIDDEN)).astype(dtype)
        self.g2 = rng.standard_normal((batch, CLASSES)).astype(dtype)
        self.g1 = rng.standard_normal((batch, HIDDEN)).astype(dtype)

    def run(self, data):
        x, _ = data[self.dtype.name]
        for start in range(0, len(x), self.batch):
            batch = x[start:start + self.batch]
            _ = batch @ self.W1, self.h @ self.W2              # forward
            _ = self.h.T @ self.g2, self.g2 @ self.W2.T        # fc2 backward
            _ = batch.T @ self.g1                              # fc1 backward: grad_W
            if self.fc1_input_grad:
                _ = self.g1 @ self.W1.T                        # and g W^T, which nothing uses


class TorchEpoch:
    """The same network, loss, initialisation scale and SGD (momentum, weight decay) in PyTorch."""

    def __init__(self, dtype, args, threads):
        import torch

        self.torch, self.dtype, self.batch = torch, np.dtype(dtype), args.batch_size
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        self.net = torch.nn.Sequential(torch.nn.Linear(784, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, CLASSES))
        with torch.no_grad():
            for layer in (self.net[0], self.net[2]):
                layer.weight.normal_(0, args.init_std)
                layer.bias.zero_()
        self.net.to(getattr(torch, self.dtype.name))
        self.loss = torch.nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.net.parameters(), lr=args.lr, momentum=args.momentum,
                                         weight_decay=args.weight_decay)

    def run(self, data):
        torch = self.torch
        x, y = (torch.from_numpy(a) for a in data[self.dtype.name])
        order = torch.randperm(len(x))
        losses, accuracies = [], []  # train_net's bookkeeping: each batch's loss and accuracy
        for start in range(0, len(x), self.batch):
            index = order[start:start + self.batch]
            self.optimizer.zero_grad()
            output = self.net(x[index])
            loss = self.loss(output, y[index])
            loss.backward()
            self.optimizer.step()
            losses.append(loss.item())
            accuracies.append((output.argmax(1) == y[index]).float().mean().item())


def time_once(runner, data) -> tuple[float, float]:
    """(wall, CPU) seconds of one epoch. With one thread, CPU time leaves out the time other processes
    held the core, so its ratios stay steady on a busy machine; with more, it also counts spinning."""
    start, cpu = time.perf_counter(), time.process_time()
    runner.run(data)
    return time.perf_counter() - start, time.process_time() - cpu


def breakdown(reference, data) -> dict[str, float]:
    """Seconds per pass over one epoch of train_net: every layer's and the loss's methods are wrapped
    in a timer; what is left is data_iterator, the one-hot targets and the bookkeeping."""
    seconds: dict[str, float] = {}

    def timed(label, method):
        def wrapper(*args):
            start = time.perf_counter()
            result = method(*args)
            seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - start
            return result
        return wrapper

    targets = [(layer, layer.name, ("forward", "backward", "update") if layer.trainable else ("forward", "backward"))
               for layer in reference.model.layer_list] + [(reference.loss, "loss", ("forward", "backward"))]
    for obj, name, methods in targets:
        for method in methods:
            setattr(obj, method, timed(f"{name}.{method}", getattr(obj, method)))
    try:
        total = time_once(reference, data)[0]
    finally:
        for obj, _, methods in targets:
            for method in methods:
                delattr(obj, method)  # the class's methods again
    seconds["data, targets, bookkeeping"] = total - sum(seconds.values())
    seconds["total"] = total
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0, help="BLAS and torch threads (0: run_mlp.py's choice)")
    parser.add_argument("--breakdown", action="store_true", help="also time each pass of the reference's epoch")
    args = parser.parse_args(argv)

    wanted, why = run_mlp.choose_blas_threads(args.threads)  # before any work: the load is other processes'
    threads = set_blas_threads(wanted)
    defaults = run_mlp.parse_args([])
    data = {}
    for dtype in ("float32", "float64"):
        train_x, _, train_y, _ = load_mnist_2d(run_mlp.find_data_dir(), np.dtype(dtype))
        data[dtype] = (train_x, train_y)
    load = os.getloadavg()[0]
    runners = {"reference": ReferenceEpoch([]), "reference float64": ReferenceEpoch(["--dtype", "float64"])}
    try:
        runners.update({f"torch {dtype}": TorchEpoch(dtype, defaults, threads) for dtype in ("float32", "float64")})
    except ImportError:
        print("torch is not installed: timing the reference and the floors only")
    for dtype in ("float32", "float64"):
        runners[f"floor {dtype}"] = MatmulFloor(dtype, defaults.batch_size)
    runners["floor float32 without fc1's g W^T"] = MatmulFloor("float32", defaults.batch_size, fc1_input_grad=False)
    small = {dtype: (x[:2000], y[:2000]) for dtype, (x, y) in data.items()}
    for runner in runners.values():  # warm-up: thread pools, torch's first-call costs
        runner.run(small)
    walls: dict[str, list[float]] = {name: [] for name in runners}
    cpus: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(args.rounds):
        for name, runner in runners.items():
            wall, cpu = time_once(runner, data)
            walls[name].append(wall)
            cpus[name].append(cpu)

    print(f"one training epoch of 784-{HIDDEN}-10, 60,000 examples, batch {defaults.batch_size}, "
          f"{threads} BLAS/torch thread(s) ({why}), median of {args.rounds} alternating rounds "
          f"(load average before: {load:.1f})")
    median = {name: statistics.median(ts) for name, ts in walls.items()}
    cpu = {name: statistics.median(ts) for name, ts in cpus.items()}
    print(f"  {'':<34} {'wall median':>11}  {'(min, max)':<16} {'CPU median':>10}")
    for name, ts in walls.items():
        print(f"  {name:<34} {median[name]:9.3f} s  ({min(ts):.3f}, {max(ts):.3f})   {cpu[name]:8.3f} s")
    for ours, theirs, goal in (("reference", "torch float32", " (goal <= 1.0)"),
                               ("reference", "floor float32", " (goal <= 1.3)"),
                               ("reference float64", "torch float64", ""),
                               ("reference float64", "floor float64", ""),
                               ("reference float64", "reference", "")):
        if theirs in median:
            print(f"  {ours} / {theirs}: {median[ours] / median[theirs]:.2f} wall, "
                  f"{cpu[ours] / cpu[theirs]:.2f} CPU{goal}")
    if args.breakdown:
        passes = breakdown(runners["reference"], data)
        print("one reference epoch (float32) pass by pass:")
        for name, seconds in passes.items():
            print(f"  {name:<34} {seconds:6.3f} s  {100 * seconds / passes['total']:5.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
