"""Trusted helpers that run INSIDE the worker (copied there read-only), for work that must not cross
the pipe whole: the course's 60,000-image training file. They import the student's module by bare
name and return plain data; the parent judges it (and computes the test predictions itself from
the returned weights). The worker's mnist_testdata.hdf5 holds no labels; nothing here reads it.
"""
import numpy as np

N_TRAIN = 50000


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


def train_on_file(path, sizes, activation, initial_rate, halve_at, epochs, batch_size, seed):
    """The student's train on the course's split of the training file, read here (the student's
    load_data is graded on its own): the first 50,000 rows to train, the last 10,000 to validate."""
    import h5py
    from mlp_numpy import train

    with h5py.File(path, "r") as f:
        x, y = np.asarray(f["xdata"]), np.asarray(f["ydata"])
    return train(x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:], sizes, activation, initial_rate,
                 halve_at, epochs, batch_size, seed)
