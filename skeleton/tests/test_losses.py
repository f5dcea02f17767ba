"""Public self-checks of codes/loss.py: known values and each backward against a
finite-difference gradient of its forward."""
import numpy as np
import pytest

import loss

X = np.sin(np.arange(30.0)).reshape(3, 10) * 2  # logits of 3 samples, 10 classes
T = np.eye(10)[[3, 0, 9]]  # one-hot targets
KNOWN = {  # forward(X, T), to 6 decimals, from the formulas in each class's docstring
    "MSELoss": 21.836481,
    "SoftmaxCrossEntropyLoss": 3.851839,
    "HingeLoss": 52.955621,
    "FocalLoss": 0.367497,
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_loss_forward(name):
    value = getattr(loss, name)("loss").forward(X, T)
    assert np.ndim(value) == 0, "%s.forward must return one number (the batch mean)" % name
    assert abs(float(value) - KNOWN[name]) < 1e-5, \
        "%s.forward gave %r, expected %r" % (name, float(value), KNOWN[name])


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_loss_backward(name, numeric_gradient):
    criterion = getattr(loss, name)("loss")
    analytic = criterion.backward(X, T)
    assert np.shape(analytic) == X.shape, "%s.backward must return the input's shape" % name
    numeric = numeric_gradient(lambda v: criterion.forward(v, T), X)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7,
                               err_msg="%s.backward vs finite differences" % name)


def test_softmax_cross_entropy_is_stable_for_large_logits():
    criterion = loss.SoftmaxCrossEntropyLoss("loss")
    big = X * 500  # logits around 1e3: a naive exp overflows
    assert np.isfinite(criterion.forward(big, T)), "SoftmaxCrossEntropyLoss.forward overflowed"
    assert np.all(np.isfinite(criterion.backward(big, T))), "SoftmaxCrossEntropyLoss.backward overflowed"
