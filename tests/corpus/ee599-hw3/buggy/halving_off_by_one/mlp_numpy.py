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
    return {"sizes": [784, 256, 10], "batch_size": 100, "learning_rates": [0.1, 0.03, 0.01],
            "halve_at": [20, 40], "epochs": 50, "init": "He normal weights, zero biases"}
    # TODO END


def load_data(path):
    """(x_train, y_train, x_valid, y_valid): the file's xdata and ydata as stored, the first 50,000
    rows for training, the last 10,000 for validation."""
    # TODO START
    with h5py.File(path, "r") as f:
        x, y = np.asarray(f["xdata"]), np.asarray(f["ydata"])
    return x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]
    # TODO END


def tanh(z):
    # TODO START
    return np.tanh(z)
    # TODO END


def tanh_derivative(z):
    """d tanh(z) / dz = 1 - tanh(z)^2."""
    # TODO START
    return 1.0 - np.tanh(z) ** 2
    # TODO END


def relu(z):
    # TODO START
    return np.maximum(z, 0.0)
    # TODO END


def relu_derivative(z):
    """1 where z > 0, 0 where z < 0; at 0 any value in [0, 1]."""
    # TODO START
    return (z > 0).astype(float)
    # TODO END


ACTIVATIONS = {"tanh": (tanh, tanh_derivative), "relu": (relu, relu_derivative)}


def softmax_cross_entropy(logits, y):
    """The batch mean of -sum_k y_k log softmax(logits)_k, for logits (N, 10) and one-hot y."""
    # TODO START
    shifted = logits - logits.max(axis=1, keepdims=True)  # e^shifted <= 1: no overflow
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(y * log_p) / len(y)
    # TODO END


def softmax_cross_entropy_gradient(logits, y):
    """d softmax_cross_entropy / d logits = (softmax(logits) - y) / N."""
    # TODO START
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True) - y) / len(y)
    # TODO END


def init_params(sizes, seed):
    """{"W1": (sizes[1], sizes[0]), "b1": (sizes[1],), ...} for any number of layers: random
    weights (never all zeros), the same ones for the same seed."""
    # TODO START
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.normal(0.0, np.sqrt(2.0 / sizes[l - 1]), size=(sizes[l], sizes[l - 1]))  # He normal
        params[f"b{l}"] = np.zeros(sizes[l])
    return params
    # TODO END


def forward(params, x, activation):
    """The logits (N, 10) of the batch x (N, 784); activation is "tanh" or "relu" (hidden layers)."""
    # TODO START
    f, _ = ACTIVATIONS[activation]
    layers = len(params) // 2
    a = x
    for l in range(1, layers):
        a = f(a @ params[f"W{l}"].T + params[f"b{l}"])
    return a @ params[f"W{layers}"].T + params[f"b{layers}"]
    # TODO END


def gradients(params, x, y, activation):
    """The gradient of softmax_cross_entropy(forward(params, x, activation), y), the batch mean,
    for every parameter: a dict with the keys and shapes of params."""
    # TODO START
    f, df = ACTIVATIONS[activation]
    layers = len(params) // 2
    a, z = [x], [None]
    for l in range(1, layers + 1):
        z.append(a[-1] @ params[f"W{l}"].T + params[f"b{l}"])
        a.append(f(z[-1]) if l < layers else z[-1])
    delta = softmax_cross_entropy_gradient(a[-1], y)  # d loss / d z_L
    grads = {}
    for l in range(layers, 0, -1):
        grads[f"W{l}"] = delta.T @ a[l - 1]
        grads[f"b{l}"] = delta.sum(axis=0)
        if l > 1:
            delta = (delta @ params[f"W{l}"]) * df(z[l - 1])
    return grads
    # TODO END


def sgd_step(params, grads, learning_rate):
    """One update from a minibatch's (averaged) gradients: params - learning_rate * grads, as a new dict."""
    # TODO START
    return {key: params[key] - learning_rate * grads[key] for key in params}
    # TODO END


def learning_rate(epoch, initial_rate, halve_at):
    """The rate of epoch 1, 2, ...: initial_rate, halved after each epoch listed in halve_at
    (halve_at [20, 40]: epochs 1-20 initial_rate, 21-40 half of it, 41-50 a quarter)."""
    # TODO START
    return initial_rate * 0.5 ** sum(epoch >= e for e in halve_at)
    # TODO END


def accuracy(params, x, y, activation):
    """The fraction of the batch whose largest logit is at the label's class."""
    # TODO START
    return float(np.mean(forward(params, x, activation).argmax(axis=1) == y.argmax(axis=1)))
    # TODO END


def train(x_train, y_train, x_valid, y_valid, sizes, activation, initial_rate, halve_at, epochs,
          batch_size, seed):
    """Minibatch SGD from init_params(sizes, seed), shuffling every epoch; returns {"params": the
    final network, "train_acc": [...], "valid_acc": [...]}: the accuracies after each epoch."""
    # TODO START
    rng = np.random.default_rng(seed)
    params = init_params(sizes, seed)
    history = {"train_acc": [], "valid_acc": []}
    for epoch in range(1, epochs + 1):
        rate = learning_rate(epoch, initial_rate, halve_at)
        order = rng.permutation(len(x_train))
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            params = sgd_step(params, gradients(params, x_train[batch], y_train[batch], activation), rate)
        history["train_acc"].append(accuracy(params, x_train, y_train, activation))
        history["valid_acc"].append(accuracy(params, x_valid, y_valid, activation))
    return {"params": params, **history}
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
