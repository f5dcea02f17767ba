"""USC EE599 HW3's report questions, answered by the reference (grader/assignments/ee599-hw3/).

    python -m reference.experiments ee599 --out docs/experiments --jobs 1

Problem 1 (l): 784-256-10 on MNIST's first 50,000 training images, validated on the last 10,000
after every epoch; plain SGD (no momentum, no regulariser), batch 100, initial weights N(0, 0.05^2)
(He's std for 784 inputs), tanh and ReLU x three initial rates, the rate halved after epochs 20
and 40 of 50 (the runner halves at the start of an epoch: lr_halve_at 21 and 41). (m): the
configuration with the best final validation accuracy, trained again on all 60,000 and tested once.
Problem 2: Fashion-MNIST, 100 ReLU units, dropout 0.3 on their output, L2 1e-4 (the runner's weight
decay adds wd * W to the gradient: wd = 2e-4 is Keras's l2(1e-4)); the confusion matrix as rates,
each class's most confused class and the most confused pair. Problem 3: Fashion-MNIST for 40 epochs,
128 ReLU units without regularisation against 48 with L2 1e-4 and dropout 0.2: each layer's weights.
Problems 2 and 3 train with the same plain SGD, 40 epochs, and are tested on the test set.

Problem 1 (m) depends on (l)'s results, so planning trains the six configurations first (run_all
skips finished runs, so a rerun only redraws).
"""
import os

from . import plots
from .plans import CLASS_NAMES, with_
from .runner import run_all
from .tables import confusion_rows, most_confused, weight_rows, write_csv

ACTIVATIONS = ('Tanh', 'Relu')
KERAS_L2 = 1e-4
"""Keras's l2(c) adds c * sum(W^2) to the loss: the runner's weight decay is its gradient, 2c."""


def add_parser(commands, common):
    one = commands.add_parser('ee599', parents=[common], help='USC EE599 HW3: 6 runs of 50 epochs, confusion, weights')
    one.set_defaults(hidden=[256], momentum=0.0, weight_decay=0.0, epochs=50, batch_size=100, init_std=0.05)
    one.add_argument('--lrs', nargs=3, type=float, default=[0.1, 0.03, 0.01], metavar='LR',
                     help='problem 1: the three initial learning rates (default: 0.1 0.03 0.01)')
    one.add_argument('--halve-after', nargs=2, type=int, default=[20, 40], metavar='EPOCH',
                     help='problem 1: the epochs after which the rate halves (default: 20 40)')
    one.add_argument('--validation', type=int, default=10000,
                     help='problem 1: the last N training images validate (default: 10000)')
    one.add_argument('--fashion-epochs', type=int, default=40, help='problems 2 and 3 (default: 40)')
    one.add_argument('--fashion-lr', type=float, default=0.1, help='problems 2 and 3 (default: 0.1)')


def problem1(args, base):
    """The six configurations of 1 (l): each activation with each initial rate."""
    halve_at = [epoch + 1 for epoch in args.halve_after]
    return [with_(base, dataset='mnist', activation=activation, lr=lr, lr_halve_at=halve_at,
                  validation=args.validation, problem='1') for activation in ACTIVATIONS for lr in args.lrs]


def retrain(best, args):
    """1 (m): the best configuration on every training image (training and validation), tested once."""
    size = best['train_size'] + args.validation if best['train_size'] else None
    return with_(best, validation=0, train_size=size, problem='1m')


def fashion(args, base):
    """Problems 2 and 3 on Fashion-MNIST's test set."""
    same = dict(dataset='fashion-mnist', activation='Relu', epochs=args.fashion_epochs, lr=args.fashion_lr,
                lr_halve_at=[])
    return [with_(base, hidden=[100], dropout=0.3, weight_decay=2 * KERAS_L2, problem='2', **same),
            with_(base, hidden=[128], dropout=0.0, weight_decay=0.0, problem='3', **same),
            with_(base, hidden=[48], dropout=0.2, weight_decay=2 * KERAS_L2, problem='3', **same)]


def final_validation(result):
    return result['final']['test_acc'] if result['final']['test_acc'] is not None else -1.0


def plan(args, base):
    """Every run the report needs; trains 1 (l) first, to choose 1 (m)."""
    six = problem1(args, base)
    results = run_all(six, args.out, args.jobs, dict(args.data_dir), quiet=args.quiet)
    best = max(results, key=final_validation)['config']
    return six + [retrain(best, args)] + fashion(args, base)


def label(config):
    """'Relu lr=0.1' for problem 1; '784-48-10 dropout 0.2 L2 1e-4' for problems 2 and 3."""
    if config['problem'].startswith('1'):
        return '%s lr=%g' % (config['activation'], config['lr'])
    parts = ['784-%s-10' % '-'.join(map(str, config['hidden']))]
    if config['dropout']:
        parts.append('dropout %g' % config['dropout'])
    parts.append('L2 %g' % (config['weight_decay'] / 2) if config['weight_decay'] else 'no regularisation')
    return ' '.join(parts)


