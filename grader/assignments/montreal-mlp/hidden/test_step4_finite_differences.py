"""Step 4's numerical gradient, on functions whose gradient is known: the student's
finite_differences(f, theta, eps) runs in the worker on a trusted f (tasks.finite_differences_of),
and the gradient it returns is compared here with the exact one, computed here."""
import numpy as np
import pytest

EPS = 1e-5
"""The spec's default step, passed explicitly."""


def quadratic(seed: int):
    """theta (7,), A symmetric positive definite, b: f = 1/2 theta.A theta + b.theta, gradient A theta + b."""
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(7, 7))
    return rng.normal(size=7), {"A": M @ M.T / 7 + np.eye(7), "b": rng.normal(size=7)}


@pytest.mark.feedback("finite_differences(f, theta, eps) returns, for each entry i of theta, "
                      "(f(theta + eps e_i) - f(theta - eps e_i)) / (2 eps)")
def test_finite_differences_quadratic(student, kit):
    """finite_differences gives the gradient of a quadratic"""
    theta, coefficients = quadratic(1)
    got = student.run_task("finite_differences_of", function="quadratic", theta=theta, eps=EPS, **coefficients)
    want = coefficients["A"] @ theta + coefficients["b"]
    kit.close(got["gradient"], want, "finite_differences(f, theta, eps) on f = 1/2 theta.A theta + b.theta",
              constants={"eps": EPS})


@pytest.mark.feedback("finite_differences must work on a theta of any shape (W and V are matrices) and return a "
                      "gradient of theta's shape")
def test_finite_differences_matrix(student, kit):
    """finite_differences gives the gradient of a function of a matrix"""
    rng = np.random.default_rng(2)
    theta, A, B = rng.normal(size=(3, 4)), rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
    got = student.run_task("finite_differences_of", function="least_squares", theta=theta, eps=EPS, A=A, B=B)
    kit.close(got["gradient"], A.T @ (A @ theta - B),
              "finite_differences(f, theta, eps) on f = 1/2 |A theta - B|^2 with theta of shape (3, 4)")


@pytest.mark.feedback("finite_differences must leave theta as it found it: numerical_gradients passes your "
                      "parameters themselves")
@pytest.mark.depends_on("test_finite_differences_quadratic")
def test_finite_differences_leaves_theta(student, kit):
    """finite_differences leaves theta unchanged"""
    theta, coefficients = quadratic(3)
    got = student.run_task("finite_differences_of", function="quadratic", theta=theta, eps=EPS, **coefficients)
    after = kit.values(got["theta_after"], theta.shape, "theta after finite_differences")
    moved = float(np.max(np.abs(after - theta)))
    assert moved <= 1e-9 * float(np.max(np.abs(theta))), (
        f"after finite_differences(f, theta, eps), theta had moved by up to {moved:.3g}")
