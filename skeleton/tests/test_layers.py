"""Public self-checks of codes/layers.py: shapes, a few known values, and every backward pass
against a finite-difference gradient of its own forward pass."""
import numpy as np
import pytest

import layers

U = np.array([[-2.0, -0.5, 0.5, 2.0]])
KNOWN = {  # forward(U), to 6 decimals, from the formulas in each class's docstring
    "Selu": [-1.520162, -0.691756, 0.52535, 2.1014],
    "Swish": [-0.238406, -0.18877, 0.31123, 1.761594],
    "Gelu": [-0.045402, -0.154286, 0.345714, 1.954598],
    "Tanh": [-0.964028, -0.462117, 0.462117, 0.964028],
}


def backward_vs_numeric(numeric_gradient, layer, x, seed=0):
    """(backward(g), numeric gradient of sum(forward(x) * g)) for a random g."""
    y = layer.forward(x)
    g = np.random.default_rng(seed).standard_normal(y.shape)
    analytic = layer.backward(g)
    numeric = numeric_gradient(lambda v: np.sum(layer.forward(v) * g), x)
    return analytic, numeric


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_activation_forward(name):
    layer = getattr(layers, name)("act")
    x = np.random.default_rng(1).standard_normal((5, 7))
    assert layer.forward(x).shape == (5, 7), "%s.forward must keep the input's shape" % name
    np.testing.assert_allclose(layer.forward(U)[0], KNOWN[name], atol=1e-5,
                               err_msg="%s.forward(%s)" % (name, U[0].tolist()))


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_activation_backward(name, numeric_gradient):
    x = np.random.default_rng(2).standard_normal((4, 6)) * 2
    analytic, numeric = backward_vs_numeric(numeric_gradient, getattr(layers, name)("act"), x)
    assert analytic.shape == x.shape, "%s.backward must return the input's shape" % name
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7,
                               err_msg="%s.backward vs finite differences" % name)


def small_linear():
    layer = layers.Linear("fc", 3, 2, 0.1)
    layer.W = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]])
    layer.b = np.array([0.25, -0.5])
    return layer


def test_linear_forward():
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 1.0]])
    np.testing.assert_allclose(small_linear().forward(x), [[2.25, 5.5], [-0.25, -1.5]],
                               err_msg="Linear.forward")


def test_linear_backward(numeric_gradient):
    x = np.random.default_rng(3).standard_normal((4, 3))
    layer = small_linear()
    analytic, numeric = backward_vs_numeric(numeric_gradient, layer, x)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7,
                               err_msg="Linear.backward: gradient w.r.t. the input")
    g = np.random.default_rng(0).standard_normal((4, 2))
    layer.forward(x)
    layer.backward(g)
    grad_W, grad_b = layer.grad_W.copy(), layer.grad_b.copy()

    def loss_of(attr):
        def f(value):
            setattr(layer, attr, value)
            return np.sum(layer.forward(x) * g)
        return f

    W, b = layer.W.copy(), layer.b.copy()
    np.testing.assert_allclose(grad_W, numeric_gradient(loss_of("W"), W), rtol=1e-5, atol=1e-7,
                               err_msg="Linear.backward: grad_W")
    layer.W = W
    np.testing.assert_allclose(grad_b, numeric_gradient(loss_of("b"), b), rtol=1e-5, atol=1e-7,
                               err_msg="Linear.backward: grad_b")


def test_linear_update_with_momentum_and_weight_decay():
    layer = layers.Linear("fc", 1, 1, 0.0)
    layer.W, layer.b = np.array([[1.0]]), np.array([0.5])
    config = {"momentum": 0.9, "learning_rate": 0.1, "weight_decay": 0.01}
    expected = [(0.799, 0.3995), (0.417301, 0.2086505)]  # after the first and second step
    for step, (W, b) in enumerate(expected, start=1):
        layer.grad_W, layer.grad_b = np.array([[2.0]]), np.array([1.0])
        layer.update(config)
        np.testing.assert_allclose([layer.W[0, 0], layer.b[0]], [W, b], atol=1e-9,
                                   err_msg="Linear.update: W and b after step %d" % step)


def test_dropout_is_identity_when_not_training():
    layer = layers.Dropout("drop", 0.5)
    layer.training = False
    x = np.random.default_rng(4).standard_normal((3, 5))
    np.testing.assert_array_equal(layer.forward(x), x, err_msg="Dropout.forward in eval mode")
    np.testing.assert_array_equal(layer.backward(x), x, err_msg="Dropout.backward in eval mode")


def test_dropout_masks_scales_and_reuses_the_mask():
    np.random.seed(0)
    layer = layers.Dropout("drop", 0.3)
    y = layer.forward(np.ones((200, 50)))
    assert y.shape == (200, 50)
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.7, err_msg="Dropout.forward: kept units scale by 1/(1-p)")
    assert abs(kept.mean() - 0.7) < 0.02, "Dropout.forward kept %.3f of the units, not ~0.7" % kept.mean()
    np.testing.assert_allclose(layer.backward(np.ones((200, 50))), y,
                               err_msg="Dropout.backward must use the forward pass's mask and scale")
    assert not np.array_equal(layer.forward(np.ones((200, 50))), y), \
        "Dropout.forward must draw a fresh mask on every call"
