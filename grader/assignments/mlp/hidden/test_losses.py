"""Losses: forward value and backward against the reference, backward against finite differences
of the student's own forward (paid only when that forward is right), and right, finite values for
logits of 1e3. Each loss object sees forward(output, target) and then backward(output, target),
as solve_net.train_net calls them; every parameter the interface fixes is passed explicitly (a
changed default is only a note, see the defaults tests). Focal is the bonus."""
import numpy as np
import pytest

BATCHES = ((2, 10), (8, 10), (32, 10))
"""(N, K) of the test batches; K = 10 because FocalLoss's alpha has ten entries."""
PARAMETERS = {"MSELoss": {}, "SoftmaxCrossEntropyLoss": {}, "HingeLoss": {"margin": 5},
              "FocalLoss": {"alpha": [0.1] * 10, "gamma": 2.0}}
"""The interface's parameters, passed explicitly to every loss the tests build."""
HINGE_CLEARANCE = 0.05
"""Hinge test logits keep every term margin - x_t + x_k this far from 0 (finite differences)."""


def batches(check, margin=None):
    """(label, logits, one-hot target) for each test batch."""
    for seed, (n, k) in enumerate(BATCHES):
        x, t = check.inputs(seed, (n, k), scale=3.0), check.onehot(50 + seed, n, k)
        if margin is not None:  # clear of the hinge's kinks, keeping each term's side
            x_true = np.sum(x * t, axis=1, keepdims=True)
            d = margin - x_true + x
            x = x + (1 - t) * np.where(np.abs(d) < HINGE_CLEARANCE, np.sign(d + 1e-300) * HINGE_CLEARANCE - d, 0)
        yield f"a batch of {n}", x, t


def make(loss_module, cls, params):
    return getattr(loss_module, cls)("loss", **params)


def check_forward(student, reference, check, cls, **params):
    params = {**PARAMETERS[cls], **params}
    for label, x, t in batches(check, params.get("margin")):
        want = make(reference.loss, cls, params).forward(x, t)
        check.close(make(student.loss, cls, params).forward(x, t), want, f"{cls}.forward on {label}",
                    batch=len(x), constants={"1/K": 1 / x.shape[1]})


def check_backward(student, reference, check, cls, **params):
    params = {**PARAMETERS[cls], **params}
    for label, x, t in batches(check, params.get("margin")):
        mine, ref = make(student.loss, cls, params), make(reference.loss, cls, params)
        mine.forward(x, t), ref.forward(x, t)
        check.close(mine.backward(x, t), ref.backward(x, t), f"{cls}.backward on {label}", batch=len(x),
                    constants={"1/K": 1 / x.shape[1]})


def check_backward_matches_forward(student, check, cls):
    params = PARAMETERS[cls]
    for seed, (label, x, t) in enumerate(list(batches(check, params.get("margin")))[:2]):
        check.loss_agrees(make(student.loss, cls, params), x, t, f"{cls}.backward on {label}", seed=seed)


def check_stable(student, reference, check, note, passed, cls, low):
    """Finite everywhere, and right where the normal-range test found the code right (a wrong
    backward is charged by its own test, not again here)."""
    params = PARAMETERS[cls]
    x, t = check.large_inputs(8, (16, 10)), check.onehot(9, 16, 10)
    mine, ref = make(student.loss, cls, params), make(reference.loss, cls, params)
    got = check.finite(mine.forward(x, t), (), f"{cls}.forward", " on logits up to 1e3")
    check.overflow_note(student, note, f"{cls}.forward")
    check.close(got, ref.forward(x, t), f"{cls}.forward on logits up to 1e3")
    got = check.finite(mine.backward(x, t), x.shape, f"{cls}.backward", " on logits up to 1e3")
    check.overflow_note(student, note, f"{cls}.backward")
    if passed(f"test_{low}_backward"):
        check.close(got, ref.backward(x, t), f"{cls}.backward on logits up to 1e3")


@pytest.mark.feedback("MSELoss.forward should return E = 1/N sum_n ||t_n - y_n||^2 (sum over classes, mean over the batch)")
def test_mse_forward(student, reference, check):
    """MSELoss forward"""
    check_forward(student, reference, check, "MSELoss")


@pytest.mark.feedback("MSELoss.backward should return dE/dx of shape (N, K): 2 (x - t) / N")
def test_mse_backward(student, reference, check):
    """MSELoss backward"""
    check_backward(student, reference, check, "MSELoss")


@pytest.mark.depends_on("test_mse_forward")
@pytest.mark.feedback("MSELoss.backward should be the derivative of your MSELoss.forward")
def test_mse_backward_matches_forward(student, check):
    """MSELoss backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "MSELoss")


@pytest.mark.depends_on("test_mse_forward")
@pytest.mark.feedback("MSELoss should stay right and finite for logits near +-1000: work with x - max(x) and log-softmax")
def test_mse_stable_on_large_logits(student, reference, check, note, passed):
    """MSELoss stays right and finite for logits of magnitude 1e3"""
    check_stable(student, reference, check, note, passed, "MSELoss", "mse")


@pytest.mark.feedback("SoftmaxCrossEntropyLoss.forward should return E = 1/N sum_n -sum_k t_nk ln softmax(x_n)_k")
def test_softmax_cross_entropy_forward(student, reference, check):
    """SoftmaxCrossEntropyLoss forward"""
    check_forward(student, reference, check, "SoftmaxCrossEntropyLoss")


@pytest.mark.feedback("SoftmaxCrossEntropyLoss.backward should return dE/dx of shape (N, K): (softmax(x) - t) / N")
def test_softmax_cross_entropy_backward(student, reference, check):
    """SoftmaxCrossEntropyLoss backward"""
    check_backward(student, reference, check, "SoftmaxCrossEntropyLoss")


@pytest.mark.depends_on("test_softmax_cross_entropy_forward")
@pytest.mark.feedback("SoftmaxCrossEntropyLoss.backward should be the derivative of your SoftmaxCrossEntropyLoss.forward")
def test_softmax_cross_entropy_backward_matches_forward(student, check):
    """SoftmaxCrossEntropyLoss backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "SoftmaxCrossEntropyLoss")


