"""MNIST-like data sets for the grader and the experiments, in the formats different courses ship.

Every loader returns (train_x, train_y, test_x, test_y): images as float64 (N, 784) on the hand-out's
scale (pixel - 128) / 255, labels as int64 (N,). Nothing is cached on disk.

- `load_mnist(data_dir)`: the four IDX files (plain or .gz), as the hand-out ships them
  (`load_mnist_pixels`: the same with the images left as uint8 bytes).
- `load_montreal(path)`: `mnist.pkl.gz` of the Montreal (deeplearning.net) tutorials.
- `load_hdf5(train_path, test_path)`: USC EE599's HDF5 files with datasets `xdata` and `ydata`.
- `load_fashion_mnist()`: Fashion-MNIST from Debian's `dataset-fashion-mnist` package.
- `load_dataset(path_or_name)`: any of the above, by name or by what the path holds.
"""
from __future__ import annotations

import codecs
import gzip
import io
import os
import pickle
import zlib
from pathlib import Path

import numpy as np

from grader.errors import ConfigError

REPO_MNIST_DIR = Path(__file__).resolve().parents[1] / "data" / "mnist"
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
MONTREAL_FILE = "mnist.pkl.gz"
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
PIXELS = 784
IDX_UBYTE = 0x08

Dataset = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def scale_pixels(pixels: np.ndarray) -> np.ndarray:
    """Bytes 0..255 -> float64 (N, 784) as (x - 128) / 255, the scale students' load_mnist_2d uses."""
    x = pixels.reshape(len(pixels), -1).astype(np.float64)
    x -= 128.0
    x /= 255.0
    return x


def read_idx(path: Path) -> np.ndarray:
    """One unsigned-byte IDX file: two zero bytes, type 0x08, the number of dimensions, then each
    dimension as a big-endian uint32, then the data."""
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, zlib.error) as e:
        raise ConfigError(f"{path}: cannot be read ({e}); replace it with the original MNIST file") from e
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] != IDX_UBYTE:
        raise ConfigError(f"{path}: not an unsigned-byte IDX file; replace it with the original MNIST file")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if len(raw) != 4 + 4 * ndim + int(np.prod(shape)):
        raise ConfigError(f"{path}: header says shape {shape} but the file has another size (truncated?)")
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def find_idx(folder: Path, name: str) -> Path:
    """folder/name, or folder/name.gz when only the gzipped file is there."""
    for candidate in (folder / name, folder / (name + ".gz")):
        if candidate.is_file():
            return candidate
    raise ConfigError(f"{folder}: no {name} (or {name}.gz) there; point MNIST_DIR or the data folder at the MNIST files")


def default_mnist_dir() -> Path:
    """$MNIST_DIR if set, else the repository's data/mnist."""
    return Path(os.environ["MNIST_DIR"]) if os.environ.get("MNIST_DIR") else REPO_MNIST_DIR


def load_mnist(data_dir: str | os.PathLike | None = None) -> Dataset:
    """The four IDX files of data_dir (default: $MNIST_DIR, else the repository's data/mnist)."""
    train_images, train_labels, test_images, test_labels = load_mnist_pixels(data_dir)
    return scale_pixels(train_images), train_labels, scale_pixels(test_images), test_labels


def load_mnist_pixels(data_dir: str | os.PathLike | None = None) -> Dataset:
    """Like load_mnist, but the images stay bytes: uint8 (N, 784), read-only, an eighth of the
    float64 size (the grader keeps MNIST this way); scale_pixels(images) gives load_mnist's."""
    folder = Path(data_dir) if data_dir is not None else default_mnist_dir()
    train_images, train_labels, test_images, test_labels = (read_idx(find_idx(folder, n)) for n in IDX_FILES)
    for images, labels, split in ((train_images, train_labels, "train"), (test_images, test_labels, "t10k")):
        if len(images) != len(labels) or images[0].size != PIXELS:
            raise ConfigError(f"{folder}: {split} files hold {images.shape} images and {len(labels)} labels; "
                              f"expected N x 28 x 28 images and N labels")
    return (train_images.reshape(len(train_images), PIXELS), train_labels.astype(np.int64),
            test_images.reshape(len(test_images), PIXELS), test_labels.astype(np.int64))


def load_fashion_mnist() -> Dataset:
    """Fashion-MNIST (same IDX layout as MNIST) as installed by `apt-get install dataset-fashion-mnist`."""
    if not FASHION_MNIST_DIR.is_dir():
        raise ConfigError(f"{FASHION_MNIST_DIR}: not found; install it with `apt-get install dataset-fashion-mnist`")
    return load_mnist(FASHION_MNIST_DIR)


def _unit_to_scale(x: np.ndarray) -> np.ndarray:
    """Images stored as floats in [0, 1] (or as bytes 0..255) -> the hand-out's (pixel - 128) / 255."""
    x = np.asarray(x)
    if x.dtype.kind not in "fiu" or x.ndim < 2 or x[0].size != PIXELS:
        raise ValueError(f"expected numeric images of 784 pixels, got dtype {x.dtype} and shape {x.shape}")
    in_unit_range = x.dtype.kind == "f" and (x.size == 0 or x.max() <= 1.0)
    x = x.reshape(len(x), PIXELS).astype(np.float64)
    return x - 128.0 / 255.0 if in_unit_range else (x - 128.0) / 255.0


