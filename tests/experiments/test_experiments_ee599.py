"""The USC EE599 experiment end to end on the head of MNIST (300 training images: the last 100
validate) and of Fashion-MNIST: the six problem-1 runs with their halvings, the best one retrained on
every training image, the confusion rates of problem 2 and the weight histograms of problem 3."""
import csv
import json
import os

import pytest

TINY = ('--hidden', 16, '--validation', 100, '--test-size', 100, '--epochs', 3, '--halve-after', 1, 2,
        '--lrs', 0.1, 0.05, 0.01, '--fashion-epochs', 2, '--jobs', 2, '--quiet')


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope='module')
def ee599(tmp_path_factory, tiny_mnist, tiny_fashion_mnist, experiments):
    out = tmp_path_factory.mktemp('ee599')
    done = experiments('ee599', '--out', out, '--data-dir', 'mnist=%s' % tiny_mnist,
                       '--data-dir', 'fashion-mnist=%s' % tiny_fashion_mnist, *TINY)
    assert done.returncode == 0, done.stderr
    runs = [json.loads((out / 'runs' / name).read_text()) for name in sorted(os.listdir(out / 'runs'))]
    return out / 'ee599', {problem: [r for r in runs if r['config']['problem'] == problem]
                           for problem in ('1', '1m', '2', '3')}


def test_problem1_trains_two_activations_at_three_rates_halved_twice(ee599):
    folder, runs = ee599
    assert sorted((r['config']['activation'], r['config']['lr']) for r in runs['1']) == [
        ('Relu', 0.01), ('Relu', 0.05), ('Relu', 0.1), ('Tanh', 0.01), ('Tanh', 0.05), ('Tanh', 0.1)]
    for run in runs['1']:
        lr = run['config']['lr']
        assert [row['learning_rate'] for row in run['epochs']] == pytest.approx([lr, lr / 2, lr / 4])
        assert run['config']['momentum'] == 0 and run['config']['validation'] == 100
        assert sum(map(sum, run['confusion'])) == 100  # the 100 validation images, the last of the 300
    rows = read_csv(folder / 'problem1' / 'epochs.csv')
    assert len(rows) == 18 and set(rows[0]) == {'activation', 'initial_lr', 'epoch', 'learning_rate', 'train_acc',
                                                'valid_acc'}


def test_problem1m_retrains_the_best_on_every_training_image(ee599):
    folder, runs = ee599
    (best,) = runs['1m']
    top = max(r['final']['test_acc'] for r in runs['1'])
    same = [r['config'] for r in runs['1'] if r['final']['test_acc'] == top]  # ties on 100 images: any of them
    assert {k: v for k, v in best['config'].items() if k not in ('validation', 'problem')} in [
        {k: v for k, v in config.items() if k not in ('validation', 'problem')} for config in same]
    assert best['config']['validation'] == 0 and sum(map(sum, best['confusion'])) == 100  # the test images
    (row,) = read_csv(folder / 'problem1' / 'best.csv')
    assert float(row['test_acc']) == pytest.approx(best['final']['test_acc'])


def test_problem2_confusion_rates_and_the_most_confused_pair(ee599):
    folder, runs = ee599
    (run,) = runs['2']
    assert (run['config']['hidden'], run['config']['dropout'], run['config']['weight_decay']) == ([100], 0.3, 2e-4)
    rows = read_csv(folder / 'problem2' / 'confusion.csv')
    assert rows[0]['true'] == 'T-shirt/top'
    for row, counts in zip(rows, run['confusion']):
        want = [c / sum(counts) for c in counts]
        assert [float(row[name]) for name in list(row)[1:]] == pytest.approx(want, abs=1e-6)
    (pair,) = read_csv(folder / 'problem2' / 'most_confused_pair.csv')
    assert pair['class_a'] != pair['class_b']


def test_problem3_weight_histograms_of_both_models(ee599):
    folder, runs = ee599
    assert sorted((r['config']['hidden'][0], r['config']['dropout']) for r in runs['3']) == [(48, 0.2), (128, 0.0)]
    summary = read_csv(folder / 'problem3' / 'summary.csv')
    assert [(r['model'], r['layer'], r['shape']) for r in summary] == [
        ('784-128-10 no regularisation', 'fc1', '784x128'), ('784-128-10 no regularisation', 'fc2', '128x10'),
        ('784-48-10 dropout 0.2 L2 0.0001', 'fc1', '784x48'), ('784-48-10 dropout 0.2 L2 0.0001', 'fc2', '48x10')]
    counts = {}
    for row in read_csv(folder / 'problem3' / 'weights.csv'):
        counts[row['model'], row['layer']] = counts.get((row['model'], row['layer']), 0) + int(row['count'])
    assert counts[('784-48-10 dropout 0.2 L2 0.0001', 'fc1')] == 784 * 48


def test_problem1_figures_mark_the_halvings(ee599):
    folder, _ = ee599
    names = sorted(p.name for p in (folder / 'problem1').glob('*.png'))
    if not names:
        pytest.skip('matplotlib is not installed')
    assert names == ['Relu_lr=0.01.png', 'Relu_lr=0.05.png', 'Relu_lr=0.1.png', 'Tanh_lr=0.01.png',
                     'Tanh_lr=0.05.png', 'Tanh_lr=0.1.png']
    assert (folder / 'problem2' / 'confusion.png').read_bytes()[:4] == b'\x89PNG'


def test_ee599_defaults_stay_its_own(runner_modules):
    """The course's defaults (plain SGD, 784-256-10, 50 epochs) do not leak into the other experiments."""
    cli = runner_modules('reference.experiments.__main__')
    course, grid = cli.parse_args(['ee599']), cli.parse_args(['grid'])
    assert (course.momentum, course.hidden, course.epochs) == (0.0, [256], 50)
    assert (grid.momentum, grid.hidden, grid.epochs) == (0.9, [128], 5)
