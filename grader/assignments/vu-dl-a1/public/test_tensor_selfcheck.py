"""Question 5 and 6 self-checks: your vectorised network against your scalar one, your derivatives
against finite differences of your own loss, a batch against the mean of its instances, and a
short MNIST training evaluated as the grader evaluates it (inputs x / 255)."""
import numpy as np
import pytest

import scalar
from tensor import forward_backward, forward_backward_batch, train, init_weights

KEYS = ("loss", "dW", "db", "dV", "dc")


def network(seed, sizes=(784, 300, 10)):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out = sizes
    return dict(x=rng.uniform(0, 1, n_in), W=rng.normal(0, n_in ** -0.5, (n_in, n_hidden)),
                b=rng.normal(0, 0.5, n_hidden), V=rng.normal(0, n_hidden ** -0.5, (n_hidden, n_out)),
                c=rng.normal(0, 0.5, n_out), target=int(rng.integers(n_out)))


def test_tensor_network_agrees_with_your_scalar_network():
    net = network(0, (2, 3, 2))
    mine = forward_backward(**net)
    theirs = scalar.forward_backward(**{k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in net.items()})
    for key in KEYS:
        np.testing.assert_allclose(np.asarray(mine[key], dtype=float), np.asarray(theirs[key], dtype=float),
                                   rtol=1e-6, atol=1e-9, err_msg=key)


def test_derivatives_match_finite_differences_of_your_loss():
    net, rng, step = network(1), np.random.default_rng(2), 1e-4
    result = forward_backward(**net)
    for _ in range(3):
        v = {p: rng.normal(size=net[p].shape) for p in ("W", "b", "V", "c")}
        up = forward_backward(**dict(net, **{p: net[p] + step * v[p] for p in v}))["loss"]
        down = forward_backward(**dict(net, **{p: net[p] - step * v[p] for p in v}))["loss"]
        analytic = sum(float(np.vdot(np.reshape(result["d" + p], v[p].shape), v[p])) for p in v)
        assert np.isclose(analytic, (up - down) / (2 * step), rtol=1e-4, atol=1e-7)


def test_a_batch_gives_the_mean_of_its_instances():
    net, rng = network(3), np.random.default_rng(4)
    x, t = rng.uniform(0, 1, (7, 784)), rng.integers(10, size=7)
    batch = forward_backward_batch(x, net["W"], net["b"], net["V"], net["c"], t)
    singles = [forward_backward(x[i], net["W"], net["b"], net["V"], net["c"], int(t[i])) for i in range(7)]
    for key in KEYS:
        mean = np.mean([np.asarray(s[key], dtype=float) for s in singles], axis=0)
        np.testing.assert_allclose(np.reshape(batch[key], np.shape(mean)), mean, rtol=1e-6, atol=1e-12,
                                   err_msg=key)


def test_a_short_training_learns_mnist():
    from data import load_mnist

    try:
        (xtrain, ytrain), (xval, yval), _ = load_mnist()
    except FileNotFoundError as e:
        pytest.skip(str(e))
    accuracies = []
    for rate in (1.0, 1 / 32):  # the second for a batch that adds up its gradients, as the grader does
        result = train(xtrain[:5000], ytrain[:5000], *init_weights(seed=0), epochs=1, learning_rate=rate,
                       batch_size=32)
        W, b, V, c = (np.asarray(result[k], dtype=float) for k in ("W", "b", "V", "c"))
        h = 1 / (1 + np.exp(-(xval / 255.0 @ W + b)))  # the grader's inputs: x / 255
        accuracies.append(np.mean(np.argmax(h @ V + c, axis=1) == yval))
        if accuracies[-1] >= 0.85:
            break
    assert max(accuracies) >= 0.85, accuracies
