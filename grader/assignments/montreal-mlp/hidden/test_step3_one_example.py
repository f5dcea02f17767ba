"""Steps 1 to 3, one example at a time: forward, loss and the analytic gradients against the
reference on the text's 10-5-2 toy network and on a 30-7-4 one (every size different, so a
transposed matrix shows), and the gradients against finite differences of the student's own
forward and loss, taken here in the parent (step 4 of the text)."""
import numpy as np
import pytest

NETWORK_IDS = ["10-5-2", "30-7-4"]


@pytest.mark.feedback("forward(params, x) returns (h, y): h = sigmoid(W x + b), y = softmax(V h + c)")
@pytest.mark.parametrize("net", [0, 1], ids=NETWORK_IDS)
def test_forward(student, ref, kit, net):
    """forward gives h and y"""
    for params, x, _ in kit.examples(1, kit.NETWORKS[net]):
        h, y = kit.pair(student.mlp.forward(params, x), "forward(params, x)", "h", "y")
        h_want, y_want = ref.forward(params, x)
        kit.close(h, h_want, "forward(params, x)'s h")
        kit.close(y, y_want, "forward(params, x)'s y")


@pytest.mark.feedback("exp(V h + c) overflows when a score is large: use the given softmax, which subtracts the "
                      "largest score first")
def test_forward_large_scores(student, ref, kit):
    """forward stays finite when V h + c is in the thousands"""
    params, x, _ = kit.examples(2)[0]
    params = dict(params, V=params["V"] * 1000.0, c=params["c"] * 1000.0)
    _, y = kit.pair(student.mlp.forward(params, x), "forward(params, x)", "h", "y")
    kit.close(y, ref.forward(params, x)[1], "forward(params, x)'s y with scores of magnitude ~1000")


@pytest.mark.feedback("loss(y, t) = -sum_k t_k log y_k")
def test_loss(student, ref, kit):
    """loss gives -sum_k t_k log y_k"""
    for params, x, t in kit.examples(3, kit.NETWORKS[1]):
        _, y = ref.forward(params, x)
        kit.close(student.mlp.loss(y, t), ref.loss(y, t), "loss(y, t)")


@pytest.mark.feedback("a class with t_k = 0 adds nothing to the loss, even where y_k = 0 (in numpy 0 * log(0) is "
                      "nan): take the log of the target class's probability only")
def test_loss_with_zero_probability(student, kit):
    """loss is finite when a wrong class has probability 0"""
    y, t = np.array([0.0, 0.75, 0.25, 0.0]), np.array([0.0, 1.0, 0.0, 0.0])
    got = kit.values(student.mlp.loss(y, t), (), "loss(y, t)")
    assert np.isfinite(got), f"loss(y, t) returned {float(got)} for y = {y.tolist()}, t = {t.tolist()}"
    kit.close(got, -np.log(0.75), "loss(y, t) with a probability of 0 for a wrong class")


def gradients_of(student, kit, params, x, t, h, y):
    """gradients(params, x, t, h, y) after forward(params, x), given the h and y a right forward
    gives (so forward's own mistakes are not charged again here)."""
    kit.forward_first(student.mlp.forward, params, x)
    return student.mlp.gradients(params, x, t, h, y)


@pytest.mark.feedback("with d_o = y - t and d_a = (V^T d_o) * h * (1 - h): dL/dW = d_a x^T, dL/db = d_a, "
                      "dL/dV = d_o h^T, dL/dc = d_o")
@pytest.mark.parametrize("name", ["W", "b", "V", "c"])
def test_gradients(student, ref, kit, name):
    """gradients gives dL/dW, dL/db, dL/dV and dL/dc"""
    for params, x, t in kit.examples(4, kit.NETWORKS[1]):
        h, y = ref.forward(params, x)
        got = kit.gradient_dict(gradients_of(student, kit, params, x, t, h, y), "gradients(params, x, t, h, y)")
        kit.close(got[name], ref.gradients(params, x, t, h, y)[name], f"gradients(params, x, t, h, y)[{name!r}]")


@pytest.mark.feedback("gradients returns a dict {'W': ..., 'b': ..., 'V': ..., 'c': ...} of arrays shaped like "
                      "the parameters, so that params[name] -= learning_rate * grads[name] works")
def test_gradient_shapes(student, ref, kit):
    """gradients returns a dict of arrays shaped like the parameters"""
    params, x, t = kit.examples(5, kit.NETWORKS[1])[0]
    h, y = ref.forward(params, x)
    returned = gradients_of(student, kit, params, x, t, h, y)
    kit.shaped_like_params(returned, ref.gradients(params, x, t, h, y), params, "gradients(params, x, t, h, y)")


@pytest.mark.feedback("your gradients should agree with finite differences of loss(forward(params, x)[1], t), "
                      "as your own check with numerical_gradients does")
@pytest.mark.depends_on("test_forward", "test_loss")
def test_gradients_agree_with_own_loss(student, kit):
    """gradients agrees with finite differences of your forward and loss (10-5-2)"""
    for number, (params, x, t) in enumerate(kit.examples(6)[:2]):
        kit.agrees_with_own_loss(student.mlp.forward, student.mlp.loss, student.mlp.gradients, params, x, t,
                                 "gradients", seed=number)
