"""Questions 4 and 5: the student's train() loops, run in the worker (tasks.py) from weights drawn
here, on data the parent sends; the returned parameters are evaluated HERE with trusted maths: the
synthetic data's training loss, MNIST's validation accuracy (load_mnist's split: the first 55,000
training images train, the last 5,000 validate). What the worker returns is only parameters: the
inputs (x / 255 for MNIST), the predictions and the losses they are judged on are computed here."""
import numpy as np
import pytest

from grader import checks
from grader.proxy import StudentTimeout

VALIDATION = slice(55_000, 60_000)


def initial_weights(seed, sizes, std):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out = sizes
    return (rng.normal(0, std[0], (n_in, n_hidden)), np.zeros(n_hidden),
            rng.normal(0, std[1], (n_hidden, n_out)), np.zeros(n_out))


@pytest.fixture(scope="module")
def synth_run(student, reference, settings, vu):
    """The rows, the initial parameters and what the student's scalar train() returned (or the
    failure it raised, re-raised by each test)."""
    config = settings["scalar_training"]
    (xtrain, ytrain), _, _ = reference.data.load_synth()
    x, y = xtrain[:config["instances"]], ytrain[:config["instances"]]
    start = initial_weights(config["seed"], vu.SCALAR_SIZES, (1.0, 1.0))
    try:
        result = student.run_task("train_synth", xtrain=x.tolist(), ytrain=y.tolist(),
                                  **{k: p.tolist() for k, p in zip("WbVc", start)},
                                  epochs=config["epochs"], learning_rate=config["learning_rate"])
    except Exception as e:  # the student's failure belongs to the tests, not to this fixture
        result = e
    return x, y, start, result


def _synth_result(synth_run, vu):
    x, y, start, result = synth_run
    if isinstance(result, Exception):
        raise result
    params, losses = vu.unpack_parameters(result, vu.SCALAR_SIZES, "train", losses=True)
    return x, y, start, params, losses


@pytest.mark.feedback("train() should lower the training loss: per instance, W -= learning_rate * dW, "
                      "and the same for b, V and c")
def test_scalar_training_lowers_loss(synth_run, settings, vu):
    """Training on the synthetic data lowers the loss"""
    x, y, start, params, _ = _synth_result(synth_run, vu)
    for name, p in zip("WbVc", params):
        checks.finite(p, p.shape, f"{name} after training")
    before, after = vu.mean_loss(x, y, *start), vu.mean_loss(x, y, *params)
    ratio = settings["scalar_training"]["max_loss_ratio"]
    epochs = settings["scalar_training"]["epochs"]
    assert after <= ratio * before, (f"{epochs} epoch(s) over {len(x)} instances took the mean training loss "
                                     f"from {before:.4f} to {after:.4f}; it should fall below {ratio:g} times "
                                     "the start")


@pytest.mark.depends_on("test_scalar_training_lowers_loss")
@pytest.mark.feedback("train() should return the loss of every instance it trained on, in order "
                      "(the curve of Question 4)")
def test_scalar_training_reports_losses(synth_run, settings, vu):
    """train() returns the falling loss per instance"""
    x, _, _, _, losses = _synth_result(synth_run, vu)
    n = len(x) * settings["scalar_training"]["epochs"]
    values = checks.finite(losses, (n,), "the losses train() returned")
    tenth = n // 10
    first, last = values[:tenth].mean(), values[-tenth:].mean()
    assert last < first, (f"the losses train() returned average {first:.4f} over the first tenth of the "
                          f"instances and {last:.4f} over the last; the loss of each instance as it was seen "
                          "should fall")


@pytest.mark.feedback("train() should learn MNIST from pixels 0..255: scale them to x / 255, then minibatch "
                      "gradient descent with your forward_backward_batch (or per-instance derivatives)")
def test_tensor_training_accuracy(student, dataset, settings, vu, record_score, leaderboard):
    """MNIST validation accuracy after a short training"""
    config = settings["tensor_training"]
    train = dataset("mnist")["train"]
    x, y = train.images[:config["instances"]], train.labels[:config["instances"]]
    xval, yval = np.asarray(train.images[VALIDATION], dtype=np.float64) / 255.0, train.labels[VALIDATION]
    n_in, n_hidden, _ = vu.TENSOR_SIZES
    start = initial_weights(config["seed"], vu.TENSOR_SIZES, (n_in ** -0.5, n_hidden ** -0.5))
    best, tried = 0.0, []
    for rate in config["learning_rates"]:
        try:
            result = student.run_task("train_mnist", xtrain=x, ytrain=y, **dict(zip("WbVc", start)),
                                      epochs=config["epochs"], learning_rate=rate, batch_size=config["batch_size"])
        except StudentTimeout:
            if not tried:
                raise
            break
        params, _ = vu.unpack_parameters(result, vu.TENSOR_SIZES, "train")
        accuracy = float(np.mean(vu.predictions(xval, *params) == yval))
        tried.append(f"{accuracy:.2%} at learning rate {rate:g}")
        best = max(best, accuracy)
        if best >= config["full_points_at"]:
            break
    zero, full = config["zero_points_below"], config["full_points_at"]
    leaderboard("validation accuracy (%)", round(100 * best, 2))
    record_score(min(1.0, max(0.0, (best - zero) / (full - zero))))
    assert best >= full, (f"validation accuracy {best:.2%} after {config['epochs']} epoch(s) over {len(x)} "
                          f"images, full points from {full:.0%}, none below {zero:.0%} ({'; '.join(tried)})")
