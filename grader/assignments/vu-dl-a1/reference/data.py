"""The course's data loaders (given: do not change this file).

load_synth is the course's own. load_mnist keeps the course's splits but reads the MNIST files
shipped with the hand-out (data/ beside this file) instead of downloading them.
"""
import gzip
import os

import numpy as np

MNIST_FILES = {"training_images": "train-images-idx3-ubyte.gz", "training_labels": "train-labels-idx1-ubyte.gz",
               "test_images": "t10k-images-idx3-ubyte.gz", "test_labels": "t10k-labels-idx1-ubyte.gz"}
HERE = os.path.dirname(os.path.abspath(__file__))


def load_synth(num_train=60_000, num_val=10_000, seed=0):
    """Two features, two classes split by an ellipse: (xtrain, ytrain), (xval, yval), num_cls."""
    np.random.seed(seed)

    THRESHOLD = 0.6
    quad = np.asarray([[1, -0.05], [1, .4]])

    ntotal = num_train + num_val

    x = np.random.randn(ntotal, 2)

    # compute the quadratic form
    q = np.einsum('bf, fk, bk -> b', x, quad, x)
    y = (q > THRESHOLD).astype(int)

    return (x[:num_train, :], y[:num_train]), (x[num_train:, :], y[num_train:]), 2


def load_mnist(final=False, flatten=True):
    """MNIST, pixels 0..255 as uint8 (normalise them yourself): (xtrain, ytrain), (xval, yval), 10.

    final=False: the first 55,000 training images, and the last 5,000 as validation data.
    final=True: all 60,000 training images, and the 10,000 test images."""
    xtrain, ytrain = _read("training_images"), _read("training_labels")
    if not final:
        xtrain, ytrain, xtest, ytest = xtrain[:-5000], ytrain[:-5000], xtrain[-5000:], ytrain[-5000:]
    else:
        xtest, ytest = _read("test_images"), _read("test_labels")
    if flatten:
        xtrain, xtest = xtrain.reshape(len(xtrain), -1), xtest.reshape(len(xtest), -1)
    return (xtrain, ytrain), (xtest, ytest), 10


def _read(name):
    """One IDX file: images as (N, 28, 28), labels as (N,), both uint8."""
    for folder in (os.path.join(HERE, "data"), HERE):
        path = os.path.join(folder, MNIST_FILES[name])
        if os.path.isfile(path):
            with gzip.open(path, "rb") as f:
                raw = f.read()
            if name.endswith("images"):
                return np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28)
            return np.frombuffer(raw, np.uint8, offset=8)
    raise FileNotFoundError(f"{MNIST_FILES[name]} is not in {os.path.join(HERE, 'data')}: "
                            "unpack the hand-out's data/ folder next to data.py")
