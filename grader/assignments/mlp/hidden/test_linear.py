"""Linear: forward, the three gradients of backward, shapes, finite differences of the student's
own forward, and update() followed over several steps for plain SGD, momentum and weight decay."""
import pytest

SIZES = ((2, 3, 4), (8, 10, 5), (32, 7, 1))
"""(N, in_num, out_num) of the test batches."""
UPDATE_STEPS = 4


def make_pair(student, reference, check, seed, in_num, out_num):
    """The student's and the reference's Linear holding the same random W and b."""
    W, b = check.inputs(seed, (in_num, out_num), scale=0.5), check.inputs(seed + 50, (out_num,), scale=0.5)
    mine, ref = student.layers.Linear("fc", in_num, out_num, 0.1), reference.layers.Linear("fc", in_num, out_num, 0.1)
    for layer in (mine, ref):
        layer.W, layer.b = W.copy(), b.copy()
    return mine, ref


def backward_pairs(student, reference, check):
    """For each size: (label, the student's layer and its returned gradient, the same for the reference)."""
    for seed, (n, in_num, out_num) in enumerate(SIZES):
        mine, ref = make_pair(student, reference, check, seed, in_num, out_num)
        x, g = check.inputs(10 + seed, (n, in_num)), check.inputs(20 + seed, (n, out_num), scale=1.0)
        mine.forward(x), ref.forward(x)
        yield f"on a batch of {n} with W {in_num}x{out_num}", (mine, mine.backward(g)), (ref, ref.backward(g))


@pytest.mark.feedback("Linear.forward should compute u = x W + b for a batch x of shape (N, in_num)")
def test_linear_forward(student, reference, check):
    """Linear forward"""
    for seed, (n, in_num, out_num) in enumerate(SIZES):
        mine, ref = make_pair(student, reference, check, seed, in_num, out_num)
        x = check.inputs(10 + seed, (n, in_num))
        check.close(mine.forward(x), ref.forward(x), f"Linear.forward on a batch of {n} with W {in_num}x{out_num}")


@pytest.mark.feedback("Linear.backward should return the gradient with respect to its input, g W^T")
def test_linear_backward_input(student, reference, check):
    """Linear backward returns the input gradient"""
    for label, (_, got), (_, want) in backward_pairs(student, reference, check):
        check.close(got, want, f"the gradient Linear.backward returned {label}")


@pytest.mark.feedback("Linear.backward should set self.grad_W = x^T g (summed over the batch, not averaged)")
def test_linear_backward_grad_W(student, reference, check):
    """Linear backward sets grad_W"""
    for label, (mine, _), (ref, _) in backward_pairs(student, reference, check):
        check.close(mine.grad_W, ref.grad_W, f"grad_W {label}")


@pytest.mark.feedback("Linear.backward should set self.grad_b = the sum of g over the batch")
def test_linear_backward_grad_b(student, reference, check):
    """Linear backward sets grad_b"""
    for label, (mine, _), (ref, _) in backward_pairs(student, reference, check):
        check.close(mine.grad_b, ref.grad_b, f"grad_b {label}")


@pytest.mark.feedback("Linear keeps the shapes: forward (N, out_num), backward (N, in_num), grad_W like W, grad_b like b")
def test_linear_shapes(student, check):
    """Linear output and gradient shapes"""
    n, in_num, out_num = 6, 5, 3
    layer = student.layers.Linear("fc", in_num, out_num, 0.1)
    check.array(layer.forward(check.inputs(1, (n, in_num))), (n, out_num), "Linear.forward")
    check.array(layer.backward(check.inputs(2, (n, out_num))), (n, in_num), "Linear.backward")
    check.array(layer.grad_W, (in_num, out_num), "grad_W after backward:")
    check.array(layer.grad_b, (out_num,), "grad_b after backward:")


@pytest.mark.feedback("Linear.backward does not match finite differences of your own Linear.forward")
def test_linear_backward_matches_forward(student, reference, check):
    """Linear backward agrees with your forward (finite differences)"""
    for seed, (n, in_num, out_num) in enumerate(SIZES[:2]):
        mine, _ = make_pair(student, reference, check, seed, in_num, out_num)
        x, g = check.inputs(10 + seed, (n, in_num)), check.inputs(20 + seed, (n, out_num), scale=1.0)
        mine.forward(x)
        analytic = {"input": mine.backward(g), "W": mine.grad_W, "b": mine.grad_b}
        numeric = student.run_task("layer_numeric_grads", layer=mine, x=x, grad_output=g, params=["W", "b"])
        for name, got in analytic.items():
            what = "the returned gradient" if name == "input" else f"grad_{name}"
            check.close(got, numeric[name], f"{what} on a batch of {n}, compared with finite differences,")


def check_update(student, reference, check, momentum, weight_decay, decay_only_steps=0):
    """UPDATE_STEPS updates; each step's change of W and b must follow the reference's.

    Changes, not values, are compared: weight decay moves W by only lr * wd * W per step. The
    first decay_only_steps have zero gradients, so that move is all there is to see."""
    mine, ref = make_pair(student, reference, check, 3, 6, 4)
    config = {"learning_rate": 0.1, "momentum": momentum, "weight_decay": weight_decay}
    for step in range(1, UPDATE_STEPS + 1):
        scale = 0.0 if step <= decay_only_steps else 1.0
        grad_W, grad_b = scale * check.inputs(30 + step, (6, 4)), scale * check.inputs(40 + step, (4,))
        before = {"W": ref.W.copy(), "b": ref.b.copy()}
        for layer in (mine, ref):
            layer.grad_W, layer.grad_b = grad_W.copy(), grad_b.copy()
            layer.update(config)
        for name, want in (("W", ref.W), ("b", ref.b)):
            got = check.array(getattr(mine, name), want.shape, f"{name} after update")
            check.close(got - before[name], want - before[name],
                        f"the change of {name} in update step {step} (momentum {momentum}, weight decay {weight_decay})")


@pytest.mark.feedback("Linear.update with momentum 0 is plain SGD: W -= learning_rate * (grad_W + weight_decay * W)")
def test_linear_update_sgd(student, reference, check):
    """Linear update: plain SGD"""
    check_update(student, reference, check, momentum=0.0, weight_decay=0.0)


@pytest.mark.feedback("Linear.update: diff = momentum * diff + grad; W -= learning_rate * diff (same for b, with diff_b)")
def test_linear_update_momentum(student, reference, check):
    """Linear update: momentum over several steps"""
    check_update(student, reference, check, momentum=0.9, weight_decay=0.0)


@pytest.mark.feedback("Linear.update: diff = momentum * diff + (grad + weight_decay * param); param -= learning_rate * diff")
def test_linear_update_weight_decay(student, reference, check):
    """Linear update: momentum with weight decay"""
    check_update(student, reference, check, momentum=0.9, weight_decay=1e-4, decay_only_steps=2)
