"""Accuracy on MNIST: the worker trains the student's Linear (forward, backward, update) and
softmax cross-entropy (forward, then backward) in solve_net's loop (tasks.train_weights) on the
training images; the learned weights come back as plain arrays and THIS process computes the test
predictions with trusted code. The worker never sees a test image or label, so a layer that
memorises, detects its caller or returns stored answers earns nothing.

Two epochs with a decaying learning rate clear 95% with a margin for a correct solution (96.5%
on three seeds with the reference); a wrong learning-rate scale (a loss
gradient missing 1/N, already charged in the loss tests) is retried with smaller rates."""
import numpy as np
import pytest

from grader import training_score


def trusted_predictions(weights, images, hidden, check):
    """argmax of Linear - Relu - Linear with the learned weights, computed here."""
    W1 = check.values(weights.get("W1"), (images.shape[1], hidden), "the first Linear's W after training")
    b1 = check.values(weights.get("b1"), (hidden,), "the first Linear's b after training")
    W2 = check.values(weights.get("W2"), (hidden, 10), "the second Linear's W after training")
    b2 = check.values(weights.get("b2"), (10,), "the second Linear's b after training")
    scores = [np.maximum(0, x @ W1 + b1) @ W2 + b2
              for x in (scaled(images[s:s + 5000]) for s in range(0, len(images), 5000))]
    return np.argmax(np.vstack(scores), axis=1)


def scaled(images):
    return (np.asarray(images, dtype=np.float64).reshape(len(images), -1) - 128.0) / 255.0


def mean_loss(losses) -> str:
    """The mean of what the student's forward returned on the last tenth of the batches, for the message."""
    values = [float(np.asarray(v, dtype=np.float64).reshape(-1)[0]) for v in losses or []
              if isinstance(v, (int, float, np.ndarray)) and not isinstance(v, bool) and np.size(v) == 1]
    tail = values[-max(1, len(values) // 10):]
    return f"; your loss.forward averaged {np.mean(tail):.4g} on the last batches" if tail else ""


@pytest.mark.feedback("a network built from your Linear, the given Relu and your SoftmaxCrossEntropyLoss should "
                      "reach 95% test accuracy on MNIST with the staff's configuration")
def test_accuracy_on_mnist(student, mnist, settings, limits, check, record_score, leaderboard):
    """MNIST test accuracy of your network"""
    config = settings["accuracy"]
    train_images, train_y, test_images, test_y = mnist  # uint8 pixels: the worker scales per batch
    # A stub or a crash shows on 100 images in a blink; don't ship 50 MB of images to find out.
    student.run_task("train_weights", train_images=train_images[:100], train_y=train_y[:100], hidden=8)
    def run(rate, timeout_s):
        weights = student.run_task(
            "train_weights", timeout_s=timeout_s, train_images=train_images, train_y=train_y,
            learning_rate=rate, final_rate=config["final_rate"], seed=config["seed"], hidden=config["hidden"],
            epochs=config["epochs"],
            batch_size=config["batch_size"], momentum=config["momentum"], init_std=config["init_std"])
        if not isinstance(weights, dict):
            raise AssertionError("training did not return the layers' weights")
        accuracy = float(np.mean(trusted_predictions(weights, test_images, config["hidden"], check) == test_y))
        return accuracy, f"{accuracy:.2%} at learning rate {rate:g}{mean_loss(weights.get('losses'))}"

    best, tried = training_score.best_accuracy(run, config["learning_rates"], config["time_budget_s"],
                                               limits.task_timeout_s, config["full_points_at"])
    training_score.award(best, tried, config["zero_points_below"], config["full_points_at"], record_score,
                         leaderboard)
