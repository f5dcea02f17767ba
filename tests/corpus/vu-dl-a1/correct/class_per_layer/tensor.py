import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, g):
        if g.ndim == 1:
            self.dW, self.db = np.outer(self.x, g), g
        else:
            self.dW, self.db = self.x.T @ g, g.sum(axis=0)
        return g @ self.W.T


class Sigmoid:
    def forward(self, k):
        self.h = 1 / (1 + np.exp(-k))
        return self.h

    def backward(self, g):
        return g * self.h * (1 - self.h)


class SoftmaxCE:
    def forward(self, o, targets):
        z = o - o.max(axis=-1, keepdims=True)
        self.y = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
        self.onehot = np.eye(o.shape[-1])[targets]
        return -np.mean(np.log(np.sum(self.y * self.onehot, axis=-1)))

    def backward(self):
        n = self.y.shape[0] if self.y.ndim == 2 else 1
        return (self.y - self.onehot) / n


def _run(x, W, b, V, c, targets):
    first, act, second, lossf = Linear(W, b), Sigmoid(), Linear(V, c), SoftmaxCE()
    loss = lossf.forward(second.forward(act.forward(first.forward(x))), targets)
    first.backward(act.backward(second.backward(lossf.backward())))
    return {"loss": loss, "dW": first.dW, "db": first.db, "dV": second.dW, "dc": second.db}


def forward_backward(x, W, b, V, c, target):
    return _run(x, W, b, V, c, target)


def forward_backward_batch(x, W, b, V, c, targets):
    return _run(x, W, b, V, c, targets)


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.1, batch_size=32):
    xtrain = xtrain / 255.
    params = {"W": W.copy(), "b": b.copy(), "V": V.copy(), "c": c.copy()}
    losses = []
    for epoch in range(epochs):
        for start in range(0, len(xtrain), batch_size):
            out = forward_backward_batch(xtrain[start:start + batch_size], params["W"], params["b"], params["V"],
                                         params["c"], ytrain[start:start + batch_size])
            for name in params:
                params[name] -= learning_rate * out["d" + name]
            losses.append(out["loss"])
    params["losses"] = losses
    return params
