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

N_TRAIN = 50000
DATA_DIRS = (".", "data")


def settings():
    """The choices your report states: layer sizes, minibatch size, three initial learning rates,
    the epochs after which the rate halves, the number of epochs and how weights start."""
    # TODO START
    return {"sizes": [784, 512, 256, 10], "batch_size": 100, "learning_rates": [0.05, 0.01, 0.005],
            "halve_at": [20, 40], "epochs": 50, "init": "He normal (std sqrt(2 / fan_in)), zero biases"}
    # TODO END


def load_data(path):
    """(x_train, y_train, x_valid, y_valid): the file's xdata and ydata as stored, the first 50,000
    rows for training, the last 10,000 for validation."""
    # TODO START
    with h5py.File(path, "r") as f:
        x = f["xdata"][...].astype(np.float32)
        y = f["ydata"][...].astype(np.float32)
    return x[:50000], y[:50000], x[50000:], y[50000:]
    # TODO END


def tanh(z):
    # TODO START
    return np.tanh(z).astype(np.float32)
    # TODO END


def tanh_derivative(z):
    """d tanh(z) / dz = 1 - tanh(z)^2."""
    # TODO START
    return (1.0 - np.tanh(z) ** 2).astype(np.float32)
    # TODO END


def relu(z):
    # TODO START
    return np.maximum(0, z).astype(np.float32)
    # TODO END


def relu_derivative(z):
    """1 where z > 0, 0 where z < 0; at 0 any value in [0, 1]."""
    # TODO START
    return (z > 0).astype(np.float32)
    # TODO END


ACTIVATIONS = {"tanh": (tanh, tanh_derivative), "relu": (relu, relu_derivative)}


def softmax_cross_entropy(logits, y):
    """The batch mean of -sum_k y_k log softmax(logits)_k, for logits (N, 10) and one-hot y."""
    # TODO START
    logits = np.asarray(logits, dtype=np.float32)
    m = logits.max(axis=1, keepdims=True)
    lse = m + np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    return np.float32(np.mean(np.sum(y * (lse - logits), axis=1)))
    # TODO END


def softmax_cross_entropy_gradient(logits, y):
    """d softmax_cross_entropy / d logits = (softmax(logits) - y) / N."""
    # TODO START
    logits = np.asarray(logits, dtype=np.float32)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return ((e / e.sum(axis=1, keepdims=True) - y) / logits.shape[0]).astype(np.float32)
    # TODO END


def init_params(sizes, seed):
    """{"W1": (sizes[1], sizes[0]), "b1": (sizes[1],), ...} for any number of layers: random
    weights (never all zeros), the same ones for the same seed."""
    # TODO START
    rng = np.random.RandomState(seed)
    params = {}
    for l in range(1, len(sizes)):
        params["W%d" % l] = (rng.randn(sizes[l], sizes[l - 1]) * np.sqrt(2.0 / sizes[l - 1])).astype(np.float32)
        params["b%d" % l] = np.zeros(sizes[l], dtype=np.float32)
    return params
    # TODO END


def forward(params, x, activation):
    """The logits (N, 10) of the batch x (N, 784); activation is "tanh" or "relu" (hidden layers)."""
    # TODO START
    f = relu if activation == "relu" else tanh
    L = len(params) // 2
    h = np.asarray(x, dtype=np.float32)
    for l in range(1, L):
        h = f(h @ params["W%d" % l].T.astype(np.float32) + params["b%d" % l].astype(np.float32))
    return h @ params["W%d" % L].T.astype(np.float32) + params["b%d" % L].astype(np.float32)
    # TODO END


def gradients(params, x, y, activation):
    """The gradient of softmax_cross_entropy(forward(params, x, activation), y), the batch mean,
    for every parameter: a dict with the keys and shapes of params."""
    # TODO START
    f, df = (relu, relu_derivative) if activation == "relu" else (tanh, tanh_derivative)
    L = len(params) // 2
    W = {l: params["W%d" % l].astype(np.float32) for l in range(1, L + 1)}
    b = {l: params["b%d" % l].astype(np.float32) for l in range(1, L + 1)}
    hs, zs = [np.asarray(x, dtype=np.float32)], []
    for l in range(1, L + 1):
        zs.append(hs[-1] @ W[l].T + b[l])
        hs.append(f(zs[-1]) if l < L else zs[-1])
    g = softmax_cross_entropy_gradient(hs[-1], y)
    out = {}
    for l in range(L, 0, -1):
        out["W%d" % l] = g.T @ hs[l - 1]
        out["b%d" % l] = g.sum(axis=0)
        if l > 1:
            g = (g @ W[l]) * df(zs[l - 2])
    return out
    # TODO END


def sgd_step(params, grads, learning_rate):
    """One update from a minibatch's (averaged) gradients: params - learning_rate * grads, as a new dict."""
    # TODO START
    return {k: (params[k] - learning_rate * grads[k]).astype(np.float32) for k in params}
    # TODO END


def learning_rate(epoch, initial_rate, halve_at):
    """The rate of epoch 1, 2, ...: initial_rate, halved after each epoch listed in halve_at
    (halve_at [20, 40]: epochs 1-20 initial_rate, 21-40 half of it, 41-50 a quarter)."""
    # TODO START
    return initial_rate / 2 ** len([e for e in halve_at if epoch > e])
    # TODO END


def accuracy(params, x, y, activation):
    """The fraction of the batch whose largest logit is at the label's class."""
    # TODO START
    return float((forward(params, x, activation).argmax(1) == y.argmax(1)).mean())
    # TODO END


def train(x_train, y_train, x_valid, y_valid, sizes, activation, initial_rate, halve_at, epochs,
          batch_size, seed):
    """Minibatch SGD from init_params(sizes, seed), shuffling every epoch; returns {"params": the
    final network, "train_acc": [...], "valid_acc": [...]}: the accuracies after each epoch."""
    # TODO START
    rng = np.random.RandomState(seed + 1)
    params = init_params(sizes, seed)
    hist = {"train_acc": [], "valid_acc": []}
    n = len(x_train)
    for epoch in range(1, epochs + 1):
        lr = np.float32(learning_rate(epoch, initial_rate, halve_at))
        order = rng.permutation(n)
        for k in range(n // batch_size):
            batch = order[k * batch_size:(k + 1) * batch_size]
            params = sgd_step(params, gradients(params, x_train[batch], y_train[batch], activation), lr)
        hist["train_acc"].append(accuracy(params, x_train, y_train, activation))
        hist["valid_acc"].append(accuracy(params, x_valid, y_valid, activation))
    return {"params": params, **hist}
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
