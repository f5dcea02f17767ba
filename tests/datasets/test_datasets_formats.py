"""Each format's files hold exactly what load_splits says, read back as students and as
grader.data read them; the worker's copies hold no test label."""
import gzip
import pickletools

import numpy as np
import pytest

from grader import data, datasets
from grader.data import IDX_FILES, load_mnist_pixels
from grader.datasets.formats import JSON_TEXT, JSON_VALUE

FORMATS = ["idx", "json", "pkl.gz", "hdf5"]
SPLITS = {"idx": ["train", "test"], "hdf5": ["train", "test"], "json": ["train", "valid", "test"],
          "pkl.gz": ["train", "valid", "test"]}
STORED_DTYPES = {"idx": (np.uint8, np.uint8), "json": (np.float64, np.int64), "pkl.gz": (np.float32, np.int64),
                 "hdf5": (np.float32, np.float32)}


def expected_rows(kit, fmt, course):
    """What each split must hold: train then valid from the training images, test from the test ones."""
    train_x, train_y, test_x, test_y = load_mnist_pixels(course / "idx")
    sizes, rows, begin = kit.SIZES[fmt], {}, 0
    for split in SPLITS[fmt][:-1]:
        n = sizes.get(split, kit.TRAIN - begin)
        rows[split] = (train_x[begin:begin + n], train_y[begin:begin + n])
        begin += n
    n = sizes.get("test", kit.TEST)
    rows["test"] = (test_x[:n], test_y[:n])
    return rows


@pytest.mark.parametrize("fmt", FORMATS)
def test_files_read_by_students_hold_what_load_splits_returns(kit, course, fmt):
    s = kit.spec(fmt)
    pixels, stored = datasets.load_splits(s, course), datasets.load_splits(s, course, as_stored=True)
    read = kit.read_as_student(fmt, datasets.handout_files(s, course))
    expected = expected_rows(kit, fmt, course)
    assert list(pixels) == list(stored) == list(read) == SPLITS[fmt]
    for split, (x, y) in read.items():
        images, labels = pixels[split]
        np.testing.assert_array_equal(images, expected[split][0])
        np.testing.assert_array_equal(labels, expected[split][1])
        assert images.dtype == np.uint8 and labels.dtype == np.int64 and not images.flags.writeable
        # exactly the numbers the student's code reads, and they map back to the same bytes
        assert (x.dtype, y.dtype) == (stored[split].images.dtype, stored[split].labels.dtype) == STORED_DTYPES[fmt]
        np.testing.assert_array_equal(x, stored[split].images)
        np.testing.assert_array_equal(y, stored[split].labels)
        np.testing.assert_array_equal(np.rint(x.astype(np.float64) * (1 if fmt == "idx" else 255)), images)
        np.testing.assert_array_equal(y.argmax(axis=1) if fmt == "hdf5" else y, labels)
        if fmt != "idx":
            assert x.min() >= 0.0 and x.max() <= 1.0


def test_grader_data_readers_read_the_built_files(kit, course):
    def scaled(images):
        return (images.astype(np.float64) - 128) / 255

    for fmt in ("idx", "pkl.gz", "hdf5"):
        s = kit.spec(fmt)
        splits, files = datasets.load_splits(s, course), datasets.handout_files(s, course)
        if fmt == "idx":
            got = data.load_mnist(files["train-images-idx3-ubyte.gz"].parent)
        elif fmt == "pkl.gz":
            got = data.load_montreal(files["mnist.pkl.gz"])
        else:
            got = data.load_hdf5(files["mnist_traindata.hdf5"], files["mnist_testdata.hdf5"])
        train = [splits[k] for k in SPLITS[fmt][:-1]]  # Montreal's reader joins train and valid
        want = (scaled(np.concatenate([t.images for t in train])), np.concatenate([t.labels for t in train]),
                scaled(splits["test"].images), splits["test"].labels)
        for g, w in zip(got, want):
            assert g.shape == w.shape
            np.testing.assert_allclose(g, w, rtol=0, atol=1e-6)


@pytest.mark.parametrize("fmt", FORMATS)
def test_worker_copies_hold_no_test_labels(kit, course, fmt):
    s = kit.spec(fmt)
    handout = datasets.handout_files(s, course)
    worker = {p.name: p for p in datasets.worker_files(s, course)}
    assert all(p.is_file() for p in worker.values())
    shown, seen = kit.read_as_student(fmt, handout), kit.read_as_student(fmt, worker)
    if fmt == "idx":
        assert sorted(worker) == sorted(n + ".gz" for n in IDX_FILES if not n.startswith("t10k-labels"))
        assert seen["test"][1] is None
    for split, (x, y) in seen.items():
        np.testing.assert_array_equal(x, shown[split][0])  # test images stay: students predict them
        if split != "test":
            np.testing.assert_array_equal(y, shown[split][1])
        elif fmt in ("json", "pkl.gz"):
            assert y.shape == shown[split][1].shape and (y == -1).all()
        elif fmt == "hdf5":
            assert y.shape == shown[split][1].shape and not y.any()


def test_mnist_idx_hand_out_ships_the_repository_files_and_licence(kit, tmp_path):
    s = kit.spec("idx", sizes={}, source="mnist", name="mnist")
    files = datasets.handout_files(s, tmp_path)
    assert sorted(files) == sorted([n + ".gz" for n in IDX_FILES] + ["MNIST-README.md"])
    for name, path in files.items():
        assert path.read_bytes() == (data.REPO_MNIST_DIR / ("README.md" if name.endswith(".md") else name)).read_bytes()
    assert "MNIST-README.md" not in {p.name for p in datasets.worker_files(s, tmp_path)}


def test_json_pixels_are_256_distinct_short_numbers():
    assert len(set(JSON_VALUE)) == 256 and max(len(t) for t in JSON_TEXT) <= 6
    np.testing.assert_array_equal(np.rint(JSON_VALUE * 255), np.arange(256))
    assert (JSON_TEXT[0], JSON_TEXT[1], JSON_TEXT[255]) == ("0.0", "0.0039", "1.0")


def test_montreal_pickle_names_numpy_core_as_numpy_1_and_2_load_it(kit, course):
    raw = gzip.decompress(datasets.handout_files(kit.spec("pkl.gz"), course)["mnist.pkl.gz"].read_bytes())
    globals_ = [arg for op, arg, _ in pickletools.genops(raw) if op.name == "GLOBAL"]
    assert "numpy.core.multiarray _reconstruct" in globals_ and not any("numpy._core" in g for g in globals_)
    assert raw[:2] == b"\x80\x02"  # protocol 2, as deeplearning.net's file
