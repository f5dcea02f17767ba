"""Trains a multi-layer perceptron on MNIST and reports loss and accuracy after every epoch.

    python run_mlp.py                            # 784-256-10, ReLU, softmax cross-entropy: 98.2%
    python run_mlp.py --hidden 512 256 --dropout 0.2 --weight-decay 0 --epochs 30 --lr-halve-at 12 18 24
    python run_mlp.py --activation Gelu --loss Hinge --json gelu_hinge.json

--json PATH writes every epoch's figures, the final ones, the configuration and the wall time,
for plotting in the report. Run `python run_mlp.py --help` for every option.
"""
import argparse
import contextlib
import json
import os
import sys
import tempfile
import time

BLAS_THREAD_VARIABLES = ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'VECLIB_MAXIMUM_THREADS')


def choose_blas_threads(requested=None, environ=os.environ, cores=None, load=None):
    """(threads, why): --threads if given, else a *_NUM_THREADS variable already set, else the idle cores.

    BLAS threads wait for each other by spinning, so when another process holds a core an extra thread
    makes each epoch many times slower (28-45 s instead of 2 s measured on a shared 2-core machine):
    a busy machine gets one thread. `load` is the 1-minute load average, the processes already running.
    """
    if requested and requested > 0:
        return requested, '--threads'
    for name in BLAS_THREAD_VARIABLES:
        if environ.get(name, '').strip().isdigit() and int(environ[name]) > 0:
            return int(environ[name]), name
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count() or 1
    if load is None and hasattr(os, 'getloadavg'):
        load = os.getloadavg()[0]
    if load is None:  # no load average (Windows): assume the cores are shared
        return 1, 'automatic: load unknown'
    return max(1, min(cores, int(cores - load + 0.5))), 'automatic: load %.1f on %d cores' % (load, cores)


