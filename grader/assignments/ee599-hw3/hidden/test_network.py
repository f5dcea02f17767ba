"""The network of any depth: init_params (shapes from a list of sizes, random weights), forward
(logits), gradients (backprop, against the parent's maths and against finite differences of the
student's own forward and loss) and sgd_step (one update).

Networks are dicts {"W1", "b1", ...}, W_l of shape (sizes[l], sizes[l-1]) and b_l (sizes[l],);
a b_l that comes back as (sizes[l], 1) is the same numbers. The networks sent to the student's
code are made here."""
import numpy as np
import pytest

from grader import gradcheck

SIZES = ([784, 32, 10], [784, 16, 12, 10], [784, 20, 16, 12, 10], [784, 10])
"""One to three hidden layers, and none (a softmax regression: the activation is never used)."""
INIT_SIZES = ([784, 256, 10], [784, 64, 32, 10], [30, 7, 5, 3, 10])
GRADCHECK_SIZES = [784, 12, 8, 10]
BATCH = 8


def cases(hw3):
    """(sizes, activation, seed) for every depth and both activations."""
    return [(sizes, activation, 10 * i + j) for i, sizes in enumerate(SIZES)
            for j, activation in enumerate(hw3.ACTIVATIONS) if len(sizes) > 2 or j == 0]


@pytest.mark.feedback("init_params(sizes, seed) returns {'W1': (sizes[1], sizes[0]), 'b1': (sizes[1],), ...}: "
                      "one W and one b per layer, for any number of layers")
def test_init_params_shapes(student, hw3):
    """init_params: one W and b per layer, for any depth"""
    for seed, sizes in enumerate(INIT_SIZES):
        hw3.network(student.mlp_numpy.init_params(sizes, seed), sizes, f"init_params({sizes}, {seed})")


@pytest.mark.depends_on("test_init_params_shapes")
@pytest.mark.feedback("weights must start random, not zero or all equal (every unit of a layer would then "
                      "learn the same thing)")
def test_init_params_random(student, hw3):
    """init_params: random weights, not zeros"""
    sizes = INIT_SIZES[1]
    params = hw3.network(student.mlp_numpy.init_params(sizes, 0), sizes, f"init_params({sizes}, 0)")
    for l in range(1, len(sizes)):
        W = params[f"W{l}"]
        if not np.all(np.isfinite(W)):
            raise AssertionError(f"W{l} holds nan or inf")
        if np.ptp(W) == 0:
            raise AssertionError(f"every entry of W{l} is {W.flat[0]:g}: weights must start random")
        if len(np.unique(W, axis=0)) < len(W):
            raise AssertionError(f"W{l} has identical rows: those units start (and stay) the same")


@pytest.mark.depends_on("test_init_params_shapes")
@pytest.mark.feedback("init_params(sizes, seed) should give the same weights for the same seed (seed a "
                      "generator with it), so that a run can be repeated")
def test_init_params_same_seed_same_weights(student, hw3):
    """init_params: the same seed gives the same weights (no points)"""
    sizes = INIT_SIZES[2]
    first, again = (hw3.network(student.mlp_numpy.init_params(sizes, 3), sizes, "init_params") for _ in range(2))
    other = hw3.network(student.mlp_numpy.init_params(sizes, 4), sizes, "init_params")
    if not all(np.array_equal(first[k], again[k]) for k in first):
        raise AssertionError("two calls with seed 3 gave different weights")
    if all(np.array_equal(first[k], other[k]) for k in first if k[0] == "W"):
        raise AssertionError("seeds 3 and 4 gave the same weights: the seed is not used")


@pytest.mark.feedback("forward(params, x, activation): a = activation(a W_l^T + b_l) for each hidden layer, "
                      "then logits = a W_L^T + b_L (no activation on the output layer)")
def test_forward(student, hw3):
    """forward: the logits of a batch, any depth, tanh and relu"""
    for sizes, activation, seed in cases(hw3):
        params, x = hw3.random_params(sizes, seed), hw3.pixels(seed, BATCH)
        hw3.close(student.mlp_numpy.forward(params, x, activation), hw3.logits(params, x, activation),
                  f"forward with sizes {sizes} and {activation}")


