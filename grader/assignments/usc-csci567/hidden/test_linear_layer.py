"""linear_layer: __init__ (shapes and N(0, 0.1) statistics), forward, backward (three gradients).

forward and backward are graded on a layer holding parameters chosen here (tasks.linear_layer_with),
so a mistake in __init__ costs only __init__'s tests; the spec's shapes ((1, K) for b and its
gradient) are judged once, in test_linear_shapes, and every other test accepts b as (K,).
"""
import numpy as np
import pytest

from grader import checks
from grader.proxy import StudentError

INIT = (50, 4000)
"""200,000 weights and 4,000 biases: tight statistics."""
SEED = 567
STD = 0.1
BAND = 5.0
"""Allowed distance of the sample mean and standard deviation from 0 and 0.1, in standard errors."""
N, D, K = 7, 5, 3
"""A mini-batch: N rows of D inputs, K outputs (all different, so a transpose shows)."""


def _initialized(student):
    return student.run_task("seeded_linear_layer", input_D=INIT[0], output_D=INIT[1], seed=SEED)


def _entry(table, key: str, what: str):
    if not isinstance(table, dict) or key not in table:
        raise AssertionError(f"{what} has no entry {key!r}; the spec keeps it in a dict under {key!r}")
    return table[key]


def _normal_01(values: np.ndarray, what: str) -> None:
    """The sample mean and standard deviation of values drawn from N(0, 0.1), within the band."""
    n = values.size
    mean, std = float(values.mean()), float(values.std())
    mean_ok = abs(mean) <= BAND * STD / np.sqrt(n)
    std_ok = abs(std / STD - 1) <= BAND / np.sqrt(2 * n)
    if not (mean_ok and std_ok):
        raise AssertionError(f"{what} has mean {mean:.4g} and standard deviation {std:.4g} over {n} values; "
                             f"np.random.normal(0, {STD}, shape) gives mean 0 and standard deviation {STD}")


def _problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(N, D)), rng.normal(size=(D, K)), rng.normal(size=(1, K)), rng.normal(size=(N, K)))


def _layer(student, W, b):
    return student.run_task("linear_layer_with", input_D=D, output_D=K, W=W, b=b)


@pytest.mark.feedback("__init__: self.params['W'] = np.random.normal(0, 0.1, (input_D, output_D))")
def test_linear_init_W(student):
    """linear_layer.__init__: W of shape (input_D, output_D), drawn from N(0, 0.1)"""
    W = _entry(_initialized(student).params, "W", "self.params")
    W = checks.values(W, INIT, f"linear_layer{INIT}.params['W']")
    _normal_01(W, f"linear_layer{INIT}.params['W']")


@pytest.mark.feedback("__init__: self.params['b'] = np.random.normal(0, 0.1, (1, output_D))")
def test_linear_init_b(student):
    """linear_layer.__init__: b of shape (1, output_D), drawn from N(0, 0.1)"""
    b = _entry(_initialized(student).params, "b", "self.params")
    b = checks.values(b, (1, INIT[1]), f"linear_layer{INIT}.params['b']")
    _normal_01(b, f"linear_layer{INIT}.params['b']")


def _drawn(layer) -> None:
    """W is drawn at random (not constant): the zero gradients and the shapes pay only then, so
    a layer of zeros earns nothing."""
    W = _entry(layer.params, "W", "self.params")
    if not isinstance(W, np.ndarray) or W.dtype.kind not in "iuf":
        raise AssertionError(f"self.params['W'] is {checks.describe(W)}; the spec makes it a numpy array")
    if W.size < 2 or not np.isfinite(W).all() or np.ptp(W) == 0:
        raise AssertionError("self.params['W'] is not drawn at random; initialize it with np.random.normal")