def set_blas_threads(argv):
    """Puts the chosen thread count in every BLAS variable; returns (threads, why). Only a numpy
    imported afterwards obeys: BLAS reads them once, when it loads."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--threads', type=int)
    requested = parser.parse_known_args(argv)[0].threads
    threads, why = choose_blas_threads(requested)
    for name in BLAS_THREAD_VARIABLES:
        os.environ[name] = str(threads)
    return threads, why


# here, before numpy is imported (below and by the modules below): afterwards the choice has no effect
BLAS_THREADS = set_blas_threads(sys.argv[1:]) if __name__ == '__main__' else None

import numpy as np

from network import Network
from utils import LOG_INFO
from layers import Relu, Sigmoid, Tanh, Selu, Swish, Gelu, Linear, Dropout
from loss import MSELoss, SoftmaxCrossEntropyLoss, HingeLoss, FocalLoss
from solve_net import train_net, test_net
from load_data import load_mnist_2d

try:
    from rich.progress import Progress
except ImportError:  # rich is optional: without it each epoch is one LOG_INFO line
    Progress = None

ACTIVATIONS = {'Relu': Relu, 'Sigmoid': Sigmoid, 'Tanh': Tanh, 'Selu': Selu, 'Swish': Swish, 'Gelu': Gelu}
LOSSES = {'MSE': MSELoss, 'SoftmaxCE': SoftmaxCrossEntropyLoss, 'Hinge': HingeLoss, 'Focal': FocalLoss}
HERE = os.path.dirname(os.path.abspath(__file__))
# hand-out layout first (codes/ next to data/), then the repository's reference/codes/ -> data/mnist
DATA_DIRS = [os.path.join(HERE, '..', 'data', 'mnist'), os.path.join(HERE, '..', 'data'),
             os.path.join(HERE, '..', '..', 'data', 'mnist')]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train an MLP on MNIST with numpy.',
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--hidden', type=int, nargs='+', default=[256],
                        help='sizes of the hidden layers, e.g. --hidden 512 256')
    parser.add_argument('--activation', choices=sorted(ACTIVATIONS), default='Relu', help='hidden activation')
    parser.add_argument('--loss', choices=sorted(LOSSES), default='SoftmaxCE', help='loss on the output logits')
    parser.add_argument('--lr', type=float, default=0.05, help='learning rate')
    parser.add_argument('--momentum', type=float, default=0.9, help='momentum of SGD (0: plain SGD)')
    parser.add_argument('--weight-decay', type=float, default=2e-4, help='L2 weight decay')
    parser.add_argument('--dropout', type=float, default=0.0,
                        help='drop rate of a Dropout layer after each hidden activation (0: none)')
    parser.add_argument('--epochs', type=int, default=16, help='passes over the training set')
    parser.add_argument('--batch-size', type=int, default=100, help='examples per step')
    parser.add_argument('--lr-halve-at', type=int, nargs='*', default=[6, 9, 12, 14],
                        help='epochs (counted from 1) from which the learning rate is halved again')
    parser.add_argument('--init-std', type=float, default=0.05, help='std of the initial weights')
    parser.add_argument('--seed', type=int, default=0, help='seed of np.random (weights, shuffling, dropout)')
    parser.add_argument('--data-dir', default=None,
                        help='folder of the four MNIST IDX files (None: $MNIST_DIR, else ../data/mnist)')
    parser.add_argument('--json', metavar='PATH', help='write the per-epoch figures to this file')
    parser.add_argument('--dtype', choices=['float32', 'float64'], default='float32',
                        help='type of the data and the weights: float32 runs about twice as fast as float64, '
                             'with the same accuracy up to seed noise')
    parser.add_argument('--threads', type=int, default=0,
                        help='BLAS threads (0: a *_NUM_THREADS variable if one is set, else the idle cores, '
                             'which is 1 when other processes keep the machine busy)')
    return parser.parse_args(argv)


def find_data_dir(data_dir=None):
    """The folder holding the MNIST files: the one given, else $MNIST_DIR, else the first default that exists."""
    if data_dir or os.environ.get('MNIST_DIR'):
        return data_dir or os.environ['MNIST_DIR']
    for candidate in DATA_DIRS:
        if any(os.path.exists(os.path.join(candidate, 'train-images-idx3-ubyte' + end)) for end in ('', '.gz')):
            return os.path.normpath(candidate)
    return os.path.normpath(DATA_DIRS[0])  # load_mnist_2d then says which file is missing


def build_model(args):
    """784 -> hidden sizes -> 10: Linear, activation (and Dropout) per hidden layer, then a Linear."""
    model = Network()
    sizes = [784] + list(args.hidden)
    for i in range(len(args.hidden)):
        model.add(Linear('fc%d' % (i + 1), sizes[i], sizes[i + 1], args.init_std))
        model.add(ACTIVATIONS[args.activation]('%s%d' % (args.activation.lower(), i + 1)))
        if args.dropout > 0:
            model.add(Dropout('dropout%d' % (i + 1), args.dropout))
    model.add(Linear('fc%d' % (len(args.hidden) + 1), sizes[-1], 10, args.init_std))
    return model


def cast_parameters(model, dtype):
    """Each Linear's arrays in the data's dtype (drawn in float64 as the layer does, then cast), so that
    a float32 batch stays float32 through forward, backward and update."""
    for layer in model.layer_list:
        if layer.trainable:
            for name in ('W', 'b', 'grad_W', 'grad_b', 'diff_W', 'diff_b'):
                setattr(layer, name, getattr(layer, name).astype(dtype))


def build_loss(args):
    return LOSSES[args.loss](name='loss')


def train(args, data):
    """Trains a fresh model on data = (train_x, test_x, train_y, test_y); returns the figures as a dict."""
    train_data, test_data, train_label, test_label = data
    np.random.seed(args.seed)
    model = build_model(args)
    cast_parameters(model, train_data.dtype)
    loss = build_loss(args)
    config = {
        'learning_rate': args.lr,
        'weight_decay': args.weight_decay,
        'momentum': args.momentum,
        'batch_size': args.batch_size,
        'max_epoch': args.epochs,
        'disp_freq': 0,  # 0: no per-iteration lines; the progress bar shows how far the epoch run is
        'test_epoch': 1,
    }

    start = time.time()
    history = []
    with Progress() if Progress is not None else contextlib.nullcontext() as progress:
        task = progress.add_task('training', total=config['max_epoch']) if progress is not None else None
        for epoch in range(1, config['max_epoch'] + 1):
            if epoch in args.lr_halve_at:
                config['learning_rate'] /= 2
            train_loss, train_acc = train_net(model, loss, config, train_data, train_label,
                                              config['batch_size'], config['disp_freq'])
            row = {'epoch': epoch, 'learning_rate': config['learning_rate'],
                   'train_loss': train_loss, 'train_acc': train_acc, 'test_loss': None, 'test_acc': None}
            if epoch % config['test_epoch'] == 0 or epoch == config['max_epoch']:
                row['test_loss'], row['test_acc'] = test_net(model, loss, test_data, test_label, config['batch_size'])
            row['seconds'] = time.time() - start
            history.append(row)
            LOG_INFO('Epoch %d/%d: train loss %.4f, train acc %.4f' % (epoch, config['max_epoch'], train_loss, train_acc))
            if progress is not None:
                progress.update(task, advance=1, description='epoch %d, test acc %.4f' % (epoch, row['test_acc'] or 0))

    final = history[-1]
    return {
        'config': dict(vars(args)),
        'epochs': history,
        'final': {key: final[key] for key in ('train_loss', 'train_acc', 'test_loss', 'test_acc')},
        'wall_s': time.time() - start,
    }


def write_json(path, result):
    """Writes to a temporary file beside path, then renames it, so no half-written file is ever left."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.tmp-', suffix='.json')
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump(result, f, indent=2)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv=None):
    args = parse_args(argv)
    args.data_dir = find_data_dir(args.data_dir)
    if BLAS_THREADS is not None:  # None: imported, so numpy's threads were set by whoever imported it
        LOG_INFO('BLAS threads: %d (%s)' % BLAS_THREADS)
    start = time.time()
    try:
        data = load_mnist_2d(args.data_dir, np.dtype(args.dtype))
    except (FileNotFoundError, ValueError) as e:
        sys.exit('run_mlp.py: %s' % e)  # one line naming the file, not a traceback
    result = train(args, data)
    result['wall_s'] = time.time() - start  # loading included: what a student waits for
    if BLAS_THREADS is not None:
        result['blas_threads'] = BLAS_THREADS[0]
    LOG_INFO('Final test accuracy %.4f, %.1f s' % (result['final']['test_acc'], result['wall_s']))
    if args.json:
        write_json(args.json, result)
    return result


if __name__ == '__main__':
    main()
