"""The four course formats: what each file holds, written from MNIST's uint8 splits.

One table per format maps a pixel byte p to the value its file stores; the writers and `stored`
both use it, so the parent can recompute exactly the numbers a student's code reads:
- idx: the bytes themselves (four IDX files, gzipped when the name ends in .gz);
- json: round(p / 255, 4) written as its shortest text ("0.0", "0.0039", ..., "1.0"), 256
  distinct values, so round(x * 255) gives p back; labels as integers;
- pkl.gz: float32(p / 255) images and int64 labels in a protocol-2 pickle, as deeplearning.net's;
- hdf5: float32(p / 255) in `xdata` and float32 one-hot rows in `ydata`, one file per split.
The worker's copies (worker=True) lose every test label: json -1s, pkl.gz -1s, hdf5 zero rows,
idx no t10k-labels file. Every write is reproducible: gzip with no time stamp, HDF5 with no object
times, pickles with fixed global names.
"""
from __future__ import annotations

import gzip
import json
import pickle
import pickletools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from grader.data import IDX_FILES, IDX_UBYTE

GZIP_LEVEL = 6  # level 9 took four times as long on the 240 MB pickle for 1.5% less
HDF5_CHUNK_ROWS = 128  # 400 KB chunks fit h5py's 1 MB chunk cache: row-by-row reads stay fast
CLASSES = 10
JSON_TEXT = np.array([repr(round(p / 255, 4)) for p in range(256)], dtype=object)
JSON_VALUE = np.array([float(text) for text in JSON_TEXT])
"""What json.load gives back for each pixel byte."""
UNIT_FLOAT32 = (np.arange(256) / 255.0).astype(np.float32)
ONE_HOT_FLOAT32 = np.eye(CLASSES, dtype=np.float32)


class Split(NamedTuple):
    images: np.ndarray
    """uint8 pixels 0..255, shape (N, 784), read-only (as_stored: the file's values)."""
    labels: np.ndarray
    """int64 labels 0..9, shape (N,) (as_stored: the file's labels, e.g. hdf5's one-hot rows)."""


Writer = Callable[[dict[str, Split], tuple[str, ...], Path, tuple[Path, ...], bool], None]


@dataclass(frozen=True)
class Format:
    splits: tuple[str, ...]
    """Split names, "test" last (cut from the test images; the others from the training images)."""
    sizes: dict[str, int | None]
    """Rows per split unless [data] sizes says otherwise; None: every row the source has left."""
    files: tuple[str, ...]
    """Default file names, in the order the writer fills them."""
    stored: Callable[[Split], Split]
    """uint8 split -> the arrays exactly as the file holds them."""
    write: Writer
    """(splits, names, folder, source IDX files, worker) -> the files, written into folder."""


def _idx_bytes(array: np.ndarray) -> bytes:
    if array.ndim == 2:  # images: IDX keeps MNIST's 28 x 28
        array = array.reshape(len(array), 28, 28)
    header = bytes([0, 0, IDX_UBYTE, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def _packed(raw: bytes, name: str, source: Path) -> bytes:
    """The source file itself when it holds these very bytes packed the same way (the hand-out
    then ships MNIST's own files); else raw, gzipped reproducibly when the name ends in .gz."""
    gz = name.endswith(".gz")
    if gz == source.name.endswith(".gz"):
        packed = source.read_bytes()
        if (gzip.decompress(packed) if gz else packed) == raw:
            return packed
    return gzip.compress(raw, compresslevel=GZIP_LEVEL, mtime=0) if gz else raw


def _write_idx(splits, names, folder, sources, worker):
    train, test = splits["train"], splits["test"]
    arrays = (train.images, train.labels, test.images, None if worker else test.labels)
    for name, array, source in zip(names, arrays, sources):
        if array is not None:
            (folder / name).write_bytes(_packed(_idx_bytes(array), name, source))


def _write_json(splits, names, folder, sources, worker):
    parts = []
    for split in ("train", "valid", "test"):
        images, labels = splits[split]
        y = [-1] * len(labels) if worker and split == "test" else labels.tolist()
        rows = ",\n".join("[" + ",".join(row) + "]" for row in JSON_TEXT[images])
        parts.append(f'"{split}":[[\n{rows}],\n{json.dumps(y, separators=(",", ":"))}]')
    (folder / names[0]).write_bytes(("{" + ",\n".join(parts) + "}\n").encode("ascii"))


def _numpy1_globals(raw: bytes) -> bytes:
    """numpy 2 pickles arrays as numpy._core.multiarray._reconstruct, which numpy 1 cannot load;
    numpy.core.multiarray (deeplearning.net's name) loads under both. Only GLOBAL opcodes change:
    protocol 2 has no frames or offsets, so the rest of the stream stays valid."""
    out, done = [], 0
    for op, arg, pos in pickletools.genops(raw):
        if op.name == "GLOBAL" and arg.startswith("numpy._core."):
            module, name = arg.split(" ")
            end = pos + len(module) + len(name) + 3  # c module \n name \n
            out += [raw[done:pos], f"c{module.replace('numpy._core.', 'numpy.core.', 1)}\n{name}\n".encode()]
            done = end
    return b"".join(out) + raw[done:]


def _write_pickle(splits, names, folder, sources, worker):
    pairs = []
    for split in ("train", "valid", "test"):
        x, y = _stored_unit(splits[split])
        pairs.append((x, np.full_like(y, -1) if worker and split == "test" else y))
    raw = _numpy1_globals(pickle.dumps(tuple(pairs), protocol=2))
    (folder / names[0]).write_bytes(gzip.compress(raw, compresslevel=GZIP_LEVEL, mtime=0))


def _write_hdf5(splits, names, folder, sources, worker):
    import h5py  # imported here: only this format needs it

    for split, name in zip(("train", "test"), names):
        x, y = _stored_hdf5(splits[split])
        if worker and split == "test":
            y = np.zeros_like(y)
        # libver earliest: old h5py builds read it too; track_times off: no time stamps in the bytes
        with h5py.File(folder / name, "w", libver="earliest") as f:
            for key, value in (("xdata", x), ("ydata", y)):
                f.create_dataset(key, data=value, chunks=(max(1, min(len(value), HDF5_CHUNK_ROWS)), value.shape[1]),
                                 compression="gzip", compression_opts=GZIP_LEVEL, track_times=False)


def _stored_idx(split: Split) -> Split:
    return Split(split.images, split.labels.astype(np.uint8))


def _stored_json(split: Split) -> Split:
    return Split(JSON_VALUE[split.images], split.labels)


def _stored_unit(split: Split) -> Split:
    return Split(UNIT_FLOAT32[split.images], split.labels)


def _stored_hdf5(split: Split) -> Split:
    return Split(UNIT_FLOAT32[split.images], ONE_HOT_FLOAT32[split.labels])


FORMATS = {
    "idx": Format(("train", "test"), {"train": None, "test": None}, tuple(n + ".gz" for n in IDX_FILES),
                  _stored_idx, _write_idx),
    "json": Format(("train", "valid", "test"), {"train": 10000, "valid": 1000, "test": 1000},
                   ("mnist_subset.json",), _stored_json, _write_json),
    "pkl.gz": Format(("train", "valid", "test"), {"train": 50000, "valid": 10000, "test": None},
                     ("mnist.pkl.gz",), _stored_unit, _write_pickle),
    "hdf5": Format(("train", "test"), {"train": None, "test": None},
                   ("mnist_traindata.hdf5", "mnist_testdata.hdf5"), _stored_hdf5, _write_hdf5),
}
