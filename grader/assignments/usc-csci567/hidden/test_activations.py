"""relu and tanh: forward(X), then backward(X, grad) on the same object with the forward's input X,
as main() calls them."""
import numpy as np
import pytest

from grader import checks

SHAPE = (6, 9)


def _inputs(seed: int, large: bool = False):
    """X with exact zeros (relu's kink) and, when large, entries up to +-30; and an upstream grad."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=2.0, size=SHAPE)
    X.flat[::7] = 0.0
    if large:
        X.flat[1:4] = (30.0, -30.0, 12.5)
    return X, rng.normal(size=SHAPE)


@pytest.mark.feedback("relu forward: max(0, X) element-wise")
def test_relu_forward(student):
    """relu.forward(X) = max(0, X)"""
    X, _ = _inputs(0)
    checks.close(student.neural_networks.relu().forward(X), np.maximum(0.0, X), f"relu forward of a {SHAPE} array",
                 inputs=X)


@pytest.mark.feedback("relu backward(X, grad): grad where X > 0, 0 where X < 0 (0 or grad where X == 0)")
def test_relu_backward(student, forward):
    """relu.backward(X, grad) = grad where X > 0, else 0"""
    X, G = _inputs(1)
    layer = student.neural_networks.relu()
    forward(layer, X)
    raw = layer.backward(X, G)
    got = checks.values(raw, SHAPE, "relu backward")
    want = np.where(X > 0, G, 0.0)
    at_zero = X == 0  # the derivative at 0 may be taken as 0 or 1: take the student's choice there
    want[at_zero] = np.where(np.abs(got[at_zero] - G[at_zero]) < np.abs(got[at_zero]), G[at_zero], 0.0)
    checks.close(raw, want, f"relu backward of a {SHAPE} array", inputs=X)


@pytest.mark.feedback("tanh forward: tanh(X) element-wise (np.tanh, or 2 / (1 + e^(-2X)) - 1)")
def test_tanh_forward(student):
    """tanh.forward(X) = tanh(X)"""
    X, _ = _inputs(2, large=True)
    checks.close(student.neural_networks.tanh().forward(X), np.tanh(X), f"tanh forward of a {SHAPE} array")


@pytest.mark.feedback("tanh backward(X, grad) = grad * (1 - tanh(X)^2), X being the forward's input")
def test_tanh_backward(student, forward):
    """tanh.backward(X, grad) = grad * (1 - tanh(X)^2)"""
    X, G = _inputs(3, large=True)
    layer = student.neural_networks.tanh()
    forward(layer, X)
    checks.close(layer.backward(X, G), G * (1.0 - np.tanh(X) ** 2), f"tanh backward of a {SHAPE} array")
