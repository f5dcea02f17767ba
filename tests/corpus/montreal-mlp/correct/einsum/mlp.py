"""A one-hidden-layer MLP on MNIST in numpy: Montreal's "Assignment: MLP on MNIST".

For one example, with the text's column-vector equations written on numpy 1-D arrays:
    h = sigmoid(W x + b)          x (D,)   W (H, D)   b (H,)   h (H,)
    y = softmax(V h + c)          V (K, H) c (K,)     y (K,)
    L = -sum_k t_k log y_k        t (K,), one-hot
The parameters travel together as params = {"W": W, "b": b, "V": V, "c": c}; every gradient is a
dict with the same keys and the same shapes. The weight the text calls W_ij (input i to hidden
unit j) is W[j, i]; V_jk (hidden unit j to class k) is V[k, j].

A minibatch is rows, as mnist.pkl.gz stores its examples: X (N, D), T (N, K), H (N, H), Y (N, K).
Its loss and its gradients are the MEANS over the rows of the per-example ones.

Write the code between each # TODO START and # TODO END. `python -m pytest tests` runs the
self-checks; `python mlp.py` checks the gradients on a toy network and trains on MNIST.
"""
import gzip
import os
import pickle

import numpy as np

DATA_FILES = ("mnist.pkl.gz", "data/mnist.pkl.gz")
"""Where main() looks for the data, from the folder you run it in."""


# --- given: the refresher's functions and helpers ---------------------------------------------

def sigmoid(a):
    """1 / (1 + exp(-a)), elementwise, without overflow for large |a|."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def softmax(o):
    """exp(o) / sum(exp(o)) along the last axis (each row of a batch); shifted by the maximum, so
    exp never overflows."""
    e = np.exp(o - np.max(o, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def init_params(n_inputs, n_hidden, n_classes, rng):
    """Random weights of standard deviation 1 / sqrt(fan-in), zero biases."""
    return {"W": rng.normal(0, 1 / np.sqrt(n_inputs), (n_hidden, n_inputs)), "b": np.zeros(n_hidden),
            "V": rng.normal(0, 1 / np.sqrt(n_hidden), (n_classes, n_hidden)), "c": np.zeros(n_classes)}


def one_hot(labels, n_classes=10):
    """Integer labels (N,) -> one-hot rows (N, n_classes); one label -> one vector."""
    return np.eye(n_classes)[labels]


def load_mnist(path):
    """((train_x, train_y), (valid_x, valid_y), (test_x, test_y)) from mnist.pkl.gz: x (n, 784)
    floats in [0, 1], y integer labels; 50,000 / 10,000 / 10,000 rows."""
    with gzip.open(path, "rb") as f:
        return pickle.load(f, encoding="latin1")


# --- steps 1 to 3: one example -----------------------------------------------------------------

def forward(params, x):
    """(h, y) for one example x (D,): h = sigmoid(W x + b), y = softmax(V h + c)."""
    # TODO START
    h = sigmoid(params["W"] @ x + params["b"])
    y = softmax(params["V"] @ h + params["c"])
    return h, y
    # TODO END


def loss(y, t):
    """L = -sum_k t_k log y_k for one example; a class with t_k = 0 adds nothing, even where y_k = 0."""
    # TODO START
    return -np.sum(t[t > 0] * np.log(y[t > 0]))
    # TODO END


def gradients(params, x, t, h, y):
    """{"W": dL/dW, "b": dL/db, "V": dL/dV, "c": dL/dc} for one example, reusing the h and y that
    forward(params, x) returned (backpropagation)."""
    # TODO START
    d_o = y - t                                    # dL/d(V h + c)
    d_a = (params["V"].T @ d_o) * h * (1 - h)      # dL/d(W x + b)
    return {"W": np.outer(d_a, x), "b": d_a, "V": np.outer(d_o, h), "c": d_o}
    # TODO END


# --- step 4: finite differences ----------------------------------------------------------------

def finite_differences(f, theta, eps=1e-5):
    """The gradient of the scalar function f at the array theta (any shape), entry by entry:
    (f(theta + eps e_i) - f(theta - eps e_i)) / (2 eps). theta is left as it was."""
    # TODO START
    grad = np.zeros(np.shape(theta))
    for i in np.ndindex(grad.shape):
        step = np.zeros(grad.shape)
        step[i] = eps
        grad[i] = (f(theta + step) - f(theta - step)) / (2 * eps)
    return grad
    # TODO END


def numerical_gradients(params, x, t, eps=1e-5):
    """The gradients of loss(forward(params, x)[1], t) by finite_differences, one parameter at a time."""
    def loss_at(name):
        return lambda value: loss(forward({**params, name: value}, x)[1], t)
    return {name: finite_differences(loss_at(name), params[name], eps) for name in params}


# --- step 5: minibatches -----------------------------------------------------------------------

def forward_batch(params, X):
    """(H, Y) for the rows of X (N, D): forward on every row at once."""
    # TODO START
    H = sigmoid(np.einsum("hd,nd->nh", params["W"], X, optimize=True) + params["b"])
    Y = softmax(np.einsum("kh,nh->nk", params["V"], H, optimize=True) + params["c"])
    return H, Y
    # TODO END


def loss_batch(Y, T):
    """The mean over the rows of loss(y, t)."""
    # TODO START
    return float(np.mean(-np.log(np.einsum("nk,nk->n", Y, T, optimize=True))))
    # TODO END


def gradients_batch(params, X, T, H, Y):
    """The means over the rows of gradients(params, x, t, h, y), at once, from forward_batch's H and Y."""
    # TODO START
    n = X.shape[0]
    d_o = (Y - T) / n
    d_a = np.einsum("nk,kh->nh", d_o, params["V"], optimize=True) * H * (1 - H)
    return {"W": np.einsum("nh,nd->hd", d_a, X, optimize=True), "b": np.einsum("nh->h", d_a, optimize=True),
            "V": np.einsum("nk,nh->kh", d_o, H, optimize=True), "c": np.einsum("nk->k", d_o, optimize=True)}
    # TODO END


