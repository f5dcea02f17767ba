from math import exp, log


def forward_backward(x, W, b, V, c, target):
    """Returns (loss, dW, db, dV, dc)."""
    k = [sum(x[i] * W[i][j] for i in range(len(x))) + b[j] for j in range(len(b))]
    h = [1.0 / (1.0 + exp(-kj)) for kj in k]
    o = [sum(h[j] * V[j][m] for j in range(len(h))) + c[m] for m in range(len(c))]
    s = sum(exp(om) for om in o)
    y = [exp(om) / s for om in o]
    loss = -log(y[target])
    t = [1.0 if m == target else 0.0 for m in range(len(c))]
    do = [ym - tm for ym, tm in zip(y, t)]
    dV = [[hj * dom for dom in do] for hj in h]
    dh = [sum(V[j][m] * do[m] for m in range(len(do))) for j in range(len(h))]
    dk = [dhj * hj * (1 - hj) for dhj, hj in zip(dh, h)]
    dW = [[xi * dkj for dkj in dk] for xi in x]
    return loss, dW, dk, dV, do


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.01):
    losses = []
    for _ in range(epochs):
        for x, y in zip(xtrain, ytrain):
            loss, dW, db, dV, dc = forward_backward(x, W, b, V, c, y)
            losses.append(loss)
            W = [[w - learning_rate * g for w, g in zip(wr, gr)] for wr, gr in zip(W, dW)]
            V = [[v - learning_rate * g for v, g in zip(vr, gr)] for vr, gr in zip(V, dV)]
            b = [bj - learning_rate * g for bj, g in zip(b, db)]
            c = [cm - learning_rate * g for cm, g in zip(c, dc)]
    return W, b, V, c, losses
