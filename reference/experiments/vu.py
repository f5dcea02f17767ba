"""VU Amsterdam Deep Learning A1, Question 7: the 784-300-10 sigmoid network of Question 5, 5
epochs, learning rates x seeds on load_mnist(final=False) (the first 55,000 training images train,
the last 5,000 validate), then every rate once more on the full training set and the test set.

    python -m reference.experiments vu --jobs 1 --out docs/experiments

Learning rates are per instance, as in the assignment's per-instance SGD: a batch of B adds up its
B gradients (the course's tip for Question 5), i.e. the reference's mean-loss update runs with
B * lr. Inputs are pixels / 255, as load_mnist's students normalise them. Each run records the
loss of every batch (averaged over windows of STEP_WINDOW batches, for the mean and standard
deviation over seeds per step) and, after each epoch, the loss and accuracy on the whole training
split and on the validation (or test) split.
"""
import contextlib
import json
import os

from . import plots
from .plans import with_
from .tables import epoch_bands, final_rows, write_atomic, write_csv, write_json

LRS = (0.001, 0.003, 0.01, 0.03)
SEEDS = (0, 1, 2)
VALIDATION = 5000
STEP_WINDOW = 10
DEFAULTS = {'hidden': [300], 'activation': 'Sigmoid', 'loss': 'SoftmaxCE', 'momentum': 0.0,
            'batch_size': 32, 'epochs': 5, 'init_std': 0.05}


def add_parser(commands, common):
    one = commands.add_parser('vu', parents=[common], help='VU DL A1 Question 7: rates x seeds, train vs validation')
    one.add_argument('--lrs', nargs='+', type=float, default=list(LRS))
    one.add_argument('--seeds', nargs='+', type=int, default=list(SEEDS))
    one.add_argument('--final-lrs', nargs='+', type=float, metavar='LR',
                     help='rates trained on the full training set and tested (default: every rate)')
    one.set_defaults(**DEFAULTS)


def plan(args, base):
    """Every rate x seed on the validation split, then the final rates (default: all) with the first
    seed on the full training set and the test set."""
    base = with_(base, trainer='vu', split='validation')
    sweep = [with_(base, lr=lr, seed=seed) for lr in args.lrs for seed in args.seeds]
    return sweep + [with_(base, lr=lr, seed=args.seeds[0], split='final') for lr in args.final_lrs or args.lrs]


# --- in a worker process ---------------------------------------------------------------------

