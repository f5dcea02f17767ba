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
    return {
        "sizes": [784, 300, 10],
        "batch_size": 250,
        "learning_rates": [1.0, 0.3, 0.1],
        "halve_at": [25, 40],
        "epochs": 50,
        "init": "Xavier/Glorot normal",
    }
    # TODO END


def load_data(path):
    """(x_train, y_train, x_valid, y_valid): the file's xdata and ydata as stored, the first 50,000
    rows for training, the last 10,000 for validation."""
    # TODO START
    f = h5py.File(path, "r")
    x_all = f["xdata"][()]
    y_all = f["ydata"][()]
    f.close()
    return x_all[:50000], y_all[:50000], x_all[-10000:], y_all[-10000:]
    # TODO END


def tanh(z):
    # TODO START
    return np.tanh(z)
    # TODO END


def tanh_derivative(z):
    """d tanh(z) / dz = 1 - tanh(z)^2."""
    # TODO START
    return 1 - np.square(np.tanh(z))
    # TODO END


def relu(z):
    # TODO START
    out = np.array(z, dtype=float, copy=True)
    out[out < 0] = 0
    return out
    # TODO END


def relu_derivative(z):
    """1 where z > 0, 0 where z < 0; at 0 any value in [0, 1]."""
    # TODO START
    return np.heaviside(z, 0.5)  # 1/2 at 0: the course allows anything in [0, 1]
    # TODO END


ACTIVATIONS = {"tanh": (tanh, tanh_derivative), "relu": (relu, relu_derivative)}


def softmax_cross_entropy(logits, y):
    """The batch mean of -sum_k y_k log softmax(logits)_k, for logits (N, 10) and one-hot y."""
    # TODO START
    labels = np.argmax(y, axis=1)  # one-hot -> class numbers
    n = logits.shape[0]
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_sum = np.log(np.sum(np.exp(shifted), axis=1))
    return np.sum(log_sum - shifted[np.arange(n), labels]) / n
    # TODO END


def softmax_cross_entropy_gradient(logits, y):
    """d softmax_cross_entropy / d logits = (softmax(logits) - y) / N."""
    # TODO START
    labels = np.argmax(y, axis=1)
    n = logits.shape[0]
    e = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    p = e / np.sum(e, axis=1, keepdims=True)
    p[np.arange(n), labels] -= 1
    return p / n
    # TODO END


def init_params(sizes, seed):
    """{"W1": (sizes[1], sizes[0]), "b1": (sizes[1],), ...} for any number of layers: random
    weights (never all zeros), the same ones for the same seed."""
    # TODO START
    np.random.seed(seed)
    params = {}
    for l in range(1, len(sizes)):
        std = np.sqrt(2.0 / (sizes[l] + sizes[l - 1]))
        params["W" + str(l)] = np.random.normal(0, std, size=(sizes[l], sizes[l - 1]))
        params["b" + str(l)] = np.zeros(sizes[l])
    return params
    # TODO END


def forward(params, x, activation):
    """The logits (N, 10) of the batch x (N, 784); activation is "tanh" or "relu" (hidden layers)."""
    # TODO START
    L = len(params) // 2
    a = x
    for l in range(1, L + 1):
        z = a.dot(params["W" + str(l)].T) + params["b" + str(l)]
        if l == L:
            return z
        a = tanh(z) if activation == "tanh" else relu(z)
    # TODO END


def gradients(params, x, y, activation):
    """The gradient of softmax_cross_entropy(forward(params, x, activation), y), the batch mean,
    for every parameter: a dict with the keys and shapes of params."""
    # TODO START
    L = len(params) // 2
    cache = {"a0": x}
    a = x
    for l in range(1, L + 1):
        z = a.dot(params["W" + str(l)].T) + params["b" + str(l)]
        cache["z" + str(l)] = z
        a = z if l == L else (tanh(z) if activation == "tanh" else relu(z))
        cache["a" + str(l)] = a
    grads = {}
    dz = softmax_cross_entropy_gradient(cache["z" + str(L)], y)
    for l in reversed(range(1, L + 1)):
        grads["W" + str(l)] = dz.T.dot(cache["a" + str(l - 1)])
        grads["b" + str(l)] = np.sum(dz, axis=0)
        if l > 1:
            d = tanh_derivative if activation == "tanh" else relu_derivative
            dz = dz.dot(params["W" + str(l)]) * d(cache["z" + str(l - 1)])
    return grads
    # TODO END


def sgd_step(params, grads, learning_rate):
    """One update from a minibatch's (averaged) gradients: params - learning_rate * grads, as a new dict."""
    # TODO START
    for key in params:  # in place, and returned as the spec asks
        params[key] -= learning_rate * grads[key]
    return params
    # TODO END


def learning_rate(epoch, initial_rate, halve_at):
    """The rate of epoch 1, 2, ...: initial_rate, halved after each epoch listed in halve_at
    (halve_at [20, 40]: epochs 1-20 initial_rate, 21-40 half of it, 41-50 a quarter)."""
    # TODO START
    lr = initial_rate
    for e in range(1, epoch):
        if e in halve_at:
            lr /= 2
    return lr
    # TODO END


def accuracy(params, x, y, activation):
    """The fraction of the batch whose largest logit is at the label's class."""
    # TODO START
    predictions = np.argmax(forward(params, x, activation), axis=1)
    return 100.0 * np.mean(predictions == np.argmax(y, axis=1))  # in percent, like the report
    # TODO END


def train(x_train, y_train, x_valid, y_valid, sizes, activation, initial_rate, halve_at, epochs,
          batch_size, seed):
    """Minibatch SGD from init_params(sizes, seed), shuffling every epoch; returns {"params": the
    final network, "train_acc": [...], "valid_acc": [...]}: the accuracies after each epoch."""
    # TODO START
    np.random.seed(seed)
    params = init_params(sizes, seed)
    train_acc, valid_acc = [], []
    steps = int(len(x_train) / batch_size)
    for epoch in range(1, epochs + 1):
        lr = learning_rate(epoch, initial_rate, halve_at)
        shuffle = np.random.permutation(len(x_train))
        x_s, y_s = x_train[shuffle], y_train[shuffle]
        for step in range(steps):
            xb = x_s[step * batch_size:(step + 1) * batch_size]
            yb = y_s[step * batch_size:(step + 1) * batch_size]
            params = sgd_step(params, gradients(params, xb, yb, activation), lr)
        train_acc.append(accuracy(params, x_train, y_train, activation))
        valid_acc.append(accuracy(params, x_valid, y_valid, activation))
        print(f"Epoch {epoch}/{epochs}: train acc {train_acc[-1]:.2f}%  valid acc {valid_acc[-1]:.2f}%")
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
