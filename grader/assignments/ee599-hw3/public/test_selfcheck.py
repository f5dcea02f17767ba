"""Public self-checks of mlp_numpy.py and confusion.py: known values, each derivative against finite
differences of your own function, the schedule, the minibatch rule and a tiny confusion matrix."""
import numpy as np
import pytest

import confusion
import mlp_numpy as hw

Z = np.array([[-2.0, -0.5, 0.5, 2.0]])


def numeric_gradient(f, x, eps=1e-6):
    """d f(x) / dx by central differences; f maps an array to a number."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + eps
        plus = f(x)
        x[idx] = saved - eps
        minus = f(x)
        x[idx] = saved
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def test_tanh_values():
    assert np.allclose(hw.tanh(Z), [[-0.964028, -0.462117, 0.462117, 0.964028]], atol=1e-6)


@pytest.mark.parametrize("name", ["tanh", "relu"])
def test_derivative_matches_finite_differences(name):
    f, df = getattr(hw, name), getattr(hw, name + "_derivative")
    g = np.array([[0.3, -1.2, 0.7, 2.0]])
    assert np.allclose(df(Z) * g, numeric_gradient(lambda z: np.sum(f(z) * g), Z), atol=1e-6)


def test_relu_derivative_at_zero_is_in_0_1():
    d = np.asarray(hw.relu_derivative(np.zeros(3)), dtype=float)
    assert np.all((d >= 0) & (d <= 1))


def test_softmax_cross_entropy_of_equal_logits_is_log_10():
    y = np.eye(10)[[3, 7]]
    assert np.isclose(float(hw.softmax_cross_entropy(np.zeros((2, 10)), y)), np.log(10))


def test_softmax_cross_entropy_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    logits, y = rng.normal(size=(3, 10)), np.eye(10)[[1, 4, 9]]
    numeric = numeric_gradient(lambda z: float(hw.softmax_cross_entropy(z, y)), logits)
    assert np.allclose(hw.softmax_cross_entropy_gradient(logits, y), numeric, atol=1e-6)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_gradients_match_finite_differences_of_a_small_network(activation):
    sizes = [6, 5, 4, 10]
    params = hw.init_params(sizes, 0)
    assert sorted(params) == sorted(["W1", "b1", "W2", "b2", "W3", "b3"])
    assert np.shape(params["W1"]) == (5, 6) and np.size(params["b1"]) == 5
    rng = np.random.default_rng(1)
    params = {k: np.asarray(v, dtype=float) + rng.normal(scale=0.1, size=np.shape(v)) for k, v in params.items()}
    x, y = rng.random((3, 6)), np.eye(10)[[0, 5, 2]]
    grads = hw.gradients(params, x, y, activation)
    for key in params:
        def loss(value, key=key):
            return float(hw.softmax_cross_entropy(hw.forward({**params, key: value}, x, activation), y))
        assert np.allclose(np.reshape(grads[key], np.shape(params[key])), numeric_gradient(loss, params[key]),
                           atol=1e-5), key


def test_sgd_step_moves_against_the_gradient():
    params = {"W1": np.ones((2, 3)), "b1": np.zeros(2)}
    grads = {"W1": np.full((2, 3), 2.0), "b1": np.array([1.0, -1.0])}
    new = hw.sgd_step(params, grads, 0.1)
    assert np.allclose(new["W1"], 0.8) and np.allclose(np.ravel(new["b1"]), [-0.1, 0.1])


def test_learning_rate_halves_after_epochs_20_and_40():
    rates = [hw.learning_rate(epoch, 0.1, [20, 40]) for epoch in (1, 20, 21, 40, 41, 50)]
    assert np.allclose(rates, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025])


def test_settings_follow_the_course():
    s = hw.settings()
    assert s["sizes"][0] == 784 and s["sizes"][-1] == 10
    assert 50 <= s["batch_size"] <= 1000 and 50000 % s["batch_size"] == 0
    assert len(set(s["learning_rates"])) == 3 and len(set(s["halve_at"])) == 2 and s["epochs"] == 50


def test_confusion_matrix_rows_are_rates_of_the_true_class():
    labels, predictions = np.array([0, 0, 0, 1, 1, 1, 2, 2]), np.array([0, 1, 1, 1, 1, 2, 0, 2])
    m = confusion.confusion_matrix(labels, predictions, 3)
    assert np.allclose(m, [[1 / 3, 2 / 3, 0], [0, 2 / 3, 1 / 3], [1 / 2, 0, 1 / 2]])
    assert list(confusion.most_confused(m)) == [1, 2, 0]
    assert sorted(confusion.most_confused_pair(m)) == [0, 1]
