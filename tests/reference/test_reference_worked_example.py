"""The worked example of the interface spec (VU Amsterdam): x = (1, -1), sigmoid, softmax CE."""
import numpy as np


def test_worked_example_derivatives(ref):
    model = ref.network.Network()
    first = ref.layers.Linear("fc1", 2, 3, init_std=0.0)
    first.W = np.array([[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]])
    second = ref.layers.Linear("fc2", 3, 2, init_std=0.0)
    second.W = np.array([[1.0, 1.0], [-1.0, -1.0], [-1.0, -1.0]])
    for layer in (first, ref.layers.Sigmoid("sigmoid"), second):
        model.add(layer)
    loss = ref.loss.SoftmaxCrossEntropyLoss("loss")
    x, target = np.array([[1.0, -1.0]]), np.array([[1.0, 0.0]])

    output = model.forward(x)
    model.backward(loss.backward(output, target))

    np.testing.assert_allclose(first.grad_W, np.zeros((2, 3)), atol=1e-12)
    np.testing.assert_allclose(first.grad_b, np.zeros(3), atol=1e-12)
    np.testing.assert_allclose(second.grad_W, [[-0.4404, 0.4404]] * 3, atol=5e-5)
    np.testing.assert_allclose(second.grad_b, [-0.5, 0.5], atol=1e-12)
    # the logits are equal (sigmoid(2) - 2 sigmoid(2) in both), so the loss is ln 2
    assert abs(loss.forward(output, target) - np.log(2)) < 1e-12
