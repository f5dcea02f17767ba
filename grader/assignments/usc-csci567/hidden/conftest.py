"""What the hidden tests of USC CSCI-567's neural networks assignment share.

Student code is called only the way the hand-out's main() calls it: a module's forward(X) before
its backward(X, grad) on the same object, with X the forward's input; the update with main's
model dict and the caller's momentum dict (or None without momentum), every argument explicit.
Expected values are computed here, in the parent, from plain data; main()'s runs (tasks.run_main,
with trusted modules standing in for the classes) give back learned weights, judged here on the
test rows, which never enter the worker.
"""
from __future__ import annotations

import numpy as np
import pytest

from grader.proxy import StudentError, StudentTimeout, WorkerCrashed

def forward_first(layer, *args, **kwargs) -> None:
    """layer.forward(...) before its backward, as main calls them. An exception it raises is the
    forward test's to charge: the backward is still called and judged on its own."""
    try:
        layer.forward(*args, **kwargs)
    except (StudentTimeout, WorkerCrashed):
        raise
    except StudentError:
        pass


@pytest.fixture(scope="session")
def forward():
    """forward(layer, X, ...): the forward call main makes before a backward (see forward_first)."""
    return forward_first


@pytest.fixture(scope="session")
def subset(dataset):
    """mnist_subset.json as the student's data_loader_mnist reads it: {split: Split(X, y)},
    X float64 rows of 784 pixels in [0, 1], y int64 labels (test labels stay here)."""
    return dataset("mnist_subset", as_stored=True)


class MainRuns:
    """main()'s runs ([settings.main_runs]), each made once per submission (an error too).

    "check" runs (check_rows training and validation rows) are for the snippets' calls and values,
    "accuracy" runs (train_rows training rows, every validation row) for what main learns."""

    def __init__(self, student, settings, subset):
        self.student, self.settings, self.subset = student, settings, subset
        self._done: dict[tuple, object] = {}

    def params(self, config: str) -> dict:
        """main_params of a [settings.main_<config>] table, as main's argparse gives them."""
        return dict(self.settings[f"main_{config}"])

    def rows(self, kind: str) -> tuple[int, int]:
        """(training rows, validation rows) of a "check" or an "accuracy" run."""
        runs = self.settings["main_runs"]
        if kind == "check":
            return runs["check_rows"], runs["check_rows"]
        return runs["train_rows"], len(self.subset["valid"].labels)

    def data(self, kind: str, split: str):
        """The rows of a split a run of this kind gives main."""
        n = self.rows(kind)[split == "valid"]
        return self.subset[split].images[:n], self.subset[split].labels[:n]

    def run(self, config: str, kind: str, stop_after: int = 0) -> dict:
        key = (config, kind, stop_after)
        timed_out = [e for e in self._done.values() if isinstance(e, StudentTimeout)]
        if key not in self._done and timed_out:
            raise timed_out[0]  # a main() that hung once would hang again: no more minutes spent on it
        if key not in self._done:
            (train_X, train_y), (valid_X, valid_y) = self.data(kind, "train"), self.data(kind, "valid")
            try:
                self._done[key] = self.student.run_task(
                    "run_main", main_params=self.params(config), train_X=train_X,
                    train_y=train_y, valid_X=valid_X, valid_y=valid_y, stop_after=stop_after)
            except StudentError as e:
                self._done[key] = e
        found = self._done[key]
        if isinstance(found, StudentError):
            raise found
        return found


@pytest.fixture(scope="session")
def main_runs(student, settings, subset):
    return MainRuns(student, settings, subset)


def scores(params: dict, activation: str, X: np.ndarray) -> np.ndarray:
    """The network's output for rows X with dropout off (evaluation), from learned parameters."""
    act = (lambda u: np.maximum(0.0, u)) if activation == "relu" else np.tanh
    hidden = act(X @ params["L1_W"] + np.reshape(params["L1_b"], -1))
    return hidden @ params["L2_W"] + np.reshape(params["L2_b"], -1)


def batch_losses(out: np.ndarray, y: np.ndarray, batch: int) -> np.ndarray:
    """The mean softmax cross-entropy of each full mini-batch of rows, in order."""
    shifted = out - out.max(axis=1, keepdims=True)
    log_prob = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    per_row = -log_prob[np.arange(len(y)), y]
    n = len(y) // batch * batch
    return per_row[:n].reshape(-1, batch).mean(axis=1)


class Expect:
    scores = staticmethod(scores)
    batch_losses = staticmethod(batch_losses)


@pytest.fixture(scope="session")
def expect():
    """Parent-side maths of main(): the network's scores and mini-batch losses."""
    return Expect
