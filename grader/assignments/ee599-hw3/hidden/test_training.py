"""The learning-rate schedule, accuracy, and train: a small run whose per-epoch accuracies are
checked against the parent's own evaluation of the returned network, and a short run on the
course's 50,000 training images that the parent scores on the MNIST test set.

The worker trains; the network comes back as plain arrays and THIS process computes every
accuracy that is graded. The worker never sees a test label (its mnist_testdata.hdf5 has none)."""
import numpy as np
import pytest

from grader import training_score

N_TRAIN = 50000
SMALL = {"train": 2000, "valid": 500}


def parent_accuracy(hw3, params, images, labels, mnist, activation) -> float:
    """The returned network's accuracy, computed here (images as the file holds them)."""
    logits = np.vstack([hw3.logits(params, mnist.x(images[s:s + 2000]), activation)
                        for s in range(0, len(images), 2000)])
    return float(np.mean(logits.argmax(axis=1) == labels))


def check_history(hw3, result, epochs, sizes, note):
    """The result of train: the network and one accuracy per epoch for each split."""
    if not isinstance(result, dict) or not {"params", "train_acc", "valid_acc"} <= set(result):
        raise AssertionError(f"train returned {hw3.describe(result)}, expected a dict with params, train_acc "
                             "and valid_acc")
    for key in ("train_acc", "valid_acc"):
        got = result[key]
        if not isinstance(got, (list, tuple, np.ndarray)) or len(got) != epochs:
            raise AssertionError(f"train's {key} should hold one accuracy per epoch ({epochs}), got "
                                 f"{hw3.describe(got)}" + (f" of {len(got)}" if hasattr(got, "__len__") else ""))
    accuracies = {key: [hw3.fraction(a, f"train's {key}[{i}]", note) for i, a in enumerate(result[key])]
                  for key in ("train_acc", "valid_acc")}
    return hw3.network(result["params"], sizes, "train's params"), accuracies


@pytest.mark.feedback("learning_rate(epoch, initial_rate, halve_at): epochs count from 1; the rate halves after "
                      "each epoch in halve_at (halve_at [20, 40]: epochs 1-20 the initial rate, 21-40 half, "
                      "41-50 a quarter)")
def test_learning_rate_schedule(student, hw3):
    """learning_rate: halved after each listed epoch, a quarter at the end"""
    for initial, halve_at, epochs in ((0.1, [20, 40], 50), (0.3, [3, 7], 10)):
        for epoch in range(1, epochs + 1):
            want = initial * 0.5 ** sum(epoch > e for e in halve_at)
            got = float(hw3.values(student.mlp_numpy.learning_rate(epoch, initial, halve_at), (), "learning_rate"))
            if not np.isclose(got, want, rtol=1e-9, atol=0):
                raise AssertionError(f"learning_rate({epoch}, {initial:g}, {halve_at}) is {got:g}, expected {want:g} "
                                     f"(the rate halves after epochs {halve_at[0]} and {halve_at[1]}, counted from 1)")


@pytest.mark.feedback("accuracy(params, x, y, activation): the fraction of the batch whose largest logit is "
                      "at the class of its one-hot label")
def test_accuracy(student, hw3, note):
    """accuracy: the fraction classified right"""
    sizes = [784, 16, 10]
    for seed, activation in enumerate(hw3.ACTIVATIONS):
        params, x = hw3.random_params(sizes, seed), hw3.pixels(seed, 40)
        predicted = hw3.logits(params, x, activation).argmax(axis=1)
        labels = np.where(np.arange(40) < 15, predicted, (predicted + 1 + np.arange(40) % 9) % 10)
        got = hw3.fraction(student.mlp_numpy.accuracy(params, x, np.eye(10)[labels], activation), "accuracy", note)
        if abs(got - 15 / 40) > 1e-9:
            raise AssertionError(f"accuracy of a network that gets 15 of 40 right ({activation}) is {got:g}, "
                                 "expected 0.375")


@pytest.mark.feedback("train(...) returns {'params': the final network, 'train_acc': [...], 'valid_acc': [...]} "
                      "with one accuracy per epoch, the validation accuracy that of the returned network")
def test_train_reports_each_epoch(student, hw3, mnist, settings, note):
    """train: a small run, its accuracies per epoch and its network"""
    images, labels = mnist.train
    n, m = SMALL["train"], SMALL["valid"]
    x_train, y_train = mnist.x(images[:n]), mnist.y(labels[:n])
    x_valid, y_valid = mnist.x(images[N_TRAIN:N_TRAIN + m]), mnist.y(labels[N_TRAIN:N_TRAIN + m])
    sizes, epochs, learned = [784, 32, 10], 3, []
    for rate in settings["accuracy"]["learning_rates"]:  # the smaller one: a scale already charged elsewhere
        result = student.mlp_numpy.train(x_train, y_train, x_valid, y_valid, sizes, "relu", rate, [1], epochs, 100, 0)
        params, accuracies = check_history(hw3, result, epochs, sizes, note)
        valid = parent_accuracy(hw3, params, images[N_TRAIN:N_TRAIN + m], labels[N_TRAIN:N_TRAIN + m], mnist, "relu")
        if abs(accuracies["valid_acc"][-1] - valid) > 1.5 / m:
            raise AssertionError(f"train's last valid_acc is {accuracies['valid_acc'][-1]:.4f}, but the network it "
                                 f"returned gets {valid:.4f} of the validation images right")
        learned.append(f"{valid:.1%} at initial rate {rate:g}")
        if valid >= 0.5:
            return
    raise AssertionError(f"after {epochs} epochs on {n} images the network gets {', '.join(learned)} of the "
                         "validation images right: is it learning?")


@pytest.mark.feedback("your train, with the staff's settings, should reach 94% on the MNIST test set")
def test_mnist_test_accuracy(student, hw3, mnist, settings, limits, record_score, leaderboard):
    """MNIST test accuracy of a short run of your train"""
    config = settings["accuracy"]
    (train_images, train_labels), (test_images, test_labels) = mnist.train, mnist.test

    def run(rate, timeout_s):
        result = student.run_task("train_on_pixels", timeout_s=timeout_s, images=train_images, labels=train_labels,
                                  sizes=config["sizes"], activation=config["activation"], initial_rate=rate,
                                  halve_at=config["halve_at"], epochs=config["epochs"],
                                  batch_size=config["batch_size"], seed=config["seed"])
        if not isinstance(result, dict):  # the accuracies are the small run's business: only the network counts here
            raise AssertionError(f"train returned {hw3.describe(result)}, expected a dict with params")
        params = hw3.network(result.get("params"), config["sizes"], "train's params")
        accuracy = parent_accuracy(hw3, params, test_images, test_labels, mnist, config["activation"])
        return accuracy, f"{accuracy:.2%} at initial rate {rate:g}"

    best, tried = training_score.best_accuracy(run, config["learning_rates"], config["time_budget_s"],
                                               limits.task_timeout_s, config["full_points_at"])
    training_score.award(best, tried, config["zero_points_below"], config["full_points_at"], record_score,
                         leaderboard)
