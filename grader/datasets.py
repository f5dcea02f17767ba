"""Data sets an assignment declares ([data.<name>]), made from what the project ships.

Every format is written from MNIST's own bytes (data/mnist, or Debian's Fashion-MNIST), so the
parent can always recompute the exact pixels a student's file holds. Three views of one set:
- load_splits: the splits as uint8 images and int64 labels, for the hidden tests (parent only);
- handout_files: the files in the course's format, for the published hand-out;
- worker_files: the same files with every test label removed, for the sandbox.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from grader.assignment import DataSpec
from grader.data import FASHION_MNIST_DIR, IDX_FILES, REPO_MNIST_DIR, load_mnist_pixels
from grader.errors import ConfigError


class Split(NamedTuple):
    images: np.ndarray
    """uint8 pixels 0..255, shape (N, 784), read-only."""
    labels: np.ndarray
    """int64 labels 0..9, shape (N,)."""


def source_dir(spec: DataSpec, root: Path) -> Path:
    """The IDX folder a set is made from: "mnist", "fashion-mnist", or a folder relative to root."""
    if spec.source == "mnist":
        return REPO_MNIST_DIR
    if spec.source == "fashion-mnist":
        return FASHION_MNIST_DIR
    return (root / spec.source).resolve()


def load_splits(spec: DataSpec, root: Path) -> dict[str, Split]:
    """{"train": Split, "test": Split} (and "valid" where the format splits it off)."""
    if spec.format != "idx":
        raise ConfigError(f"[data.{spec.name}] format {spec.format!r} is not supported yet")
    train_x, train_y, test_x, test_y = load_mnist_pixels(source_dir(spec, root))
    return {"train": Split(train_x, train_y), "test": Split(test_x, test_y)}


def handout_files(spec: DataSpec, root: Path) -> dict[str, Path]:
    """Name in the hand-out's data/ -> file, in the course's format (with the source's licence
    note, when it has one, as <SOURCE>-README.md)."""
    folder = source_dir(spec, root)
    files = {name + ".gz": folder / (name + ".gz") for name in IDX_FILES}
    if (folder / "README.md").is_file():
        files["MNIST-README.md" if spec.source == "mnist" else f"{spec.name}-README.md"] = folder / "README.md"
    return files


def worker_files(spec: DataSpec, root: Path) -> list[Path]:
    """The files the worker may read, without test labels."""
    return [path for name, path in handout_files(spec, root).items()
            if name.endswith(".gz") and not name.startswith("t10k-labels")]
