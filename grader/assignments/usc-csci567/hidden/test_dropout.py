"""dropout.backward: forward(X, is_train=True) (given), then backward(X, grad) on the same object,
as main() calls them; the gradient must go through the mask that forward drew."""
import numpy as np
import pytest

from grader import checks

SHAPE = (8, 50)


@pytest.mark.feedback("dropout backward(X, grad) = grad * self.mask, the mask the forward pass drew "
                      "(0 or 1 / (1 - r) per element); never draw a new one")
def test_dropout_backward(student):
    """dropout.backward reuses the forward's mask: grad * mask"""
    rng = np.random.default_rng(0)
    for r in (0.5, 0.25):
        X = rng.uniform(0.5, 1.5, size=SHAPE) * rng.choice((-1.0, 1.0), size=SHAPE)  # no zeros: mask = out / X
        G = rng.normal(size=SHAPE)
        layer = student.neural_networks.dropout(r)
        out = checks.values(layer.forward(X, is_train=True), SHAPE, f"dropout({r}).forward(X, is_train=True)")
        mask = out / X
        if not np.any(mask == 0) or np.all(mask == 0):
            how_many = "every" if np.all(mask == 0) else "no"
            raise AssertionError(f"dropout({r}).forward(X, is_train=True) dropped {how_many} element of a "
                                 f"{X.size}-element X; forward is given code: restore it")
        checks.close(layer.backward(X, G), G * mask, f"dropout({r}).backward after forward(X, is_train=True)")
