import numpy as np


def forward_backward(x, W, b, V, c, target):
    return {"loss": 0.0, "dW": np.zeros_like(W), "db": np.zeros_like(b), "dV": np.zeros_like(V), "dc": np.zeros_like(c)}


def forward_backward_batch(x, W, b, V, c, targets):
    return forward_backward(x[0], W, b, V, c, targets[0])


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.1, batch_size=32):
    return {"W": W, "b": b, "V": V, "c": c, "losses": []}
