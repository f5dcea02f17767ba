"""Fixtures of the experiment runner's tests: a tiny MNIST (real images, few of them) and the runner's CLI."""
import gzip
import importlib
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MNIST = os.path.join(REPO, 'data', 'mnist')
FASHION_MNIST = '/usr/share/datasets/fashion-mnist'
TRAIN_EXAMPLES = 300
TEST_EXAMPLES = 100


def _write_head(source, target, count):
    """Copies the first count records of a gzipped IDX file, with the header's count set to match."""
    with gzip.open(source, 'rb') as f:
        raw = f.read()
    ndim = raw[3]
    record = 1
    for i in range(1, ndim):
        record *= int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], 'big')
    header = raw[:4] + count.to_bytes(4, 'big') + raw[8: 4 + 4 * ndim]
    with gzip.open(target, 'wb') as f:
        f.write(header + raw[4 + 4 * ndim: 4 + 4 * ndim + count * record])


def _tiny_copy(source, folder):
    """The first 300 training and 100 test examples of the IDX files in source, gzipped, in folder."""
    for split, count in (('train', TRAIN_EXAMPLES), ('t10k', TEST_EXAMPLES)):
        for kind in ('images-idx3', 'labels-idx1'):
            name = '%s-%s-ubyte.gz' % (split, kind)
            _write_head(os.path.join(source, name), folder / name, count)
    return folder


@pytest.fixture(scope='session')
def tiny_mnist(tmp_path_factory):
    """A few real MNIST images: the head of the shipped files."""
    return _tiny_copy(MNIST, tmp_path_factory.mktemp('tiny-mnist'))


@pytest.fixture(scope='session')
def tiny_fashion_mnist(tmp_path_factory):
    """The head of Debian's Fashion-MNIST, when dataset-fashion-mnist is installed."""
    if not os.path.isdir(FASHION_MNIST):
        pytest.skip('dataset-fashion-mnist is not installed (%s)' % FASHION_MNIST)
    return _tiny_copy(FASHION_MNIST, tmp_path_factory.mktemp('tiny-fashion-mnist'))


def _run_experiments(*args, env=None):
    """`python -m reference.experiments ARGS` from the repository, as a user runs it."""
    return subprocess.run([sys.executable, '-m', 'reference.experiments', *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture(scope='session')
def experiments():
    return _run_experiments


@pytest.fixture
def runner_modules(monkeypatch):
    """Imports reference.experiments (and reference/codes, which extras needs) for one test, then
    forgets them: codes/ has generic module names (layers, loss, utils) other tests may load too."""
    codes = os.path.join(REPO, 'reference', 'codes')
    ours = {name[:-3] for name in os.listdir(codes) if name.endswith('.py')}
    before = set(sys.modules)
    monkeypatch.syspath_prepend(REPO)
    monkeypatch.syspath_prepend(codes)
    yield importlib.import_module
    for name in set(sys.modules) - before:
        if name in ours or name == 'reference' or name.startswith('reference.'):
            del sys.modules[name]
