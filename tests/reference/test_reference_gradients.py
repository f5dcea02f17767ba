"""Every backward of the reference agrees with central finite differences of its forward."""
import numpy as np
import pytest

ACTIVATIONS = ["Relu", "Sigmoid", "Tanh", "Selu", "Swish", "Gelu"]
LOSSES = ["MSELoss", "SoftmaxCrossEntropyLoss", "HingeLoss", "FocalLoss"]
BATCH_SIZES = [1, 3, 16]
EPS = 1e-6


def numeric_gradient(f, x):
    """Central differences (f(x + h) - f(x - h)) / 2h of a scalar f, one entry of x at a time."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + EPS
        plus = f()
        x[i] = old - EPS
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * EPS)
    return grad


def away_from_kinks(rng, shape, kinks=(0.0,), gap=1e-3):
    """Uniform in [-3, 3], nudged at least gap away from the points where the function bends."""
    x = rng.uniform(-3, 3, shape)
    for kink in kinks:
        near = np.abs(x - kink) < gap
        x[near] += 2 * gap
    return x


def onehot(rng, n, classes=10):
    return np.eye(classes)[rng.integers(0, classes, n)]


@pytest.mark.parametrize("batch", BATCH_SIZES)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_backward_matches_finite_differences(ref, name, batch):
    rng = np.random.default_rng(batch)
    layer = getattr(ref.layers, name)(name.lower())
    u = away_from_kinks(rng, (batch, 7))
    g = rng.normal(size=(batch, 7))  # a random upstream gradient: checks the whole Jacobian-vector product
    expected = numeric_gradient(lambda: np.sum(layer.forward(u) * g), u)
    layer.forward(u)
    np.testing.assert_allclose(layer.backward(g), expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("batch", BATCH_SIZES)
def test_linear_backward_grad_input_W_and_b(ref, batch):
    rng = np.random.default_rng(100 + batch)
    layer = ref.layers.Linear("fc", 5, 4, init_std=1.0)
    layer.b = rng.normal(size=4)
    x = rng.normal(size=(batch, 5))
    g = rng.normal(size=(batch, 4))

    def objective():
        return np.sum(layer.forward(x) * g)

    grad_x, grad_W, grad_b = (numeric_gradient(objective, a) for a in (x, layer.W, layer.b))
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(g), grad_x, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(layer.grad_W, grad_W, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(layer.grad_b, grad_b, rtol=1e-6, atol=1e-8)
    assert layer.grad_W.shape == layer.W.shape and layer.grad_b.shape == layer.b.shape


@pytest.mark.parametrize("batch", BATCH_SIZES)
@pytest.mark.parametrize("name", LOSSES)
def test_loss_backward_matches_finite_differences(ref, name, batch):
    rng = np.random.default_rng(200 + batch)
    loss = getattr(ref.loss, name)("loss")
    target = onehot(rng, batch)
    x = rng.normal(scale=2.0, size=(batch, 10))
    if name == "HingeLoss":
        # the hinge bends where margin - x_t + x_k = 0: keep every term clear of it
        x_true = np.sum(x * target, axis=1, keepdims=True)
        slack = loss.margin - x_true + x
        x += np.where(np.abs(slack) < 1e-3, 2e-3, 0.0) * (1 - target)
    expected = numeric_gradient(lambda: loss.forward(x, target), x)
    np.testing.assert_allclose(loss.backward(x, target), expected, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("name", LOSSES)
def test_loss_averages_over_the_batch(ref, name):
    """Repeating a batch twice leaves the loss and its per-row gradient scaled by 1/N."""
    rng = np.random.default_rng(7)
    loss = getattr(ref.loss, name)("loss")
    x, t = rng.normal(size=(3, 10)), onehot(rng, 3)
    xx, tt = np.vstack([x, x]), np.vstack([t, t])
    assert loss.forward(xx, tt) == pytest.approx(loss.forward(x, t), rel=1e-12)
    np.testing.assert_allclose(loss.backward(xx, tt)[:3], loss.backward(x, t) / 2, rtol=1e-12)
