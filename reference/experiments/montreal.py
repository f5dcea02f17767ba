"""Montreal's "Assignment: MLP on MNIST" (grader/assignments/montreal-mlp/): the full run and the
text's optional extras, on the text's network.

The text's model is 784-H-10 with sigmoid hidden units and softmax cross-entropy, trained by plain
minibatch SGD on mnist.pkl.gz's 50,000 training images, which are the first 50,000 of MNIST's
training set (so train_size = 50000 here), and tested on the 10,000 test images. The runner
trains reference/codes (Linear, Sigmoid, SoftmaxCrossEntropyLoss: the same maths) on the
hand-out's pixel scale (x - 128) / 255, where mnist.pkl.gz holds x / 255. The extras are
extras.py's variants, which act on the output layer V (the one Linear after the first): a random
feedback matrix, fixed or redrawn; V from 10 updates ago; gaussian noise on h; and h rounded to
the nearest integer, as the text asks (0 decimals).
"""
import os

from .plans import describe_extra, extras
from .reports import report_extras
from .tables import write_csv

DEFAULTS = {'train_size': 50000, 'hidden': [100], 'activation': 'Sigmoid', 'loss': 'SoftmaxCE', 'lr': 0.5,
            'momentum': 0.0, 'batch_size': 20, 'epochs': 10}
"""The experiment's defaults (its command-line flags still change them)."""


def add_parser(commands, common):
    commands.add_parser('montreal', parents=[common], help='the Montreal network: full run and extras'
                        ).set_defaults(**DEFAULTS)


def plan(args, base):
    """Exact backprop and each extra, on the Montreal network."""
    return extras(base, decimals=0)


def report(results, folder, draw):
    """extras' tables and figure, and errors.csv: the test error (%) after the last epoch and at
    the best epoch, as the text counts it."""
    report_extras(results, folder, draw)
    rows = []
    for result in results:
        errors = [None if e['test_acc'] is None else 100 * (1 - e['test_acc']) for e in result['epochs']]
        best = min((e, i) for i, e in enumerate(errors, start=1) if e is not None) if any(
            e is not None for e in errors) else (None, None)
        rows.append({'extra': describe_extra(result['config']['extra']),
                     'test_error_percent': None if errors[-1] is None else round(errors[-1], 2),
                     'best_test_error_percent': None if best[0] is None else round(best[0], 2),
                     'best_epoch': best[1], 'epochs': len(errors)})
    write_csv(os.path.join(folder, 'errors.csv'), rows)