@pytest.mark.feedback("gradients(params, x, y, activation): backprop of the batch-mean softmax cross-entropy, "
                      "dL/dW_l = delta_l^T a_{l-1}, dL/db_l = sum of delta_l over the batch, "
                      "delta_{l-1} = (delta_l W_l) * activation'(z_{l-1})")
def test_gradients(student, reference, hw3):
    """gradients: backprop through any depth, tanh and relu"""
    for sizes, activation, seed in cases(hw3):
        params, x, y = hw3.random_params(sizes, seed), hw3.pixels(seed, BATCH), hw3.onehot(seed, BATCH)
        want = reference.mlp_numpy.gradients(params, x, y, activation)
        got = hw3.network(student.mlp_numpy.gradients(params, x, y, activation), sizes,
                          f"gradients with sizes {sizes} and {activation}")
        for key in hw3.keys(sizes)[::-1]:  # the output layer first: an error shows where it starts
            hw3.close(got[key], want[key], f"the gradient for {key} (sizes {sizes}, {activation})", batch=BATCH)


def clean_directions(hw3, params, x, activation, seed, count=gradcheck.DIRECTIONS):
    """Random directions in parameter space along which no hidden unit of the batch crosses ReLU's
    kink within +-STEP (checked with the parent's own maths), so central differences are exact."""
    shapes = {k: v.shape for k, v in params.items()}
    found = []
    for v in gradcheck.directions(seed, shapes, count=200):
        signs = [[np.sign(z) for z in hw3.preactivations({k: params[k] + s * gradcheck.STEP * v[k] for k in params},
                                                           x, activation)[:-1]] for s in (-1.0, 0.0, 1.0)]
        if all(np.array_equal(a, b) for a, b in zip(signs[0], signs[1])) and \
                all(np.array_equal(a, b) for a, b in zip(signs[1], signs[2])):
            found.append(v)
            if len(found) == count:
                return found
    raise RuntimeError("no direction clear of the kinks: change the gradient check's seed")


@pytest.mark.depends_on("test_forward", "test_softmax_cross_entropy")
@pytest.mark.feedback("gradients should be the gradient of softmax_cross_entropy(forward(params, x, activation), y) "
                      "with your own forward and loss")
def test_gradients_match_your_forward_and_loss(student, hw3):
    """gradients agree with your forward and loss (finite differences of the whole network)"""
    mine = student.mlp_numpy
    for seed, activation in enumerate(hw3.ACTIVATIONS):
        params, x, y = hw3.random_params(GRADCHECK_SIZES, seed), hw3.pixels(seed, 4), hw3.onehot(seed, 4)
        slopes = []
        for v in clean_directions(hw3, params, x, activation, seed):
            phi = []
            for sign in (1.0, -1.0):
                moved = {k: params[k] + sign * gradcheck.STEP * v[k] for k in params}
                logits = hw3.values(mine.forward(moved, x, activation), (4, 10), "forward")
                phi.append(float(hw3.values(mine.softmax_cross_entropy(logits, y), (), "softmax_cross_entropy")))
            slopes.append((v, gradcheck.Slope(phi[0], phi[1], max(map(abs, phi)))))
        grads = hw3.network(mine.gradients(params, x, y, activation), GRADCHECK_SIZES, "gradients")
        gradcheck.agree([gradcheck.inner(grads, v) for v, _ in slopes], [s for _, s in slopes],
                        f"gradients of a {'-'.join(map(str, GRADCHECK_SIZES))} {activation} network")


@pytest.mark.feedback("sgd_step(params, grads, learning_rate) returns params - learning_rate * grads "
                      "for every W and b")
def test_sgd_step(student, hw3):
    """sgd_step: one update of every parameter"""
    sizes = SIZES[1]
    for seed, rate in enumerate((0.05, 0.3)):
        params, grads = hw3.random_params(sizes, seed), hw3.random_params(sizes, 100 + seed)
        got = hw3.network(student.mlp_numpy.sgd_step(params, grads, rate), sizes, f"sgd_step at rate {rate:g}")
        for key in hw3.keys(sizes):
            hw3.close(got[key] - params[key], -rate * grads[key],
                      f"the change sgd_step made to {key} at learning rate {rate:g}",
                      constants={"the learning rate": rate})
