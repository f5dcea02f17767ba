"""Dropout: the kept fraction (within a binomial band), the 1 / (1 - p) scale, a fresh mask each
forward, the same mask in backward, and the identity in evaluation mode or with drop_rate 0.
The rate is passed explicitly, as the hand-out's Dropout(name, drop_rate) call does. A layer
that is the identity everywhere is not a dropout: the backward and identity tests pay only when
the training forward drops the right fraction."""
import numpy as np
import pytest

SHAPE = (200, 500)
"""10^5 units: the kept fraction has a standard deviation of at most 0.0016."""
BAND_SIGMAS = 5.0
"""A correct dropout leaves the band once in ~2 million runs."""


def forward_training(student, check, drop_rate, seed=0):
    layer = student.layers.Dropout("drop", drop_rate)
    x = check.inputs(seed, SHAPE) + 3.0 * np.sign(check.inputs(seed, SHAPE))  # no zeros: a zero in y is a dropped unit
    y = check.values(layer.forward(x), SHAPE, f"Dropout({drop_rate}).forward")
    return layer, x, y


def kept_fraction(student, check, drop_rate):
    _, _, y = forward_training(student, check, drop_rate)
    kept = float(np.mean(y != 0))
    band = BAND_SIGMAS * np.sqrt(drop_rate * (1 - drop_rate) / y.size)
    assert abs(kept - (1 - drop_rate)) <= band, (
        f"with drop_rate {drop_rate} your forward kept {kept:.3f} of the units, expected {1 - drop_rate:.3f} +- {band:.3f}")


@pytest.mark.feedback("while training, Dropout should keep each unit with probability 1 - drop_rate (keep when U[0,1) >= drop_rate)")
def test_dropout_keeps_expected_fraction(student, check):
    """Dropout keeps a fraction 1 - drop_rate of the units"""
    for drop_rate in (0.5, 0.2, 0.8):
        kept_fraction(student, check, drop_rate)


@pytest.mark.feedback("Dropout should scale the kept units by 1 / (1 - drop_rate) while training (inverted dropout)")
def test_dropout_scales_kept_units(student, check):
    """Dropout scales kept units by 1 / (1 - drop_rate)"""
    for drop_rate in (0.5, 0.2):
        _, x, y = forward_training(student, check, drop_rate)
        kept = y != 0
        assert kept.any(), f"with drop_rate {drop_rate} your forward dropped every unit"
        check.close(y[kept], x[kept] / (1 - drop_rate), f"the kept units with drop_rate {drop_rate}",
                    constants={"1 - drop_rate": 1 - drop_rate})


@pytest.mark.feedback("Dropout should draw a fresh random mask on every forward call")
def test_dropout_fresh_mask_each_forward(student, check):
    """Dropout draws a fresh mask each forward"""
    layer, x, first = forward_training(student, check, 0.5)
    second = check.values(layer.forward(x), SHAPE, "a second Dropout.forward")
    assert np.mean((first != 0) != (second != 0)) > 0.1, "two forward calls on the same input dropped the same units"


@pytest.mark.depends_on("test_dropout_keeps_expected_fraction")
@pytest.mark.feedback("Dropout.backward should multiply grad_output by the mask and scale of the last forward")
def test_dropout_backward_uses_forward_mask(student, check):
    """Dropout backward reuses the forward's mask and scale"""
    for drop_rate in (0.5, 0.2):
        layer, x, y = forward_training(student, check, drop_rate)
        g = check.inputs(9, SHAPE)
        check.close(layer.backward(g), g * (y / x), f"Dropout({drop_rate}).backward")


@pytest.mark.depends_on("test_dropout_keeps_expected_fraction")
@pytest.mark.feedback("when training is False (network.eval()), Dropout forward and backward should be the identity")
def test_dropout_eval_is_identity(student, check):
    """Dropout is the identity in evaluation mode"""
    layer = student.layers.Dropout("drop", 0.5)
    layer.training = False
    x, g = check.inputs(1, (20, 30)), check.inputs(2, (20, 30))
    check.close(layer.forward(x), x, "Dropout.forward in evaluation mode")
    check.close(layer.backward(g), g, "Dropout.backward in evaluation mode")


@pytest.mark.depends_on("test_dropout_keeps_expected_fraction")
@pytest.mark.feedback("Dropout with drop_rate 0 should keep every unit unscaled")
def test_dropout_zero_rate_is_identity(student, check):
    """Dropout with drop_rate 0 is the identity"""
    layer = student.layers.Dropout("drop", 0.0)
    x, g = check.inputs(3, (20, 30)), check.inputs(4, (20, 30))
    check.close(layer.forward(x), x, "Dropout(0).forward while training")
    check.close(layer.backward(g), g, "Dropout(0).backward while training")


@pytest.mark.depends_on("test_dropout_keeps_expected_fraction")
@pytest.mark.feedback("the hand-out's Dropout(name) has drop_rate=0.5 by default; keep that default")
def test_dropout_default_rate(student, check):
    """Dropout's default drop_rate is 0.5 (no points: the tests pass it explicitly)"""
    y = check.values(student.layers.Dropout("drop").forward(np.full(SHAPE, 2.0)), SHAPE, "Dropout('drop').forward")
    kept, band = float(np.mean(y != 0)), BAND_SIGMAS * np.sqrt(0.25 / y.size)
    assert abs(kept - 0.5) <= band, f"Dropout('drop') kept {kept:.3f} of the units; the default drop_rate 0.5 keeps half"