@pytest.mark.feedback("__init__: self.gradient['W'] and self.gradient['b'] start as zeros shaped like W and b")
def test_linear_init_gradient(student):
    """linear_layer.__init__: the gradients start as zeros"""
    layer = _initialized(student)
    _drawn(layer)
    gradient = layer.gradient
    for key, shape in (("W", INIT), ("b", (1, INIT[1]))):
        got = checks.values(_entry(gradient, key, "self.gradient"), shape, f"linear_layer{INIT}.gradient[{key!r}]")
        if np.any(got != 0):
            raise AssertionError(f"linear_layer{INIT}.gradient[{key!r}] is not all zeros after __init__")


@pytest.mark.feedback("the spec's shapes: W and gradient['W'] (input_D, output_D); b and gradient['b'] (1, output_D)")
def test_linear_shapes(student):
    """linear_layer keeps W, b and their gradients in the spec's shapes"""
    layer = student.run_task("seeded_linear_layer", input_D=D, output_D=K, seed=SEED)
    _drawn(layer)
    spec = {"W": (D, K), "b": (1, K)}
    found = []
    for table in ("params", "gradient"):
        values = getattr(layer, table)
        for key, shape in spec.items():
            found.append((f"self.{table}[{key!r}] after __init__", _entry(values, key, f"self.{table}"), shape))
    X, _, _, G = _problem()
    try:
        layer.forward(X)
        layer.backward(X, G)
    except StudentError:
        pass  # a failing forward or backward is charged by its own tests
    else:
        gradient = layer.gradient
        found += [(f"self.gradient[{key!r}] after backward", _entry(gradient, key, "self.gradient"), shape)
                  for key, shape in spec.items()]
    wrong = [f"{what} is {checks.shape_of(got)}" for what, got, shape in found if checks.shape_of(got) != shape]
    if wrong:
        raise AssertionError(f"linear_layer({D}, {K}): " + "; ".join(wrong) + f" (the spec: W {spec['W']}, "
                             f"b {spec['b']})")


@pytest.mark.feedback("forward(X) returns X W + b: (N, input_D) @ (input_D, output_D) + (1, output_D)")
def test_linear_forward(student):
    """linear_layer.forward(X) = X W + b"""
    X, W, b, _ = _problem()
    got = _layer(student, W, b).forward(X)
    checks.close(got, X @ W + b, f"forward of a ({N}, {D}) batch")


def _backward(student, forward, seed: int):
    """(X, W, grad, the gradient dict after backward, its return): forward(X) then backward(X, grad)."""
    X, W, b, G = _problem(seed)
    layer = _layer(student, W, b)
    forward(layer, X)
    returned = layer.backward(X, G)
    return X, W, G, layer.gradient, returned


@pytest.mark.feedback("backward(X, grad) returns grad W^T, of shape (N, input_D)")
def test_linear_backward_output(student, forward):
    """linear_layer.backward returns grad W^T"""
    _, W, G, _, returned = _backward(student, forward, 1)
    checks.close(returned, G @ W.T, f"backward of a ({N}, {D}) batch", batch=N)


@pytest.mark.feedback("backward(X, grad) sets self.gradient['W'] = X^T grad (the loss already averages over the batch)")
def test_linear_backward_grad_W(student, forward):
    """linear_layer.backward sets gradient['W'] = X^T grad"""
    X, _, G, gradient, _ = _backward(student, forward, 2)
    checks.close(_entry(gradient, "W", "self.gradient"), X.T @ G, "self.gradient['W'] after backward", batch=N)


@pytest.mark.feedback("backward(X, grad) sets self.gradient['b'] = the column sums of grad, shape (1, output_D)")
def test_linear_backward_grad_b(student, forward):
    """linear_layer.backward sets gradient['b'] = the column sums of grad"""
    _, _, G, gradient, _ = _backward(student, forward, 3)
    checks.close(_entry(gradient, "b", "self.gradient"), G.sum(axis=0, keepdims=True),
                 "self.gradient['b'] after backward", batch=N)
