"""USC EE599 HW3 problem 1: an MLP trained by backprop in numpy on MNIST.

    python mlp_numpy.py                  # the six configurations: 2 activations x 3 initial rates
    python mlp_numpy.py --epochs 5       # a quick look first

Data: mnist_traindata.hdf5 (xdata: 60,000 x 784 pixels in [0, 1], ydata: one-hot labels), the
first 50,000 rows for training and the last 10,000 for validation. A network is a dict of numpy
arrays {"W1", "b1", ..., "WL", "bL"}: W_l has shape (sizes[l], sizes[l-1]) and b_l (sizes[l],),
as in HW2's parameter file, and a batch x (N, 784) flows as a_l = f(a_{l-1} W_l^T + b_l). Labels
are one-hot rows (N, 10); accuracies are fractions in [0, 1]; epochs count from 1.
"""
import argparse
import json
import os

import h5py
import numpy as np

class Dense:
    """One fully connected layer; keeps its input for backward."""

    def __init__(self, W, b):
        self.W, self.b = np.asarray(W, dtype=float), np.asarray(b, dtype=float).reshape(-1)

    def forward(self, a):
        self.a = a
        return a @ self.W.T + self.b

    def backward(self, delta):
        self.dW = delta.T @ self.a
        self.db = delta.sum(axis=0)
        return delta @ self.W


class Activation:
    def __init__(self, name):
        self.f, self.df = {"tanh": (tanh, tanh_derivative), "relu": (relu, relu_derivative)}[name]

    def forward(self, z):
        self.z = z
        return self.f(z)

    def backward(self, delta):
        return delta * self.df(self.z)


def build(params, activation):
    """[Dense, Activation, Dense, ..., Dense] from the dict."""
    n = len(params) // 2
    layers = []
    for i in range(1, n + 1):
        layers.append(Dense(params["W%d" % i], params["b%d" % i]))
        if i < n:
            layers.append(Activation(activation))
    return layers

N_TRAIN = 50000
DATA_DIRS = (".", "data")


def settings():
    """The choices your report states: layer sizes, minibatch size, three initial learning rates,
    the epochs after which the rate halves, the number of epochs and how weights start."""
    # TODO START
    return dict(sizes=[784, 128, 64, 10], batch_size=50, learning_rates=[0.2, 0.05, 0.01],
                halve_at=[15, 35], epochs=50, init="normal, std 1/sqrt(fan_in)")
    # TODO END


def load_data(path):
    """(x_train, y_train, x_valid, y_valid): the file's xdata and ydata as stored, the first 50,000
    rows for training, the last 10,000 for validation."""
    # TODO START
    with h5py.File(path, "r") as f:
        x, y = f["xdata"][:], f["ydata"][:]
    split = 50000
    return x[:split], y[:split], x[split:], y[split:]
    # TODO END


def tanh(z):
    # TODO START
    return np.tanh(z)
    # TODO END


def tanh_derivative(z):
    """d tanh(z) / dz = 1 - tanh(z)^2."""
    # TODO START
    return 1.0 / np.cosh(np.clip(z, -300, 300)) ** 2
    # TODO END


def relu(z):
    # TODO START
    return np.clip(z, 0, None)
    # TODO END


def relu_derivative(z):
    """1 where z > 0, 0 where z < 0; at 0 any value in [0, 1]."""
    # TODO START
    return z > 0  # a boolean mask: True/False multiply as 1/0
    # TODO END


ACTIVATIONS = {"tanh": (tanh, tanh_derivative), "relu": (relu, relu_derivative)}


def softmax_cross_entropy(logits, y):
    """The batch mean of -sum_k y_k log softmax(logits)_k, for logits (N, 10) and one-hot y."""
    # TODO START
    z = logits - np.max(logits, axis=1, keepdims=True)
    log_softmax = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.mean(np.sum(y * log_softmax, axis=1))
    # TODO END


def softmax_cross_entropy_gradient(logits, y):
    """d softmax_cross_entropy / d logits = (softmax(logits) - y) / N."""
    # TODO START
    z = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    softmax = z / np.sum(z, axis=1, keepdims=True)
    return (softmax - y) / logits.shape[0]
    # TODO END


def init_params(sizes, seed):
    """{"W1": (sizes[1], sizes[0]), "b1": (sizes[1],), ...} for any number of layers: random
    weights (never all zeros), the same ones for the same seed."""
    # TODO START
    rng = np.random.default_rng(seed)
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params["W%d" % i] = rng.standard_normal((fan_out, fan_in)) / np.sqrt(fan_in)
        params["b%d" % i] = np.zeros(fan_out)
    return params
    # TODO END


