"""The worked example of the assignment, by hand: x = (1, -1), Linear(2, 3) -> Sigmoid ->
Linear(3, 2) -> softmax cross-entropy with true class 0."""
import numpy as np

from layers import Linear, Sigmoid
from loss import SoftmaxCrossEntropyLoss
from network import Network


def test_worked_example_gradients():
    model = Network()
    first, second = Linear("fc1", 2, 3, 0.0), Linear("fc2", 3, 2, 0.0)
    first.W = np.array([[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]])
    second.W = np.array([[1.0, 1.0], [-1.0, -1.0], [-1.0, -1.0]])
    for layer in (first, Sigmoid("sigmoid"), second):
        model.add(layer)
    criterion = SoftmaxCrossEntropyLoss("loss")
    x, target = np.array([[1.0, -1.0]]), np.array([[1.0, 0.0]])
    output = model.forward(x)
    model.backward(criterion.backward(output, target))
    np.testing.assert_allclose(first.grad_W, np.zeros((2, 3)), atol=1e-12, err_msg="dW")
    np.testing.assert_allclose(first.grad_b, np.zeros(3), atol=1e-12, err_msg="db")
    np.testing.assert_allclose(second.grad_W, [[-0.4404, 0.4404]] * 3, atol=1e-4, err_msg="dV")
    np.testing.assert_allclose(second.grad_b, [-0.5, 0.5], atol=1e-12, err_msg="dc")
