"""Step 6 on MNIST: the student's own sgd (with their forward_batch and gradients_batch) trains in
the worker on mnist.pkl.gz's training split (tasks.train_on_mnist; the worker's copy has no test
labels), with the staff's short configuration ([settings.mnist]); the trained W, b, V, c come back
as plain arrays and the test error is computed HERE, with the reference's forward_batch on the
test split, so nothing the worker says about its own accuracy counts."""
import numpy as np
import pytest


def error_rate_of(ref, kit, params, images, labels, hidden) -> float:
    shapes = {"W": (hidden, images.shape[1]), "b": (hidden,), "V": (10, hidden), "c": (10,)}
    if not isinstance(params, dict) or any(name not in params for name in kit.NAMES):
        raise AssertionError("training did not return a dict of W, b, V, c")
    weights = {name: kit.values(params[name], shape, f"the trained {name}") for name, shape in shapes.items()}
    with np.errstate(all="ignore"):  # diverged weights give nan scores: an error, not a crash
        wrong = [np.argmax(ref.forward_batch(weights, images[s:s + 2000])[1], axis=1) != labels[s:s + 2000]
                 for s in range(0, len(images), 2000)]
    return float(np.mean(np.concatenate(wrong)))


@pytest.mark.feedback("your sgd, forward_batch and gradients_batch should train the 784-64-10 network to under 5% "
                      "test error with the staff's configuration")
def test_mnist_test_error(student, ref, kit, dataset, settings, record_score, leaderboard):
    """MNIST test error after a short training with your sgd"""
    config = settings["mnist"]
    # A stub or a crash shows on 100 rows in a blink.
    student.run_task("train_on_mnist", hidden=8, epochs=1, batch_size=config["batch_size"],
                     learning_rate=config["learning_rate"], seed=config["seed"], rows=100)
    trained = student.run_task("train_on_mnist", hidden=config["hidden"], epochs=config["epochs"],
                               batch_size=config["batch_size"], learning_rate=config["learning_rate"],
                               seed=config["seed"])
    images, labels = dataset("mnist", as_stored=True)["test"]
    error = error_rate_of(ref, kit, trained.get("params") if isinstance(trained, dict) else None, images, labels,
                       config["hidden"])
    full, zero = config["full_points_below"], config["zero_points_from"]
    leaderboard("test error (%)", round(100 * error, 2), order="asc")
    record_score(min(1.0, max(0.0, (zero - error) / (zero - full))))
    assert error < full, f"test error {error:.2%}: full points under {full:.0%}, none from {zero:.0%}"
