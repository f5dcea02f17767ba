"""The Montreal variants' maths, the tables' arithmetic and each kind of figure, in-process."""
import argparse

import numpy as np
import pytest


@pytest.fixture
def extras(runner_modules):
    return runner_modules('reference.experiments.extras')


@pytest.fixture
def linear(runner_modules):
    layers = runner_modules('layers')
    np.random.seed(0)
    return layers.Linear('fc2', 4, 3, 0.1)


def batch(seed=1):
    rng = np.random.RandomState(seed)
    return rng.randn(5, 4), rng.randn(5, 3)


def test_feedback_alignment_sends_the_gradient_through_B(extras, linear):
    x, g = batch()
    fixed = extras.FeedbackAlignmentLinear.adopting(linear, redraw=False)
    fixed.forward(x)
    assert np.allclose(fixed.backward(g), g @ fixed.B.T) and not np.allclose(fixed.B, fixed.W)
    assert np.allclose(fixed.grad_W, x.T @ g) and np.allclose(fixed.grad_b, g.sum(axis=0))
    first = fixed.B.copy()
    fixed.backward(g)
    assert np.array_equal(fixed.B, first)
    redrawn = extras.FeedbackAlignmentLinear.adopting(linear, redraw=True)
    redrawn.forward(x)
    out = redrawn.backward(g)
    assert np.allclose(out, g @ redrawn.B.T) and not np.array_equal(redrawn.B, first)


def test_stale_weights_are_those_of_k_updates_ago(extras, linear):
    x, g = batch()
    stale = extras.StaleWeightLinear.adopting(linear, k=2)
    config = {'learning_rate': 0.1, 'momentum': 0.0, 'weight_decay': 0.0}
    seen = [stale.W.copy()]
    for _ in range(3):
        stale.forward(x)
        stale.backward(g)
        stale.update(config)
        seen.append(stale.W.copy())
    stale.forward(x)
    assert np.allclose(stale.backward(g), g @ seen[-3].T)  # W_t is seen[-1]; k=2 updates ago
    assert not np.allclose(seen[-3], seen[-1])


@pytest.mark.parametrize('on, forward_noisy, backward_noisy, same_sample', [
    ('forward', True, False, False), ('backward', False, True, False),
    ('same', True, True, True), ('fresh', True, True, False)])
def test_noise_on_h_goes_where_asked(extras, linear, on, forward_noisy, backward_noisy, same_sample):
    x, g = batch()
    clean = x @ linear.W + linear.b
    noisy = extras.NoisyInputLinear.adopting(linear, std=0.5, on=on)
    out = noisy.forward(x)
    remembered = noisy._saved_tensor
    assert np.allclose(out, clean) != forward_noisy
    assert np.allclose(remembered, x) != backward_noisy
    assert np.allclose(remembered @ noisy.W + noisy.b, out) == same_sample
    noisy.backward(g)
    assert np.allclose(noisy.grad_W, remembered.T @ g)
    noisy.training = False
    assert np.allclose(noisy.forward(x), clean)  # evaluation sees clean h


def test_rounded_h_forward_and_straight_through_backward(extras, linear):
    x, g = batch()
    rounded = extras.RoundedInputLinear.adopting(linear, decimals=1)
    assert np.allclose(rounded.forward(x), np.round(x, 1) @ linear.W + linear.b)
    assert np.allclose(rounded.backward(g), g @ linear.W.T)
    assert np.allclose(rounded.grad_W, np.round(x, 1).T @ g)


def test_extras_replace_every_linear_but_the_first(extras, runner_modules):
    run_mlp = runner_modules('run_mlp')
    args = argparse.Namespace(hidden=[8, 6], activation='Tanh', dropout=0.0, init_std=0.1)
    model = extras.apply_extra(run_mlp.build_model(args), {'kind': 'stale', 'k': 3})
    kinds = [type(layer).__name__ for layer in model.layer_list]
    assert kinds == ['Linear', 'Tanh', 'StaleWeightLinear', 'Tanh', 'StaleWeightLinear']
    assert [layer.name for layer in model.layer_list][2] == 'fc2'


