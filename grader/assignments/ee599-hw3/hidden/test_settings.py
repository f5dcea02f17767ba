"""The choices the report states (settings()) and the data as the course gives it (load_data()).

settings() is the student's own design: any sizes from 784 to 10, any three initial rates, any
two halving epochs; the rules checked are the course's (a minibatch size that divides 50,000,
between 50 and 1,000; 50 epochs; the rate halved twice after whole epochs). load_data runs in the
worker on its copy of mnist_traindata.hdf5 (tasks.split_summary) and is judged here against the
parent's own copy of the same file."""
import numpy as np
import pytest

TRAIN_FILE = "mnist_traindata.hdf5"
N_TRAIN, N_VALID = 50000, 10000
ROWS = {"train": [0, 1, 12345, N_TRAIN - 1], "valid": [0, 1, 5000, N_VALID - 1]}
PARTS = ("x_train", "y_train", "x_valid", "y_valid")


def read_settings(student):
    got = student.mlp_numpy.settings()
    if not isinstance(got, dict):
        raise AssertionError(f"settings() returned a {type(got).__name__}, expected a dict")
    missing = [k for k in ("sizes", "batch_size", "learning_rates", "halve_at", "epochs", "init") if k not in got]
    if missing:
        raise AssertionError(f"settings() has no {missing[0]!r}")
    return got


def whole(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) or \
        isinstance(value, float) and value.is_integer()


@pytest.mark.feedback("settings() returns your choices: sizes from 784 to 10, three initial learning rates, "
                      "two epochs after which the rate halves, 50 epochs, and how the weights start")
def test_settings_describe_the_network(student):
    """settings(): the network, three learning rates, two halvings in 50 epochs"""
    got = read_settings(student)
    sizes = got["sizes"]
    if not isinstance(sizes, (list, tuple)) or len(sizes) < 3 or not all(whole(s) and s > 0 for s in sizes):
        raise AssertionError(f"sizes is {sizes!r}: a list of layer sizes with at least one hidden layer")
    if sizes[0] != 784 or sizes[-1] != 10:
        raise AssertionError(f"sizes {list(sizes)} must start at 784 inputs and end at 10 outputs")
    rates = got["learning_rates"]
    if not isinstance(rates, (list, tuple)) or len(rates) != 3 or not all(
            isinstance(r, (int, float)) and not isinstance(r, bool) and r > 0 for r in rates) or len(set(rates)) != 3:
        raise AssertionError(f"learning_rates is {rates!r}: three different positive initial rates")
    if got["epochs"] != 50:
        raise AssertionError(f"epochs is {got['epochs']!r}; the course trains for 50")
    halve = got["halve_at"]
    if not isinstance(halve, (list, tuple)) or len(halve) != 2 or len(set(halve)) != 2 or not all(
            whole(e) and 1 <= e < 50 for e in halve):
        raise AssertionError(f"halve_at is {halve!r}: two different epochs (1 to 49) after which the rate halves")
    if not isinstance(got["init"], str) or not got["init"].strip():
        raise AssertionError("init should say in words how the weights start (e.g. 'He normal')")


@pytest.mark.feedback("the minibatch size must be between 50 and 1000 and divide 50,000 "
                      "(50,000 / batch_size updates per epoch)")
def test_batch_size_rule(student):
    """settings(): the minibatch size divides 50,000 and lies in 50..1000"""
    size = read_settings(student)["batch_size"]
    if not whole(size):
        raise AssertionError(f"batch_size is {size!r}, not a whole number")
    if not 50 <= size <= 1000:
        raise AssertionError(f"batch_size {size:g} is outside 50..1000")
    if N_TRAIN % int(size):
        raise AssertionError(f"batch_size {size:g} does not divide 50,000")


def expected_parts(mnist):
    """(rows, column sums) of x_train, y_train, x_valid, y_valid as the file holds them."""
    images, labels = mnist.train
    found = []
    for name, begin, end, rows in (("train", 0, N_TRAIN, ROWS["train"]), ("valid", N_TRAIN, N_TRAIN + N_VALID,
                                                                          ROWS["valid"])):
        index = np.asarray(rows) + begin
        x_sums = sum(mnist.x(images[s:s + 5000]).sum(axis=0, dtype=np.float64) for s in range(begin, end, 5000))
        found.append((mnist.x(images[index]).astype(np.float64), x_sums))
        found.append((mnist.y(labels[index]).astype(np.float64), np.bincount(labels[begin:end], minlength=10)))
    return found


@pytest.mark.feedback("load_data(path) returns (x_train, y_train, x_valid, y_valid): xdata and ydata as the file "
                      "stores them (no preprocessing, one-hot labels), the first 50,000 rows to train and the "
                      "last 10,000 to validate")
def test_load_data_split(student, mnist, hw3):
    """load_data: the file's first 50,000 rows to train, the last 10,000 to validate"""
    got = student.run_task("split_summary", path=TRAIN_FILE, train_rows=ROWS["train"], valid_rows=ROWS["valid"])
    if got["count"] != 4:
        raise AssertionError(f"load_data returned a {got['type']}"
                             + (f" of {got['count']} items" if got["count"] is not None else "")
                             + ", expected four arrays (x_train, y_train, x_valid, y_valid)")
    for name, summary, (rows, sums) in zip(PARTS, got["arrays"], expected_parts(mnist)):
        n = N_TRAIN if "train" in name else N_VALID
        shape = (n, rows.shape[1])
        if tuple(summary["shape"]) != shape:
            what = "one-hot rows, as ydata stores them" if name[0] == "y" else "one row of 784 pixels per image"
            raise AssertionError(f"load_data's {name} has shape {tuple(summary['shape'])}, expected {shape} ({what})")
        if "rows" not in summary:
            raise AssertionError(f"load_data's {name} is an array of {summary['dtype']}, expected numbers")
        first = "the first 50,000 rows" if n == N_TRAIN else "the last 10,000 rows"
        hw3.close(summary["rows"], rows, f"load_data's {name}: some of its rows are not those of {first} of the "
                  "file in order", rtol=1e-6)
        hw3.close(summary["column_sums"], sums, f"load_data's {name}: its column sums are not those of {first} "
                  "of the file", rtol=1e-6)
