"""The worked example of the hand-out (from the VU Amsterdam version), run on the student's
classes named in [settings.worked_example] (Linear, Sigmoid, SoftmaxCrossEntropyLoss), in the
order train_net runs them: forward through the layers, loss forward, loss backward, backward
through the layers. The stated derivatives are checked against the reference too."""
import numpy as np
import pytest

X = np.array([[1.0, -1.0]])
W = np.array([[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]])
V = np.array([[1.0, 1.0], [-1.0, -1.0], [-1.0, -1.0]])
TARGET = np.array([[1.0, 0.0]])
STATED = {"grad_W": np.zeros((2, 3)), "grad_b": np.zeros(3),
          "grad_V": np.array([[-0.4404, 0.4404]] * 3), "grad_c": np.array([-0.5, 0.5])}
"""The derivatives the hand-out states, to 4 decimals."""


def classes(modules, names):
    """The classes the example uses, from "module.Class" names (the assignment's config)."""
    return [getattr(getattr(modules, name.split(".")[0]), name.split(".")[1]) for name in names]


def derivatives(modules, names, check):
    """Forward and backward through Linear(2, 3), Sigmoid, Linear(3, 2), softmax cross-entropy."""
    Linear, Sigmoid, CrossEntropy = classes(modules, names)
    first, sigmoid, second = Linear("W", 2, 3, 0.1), Sigmoid("s"), Linear("V", 3, 2, 0.1)
    first.W, second.W = W, V  # b and c stay the zeros __init__ made
    criterion = CrossEntropy("ce")
    output = second.forward(sigmoid.forward(first.forward(X)))
    criterion.forward(output, TARGET)
    first.backward(sigmoid.backward(second.backward(criterion.backward(output, TARGET))))
    return {"grad_W": first.grad_W, "grad_b": first.grad_b, "grad_V": second.grad_W, "grad_c": second.grad_b}


@pytest.mark.feedback("on the worked example of the hand-out your Linear/Sigmoid/Linear/softmax cross-entropy "
                      "should give dW = 0, db = 0, dV = [[-0.4404, 0.4404]] * 3, dc = [-0.5, 0.5]")
def test_worked_example(student, reference, check, settings):
    """The worked example gives the stated derivatives"""
    names = settings["worked_example"]["classes"]
    want = derivatives(reference, names, check)
    for name, stated in STATED.items():  # the hand-out and the reference agree
        np.testing.assert_allclose(want[name], stated, atol=1e-4)
    got = derivatives(student, names, check)
    scale = float(np.max(np.abs(want["grad_V"])))  # dW and db are zero: compare them relative to dV
    for name in STATED:
        check.close(got[name], want[name], f"{name} of the worked example", scale=scale)
