"""Problem 2: the confusion matrix (rates conditioned on the true class) and the classes most
confused, graded on fixed labels and predictions made here (a seeded classifier with a known
confusion pattern), never on a real test set: test labels stay out of the worker."""
import numpy as np
import pytest

CONFUSED_WITH = [6, 7, 4, 0, 2, 7, 0, 9, 3, 5]
"""Where each class's mistakes mostly go (Fashion-MNIST-like: shirts and T-shirts, coats and pullovers)."""


def fixed_predictions(seed, counts, classes, right):
    """Labels with counts[c] examples of class c, and predictions right at rate right[c], else mostly
    CONFUSED_WITH[c] and sometimes any other class."""
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.repeat(np.arange(classes), counts))
    draw = rng.random(len(labels))
    other = (labels + rng.integers(1, classes, len(labels))) % classes
    usual = np.array(CONFUSED_WITH)[labels] % classes
    usual = np.where(usual == labels, (labels + 1) % classes, usual)
    predictions = np.where(draw < np.asarray(right)[labels], labels, np.where(draw < 0.97, usual, other))
    return labels, predictions


def rates(labels, predictions, classes):
    counts = np.zeros((classes, classes))
    np.add.at(counts, (labels, predictions), 1)
    return counts / counts.sum(axis=1, keepdims=True)


def fixed_matrix():
    """A row-stochastic matrix whose rows have one clear largest entry off the diagonal; in row 6 it
    is larger than the diagonal (a class the network gets wrong more often than right)."""
    m = np.full((10, 10), 0.01)
    for i, j in enumerate(CONFUSED_WITH):
        m[i, j] = 0.05 + 0.01 * i
    m[6, 0], m[0, 6] = 0.5, 0.2
    np.fill_diagonal(m, 0.0)
    np.fill_diagonal(m, 1.0 - m.sum(axis=1))
    return m


@pytest.mark.feedback("confusion_matrix(labels, predictions, classes): element (i, j) = (examples of class i "
                      "predicted as j) / (examples of class i), so each row sums to 1")
def test_confusion_matrix(student, hw3):
    """confusion_matrix: rates conditioned on the true class"""
    for seed, (counts, classes) in enumerate((([120, 95, 130, 110, 100, 140, 90, 105, 125, 115], 10),
                                              ([40, 10, 25, 60], 4))):
        right = np.linspace(0.9, 0.5, classes)
        labels, predictions = fixed_predictions(seed, counts, classes, right)
        hw3.close(student.confusion.confusion_matrix(labels, predictions, classes), rates(labels, predictions, classes),
                  f"confusion_matrix of {len(labels)} predictions ({classes} classes)", rtol=1e-6)


@pytest.mark.feedback("most_confused(matrix): for each class m, the class j != m with the largest matrix[m, j] "
                      "(leave the diagonal out: it is the rate of right answers)")
def test_most_confused(student, hw3):
    """most_confused: the class each class is most often taken for"""
    matrix = fixed_matrix()
    off = matrix - np.diag(np.full(10, np.inf))
    want = off.argmax(axis=1)
    got = hw3.values(student.confusion.most_confused(matrix), (10,), "most_confused")
    wrong = [m for m in range(10) if got[m] != want[m]]
    if wrong:
        m = wrong[0]
        raise AssertionError(f"most_confused gives class {got[m]:g} for class {m}; row {m} is "
                             f"{np.round(matrix[m], 3).tolist()}")


@pytest.mark.feedback("most_confused_pair(matrix): the classes i != j with the largest matrix[i, j] + matrix[j, i]")
def test_most_confused_pair(student, hw3):
    """most_confused_pair: the two classes most likely confused"""
    matrix = fixed_matrix()  # its largest off-diagonal entry lies in the most confused pair too
    got = hw3.values(student.confusion.most_confused_pair(matrix), (2,), "most_confused_pair")
    if sorted(got.tolist()) != [0.0, 6.0]:
        raise AssertionError(f"most_confused_pair gives {got.tolist()}: another pair of classes has a larger "
                             "matrix[i, j] + matrix[j, i]")
