"""Activations: forward and backward against the reference, backward against finite differences
of the student's own forward, and finiteness on inputs up to 1e3. Relu and Sigmoid are given code:
their tests carry no points, so a student who broke them only learns it."""
import numpy as np
import pytest


def check_forward(student, reference, check, cls):
    for seed, shape in enumerate(check.BATCH_SHAPES):
        x = check.inputs(seed, shape)
        want = getattr(reference.layers, cls)("ref").forward(x)
        check.close(getattr(student.layers, cls)("act").forward(x), want, f"{cls}.forward on a {shape} batch")


def check_backward(student, reference, check, cls):
    for seed, shape in enumerate(check.BATCH_SHAPES):
        x, g = check.inputs(seed, shape), check.inputs(100 + seed, shape, scale=1.0)
        mine, ref = getattr(student.layers, cls)("act"), getattr(reference.layers, cls)("ref")
        mine.forward(x), ref.forward(x)
        check.close(mine.backward(g), ref.backward(g), f"{cls}.backward on a {shape} batch")


def check_backward_matches_forward(student, check, cls):
    for seed, shape in enumerate(check.BATCH_SHAPES[:2]):
        x, g = check.inputs(seed, shape), check.inputs(100 + seed, shape, scale=1.0)
        mine = getattr(student.layers, cls)("act")
        mine.forward(x)
        analytic = mine.backward(g)
        numeric = student.run_task("layer_numeric_grads", layer=mine, x=x, grad_output=g)["input"]
        check.close(analytic, numeric, f"{cls}.backward on a {shape} batch, compared with finite differences,")


def check_stable(student, check, note, cls):
    x = check.large_inputs(7, (16, 25))
    mine = getattr(student.layers, cls)("act")
    check.finite(mine.forward(x), f"{cls}.forward")
    check.overflow_note(student, note, f"{cls}.forward")
    check.finite(mine.backward(np.ones_like(x)), f"{cls}.backward")
    check.overflow_note(student, note, f"{cls}.backward")


@pytest.mark.feedback("Relu.forward should compute y = max(0, u)")
def test_relu_forward(student, reference, check):
    """Relu forward (given code)"""
    check_forward(student, reference, check, "Relu")


@pytest.mark.feedback("Relu.backward should return grad_output * dy/du, dy/du = 1 where u > 0, else 0")
def test_relu_backward(student, reference, check):
    """Relu backward (given code)"""
    check_backward(student, reference, check, "Relu")


@pytest.mark.feedback("Relu.backward does not match finite differences of your own Relu.forward")
def test_relu_backward_matches_forward(student, check):
    """Relu backward agrees with your forward (finite differences) (given code)"""
    check_backward_matches_forward(student, check, "Relu")


@pytest.mark.feedback("Relu gives nan or inf for inputs near +-1000: rewrite it so no step overflows")
def test_relu_stable_on_large_inputs(student, check, note):
    """Relu stays finite for inputs of magnitude 1e3 (given code)"""
    check_stable(student, check, note, "Relu")

@pytest.mark.feedback("Sigmoid.forward should compute y = 1 / (1 + e^-u)")
def test_sigmoid_forward(student, reference, check):
    """Sigmoid forward (given code)"""
    check_forward(student, reference, check, "Sigmoid")


@pytest.mark.feedback("Sigmoid.backward should return grad_output * dy/du, dy/du = y (1 - y)")
def test_sigmoid_backward(student, reference, check):
    """Sigmoid backward (given code)"""
    check_backward(student, reference, check, "Sigmoid")


@pytest.mark.feedback("Sigmoid.backward does not match finite differences of your own Sigmoid.forward")
def test_sigmoid_backward_matches_forward(student, check):
    """Sigmoid backward agrees with your forward (finite differences) (given code)"""
    check_backward_matches_forward(student, check, "Sigmoid")


@pytest.mark.feedback("Sigmoid gives nan or inf for inputs near +-1000: rewrite it so no step overflows")
def test_sigmoid_stable_on_large_inputs(student, check, note):
    """Sigmoid stays finite for inputs of magnitude 1e3 (given code)"""
    check_stable(student, check, note, "Sigmoid")

