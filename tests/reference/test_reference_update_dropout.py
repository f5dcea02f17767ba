"""Linear.update's momentum and weight-decay trajectory, and Dropout's statistics."""
import numpy as np
import pytest


def test_linear_update_follows_momentum_and_weight_decay(ref):
    """diff = mm * diff + (grad + wd * param); param -= lr * diff, step after step, for W and b."""
    rng = np.random.default_rng(0)
    layer = ref.layers.Linear("fc", 3, 2, init_std=1.0)
    layer.b = rng.normal(size=2)
    config = {"learning_rate": 0.1, "momentum": 0.9, "weight_decay": 0.01}
    W, b = layer.W.copy(), layer.b.copy()
    diff_W, diff_b = np.zeros_like(W), np.zeros_like(b)
    for _ in range(4):
        layer.grad_W, layer.grad_b = rng.normal(size=W.shape), rng.normal(size=b.shape)
        diff_W = 0.9 * diff_W + (layer.grad_W + 0.01 * W)
        diff_b = 0.9 * diff_b + (layer.grad_b + 0.01 * b)
        W, b = W - 0.1 * diff_W, b - 0.1 * diff_b
        layer.update(config)
        np.testing.assert_allclose(layer.W, W, rtol=1e-12)
        np.testing.assert_allclose(layer.b, b, rtol=1e-12)
        np.testing.assert_allclose(layer.diff_W, diff_W, rtol=1e-12)
        np.testing.assert_allclose(layer.diff_b, diff_b, rtol=1e-12)


def test_linear_update_without_momentum_is_plain_sgd(ref):
    layer = ref.layers.Linear("fc", 2, 2, init_std=1.0)
    W = layer.W.copy()
    layer.grad_W, layer.grad_b = np.ones((2, 2)), np.ones(2)
    layer.update({"learning_rate": 0.5, "momentum": 0.0, "weight_decay": 0.0})
    np.testing.assert_allclose(layer.W, W - 0.5)
    np.testing.assert_allclose(layer.b, [-0.5, -0.5])


@pytest.mark.parametrize("drop_rate", [0.2, 0.5])
def test_dropout_keeps_the_right_share_and_scales_it(ref, drop_rate):
    np.random.seed(0)
    layer = ref.layers.Dropout("dropout", drop_rate)
    x = np.random.uniform(1, 2, size=(200, 500))  # never zero, so a zero output means dropped
    y = layer.forward(x)
    kept = y != 0
    # 100,000 Bernoulli draws: the share is within 5 standard deviations (~0.008) of 1 - p
    assert abs(kept.mean() - (1 - drop_rate)) < 5 * np.sqrt(drop_rate * (1 - drop_rate) / x.size)
    np.testing.assert_allclose(y[kept], x[kept] / (1 - drop_rate))
    # the expectation is kept: inverted dropout needs no rescaling at test time
    assert y.mean() == pytest.approx(x.mean(), rel=0.01)


def test_dropout_backward_uses_the_forward_mask(ref):
    np.random.seed(1)
    layer = ref.layers.Dropout("dropout", 0.5)
    x = np.ones((50, 40))
    y = layer.forward(x)
    g = np.random.normal(size=x.shape)
    np.testing.assert_allclose(layer.backward(g), g * y)  # y = mask * scale since x = 1
    assert not np.array_equal(layer.forward(x), y), "each forward draws a fresh mask"


def test_dropout_is_the_identity_in_evaluation(ref):
    np.random.seed(2)
    model = ref.network.Network()
    layer = ref.layers.Dropout("dropout", 0.5)
    model.add(layer)
    model.eval()
    x = np.random.normal(size=(10, 30))
    np.testing.assert_array_equal(model.forward(x), x)
    g = np.random.normal(size=x.shape)
    np.testing.assert_array_equal(layer.backward(g), g)
    model.train()
    assert np.any(model.forward(x) == 0)
