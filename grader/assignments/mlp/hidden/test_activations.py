"""Activations: forward and backward against the reference, backward against finite differences
of the student's own forward (paid only when that forward is right), and right, finite values on
inputs up to 1e3. Relu and Sigmoid are given code: their tests carry no points, so a student who
broke them only learns it. Each layer sees forward(x) and then backward(g), on the same object."""
import numpy as np
import pytest

CONSTANTS = {"Selu": {"lambda": 1.0507, "alpha": 1.67326}}
"""Constants a wrong answer may be off by, for the feedback's diagnosis."""


def check_forward(student, reference, check, cls):
    for seed, shape in enumerate(check.BATCH_SHAPES):
        x = check.inputs(seed, shape)
        want = getattr(reference.layers, cls)("ref").forward(x)
        check.close(getattr(student.layers, cls)("act").forward(x), want, f"{cls}.forward on a {shape} batch",
                    inputs=x, constants=CONSTANTS.get(cls))


def check_backward(student, reference, check, cls):
    for seed, shape in enumerate(check.BATCH_SHAPES):
        x, g = check.inputs(seed, shape), check.inputs(100 + seed, shape, scale=1.0)
        mine, ref = getattr(student.layers, cls)("act"), getattr(reference.layers, cls)("ref")
        mine.forward(x), ref.forward(x)
        check.close(mine.backward(g), ref.backward(g), f"{cls}.backward on a {shape} batch",
                    inputs=x, constants=CONSTANTS.get(cls))


def check_backward_matches_forward(student, check, cls):
    for seed, shape in enumerate(check.BATCH_SHAPES[:2]):
        x, g = check.inputs(seed, shape), check.inputs(100 + seed, shape, scale=1.0)
        check.layer_agrees(getattr(student.layers, cls)("act"), x, g, shape,
                           f"{cls}.backward on a {shape} batch", seed=seed)


def check_stable(student, reference, check, note, passed, cls):
    """Finite everywhere, and right where the normal-range test found the code right (a wrong
    backward is charged by its own test, not again here)."""
    x, g = check.large_inputs(7, (16, 25)), check.inputs(8, (16, 25), scale=1.0)
    mine, ref = getattr(student.layers, cls)("act"), getattr(reference.layers, cls)("ref")
    got = check.finite(mine.forward(x), x.shape, f"{cls}.forward", " on inputs up to 1e3")
    check.overflow_note(student, note, f"{cls}.forward")
    check.close(got, ref.forward(x), f"{cls}.forward on inputs up to 1e3", inputs=x)
    got = check.finite(mine.backward(g), x.shape, f"{cls}.backward", " on inputs up to 1e3")
    check.overflow_note(student, note, f"{cls}.backward")
    if passed(f"test_{cls.lower()}_backward"):
        check.close(got, ref.backward(g), f"{cls}.backward on inputs up to 1e3", inputs=x)


@pytest.mark.feedback("Relu.forward should compute y = max(0, u)")
def test_relu_forward(student, reference, check):
    """Relu forward (given code)"""
    check_forward(student, reference, check, "Relu")


@pytest.mark.feedback("Relu.backward should return grad_output * dy/du, dy/du = 1 where u > 0, else 0")
def test_relu_backward(student, reference, check):
    """Relu backward (given code)"""
    check_backward(student, reference, check, "Relu")


@pytest.mark.depends_on("test_relu_forward")
@pytest.mark.feedback("Relu.backward should be the derivative of your Relu.forward")
def test_relu_backward_matches_forward(student, check):
    """Relu backward agrees with your forward (finite differences) (given code)"""
    check_backward_matches_forward(student, check, "Relu")


@pytest.mark.depends_on("test_relu_forward")
@pytest.mark.feedback("Relu should stay right and finite for inputs near +-1000: no step may overflow")
def test_relu_stable_on_large_inputs(student, reference, check, note, passed):
    """Relu stays right and finite for inputs of magnitude 1e3 (given code)"""
    check_stable(student, reference, check, note, passed, "Relu")


@pytest.mark.feedback("Sigmoid.forward should compute y = 1 / (1 + e^-u)")
def test_sigmoid_forward(student, reference, check):
    """Sigmoid forward (given code)"""
    check_forward(student, reference, check, "Sigmoid")


@pytest.mark.feedback("Sigmoid.backward should return grad_output * dy/du, dy/du = y (1 - y)")
def test_sigmoid_backward(student, reference, check):
    """Sigmoid backward (given code)"""
    check_backward(student, reference, check, "Sigmoid")


@pytest.mark.depends_on("test_sigmoid_forward")
@pytest.mark.feedback("Sigmoid.backward should be the derivative of your Sigmoid.forward")
def test_sigmoid_backward_matches_forward(student, check):
    """Sigmoid backward agrees with your forward (finite differences) (given code)"""
    check_backward_matches_forward(student, check, "Sigmoid")


