"""A minimal hidden suite proving the engine end to end (the full suite replaces it).

The student's code is reached only through the `student` proxy; expected values come from the
trusted reference in this process."""
import numpy as np
import pytest

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 3))


@pytest.mark.feedback("Relu.forward should return max(0, u) elementwise")
def test_relu_forward(student, reference):
    """Relu forward"""
    got = student.layers.Relu("r").forward(X)
    np.testing.assert_allclose(got, reference.layers.Relu("r").forward(X), atol=1e-8)


def _linears(student, reference):
    W, b = RNG.normal(size=(3, 2)), RNG.normal(size=2)
    mine, ref = student.layers.Linear("fc", 3, 2, 0.1), reference.layers.Linear("fc", 3, 2, 0.1)
    for layer in (mine, ref):
        layer.W, layer.b = W, b
    return mine, ref


@pytest.mark.feedback("Linear.forward should compute u = xW + b")
def test_linear_forward(student, reference):
    """Linear forward"""
    mine, ref = _linears(student, reference)
    np.testing.assert_allclose(mine.forward(X), ref.forward(X), atol=1e-8)


@pytest.mark.feedback("Linear.backward should set grad_W = x^T g, grad_b = sum of g, and return g W^T")
def test_linear_backward(student, reference):
    """Linear backward (gradients and returned grad_input)"""
    mine, ref = _linears(student, reference)
    g = RNG.normal(size=(4, 2))
    mine.forward(X), ref.forward(X)
    np.testing.assert_allclose(mine.backward(g), ref.backward(g), atol=1e-8)
    np.testing.assert_allclose(mine.grad_W, ref.grad_W, atol=1e-8)
    np.testing.assert_allclose(mine.grad_b, ref.grad_b, atol=1e-8)


@pytest.mark.feedback("SoftmaxCrossEntropyLoss.forward should average -sum t ln softmax(x) over the batch")
def test_softmax_cross_entropy_forward(student, reference, note):
    """Softmax cross-entropy forward, including logits of 1e3"""
    x = np.vstack([X[:, :2] * 3, [[1e3, -1e3]]])
    t = np.eye(2)[[0, 1, 1, 0, 0]]
    got = student.loss.SoftmaxCrossEntropyLoss("ce").forward(x, t)
    if any("overflow" in w for w in student.last_warnings):
        note("SoftmaxCrossEntropyLoss overflows for large logits: subtract the row maximum")
    assert isinstance(got, float), f"forward returned {type(got).__name__}, expected a float"
    np.testing.assert_allclose(got, reference.loss.SoftmaxCrossEntropyLoss("ce").forward(x, t), rtol=1e-6)


@pytest.mark.feedback("training with your layers, loss and solve_net.train_net must run end to end")
def test_train_and_predict_runs(student, mnist, limits):
    """A short training run on 2000 MNIST images predicts better than chance"""
    n = 2000
    result = student.run_task("train_and_predict", train_x=mnist.train_x[:n], train_y=mnist.train_y[:n],
                              test_x=mnist.test_x[:500], hidden=32, epochs=1, batch_size=50,
                              timeout_s=limits.task_timeout_s)
    predictions = result["predictions"]
    assert predictions.shape == (500,), f"predictions have shape {predictions.shape}"
    assert np.mean(predictions == mnist.test_y[:500]) > 0.3, "accuracy after one epoch is near chance level"
