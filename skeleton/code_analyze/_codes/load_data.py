import gzip
import os

import numpy as np

FILES = {
    'train_images': 'train-images-idx3-ubyte',
    'train_labels': 'train-labels-idx1-ubyte',
    'test_images': 't10k-images-idx3-ubyte',
    'test_labels': 't10k-labels-idx1-ubyte',
}


def read_idx(path):
    """Reads one IDX file, plain or gzipped (path given without or with the .gz ending).

    Header: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions,
    then each dimension as a big-endian 32-bit integer; the data follow.
    """
    candidates = [path, path + '.gz'] if not path.endswith('.gz') else [path]
    for candidate in candidates:
        if os.path.exists(candidate):
            opener = gzip.open if candidate.endswith('.gz') else open
            with opener(candidate, 'rb') as f:
                raw = f.read()
            break
    else:
        raise FileNotFoundError('%s (or %s.gz) not found: put the MNIST files there' % (path, path))
    if raw[0:2] != b'\x00\x00' or raw[2] != 0x08:
        raise ValueError('%s is not an unsigned-byte IDX file' % path)
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], 'big') for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_mnist_2d(data_dir, dtype=np.float64):
    """Returns (train_data, test_data, train_label, test_label): images as float (N, 784) of the
    given dtype, scaled (x - 128) / 255, labels as integers 0..9."""
    arrays = {key: read_idx(os.path.join(data_dir, name)) for key, name in FILES.items()}
    trX = (arrays['train_images'].reshape(-1, 28 * 28).astype(dtype) - 128.0) / 255.0
    teX = (arrays['test_images'].reshape(-1, 28 * 28).astype(dtype) - 128.0) / 255.0
    trY = arrays['train_labels'].astype(np.int64)
    teY = arrays['test_labels'].astype(np.int64)
    return trX, teX, trY, teY
