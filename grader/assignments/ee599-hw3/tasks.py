"""Trusted helpers that run INSIDE the worker (copied there read-only), for work that must not cross
the pipe once per step or whole: the course's 60,000-image training file. They import the student's module by bare
name and return plain data; the parent judges it (and computes the test predictions itself from
the returned weights). The worker's mnist_testdata.hdf5 holds no labels; nothing here reads it.
"""
import numpy as np

N_TRAIN = 50000
UNIT_FLOAT32 = (np.arange(256) / 255.0).astype(np.float32)
"""Pixel byte -> the float32 value the course's HDF5 file stores (grader.datasets.formats)."""


def split_summary(path, train_rows, valid_rows):
    """What the student's load_data(path) gave, small enough to send back: the number of parts
    and, per array, its shape, a few rows and its column sums (float64)."""
    from mlp_numpy import load_data

    parts = load_data(path)
    if not isinstance(parts, (tuple, list)):
        return {"count": None, "type": type(parts).__name__, "arrays": []}
    arrays = []
    for part, rows in zip(parts, (train_rows, train_rows, valid_rows, valid_rows)):
        a = np.asarray(part)
        summary = {"shape": list(a.shape), "dtype": str(a.dtype)}
        if a.dtype.kind in "biuf" and a.ndim in (1, 2) and len(a) > max(rows):
            summary["rows"] = a[rows].astype(np.float64)
            summary["column_sums"] = a.sum(axis=0, dtype=np.float64)
        arrays.append(summary)
    return {"count": len(parts), "type": type(parts).__name__, "arrays": arrays}


def train_on_pixels(images, labels, sizes, activation, initial_rate, halve_at, epochs, batch_size, seed):
    """The student's train on the course's split of the 60,000 training images, sent as uint8
    pixels and integer labels (a quarter of the file's float32, and no gzip to undo) and turned
    here into exactly what mnist_traindata.hdf5 holds: xdata float32 p / 255, ydata float32 one-hot
    rows. The first 50,000 rows train, the last 10,000 validate (the student's load_data is graded
    on its own)."""
    from mlp_numpy import train

    x = UNIT_FLOAT32[np.asarray(images)]
    y = np.eye(10, dtype=np.float32)[np.asarray(labels)]
    return train(x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:], sizes, activation, initial_rate,
                 halve_at, epochs, batch_size, seed)
