import numpy as np


def sigmoid(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))


def log_softmax(o, axis=-1):
    top = np.max(o, axis=axis, keepdims=True)
    return o - top - np.log(np.sum(np.exp(o - top), axis=axis, keepdims=True))


def forward_backward(x, W, b, V, c, target):
    t = np.eye(len(c))[target]
    h = sigmoid(x @ W + b)
    log_y = log_softmax(h @ V + c)
    loss = -np.sum(t * log_y)
    do = np.exp(log_y) - t
    dk = (do @ V.T) * h * (1 - h)
    return {"loss": float(loss), "dW": x[:, None] * dk[None, :], "db": dk, "dV": h[:, None] * do[None, :], "dc": do}


def forward_backward_batch(x, W, b, V, c, targets):
    T = np.eye(len(c))[targets]
    H = sigmoid(x @ W + b)
    log_Y = log_softmax(H @ V + c, axis=1)
    loss = -np.sum(T * log_Y) / len(x)
    DO = (np.exp(log_Y) - T) / len(x)
    DK = (DO @ V.T) * H * (1 - H)
    return {"loss": float(loss), "dW": x.T @ DK, "db": DK.sum(0), "dV": H.T @ DO, "dc": DO.sum(0)}


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.1, batch_size=32):
    X = np.asarray(xtrain, dtype=np.float64) / 255.0
    W, b, V, c = W.copy(), b.copy(), V.copy(), c.copy()
    losses = []
    for _ in range(epochs):
        for lo in range(0, len(X), batch_size):
            g = forward_backward_batch(X[lo:lo + batch_size], W, b, V, c, ytrain[lo:lo + batch_size])
            W -= learning_rate * g["dW"]; b -= learning_rate * g["db"]
            V -= learning_rate * g["dV"]; c -= learning_rate * g["dc"]
            losses.append(g["loss"])
    return {"W": W, "b": b, "V": V, "c": c, "losses": losses}
