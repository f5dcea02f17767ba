"""Fixtures for the reference solution's tests: its modules, MNIST, and a tiny MNIST written to disk."""
import gzip
import importlib
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from grader.data import IDX_FILES, load_mnist, read_idx, REPO_MNIST_DIR

CODES_DIR = Path(__file__).resolve().parents[2] / "reference" / "codes"
# the order they import each other in; bare names, as in the hand-out
REFERENCE_MODULES = ("utils", "layers", "loss", "network", "solve_net", "load_data", "run_mlp")
TINY_TRAIN, TINY_TEST = 500, 200


@pytest.fixture(scope="module")
def ref():
    """The reference's modules as attributes (ref.layers, ref.loss, ...).

    They import each other by bare name, so reference/codes goes on sys.path just for the import;
    afterwards sys.path and sys.modules are as before, so a student copy named `layers` imported by
    another test folder is never confused with these (nor these with it).
    """
    saved = {name: sys.modules.pop(name) for name in REFERENCE_MODULES if name in sys.modules}
    sys.path.insert(0, str(CODES_DIR))
    try:
        modules = {name: importlib.import_module(name) for name in REFERENCE_MODULES}
    finally:
        sys.path.remove(str(CODES_DIR))
        for name in REFERENCE_MODULES:
            sys.modules.pop(name, None)
        sys.modules.update(saved)
    return SimpleNamespace(**modules)


@pytest.fixture(scope="session")
def mnist():
    """(train_x, train_y, test_x, test_y) of the shipped MNIST, scaled as the hand-out does."""
    return load_mnist()


def write_idx(path, array):
    """Writes an unsigned-byte IDX file, gzipped when path ends in .gz."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    raw = header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()
    path.write_bytes(gzip.compress(raw, compresslevel=1) if path.suffix == ".gz" else raw)


@pytest.fixture(scope="session")
def tiny_raw():
    """The first 500 training and 200 test images (uint8, N x 28 x 28) and labels of the shipped MNIST."""
    sizes = (TINY_TRAIN, TINY_TRAIN, TINY_TEST, TINY_TEST)
    return tuple(read_idx(REPO_MNIST_DIR / (name + ".gz"))[:n] for name, n in zip(IDX_FILES, sizes))


@pytest.fixture(scope="session")
def tiny_mnist_dir(tmp_path_factory, tiny_raw):
    """A folder holding tiny_raw as the four gzipped IDX files."""
    folder = tmp_path_factory.mktemp("tiny-mnist")
    for name, array in zip(IDX_FILES, tiny_raw):
        write_idx(folder / (name + ".gz"), array)
    return folder


@pytest.fixture(scope="module")
def handout(tmp_path_factory, tiny_mnist_dir):
    """The hand-out layout: codes/ (the reference files) beside data/mnist/ (the tiny MNIST)."""
    root = tmp_path_factory.mktemp("handout")
    shutil.copytree(CODES_DIR, root / "codes", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(tiny_mnist_dir, root / "data" / "mnist")
    return root
