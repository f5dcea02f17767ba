"""The tables: CSV and JSON summaries computed from the runs' results (plain dicts, no numpy objects)."""
import csv
import io
import json
import os
import tempfile

import numpy as np

from .plans import architecture, describe_extra, run_key, run_name

METRICS = ('train_loss', 'train_acc', 'test_loss', 'test_acc')


def write_atomic(path, data):
    """Writes text or bytes to a temporary file beside path, then renames it over path."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.tmp-')
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a result file is for everyone
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_csv(path, rows):
    """rows: dicts with the same keys, in the order of the first; floats to 6 significant digits."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator='\n')
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ('%.6g' % v if isinstance(v, float) else v) for k, v in row.items()})
    write_atomic(path, out.getvalue())


def write_json(path, data):
    write_atomic(path, json.dumps(data, indent=1, sort_keys=True) + '\n')


def final_rows(results):
    """One row per run: what it was and its final train/test loss and accuracy, and training time."""
    rows = []
    for result in results:
        config = result['config']
        row = {'name': run_name(config), 'key': run_key(config), 'dataset': config['dataset'],
               'architecture': architecture(config), 'activation': config['activation'],
               'loss': config['loss'], 'lr': config['lr'], 'seed': config['seed'],
               'extra': describe_extra(config['extra'])}
        row.update({metric: result['final'][metric] for metric in METRICS})
        row['train_s'] = round(result['wall_s'], 1)
        rows.append(row)
    return rows


def _mean_std(values):
    finite = np.array([v for v in values if v is not None], dtype=float)
    if finite.size == 0:
        return None, None
    return float(finite.mean()), float(finite.std())


def epoch_bands(results, label):
    """Per group (label(config)) and epoch: how many runs, and the mean and std over them of each metric.

    Groups keep the order in which they first appear; a diverged run (None) is left out of the mean.
    """
    groups = {}
    for result in results:
        groups.setdefault(label(result['config']), []).append(result)
    rows = []
    for group, members in groups.items():
        for epoch in range(len(members[0]['epochs'])):
            row = {'group': group, 'epoch': epoch + 1, 'runs': len(members),
                   'learning_rate': members[0]['epochs'][epoch]['learning_rate']}
            for metric in METRICS:
                row[metric + '_mean'], row[metric + '_std'] = _mean_std(
                    [m['epochs'][epoch][metric] for m in members])
            rows.append(row)
    return rows


def confusion_rows(matrix, class_names):
    """The matrix as rows: true class, then the count predicted as each class."""
    return [dict([('true', name)] + list(zip(class_names, counts))) for name, counts in zip(class_names, matrix)]


def most_confused(matrix, class_names):
    """Per class: its accuracy and the other class its examples are most often predicted as."""
    rows = []
    for t, counts in enumerate(matrix):
        total = sum(counts)
        others = [(count, p) for p, count in enumerate(counts) if p != t]
        count, p = max(others, key=lambda pair: (pair[0], -pair[1]))  # ties: the lower class
        rows.append({'class': class_names[t], 'examples': total,
                     'accuracy': counts[t] / total if total else None,
                     'most_confused_with': class_names[p], 'count': count,
                     'share': count / total if total else None})
    return rows


def weight_rows(result):
    """Each layer's weight histogram as rows: layer, bin edges, count."""
    return [{'layer': layer['layer'], 'bin_left': left, 'bin_right': right, 'count': count}
            for layer in result['weights']
            for left, right, count in zip(layer['edges'], layer['edges'][1:], layer['counts'])]