def test_most_confused_and_bands_skip_diverged_runs(runner_modules):
    tables = runner_modules('reference.experiments.tables')
    matrix = [[8, 1, 1], [0, 5, 5], [3, 0, 7]]
    rows = tables.most_confused(matrix, ['a', 'b', 'c'])
    assert [(r['class'], r['most_confused_with'], r['count']) for r in rows] == [
        ('a', 'b', 1), ('b', 'c', 5), ('c', 'a', 3)]  # a's tie goes to the lower class
    assert rows[1]['accuracy'] == 0.5 and rows[2]['share'] == 0.3

    def result(seed, test_acc):
        row = {'epoch': 1, 'learning_rate': 0.1, 'train_loss': 1.0, 'train_acc': 0.5,
               'test_loss': None if test_acc is None else 1.0, 'test_acc': test_acc}
        return {'config': {'lr': 0.1, 'seed': seed}, 'epochs': [row]}

    (band,) = tables.epoch_bands([result(0, 0.5), result(1, 0.7), result(2, None)], lambda c: 'lr=%g' % c['lr'])
    assert band['runs'] == 3 and band['test_acc_mean'] == pytest.approx(0.6)
    assert band['test_acc_std'] == pytest.approx(0.1)


def test_each_kind_of_figure_is_a_png(runner_modules, tmp_path):
    pytest.importorskip('matplotlib')
    plots = runner_modules('reference.experiments.plots')
    tables = runner_modules('reference.experiments.tables')
    plans = runner_modules('reference.experiments.plans')
    config = plans.with_(plans.BASE, lr_halve_at=[2], epochs=3)
    epochs = [{'epoch': e, 'learning_rate': 0.01, 'train_loss': 1.0 / e, 'train_acc': 0.5 + e / 10,
               'test_loss': 1.1 / e, 'test_acc': 0.5 + e / 11} for e in (1, 2, 3)]
    result = {'config': config, 'epochs': epochs, 'final': epochs[-1], 'wall_s': 1.0,
              'confusion': np.diag([10] * 10).tolist(),
              'weights': [{'layer': 'fc1', 'shape': [784, 128], 'mean': 0.0, 'std': 0.05,
                           'counts': [1, 3, 1], 'edges': [-0.1, -0.05, 0.05, 0.1]}]}
    plots.curves(result, tmp_path / 'curves.png', 'a run')
    plots.accuracy_grid(tables.final_rows([result]), tmp_path / 'grid.png')
    plots.bands(tables.epoch_bands([result], lambda c: 'x'), tmp_path / 'bands.png', 'bands', marks=[2])
    plots.confusion(result['confusion'], plans.CLASS_NAMES['fashion-mnist'], tmp_path / 'confusion.png', 'c')
    plots.weights(result, tmp_path / 'weights.png', 'w')
    for name in ('curves', 'grid', 'bands', 'confusion', 'weights'):
        data = (tmp_path / (name + '.png')).read_bytes()
        assert data[:8] == b'\x89PNG\r\n\x1a\n' and len(data) > 2000, name
    again = tmp_path / 'again.png'
    plots.curves(result, again, 'a run')
    assert again.read_bytes() == (tmp_path / 'curves.png').read_bytes()  # no time stamp inside


def test_a_course_subcommand_keeps_its_defaults_to_itself(runner_modules):
    main = runner_modules('reference.experiments.__main__')
    grid, vu = main.parse_args(['grid']), main.parse_args(['vu'])
    assert (grid.hidden, grid.activation, grid.momentum, grid.batch_size) == ([128], 'Relu', 0.9, 100)
    assert (vu.hidden, vu.activation, vu.momentum, vu.batch_size) == ([300], 'Sigmoid', 0.0, 32)
