"""What every hidden test of the MLP homework shares: inputs, the comparisons whose first line
the student reads (grader.checks), and the backward-against-forward checks (grader.gradcheck).

Student code is called only the way the hand-out's own code calls it: a layer sees forward(x)
and then backward(g) on the same object and batch, a loss forward(output, target) and then
backward(output, target), every parameter the interface fixes is passed explicitly. Expected
values are computed here, in the parent, from plain data.

Test modules cannot import each other (pytest's importlib mode), so the shared checks reach them
as the `check` fixture.
"""
from typing import NamedTuple

import numpy as np
import pytest

from grader import checks, gradcheck

BATCH_SHAPES = ((2, 7), (8, 10), (32, 3))
"""Activation inputs (N, D): several batch sizes and widths."""
LARGE_INPUT = 1e3
"""|x| up to this in the stability tests: e^1000 overflows float64, so a naive formula shows."""


class Checks:
    """The comparisons (grader.checks) and this homework's inputs."""

    RTOL, BATCH_SHAPES, LARGE_INPUT = checks.RTOL, BATCH_SHAPES, LARGE_INPUT
    values = staticmethod(checks.values)
    close = staticmethod(checks.close)
    finite = staticmethod(checks.finite)
    exact_shape = staticmethod(checks.exact_shape)
    shape_of = staticmethod(checks.shape_of)

    @staticmethod
    def inputs(seed: int, shape, scale: float = 2.0) -> np.ndarray:
        """Normal inputs kept clear of the kink at 0 (Relu, Selu), so finite differences are exact."""
        return gradcheck.away_from_kinks(np.random.default_rng(seed).normal(scale=scale, size=shape))

    @staticmethod
    def large_inputs(seed: int, shape) -> np.ndarray:
        """Uniform in [-1e3, 1e3], with the extremes and zero included."""
        x = np.random.default_rng(seed).uniform(-LARGE_INPUT, LARGE_INPUT, size=shape)
        x.flat[:3] = (LARGE_INPUT, -LARGE_INPUT, 0.0)
        return x

    @staticmethod
    def onehot(seed: int, n: int, k: int) -> np.ndarray:
        return np.eye(k)[np.random.default_rng(seed).integers(0, k, size=n)]

    @staticmethod
    def overflow_note(student, note, what: str) -> None:
        """Warnings with right, finite results cost nothing, but the student hears of them."""
        if student.last_warnings:
            note(f"{what} warned on inputs of magnitude up to {LARGE_INPUT:g} "
                 f"({student.last_warnings[0]}); a stable formula avoids it")

    @staticmethod
    def layer_agrees(layer, x, g, out_shape, what: str, params=(), seed: int = 0) -> None:
        """The gradients layer.backward(g) returns and sets (grad_<param>) agree with finite
        differences of <g, layer.forward(.)> along random directions in x and the parameters.
        The perturbed forwards come first; the last forward before backward is forward(x)."""
        originals = {p: checks.values(getattr(layer, p), np.shape(getattr(layer, p)), f"{what}: {p}")
                     for p in params}
        shapes = {"input": x.shape, **{p: a.shape for p, a in originals.items()}}
        slopes = []
        for v in gradcheck.directions(seed, shapes):
            phi = []
            for sign in (1.0, -1.0):
                for p, a in originals.items():
                    setattr(layer, p, a + sign * gradcheck.STEP * v[p])
                y = checks.values(layer.forward(x + sign * gradcheck.STEP * v["input"]), out_shape,
                                  f"{what}: forward")
                phi.append((float(np.vdot(g, y)), float(np.sum(np.abs(g * y)))))
            slopes.append((v, gradcheck.Slope(phi[0][0], phi[1][0], max(phi[0][1], phi[1][1]))))
        for p, a in originals.items():
            setattr(layer, p, a)
        layer.forward(x)
        grads = {"input": checks.values(layer.backward(g), x.shape, f"{what}: backward")}
        for p, a in originals.items():
            grads[p] = checks.values(getattr(layer, "grad_" + p), a.shape, f"{what}: grad_{p}")
        gradcheck.agree([gradcheck.inner(grads, v) for v, _ in slopes], [s for _, s in slopes], what)

    @staticmethod
    def loss_agrees(loss, x, target, what: str, seed: int = 0) -> None:
        """loss.backward(x, target) agrees with finite differences of loss.forward(., target)."""
        slopes = []
        for v in gradcheck.directions(seed, {"input": x.shape}):
            up, down = (checks.values(loss.forward(x + sign * gradcheck.STEP * v["input"], target), (),
                                      f"{what}: forward") for sign in (1.0, -1.0))
            slopes.append((v, gradcheck.Slope(float(up), float(down), max(abs(float(up)), abs(float(down))))))
        loss.forward(x, target)
        grad = checks.values(loss.backward(x, target), x.shape, f"{what}: backward")
        gradcheck.agree([gradcheck.inner({"input": grad}, v) for v, _ in slopes], [s for _, s in slopes], what)


@pytest.fixture(scope="session")
def check():
    return Checks


class MnistPixels(NamedTuple):
    """MNIST as the parent keeps it: uint8 pixels 0..255 (N, 784), read-only (an eighth of
    float64's memory: Gradescope gives the whole grading 768 MB), int64 labels. The worker gets
    the training pixels as they are and scales them per batch."""

    train_images: np.ndarray
    train_y: np.ndarray
    test_images: np.ndarray
    test_y: np.ndarray


@pytest.fixture(scope="session")
def mnist(dataset):
    splits = dataset("mnist")
    return MnistPixels(*splits["train"], *splits["test"])
