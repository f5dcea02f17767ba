"""Trusted helpers that run INSIDE the worker next to the student's mlp.py (imported by bare name),
for what cannot cross the pipe: a Python function for finite_differences to differentiate, and
training loops. They return plain data; the parent computes every expected value and the test
error itself, and test labels never come here (the worker's mnist.pkl.gz has them as -1).
"""
import gzip
import os
import pickle

import numpy as np

_TRAIN = {}
"""The training split of the worker's mnist.pkl.gz, read once per worker."""


# --- finite differences on functions whose gradient the parent knows ---------------------------

def _quadratic(theta, A, b):
    """f(theta) = 1/2 theta.A theta + b.theta, theta a vector."""
    return lambda value: float(0.5 * value @ A @ value + b @ value)


def _least_squares(theta, A, B):
    """f(Theta) = 1/2 |A Theta - B|^2, Theta a matrix."""
    return lambda value: float(0.5 * np.sum((A @ value - B) ** 2))


FUNCTIONS = {"quadratic": _quadratic, "least_squares": _least_squares}


def finite_differences_of(function, theta, eps, **coefficients):
    """The student's finite_differences(f, theta, eps) on one of FUNCTIONS; f reads whatever array it
    is given in theta's shape. Returns the gradient, theta as it is afterwards and how often f ran."""
    import mlp

    theta = np.array(theta, dtype=np.float64)
    known = FUNCTIONS[function](theta, **{k: np.asarray(v, dtype=np.float64) for k, v in coefficients.items()})
    calls = []

    def f(value):
        calls.append(1)
        return known(np.asarray(value, dtype=np.float64).reshape(theta.shape))

    gradient = mlp.finite_differences(f, theta, eps)
    return {"gradient": gradient, "theta_after": theta, "calls": len(calls)}


# --- the SGD loop on gradients that are right ----------------------------------------------------

def _sigmoid(a):
    return 0.5 * (1 + np.tanh(0.5 * a))  # = 1 / (1 + exp(-a)), with no overflow


def _softmax(o):
    e = np.exp(o - o.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class StandIns:
    """Right versions of the student's per-example and minibatch functions, put in place while
    their sgd runs, so its test judges the loop alone. Gradients come back as the student's own
    gradients_batch gives them: a dict (the spec), or a tuple in the order W, b, V, c."""

    def __init__(self, as_tuple):
        self.as_tuple = as_tuple
        self.batch_rows = []
        """The rows of each gradients_batch call, in order."""

    def _out(self, grads):
        return tuple(grads[name] for name in ("W", "b", "V", "c")) if self.as_tuple else grads

    def forward_batch(self, params, X):
        H = _sigmoid(np.asarray(X) @ params["W"].T + params["b"])
        return H, _softmax(H @ params["V"].T + params["c"])

    def forward(self, params, x):
        H, Y = self.forward_batch(params, np.asarray(x)[None, :])
        return H[0], Y[0]

    def gradients_batch(self, params, X, T, H, Y):
        self.batch_rows.append(len(X))
        X, T, H, Y = (np.asarray(a, dtype=np.float64) for a in (X, T, H, Y))
        d_o = (Y - T) / len(X)
        d_a = d_o @ params["V"] * H * (1 - H)
        return self._out({"W": d_a.T @ X, "b": d_a.sum(0), "V": d_o.T @ H, "c": d_o.sum(0)})

    def gradients(self, params, x, t, h, y):
        grads = self.gradients_batch(params, *(np.asarray(a)[None, :] for a in (x, t, h, y)))
        self.batch_rows.pop()  # one example is not a minibatch
        return grads

    def loss_batch(self, Y, T):
        return float(-np.sum(np.log(np.asarray(Y)[np.asarray(T) > 0])) / len(Y))

    def loss(self, y, t):
        return self.loss_batch(np.asarray(y)[None, :], np.asarray(t)[None, :])


def _returns_tuple(mlp, params, X, T):
    """Whether the student's own gradients_batch answers with a sequence rather than a dict."""
    try:
        H, Y = StandIns(False).forward_batch(params, X[:2])
        return isinstance(mlp.gradients_batch(params, X[:2], T[:2], H, Y), (tuple, list))
    except Exception:  # unfilled or broken: the spec's dict
        return False


def _trained(mlp, params, X, T, learning_rate, epochs, batch_size, seed):
    """The student's sgd on copies of params; sgd may return them or update them in place."""
    params = {name: np.array(value, dtype=np.float64) for name, value in params.items()}
    returned = mlp.sgd(params, X, T, learning_rate, epochs, batch_size, np.random.default_rng(seed))
    return {"params": params if returned is None else returned, "returned_none": returned is None}


def sgd_with_right_gradients(params, X, T, learning_rate, epochs, batch_size, seed):
    """The student's sgd with StandIns in place of their forward, loss and gradient functions;
    also the rows of each minibatch gradient it asked for."""
    import mlp

    X, T = np.asarray(X, dtype=np.float64), np.asarray(T, dtype=np.float64)
    stand_ins = StandIns(_returns_tuple(mlp, params, X, T))
    names = ("forward", "loss", "gradients", "forward_batch", "loss_batch", "gradients_batch")
    saved = {name: getattr(mlp, name, None) for name in names}
    for name in names:
        setattr(mlp, name, getattr(stand_ins, name))
    try:
        return dict(_trained(mlp, params, X, T, learning_rate, epochs, batch_size, seed),
                    batch_rows=stand_ins.batch_rows)
    finally:
        for name, value in saved.items():
            setattr(mlp, name, value)


# --- training on MNIST --------------------------------------------------------------------------

def _training_split(folder):
    """(X float32 (50000, 784), labels) of mnist.pkl.gz's training split."""
    if folder not in _TRAIN:
        with gzip.open(os.path.join(folder, "mnist.pkl.gz"), "rb") as f:
            train, _valid, _test = pickle.load(f, encoding="latin1")
        _TRAIN[folder] = train
    return _TRAIN[folder]


def train_on_mnist(hidden, epochs, batch_size, learning_rate, seed, rows=None):
    """The student's own sgd (and everything it calls) on the first `rows` training examples,
    from init_params' scheme drawn here (seeded). Returns the trained parameters."""
    import mlp

    X, labels = _training_split(os.path.dirname(os.path.abspath(mlp.__file__)))
    X, labels = X[:rows], labels[:rows]
    rng = np.random.default_rng(seed)
    params = {"W": rng.normal(0, 1 / np.sqrt(X.shape[1]), (hidden, X.shape[1])), "b": np.zeros(hidden),
              "V": rng.normal(0, 1 / np.sqrt(hidden), (10, hidden)), "c": np.zeros(10)}
    return _trained(mlp, params, X, np.eye(10)[labels], learning_rate, epochs, batch_size, seed + 1)
