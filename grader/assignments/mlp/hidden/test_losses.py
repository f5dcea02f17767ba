"""Losses: forward value and backward against the reference, backward against finite differences
of the student's own forward, and finiteness for logits of 1e3. Focal is the bonus."""
import pytest

BATCHES = ((2, 10), (8, 10), (32, 10))
"""(N, K) of the test batches; K = 10 because FocalLoss's default alpha has ten entries."""


def batches(check):
    for seed, (n, k) in enumerate(BATCHES):
        yield f"a batch of {n}", check.inputs(seed, (n, k), scale=3.0), check.onehot(50 + seed, n, k)


def check_forward(student, reference, check, cls, **kwargs):
    for label, x, t in batches(check):
        got = getattr(student.loss, cls)("loss", **kwargs).forward(x, t)
        check.close(got, getattr(reference.loss, cls)("loss", **kwargs).forward(x, t), f"{cls}.forward on {label}")


def check_backward(student, reference, check, cls, **kwargs):
    for label, x, t in batches(check):
        got = getattr(student.loss, cls)("loss", **kwargs).backward(x, t)
        check.close(got, getattr(reference.loss, cls)("loss", **kwargs).backward(x, t), f"{cls}.backward on {label}")


def check_backward_matches_forward(student, check, cls):
    for label, x, t in list(batches(check))[:2]:
        loss = getattr(student.loss, cls)("loss")
        analytic = loss.backward(x, t)
        numeric = student.run_task("loss_numeric_grad", loss=loss, x=x, target=t)
        check.close(analytic, numeric, f"{cls}.backward on {label}, compared with finite differences,")


def check_stable(student, check, note, cls):
    x, t = check.large_inputs(8, (16, 10)), check.onehot(9, 16, 10)
    loss = getattr(student.loss, cls)("loss")
    check.finite(loss.forward(x, t), f"{cls}.forward")
    check.overflow_note(student, note, f"{cls}.forward")
    check.finite(loss.backward(x, t), f"{cls}.backward")
    check.overflow_note(student, note, f"{cls}.backward")


@pytest.mark.feedback("MSELoss.forward should return E = 1/N sum_n ||t_n - y_n||^2 (sum over classes, mean over the batch)")
def test_mse_forward(student, reference, check):
    """MSELoss forward"""
    check_forward(student, reference, check, "MSELoss")


@pytest.mark.feedback("MSELoss.backward should return dE/dx of shape (N, K): dE/dy = 2 (y - t) / N")
def test_mse_backward(student, reference, check):
    """MSELoss backward"""
    check_backward(student, reference, check, "MSELoss")


@pytest.mark.feedback("MSELoss.backward does not match finite differences of your own MSELoss.forward")
def test_mse_backward_matches_forward(student, check):
    """MSELoss backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "MSELoss")


@pytest.mark.feedback("MSELoss gives nan or inf for logits near +-1000: work with x - max(x) and log-softmax")
def test_mse_stable_on_large_logits(student, check, note):
    """MSELoss stays finite for logits of magnitude 1e3"""
    check_stable(student, check, note, "MSELoss")


@pytest.mark.feedback("SoftmaxCrossEntropyLoss.forward should return E = 1/N sum_n -sum_k t_nk ln softmax(x_n)_k")
def test_softmax_cross_entropy_forward(student, reference, check):
    """SoftmaxCrossEntropyLoss forward"""
    check_forward(student, reference, check, "SoftmaxCrossEntropyLoss")


@pytest.mark.feedback("SoftmaxCrossEntropyLoss.backward should return dE/dx of shape (N, K): dE/dx = (softmax(x) - t) / N")
def test_softmax_cross_entropy_backward(student, reference, check):
    """SoftmaxCrossEntropyLoss backward"""
    check_backward(student, reference, check, "SoftmaxCrossEntropyLoss")


@pytest.mark.feedback("SoftmaxCrossEntropyLoss.backward does not match finite differences of your own SoftmaxCrossEntropyLoss.forward")
def test_softmax_cross_entropy_backward_matches_forward(student, check):
    """SoftmaxCrossEntropyLoss backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "SoftmaxCrossEntropyLoss")


@pytest.mark.feedback("SoftmaxCrossEntropyLoss gives nan or inf for logits near +-1000: work with x - max(x) and log-softmax")
def test_softmax_cross_entropy_stable_on_large_logits(student, check, note):
    """SoftmaxCrossEntropyLoss stays finite for logits of magnitude 1e3"""
    check_stable(student, check, note, "SoftmaxCrossEntropyLoss")


@pytest.mark.feedback("HingeLoss.forward should return E = 1/N sum_n sum_{k != t_n} max(0, margin - x_t + x_k) with the default margin 5")
def test_hinge_forward(student, reference, check):
    """HingeLoss forward"""
    check_forward(student, reference, check, "HingeLoss")


@pytest.mark.feedback("HingeLoss.backward should return dE/dx of shape (N, K): each active term adds +1/N at k and -1/N at the true class")
def test_hinge_backward(student, reference, check):
    """HingeLoss backward"""
    check_backward(student, reference, check, "HingeLoss")


@pytest.mark.feedback("HingeLoss.backward does not match finite differences of your own HingeLoss.forward")
def test_hinge_backward_matches_forward(student, check):
    """HingeLoss backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "HingeLoss")


@pytest.mark.feedback("HingeLoss gives nan or inf for logits near +-1000: work with x - max(x) and log-softmax")
def test_hinge_stable_on_large_logits(student, check, note):
    """HingeLoss stays finite for logits of magnitude 1e3"""
    check_stable(student, check, note, "HingeLoss")


@pytest.mark.feedback("HingeLoss.forward should return E = 1/N sum_n sum_{k != t_n} max(0, margin - x_t + x_k) with the margin given to __init__ (self.margin)")
def test_hinge_margin_forward(student, reference, check):
    """HingeLoss forward with margin 2.5"""
    check_forward(student, reference, check, "HingeLoss", margin=2.5)


@pytest.mark.feedback("HingeLoss.backward should return dE/dx of shape (N, K): use self.margin, not a constant 5")
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


@pytest.mark.feedback("FocalLoss.backward does not match finite differences of your own FocalLoss.forward")
def test_focal_backward_matches_forward(student, check):
    """FocalLoss backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "FocalLoss")


@pytest.mark.feedback("FocalLoss gives nan or inf for logits near +-1000: work with x - max(x) and log-softmax")
def test_focal_stable_on_large_logits(student, check, note):
    """FocalLoss stays finite for logits of magnitude 1e3"""
    check_stable(student, check, note, "FocalLoss")