def run_and_save(config, data_dir, path):
    from . import training  # the reference's modules, in the worker only

    train_x, test_x, train_y, test_y = training.load_data(data_dir, config['train_size'], config['test_size'])
    train_x, test_x = train_x + 128 / 255, test_x + 128 / 255  # load_mnist_2d's (x - 128) / 255 -> x / 255
    if config['split'] == 'validation':
        held = min(VALIDATION, len(train_x) // 6)  # a sixth of a smaller set (the tests' tiny MNIST)
        train_x, test_x, train_y, test_y = train_x[:-held], train_x[-held:], train_y[:-held], train_y[-held:]
    with open(os.devnull, 'w') as sink, contextlib.redirect_stdout(sink):
        result = _train(config, (train_x, test_x, train_y, test_y), training)
    write_atomic(path, json.dumps(result, indent=1))
    return path


def _train(config, data, training):
    import argparse
    import time

    import numpy as np
    from run_mlp import build_loss, build_model
    from solve_net import test_net
    from utils import onehot_encoding

    train_x, test_x, train_y, test_y = data
    args = argparse.Namespace(**config)
    np.random.seed(args.seed)
    model, loss = build_model(args), build_loss(args)
    solver = {'learning_rate': args.lr * args.batch_size, 'weight_decay': 0.0, 'momentum': 0.0}
    start, history, steps, window = time.time(), [], [], []
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = np.random.permutation(len(train_x))
        for begin in range(0, len(order), args.batch_size):
            batch = order[begin:begin + args.batch_size]
            target = onehot_encoding(train_y[batch], 10)
            output = model.forward(train_x[batch])
            window.append(loss.forward(output, target))
            model.backward(loss.backward(output, target))
            model.update(solver)
            if len(window) == STEP_WINDOW:
                steps.append(training.finite_or_none(float(np.mean(window))))
                window = []
        train_loss, train_acc = test_net(model, loss, train_x, train_y, 1000)
        test_loss, test_acc = test_net(model, loss, test_x, test_y, 1000)
        history.append({'epoch': epoch, 'learning_rate': args.lr, 'train_loss': train_loss, 'train_acc': train_acc,
                        'test_loss': test_loss, 'test_acc': test_acc, 'seconds': time.time() - start})
    history = [{k: training.finite_or_none(v) for k, v in row.items()} for row in history]
    return {'config': config, 'epochs': history, 'steps': steps, 'step_window': STEP_WINDOW,
            'final': {k: history[-1][k] for k in ('train_loss', 'train_acc', 'test_loss', 'test_acc')},
            'wall_s': time.time() - start}


# --- the report -------------------------------------------------------------------------------

def step_bands(results):
    """Per rate and step window: the mean and standard deviation over seeds of the batch loss."""
    import numpy as np

    rows = []
    for lr in dict.fromkeys(r['config']['lr'] for r in results):
        runs = [r['steps'] for r in results if r['config']['lr'] == lr]
        for step in range(min(len(s) for s in runs)):
            values = np.array([s[step] for s in runs if s[step] is not None], dtype=float)
            rows.append({'lr': lr, 'step': (step + 1) * results[0]['step_window'], 'runs': len(values),
                         'loss_mean': float(values.mean()) if values.size else None,
                         'loss_std': float(values.std()) if values.size else None})
    return rows


def report(results, folder, draw):
    """sweep/: final.csv, epochs.csv (train vs validation per epoch, mean and std over seeds),
    steps.csv (batch loss per step, mean and std over seeds), steps.png, epochs.png; final/: the
    test-set runs, and chosen.json (the rate with the lowest mean validation loss and its test run)."""
    sweep = [r for r in results if r['config']['split'] == 'validation']
    final = [r for r in results if r['config']['split'] == 'final']
    here = os.path.join(folder, 'sweep')
    write_csv(os.path.join(here, 'final.csv'), final_rows(sweep))
    epochs = epoch_bands(sweep, lambda c: 'lr=%g' % c['lr'])
    for row in epochs:  # the sweep's "test" split is load_mnist's validation split
        for key in list(row):
            if key.startswith('test_'):
                row['validation_' + key[5:]] = row.pop(key)
    write_csv(os.path.join(here, 'epochs.csv'), epochs)
    steps = step_bands(sweep)
    write_csv(os.path.join(here, 'steps.csv'), steps)
    best = min({r['config']['lr'] for r in sweep}, key=lambda lr: _mean([r['final']['test_loss'] for r in sweep
                                                                          if r['config']['lr'] == lr]))
    chosen = next((r for r in final if r['config']['lr'] == best), None)
    write_csv(os.path.join(folder, 'final', 'final.csv'), final_rows(final))
    write_json(os.path.join(folder, 'final', 'chosen.json'),
               {'lr': best, 'chosen_by': 'lowest mean validation loss after the last epoch',
                'test_acc': chosen and chosen['final']['test_acc'], 'test_loss': chosen and chosen['final']['test_loss']})
    if draw:
        _draw_steps(steps, os.path.join(here, 'steps.png'))
        _draw_epochs(epochs, os.path.join(here, 'epochs.png'))


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else float('inf')


def _draw_steps(rows, path):
    fig, ax = plots._pyplot().subplots(figsize=(8, 3.6))
    for lr in dict.fromkeys(r['lr'] for r in rows):
        mine = [r for r in rows if r['lr'] == lr and r['loss_mean'] is not None]
        x, mean, std = [r['step'] for r in mine], [r['loss_mean'] for r in mine], [r['loss_std'] for r in mine]
        line, = ax.plot(x, mean, linewidth=0.8, label='lr=%g' % lr)
        ax.fill_between(x, [m - s for m, s in zip(mean, std)], [m + s for m, s in zip(mean, std)],
                        color=line.get_color(), alpha=0.25)
    ax.set_xlabel('batch (of %d instances)' % DEFAULTS['batch_size'])
    ax.set_ylabel('training loss')
    ax.set_yscale('log')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.suptitle('784-300-10 sigmoid: batch loss, mean and std over seeds', fontsize=9)
    fig.tight_layout()
    plots._save(fig, path)


def _draw_epochs(rows, path):
    fig, axes = plots._pyplot().subplots(1, 2, figsize=(8.5, 3.4))
    for ax, metric in zip(axes, ('loss', 'acc')):
        for group in dict.fromkeys(r['group'] for r in rows):
            mine = [r for r in rows if r['group'] == group]
            line = None
            for split, style in (('train', '-'), ('validation', '--')):
                mean = [r['%s_%s_mean' % (split, metric)] for r in mine]
                line, = ax.plot([r['epoch'] for r in mine], mean, style, marker='o', markersize=3,
                                color=line.get_color() if line else None,
                                label='%s %s' % (group, split))
        ax.set_xlabel('epoch')
        ax.set_ylabel('accuracy' if metric == 'acc' else 'loss')
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=6)
    fig.suptitle('train (solid) vs validation (dashed), mean over seeds', fontsize=9)
    fig.tight_layout()
    plots._save(fig, path)
