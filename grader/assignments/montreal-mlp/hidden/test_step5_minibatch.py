"""Step 5, minibatches of rows: forward_batch is forward on every row, loss_batch and
gradients_batch are the means over the rows of the per-example loss and gradients (computed here
with the reference, one example at a time), and the minibatch gradients agree with finite
differences of the student's own forward_batch and loss_batch."""
import numpy as np
import pytest

BATCH = 6


@pytest.mark.feedback("forward_batch(params, X) returns (H, Y) whose rows are forward(params, X[i])'s h and y: "
                      "H = sigmoid(X W^T + b), Y = softmax(H V^T + c) along each row")
@pytest.mark.parametrize("net", [0, 1], ids=["10-5-2", "30-7-4"])
def test_forward_batch(student, ref, kit, net):
    """forward_batch gives forward's h and y for every row"""
    params, X, _ = kit.batch(1, BATCH, kit.NETWORKS[net])
    H, Y = kit.pair(student.mlp.forward_batch(params, X), "forward_batch(params, X)", "H", "Y")
    rows = [ref.forward(params, x) for x in X]
    kit.close(H, np.array([h for h, _ in rows]), "forward_batch(params, X)'s H")
    kit.close(Y, np.array([y for _, y in rows]), "forward_batch(params, X)'s Y")


@pytest.mark.feedback("loss_batch(Y, T) is the MEAN over the rows of loss(y, t)")
def test_loss_batch(student, ref, kit):
    """loss_batch is the mean of the per-example losses"""
    params, X, T = kit.batch(2, BATCH, kit.NETWORKS[1])
    Y = np.array([ref.forward(params, x)[1] for x in X])
    want = np.mean([ref.loss(y, t) for y, t in zip(Y, T)])
    kit.close(student.mlp.loss_batch(Y, T), want, "loss_batch(Y, T)", batch=BATCH)


@pytest.mark.feedback("gradients_batch(params, X, T, H, Y) is the MEAN over the rows of gradients(params, x, t, h, y)")
@pytest.mark.parametrize("name", ["W", "b", "V", "c"])
def test_gradients_batch(student, ref, kit, name):
    """gradients_batch is the mean of the per-example gradients"""
    params, X, T = kit.batch(3, BATCH, kit.NETWORKS[1])
    H, Y = ref.forward_batch(params, X)
    kit.forward_first(student.mlp.forward_batch, params, X)
    got = kit.gradient_dict(student.mlp.gradients_batch(params, X, T, H, Y), "gradients_batch(params, X, T, H, Y)")
    want = np.mean([ref.gradients(params, x, t, h, y)[name] for x, t, h, y in zip(X, T, H, Y)], axis=0)
    kit.close(got[name], want, f"gradients_batch(params, X, T, H, Y)[{name!r}]", batch=BATCH)


@pytest.mark.feedback("your minibatch gradients should agree with finite differences of "
                      "loss_batch(forward_batch(params, X)[1], T)")
@pytest.mark.depends_on("test_forward_batch", "test_loss_batch")
def test_gradients_batch_agree_with_own_loss(student, kit):
    """gradients_batch agrees with finite differences of your forward_batch and loss_batch (10-5-2)"""
    params, X, T = kit.batch(4, BATCH)
    kit.agrees_with_own_loss(student.mlp.forward_batch, student.mlp.loss_batch, student.mlp.gradients_batch,
                             params, X, T, "gradients_batch", seed=0)
