"""Trusted helpers that run INSIDE the worker (copied there read-only), for work that must not cross
the pipe once per step: finite differences and the training loop. They import the student's modules
by bare name (codes/ is on the worker's sys.path) and return plain data only.

Whatever they return was computed next to the student's code, so the parent treats it as data to
judge, never as a verdict. Test labels never come here: the parent scores the predictions.
"""
import numpy as np

FD_STEP = 1e-5
"""Step of the central differences; their error, O(step^2), is far below the tests' tolerance."""


def _central_differences(f, array):
    """d f() / d array by central differences, perturbing `array` in place one entry at a time
    (f must read `array` afresh on every call; the student's forward gets a copy of it)."""
    grad = np.zeros(array.shape)
    flat, out = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + FD_STEP
        up = f()
        flat[i] = old - FD_STEP
        down = f()
        flat[i] = old
        out[i] = (up - down) / (2 * FD_STEP)
    return grad


def layer_numeric_grads(layer, x, grad_output, params=()):
    """The gradients of sum(grad_output * layer.forward(x)) by finite differences of the
    student's own forward: {"input": d/dx, <param>: d/d<param> for each name in params}."""
    x = np.array(x, dtype=np.float64)

    def objective():
        return float(np.sum(grad_output * np.asarray(layer.forward(x.copy()), dtype=np.float64)))

    grads = {"input": _central_differences(objective, x)}
    for name in params:
        value = np.array(getattr(layer, name), dtype=np.float64)
        setattr(layer, name, value)  # the perturbations write into this copy
        grads[name] = _central_differences(objective, value)
    return grads


def loss_numeric_grad(loss, x, target):
    """d loss.forward(x, target) / dx by finite differences of the student's own forward."""
    x = np.array(x, dtype=np.float64)
    return _central_differences(lambda: float(loss.forward(x.copy(), target)), x)


class TrustedRelu:
    """The given Relu, so that a student who broke theirs is graded on what they wrote."""

    def forward(self, x):
        self.x = x
        return np.maximum(0, x)

    def backward(self, grad_output):
        return grad_output * (self.x > 0)


def train_and_predict(train_images, train_y, test_images, hidden=128, epochs=3, batch_size=100,
                      learning_rate=0.1, momentum=0.9, weight_decay=0.0, init_std=0.05, seed=0):
    """Train Linear-Relu-Linear with the student's Linear (forward, backward, update) and
    SoftmaxCrossEntropyLoss (backward) in a trusted minibatch loop; predict the test images.

    Images come as uint8 pixels 0..255 (an eighth of the float64 size on the pipe and in memory)
    and are scaled like load_mnist_2d one batch at a time, so the student's layers see float64
    (x - 128) / 255 while MNIST is never held as float64 whole. Returns the predicted labels
    (int64) and the last batch's loss."""
    from layers import Linear
    from loss import SoftmaxCrossEntropyLoss

    def scale(images):
        return (np.asarray(images, dtype=np.float64).reshape(len(images), -1) - 128.0) / 255.0

    train_images = np.asarray(train_images).reshape(len(train_images), -1)
    test_images = np.asarray(test_images).reshape(len(test_images), -1)
    np.random.seed(seed)  # the student's Linear draws its weights from np.random
    fc1 = Linear("fc1", train_images.shape[1], hidden, init_std)
    relu = TrustedRelu()
    fc2 = Linear("fc2", hidden, 10, init_std)
    loss = SoftmaxCrossEntropyLoss("loss")
    config = {"learning_rate": learning_rate, "weight_decay": weight_decay, "momentum": momentum}
    order = np.random.RandomState(seed)
    eye = np.eye(10)
    last_loss = float("nan")
    for _ in range(epochs):
        index = order.permutation(len(train_images))
        for start in range(0, len(index), batch_size):
            batch = index[start:start + batch_size]
            x, target = scale(train_images[batch]), eye[train_y[batch]]
            output = fc2.forward(relu.forward(fc1.forward(x)))
            grad = loss.backward(output, target)
            fc1.backward(relu.backward(fc2.backward(grad)))
            fc1.update(config)
            fc2.update(config)
        last_loss = float(loss.forward(output, target))
    scores = np.vstack([fc2.forward(relu.forward(fc1.forward(scale(test_images[s:s + 1000]))))
                        for s in range(0, len(test_images), 1000)])
    return {"predictions": np.argmax(scores, axis=1).astype(np.int64), "train_loss": last_loss}
