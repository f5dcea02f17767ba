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
    cm = np.zeros((classes, classes))
    for t, p in zip(labels, predictions):
        cm[t][p] += 1
    for i in range(classes):
        cm[i] = cm[i] / np.sum(cm[i])
    return cm
    # TODO END


def most_confused(matrix):
    """For each class m, the other class j != m with the largest matrix[m, j]: a list of classes."""
    # TODO START
    result = []
    for m in range(len(matrix)):
        best, best_rate = -1, -1.0
        for j in range(len(matrix)):
            if j != m and matrix[m][j] > best_rate:
                best, best_rate = j, matrix[m][j]
        result.append(best)
    return result
    # TODO END


def most_confused_pair(matrix):
    """The two classes most likely to be confused: the pair i != j with the largest
    matrix[i, j] + matrix[j, i], as [i, j] with i < j."""
    # TODO START
    best, pair = -1.0, None
    for i in range(len(matrix)):
        for j in range(i + 1, len(matrix)):
            if matrix[i][j] + matrix[j][i] > best:
                best, pair = matrix[i][j] + matrix[j][i], (i, j)
    return pair
    # TODO END


def format_table(matrix, names=FASHION_MNIST):
    """The matrix as a plain-text table of percentages, true classes down, decisions across."""
    width = max(len(name) for name in names) + 1
    lines = ["true \\ decided".ljust(width) + "".join(name[:7].rjust(8) for name in names)]
    for name, row in zip(names, np.asarray(matrix)):
        lines.append(name.ljust(width) + "".join(f"{100 * rate:7.1f}%" for rate in row))
    return "\n".join(lines)