def _labels(y: np.ndarray) -> np.ndarray:
    """Integer labels, or one-hot rows turned into integer labels."""
    y = np.asarray(y)
    if y.ndim == 2:
        y = np.argmax(y, axis=1)
    if y.ndim != 1 or y.dtype.kind not in "fiu":
        raise ValueError(f"expected labels (N,) or one-hot rows (N, C), got dtype {y.dtype} and shape {y.shape}")
    return y.astype(np.int64)


def _array_globals() -> dict[tuple[str, str], object]:
    """(module, name) -> object for what ndarray and dtype pickle as, under numpy 1 and 2 module names."""
    found = {("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype,
             ("_codecs", "encode"): codecs.encode}  # how Python 3 writes bytes at protocol 2
    for fn in (np.zeros(1).__reduce__()[0], np.zeros(1).__reduce_ex__(5)[0]):  # _reconstruct, _frombuffer
        found[(fn.__module__, fn.__name__)] = fn
        found[(fn.__module__.replace("numpy._core", "numpy.core"), fn.__name__)] = fn
    return found


_ARRAY_GLOBALS = _array_globals()


class NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickles numpy arrays (and tuples, lists, numbers of them) and refuses every other global.

    Unpickling can run any code a pickle names, so only the functions numpy's own arrays reduce to
    are allowed (for protocols 2 to 5, and from Python 2 or numpy 1 pickles). This loads staff-side
    files only; a student's file is never unpickled, not even this way.
    """

    def find_class(self, module: str, name: str):
        if (module, name) not in _ARRAY_GLOBALS:
            raise pickle.UnpicklingError(f"global {module}.{name} is not allowed (only numpy arrays are)")
        return _ARRAY_GLOBALS[(module, name)]


def load_montreal(path: str | os.PathLike) -> Dataset:
    """`mnist.pkl.gz`: a pickled ((train_x, train_y), (valid_x, valid_y), (test_x, test_y)) with
    images as floats in [0, 1]. Train and valid together are MNIST's 60,000 training images.

    Read with NumpyOnlyUnpickler: the file is staff-side (the grader's own data), never a student's.
    """
    path = Path(path)
    try:
        with gzip.open(path, "rb") as f:
            splits = NumpyOnlyUnpickler(io.BytesIO(f.read()), encoding="latin1").load()
        (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = splits
        return (np.concatenate([_unit_to_scale(train_x), _unit_to_scale(valid_x)]),
                np.concatenate([_labels(train_y), _labels(valid_y)]),
                _unit_to_scale(test_x), _labels(test_y))
    except (OSError, EOFError, zlib.error, pickle.UnpicklingError, ValueError, TypeError) as e:
        raise ConfigError(f"{path}: not a Montreal mnist.pkl.gz of (train, valid, test) pairs ({e})") from e


def read_hdf5(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """One EE599 HDF5 file: images in `xdata` (N, 784), labels in `ydata` (N,) or one-hot (N, 10)."""
    import h5py  # imported here: only this format needs it

    path = Path(path)
    try:
        with h5py.File(path, "r") as f:
            return _unit_to_scale(f["xdata"][()]), _labels(f["ydata"][()])
    except (OSError, KeyError, ValueError, TypeError) as e:
        raise ConfigError(f"{path}: not an HDF5 file with datasets xdata and ydata ({e})") from e


def load_hdf5(train_path: str | os.PathLike, test_path: str | os.PathLike) -> Dataset:
    """EE599's pair of files, e.g. mnist_traindata.hdf5 and mnist_testdata.hdf5."""
    return read_hdf5(train_path) + read_hdf5(test_path)


def _hdf5_pair(folder: Path) -> tuple[Path, Path] | None:
    files = sorted(p for p in folder.iterdir() if p.suffix in (".hdf5", ".h5"))
    train = [p for p in files if "train" in p.name]
    test = [p for p in files if "test" in p.name]
    return (train[0], test[0]) if len(train) == 1 and len(test) == 1 else None


def load_dataset(path_or_name: str | os.PathLike) -> Dataset:
    """`mnist` or `fashion-mnist` by name; else a path: a mnist.pkl.gz, a folder of IDX files, a folder
    holding one *train*.hdf5 and one *test*.hdf5 file, or such a folder's mnist.pkl.gz."""
    if str(path_or_name) == "mnist":
        return load_mnist()
    if str(path_or_name) == "fashion-mnist":
        return load_fashion_mnist()
    path = Path(path_or_name)
    if path.is_file() and path.name.endswith(".pkl.gz"):
        return load_montreal(path)
    if not path.is_dir():
        raise ConfigError(f"{path}: no such data set; give a folder of MNIST files, a mnist.pkl.gz, "
                          f"'mnist' or 'fashion-mnist'")
    if any((path / (name + ending)).is_file() for name in IDX_FILES[:1] for ending in ("", ".gz")):
        return load_mnist(path)
    if (path / MONTREAL_FILE).is_file():
        return load_montreal(path / MONTREAL_FILE)
    pair = _hdf5_pair(path)
    if pair is not None:
        return load_hdf5(*pair)
    raise ConfigError(f"{path}: holds no MNIST IDX files, no {MONTREAL_FILE} and no *train*/*test* .hdf5 pair")
