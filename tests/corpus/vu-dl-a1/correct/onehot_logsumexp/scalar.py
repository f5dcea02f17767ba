import math
import random


def logsumexp(values):
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def forward_backward(x, W, b, V, c, target):
    n_hidden, n_out = len(b), len(c)
    t = [0.0] * n_out
    t[target] = 1.0
    k = [b[j] + x[0] * W[0][j] + x[1] * W[1][j] for j in range(n_hidden)]
    h = [1 / (1 + math.exp(-kj)) if kj >= 0 else math.exp(kj) / (1 + math.exp(kj)) for kj in k]
    o = [c[m] + sum(h[j] * V[j][m] for j in range(n_hidden)) for m in range(n_out)]
    lse = logsumexp(o)
    log_y = [om - lse for om in o]
    loss = -sum(tm * ly for tm, ly in zip(t, log_y))
    y = [math.exp(ly) for ly in log_y]
    # dl/dy_i = -t_i / y_i; dy_i/do_j = y_i (delta_ij - y_j)  =>  dl/do_j = y_j - t_j
    do = [y[m] - t[m] for m in range(n_out)]
    dV = [[h[j] * do[m] for m in range(n_out)] for j in range(n_hidden)]
    dk = [h[j] * (1 - h[j]) * sum(V[j][m] * do[m] for m in range(n_out)) for j in range(n_hidden)]
    dW = [[x[i] * dk[j] for j in range(n_hidden)] for i in range(2)]
    return {"loss": loss, "dW": dW, "db": dk, "dV": dV, "dc": do}


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.01):
    W = [row[:] for row in W]
    V = [row[:] for row in V]
    b, c = b[:], c[:]
    losses = []
    for _ in range(epochs):
        for x, y in zip(xtrain, ytrain):
            g = forward_backward(x, W, b, V, c, y)
            losses.append(g["loss"])
            for i, row in enumerate(g["dW"]):
                for j, d in enumerate(row):
                    W[i][j] -= learning_rate * d
            for j, row in enumerate(g["dV"]):
                for m, d in enumerate(row):
                    V[j][m] -= learning_rate * d
            b = [bj - learning_rate * d for bj, d in zip(b, g["db"])]
            c = [cm - learning_rate * d for cm, d in zip(c, g["dc"])]
    return {"W": W, "b": b, "V": V, "c": c, "losses": losses}


if __name__ == "__main__":
    from data import load_synth
    (xtrain, ytrain), (xval, yval), num_cls = load_synth()
    print(xtrain[:5], xtrain.min(), xtrain.max())