@pytest.mark.feedback("Selu.forward should compute y = lambda u for u > 0, lambda alpha (e^u - 1) otherwise, lambda 1.0507, alpha 1.67326")
def test_selu_forward(student, reference, check):
    """Selu forward"""
    check_forward(student, reference, check, "Selu")


@pytest.mark.feedback("Selu.backward should return grad_output * dy/du, dy/du = lambda for u > 0, lambda alpha e^u otherwise")
def test_selu_backward(student, reference, check):
    """Selu backward"""
    check_backward(student, reference, check, "Selu")


@pytest.mark.feedback("Selu.backward does not match finite differences of your own Selu.forward")
def test_selu_backward_matches_forward(student, check):
    """Selu backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "Selu")


@pytest.mark.feedback("Selu gives nan or inf for inputs near +-1000: rewrite it so no step overflows")
def test_selu_stable_on_large_inputs(student, check, note):
    """Selu stays finite for inputs of magnitude 1e3"""
    check_stable(student, check, note, "Selu")

@pytest.mark.feedback("Swish.forward should compute y = u sigmoid(u)")
def test_swish_forward(student, reference, check):
    """Swish forward"""
    check_forward(student, reference, check, "Swish")


@pytest.mark.feedback("Swish.backward should return grad_output * dy/du, dy/du = s + u s (1 - s) with s = sigmoid(u)")
def test_swish_backward(student, reference, check):
    """Swish backward"""
    check_backward(student, reference, check, "Swish")


@pytest.mark.feedback("Swish.backward does not match finite differences of your own Swish.forward")
def test_swish_backward_matches_forward(student, check):
    """Swish backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "Swish")


@pytest.mark.feedback("Swish gives nan or inf for inputs near +-1000: rewrite it so no step overflows")
def test_swish_stable_on_large_inputs(student, check, note):
    """Swish stays finite for inputs of magnitude 1e3"""
    check_stable(student, check, note, "Swish")

@pytest.mark.feedback("Gelu.forward should compute y = 0.5 u (1 + tanh(sqrt(2/pi) (u + 0.044715 u^3)))")
def test_gelu_forward(student, reference, check):
    """Gelu forward"""
    check_forward(student, reference, check, "Gelu")


@pytest.mark.feedback("Gelu.backward should return grad_output * dy/du, differentiate the tanh approximation, including the 3 * 0.044715 u^2 term")
def test_gelu_backward(student, reference, check):
    """Gelu backward"""
    check_backward(student, reference, check, "Gelu")


@pytest.mark.feedback("Gelu.backward does not match finite differences of your own Gelu.forward")
def test_gelu_backward_matches_forward(student, check):
    """Gelu backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "Gelu")


@pytest.mark.feedback("Gelu gives nan or inf for inputs near +-1000: rewrite it so no step overflows")
def test_gelu_stable_on_large_inputs(student, check, note):
    """Gelu stays finite for inputs of magnitude 1e3"""
    check_stable(student, check, note, "Gelu")

@pytest.mark.feedback("Tanh.forward should compute y = tanh(u)")
def test_tanh_forward(student, reference, check):
    """Tanh forward"""
    check_forward(student, reference, check, "Tanh")


@pytest.mark.feedback("Tanh.backward should return grad_output * dy/du, dy/du = 1 - y^2")
def test_tanh_backward(student, reference, check):
    """Tanh backward"""
    check_backward(student, reference, check, "Tanh")


@pytest.mark.feedback("Tanh.backward does not match finite differences of your own Tanh.forward")
def test_tanh_backward_matches_forward(student, check):
    """Tanh backward agrees with your forward (finite differences)"""
    check_backward_matches_forward(student, check, "Tanh")


@pytest.mark.feedback("Tanh gives nan or inf for inputs near +-1000: rewrite it so no step overflows")
def test_tanh_stable_on_large_inputs(student, check, note):
    """Tanh stays finite for inputs of magnitude 1e3"""
    check_stable(student, check, note, "Tanh")