def numerical_gradients_batch(params, X, T, eps=1e-5):
    """The gradients of loss_batch(forward_batch(params, X)[1], T) by finite_differences."""
    def loss_at(name):
        return lambda value: loss_batch(forward_batch({**params, name: value}, X)[1], T)
    return {name: finite_differences(loss_at(name), params[name], eps) for name in params}


# --- step 6: training --------------------------------------------------------------------------

def sgd(params, X, T, learning_rate, epochs, batch_size, rng):
    """Minibatch SGD: each epoch visits the rows of X (one-hot targets T) once, in a random order
    (rng.permutation), in batches of batch_size rows, and moves every parameter by
    -learning_rate times the batch's mean gradient. Returns the trained params."""
    # TODO START
    params = {name: np.array(value, dtype=np.float64) for name, value in params.items()}
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            H, Y = forward_batch(params, X[rows])
            grads = gradients_batch(params, X[rows], T[rows], H, Y)
            for name in params:
                params[name] -= learning_rate * grads[name]
    return params
    # TODO END


def error_rate(params, X, labels):
    """The fraction of the rows of X whose most probable class is not their label."""
    return float(np.mean(np.argmax(forward_batch(params, X)[1], axis=1) != labels))


def check_toy_network(rng):
    """Steps 4 and 5: analytic against numerical gradients on a 10-5-2 network."""
    params = init_params(10, 5, 2, rng)
    x, t = rng.normal(size=10), one_hot(1, 2)
    h, y = forward(params, x)
    numerical = numerical_gradients(params, x, t)
    for name, value in gradients(params, x, t, h, y).items():
        np.testing.assert_allclose(value, numerical[name], rtol=1e-5, atol=1e-8, err_msg=name)
    X, T = rng.normal(size=(4, 10)), one_hot(rng.integers(0, 2, size=4), 2)
    H, Y = forward_batch(params, X)
    numerical = numerical_gradients_batch(params, X, T)
    for name, value in gradients_batch(params, X, T, H, Y).items():
        np.testing.assert_allclose(value, numerical[name], rtol=1e-5, atol=1e-8, err_msg=name)
    print("the 10-5-2 toy network: analytic and numerical gradients agree, for one example and a minibatch")


def main(hidden=100, epochs=20, batch_size=20, learning_rate=0.2, seed=0):
    rng = np.random.default_rng(seed)
    check_toy_network(rng)
    path = next((p for p in DATA_FILES if os.path.exists(p)), None)
    if path is None:
        raise SystemExit("no mnist.pkl.gz here or in data/: run this from the hand-out's folder")
    (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = load_mnist(path)
    params = init_params(train_x.shape[1], hidden, 10, rng)
    for epoch in range(1, epochs + 1):
        params = sgd(params, train_x, one_hot(train_y), learning_rate, 1, batch_size, rng)
        print(f"epoch {epoch}: validation error {error_rate(params, valid_x, valid_y):.2%}")
    print(f"test error {error_rate(params, test_x, test_y):.2%}")


if __name__ == "__main__":
    main()
