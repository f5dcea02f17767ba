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
    return settings
    # TODO END


def load_data(path):
    """(x_train, y_train, x_valid, y_valid): the file's xdata and ydata as stored, the first 50,000
    rows for training, the last 10,000 for validation."""
    # TODO START
    return path, path, path, path
    # TODO END


def tanh(z):
    # TODO START
    return z
    # TODO END


def tanh_derivative(z):
    """d tanh(z) / dz = 1 - tanh(z)^2."""
    # TODO START
    return z
    # TODO END


def relu(z):
    # TODO START
    return z
    # TODO END


def relu_derivative(z):
    """1 where z > 0, 0 where z < 0; at 0 any value in [0, 1]."""
    # TODO START
    return z
    # TODO END


ACTIVATIONS = {"tanh": (tanh, tanh_derivative), "relu": (relu, relu_derivative)}


def softmax_cross_entropy(logits, y):
    """The batch mean of -sum_k y_k log softmax(logits)_k, for logits (N, 10) and one-hot y."""
    # TODO START
    return logits
    # TODO END


def softmax_cross_entropy_gradient(logits, y):
    """d softmax_cross_entropy / d logits = (softmax(logits) - y) / N."""
    # TODO START
    return logits
    # TODO END


def init_params(sizes, seed):
    """{"W1": (sizes[1], sizes[0]), "b1": (sizes[1],), ...} for any number of layers: random
    weights (never all zeros), the same ones for the same seed."""
    # TODO START
    return sizes
    # TODO END


def forward(params, x, activation):
    """The logits (N, 10) of the batch x (N, 784); activation is "tanh" or "relu" (hidden layers)."""
    # TODO START
    return x
    # TODO END


def gradients(params, x, y, activation):
    """The gradient of softmax_cross_entropy(forward(params, x, activation), y), the batch mean,
    for every parameter: a dict with the keys and shapes of params."""
    # TODO START
    return params
    # TODO END


def sgd_step(params, grads, learning_rate):
    """One update from a minibatch's (averaged) gradients: params - learning_rate * grads, as a new dict."""
    # TODO START
    return params
    # TODO END


def learning_rate(epoch, initial_rate, halve_at):
    """The rate of epoch 1, 2, ...: initial_rate, halved after each epoch listed in halve_at
    (halve_at [20, 40]: epochs 1-20 initial_rate, 21-40 half of it, 41-50 a quarter)."""
    # TODO START
    return initial_rate
    # TODO END


def accuracy(params, x, y, activation):
    """The fraction of the batch whose largest logit is at the label's class."""
    # TODO START
    return y
    # TODO END


def train(x_train, y_train, x_valid, y_valid, sizes, activation, initial_rate, halve_at, epochs,
          batch_size, seed):
    """Minibatch SGD from init_params(sizes, seed), shuffling every epoch; returns {"params": the
    final network, "train_acc": [...], "valid_acc": [...]}: the accuracies after each epoch."""
    # TODO START
    return x_train
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
