import math
import random


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def forward_backward(x, W, b, V, c, target):
    # forward
    k = [0., 0., 0.]
    for j in range(3):
        for i in range(2):
            k[j] += W[i][j] * x[i]
        k[j] += b[j]
    h = [0., 0., 0.]
    for j in range(3):
        h[j] = sigmoid(k[j])
    o = [0., 0.]
    for m in range(2):
        for j in range(3):
            o[m] += V[j][m] * h[j]
        o[m] += c[m]
    exps = [math.exp(o[0]), math.exp(o[1])]
    total = exps[0] + exps[1]
    y = [exps[0] / total, exps[1] / total]
    loss = -math.log(y[target])

    # backward
    do = [0., 0.]
    for m in range(2):
        if m == target:
            do[m] = y[m] - 1
        else:
            do[m] = y[m]
    dV = [[0., 0.], [0., 0.], [0., 0.]]
    dh = [0., 0., 0.]
    for j in range(3):
        for m in range(2):
            dV[j][m] = do[m] * h[j]
            dh[j] += do[m] * V[j][m]
    dc = do
    dk = [0., 0., 0.]
    for j in range(3):
        dk[j] = dh[j] * h[j] * (1 - h[j])
    dW = [[0., 0., 0.], [0., 0., 0.]]
    for i in range(2):
        for j in range(3):
            dW[i][j] = dk[j] * x[i]
    db = dk
    return {"loss": loss, "dW": dW, "db": db, "dV": dV, "dc": dc}


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.01):
    losses = []
    for epoch in range(epochs):
        for n in range(len(xtrain)):
            out = forward_backward(xtrain[n], W, b, V, c, ytrain[n])
            losses.append(out["loss"])
            for i in range(2):
                for j in range(3):
                    W[i][j] = W[i][j] - learning_rate * out["dW"][i][j]
            for j in range(3):
                b[j] = b[j] - learning_rate * out["db"][j]
                for m in range(2):
                    V[j][m] = V[j][m] - learning_rate * out["dV"][j][m]
            for m in range(2):
                c[m] = c[m] - learning_rate * out["dc"][m]
    return {"W": W, "b": b, "V": V, "c": c, "losses": losses}
