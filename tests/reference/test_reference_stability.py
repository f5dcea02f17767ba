"""No overflow, no nan: every activation and loss copes with inputs up to |x| = 1e4."""
import warnings
from contextlib import contextmanager

import numpy as np
import pytest

ACTIVATIONS = ["Relu", "Sigmoid", "Tanh", "Selu", "Swish", "Gelu"]
LOSSES = ["MSELoss", "SoftmaxCrossEntropyLoss", "HingeLoss", "FocalLoss"]
EXTREMES = np.array([[-1e4, -1e3, -50.0, -1.0, 0.0, 1.0, 50.0, 1e3, 1e4, 3e3]])


@contextmanager
def strictly():
    """numpy's overflow, invalid and divide-by-zero become exceptions, and so does any warning."""
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_is_finite_at_extremes(ref, name):
    layer = getattr(ref.layers, name)(name.lower())
    with strictly():
        y = layer.forward(EXTREMES.copy())
        g = layer.backward(np.ones_like(EXTREMES))
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(g))
    # every one of them is flat far to the left
    assert y[0, 0] == pytest.approx(y[0, 1]) and abs(g[0, 0]) < 1e-6


@pytest.mark.parametrize("name", LOSSES)
def test_loss_is_finite_at_extremes(ref, name):
    loss = getattr(ref.loss, name)("loss")
    rows = np.vstack([EXTREMES, -EXTREMES, EXTREMES[:, ::-1]])
    target = np.eye(10)[[0, 8, 4]]  # a wrong class at -1e4, the right class at 1e4, one in the middle
    with strictly():
        value = loss.forward(rows, target)
        grad = loss.backward(rows, target)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert value > 0 and np.abs(grad).max() > 0


def test_softmax_cross_entropy_of_large_logits_is_exact(ref):
    """x = (1e3, 0): the loss of class 1 is 1e3 exactly, not inf; of class 0 it is e^-1000 ~ 0."""
    loss = ref.loss.SoftmaxCrossEntropyLoss("loss")
    x = np.array([[1e3, 0.0]])
    assert loss.forward(x, np.array([[0.0, 1.0]])) == pytest.approx(1e3)
    assert loss.forward(x, np.array([[1.0, 0.0]])) == pytest.approx(0.0, abs=1e-300)
    np.testing.assert_allclose(loss.backward(x, np.array([[0.0, 1.0]])), [[1.0, -1.0]])
