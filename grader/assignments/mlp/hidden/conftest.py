"""What every hidden test of the MLP homework shares: the tolerance, the comparisons whose first
line the student reads, seeded inputs, and the finite differences run next to the student's code.

Test modules cannot import each other (pytest's importlib mode), so the shared checks reach them
as the `check` fixture.
"""
import numpy as np
import pytest

RTOL = 1e-3
"""The one tolerance, relative to the largest expected magnitude. It accepts rounded constants
(alpha 1.6733, 0.044715, sqrt(2/pi) = 0.7979) and backward passes taken by small-step finite
differences (errors near 1e-5), and rejects a constant 0.6% off (lambda 1.0570 for 1.0507) or a
gradient missing 1/N (the test batches all have N >= 2)."""

BATCH_SHAPES = ((2, 7), (8, 10), (32, 3))
"""Activation inputs (N, D): several batch sizes and widths."""
LARGE_INPUT = 1e3
"""|x| up to this in the stability tests: e^1000 overflows float64, so a naive formula shows."""


class Checks:
    """Comparisons that fail with a one-line, student-facing message."""

    RTOL, BATCH_SHAPES, LARGE_INPUT = RTOL, BATCH_SHAPES, LARGE_INPUT

    @staticmethod
    def inputs(seed: int, shape, scale: float = 2.0) -> np.ndarray:
        return np.random.default_rng(seed).normal(scale=scale, size=shape)

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
    def numeric(got, what: str, expected: str = "a numpy array") -> None:
        """An assertion naming what came back when it is not an array or a number."""
        if isinstance(got, bool) or not isinstance(got, (np.ndarray, float, int)):
            raise AssertionError(f"{what} returned {type(got).__name__}, expected {expected}")

    @classmethod
    def array(cls, got, shape, what: str) -> np.ndarray:
        """`got` as a float array of `shape`, or an assertion naming what came back instead."""
        cls.numeric(got, what, f"a numpy array of shape {tuple(shape)}")
        got = np.asarray(got, dtype=np.float64)
        if got.shape != tuple(shape) and not (tuple(shape) == () and got.size == 1):  # a loss as [[0.3]] is fine
            raise AssertionError(f"{what} returned shape {got.shape}, expected {tuple(shape)}")
        return got.reshape(shape)

    @classmethod
    def close(cls, got, want, what: str, rtol: float = RTOL) -> None:
        """max |got - want| <= rtol * max |want| (absolute rtol when want is all zeros)."""
        want = np.asarray(want, dtype=np.float64)
        got = cls.array(got, want.shape, what)
        if not np.all(np.isfinite(got)):
            raise AssertionError(f"{what} returned nan or inf")
        scale = float(np.max(np.abs(want), initial=0.0)) or 1.0
        error = float(np.max(np.abs(got - want), initial=0.0)) / scale
        if error > rtol:
            raise AssertionError(f"{what} is off by {error:.2%} of the expected magnitude (tolerance {rtol:.1%})")

    @classmethod
    def finite(cls, got, what: str) -> None:
        cls.numeric(got, what)
        if not np.all(np.isfinite(np.asarray(got, dtype=np.float64))):
            raise AssertionError(f"{what} returned nan or inf on inputs of magnitude up to {LARGE_INPUT:g}")

    @staticmethod
    def overflow_note(student, note, what: str) -> None:
        """Warnings with finite results cost nothing, but the student hears of them."""
        if student.last_warnings:
            note(f"{what} warned on inputs of magnitude up to {LARGE_INPUT:g} "
                 f"({student.last_warnings[0]}); a stable formula avoids it")


@pytest.fixture(scope="session")
def check():
    return Checks


@pytest.fixture(scope="session")
def settings(assignment):
    """The [settings] table of assignment.toml."""
    return assignment.settings

