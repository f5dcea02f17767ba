import numpy as np


def forward_backward(x, W, b, V, c, target):
    h = 1 / (1 + np.exp(-(x @ W + b)))
    o = h @ V + c
    y = np.exp(o - o.max())
    y = y / y.sum()
    loss = -np.log(y[target])
    do = y.copy()
    do[target] -= 1
    dk = (V @ do) * h * (1 - h)
    return loss, np.outer(x, dk), dk, np.outer(h, do), do


def forward_backward_batch(x, W, b, V, c, targets):
    n = len(x)
    h = 1 / (1 + np.exp(-(x @ W + b)))
    o = h @ V + c
    y = np.exp(o - o.max(axis=1, keepdims=True))
    y = y / y.sum(axis=1, keepdims=True)
    loss = -np.log(y[range(n), targets]).sum() / n
    do = y.copy()
    do[range(n), targets] -= 1
    do = do / n
    dk = do @ V.T * h * (1 - h)
    # biases as row vectors (1, size)
    return loss, x.T @ dk, dk.sum(axis=0, keepdims=True), h.T @ do, do.sum(axis=0, keepdims=True)


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.1, batch_size=32):
    x = xtrain.astype(float) / 255.0
    losses = []
    for _ in range(epochs):
        for i in range(0, len(x), batch_size):
            loss, dW, db, dV, dc = forward_backward_batch(x[i:i + batch_size], W, b, V, c, ytrain[i:i + batch_size])
            W, b = W - learning_rate * dW, b - learning_rate * db.ravel()
            V, c = V - learning_rate * dV, c - learning_rate * dc.ravel()
            losses.append(loss)
    return W, b, V, c, losses
