"""A small course folder for the data-set tests: the first 400 training and 100 test images of
the shipped MNIST as four gzipped IDX files in <course>/idx, and a private data cache."""
import gzip
import json
import pickle
import shutil
import struct
import types

import h5py
import numpy as np
import pytest

from grader.assignment import DataSpec
from grader.data import IDX_FILES, REPO_MNIST_DIR, read_idx

TRAIN, TEST = 400, 100
SIZES = {"idx": {"train": 300}, "json": {"train": 300, "valid": 60, "test": 100},
         "pkl.gz": {"train": 300, "valid": 100, "test": 80}, "hdf5": {"test": 50}}
"""Small sizes per format; idx keeps all 100 test images, so its t10k files are MNIST-head's own."""


def spec(fmt, sizes=None, files=(), source="idx", name="set"):
    return DataSpec(name, source, fmt, tuple(files), dict(SIZES[fmt] if sizes is None else sizes))


@pytest.fixture(scope="session")
def mnist_head(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mnist-head")
    for name, rows in zip(IDX_FILES, (TRAIN, TRAIN, TEST, TEST)):
        array = read_idx(REPO_MNIST_DIR / (name + ".gz"))[:rows]
        header = struct.pack(">HBB", 0, 8, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
        (folder / (name + ".gz")).write_bytes(gzip.compress(header + array.tobytes(), mtime=0))
    return folder


@pytest.fixture
def course(tmp_path, mnist_head):
    """An assignment folder whose [data] sources can say "idx"."""
    shutil.copytree(mnist_head, tmp_path / "course" / "idx")
    return tmp_path / "course"


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MLP_GRADER_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def read_as_student(fmt, files):
    """{split: (X, y)} read from the files the way a course's students read them."""
    if fmt == "json":
        with open(files["mnist_subset.json"]) as f:
            d = json.load(f)
        return {split: (np.array(d[split][0]), np.array(d[split][1])) for split in ("train", "valid", "test")}
    if fmt == "pkl.gz":
        with gzip.open(files["mnist.pkl.gz"], "rb") as f:
            pairs = pickle.load(f, encoding="latin1")
        return dict(zip(("train", "valid", "test"), pairs))
    if fmt == "hdf5":
        read = {}
        for split in ("train", "test"):
            with h5py.File(files[f"mnist_{split}data.hdf5"], "r") as f:
                read[split] = (f["xdata"][()], f["ydata"][()])
        return read
    x_name, y_name, tx_name, ty_name = (n + ".gz" for n in IDX_FILES)
    return {"train": (read_idx(files[x_name]).reshape(-1, 784), read_idx(files[y_name])),
            "test": (read_idx(files[tx_name]).reshape(-1, 784),
                     read_idx(files[ty_name]) if ty_name in files else None)}


@pytest.fixture
def kit():
    """The helpers above, for the test modules (conftest is not importable under importlib mode)."""
    return types.SimpleNamespace(spec=spec, read_as_student=read_as_student, SIZES=SIZES, TRAIN=TRAIN, TEST=TEST)