@pytest.mark.depends_on("test_softmax_cross_entropy_forward")
@pytest.mark.feedback("SoftmaxCrossEntropyLoss should stay right and finite for logits near +-1000: work with x - max(x) and log-softmax")
def test_softmax_cross_entropy_stable_on_large_logits(student, reference, check, note, passed):
    """SoftmaxCrossEntropyLoss stays right and finite for logits of magnitude 1e3"""
    check_stable(student, reference, check, note, passed, "SoftmaxCrossEntropyLoss", "softmax_cross_entropy")


@pytest.mark.feedback("HingeLoss.forward should return E = 1/N sum_n sum_{k != t_n} max(0, margin - x_t + x_k) with margin 5")
def test_hinge_forward(student, reference, check):
    """HingeLoss forward"""
    check_forward(student, reference, check, "HingeLoss")


@pytest.mark.feedback("HingeLoss.backward should return dE/dx of shape (N, K): each active term adds +1/N at k and -1/N at the true class")
def test_hinge_backward(student, reference, check):
    """HingeLoss backward"""
    check_backward(student, reference, check, "HingeLoss")


@pytest.mark.depends_on("test_hinge_forward")
@pytest.mark.feedback("HingeLoss.backward should be the derivative of your HingeLoss.forward")
def test_hinge_backward_matches_forward(student, check):
    """HingeLoss backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "HingeLoss")


@pytest.mark.depends_on("test_hinge_forward")
@pytest.mark.feedback("HingeLoss should stay right and finite for logits near +-1000: work with x - max(x) and log-softmax")
def test_hinge_stable_on_large_logits(student, reference, check, note, passed):
    """HingeLoss stays right and finite for logits of magnitude 1e3"""
    check_stable(student, reference, check, note, passed, "HingeLoss", "hinge")


@pytest.mark.feedback("HingeLoss.forward should use the margin given to __init__ (self.margin), here 2.5")
def test_hinge_margin_forward(student, reference, check):
    """HingeLoss forward with margin 2.5"""
    check_forward(student, reference, check, "HingeLoss", margin=2.5)


@pytest.mark.feedback("HingeLoss.backward should use self.margin, not a constant 5 (here the margin is 2.5)")
def test_hinge_margin_backward(student, reference, check):
    """HingeLoss backward with margin 2.5"""
    check_backward(student, reference, check, "HingeLoss", margin=2.5)


@pytest.mark.feedback("FocalLoss.forward should return E = 1/N sum_n -sum_k (alpha_k t_k + (1 - alpha_k)(1 - t_k)) (1 - h_k)^gamma t_k ln h_k, h = softmax(x)")
def test_focal_forward(student, reference, check):
    """FocalLoss forward"""
    check_forward(student, reference, check, "FocalLoss")


@pytest.mark.feedback("FocalLoss.backward should return dE/dx of shape (N, K): differentiate through the softmax; the gradient carries 1/N")
def test_focal_backward(student, reference, check):
    """FocalLoss backward"""
    check_backward(student, reference, check, "FocalLoss")


@pytest.mark.depends_on("test_focal_forward")
@pytest.mark.feedback("FocalLoss.backward should be the derivative of your FocalLoss.forward")
def test_focal_backward_matches_forward(student, check):
    """FocalLoss backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "FocalLoss")


@pytest.mark.depends_on("test_focal_forward")
@pytest.mark.feedback("FocalLoss should stay right and finite for logits near +-1000: work with x - max(x) and log-softmax")
def test_focal_stable_on_large_logits(student, reference, check, note, passed):
    """FocalLoss stays right and finite for logits of magnitude 1e3"""
    check_stable(student, reference, check, note, passed, "FocalLoss", "focal")


@pytest.mark.depends_on("test_hinge_forward")
@pytest.mark.feedback("the hand-out's HingeLoss(name) has margin=5 by default; keep that default")
def test_hinge_default_margin(student, reference, check):
    """HingeLoss's default margin is 5 (no points: the tests pass it explicitly)"""
    for label, x, t in batches(check, 5):
        check.close(student.loss.HingeLoss("loss").forward(x, t),
                    make(reference.loss, "HingeLoss", PARAMETERS["HingeLoss"]).forward(x, t),
                    f"HingeLoss('loss').forward on {label}")


@pytest.mark.depends_on("test_focal_forward")
@pytest.mark.feedback("the hand-out's FocalLoss(name) has alpha 0.1 for each of 10 classes and gamma 2 by default; keep them")
def test_focal_default_parameters(student, reference, check):
    """FocalLoss's default alpha and gamma (no points: the tests pass them explicitly)"""
    for label, x, t in batches(check):
        check.close(student.loss.FocalLoss("loss").forward(x, t),
                    make(reference.loss, "FocalLoss", PARAMETERS["FocalLoss"]).forward(x, t),
                    f"FocalLoss('loss').forward on {label}")
