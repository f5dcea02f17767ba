"""Self-checks for mlp.py, the text's steps in order: `python -m pytest tests` from the hand-out's
folder. They pass on a right solution; the staff's own tests check more (other networks, your
finite differences on functions whose gradient is known, your SGD loop step by step)."""
from pathlib import Path

import numpy as np
import pytest

import mlp

DATA = [Path(__file__).resolve().parent.parent / name for name in mlp.DATA_FILES]


def toy(seed=0, n=None):
    """The text's toy example: a 10-5-2 network, and one (x, t) or n rows (X, T)."""
    rng = np.random.default_rng(seed)
    params = {"W": rng.normal(size=(5, 10)), "b": rng.normal(size=5), "V": rng.normal(size=(2, 5)),
              "c": rng.normal(size=2)}
    labels = rng.integers(0, 2, size=n)
    return params, rng.normal(size=10 if n is None else (n, 10)), mlp.one_hot(labels, 2)


def test_step3_forward():
    params, x, _ = toy()
    h, y = mlp.forward(params, x)
    np.testing.assert_allclose(h, mlp.sigmoid(params["W"] @ x + params["b"]))
    np.testing.assert_allclose(y, mlp.softmax(params["V"] @ h + params["c"]))


def test_step3_loss():
    y, t = np.array([0.7, 0.2, 0.1, 0.0]), np.array([0.0, 1.0, 0.0, 0.0])
    np.testing.assert_allclose(mlp.loss(y, t), -np.log(0.2))


def test_step4_finite_differences_of_a_quadratic():
    A, b, theta = np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([1.0, -1.0]), np.array([0.5, -2.0])
    numerical = mlp.finite_differences(lambda v: 0.5 * v @ A @ v + b @ v, theta, 1e-5)
    np.testing.assert_allclose(numerical, A @ theta + b, rtol=1e-6)
    np.testing.assert_array_equal(theta, [0.5, -2.0])  # theta is left as it was


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_step4_gradients_match_finite_differences(seed):
    params, x, t = toy(seed)
    h, y = mlp.forward(params, x)
    analytic, numerical = mlp.gradients(params, x, t, h, y), mlp.numerical_gradients(params, x, t)
    for name in ("W", "b", "V", "c"):
        assert np.shape(analytic[name]) == np.shape(params[name]), name
        np.testing.assert_allclose(analytic[name], numerical[name], rtol=1e-5, atol=1e-8, err_msg=name)


def test_step5_minibatch_is_the_mean_of_examples():
    params, X, T = toy(3, n=6)
    H, Y = mlp.forward_batch(params, X)
    rows = [mlp.forward(params, x) for x in X]
    np.testing.assert_allclose(H, [h for h, _ in rows])
    np.testing.assert_allclose(Y, [y for _, y in rows])
    np.testing.assert_allclose(mlp.loss_batch(Y, T), np.mean([mlp.loss(y, t) for y, t in zip(Y, T)]))
    batch = mlp.gradients_batch(params, X, T, H, Y)
    for name in ("W", "b", "V", "c"):
        mean = np.mean([mlp.gradients(params, x, t, h, y)[name] for x, t, h, y in zip(X, T, H, Y)], axis=0)
        np.testing.assert_allclose(batch[name], mean, err_msg=name)


def test_step5_minibatch_gradients_match_finite_differences():
    params, X, T = toy(4, n=5)
    analytic = mlp.gradients_batch(params, X, T, *mlp.forward_batch(params, X))
    numerical = mlp.numerical_gradients_batch(params, X, T)
    for name in ("W", "b", "V", "c"):
        np.testing.assert_allclose(analytic[name], numerical[name], rtol=1e-5, atol=1e-8, err_msg=name)


def test_step6_one_epoch_of_one_batch_is_one_gradient_step():
    params, X, T = toy(5, n=8)
    grads = mlp.gradients_batch(params, X, T, *mlp.forward_batch(params, X))
    trained = mlp.sgd({k: v.copy() for k, v in params.items()}, X, T, 0.1, 1, 8, np.random.default_rng(0))
    for name in ("W", "b", "V", "c"):
        np.testing.assert_allclose(trained[name], params[name] - 0.1 * grads[name], err_msg=name)


@pytest.mark.skipif(not any(p.exists() for p in DATA), reason="no mnist.pkl.gz beside mlp.py or in data/")
def test_step6_mnist_under_5_percent_test_error():
    """The staff's short training (about 2 s with vectorised code); `python mlp.py` trains longer."""
    (train_x, train_y), _, (test_x, test_y) = mlp.load_mnist(next(p for p in DATA if p.exists()))
    rng = np.random.default_rng(0)
    params = mlp.sgd(mlp.init_params(784, 64, 10, rng), train_x, mlp.one_hot(train_y), 0.5, 4, 20, rng)
    assert mlp.error_rate(params, test_x, test_y) < 0.05
