"""grader.data reads every course's MNIST format into the same arrays."""
import gzip
import os
import pickle

import h5py
import numpy as np
import pytest

from grader import data
from grader.errors import ConfigError

MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def expected_arrays(tiny_raw):
    """What every loader must return for the tiny data set: (pixel - 128) / 255 and int64 labels."""
    train_images, train_labels, test_images, test_labels = tiny_raw
    return ((train_images.reshape(-1, 784) - 128.0) / 255.0, train_labels.astype(np.int64),
            (test_images.reshape(-1, 784) - 128.0) / 255.0, test_labels.astype(np.int64))


def assert_same_dataset(got, expected):
    for g, e in zip(got, expected):
        assert g.shape == e.shape and g.dtype == e.dtype
        np.testing.assert_allclose(g, e, rtol=0, atol=1e-6)


def test_shipped_mnist_has_the_published_label_counts(mnist):
    train_x, train_y, test_x, test_y = mnist
    assert train_x.shape == (60000, 784) and test_x.shape == (10000, 784) and train_x.dtype == np.float64
    assert np.bincount(test_y).tolist() == MNIST_TEST_COUNTS
    assert train_x.min() == pytest.approx(-128 / 255) and train_x.max() == pytest.approx(127 / 255)


def test_idx_folder_round_trips(tiny_mnist_dir, tiny_raw):
    assert_same_dataset(data.load_mnist(tiny_mnist_dir), expected_arrays(tiny_raw))
    assert_same_dataset(data.load_dataset(tiny_mnist_dir), expected_arrays(tiny_raw))


def test_mnist_dir_environment_variable_is_the_default(tiny_mnist_dir, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(tiny_mnist_dir))
    assert len(data.load_mnist()[0]) == 500


def test_montreal_pickle_round_trips(tmp_path, tiny_raw):
    train_images, train_labels, test_images, test_labels = tiny_raw
    unit = [(a.reshape(-1, 784) / 255.0).astype(np.float32) for a in (train_images, test_images)]
    splits = ((unit[0][:300], train_labels[:300].astype(np.int64)),
              (unit[0][300:], train_labels[300:].astype(np.int64)),
              (unit[1], test_labels.astype(np.int64)))
    numpy1_protocol2 = pickle.dumps(splits, protocol=2).replace(b"numpy._core.", b"numpy.core.")
    for name, raw in (("numpy1-protocol2", numpy1_protocol2), ("protocol5", pickle.dumps(splits, protocol=5))):
        path = tmp_path / name / "mnist.pkl.gz"
        path.parent.mkdir()
        path.write_bytes(gzip.compress(raw))
        assert_same_dataset(data.load_dataset(path), expected_arrays(tiny_raw))
        assert_same_dataset(data.load_dataset(path.parent), expected_arrays(tiny_raw))


class _Planted:
    """Pickles as a call to os.mkdir: what a hostile pickle would do."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return os.mkdir, (str(self.path),)


def test_montreal_pickle_with_other_globals_is_refused_unrun(tmp_path):
    marker = tmp_path / "planted"
    path = tmp_path / "mnist.pkl.gz"
    with gzip.open(path, "wb") as f:
        pickle.dump(((np.zeros((1, 784)), _Planted(marker)),) * 3, f, protocol=2)
    with pytest.raises(ConfigError, match="posix.mkdir is not allowed"):
        data.load_montreal(path)
    assert not marker.exists()


@pytest.mark.parametrize("labels_as", ["onehot", "integers"])
def test_ee599_hdf5_round_trips(tmp_path, tiny_raw, labels_as):
    train_images, train_labels, test_images, test_labels = tiny_raw
    for name, images, labels in (("mnist_traindata.hdf5", train_images, train_labels),
                                 ("mnist_testdata.hdf5", test_images, test_labels)):
        with h5py.File(tmp_path / name, "w") as f:
            f["xdata"] = (images.reshape(-1, 784) / 255.0).astype(np.float32)
            f["ydata"] = np.eye(10)[labels] if labels_as == "onehot" else labels.astype(np.int64)
    assert_same_dataset(data.load_dataset(tmp_path), expected_arrays(tiny_raw))


@pytest.mark.skipif(not data.FASHION_MNIST_DIR.is_dir(),
                    reason="Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist")
def test_fashion_mnist_from_the_debian_package():
    train_x, train_y, test_x, test_y = data.load_dataset("fashion-mnist")
    assert train_x.shape == (60000, 784) and test_x.shape == (10000, 784)
    assert np.bincount(train_y).tolist() == [6000] * 10 and np.bincount(test_y).tolist() == [1000] * 10


def test_wrong_or_missing_files_are_one_line_config_errors(tmp_path, tiny_mnist_dir):
    with pytest.raises(ConfigError, match="no such data set"):
        data.load_dataset(tmp_path / "absent")
    with pytest.raises(ConfigError, match="no t10k-images-idx3-ubyte"):
        broken = tmp_path / "three-files"
        broken.mkdir()
        for name in data.IDX_FILES[:2] + data.IDX_FILES[3:]:
            (broken / (name + ".gz")).write_bytes((tiny_mnist_dir / (name + ".gz")).read_bytes())
        data.load_mnist(broken)
    truncated = tmp_path / "t10k-labels-idx1-ubyte"
    truncated.write_bytes(gzip.decompress((tiny_mnist_dir / "t10k-labels-idx1-ubyte.gz").read_bytes())[:-5])
    with pytest.raises(ConfigError, match="truncated"):
        data.read_idx(truncated)
    not_gzip = tmp_path / "mnist.pkl.gz"
    not_gzip.write_text("hello")
    with pytest.raises(ConfigError, match="not a Montreal mnist.pkl.gz") as caught:
        data.load_dataset(not_gzip)
    assert "\n" not in str(caught.value)
    with h5py.File(tmp_path / "train.h5", "w") as f:
        f["images"] = np.zeros((2, 784))
    with pytest.raises(ConfigError, match="xdata and ydata"):
        data.read_hdf5(tmp_path / "train.h5")
