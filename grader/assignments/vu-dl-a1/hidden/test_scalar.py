"""Question 3: scalar.forward_backward(x, W, b, V, c, target) on the 2-3-2 network, called with
plain lists as the hand-out's train() calls it. Judged on the assignment's worked example, on
random networks against the reference (the loss) and against finite differences of the student's
own loss, computed here from the loss values it returns."""
import numpy as np
import pytest

from grader import checks, gradcheck

RANDOM_SEEDS = (1, 2, 3)


def call(student, net):
    return student.scalar.forward_backward(net["x"], net["W"], net["b"], net["V"], net["c"], net["target"])


@pytest.mark.feedback("the worked example of Question 3: derivatives W and b all 0, V [[-0.4404, 0.4404]] in "
                      "each row, c [-0.5, 0.5]; dV = h^T (y - t) and dc = y - t on any network")
def test_scalar_worked_example(student, reference, vu):
    """The worked example's derivatives"""
    result = vu.unpack(call(student, vu.WORKED), vu.SCALAR_SIZES, "forward_backward on the worked example")
    for key, want in vu.WORKED_DERIVATIVES.items():
        checks.close(result.grads[key], want, f"{key} on the worked example", scale=1.0)
    # The stated numbers can be typed in; the same second-layer formulas on other networks cannot.
    for seed in RANDOM_SEEDS:
        net = vu.as_lists(vu.network(seed, vu.SCALAR_SIZES))
        got = vu.unpack(call(student, net), vu.SCALAR_SIZES, "forward_backward")
        want = reference.scalar.forward_backward(**net)
        for key in ("dV", "dc"):
            checks.close(got.grads[key], want[key], f"{key} on a random 2-3-2 network")


@pytest.mark.feedback("the loss is l = -log y[target], with y = softmax(o), o = h V + c, h = sigmoid(x W + b)")
def test_scalar_loss(student, reference, vu):
    """The loss of random 2-3-2 networks"""
    for seed in RANDOM_SEEDS:
        net = vu.as_lists(vu.network(seed, vu.SCALAR_SIZES))
        got = vu.unpack(call(student, net), vu.SCALAR_SIZES, "forward_backward")
        checks.close(got.loss, reference.scalar.forward_backward(**net)["loss"], "the loss of a random network")


@pytest.mark.depends_on("test_scalar_loss")
@pytest.mark.feedback("each derivative must be the slope of your own loss: dl/dW[i][j] = x[i] dl/dk[j], "
                      "dl/dk[j] = dl/dh[j] h[j] (1 - h[j]), dl/dh[j] = sum_m V[j][m] dl/do[m]")
def test_scalar_backward_matches_forward(student, vu):
    """The derivatives agree with finite differences of your loss"""
    for seed in RANDOM_SEEDS:
        net = vu.network(seed, vu.SCALAR_SIZES)
        got = vu.unpack(call(student, vu.as_lists(net)), vu.SCALAR_SIZES, "forward_backward")
        grads = {p: got.grads["d" + p] for p in ("W", "b", "V", "c")}
        shapes = {p: net[p].shape for p in grads}
        slopes, analytic = [], []
        for v in gradcheck.directions(seed, shapes):
            phi = []
            for sign in (1.0, -1.0):
                moved = dict(net, **{p: net[p] + sign * gradcheck.STEP * v[p] for p in v})
                phi.append(vu.unpack(call(student, vu.as_lists(moved)), vu.SCALAR_SIZES, "forward_backward").loss)
            slopes.append(gradcheck.Slope(phi[0], phi[1], max(abs(phi[0]), abs(phi[1]))))
            analytic.append(gradcheck.inner(grads, v))
        gradcheck.agree(analytic, slopes, "the derivatives of forward_backward")


@pytest.mark.depends_on("test_scalar_worked_example", "test_scalar_backward_matches_forward", any=True)
@pytest.mark.feedback("lay each derivative out like its parameter: dW[i][j] for W[i][j] (2 x 3), dV[j][m] "
                      "for V[j][m] (3 x 2)")
def test_scalar_derivative_layout(student, vu):
    """The derivatives are laid out like the weights"""
    result = vu.unpack(call(student, vu.as_lists(vu.network(1, vu.SCALAR_SIZES))), vu.SCALAR_SIZES,
                       "forward_backward")
    assert not result.transposed, (f"{' and '.join(result.transposed)} came as the transpose of "
                                   f"{' and '.join(k[1:] for k in result.transposed)}")
