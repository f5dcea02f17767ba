"""What the hidden tests of VU DL A1 share: the networks they ask about, unpacking what the
student's functions return (a dict, or a tuple in the documented order; lists, tuples or arrays
inside), and the trusted maths the parent judges with.

Expected values come from the reference fixture (the course's reference, imported here in the
parent) or from the maths below, never from the worker. A derivative laid out as the transpose of
its parameter is accepted by the value tests and charged once, by the layout tests.
"""
from typing import NamedTuple

import numpy as np
import pytest

from grader import checks

KEYS = ("loss", "dW", "db", "dV", "dc")
PARAMS = ("W", "b", "V", "c")
SCALAR_SIZES = (2, 3, 2)
TENSOR_SIZES = (784, 300, 10)
WORKED = {"x": [1.0, -1.0], "W": [[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]], "b": [0.0, 0.0, 0.0],
          "V": [[1.0, 1.0], [-1.0, -1.0], [-1.0, -1.0]], "c": [0.0, 0.0], "target": 0}
"""The assignment's worked example (Question 3)."""
WORKED_DERIVATIVES = {"dW": [[0.0] * 3] * 2, "db": [0.0] * 3, "dV": [[-0.4404, 0.4404]] * 3, "dc": [-0.5, 0.5]}
"""The derivatives the assignment states for it, to four decimals."""


def shapes(sizes) -> dict[str, tuple[int, ...]]:
    """Each derivative's shape: its parameter's (W: inputs x hidden, V: hidden x outputs)."""
    n_in, n_hidden, n_out = sizes
    return {"dW": (n_in, n_hidden), "db": (n_hidden,), "dV": (n_hidden, n_out), "dc": (n_out,)}


class Result(NamedTuple):
    loss: float
    grads: dict[str, np.ndarray]
    """dW, db, dV, dc as float64 arrays in their parameter's shape."""
    transposed: tuple[str, ...]
    """The derivatives that came laid out as the transpose of their parameter."""


def laid_out(value, shape, what: str) -> tuple[np.ndarray, bool]:
    """value as an array of shape, or of the transposed shape turned back (flagged)."""
    try:
        return checks.values(value, shape, what), False
    except AssertionError as first:
        if len(shape) == 2 and shape[0] != shape[1]:
            try:
                return checks.values(value, shape[::-1], what).T, True
            except AssertionError:
                pass
        raise first


def unpack(result, sizes, what: str) -> Result:
    """The loss and derivatives a forward_backward returned: {"loss", "dW", "db", "dV", "dc"} or
    the tuple (loss, dW, db, dV, dc)."""
    if isinstance(result, dict):
        missing = [k for k in KEYS if k not in result]
        if missing:
            raise AssertionError(f"{what} returned a dict without {', '.join(repr(k) for k in missing)}; "
                                 "it should hold the keys 'loss', 'dW', 'db', 'dV', 'dc'")
        values = [result[k] for k in KEYS]
    elif isinstance(result, (tuple, list)) and len(result) == len(KEYS):
        values = list(result)
    else:
        raise AssertionError(f"{what} returned {checks.describe(result)}; it should return a dict with the "
                             "keys 'loss', 'dW', 'db', 'dV', 'dc'")
    loss = float(checks.finite(values[0], (), f"the loss {what} returned"))
    grads, transposed = {}, []
    for key, value in zip(KEYS[1:], values[1:]):
        grads[key], flipped = laid_out(value, shapes(sizes)[key], f"{key} from {what}")
        if flipped:
            transposed.append(key)
    return Result(loss, grads, tuple(transposed))


def unpack_parameters(result, sizes, what: str, losses: bool = False):
    """The parameters (and losses) a train() returned: {"W", "b", "V", "c", "losses"} or the tuple
    (W, b, V, c, losses); each parameter as a float64 array in its shape (or its transpose)."""
    keys = PARAMS + ("losses",)
    if isinstance(result, dict):
        missing = [k for k in (keys if losses else PARAMS) if k not in result]
        if missing:
            raise AssertionError(f"{what} returned a dict without {', '.join(repr(k) for k in missing)}; it "
                                 "should hold the keys 'W', 'b', 'V', 'c', 'losses'")
        values = [result.get(k) for k in keys]
    elif isinstance(result, (tuple, list)) and len(result) == len(keys):
        values = list(result)
    else:
        raise AssertionError(f"{what} returned {checks.describe(result)}; it should return a dict with the "
                             "keys 'W', 'b', 'V', 'c', 'losses'")
    wanted = {"W": (sizes[0], sizes[1]), "b": (sizes[1],), "V": (sizes[1], sizes[2]), "c": (sizes[2],)}
    params = [laid_out(v, wanted[k], f"{k} from {what}")[0] for k, v in zip(PARAMS, values)]
    return params, values[-1]


def mean_loss(x, y, W, b, V, c) -> float:
    """The network's mean cross-entropy on rows x with classes y (stable log-softmax)."""
    h = 1 / (1 + np.exp(-np.clip(np.asarray(x, dtype=np.float64) @ W + b, -500, 500)))
    o = h @ V + c
    o = o - o.max(axis=1, keepdims=True)
    log_y = o - np.log(np.exp(o).sum(axis=1, keepdims=True))
    return float(-log_y[np.arange(len(y)), np.asarray(y)].mean())


def predictions(x, W, b, V, c) -> np.ndarray:
    h = 1 / (1 + np.exp(-np.clip(np.asarray(x, dtype=np.float64) @ W + b, -500, 500)))
    return np.argmax(h @ V + c, axis=1)


def network(seed: int, sizes, x_scale: str = "normal") -> dict:
    """A random network and instance: weights N(0, 1/fan-in) (N(0, 1) for the small one), biases
    N(0, 0.5^2), x standard normal (as load_synth's) or uniform in [0, 1] (as normalised pixels)."""
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out = sizes
    std = (1.0, 1.0) if n_in <= 10 else (n_in ** -0.5, n_hidden ** -0.5)
    x = rng.normal(size=n_in) if x_scale == "normal" else rng.uniform(0, 1, size=n_in)
    return {"x": x, "W": rng.normal(0, std[0], (n_in, n_hidden)), "b": rng.normal(0, 0.5, n_hidden),
            "V": rng.normal(0, std[1], (n_hidden, n_out)), "c": rng.normal(0, 0.5, n_out),
            "target": int(rng.integers(n_out))}


def as_lists(net: dict) -> dict:
    """The same network as plain Python lists and floats (Question 3's representation)."""
    return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in net.items()}


class Vu:
    """The helpers above, as a fixture (test modules cannot import each other)."""

    WORKED, WORKED_DERIVATIVES, KEYS = WORKED, WORKED_DERIVATIVES, KEYS
    SCALAR_SIZES, TENSOR_SIZES = SCALAR_SIZES, TENSOR_SIZES
    shapes = staticmethod(shapes)
    unpack = staticmethod(unpack)
    unpack_parameters = staticmethod(unpack_parameters)
    mean_loss = staticmethod(mean_loss)
    predictions = staticmethod(predictions)
    network = staticmethod(network)
    as_lists = staticmethod(as_lists)


@pytest.fixture(scope="session")
def vu():
    return Vu