@pytest.mark.depends_on("test_sigmoid_forward")
@pytest.mark.feedback("Sigmoid should stay right and finite for inputs near +-1000: no step may overflow")
def test_sigmoid_stable_on_large_inputs(student, reference, check, note, passed):
    """Sigmoid stays right and finite for inputs of magnitude 1e3 (given code)"""
    check_stable(student, reference, check, note, passed, "Sigmoid")


@pytest.mark.feedback("Selu.forward should compute y = lambda u for u > 0, lambda alpha (e^u - 1) otherwise, lambda 1.0507, alpha 1.67326")
def test_selu_forward(student, reference, check):
    """Selu forward"""
    check_forward(student, reference, check, "Selu")


@pytest.mark.feedback("Selu.backward should return grad_output * dy/du, dy/du = lambda for u > 0, lambda alpha e^u otherwise")
def test_selu_backward(student, reference, check):
    """Selu backward"""
    check_backward(student, reference, check, "Selu")


@pytest.mark.depends_on("test_selu_forward")
@pytest.mark.feedback("Selu.backward should be the derivative of your Selu.forward")
def test_selu_backward_matches_forward(student, check):
    """Selu backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "Selu")


@pytest.mark.depends_on("test_selu_forward")
@pytest.mark.feedback("Selu should stay right and finite for inputs near +-1000: no step may overflow")
def test_selu_stable_on_large_inputs(student, reference, check, note, passed):
    """Selu stays right and finite for inputs of magnitude 1e3"""
    check_stable(student, reference, check, note, passed, "Selu")


@pytest.mark.feedback("Swish.forward should compute y = u sigmoid(u)")
def test_swish_forward(student, reference, check):
    """Swish forward"""
    check_forward(student, reference, check, "Swish")


@pytest.mark.feedback("Swish.backward should return grad_output * dy/du, dy/du = s + u s (1 - s) with s = sigmoid(u)")
def test_swish_backward(student, reference, check):
    """Swish backward"""
    check_backward(student, reference, check, "Swish")


@pytest.mark.depends_on("test_swish_forward")
@pytest.mark.feedback("Swish.backward should be the derivative of your Swish.forward")
def test_swish_backward_matches_forward(student, check):
    """Swish backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "Swish")


@pytest.mark.depends_on("test_swish_forward")
@pytest.mark.feedback("Swish should stay right and finite for inputs near +-1000: no step may overflow")
def test_swish_stable_on_large_inputs(student, reference, check, note, passed):
    """Swish stays right and finite for inputs of magnitude 1e3"""
    check_stable(student, reference, check, note, passed, "Swish")


@pytest.mark.feedback("Gelu.forward should compute y = 0.5 u (1 + tanh(sqrt(2/pi) (u + 0.044715 u^3)))")
def test_gelu_forward(student, reference, check):
    """Gelu forward"""
    check_forward(student, reference, check, "Gelu")


@pytest.mark.feedback("Gelu.backward should return grad_output * dy/du, the derivative of the tanh approximation (its inner derivative is sqrt(2/pi) (1 + 3 * 0.044715 u^2))")
def test_gelu_backward(student, reference, check):
    """Gelu backward"""
    check_backward(student, reference, check, "Gelu")


@pytest.mark.depends_on("test_gelu_forward")
@pytest.mark.feedback("Gelu.backward should be the derivative of your Gelu.forward")
def test_gelu_backward_matches_forward(student, check):
    """Gelu backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "Gelu")


@pytest.mark.depends_on("test_gelu_forward")
@pytest.mark.feedback("Gelu should stay right and finite for inputs near +-1000: no step may overflow")
def test_gelu_stable_on_large_inputs(student, reference, check, note, passed):
    """Gelu stays right and finite for inputs of magnitude 1e3"""
    check_stable(student, reference, check, note, passed, "Gelu")


@pytest.mark.feedback("Tanh.forward should compute y = tanh(u)")
def test_tanh_forward(student, reference, check):
    """Tanh forward"""
    check_forward(student, reference, check, "Tanh")


@pytest.mark.feedback("Tanh.backward should return grad_output * dy/du, dy/du = 1 - y^2")
def test_tanh_backward(student, reference, check):
    """Tanh backward"""
    check_backward(student, reference, check, "Tanh")


@pytest.mark.depends_on("test_tanh_forward")
@pytest.mark.feedback("Tanh.backward should be the derivative of your Tanh.forward")
def test_tanh_backward_matches_forward(student, check):
    """Tanh backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "Tanh")


@pytest.mark.depends_on("test_tanh_forward")
@pytest.mark.feedback("Tanh should stay right and finite for inputs near +-1000: no step may overflow")
def test_tanh_stable_on_large_inputs(student, reference, check, note, passed):
    """Tanh stays right and finite for inputs of magnitude 1e3"""
    check_stable(student, reference, check, note, passed, "Tanh")
