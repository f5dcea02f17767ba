"""tanh and ReLU and their derivatives, each a function of the pre-activation z (any shape): values
against the maths, the derivative against finite differences of the student's own function (paid
only when that function is right), and right, finite values for |z| up to 1e3. ReLU'(0) may be
any value in [0, 1], as the course allows."""
import numpy as np
import pytest

from grader import gradcheck

SHAPES = ((2, 7), (8, 10), (32, 3))


def inputs(seed, shape, scale=2.0):
    """Normal z kept clear of 0, ReLU's kink, so finite differences are exact."""
    return gradcheck.away_from_kinks(np.random.default_rng(seed).normal(scale=scale, size=shape))


def check_values(hw3, fn, want, name):
    for seed, shape in enumerate(SHAPES):
        z = inputs(seed, shape)
        hw3.close(hw3.numeric(fn(z)), want(z), f"{name} on a {shape} array", inputs=z)


def check_matches(hw3, f, df, name):
    for seed, shape in enumerate(SHAPES[:2]):
        hw3.elementwise_agrees(f, df, inputs(seed, shape), f"{name} on a {shape} array", seed=seed)


def check_stable(hw3, student, note, fn, want, name):
    z = hw3.large_inputs(7, (16, 25))
    got = hw3.finite(fn(z), z.shape, name, " on inputs up to 1e3")
    hw3.overflow_note(student, note, name)
    hw3.close(got, want(z), f"{name} on inputs up to 1e3", inputs=z)


@pytest.mark.feedback("tanh(z) = (e^z - e^-z) / (e^z + e^-z), elementwise")
def test_tanh(student, hw3):
    """tanh"""
    check_values(hw3, student.mlp_numpy.tanh, np.tanh, "tanh")


@pytest.mark.depends_on("test_tanh")
@pytest.mark.feedback("tanh must stay finite and right for |z| up to 1000: e^1000 overflows, np.tanh does not")
def test_tanh_stable_on_large_inputs(student, hw3, note):
    """tanh stays right and finite for inputs of magnitude 1e3"""
    check_stable(hw3, student, note, student.mlp_numpy.tanh, np.tanh, "tanh")


@pytest.mark.feedback("tanh_derivative(z) = 1 - tanh(z)^2, a function of the pre-activation z (not of tanh(z))")
def test_tanh_derivative(student, hw3):
    """tanh_derivative"""
    check_values(hw3, student.mlp_numpy.tanh_derivative, lambda z: 1 - np.tanh(z) ** 2, "tanh_derivative")
    z = hw3.large_inputs(8, (16, 25))
    hw3.close(hw3.finite(student.mlp_numpy.tanh_derivative(z), z.shape, "tanh_derivative", " on inputs up to 1e3"),
              1 - np.tanh(z) ** 2, "tanh_derivative on inputs up to 1e3", inputs=z)


@pytest.mark.depends_on("test_tanh")
@pytest.mark.feedback("tanh_derivative should be the derivative of your tanh")
def test_tanh_derivative_matches_your_tanh(student, hw3):
    """tanh_derivative agrees with your tanh (finite differences)"""
    check_matches(hw3, student.mlp_numpy.tanh, student.mlp_numpy.tanh_derivative, "tanh_derivative")


@pytest.mark.feedback("relu(z) = max(z, 0), elementwise")
def test_relu(student, hw3):
    """relu"""
    check_values(hw3, student.mlp_numpy.relu, lambda z: np.maximum(z, 0.0), "relu")
    check_stable(hw3, student, lambda text: None, student.mlp_numpy.relu, lambda z: np.maximum(z, 0.0), "relu")


@pytest.mark.feedback("relu_derivative(z) = 1 where z > 0, 0 where z < 0, any value in [0, 1] at z = 0")
def test_relu_derivative(student, hw3):
    """relu_derivative (any value in [0, 1] at 0)"""
    check_values(hw3, student.mlp_numpy.relu_derivative, lambda z: (z > 0).astype(float), "relu_derivative")
    z = np.round(np.random.default_rng(9).normal(size=(6, 5)))  # a third of the entries are exactly 0
    z[0, :3] = (0.0, 1e-300, -1e-300)
    got = hw3.values(hw3.numeric(student.mlp_numpy.relu_derivative(z)), z.shape, "relu_derivative")
    at_zero = got[z == 0]
    if not np.all((at_zero >= 0) & (at_zero <= 1)):
        raise AssertionError(f"relu_derivative(0) returned {at_zero[(at_zero < 0) | (at_zero > 1)][0]:g}; "
                             "any value in [0, 1] is accepted")
    hw3.close(np.where(z == 0, 0.0, got), (z > 0).astype(float), "relu_derivative on integers and tiny inputs",
              inputs=z)


@pytest.mark.depends_on("test_relu")
@pytest.mark.feedback("relu_derivative should be the derivative of your relu")
def test_relu_derivative_matches_your_relu(student, hw3):
    """relu_derivative agrees with your relu (finite differences, away from 0)"""
    check_matches(hw3, student.mlp_numpy.relu, student.mlp_numpy.relu_derivative, "relu_derivative")
