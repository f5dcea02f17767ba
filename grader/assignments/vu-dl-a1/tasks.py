"""Trusted helpers that run INSIDE the worker, next to the student's code: the two training runs,
which get the task time budget rather than one call's. They import the student's modules by bare
name and hand back what train() returned; the parent evaluates the returned parameters itself.
"""


def train_synth(xtrain, ytrain, W, b, V, c, epochs, learning_rate):
    """scalar.train on plain lists, as the hand-out's interface gives them."""
    from scalar import train

    return train(xtrain, ytrain, W, b, V, c, epochs=epochs, learning_rate=learning_rate)


def train_mnist(xtrain, ytrain, W, b, V, c, epochs, learning_rate, batch_size):
    """tensor.train on uint8 pixels 0..255 (N, 784) and int labels (N,)."""
    from tensor import train

    return train(xtrain, ytrain, W, b, V, c, epochs=epochs, learning_rate=learning_rate, batch_size=batch_size)
