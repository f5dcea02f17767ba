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
    return {"sizes": [784, 200, 100, 10], "batch_size": 200, "learning_rates": [0.5, 0.1, 0.02],
            "halve_at": [20, 40], "epochs": 50, "init": "uniform in [-0.1, 0.1], biases 0"}
    # TODO END


def load_data(path):
    """(x_train, y_train, x_valid, y_valid): the file's xdata and ydata as stored, the first 50,000
    rows for training, the last 10,000 for validation."""
    # TODO START
    hf = h5py.File(path, 'r')
    xdata = np.array(hf.get('xdata'))
    ydata = np.array(hf.get('ydata'))
    hf.close()
    return xdata[0:50000, :], ydata[0:50000, :], xdata[50000:60000, :], ydata[50000:60000, :]
    # TODO END


def tanh(z):
    # TODO START
    return np.tanh(z)
    # TODO END


def tanh_derivative(z):
    """d tanh(z) / dz = 1 - tanh(z)^2."""
    # TODO START
    t = np.tanh(z)
    return 1 - t * t
    # TODO END


def relu(z):
    # TODO START
    return z * (z > 0)
    # TODO END


def relu_derivative(z):
    """1 where z > 0, 0 where z < 0; at 0 any value in [0, 1]."""
    # TODO START
    return np.where(z > 0, 1.0, 0.0)
    # TODO END


ACTIVATIONS = {"tanh": (tanh, tanh_derivative), "relu": (relu, relu_derivative)}


def softmax_cross_entropy(logits, y):
    """The batch mean of -sum_k y_k log softmax(logits)_k, for logits (N, 10) and one-hot y."""
    # TODO START
    # columns are examples, as in HW2
    a = logits.T - np.max(logits.T, axis=0)
    log_probs = a - np.log(np.sum(np.exp(a), axis=0))
    return -np.sum(y.T * log_probs) / logits.shape[0]
    # TODO END


def softmax_cross_entropy_gradient(logits, y):
    """d softmax_cross_entropy / d logits = (softmax(logits) - y) / N."""
    # TODO START
    a = np.exp(logits.T - np.max(logits.T, axis=0))
    probs = a / np.sum(a, axis=0)
    return ((probs - y.T) / logits.shape[0]).T
    # TODO END


def init_params(sizes, seed):
    """{"W1": (sizes[1], sizes[0]), "b1": (sizes[1],), ...} for any number of layers: random
    weights (never all zeros), the same ones for the same seed."""
    # TODO START
    np.random.seed(seed)
    params = {}
    for i in range(1, len(sizes)):
        params['W' + str(i)] = np.random.uniform(-0.1, 0.1, (sizes[i], sizes[i - 1]))
        params['b' + str(i)] = np.zeros((sizes[i], 1))
    return params
    # TODO END


def forward(params, x, activation):
    """The logits (N, 10) of the batch x (N, 784); activation is "tanh" or "relu" (hidden layers)."""
    # TODO START
    act = tanh if activation == "tanh" else relu
    L = len(params) // 2
    a = x.T  # one column per image
    for i in range(1, L + 1):
        z = np.dot(params['W' + str(i)], a) + params['b' + str(i)].reshape(-1, 1)
        a = act(z) if i < L else z
    return a.T
    # TODO END


def gradients(params, x, y, activation):
    """The gradient of softmax_cross_entropy(forward(params, x, activation), y), the batch mean,
    for every parameter: a dict with the keys and shapes of params."""
    # TODO START
    act, dact = (tanh, tanh_derivative) if activation == "tanh" else (relu, relu_derivative)
    L = len(params) // 2
    A, Z = [x.T], []
    for i in range(1, L + 1):
        Z.append(np.dot(params['W' + str(i)], A[-1]) + params['b' + str(i)].reshape(-1, 1))
        A.append(act(Z[-1]) if i < L else Z[-1])
    dZ = softmax_cross_entropy_gradient(A[-1].T, y).T
    grads = {}
    for i in range(L, 0, -1):
        grads['W' + str(i)] = np.dot(dZ, A[i - 1].T)
        grads['b' + str(i)] = np.sum(dZ, axis=1, keepdims=True)
        if i > 1:
            dZ = np.dot(params['W' + str(i)].T, dZ) * dact(Z[i - 2])
    return grads
    # TODO END


def sgd_step(params, grads, learning_rate):
    """One update from a minibatch's (averaged) gradients: params - learning_rate * grads, as a new dict."""
    # TODO START
    new_params = {}
    for key in params:
        new_params[key] = params[key] - learning_rate * np.reshape(grads[key], np.shape(params[key]))
    return new_params
    # TODO END


def learning_rate(epoch, initial_rate, halve_at):
    """The rate of epoch 1, 2, ...: initial_rate, halved after each epoch listed in halve_at
    (halve_at [20, 40]: epochs 1-20 initial_rate, 21-40 half of it, 41-50 a quarter)."""
    # TODO START
    lr = initial_rate
    for e in halve_at:
        if epoch > e:
            lr = lr / 2
    return lr
    # TODO END


def accuracy(params, x, y, activation):
    """The fraction of the batch whose largest logit is at the label's class."""
    # TODO START
    pred = np.argmax(forward(params, x, activation), axis=1)
    true = np.argmax(y, axis=1)
    return np.sum(pred == true) / x.shape[0]
    # TODO END


def train(x_train, y_train, x_valid, y_valid, sizes, activation, initial_rate, halve_at, epochs,
          batch_size, seed):
    """Minibatch SGD from init_params(sizes, seed), shuffling every epoch; returns {"params": the
    final network, "train_acc": [...], "valid_acc": [...]}: the accuracies after each epoch."""
    # TODO START
    np.random.seed(seed)
    params = init_params(sizes, seed)
    train_acc, valid_acc = [], []
    num_batches = x_train.shape[0] // batch_size
    for epoch in range(1, epochs + 1):
        lr = learning_rate(epoch, initial_rate, halve_at)
        perm = np.random.permutation(x_train.shape[0])
        correct = 0
        for i in range(num_batches):
            idx = perm[i * batch_size:(i + 1) * batch_size]
            xb, yb = x_train[idx], y_train[idx]
            # training accuracy: counted on each minibatch before its update
            correct += np.sum(np.argmax(forward(params, xb, activation), axis=1) == np.argmax(yb, axis=1))
            params = sgd_step(params, gradients(params, xb, yb, activation), lr)
        train_acc.append(correct / (num_batches * batch_size))
        valid_acc.append(accuracy(params, x_valid, y_valid, activation))
        print("epoch %d: lr %g, train %.4f, valid %.4f" % (epoch, lr, train_acc[-1], valid_acc[-1]))
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
