"""What the hidden tests of USC EE599 HW3 share: the parent's own maths (a trusted forward pass,
random networks, one-hot labels), the checks of what came back, and MNIST as the course's HDF5
files hold it.

Student code is called the way the hand-out's own code calls it (every parameter of the
interface passed, positionally, in the order of the hand-out's signatures). Expected values are
computed here, in the parent; the reference module (the `reference` fixture) is trusted code.
Test modules cannot import each other (pytest's importlib mode), so the helpers reach them as the
`hw3` fixture.
"""
from __future__ import annotations

import numpy as np
import pytest

from grader import checks, gradcheck
from grader.datasets.formats import ONE_HOT_FLOAT32, UNIT_FLOAT32

ACTIVATIONS = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}
LARGE_INPUT = 1e3
"""|z| up to this in the stability tests: e^1000 overflows float64, so a naive formula shows."""


class Hw3:
    """The parent's maths and checks for this homework."""

    values, close, finite = staticmethod(checks.values), staticmethod(checks.close), staticmethod(checks.finite)
    describe = staticmethod(checks.describe)
    ACTIVATIONS = tuple(ACTIVATIONS)

    @staticmethod
    def numeric(got):
        """A boolean mask as the 0/1 numbers it stands for (`z > 0` is a fine ReLU derivative)."""
        return got.astype(np.float64) if isinstance(got, np.ndarray) and got.dtype == bool else got

    @staticmethod
    def keys(sizes) -> list[str]:
        return [f"{p}{l}" for l in range(1, len(sizes)) for p in "Wb"]

    @staticmethod
    def shapes(sizes) -> dict[str, tuple[int, ...]]:
        """W_l (sizes[l], sizes[l-1]) and b_l (sizes[l],), as the hand-out fixes them."""
        found = {}
        for l in range(1, len(sizes)):
            found[f"W{l}"], found[f"b{l}"] = (sizes[l], sizes[l - 1]), (sizes[l],)
        return found

    @staticmethod
    def random_params(sizes, seed: int) -> dict[str, np.ndarray]:
        """Weights N(0, 1/fan_in) and biases N(0, 0.1^2): every unit's input of order one."""
        rng = np.random.default_rng(seed)
        return {k: rng.normal(0.0, 1.0 / np.sqrt(s[-1]) if k[0] == "W" else 0.1, size=s)
                for k, s in Hw3.shapes(sizes).items()}

    @staticmethod
    def pixels(seed: int, n: int, d: int = 784) -> np.ndarray:
        """MNIST-like inputs: float32 values in [0, 1], most of them 0."""
        rng = np.random.default_rng(seed)
        return (rng.random((n, d)) * (rng.random((n, d)) < 0.3)).astype(np.float32)

    @staticmethod
    def onehot(seed: int, n: int, k: int = 10) -> np.ndarray:
        """One-hot rows with every class of the first min(n, k) present."""
        labels = np.random.default_rng(seed).permutation(np.arange(n) % k)
        return np.eye(k)[labels]

    @staticmethod
    def preactivations(params, x, activation) -> list[np.ndarray]:
        """z_1 ... z_L of a_l = f(a_{l-1} W_l^T + b_l), the last one the logits (trusted maths)."""
        f, layers = ACTIVATIONS[activation], len(params) // 2
        a, zs = np.asarray(x, dtype=np.float64), []
        for l in range(1, layers + 1):
            zs.append(a @ params[f"W{l}"].T + params[f"b{l}"])
            a = f(zs[-1])
        return zs

    @staticmethod
    def logits(params, x, activation, chunk: int = 2000) -> np.ndarray:
        return np.vstack([Hw3.preactivations(params, x[s:s + chunk], activation)[-1]
                          for s in range(0, len(x), chunk)])

    @staticmethod
    def network(got, sizes, what: str) -> dict[str, np.ndarray]:
        """A returned network as float64 arrays of the hand-out's shapes (b as (n,) or (n, 1))."""
        if not isinstance(got, dict):
            raise AssertionError(f"{what} is {checks.describe(got)}, expected a dict of arrays "
                                 f"with keys {', '.join(Hw3.keys(sizes))}")
        missing = [k for k in Hw3.keys(sizes) if k not in got]
        extra = sorted(str(k) for k in got if k not in Hw3.keys(sizes))
        if missing:
            raise AssertionError(f"{what} has no {missing[0]} (keys {sorted(map(str, got))}; expected "
                                 f"{', '.join(Hw3.keys(sizes))} for sizes {list(sizes)})")
        if extra:
            raise AssertionError(f"{what} has keys {', '.join(extra)} beyond {', '.join(Hw3.keys(sizes))}")
        return {k: checks.values(got[k], s, f"{what}[{k!r}]") for k, s in Hw3.shapes(sizes).items()}

    @staticmethod
    def fraction(got, what: str, note=None) -> float:
        """An accuracy as a fraction; a percentage (a number above 1, up to 100) is the same
        accuracy written another way: accepted, with a note."""
        value = float(checks.values(got, (), what))
        if 1.0 < value <= 100.0:
            if note is not None:
                note(f"{what} came back as a percentage ({value:g}); the hand-out asks for a fraction in "
                     "[0, 1] (graded as the same accuracy)")
            return value / 100.0
        if not 0.0 <= value <= 1.0:
            raise AssertionError(f"{what} is {value:g}, not an accuracy (a fraction in [0, 1])")
        return value

    @staticmethod
    def elementwise_agrees(f, df, z, what: str, seed: int = 0) -> None:
        """df(z) agrees with finite differences of the student's own f along random directions
        (z kept clear of kinks by the caller); phi = <g, f(z)> for a random g."""
        g = np.random.default_rng(seed + 100).normal(size=z.shape)
        slopes = []
        for v in gradcheck.directions(seed, {"input": z.shape}):
            phi = []
            for sign in (1.0, -1.0):
                y = checks.values(f(z + sign * gradcheck.STEP * v["input"]), z.shape, f"{what}: the function")
                phi.append((float(np.vdot(g, y)), float(np.sum(np.abs(g * y)))))
            slopes.append((v, gradcheck.Slope(phi[0][0], phi[1][0], max(phi[0][1], phi[1][1]))))
        d = checks.values(Hw3.numeric(df(z)), z.shape, f"{what}: the derivative")
        gradcheck.agree([gradcheck.inner({"input": g * d}, v) for v, _ in slopes], [s for _, s in slopes], what)

    @staticmethod
    def large_inputs(seed: int, shape) -> np.ndarray:
        """Uniform in [-1e3, 1e3], the extremes included."""
        z = np.random.default_rng(seed).uniform(-LARGE_INPUT, LARGE_INPUT, size=shape)
        z.flat[:2] = (LARGE_INPUT, -LARGE_INPUT)
        return z

    @staticmethod
    def overflow_note(student, note, what: str) -> None:
        """Warnings with right, finite results cost nothing, but the student hears of them."""
        if student.last_warnings:
            note(f"{what} warned on inputs of magnitude up to {LARGE_INPUT:g} ({student.last_warnings[0]}); "
                 "a stable formula avoids it")


@pytest.fixture(scope="session")
def hw3():
    return Hw3


class Mnist:
    """MNIST as the course's HDF5 files hold it, computed here from the uint8 pixels (an eighth of
    the memory): xdata float32 p / 255, ydata float32 one-hot rows. Test labels stay in the parent."""

    def __init__(self, splits):
        self.train, self.test = splits["train"], splits["test"]

    @staticmethod
    def x(images) -> np.ndarray:
        return UNIT_FLOAT32[images]

    @staticmethod
    def y(labels) -> np.ndarray:
        return ONE_HOT_FLOAT32[labels]


@pytest.fixture(scope="session")
def mnist(dataset) -> Mnist:
    return Mnist(dataset("mnist"))
