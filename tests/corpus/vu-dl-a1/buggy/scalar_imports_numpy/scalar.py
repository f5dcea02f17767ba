"""Part 2 of the assignment: the 2-3-2 network with scalar backpropagation, in plain Python.

Lists of floats and the math package only (no numpy in this file). The network: k = x W + b,
h = sigmoid(k), o = h V + c, y = softmax(o), loss l = -log y[target]. W[i][j] joins input i to
hidden unit j (2 x 3), V[j][m] hidden unit j to output m (3 x 2).
"""
import math
import random

import numpy as np


def forward_backward(x, W, b, V, c, target):
    """One forward and one backward pass for the instance x with class `target`.

    Returns {"loss": l, "dW": ..., "db": ..., "dV": ..., "dc": ...}: the loss and its derivatives
    with respect to each parameter, laid out like the parameter (dW[i][j] = dl/dW[i][j])."""
    # TODO START
    n_in, n_hidden, n_out = len(W), len(b), len(c)
    k = [b[j] + sum(x[i] * W[i][j] for i in range(n_in)) for j in range(n_hidden)]
    h = [float(1 / (1 + np.exp(-kj))) for kj in k]
    o = [c[m] + sum(h[j] * V[j][m] for j in range(n_hidden)) for m in range(n_out)]
    top = max(o)  # softmax is unchanged by a shift; this one keeps exp from overflowing
    e = [math.exp(om - top) for om in o]
    y = [em / sum(e) for em in e]
    loss = -math.log(y[target])

    do = [y[m] - (1.0 if m == target else 0.0) for m in range(n_out)]  # dl/do_m = y_m - t_m
    dV = [[h[j] * do[m] for m in range(n_out)] for j in range(n_hidden)]
    dh = [sum(V[j][m] * do[m] for m in range(n_out)) for j in range(n_hidden)]
    dk = [dh[j] * h[j] * (1 - h[j]) for j in range(n_hidden)]  # sigmoid' = h (1 - h)
    dW = [[x[i] * dk[j] for j in range(n_hidden)] for i in range(n_in)]
    return {"loss": loss, "dW": dW, "db": dk, "dV": dV, "dc": do}
    # TODO END


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.01):
    """Stochastic gradient descent, one instance at a time, in the order given, from the given
    weights. xtrain is a list of [x1, x2] (as load_synth gives them), ytrain a list of classes.

    Returns {"W": ..., "b": ..., "V": ..., "c": ..., "losses": [...]}: the trained parameters
    (same layout as given) and the loss of every instance as it was seen."""
    # TODO START
    W, V = [list(row) for row in W], [list(row) for row in V]
    b, c = list(b), list(c)
    losses = []
    for _ in range(epochs):
        for x, target in zip(xtrain, ytrain):
            result = forward_backward(x, W, b, V, c, target)
            losses.append(result["loss"])
            for param, grad in ((W, result["dW"]), (V, result["dV"])):
                for row, grad_row in zip(param, grad):
                    for j, g in enumerate(grad_row):
                        row[j] -= learning_rate * g
            for param, grad in ((b, result["db"]), (c, result["dc"])):
                for j, g in enumerate(grad):
                    param[j] -= learning_rate * g
    return {"W": W, "b": b, "V": V, "c": c, "losses": losses}
    # TODO END


def init_weights(n_in=2, n_hidden=3, n_out=2, seed=0):
    """Normal weights and zero biases, as the assignment suggests (W, b, V, c)."""
    rng = random.Random(seed)
    W = [[rng.gauss(0, 1) for _ in range(n_hidden)] for _ in range(n_in)]
    V = [[rng.gauss(0, 1) for _ in range(n_out)] for _ in range(n_hidden)]
    return W, [0.0] * n_hidden, V, [0.0] * n_out


if __name__ == "__main__":
    from data import load_synth

    x, W, b = [1.0, -1.0], [[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]], [0.0, 0.0, 0.0]
    V, c = [[1.0, 1.0], [-1.0, -1.0], [-1.0, -1.0]], [0.0, 0.0]
    print(forward_backward(x, W, b, V, c, 0))
    (xtrain, ytrain), (xval, yval), num_cls = load_synth()
    result = train(xtrain[:10_000].tolist(), ytrain[:10_000].tolist(), *init_weights(), epochs=1)
    losses = result["losses"]
    print("mean loss, first and last 1000 instances:", sum(losses[:1000]) / 1000, sum(losses[-1000:]) / 1000)
