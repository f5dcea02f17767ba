"""One training run, in a worker process: the reference's model, loss and epochs, then its analysis.

This module puts reference/codes/ on sys.path (its modules import each other by bare name), so
only worker processes import it; the parent never loads the reference's modules.
"""
import argparse
import contextlib
import json
import os
import sys
import time

import numpy as np

CODES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'codes')
if CODES_DIR not in sys.path:
    sys.path.insert(0, CODES_DIR)

import run_mlp  # noqa: E402
from layers import Linear  # noqa: E402
from load_data import load_mnist_2d  # noqa: E402
from solve_net import data_iterator, test_net, train_net  # noqa: E402

from .extras import apply_extra  # noqa: E402
from .tables import write_atomic  # noqa: E402

HISTOGRAM_BINS = 40
_DATASETS = {}  # data_dir -> the four arrays, loaded once per worker process


def load_data(data_dir, train_size=None, test_size=None, validation=None):
    """The first train_size training and test_size test examples (None: all) of the IDX files in data_dir.

    validation=N (a course's split, e.g. USC EE599's 50,000 / 10,000): the last N training examples
    stand in for the test set, and the training examples are taken from the ones before them."""
    if data_dir not in _DATASETS:
        _DATASETS[data_dir] = load_mnist_2d(data_dir)
    train_x, test_x, train_y, test_y = _DATASETS[data_dir]
    if validation:
        train_x, test_x, train_y, test_y = train_x[:-validation], train_x[-validation:], train_y[:-validation], \
            train_y[-validation:]
    return train_x[:train_size], test_x[:test_size], train_y[:train_size], test_y[:test_size]


def train(config, data):
    """run_mlp.train's epochs on data, with config's extra; returns (model, figures per epoch).

    The random draws come in run_mlp.train's order (seed, weights, then shuffles), so without an
    extra the figures are run_mlp's own.
    """
    train_x, test_x, train_y, test_y = data
    args = argparse.Namespace(**config)
    np.random.seed(args.seed)
    model = apply_extra(run_mlp.build_model(args), config.get('extra'))
    loss = run_mlp.build_loss(args)
    solver = {'learning_rate': args.lr, 'weight_decay': args.weight_decay, 'momentum': args.momentum}
    start = time.time()
    history = []
    for epoch in range(1, args.epochs + 1):
        if epoch in args.lr_halve_at:
            solver['learning_rate'] /= 2
        train_loss, train_acc = train_net(model, loss, solver, train_x, train_y, args.batch_size, 0)
        test_loss, test_acc = test_net(model, loss, test_x, test_y, args.batch_size)
        history.append({'epoch': epoch, 'learning_rate': solver['learning_rate'],
                        'train_loss': train_loss, 'train_acc': train_acc,
                        'test_loss': test_loss, 'test_acc': test_acc, 'seconds': time.time() - start})
    return model, history


def confusion_matrix(model, inputs, labels, batch_size, classes=10):
    """counts[t, p]: test examples of class t that the model puts in class p."""
    model.eval()
    predicted = np.concatenate([np.argmax(model.forward(x), axis=1)
                                for x, _ in data_iterator(inputs, labels, batch_size, shuffle=False)])
    return np.bincount(labels * classes + predicted, minlength=classes * classes).reshape(classes, classes)


def weight_histograms(model):
    """Per Linear layer: mean, std and a histogram of W's finite entries."""
    layers = []
    for layer in model.layer_list:
        if isinstance(layer, Linear):
            w = layer.W[np.isfinite(layer.W)]
            counts, edges = np.histogram(w, bins=HISTOGRAM_BINS) if w.size else (np.zeros(0), np.zeros(0))
            layers.append({'layer': layer.name, 'shape': list(layer.W.shape),
                           'mean': float(w.mean()) if w.size else None, 'std': float(w.std()) if w.size else None,
                           'counts': counts.tolist(), 'edges': [round(float(e), 6) for e in edges]})
    return layers


def finite_or_none(value):
    """NaN and infinities (a diverged run) become None, so the JSON stays standard."""
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def blas_threads():
    """The BLAS threads the runner gave this worker (None when run some other way)."""
    value = os.environ.get('OPENBLAS_NUM_THREADS', '')
    return int(value) if value.isdigit() else None


def run(config, data_dir):
    """Trains one configuration; returns run_mlp's --json layout plus confusion and weight histograms."""
    data = load_data(data_dir, config['train_size'], config['test_size'], config.get('validation'))
    start = time.time()  # training time: loading the data is shared by a worker's runs
    # test_net logs every epoch and a diverging run warns about overflow: neither helps in a pool
    with open(os.devnull, 'w') as sink, contextlib.redirect_stdout(sink), np.errstate(all='ignore'):
        model, history = train(config, data)
        confusion = confusion_matrix(model, data[1], data[3], config['batch_size'])
    history = [{key: finite_or_none(value) for key, value in row.items()} for row in history]
    return {
        'config': config,
        'epochs': history,
        'final': {key: history[-1][key] for key in ('train_loss', 'train_acc', 'test_loss', 'test_acc')},
        'confusion': confusion.tolist(),
        'weights': weight_histograms(model),
        'wall_s': time.time() - start,
        'blas_threads': blas_threads(),
    }


def run_and_save(config, data_dir, path):
    """Trains and writes path atomically, so an interrupted run leaves no file."""
    write_atomic(path, json.dumps(run(config, data_dir), indent=2))
    return path
