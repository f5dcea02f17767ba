"""Part 3 of the assignment: the 784-300-10 network on MNIST, vectorised with numpy.

The same network as in scalar.py, with arrays: k = x W + b, h = sigmoid(k), o = h V + c,
y = softmax(o), loss -log y[target]. W is (784, 300), b (300,), V (300, 10), c (10,).
"""
import numpy as np


def forward_backward(x, W, b, V, c, target):
    """One instance x (784,) of class `target` (an int): {"loss", "dW", "db", "dV", "dc"}, the
    loss and its derivatives, each shaped like its parameter."""
    # TODO START
    raise NotImplementedError("forward_backward")
    # TODO END


def forward_backward_batch(x, W, b, V, c, targets):
    """A batch x (B, 784) with classes `targets` (B,): the loss and derivatives averaged over the
    batch, so they equal the mean of forward_backward's over the instances."""
    # TODO START
    raise NotImplementedError("forward_backward_batch")
    # TODO END


def train(xtrain, ytrain, W, b, V, c, epochs=1, learning_rate=0.1, batch_size=32):
    """Minibatch gradient descent from the given weights: the instances in the order given, in
    batches of batch_size (the last may be smaller). xtrain holds pixels 0..255 as load_mnist
    gives them: the network's input is x / 255. Returns {"W", "b", "V", "c", "losses"}: the
    trained parameters and the loss of every batch."""
    # TODO START
    raise NotImplementedError("train")
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
