"""The command line: `python -m reference.experiments EXPERIMENT [options]`."""
import argparse
import os
import sys

from . import ee599, montreal, plots, vu
from .plans import ACTIVATIONS, BASE, DATASET_DIRS, LOSSES, NOISE_MODES, datasets, decay, extras, grid, sweep
from .reports import REPORTS
from .runner import ExperimentError, run_all, worker_threads

PROG = 'experiments'
COURSES = {'vu': vu, 'montreal': montreal, 'ee599': ee599}
"""A course's experiment module: add_parser(commands, common), plan(args, base), report(results, folder, draw)."""


def _sizes(text):
    """'128,64' -> [128, 64]."""
    try:
        return [int(size) for size in text.split(',')]
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not a comma-separated list of layer sizes' % text)


def _positive(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError('%r: give a whole number of at least 1' % text)
    return int(text)


def _folder(text):
    """'fashion-mnist=/data/fm' -> ('fashion-mnist', '/data/fm')."""
    name, sep, folder = text.partition('=')
    if not sep:
        raise argparse.ArgumentTypeError('%r: write NAME=DIR, e.g. mnist=data/mnist' % text)
    return name, folder


def _common_options():
    common = argparse.ArgumentParser(add_help=False)
    run = common.add_argument_group('running')
    run.add_argument('--out', default='experiments-out', help='output folder (default: experiments-out)')
    run.add_argument('--jobs', type=_positive, default=1, help='worker processes (default: 1)')
    run.add_argument('--threads', type=_positive, default=0,
                     help='BLAS threads per worker (default: a *_NUM_THREADS variable if set, else the idle '
                          'cores shared among the jobs: 1 when other processes keep the machine busy)')
    run.add_argument('--data-dir', type=_folder, action='append', default=[], metavar='NAME=DIR',
                     help='folder of a dataset\'s IDX files (default: %s)'
                     % ', '.join('%s=%s' % item for item in DATASET_DIRS.items()))
    run.add_argument('--no-plots', action='store_true', help='tables only, even with matplotlib')
    run.add_argument('--quiet', action='store_true', help='no progress bar')
    train = common.add_argument_group('training (run_mlp\'s options; an experiment varies some of them)')
    train.add_argument('--dataset', default=BASE['dataset'], choices=sorted(DATASET_DIRS))
    train.add_argument('--train-size', type=int, help='use the first N training examples (default: all)')
    train.add_argument('--test-size', type=int, help='use the first N test examples (default: all)')
    train.add_argument('--hidden', type=int, nargs='+', default=BASE['hidden'])
    train.add_argument('--activation', choices=ACTIVATIONS, default=BASE['activation'])
    train.add_argument('--loss', choices=LOSSES, default=BASE['loss'])
    for flag, kind in (('lr', float), ('momentum', float), ('weight-decay', float), ('dropout', float),
                       ('epochs', int), ('batch-size', int), ('init-std', float), ('seed', int)):
        default = BASE[flag.replace('-', '_')]
        train.add_argument('--' + flag, type=kind, default=default, help='default: %s' % default)
    train.add_argument('--lr-halve-at', type=int, nargs='*', default=[], metavar='EPOCH')
    extra = common.add_argument_group('Montreal extras (at most one; hidden layers only)')
    extra.add_argument('--feedback', choices=('fixed', 'redrawn'), help='backward with a random B, not W')
    extra.add_argument('--stale-k', type=int, metavar='K', help='backward with W from K updates ago')
    extra.add_argument('--noise-std', type=float, metavar='S', help='gaussian noise of std S on h')
    extra.add_argument('--noise-on', choices=NOISE_MODES, default='same', help='where the noise goes')
    extra.add_argument('--round-h', type=int, metavar='DECIMALS', help='h rounded to DECIMALS decimals')
    return common


def parse_args(argv):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    commands = parser.add_subparsers(dest='experiment', required=True, metavar='EXPERIMENT')
    common = _common_options()
    one = commands.add_parser('grid', parents=[common], help='depth x activation x loss')
    one.add_argument('--activations', nargs='+', choices=ACTIVATIONS, default=list(ACTIVATIONS))
    one.add_argument('--losses', nargs='+', choices=LOSSES, default=list(LOSSES))
    one.add_argument('--hiddens', nargs='+', type=_sizes, default=[[128], [128, 64]], metavar='SIZES',
                     help='hidden layer sizes per architecture (default: 128 128,64)')
    one = commands.add_parser('sweep', parents=[common], help='learning rates x seeds, mean and std bands')
    one.add_argument('--lrs', nargs='+', type=float, default=[0.001, 0.003, 0.01, 0.03, 0.1])
    one.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    one = commands.add_parser('decay', parents=[common], help='constant vs halved learning rate')
    one.add_argument('--halve-at', nargs='+', type=int, required=True, metavar='EPOCH')
    one.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    one = commands.add_parser('analysis', parents=[common], help='confusion matrix and weight histograms')
    one.add_argument('--datasets', nargs='+', choices=sorted(DATASET_DIRS), default=sorted(DATASET_DIRS))
    commands.add_parser('extras', parents=[common], help='backprop vs the Montreal variants')
    for course in COURSES.values():
        course.add_parser(commands, _common_options())  # its own copy: it may set other defaults
    return parser.parse_args(argv)


def extra_of(args):
    """The one Montreal extra the flags ask for, as a plain dict (None: exact backprop)."""
    chosen = []
    if args.feedback:
        chosen.append({'kind': 'feedback', 'redraw': args.feedback == 'redrawn'})
    if args.stale_k is not None:
        chosen.append({'kind': 'stale', 'k': args.stale_k})
    if args.noise_std is not None:
        chosen.append({'kind': 'noise', 'std': args.noise_std, 'on': args.noise_on})
    if args.round_h is not None:
        chosen.append({'kind': 'round', 'decimals': args.round_h})
    if len(chosen) > 1:
        raise ExperimentError('--feedback, --stale-k, --noise-std and --round-h: give at most one')
    return chosen[0] if chosen else None


def base_config(args):
    config = {key: getattr(args, key) for key in BASE if key != 'extra'}
    config['extra'] = extra_of(args)
    return config


def plan(args, base):
    """The configurations the chosen experiment trains."""
    if args.experiment in COURSES:
        return COURSES[args.experiment].plan(args, base)
    if args.experiment == 'grid':
        return grid(base, args.activations, args.losses, args.hiddens)
    if args.experiment == 'sweep':
        return sweep(base, args.lrs, args.seeds)
    if args.experiment == 'decay':
        return decay(base, args.halve_at, args.seeds)
    if args.experiment == 'analysis':
        return datasets(base, args.datasets)
    return extras(base)


def available_datasets(configs, data_dirs):
    """Leaves out (and says so) the runs of a dataset that is not installed, unless it is all of them."""
    missing = {c['dataset'] for c in configs if c['dataset'] not in data_dirs and not os.path.isdir(
        DATASET_DIRS[c['dataset']])}
    kept = [c for c in configs if c['dataset'] not in missing]
    for name in sorted(missing):
        if kept:
            print('%s: %s not found in %s: skipped (install dataset-%s or give --data-dir %s=DIR)'
                  % (PROG, name, DATASET_DIRS[name], name, name), file=sys.stderr)
    return kept or configs  # all missing: run_all names the folder in its error


def main(argv=None):
    args = parse_args(argv)
    try:
        data_dirs = dict(args.data_dir)
        configs = available_datasets(plan(args, base_config(args)), data_dirs)
        threads, why = worker_threads(args.jobs, args.threads)
        print('%s: %d worker(s), %d BLAS thread(s) each (%s)' % (PROG, args.jobs, threads, why))
        results = run_all(configs, args.out, args.jobs, data_dirs, quiet=args.quiet, threads=threads)
    except ExperimentError as error:
        print('%s: error: %s' % (PROG, error), file=sys.stderr)
        return 2
    draw = not args.no_plots and plots.available()
    if not draw and not args.no_plots:
        print('%s: matplotlib is not installed: tables only (pip install -e .[plots] for figures)' % PROG,
              file=sys.stderr)
    folder = os.path.join(args.out, args.experiment)
    (REPORTS.get(args.experiment) or COURSES[args.experiment].report)(results, folder, draw)
    print('%s: %d runs; results in %s' % (PROG, len(results), folder))
    return 0


if __name__ == '__main__':
    sys.exit(main())
