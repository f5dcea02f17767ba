"""Each experiment's outputs: its tables always, its figures when matplotlib is there (draw=True)."""
import os
import re

from . import plots
from .plans import CLASS_NAMES, describe_extra, run_name
from .tables import confusion_rows, epoch_bands, final_rows, most_confused, weight_rows, write_csv, write_json


def file_name(name):
    """'784-128-10 Relu MSE lr=0.01 seed=0' -> '784-128-10_Relu_MSE_lr=0.01_seed=0'."""
    return re.sub(r'[^A-Za-z0-9.,=@+-]+', '_', name)


def _finals(results, folder):
    rows = final_rows(results)
    write_csv(os.path.join(folder, 'final.csv'), rows)
    write_json(os.path.join(folder, 'final.json'), rows)
    return rows


def _bands(results, folder, label, title, draw, marks=()):
    rows = epoch_bands(results, label)
    write_csv(os.path.join(folder, 'epochs.csv'), rows)
    if draw:
        plots.bands(rows, os.path.join(folder, os.path.basename(folder) + '.png'), title, marks)
    return rows


def report_grid(results, folder, draw):
    """final.csv/json: one row per run; accuracy.png: the grid at a glance; curves/: each run's curves."""
    rows = _finals(results, folder)
    if draw:
        plots.accuracy_grid(rows, os.path.join(folder, 'accuracy.png'))
        for result, row in zip(results, rows):
            plots.curves(result, os.path.join(folder, 'curves', file_name(row['name']) + '.png'), row['name'])


def report_sweep(results, folder, draw):
    """epochs.csv: mean and std over seeds per learning rate and epoch; sweep.png: the bands."""
    _finals(results, folder)
    seeds = len({r['config']['seed'] for r in results})
    _bands(results, folder, lambda c: 'lr=%g' % c['lr'],
           'learning rates, mean and std over %d seeds' % seeds, draw)


def report_decay(results, folder, draw):
    """epochs.csv and decay.png: constant vs halved learning rate; curves.png: one halved run."""
    _finals(results, folder)
    halve_at = max((r['config']['lr_halve_at'] for r in results), key=len)
    label = lambda c: 'halved at %s' % ','.join(map(str, c['lr_halve_at'])) if c['lr_halve_at'] else 'constant'
    _bands(results, folder, label, 'lr=%g, halved at epochs %s (dashed)'
           % (results[0]['config']['lr'], ', '.join(map(str, halve_at))), draw, marks=halve_at)
    if draw:
        halved = next(r for r in results if r['config']['lr_halve_at'])
        plots.curves(halved, os.path.join(folder, 'curves.png'), run_name(halved['config']))


def report_analysis(results, folder, draw):
    """Per dataset: confusion.csv/png, most_confused.csv, weights.csv/png, curves.png."""
    _finals(results, folder)
    for result in results:
        config = result['config']
        names = CLASS_NAMES[config['dataset']]
        here = os.path.join(folder, config['dataset'])
        write_csv(os.path.join(here, 'confusion.csv'), confusion_rows(result['confusion'], names))
        write_csv(os.path.join(here, 'most_confused.csv'), most_confused(result['confusion'], names))
        write_csv(os.path.join(here, 'weights.csv'), weight_rows(result))
        if draw:
            title = '%s: %s' % (config['dataset'], run_name(config))
            plots.confusion(result['confusion'], names, os.path.join(here, 'confusion.png'), title)
            plots.weights(result, os.path.join(here, 'weights.png'), title)
            plots.curves(result, os.path.join(here, 'curves.png'), title)


def report_extras(results, folder, draw):
    """epochs.csv and extras.png: backprop against each Montreal variant."""
    _finals(results, folder)
    _bands(results, folder, lambda c: describe_extra(c['extra']),
           'exact backprop vs its approximations (%s)' % run_name(results[0]['config']), draw)


REPORTS = {'grid': report_grid, 'sweep': report_sweep, 'decay': report_decay,
           'analysis': report_analysis, 'extras': report_extras}
