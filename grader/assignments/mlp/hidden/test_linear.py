"""Linear: forward, the three gradients of backward, shapes, finite differences of the student's
own forward, and update() followed over several steps for plain SGD, momentum and weight decay.

Each layer is built as the hand-out builds it (name, in_num, out_num, init_std) and used as
train_net uses it: forward(x), backward(g), update(config), on the same object. Its W is the one
its own __init__ drew, read back as plain data; b is set in place to values away from zero so
the bias shows. The expected values are computed here from those plain arrays."""
import numpy as np
import pytest

SIZES = ((2, 3, 4), (8, 10, 5), (32, 7, 1))
"""(N, in_num, out_num) of the test batches."""
INIT_STD = 0.5
UPDATE_STEPS = 4


def parameters(layer, check, in_num, out_num, seed):
    """The layer's W (as drawn by its __init__) and b (set in place, in the layer's own shape)."""
    W = check.values(layer.W, (in_num, out_num), "Linear.W after __init__")
    if not np.any(W):
        raise AssertionError("Linear.W is all zeros after __init__; the hand-out draws it as "
                             "randn(in_num, out_num) * init_std")
    b = check.inputs(seed + 50, np.shape(layer.b), scale=0.5)
    layer.b = b
    return W, b.reshape(out_num)


def linears(student, check):
    """For each size: a label, the student's layer, its W and b, a batch x and an upstream gradient g."""
    for seed, (n, in_num, out_num) in enumerate(SIZES):
        layer = student.layers.Linear("fc", in_num, out_num, INIT_STD)
        W, b = parameters(layer, check, in_num, out_num, seed)
        x, g = check.inputs(10 + seed, (n, in_num)), check.inputs(20 + seed, (n, out_num), scale=1.0)
        yield f"on a batch of {n} with W {in_num}x{out_num}", layer, W, b, x, g


@pytest.mark.feedback("Linear.forward should compute u = x W + b for a batch x of shape (N, in_num)")
def test_linear_forward(student, check):
    """Linear forward"""
    for label, layer, W, b, x, _ in linears(student, check):
        check.close(layer.forward(x), x @ W + b, f"Linear.forward {label}")


@pytest.mark.feedback("Linear.backward should return the gradient with respect to its input, g W^T")
def test_linear_backward_input(student, check):
    """Linear backward returns the input gradient"""
    for label, layer, W, _, x, g in linears(student, check):
        layer.forward(x)
        check.close(layer.backward(g), g @ W.T, f"the gradient Linear.backward returned {label}", batch=len(x))


@pytest.mark.feedback("Linear.backward should set self.grad_W = x^T g, where g is the upstream gradient")
def test_linear_backward_grad_W(student, check):
    """Linear backward sets grad_W"""
    for label, layer, _, _, x, g in linears(student, check):
        layer.forward(x)
        layer.backward(g)
        check.close(layer.grad_W, x.T @ g, f"grad_W {label}", batch=len(x))


@pytest.mark.feedback("Linear.backward should set self.grad_b = the sum of g over the batch (axis 0)")
def test_linear_backward_grad_b(student, check):
    """Linear backward sets grad_b"""
    for label, layer, _, _, x, g in linears(student, check):
        layer.forward(x)
        layer.backward(g)
        check.close(layer.grad_b, g.sum(axis=0), f"grad_b {label}", batch=len(x))


@pytest.mark.depends_on("test_linear_forward", "test_linear_backward_input", "test_linear_backward_grad_W",
                        "test_linear_backward_grad_b", any=True)
@pytest.mark.feedback("the spec's shapes: forward (N, out_num), backward (N, in_num), grad_W like W (in_num, out_num), "
                      "grad_b like b (out_num,)")
