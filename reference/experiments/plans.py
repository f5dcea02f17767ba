"""The experiments as lists of run configurations (plain dicts), and the names and keys of runs.

A configuration holds run_mlp's options (same names: hidden, activation, loss, lr, ...) plus the
dataset, how many examples to use and the Montreal extra. Its key, a hash of its canonical JSON, names
the run's result file, so a run is trained once however many experiments share it.
"""
import hashlib
import json
import os

ACTIVATIONS = ('Relu', 'Sigmoid', 'Tanh', 'Selu', 'Swish', 'Gelu')
LOSSES = ('MSE', 'SoftmaxCE', 'Hinge', 'Focal')
NOISE_MODES = ('forward', 'backward', 'same', 'fresh')
REPO_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATASET_DIRS = {'mnist': os.path.join(REPO_DIR, 'data', 'mnist'),
                'fashion-mnist': '/usr/share/datasets/fashion-mnist'}  # Debian's dataset-fashion-mnist
CLASS_NAMES = {
    'mnist': [str(digit) for digit in range(10)],
    'fashion-mnist': ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat',
                      'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
}
BASE = {
    'dataset': 'mnist', 'train_size': None, 'test_size': None,
    'hidden': [128], 'activation': 'Relu', 'loss': 'SoftmaxCE',
    'lr': 0.01, 'momentum': 0.9, 'weight_decay': 0.0, 'dropout': 0.0,
    'epochs': 5, 'batch_size': 100, 'lr_halve_at': [], 'init_std': 0.05, 'seed': 0,
    'extra': None,
}


def run_key(config):
    """A stable 12-hex-digit key of the configuration (same configuration, same key, any machine)."""
    canonical = json.dumps(config, sort_keys=True, separators=(',', ':'))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def describe_extra(extra):
    """'backprop' or the variant: 'feedback fixed', 'stale k=10', 'noise 0.1 same', 'round 1'."""
    if not extra:
        return 'backprop'
    if extra['kind'] == 'feedback':
        return 'feedback %s' % ('redrawn' if extra['redraw'] else 'fixed')
    if extra['kind'] == 'stale':
        return 'stale k=%d' % extra['k']
    if extra['kind'] == 'noise':
        return 'noise %g %s' % (extra['std'], extra['on'])
    return 'round %d' % extra['decimals']


def architecture(config):
    """'784-128-64-10'."""
    return '-'.join(str(size) for size in [784] + list(config['hidden']) + [10])


def run_name(config):
    """A readable name that, with the key, identifies a run: '784-128-10 Relu SoftmaxCE lr=0.01 seed=0'."""
    parts = [architecture(config), config['activation'], config['loss'], 'lr=%g' % config['lr'],
             'seed=%d' % config['seed']]
    if config['lr_halve_at']:
        parts.append('halve@' + ','.join(str(e) for e in config['lr_halve_at']))
    if config['extra']:
        parts.append(describe_extra(config['extra']))
    return ' '.join(parts)


def with_(base, **changes):
    config = dict(base)
    config.update(changes)
    return config


def grid(base, activations=ACTIVATIONS, losses=LOSSES, hiddens=([128], [128, 64])):
    """Every depth x activation x loss, the rest as in base."""
    return [with_(base, hidden=list(hidden), activation=activation, loss=loss)
            for hidden in hiddens for activation in activations for loss in losses]


def sweep(base, lrs=(0.001, 0.003, 0.01, 0.03, 0.1), seeds=(0, 1, 2)):
    """Every learning rate x seed."""
    return [with_(base, lr=lr, seed=seed) for lr in lrs for seed in seeds]


def decay(base, halve_at, seeds=(0, 1, 2)):
    """A constant learning rate and the same one halved at halve_at, each with every seed."""
    return [with_(base, lr_halve_at=list(schedule), seed=seed)
            for schedule in ([], sorted(halve_at)) for seed in seeds]


def datasets(base, names):
    """The base run on each dataset."""
    return [with_(base, dataset=name) for name in names]


def extras(base, std=0.1, stale_k=10, decimals=1):
    """Backprop and each Montreal variant."""
    variants = [None, {'kind': 'feedback', 'redraw': False}, {'kind': 'feedback', 'redraw': True},
                {'kind': 'stale', 'k': stale_k}]
    variants += [{'kind': 'noise', 'std': std, 'on': mode} for mode in NOISE_MODES]
    variants.append({'kind': 'round', 'decimals': decimals})
    return [with_(base, extra=extra) for extra in variants]
