"""The runner end to end on 300 MNIST training and 100 test images, one or two epochs per run."""
import csv
import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = ('--train-size', 300, '--test-size', 100, '--hidden', 16, '--jobs', 2, '--quiet')


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def read_runs(out):
    folder = out / 'runs'
    return {name: json.loads((folder / name).read_text()) for name in sorted(os.listdir(folder))}


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', path
    width, height = int.from_bytes(data[16:20], 'big'), int.from_bytes(data[20:24], 'big')
    assert width > 100 and height > 100, (path, width, height)


def pngs(out):
    return sorted(p.relative_to(out).as_posix() for p in out.rglob('*.png'))


@pytest.fixture(scope='module')
def tiny_grid(tmp_path_factory, tiny_mnist, experiments):
    """Two configurations (ReLU with softmax cross-entropy and with MSE), one epoch each."""
    out = tmp_path_factory.mktemp('grid')
    args = ('grid', '--out', out, '--data-dir', 'mnist=%s' % tiny_mnist, '--epochs', 1, '--activations', 'Relu',
            '--losses', 'SoftmaxCE', 'MSE', '--hiddens', 16, *TINY)
    done = experiments(*args)
    assert done.returncode == 0, done.stderr
    return out, args


def test_grid_writes_each_run_with_curves_confusion_and_weights(tiny_grid):
    out, _ = tiny_grid
    runs = read_runs(out)
    assert len(runs) == 2
    assert {r['config']['loss'] for r in runs.values()} == {'SoftmaxCE', 'MSE'}
    for name, run in runs.items():
        assert len(name) == len('0123456789ab.json')
        (epoch,) = run['epochs']
        assert 0 <= epoch['test_acc'] <= 1 and 0 <= epoch['train_acc'] <= 1 and epoch['train_loss'] > 0
        assert run['final'] == {k: epoch[k] for k in ('train_loss', 'train_acc', 'test_loss', 'test_acc')}
        confusion = run['confusion']
        assert len(confusion) == 10 and sum(map(sum, confusion)) == 100  # every test image, once
        assert sum(confusion[i][i] for i in range(10)) / 100 == pytest.approx(epoch['test_acc'])
        assert [layer['shape'] for layer in run['weights']] == [[784, 16], [16, 10]]
        assert [sum(layer['counts']) for layer in run['weights']] == [784 * 16, 160]
        assert run['blas_threads'] >= 1  # the runner chose and set it (automatic here)


def test_grid_table_has_one_row_per_run(tiny_grid):
    out, _ = tiny_grid
    rows = read_csv(out / 'grid' / 'final.csv')
    assert [row['name'] for row in rows] == ['784-16-10 Relu SoftmaxCE lr=0.01 seed=0',
                                              '784-16-10 Relu MSE lr=0.01 seed=0']
    runs = read_runs(out)
    for row in rows:
        run = runs[row['key'] + '.json']
        assert float(row['test_acc']) == pytest.approx(run['final']['test_acc'], rel=1e-5)
        assert float(row['train_s']) >= 0
    assert json.loads((out / 'grid' / 'final.json').read_text())[0]['key'] == rows[0]['key']


def test_grid_figures(tiny_grid):
    pytest.importorskip('matplotlib')
    out, _ = tiny_grid
    assert pngs(out) == ['grid/accuracy.png', 'grid/curves/784-16-10_Relu_MSE_lr=0.01_seed=0.png',
                         'grid/curves/784-16-10_Relu_SoftmaxCE_lr=0.01_seed=0.png']
    for path in pngs(out):
        assert_png(out / path)


def test_rerun_trains_only_the_missing_run_and_gets_the_same_figures(tiny_grid, experiments):
    out, args = tiny_grid
    before = read_runs(out)
    kept, dropped = sorted(before)
    kept_bytes = (out / 'runs' / kept).read_bytes()
    (out / 'runs' / dropped).unlink()
    done = experiments(*args, '--no-plots')
    assert done.returncode == 0, done.stderr
    assert (out / 'runs' / kept).read_bytes() == kept_bytes  # not retrained
    again = read_runs(out)[dropped]
    assert again['final'] == before[dropped]['final'] and again['confusion'] == before[dropped]['confusion']


