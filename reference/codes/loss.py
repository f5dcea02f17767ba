from __future__ import division
import numpy as np


def log_softmax(x):
    """ln softmax(x) row by row; subtracting the row maximum keeps e^x from overflowing."""
    z = x - np.max(x, axis=1, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))


class MSELoss(object):
    """E = 1/N sum_n ||t_n - y_n||^2; dE/dy = 2 (y - t) / N."""

    def __init__(self, name):
        self.name = name

    def forward(self, input, target):
        # TODO START
        return np.sum((target - input) ** 2) / input.shape[0]
        # TODO END

    def backward(self, input, target):
        # TODO START
        return 2 * (input - target) / input.shape[0]
        # TODO END


class SoftmaxCrossEntropyLoss(object):
    """E = 1/N sum_n -sum_k t_nk ln h_nk with h = softmax(x); dE/dx = (h - t) / N for one-hot t."""

    def __init__(self, name):
        self.name = name

    def forward(self, input, target):
        # TODO START
        return -np.sum(target * log_softmax(input)) / input.shape[0]
        # TODO END

    def backward(self, input, target):
        # TODO START
        return (np.exp(log_softmax(input)) - target) / input.shape[0]
        # TODO END


class HingeLoss(object):
    """E = 1/N sum_n sum_{k != t_n} max(0, margin - x_{n,t_n} + x_nk).

    Each active term (margin - x_t + x_k > 0) adds +1 to dE/dx_k and -1 to dE/dx_t, over N.
    """

    def __init__(self, name, margin=5):
        self.name = name
        self.margin = margin

    def forward(self, input, target):
        # TODO START
        x_true = np.sum(input * target, axis=1, keepdims=True)
        terms = np.maximum(0, self.margin - x_true + input) * (1 - target)
        return np.sum(terms) / input.shape[0]
        # TODO END

    def backward(self, input, target):
        # TODO START
        x_true = np.sum(input * target, axis=1, keepdims=True)
        active = (self.margin - x_true + input > 0) * (1 - target)
        grad = active - target * np.sum(active, axis=1, keepdims=True)
        return grad / input.shape[0]
        # TODO END


class FocalLoss(object):
    """E = 1/N sum_n -sum_k (alpha_k t_k + (1 - alpha_k)(1 - t_k)) (1 - h_k)^gamma t_k ln h_k,
    h = softmax(x) (Lin et al., 2017).

    With c_k the constant weight of class k and q_k = dE/dh_k * h_k
    = c_k (gamma (1 - h_k)^(gamma - 1) h_k ln h_k - (1 - h_k)^gamma), the softmax Jacobian gives
    dE/dx_j = (q_j - h_j sum_k q_k) / N, which never divides by h.
    """

    def __init__(self, name, alpha=None, gamma=2.0):
        self.name = name
        if alpha is None:
            self.alpha = [0.1 for _ in range(10)]
        else:
            self.alpha = alpha
        self.gamma = gamma

    def forward(self, input, target):
        # TODO START
        alpha = np.asarray(self.alpha, dtype=input.dtype)
        weight = (alpha * target + (1 - alpha) * (1 - target)) * target
        log_h = log_softmax(input)
        focus = (1 - np.exp(log_h)) ** self.gamma
        return -np.sum(weight * focus * log_h) / input.shape[0]
        # TODO END

    def backward(self, input, target):
        # TODO START
        alpha = np.asarray(self.alpha, dtype=input.dtype)
        weight = (alpha * target + (1 - alpha) * (1 - target)) * target
        log_h = log_softmax(input)
        h = np.exp(log_h)
        q = weight * (self.gamma * (1 - h) ** (self.gamma - 1) * h * log_h - (1 - h) ** self.gamma)
        return (q - h * np.sum(q, axis=1, keepdims=True)) / input.shape[0]
        # TODO END
