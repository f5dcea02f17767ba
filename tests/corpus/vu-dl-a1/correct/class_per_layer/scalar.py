import math


class Linear:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return [self.b[j] + sum(x[i] * self.W[i][j] for i in range(len(x))) for j in range(len(self.b))]

    def backward(self, g):
        self.dW = [[self.x[i] * g[j] for j in range(len(g))] for i in range(len(self.x))]
        self.db = list(g)
        return [sum(self.W[i][j] * g[j] for j in range(len(g))) for i in range(len(self.x))]


class Sigmoid:
    def forward(self, k):
        self.h = [1 / (1 + math.exp(-v)) for v in k]
        return self.h

    def backward(self, g):
        return [gi * hi * (1 - hi) for gi, hi in zip(g, self.h)]


class SoftmaxCrossEntropy:
    def forward(self, o, target):
        m = max(o)
        e = [math.exp(v - m) for v in o]
        self.y = [v / sum(e) for v in e]
        self.target = target
        return -math.log(self.y[target])

    def backward(self):
        return [yi - (1 if i == self.target else 0) for i, yi in enumerate(self.y)]


def forward_backward(x, W, b, V, c, target):
    first, act, second, lossf = Linear(W, b), Sigmoid(), Linear(V, c), SoftmaxCrossEntropy()
    loss = lossf.forward(second.forward(act.forward(first.forward(x))), target)
    first.backward(act.backward(second.backward(lossf.backward())))
    return {"loss": loss, "dW": first.dW, "db": first.db, "dV": second.dW, "dc": second.db}


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.01):
    params = {"W": [list(r) for r in W], "b": list(b), "V": [list(r) for r in V], "c": list(c)}
    losses = []
    for _ in range(epochs):
        for x, t in zip(xtrain, ytrain):
            out = forward_backward(x, params["W"], params["b"], params["V"], params["c"], t)
            losses.append(out["loss"])
            for name in ("W", "V"):
                params[name] = [[p - learning_rate * g for p, g in zip(pr, gr)]
                                for pr, gr in zip(params[name], out["d" + name])]
            for name in ("b", "c"):
                params[name] = [p - learning_rate * g for p, g in zip(params[name], out["d" + name])]
    return dict(params, losses=losses)
