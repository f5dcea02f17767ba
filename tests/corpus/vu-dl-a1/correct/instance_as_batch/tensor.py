import numpy as np


def forward_backward_batch(x, W, b, V, c, targets):
    B = x.shape[0]
    K = x @ W + b
    H = 1 / (1 + np.exp(-K))
    O = H @ V + c
    O = O - O.max(axis=1, keepdims=True)
    Y = np.exp(O) / np.exp(O).sum(axis=1, keepdims=True)
    idx = (np.arange(B), np.asarray(targets).reshape(-1))
    loss = -np.log(Y[idx]).mean()
    dO = Y
    dO[idx] -= 1
    dO /= B
    dH = dO @ V.T
    dK = dH * H * (1 - H)
    return {"loss": loss, "dW": x.T @ dK, "db": dK.sum(axis=0), "dV": H.T @ dO, "dc": dO.sum(axis=0)}


def forward_backward(x, W, b, V, c, target):
    # an instance is a batch of one
    return forward_backward_batch(x[None, :], W, b, V, c, np.array([target]))


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.1, batch_size=32):
    n = xtrain.shape[0]
    x = xtrain.reshape(n, -1) / 255.0
    losses = []
    for epoch in range(epochs):
        for batch in np.array_split(np.arange(n), int(np.ceil(n / batch_size))):
            g = forward_backward_batch(x[batch], W, b, V, c, ytrain[batch])
            W = W - learning_rate * g["dW"]
            b = b - learning_rate * g["db"]
            V = V - learning_rate * g["dV"]
            c = c - learning_rate * g["dc"]
            losses.append(g["loss"])
    return {"W": W, "b": b, "V": V, "c": c, "losses": losses}
