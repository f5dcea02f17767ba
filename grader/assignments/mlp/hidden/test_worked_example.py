"""The worked example of the hand-out (from the VU Amsterdam version), run on the student's
Linear, Sigmoid and SoftmaxCrossEntropyLoss; the stated derivatives are checked too."""
import numpy as np
import pytest

X = np.array([[1.0, -1.0]])
W = np.array([[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]])
V = np.array([[1.0, 1.0], [-1.0, -1.0], [-1.0, -1.0]])
TARGET = np.array([[1.0, 0.0]])
STATED = {"grad_W": np.zeros((2, 3)), "grad_b": np.zeros(3),
          "grad_V": np.array([[-0.4404, 0.4404]] * 3), "grad_c": np.array([-0.5, 0.5])}
"""The derivatives the hand-out states, to 4 decimals."""


def derivatives(layers, loss):
    """Forward and backward through Linear(2, 3), Sigmoid, Linear(3, 2), softmax cross-entropy."""
    first, sigmoid, second = layers.Linear("W", 2, 3, 0.1), layers.Sigmoid("s"), layers.Linear("V", 3, 2, 0.1)
    first.W, first.b, second.W, second.b = W, np.zeros(3), V, np.zeros(2)
    criterion = loss.SoftmaxCrossEntropyLoss("ce")
    output = second.forward(sigmoid.forward(first.forward(X)))
    first.backward(sigmoid.backward(second.backward(criterion.backward(output, TARGET))))
    return {"grad_W": first.grad_W, "grad_b": first.grad_b, "grad_V": second.grad_W, "grad_c": second.grad_b}


@pytest.mark.feedback("on the worked example of the hand-out your Linear/Sigmoid/Linear/softmax cross-entropy "
                      "should give dW = 0, db = 0, dV = [[-0.4404, 0.4404]] * 3, dc = [-0.5, 0.5]")
def test_worked_example(student, reference, check):
    """The worked example gives the stated derivatives"""
    want = derivatives(reference.layers, reference.loss)
    for name, stated in STATED.items():  # the hand-out and the reference agree
        np.testing.assert_allclose(want[name], stated, atol=1e-4)
    got = derivatives(student.layers, student.loss)
    for name in STATED:
        check.close(got[name], want[name], f"{name} of the worked example")
