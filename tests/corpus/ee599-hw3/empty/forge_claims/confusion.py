"""USC EE599 HW3 problem 2: the confusion matrix of a classifier, and the classes it mixes up.

Labels and predictions are integer classes 0..9, one per example; a confusion matrix is a
(10, 10) array of rates, row i conditioned on the true class i.
"""
import numpy as np

FASHION_MNIST = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def confusion_matrix(labels, predictions, classes):
    """Element (i, j): the rate at which the network decides class j when class i is the label,
    (examples of class i predicted as j) / (examples of class i); each row sums to 1."""
    # TODO START
    return np.zeros((classes, classes))
    # TODO END


def most_confused(matrix):
    """For each class m, the other class j != m with the largest matrix[m, j]: a list of classes."""
    # TODO START
    return [0] * len(matrix)
    # TODO END


def most_confused_pair(matrix):
    """The two classes most likely to be confused: the pair i != j with the largest
    matrix[i, j] + matrix[j, i], as [i, j] with i < j."""
    # TODO START
    return [0, 0]
    # TODO END


def format_table(matrix, names=FASHION_MNIST):
    """The matrix as a plain-text table of percentages, true classes down, decisions across."""
    width = max(len(name) for name in names) + 1
    lines = ["true \\ decided".ljust(width) + "".join(name[:7].rjust(8) for name in names)]
    for name, row in zip(names, np.asarray(matrix)):
        lines.append(name.ljust(width) + "".join(f"{100 * rate:7.1f}%" for rate in row))
    return "\n".join(lines)