def test_linear_shapes(student, check, note):
    """Linear output and gradient shapes"""
    n, in_num, out_num = 6, 5, 3
    layer = student.layers.Linear("fc", in_num, out_num, INIT_STD)
    check.exact_shape(layer.forward(check.inputs(1, (n, in_num))), (n, out_num), "Linear.forward's result")
    check.exact_shape(layer.backward(check.inputs(2, (n, out_num))), (n, in_num), "Linear.backward's result")
    check.exact_shape(layer.grad_W, (in_num, out_num), "grad_W after backward")
    grad_b = check.values(layer.grad_b, (out_num,), "grad_b after backward")  # (1, out_num) broadcasts the same
    if check.shape_of(layer.grad_b) != (out_num,):
        note(f"grad_b has shape {check.shape_of(layer.grad_b)}, the spec's is ({out_num},): the same maths, "
             "so it costs nothing, but b takes that shape after update")
    assert grad_b.shape == (out_num,)


@pytest.mark.depends_on("test_linear_forward")
@pytest.mark.feedback("Linear.backward (its result, grad_W and grad_b) should be the derivatives of your Linear.forward")
def test_linear_backward_matches_forward(student, check):
    """Linear backward agrees with your forward (finite differences)"""
    for seed, (label, layer, _, _, x, g) in enumerate(list(linears(student, check))[:2]):
        check.layer_agrees(layer, x, g, (len(x), g.shape[1]), f"Linear.backward {label}", params=("W", "b"),
                           seed=seed)


def check_update(student, check, momentum, weight_decay, decay_only_steps=0):
    """UPDATE_STEPS rounds of forward, backward, update(config), as train_net runs them. Each
    step's change of W and b must follow the interface's rule applied to the gradients the
    layer's own backward set: diff = momentum * diff + (grad + weight_decay * param),
    param -= learning_rate * diff. The first decay_only_steps have g = 0 (so grad = 0), which
    leaves weight decay as the only move."""
    in_num, out_num = 6, 4
    layer = student.layers.Linear("fc", in_num, out_num, INIT_STD)
    W, b = parameters(layer, check, in_num, out_num, 3)
    config = {"learning_rate": 0.1, "momentum": momentum, "weight_decay": weight_decay}
    diff = {"W": np.zeros_like(W), "b": np.zeros_like(b)}
    for step in range(1, UPDATE_STEPS + 1):
        scale = 0.0 if step <= decay_only_steps else 1.0
        x, g = check.inputs(30 + step, (5, in_num)), scale * check.inputs(40 + step, (5, out_num), scale=1.0)
        layer.forward(x)
        layer.backward(g)
        grads = {"W": check.values(layer.grad_W, W.shape, "grad_W after backward"),
                 "b": check.values(layer.grad_b, b.shape, "grad_b after backward")}
        if scale and not np.any(grads["W"]):
            raise AssertionError("not checked: your backward left grad_W at zero, so update has nothing to apply")
        before = {"W": check.values(layer.W, W.shape, "W"), "b": check.values(layer.b, b.shape, "b")}
        layer.update(config)
        for name in ("W", "b"):
            diff[name] = momentum * diff[name] + grads[name] + weight_decay * before[name]
            after = check.values(getattr(layer, name), before[name].shape, f"{name} after update")
            check.close(after - before[name], -config["learning_rate"] * diff[name],
                        f"the change of {name} in update step {step} (momentum {momentum}, weight decay {weight_decay})",
                        constants={"learning_rate": config["learning_rate"]})


@pytest.mark.feedback("Linear.update with momentum 0 and weight decay 0 is plain SGD: W -= learning_rate * grad_W, "
                      "b -= learning_rate * grad_b")
def test_linear_update_sgd(student, check):
    """Linear update: plain SGD"""
    check_update(student, check, momentum=0.0, weight_decay=0.0)


@pytest.mark.feedback("Linear.update: diff_W = momentum * diff_W + grad_W; W -= learning_rate * diff_W (the same for b "
                      "with diff_b); the diffs carry over between steps")
def test_linear_update_momentum(student, check):
    """Linear update: momentum over several steps"""
    check_update(student, check, momentum=0.9, weight_decay=0.0)


@pytest.mark.feedback("Linear.update: diff = momentum * diff + (grad + weight_decay * param); param -= learning_rate * diff")
def test_linear_update_weight_decay(student, check):
    """Linear update: momentum with weight decay"""
    check_update(student, check, momentum=0.9, weight_decay=1e-2, decay_only_steps=2)