def test_runner_trains_as_run_mlp_does(tiny_grid, tiny_mnist, tmp_path):
    """Same seed and options: the runner's figures are run_mlp's own (the runner trains in float64)."""
    out, _ = tiny_grid
    path = tmp_path / 'run.json'
    done = subprocess.run([sys.executable, 'run_mlp.py', '--hidden', '16', '--activation', 'Relu', '--loss', 'MSE',
                           '--lr', '0.01', '--momentum', '0.9', '--weight-decay', '0', '--epochs', '1',
                           '--lr-halve-at', '--batch-size', '100', '--init-std', '0.05', '--seed', '0',
                           '--data-dir', str(tiny_mnist), '--json', str(path), '--dtype', 'float64'],
                          cwd=os.path.join(REPO, 'reference', 'codes'), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    theirs = json.loads(path.read_text())['final']
    (ours,) = [r['final'] for r in read_runs(out).values() if r['config']['loss'] == 'MSE']
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_sweep_without_matplotlib_writes_tables_and_no_figures(tmp_path, tiny_mnist, experiments):
    blocker = tmp_path / 'no-matplotlib' / 'matplotlib'
    blocker.mkdir(parents=True)
    (blocker / '__init__.py').write_text('raise ImportError("matplotlib is blocked for this test")\n')
    env = dict(os.environ, PYTHONPATH=str(blocker.parent))
    out = tmp_path / 'out'
    done = experiments('sweep', '--out', out, '--data-dir', 'mnist=%s' % tiny_mnist, '--epochs', 2,
                       '--lrs', 0.01, 0.1, '--seeds', 0, 1, *TINY, env=env)
    assert done.returncode == 0, done.stderr
    assert 'matplotlib is not installed' in done.stderr
    assert pngs(out) == []
    rows = read_csv(out / 'sweep' / 'epochs.csv')
    assert [(r['group'], r['epoch'], r['runs']) for r in rows] == [
        ('lr=0.01', '1', '2'), ('lr=0.01', '2', '2'), ('lr=0.1', '1', '2'), ('lr=0.1', '2', '2')]
    finals = read_csv(out / 'sweep' / 'final.csv')
    assert len(finals) == 4
    seeds_001 = [float(r['test_acc']) for r in finals if r['lr'] == '0.01']
    mean = sum(seeds_001) / 2
    assert float(rows[1]['test_acc_mean']) == pytest.approx(mean, rel=1e-5)
    assert float(rows[1]['test_acc_std']) == pytest.approx(abs(seeds_001[0] - mean), rel=1e-4, abs=1e-9)


def test_decay_halves_the_rate_at_the_given_epochs(tmp_path, tiny_mnist, experiments):
    out = tmp_path / 'out'
    done = experiments('decay', '--out', out, '--data-dir', 'mnist=%s' % tiny_mnist, '--epochs', 3,
                       '--halve-at', 2, 3, '--seeds', 0, '--no-plots', *TINY)
    assert done.returncode == 0, done.stderr
    rows = read_csv(out / 'decay' / 'epochs.csv')
    assert [(r['group'], float(r['learning_rate'])) for r in rows] == [
        ('constant', 0.01), ('constant', 0.01), ('constant', 0.01),
        ('halved at 2,3', 0.01), ('halved at 2,3', 0.005), ('halved at 2,3', 0.0025)]


def test_analysis_confusion_tables(tmp_path, tiny_mnist, experiments):
    out = tmp_path / 'out'
    done = experiments('analysis', '--out', out, '--datasets', 'mnist', '--data-dir', 'mnist=%s' % tiny_mnist,
                       '--epochs', 2, '--no-plots', *TINY)
    assert done.returncode == 0, done.stderr
    (run,) = read_runs(out).values()
    confusion = read_csv(out / 'analysis' / 'mnist' / 'confusion.csv')
    assert [r['true'] for r in confusion] == [str(d) for d in range(10)]
    assert [[int(r[str(p)]) for p in range(10)] for r in confusion] == run['confusion']
    worst = read_csv(out / 'analysis' / 'mnist' / 'most_confused.csv')
    for t, row in enumerate(worst):
        others = [(count, p) for p, count in enumerate(run['confusion'][t]) if p != t]
        assert int(row['count']) == max(others)[0] and row['most_confused_with'] != row['class']
    weights = read_csv(out / 'analysis' / 'mnist' / 'weights.csv')
    assert {r['layer'] for r in weights} == {'fc1', 'fc2'} and len(weights) == 80


def test_analysis_names_fashion_mnist_classes(tmp_path, tiny_fashion_mnist, experiments):
    out = tmp_path / 'out'
    done = experiments('analysis', '--out', out, '--datasets', 'fashion-mnist', '--epochs', 1, '--no-plots',
                       '--data-dir', 'fashion-mnist=%s' % tiny_fashion_mnist, *TINY)
    assert done.returncode == 0, done.stderr
    rows = read_csv(out / 'analysis' / 'fashion-mnist' / 'most_confused.csv')
    assert [r['class'] for r in rows][:3] == ['T-shirt/top', 'Trouser', 'Pullover']
    assert sum(int(r['examples']) for r in rows) == 100


def test_extras_compares_backprop_with_each_variant(tmp_path, tiny_mnist, experiments):
    out = tmp_path / 'out'
    done = experiments('extras', '--out', out, '--data-dir', 'mnist=%s' % tiny_mnist, '--epochs', 1,
                       '--no-plots', *TINY)
    assert done.returncode == 0, done.stderr
    rows = read_csv(out / 'extras' / 'epochs.csv')
    assert [r['group'] for r in rows] == [
        'backprop', 'feedback fixed', 'feedback redrawn', 'stale k=10', 'noise 0.1 forward',
        'noise 0.1 backward', 'noise 0.1 same', 'noise 0.1 fresh', 'round 1']
    losses = {run['final']['train_loss'] for run in read_runs(out).values()}
    assert len(losses) == 9  # each variant trains differently


def test_threads_flag_reaches_every_worker(tmp_path, tiny_mnist, experiments):
    """--threads sets the BLAS variables before the workers start; each run records what it had."""
    done = experiments('decay', '--out', tmp_path, '--data-dir', 'mnist=%s' % tiny_mnist, '--halve-at', 1,
                       '--seeds', 0, '--epochs', 1, '--threads', 1, '--no-plots', *TINY)
    assert done.returncode == 0, done.stderr
    assert 'experiments: 2 worker(s), 1 BLAS thread(s) each (--threads)' in done.stdout
    runs = read_runs(tmp_path)
    assert len(runs) == 2 and {run['blas_threads'] for run in runs.values()} == {1}


@pytest.mark.parametrize('jobs, requested, environ, cores, load, expected', [
    (2, 3, {'OMP_NUM_THREADS': '1'}, 2, 0.0, (3, '--threads')),
    (1, 0, {'OPENBLAS_NUM_THREADS': '2'}, 2, 5.0, (2, 'OPENBLAS_NUM_THREADS')),
    (1, 0, {}, 2, 0.2, (2, 'automatic: load 0.2 on 2 cores, 1 jobs')),   # idle: both cores
    (2, 0, {}, 2, 0.2, (1, 'automatic: load 0.2 on 2 cores, 2 jobs')),   # shared among the jobs
    (1, 0, {}, 2, 1.8, (1, 'automatic: load 1.8 on 2 cores, 1 jobs')),   # busy: one
    (2, 0, {}, 8, 0.0, (4, 'automatic: load 0.0 on 8 cores, 2 jobs')),
])
def test_worker_threads(runner_modules, jobs, requested, environ, cores, load, expected):
    runner = runner_modules('reference.experiments.runner')
    assert runner.worker_threads(jobs, requested, environ, cores, load) == expected


def test_user_errors_are_one_line(tmp_path, experiments):
    done = experiments('grid', '--out', tmp_path, '--data-dir', 'mnist=%s' % tmp_path, '--quiet')
    assert done.returncode == 2
    assert done.stderr.strip() == 'experiments: error: mnist: no train-images-idx3-ubyte(.gz) in %s' % tmp_path
    done = experiments('extras', '--out', tmp_path, '--feedback', 'fixed', '--round-h', '1')
    assert done.returncode == 2 and 'give at most one' in done.stderr and 'Traceback' not in done.stderr


def test_vu_question_7_sweeps_rates_and_seeds_on_the_validation_split(tmp_path, tiny_mnist, experiments):
    out = tmp_path / 'out'
    done = experiments('vu', '--out', out, '--data-dir', 'mnist=%s' % tiny_mnist, '--epochs', 2, '--batch-size', 10,
                       '--lrs', 0.01, 0.03, '--seeds', 0, 1, '--final-lrs', 0.03, '--no-plots', '--quiet')
    assert done.returncode == 0, done.stderr
    runs = [json.loads(p.read_text()) for p in sorted((out / 'runs').glob('*.json'))]
    assert sorted((r['config']['split'], r['config']['lr'], r['config']['seed']) for r in runs) == [
        ('final', 0.03, 0), ('validation', 0.01, 0), ('validation', 0.01, 1), ('validation', 0.03, 0),
        ('validation', 0.03, 1)]
    assert {(r['config']['hidden'][0], r['config']['activation'], r['config']['momentum']) for r in runs} == {
        (300, 'Sigmoid', 0.0)}
    # 250 training rows (a sixth held out) in batches of 10, per-step losses averaged over 10 batches
    assert all(len(r['steps']) == 2 * 25 // 10 for r in runs if r['config']['split'] == 'validation')
    epochs = read_csv(out / 'vu' / 'sweep' / 'epochs.csv')
    assert [(r['group'], r['epoch'], r['runs']) for r in epochs] == [
        ('lr=0.01', '1', '2'), ('lr=0.01', '2', '2'), ('lr=0.03', '1', '2'), ('lr=0.03', '2', '2')]
    assert 'validation_loss_mean' in epochs[0] and 'test_loss_mean' not in epochs[0]
    steps = read_csv(out / 'vu' / 'sweep' / 'steps.csv')
    assert [(r['lr'], r['step'], r['runs']) for r in steps[:2]] == [('0.01', '10', '2'), ('0.01', '20', '2')]
    chosen = json.loads((out / 'vu' / 'final' / 'chosen.json').read_text())
    assert chosen['lr'] in (0.01, 0.03) and (chosen['test_acc'] is None) == (chosen['lr'] != 0.03)
