"""Part 3 of the assignment: the 784-300-10 network on MNIST, vectorised with numpy.

The same network as in scalar.py, with arrays: k = x W + b, h = sigmoid(k), o = h V + c,
y = softmax(o), loss -log y[target]. W is (784, 300), b (300,), V (300, 10), c (10,).
"""
import numpy as np


def forward_backward(x, W, b, V, c, target):
    """One instance x (784,) of class `target` (an int): {"loss", "dW", "db", "dV", "dc"}, the
    loss and its derivatives, each shaped like its parameter."""
    # TODO START
    k = x @ W + b
    h = 1 / (1 + np.exp(-k))
    o = h @ V + c
    z = o - o.max()  # softmax is unchanged by a shift; this one keeps exp from overflowing
    y = np.exp(z) / np.exp(z).sum()
    loss = -np.log(y[target])

    do = y.copy()
    do[target] -= 1  # dl/do = y - onehot(target)
    dk = (V @ do) * h * (1 - h)
    return {"loss": loss, "dW": np.outer(x, dk), "db": dk, "dV": np.outer(h, do), "dc": do}
    # TODO END


def forward_backward_batch(x, W, b, V, c, targets):
    """A batch x (B, 784) with classes `targets` (B,): the loss and derivatives averaged over the
    batch, so they equal the mean of forward_backward's over the instances."""
    # TODO START
    n = x.shape[0]
    k = x @ W + b
    h = 1 / (1 + np.exp(-k))
    o = h @ V + c
    z = o - o.max(axis=1, keepdims=True)
    y = np.exp(z) / np.exp(z).sum(axis=0, keepdims=True)
    rows = np.arange(n)
    loss = -np.log(y[rows, targets]).mean()

    do = y.copy()
    do[rows, targets] -= 1
    do /= n  # the mean over the batch
    dk = (do @ V.T) * h * (1 - h)
    return {"loss": loss, "dW": x.T @ dk, "db": dk.sum(axis=0), "dV": h.T @ do, "dc": do.sum(axis=0)}
    # TODO END


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.1, batch_size=32):
    """Minibatch gradient descent from the given weights: the instances in the order given, in
    batches of batch_size (the last may be smaller). xtrain holds pixels 0..255 as load_mnist
    gives them: the network's input is x / 255. Returns {"W", "b", "V", "c", "losses"}: the
    trained parameters and the loss of every batch."""
    # TODO START
    x = np.asarray(xtrain, dtype=np.float64) / 255.0
    W, b, V, c = (np.array(p, dtype=np.float64) for p in (W, b, V, c))
    losses = []
    for _ in range(epochs):
        for start in range(0, len(x), batch_size):
            batch = slice(start, start + batch_size)
            result = forward_backward_batch(x[batch], W, b, V, c, ytrain[batch])
            losses.append(float(result["loss"]))
            W -= learning_rate * result["dW"]
            b -= learning_rate * result["db"]
            V -= learning_rate * result["dV"]
            c -= learning_rate * result["dc"]
    return {"W": W, "b": b, "V": V, "c": c, "losses": losses}
    # TODO END


def init_weights(n_in=784, n_hidden=300, n_out=10, seed=0):
    """Normal weights scaled by 1/sqrt(fan-in) and zero biases (W, b, V, c)."""
    rng = np.random.default_rng(seed)
    return (rng.normal(0, n_in ** -0.5, (n_in, n_hidden)), np.zeros(n_hidden),
            rng.normal(0, n_hidden ** -0.5, (n_hidden, n_out)), np.zeros(n_out))


if __name__ == "__main__":
    from data import load_mnist

    (xtrain, ytrain), (xval, yval), num_cls = load_mnist()
    result = train(xtrain, ytrain, *init_weights(), epochs=1)
    h = 1 / (1 + np.exp(-(xval / 255.0 @ result["W"] + result["b"])))
    print("validation accuracy:", np.mean(np.argmax(h @ result["V"] + result["c"], axis=1) == yval))
