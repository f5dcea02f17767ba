import numpy as np


def forward_backward(x, W, b, V, c, target):
    k = x.dot(W) + b
    h = 1.0 / (1.0 + np.exp(-k))
    o = h.dot(V) + c
    y = np.exp(o - np.max(o))
    y /= y.sum()
    loss = -np.log(y[target])
    do = y
    do[target] -= 1.0
    dk = V.dot(do) * h * (1.0 - h)
    return {"loss": loss, "dW": np.outer(x, dk), "db": dk, "dV": np.outer(h, do), "dc": do}


def forward_backward_batch(x, W, b, V, c, targets):
    n = x.shape[0]
    k = x.dot(W) + b
    h = 1.0 / (1.0 + np.exp(-k))
    o = h.dot(V) + c
    y = np.exp(o - o.max(1)[:, None])
    y /= y.sum(1)[:, None]
    loss = np.mean(-np.log(y[np.arange(n), targets]))
    do = y
    do[np.arange(n), targets] -= 1.0
    do /= n
    dk = do.dot(V.T) * h * (1.0 - h)
    return {"loss": loss, "dW": x.T.dot(dk), "db": dk.sum(0), "dV": h.T.dot(do), "dc": do.sum(0)}


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.1, batch_size=32):
    """Question 5 style: the gradients of a few instances added up before each step."""
    W, b, V, c = W.copy(), b.copy(), V.copy(), c.copy()
    losses = []
    for epoch in range(epochs):
        for start in range(0, len(xtrain), batch_size):
            sums = [np.zeros_like(p) for p in (W, b, V, c)]
            total = 0.0
            for i in range(start, min(start + batch_size, len(xtrain))):
                g = forward_backward(xtrain[i] / 255.0, W, b, V, c, ytrain[i])
                for s, key in zip(sums, ("dW", "db", "dV", "dc")):
                    s += g[key]
                total += g["loss"]
            for p, s in zip((W, b, V, c), sums):
                p -= learning_rate * s
            losses.append(total)
    return {"W": W, "b": b, "V": V, "c": c, "losses": losses}
