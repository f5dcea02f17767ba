import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(o):
    e = np.exp(o - np.max(o))
    return e / np.sum(e)


def forward_backward(x, W, b, V, c, target):
    k = np.dot(x, W) + b
    h = sigmoid(k)
    o = np.dot(h, V) + c
    y = softmax(o)
    loss = -np.log(y[target])
    t = np.zeros(len(c))
    t[target] = 1
    do = y - t
    dV = np.outer(h, do)
    dh = np.dot(V, do)
    dk = dh * h * (1 - h)
    dW = np.outer(x, dk)
    return {"loss": loss, "dW": dW, "db": dk, "dV": dV, "dc": do}


def forward_backward_batch(x, W, b, V, c, targets):
    B = x.shape[0]
    k = np.matmul(x, W) + b
    h = sigmoid(k)
    o = np.matmul(h, V) + c
    e = np.exp(o - np.max(o, axis=1, keepdims=True))
    y = e / np.sum(e, axis=1, keepdims=True)
    loss = -np.mean(np.log(y[np.arange(B), targets]))
    t = np.zeros_like(y)
    t[np.arange(B), targets] = 1
    do = (y - t) / B
    dV = np.matmul(h.T, do)
    dc = np.sum(do, axis=0)
    dk = np.matmul(do, V.T) * h * (1 - h)
    dW = np.matmul(x.T, dk)
    db = np.sum(dk, axis=0)
    return {"loss": loss, "dW": dW, "db": db, "dV": dV, "dc": dc}


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.1, batch_size=32):
    xtrain = xtrain / 255
    losses = []
    for epoch in range(epochs):
        for i in range(0, xtrain.shape[0], batch_size):
            out = forward_backward_batch(xtrain[i:i + batch_size], W, b, V, c, ytrain[i:i + batch_size])
            W = W - learning_rate * out["dW"]
            b = b - learning_rate * out["db"]
            V = V - learning_rate * out["dV"]
            c = c - learning_rate * out["dc"]
            losses.append(out["loss"])
    return {"W": W, "b": b, "V": V, "c": c, "losses": losses}
