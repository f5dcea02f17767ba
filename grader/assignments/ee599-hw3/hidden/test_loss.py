"""The softmax cross-entropy (the batch mean) and its gradient with respect to the logits: values
against the maths, the gradient against finite differences of the student's own loss (paid only
when that loss is right), and logits up to 1e3."""
import numpy as np
import pytest

from grader import gradcheck

BATCHES = (2, 5, 32)


def logits(seed, n, scale=3.0):
    return np.random.default_rng(seed).normal(scale=scale, size=(n, 10))


def want_loss(z, y):
    shifted = z - z.max(axis=1, keepdims=True)
    return float(-np.sum(y * (shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))) / len(y))


def want_gradient(z, y):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True) - y) / len(y)


def check_stable(hw3, student, note, fn, want, name, shape):
    """Right and finite on logits up to 1e3 (a warning with right values costs nothing, but is noted)."""
    z, y = hw3.large_inputs(3, (16, 10)), hw3.onehot(3, 16)
    got = hw3.finite(fn(z, y), shape, name, " on logits up to 1e3")
    hw3.overflow_note(student, note, name)
    hw3.close(got, want(z, y), f"{name} on logits up to 1e3", batch=16)


@pytest.mark.feedback("softmax_cross_entropy(logits, y) = -(1/N) sum_n sum_k y_nk log softmax(logits_n)_k")
def test_softmax_cross_entropy(student, hw3):
    """softmax cross-entropy (the batch mean)"""
    for seed, n in enumerate(BATCHES):
        z, y = logits(seed, n), hw3.onehot(seed, n)
        hw3.close(student.mlp_numpy.softmax_cross_entropy(z, y), want_loss(z, y),
                  f"softmax_cross_entropy of a batch of {n}", batch=n)


@pytest.mark.depends_on("test_softmax_cross_entropy")
@pytest.mark.feedback("the loss must stay finite and right for logits up to +-1000: subtract each row's "
                      "largest logit before exponentiating (log-sum-exp)")
def test_softmax_cross_entropy_stable_on_large_logits(student, hw3, note):
    """softmax cross-entropy stays right and finite for logits of magnitude 1e3"""
    check_stable(hw3, student, note, student.mlp_numpy.softmax_cross_entropy, want_loss, "softmax_cross_entropy", ())


@pytest.mark.feedback("softmax_cross_entropy_gradient(logits, y) = (softmax(logits) - y) / N, "
                      "the gradient of the batch mean")
def test_softmax_cross_entropy_gradient(student, hw3):
    """gradient of the softmax cross-entropy"""
    for seed, n in enumerate(BATCHES):
        z, y = logits(seed, n), hw3.onehot(seed, n)
        hw3.close(student.mlp_numpy.softmax_cross_entropy_gradient(z, y), want_gradient(z, y),
                  f"softmax_cross_entropy_gradient of a batch of {n}", batch=n)


@pytest.mark.depends_on("test_softmax_cross_entropy_gradient")
@pytest.mark.feedback("the gradient must stay finite and right for logits up to +-1000: subtract each row's "
                      "largest logit before exponentiating")
def test_softmax_cross_entropy_gradient_stable_on_large_logits(student, hw3, note):
    """the gradient stays right and finite for logits of magnitude 1e3"""
    check_stable(hw3, student, note, student.mlp_numpy.softmax_cross_entropy_gradient, want_gradient,
                 "softmax_cross_entropy_gradient", (16, 10))


@pytest.mark.depends_on("test_softmax_cross_entropy")
@pytest.mark.feedback("softmax_cross_entropy_gradient should be the gradient of your softmax_cross_entropy")
def test_softmax_cross_entropy_gradient_matches_your_loss(student, hw3):
    """the gradient agrees with your loss (finite differences)"""
    for seed, n in enumerate(BATCHES[:2]):
        z, y = logits(seed, n), hw3.onehot(seed, n)
        slopes = []
        for v in gradcheck.directions(seed, {"input": z.shape}):
            up, down = (float(hw3.values(student.mlp_numpy.softmax_cross_entropy(
                z + sign * gradcheck.STEP * v["input"], y), (), "softmax_cross_entropy")) for sign in (1.0, -1.0))
            slopes.append((v, gradcheck.Slope(up, down, max(abs(up), abs(down)))))
        grad = hw3.values(student.mlp_numpy.softmax_cross_entropy_gradient(z, y), z.shape,
                          "softmax_cross_entropy_gradient")
        gradcheck.agree([gradcheck.inner({"input": grad}, v) for v, _ in slopes], [s for _, s in slopes],
                        f"softmax_cross_entropy_gradient of a batch of {n}")