def forward(params, x, activation):
    """The logits (N, 10) of the batch x (N, 784); activation is "tanh" or "relu" (hidden layers)."""
    # TODO START
    out = x
    for layer in build(params, activation):
        out = layer.forward(out)
    return out
    # TODO END


def gradients(params, x, y, activation):
    """The gradient of softmax_cross_entropy(forward(params, x, activation), y), the batch mean,
    for every parameter: a dict with the keys and shapes of params."""
    # TODO START
    layers = build(params, activation)
    out = x
    for layer in layers:
        out = layer.forward(out)
    delta = softmax_cross_entropy_gradient(out, y)
    for layer in reversed(layers):
        delta = layer.backward(delta)
    dense = [layer for layer in layers if isinstance(layer, Dense)]
    grads = {}
    for i, layer in enumerate(dense, start=1):
        grads["W%d" % i], grads["b%d" % i] = layer.dW, layer.db
    return grads
    # TODO END


def sgd_step(params, grads, learning_rate):
    """One update from a minibatch's (averaged) gradients: params - learning_rate * grads, as a new dict."""
    # TODO START
    return {name: value - learning_rate * grads[name] for name, value in params.items()}
    # TODO END


def learning_rate(epoch, initial_rate, halve_at):
    """The rate of epoch 1, 2, ...: initial_rate, halved after each epoch listed in halve_at
    (halve_at [20, 40]: epochs 1-20 initial_rate, 21-40 half of it, 41-50 a quarter)."""
    # TODO START
    rate = initial_rate
    for e in sorted(halve_at):
        if epoch > e:
            rate *= 0.5
    return rate
    # TODO END


def accuracy(params, x, y, activation):
    """The fraction of the batch whose largest logit is at the label's class."""
    # TODO START
    return np.mean(np.argmax(forward(params, x, activation), axis=1) == np.argmax(y, axis=1))
    # TODO END


def train(x_train, y_train, x_valid, y_valid, sizes, activation, initial_rate, halve_at, epochs,
          batch_size, seed):
    """Minibatch SGD from init_params(sizes, seed), shuffling every epoch; returns {"params": the
    final network, "train_acc": [...], "valid_acc": [...]}: the accuracies after each epoch."""
    # TODO START
    rng = np.random.default_rng(seed)
    params = init_params(sizes, seed)
    train_acc, valid_acc = [], []
    for epoch in range(1, epochs + 1):
        rate = learning_rate(epoch, initial_rate, halve_at)
        index = rng.permutation(len(x_train))
        for batch in np.split(index, len(index) // batch_size):
            params = sgd_step(params, gradients(params, x_train[batch], y_train[batch], activation), rate)
        train_acc.append(accuracy(params, x_train, y_train, activation))
        valid_acc.append(accuracy(params, x_valid, y_valid, activation))
    return {"params": params, "train_acc": train_acc, "valid_acc": valid_acc}
    # TODO END


def find_file(name):
    """name in this folder or in data/ (the hand-out's layout)."""
    for folder in DATA_DIRS:
        if os.path.isfile(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise SystemExit(f"{name} not found in {' or '.join(DATA_DIRS)}")


def main(argv=None):
    """Trains the six configurations and writes their curves to curves.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None, help="default: settings()['epochs']")
    parser.add_argument("--out", default="curves.json")
    args = parser.parse_args(argv)
    choice = settings()
    epochs = args.epochs or choice["epochs"]
    x_train, y_train, x_valid, y_valid = load_data(find_file("mnist_traindata.hdf5"))
    curves = {}
    for activation in ACTIVATIONS:
        for rate in choice["learning_rates"]:
            result = train(x_train, y_train, x_valid, y_valid, choice["sizes"], activation, rate,
                           choice["halve_at"], epochs, choice["batch_size"], seed=0)
            name = f"{activation} lr={rate:g}"
            curves[name] = {"train_acc": result["train_acc"], "valid_acc": result["valid_acc"],
                            "halve_at": choice["halve_at"]}
            print(f"{name}: validation accuracy {result['valid_acc'][-1]:.4f} after {epochs} epochs")
    with open(args.out, "w") as f:
        json.dump(curves, f, indent=1)


if __name__ == "__main__":
    main()
