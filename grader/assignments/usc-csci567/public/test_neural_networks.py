"""Public self-checks of neural_networks.py: shapes, a few known values, every backward pass against
a finite-difference gradient of its own forward pass, and one update step. Passing them is necessary,
not sufficient: the grader checks more (statistics of the initial weights, several update steps,
main's snippets on a real run)."""
import numpy as np

import neural_networks as nn


def test_linear_layer_init_shapes():
    layer = nn.linear_layer(3, 2)
    assert layer.params['W'].shape == (3, 2) and layer.params['b'].shape == (1, 2)
    assert layer.gradient['W'].shape == (3, 2) and layer.gradient['b'].shape == (1, 2)
    assert not layer.gradient['W'].any() and not layer.gradient['b'].any(), "gradients start as zeros"


def small_linear():
    layer = nn.linear_layer(3, 2)
    layer.params['W'] = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]])
    layer.params['b'] = np.array([[0.25, -0.5]])
    return layer


def test_linear_layer_forward():
    out = small_linear().forward(np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]]))
    np.testing.assert_allclose(out, [[2.25, 5.5], [-0.25, -2.0]], err_msg="X W + b")


def test_linear_layer_backward(numeric_gradient):
    layer = small_linear()
    rng = np.random.default_rng(0)
    X, g = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer.forward(X)
    back = layer.backward(X, g)
    W, b = layer.params['W'].copy(), layer.params['b'].copy()

    def loss_of(name):
        def f(value):
            layer.params[name] = value
            result = np.sum(layer.forward(X) * g)
            layer.params['W'], layer.params['b'] = W, b
            return result
        return f

    np.testing.assert_allclose(back, numeric_gradient(lambda v: np.sum(layer.forward(v) * g), X), rtol=1e-5,
                               err_msg="backward_output vs finite differences")
    np.testing.assert_allclose(layer.gradient['W'], numeric_gradient(loss_of('W'), W), rtol=1e-5,
                               err_msg="gradient['W'] vs finite differences")
    np.testing.assert_allclose(layer.gradient['b'], numeric_gradient(loss_of('b'), b), rtol=1e-5,
                               err_msg="gradient['b'] vs finite differences")


def activation_check(layer, numeric_gradient, want):
    X = np.array([[-2.0, -0.5, 0.5, 2.0]])
    np.testing.assert_allclose(layer.forward(X), want, atol=1e-6, err_msg="forward(%s)" % X[0].tolist())
    X = np.random.default_rng(1).standard_normal((3, 5)) * 2
    g = np.random.default_rng(2).standard_normal((3, 5))
    layer.forward(X)
    np.testing.assert_allclose(layer.backward(X, g), numeric_gradient(lambda v: np.sum(layer.forward(v) * g), X),
                               rtol=1e-5, atol=1e-8, err_msg="backward(X, grad) vs finite differences")


def test_relu(numeric_gradient):
    activation_check(nn.relu(), numeric_gradient, [[0.0, 0.0, 0.5, 2.0]])


def test_tanh(numeric_gradient):
    activation_check(nn.tanh(), numeric_gradient, [[-0.964028, -0.462117, 0.462117, 0.964028]])


def test_dropout_backward_uses_the_forward_mask():
    layer = nn.dropout(0.5)
    X = np.ones((10, 20))
    out = layer.forward(X, is_train=True)  # X of ones: out is the mask itself
    g = np.random.default_rng(3).standard_normal(X.shape)
    np.testing.assert_allclose(layer.backward(X, g), g * out, err_msg="grad times the forward's mask")


class Parameters:
    """What the update sees of a linear_layer: its params and gradient dicts."""

    def __init__(self, W, b, gW, gb):
        self.params = {'W': W.copy(), 'b': b.copy()}
        self.gradient = {'W': gW, 'b': gb}


def one_layer_model(W, b, gW, gb):
    return {'L1': Parameters(W, b, gW, gb), 'nonlinear1': object()}


def test_update_step_without_and_with_momentum():
    W, b = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.5, -0.5]])
    gW, gb = np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([[1.0, 1.0]])
    model = nn.miniBatchStochasticGradientDescent(one_layer_model(W, b, gW, gb), None, 0.1, 0.0, 0.5)
    np.testing.assert_allclose(model['L1'].params['W'], W - 0.5 * (gW + 0.1 * W), err_msg="W without momentum")
    np.testing.assert_allclose(model['L1'].params['b'], b - 0.5 * (gb + 0.1 * b), err_msg="b without momentum")

    model = one_layer_model(W, b, gW, gb)
    momentum = {'L1_W': np.ones((2, 2)), 'L1_b': np.ones((1, 2))}
    nn.miniBatchStochasticGradientDescent(model, momentum, 0.0, 0.9, 0.5)
    np.testing.assert_allclose(momentum['L1_W'], 0.9 - 0.5 * gW, err_msg="the momentum dict is updated in place")
    np.testing.assert_allclose(model['L1'].params['W'], W + 0.9 - 0.5 * gW, err_msg="W with momentum")
