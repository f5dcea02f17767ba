"""Questions 5 and 6: tensor.forward_backward (one instance x of shape (784,), an int target) and
tensor.forward_backward_batch (x of shape (B, 784), targets (B,)) on the 784-300-10 network, with
inputs in [0, 1] as normalised pixels. Expected values: the reference's per-instance results,
computed here; a batch's are their mean over the batch."""
import numpy as np
import pytest

from grader import checks

INSTANCE_SEEDS = (11, 12)
BATCHES = ((21, 5), (22, 17))
"""(seed, batch size)."""


def instance(student, net):
    return student.tensor.forward_backward(net["x"], net["W"], net["b"], net["V"], net["c"], net["target"])


def batch(vu, seed, size):
    """A network and a batch: rows x in [0, 1], classes t, and the reference's per-instance nets."""
    net = vu.network(seed, vu.TENSOR_SIZES, x_scale="uniform")
    rng = np.random.default_rng(seed + 100)
    x, t = rng.uniform(0, 1, (size, vu.TENSOR_SIZES[0])), rng.integers(vu.TENSOR_SIZES[2], size=size)
    return net, x, t, [dict(net, x=x[i], target=int(t[i])) for i in range(size)]


def batch_call(student, net, x, t):
    return student.tensor.forward_backward_batch(x, net["W"], net["b"], net["V"], net["c"], t)


def mean_of_instances(reference, nets) -> dict:
    """The reference's per-instance results, averaged over the batch (computed here)."""
    results = [reference.tensor.forward_backward(**n) for n in nets]
    return {k: np.mean([np.asarray(r[k], dtype=np.float64) for r in results], axis=0) for k in results[0]}


@pytest.mark.feedback("one instance: l = -log y[target], y = softmax(h V + c), h = sigmoid(x W + b)")
def test_tensor_loss(student, reference, vu):
    """The loss of one instance"""
    for seed in INSTANCE_SEEDS:
        net = vu.network(seed, vu.TENSOR_SIZES, x_scale="uniform")
        got = vu.unpack(instance(student, net), vu.TENSOR_SIZES, "forward_backward")
        checks.close(got.loss, reference.tensor.forward_backward(**net)["loss"], "the loss of one instance")


@pytest.mark.parametrize("key", ["dW", "db", "dV", "dc"])
@pytest.mark.feedback("one instance: do = y - onehot(target), dV = outer(h, do), dc = do, "
                      "dk = (V do) * h * (1 - h), dW = outer(x, dk), db = dk")
def test_tensor_derivatives(student, reference, vu, key):
    """The derivatives of one instance"""
    for seed in INSTANCE_SEEDS:
        net = vu.network(seed, vu.TENSOR_SIZES, x_scale="uniform")
        got = vu.unpack(instance(student, net), vu.TENSOR_SIZES, "forward_backward")
        checks.close(got.grads[key], reference.tensor.forward_backward(**net)[key], f"{key} of one instance")


@pytest.mark.depends_on("test_tensor_loss", "test_tensor_derivatives", any=True)
@pytest.mark.feedback("each derivative has its parameter's shape: dW (784, 300), db (300,), dV (300, 10), dc (10,)")
def test_tensor_derivative_layout(student, vu, note):
    """The derivatives have the weights' shapes"""
    net = vu.network(INSTANCE_SEEDS[0], vu.TENSOR_SIZES, x_scale="uniform")
    _layout(vu, instance(student, net), "forward_backward", note)


@pytest.mark.feedback("a batch's loss is the mean of its instances' losses")
def test_batch_loss(student, reference, vu):
    """The mean loss of a batch"""
    for seed, size in BATCHES:
        net, x, t, nets = batch(vu, seed, size)
        got = vu.unpack(batch_call(student, net, x, t), vu.TENSOR_SIZES, "forward_backward_batch")
        checks.close(got.loss, mean_of_instances(reference, nets)["loss"], f"the loss of a batch of {size}",
                     batch=size)


@pytest.mark.parametrize("key", ["dW", "db", "dV", "dc"])
@pytest.mark.feedback("a batch's derivatives are the means of its instances': with DO = (Y - T) / B (one row "
                      "per instance), dV = H^T DO, dc = the column sums of DO, DK = (DO V^T) * H * (1 - H), "
                      "dW = X^T DK, db = the column sums of DK")
def test_batch_derivatives(student, reference, vu, key):
    """The mean derivatives of a batch"""
    for seed, size in BATCHES:
        net, x, t, nets = batch(vu, seed, size)
        got = vu.unpack(batch_call(student, net, x, t), vu.TENSOR_SIZES, "forward_backward_batch")
        checks.close(got.grads[key], mean_of_instances(reference, nets)[key], f"{key} of a batch of {size}",
                     batch=size)


@pytest.mark.depends_on("test_batch_loss", "test_batch_derivatives", any=True)
@pytest.mark.feedback("a batch's derivatives have the parameters' shapes: dW (784, 300), db (300,), dV (300, 10), "
                      "dc (10,)")
def test_batch_derivative_layout(student, vu, note):
    """The batch derivatives have the weights' shapes"""
    net, x, t, _ = batch(vu, *BATCHES[0])
    _layout(vu, batch_call(student, net, x, t), "forward_backward_batch", note)


def _layout(vu, returned, what, note):
    result = vu.unpack(returned, vu.TENSOR_SIZES, what)
    assert not result.transposed, (f"{' and '.join(result.transposed)} from {what} came as the transpose of "
                                   f"{' and '.join(k[1:] for k in result.transposed)}")
    if isinstance(returned, dict):
        rows = [k for k in ("db", "dc") if np.shape(returned[k]) != vu.shapes(vu.TENSOR_SIZES)[k]]
        if rows:
            note(f"{what} returned {' and '.join(rows)} with an extra axis of length 1; it broadcasts the same, "
                 "no points lost")