def accuracy_curves(result, path, title):
    """Training and validation accuracy per epoch, dashed where the learning rate was halved."""
    fig, ax = plots._pyplot().subplots(figsize=(5, 3.4))
    epochs = [row['epoch'] for row in result['epochs']]
    for key, name, colour in (('train_acc', 'training', 'tab:blue'), ('test_acc', 'validation', 'tab:orange')):
        ax.plot(epochs, [row[key] for row in result['epochs']], marker='o', markersize=2, color=colour, label=name)
    plots._epoch_axis(ax, result['config']['lr_halve_at'])
    ax.set_ylabel('accuracy')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    plots._save(fig, path)


def report_problem1(runs, best, folder, draw):
    """epochs.csv and final.csv of the six runs, best.csv (1 m), one figure per run."""
    write_csv(os.path.join(folder, 'epochs.csv'), [
        {'activation': r['config']['activation'], 'initial_lr': r['config']['lr'], 'epoch': row['epoch'],
         'learning_rate': row['learning_rate'], 'train_acc': row['train_acc'], 'valid_acc': row['test_acc']}
        for r in runs for row in r['epochs']])
    rows = []
    for r in runs:
        valid = [row['test_acc'] if row['test_acc'] is not None else -1.0 for row in r['epochs']]
        rows.append({'configuration': label(r['config']), 'final_train_acc': r['final']['train_acc'],
                     'final_valid_acc': r['final']['test_acc'], 'best_valid_acc': max(valid),
                     'best_epoch': valid.index(max(valid)) + 1, 'train_s': round(r['wall_s'], 1)})
        if draw:
            name = label(r['config'])
            accuracy_curves(r, os.path.join(folder, name.replace(' ', '_') + '.png'),
                            '784-%s-10 %s, halved after epochs %s' % (
                                '-'.join(map(str, r['config']['hidden'])), name,
                                ' and '.join(str(e - 1) for e in r['config']['lr_halve_at'])))
    write_csv(os.path.join(folder, 'final.csv'), rows)
    if best is not None:
        write_csv(os.path.join(folder, 'best.csv'), [{
            'configuration': label(best['config']), 'train_images': 60000 if best['config']['train_size'] is None
            else best['config']['train_size'], 'epochs': best['config']['epochs'],
            'final_train_acc': best['final']['train_acc'], 'test_acc': best['final']['test_acc']}])


def rates(matrix):
    return [[count / max(1, sum(row)) for count in row] for row in matrix]


def report_problem2(result, folder, draw):
    """confusion.csv (rates, rows the true class), most_confused.csv, most_confused_pair.csv."""
    names = CLASS_NAMES[result['config']['dataset']]
    matrix = rates(result['confusion'])
    write_csv(os.path.join(folder, 'confusion.csv'), confusion_rows(matrix, names))
    write_csv(os.path.join(folder, 'most_confused.csv'), most_confused(result['confusion'], names))
    pairs = [(matrix[i][j] + matrix[j][i], i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
    both, i, j = max(pairs)
    write_csv(os.path.join(folder, 'most_confused_pair.csv'), [
        {'class_a': names[i], 'class_b': names[j], 'a_taken_for_b': matrix[i][j], 'b_taken_for_a': matrix[j][i],
         'sum': both, 'test_acc': result['final']['test_acc']}])
    if draw:
        title = 'Fashion-MNIST test set: %s' % label(result['config'])
        plots.confusion(result['confusion'], names, os.path.join(folder, 'confusion.png'), title)
        plots.curves(result, os.path.join(folder, 'curves.png'), title)


def report_problem3(results, folder, draw):
    """weights.csv (each model's histograms), summary.csv (per layer: mean, std, test accuracy), figures."""
    rows, summary = [], []
    for r in results:
        name = label(r['config'])
        rows += [dict([('model', name)] + list(row.items())) for row in weight_rows(r)]
        summary += [{'model': name, 'layer': layer['layer'], 'shape': 'x'.join(map(str, layer['shape'])),
                     'mean': layer['mean'], 'std': layer['std'], 'test_acc': r['final']['test_acc']}
                    for layer in r['weights']]
        if draw:
            plots.weights(r, os.path.join(folder, name.replace(' ', '_') + '_weights.png'), 'Fashion-MNIST: ' + name)
    write_csv(os.path.join(folder, 'weights.csv'), rows)
    write_csv(os.path.join(folder, 'summary.csv'), summary)


def report(results, folder, draw):
    """Each problem's tables (and figures) in folder/problem1, problem2, problem3."""
    by = {}
    for r in results:
        by.setdefault(r['config']['problem'], []).append(r)
    best = by.get('1m', [None])[0]
    report_problem1(by['1'], best, os.path.join(folder, 'problem1'), draw)
    if '2' in by:
        report_problem2(by['2'][0], os.path.join(folder, 'problem2'), draw)
    if '3' in by:
        report_problem3(by['3'], os.path.join(folder, 'problem3'), draw)
