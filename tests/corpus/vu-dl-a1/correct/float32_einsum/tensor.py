import numpy as np


def _forward(x, W, b, V, c):
    x, W, b, V, c = (np.asarray(a, dtype=np.float32) for a in (x, W, b, V, c))
    h = 1 / (1 + np.exp(-(np.einsum('...i,ij->...j', x, W) + b)))
    o = np.einsum('...j,jm->...m', h, V) + c
    e = np.exp(o - o.max(axis=-1, keepdims=True))
    return x, h, e / e.sum(axis=-1, keepdims=True)


def forward_backward(x, W, b, V, c, target):
    x, h, y = _forward(x, W, b, V, c)
    loss = -np.log(y[target])
    do = y.copy()
    do[target] -= 1
    dk = np.einsum('jm,m->j', np.asarray(V, dtype=np.float32), do) * h * (1 - h)
    return {"loss": loss, "dW": np.einsum('i,j->ij', x, dk), "db": dk, "dV": np.einsum('j,m->jm', h, do), "dc": do}


def forward_backward_batch(x, W, b, V, c, targets):
    x, h, y = _forward(x, W, b, V, c)
    n = len(x)
    loss = -np.log(y[np.arange(n), targets]).mean()
    do = y.copy()
    do[np.arange(n), targets] -= 1
    do /= n
    dk = np.einsum('bm,jm->bj', do, np.asarray(V, dtype=np.float32)) * h * (1 - h)
    return {"loss": loss, "dW": np.einsum('bi,bj->ij', x, dk), "db": dk.sum(0),
            "dV": np.einsum('bj,bm->jm', h, do), "dc": do.sum(0)}


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.1, batch_size=32):
    x = (xtrain / 255).astype(np.float32)
    W, b, V, c = (np.asarray(p, dtype=np.float32) for p in (W, b, V, c))
    losses = []
    for _ in range(epochs):
        for i in range(0, len(x), batch_size):
            out = forward_backward_batch(x[i:i + batch_size], W, b, V, c, ytrain[i:i + batch_size])
            W = W - learning_rate * out["dW"]
            b = b - learning_rate * out["db"]
            V = V - learning_rate * out["dV"]
            c = c - learning_rate * out["dc"]
            losses.append(float(out["loss"]))
    return {"W": W, "b": b, "V": V, "c": c, "losses": losses}
