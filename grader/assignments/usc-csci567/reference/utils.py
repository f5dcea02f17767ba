"""Given code for the neural networks assignment: do not change this file.

The loss, the momentum buffers, the data loader and two helpers neural_networks.py imports.
The grader uses the hand-out's copy of this file whatever you submit.
"""
import json

import numpy as np


class softmax_cross_entropy:
    """Softmax followed by the cross-entropy loss, averaged over the mini-batch.

    forward(X, Y): X is N-by-K scores, Y an N-by-1 array of labels in 0..K-1 (as floats).
    backward(X, Y): the N-by-K gradient of the mean loss w.r.t. X (uses what forward kept).
    """

    def __init__(self):
        self.expand_Y = None
        self.calib_logit = None
        self.sum_exp_calib_logit = None
        self.prob = None

    def forward(self, X, Y):
        # One-hot rows of the labels.
        self.expand_Y = np.zeros(X.shape)
        self.expand_Y[np.arange(X.shape[0]), Y.astype(int).reshape(-1)] = 1.0

        # Subtracting each row's max leaves the softmax unchanged and keeps exp() finite.
        self.calib_logit = X - np.amax(X, axis=1, keepdims=True)
        self.sum_exp_calib_logit = np.sum(np.exp(self.calib_logit), axis=1, keepdims=True)
        self.prob = np.exp(self.calib_logit) / self.sum_exp_calib_logit

        log_prob = self.calib_logit - np.log(self.sum_exp_calib_logit)
        forward_output = -np.sum(np.multiply(self.expand_Y, log_prob)) / X.shape[0]
        return forward_output

    def backward(self, X, Y):
        backward_output = -(self.expand_Y - self.prob) / X.shape[0]
        return backward_output


def add_momentum(model):
    """One velocity per learnable parameter, named module_name + '_' + key, all zeros."""
    momentum = dict()
    for module_name, module in model.items():
        if hasattr(module, 'params'):
            for key, _ in module.params.items():
                momentum[module_name + '_' + key] = np.zeros(module.gradient[key].shape)
    return momentum


def data_loader_mnist(dataset):
    """Xtrain, Ytrain, Xvalid, Yvalid, Xtest, Ytest from the JSON file `dataset`: an object with
    keys train, valid and test, each [X, y] (X rows of 784 pixels in [0, 1], y integer labels)."""
    with open(dataset, 'r') as f:
        data_set = json.load(f)
    train_set, valid_set, test_set = data_set['train'], data_set['valid'], data_set['test']

    Xtrain = np.array(train_set[0])
    Ytrain = np.array(train_set[1])
    Xvalid = np.array(valid_set[0])
    Yvalid = np.array(valid_set[1])
    Xtest = np.array(test_set[0])
    Ytest = np.array(test_set[1])

    return Xtrain, Ytrain, Xvalid, Yvalid, Xtest, Ytest


def predict_label(f):
    """The predicted class of each row of scores f, as an N-by-1 float column."""
    if f.shape[1] == 1:
        return (f > 0).astype(float)
    return np.argmax(f, axis=1).astype(float).reshape((f.shape[0], -1))


class DataSplit:
    """The examples of one split; get_example(idx) gives a mini-batch (len(idx)-by-d, len(idx)-by-1)."""

    def __init__(self, X, Y):
        self.X = X
        self.Y = Y
        (self.N, self.d) = self.X.shape

    def get_example(self, idx):
        batchX = np.zeros((len(idx), self.d))
        for i in range(len(idx)):
            batchX[i] = self.X[idx[i]]

        batchY = np.zeros((len(idx), 1))
        for i in range(len(idx)):
            batchY[i] = self.Y[idx[i]]
        return batchX, batchY
