"""The Montreal experiment: the text's sigmoid network with plain SGD on 50,000 training images by
default, exact backprop against each extra (h rounded to the nearest integer), and errors.csv."""
import csv
import json


def test_montreal_trains_the_sigmoid_network_and_reports_test_errors(tmp_path, tiny_mnist, experiments):
    out = tmp_path / 'out'
    done = experiments('montreal', '--out', out, '--data-dir', 'mnist=%s' % tiny_mnist, '--epochs', 2,
                       '--train-size', 300, '--test-size', 100, '--hidden', 16, '--jobs', 2, '--quiet', '--no-plots')
    assert done.returncode == 0, done.stderr
    configs = [json.loads(p.read_text())['config'] for p in sorted((out / 'runs').iterdir())]
    assert len(configs) == 9
    assert {(c['activation'], c['loss'], c['lr'], c['momentum'], c['batch_size']) for c in configs} == {
        ('Sigmoid', 'SoftmaxCE', 0.5, 0.0, 20)}
    with open(out / 'montreal' / 'errors.csv') as f:
        rows = list(csv.DictReader(f))
    assert [r['extra'] for r in rows] == ['backprop', 'feedback fixed', 'feedback redrawn', 'stale k=10',
                                          'noise 0.1 forward', 'noise 0.1 backward', 'noise 0.1 same',
                                          'noise 0.1 fresh', 'round 0']
    finals = {c['extra'] and c['extra']['kind']: json.loads(p.read_text())['final']['test_acc']
              for p, c in zip(sorted((out / 'runs').iterdir()), configs)}
    backprop = next(r for r in rows if r['extra'] == 'backprop')
    assert float(backprop['test_error_percent']) == round(100 * (1 - finals[None]), 2)
    assert int(backprop['epochs']) == 2 and 1 <= int(backprop['best_epoch']) <= 2
    assert float(backprop['best_test_error_percent']) <= float(backprop['test_error_percent'])


def test_montreal_defaults_are_the_text_s_setting(runner_modules):
    main = runner_modules('reference.experiments.__main__')
    args = main.parse_args(['montreal'])
    config = main.base_config(args)
    assert (config['train_size'], config['hidden'], config['activation'], config['momentum']) == (
        50000, [100], 'Sigmoid', 0.0)
    assert main.base_config(main.parse_args(['montreal', '--epochs', '3']))['epochs'] == 3
    assert main.base_config(main.parse_args(['extras']))['activation'] == 'Relu'  # the others keep theirs
