"""run_mlp.py trains in float32 by default: float32 data must stay float32 through every layer, every
loss and the update (one float64 array would upcast the weights for good and halve the speed)."""
import numpy as np
import pytest

ACTIVATIONS = ("Relu", "Sigmoid", "Tanh", "Selu", "Swish", "Gelu")
LOSSES = ("MSE", "SoftmaxCE", "Hinge", "Focal")


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", LOSSES)
def test_a_float32_epoch_stays_float32(ref, mnist, activation, loss):
    train_x, train_y, _, _ = mnist
    args = ref.run_mlp.parse_args(["--hidden", "16", "8", "--activation", activation, "--loss", loss,
                                   "--dropout", "0.2"])
    np.random.seed(0)
    model = ref.run_mlp.build_model(args)
    ref.run_mlp.cast_parameters(model, np.float32)
    config = {"learning_rate": 0.01, "weight_decay": 1e-4, "momentum": 0.9}
    x = train_x[:300].astype(np.float32)
    ref.solve_net.train_net(model, ref.run_mlp.build_loss(args), config, x, train_y[:300], 100, 0)
    for layer in model.layer_list:
        if layer.trainable:
            dtypes = {name: getattr(layer, name).dtype for name in ("W", "b", "grad_W", "grad_b", "diff_W", "diff_b")}
            assert set(dtypes.values()) == {np.dtype(np.float32)}, (layer.name, dtypes)
    assert model.forward(x[:10]).dtype == np.float32


def test_float32_and_float64_runs_reach_the_same_accuracy(ref, mnist):
    """Same seed, same draws (weights are drawn in float64, then cast): two epochs on 3,000 examples."""
    train_x, train_y, test_x, test_y = mnist
    args = ref.run_mlp.parse_args(["--epochs", "2", "--hidden", "64", "--seed", "0"])
    accuracies = {}
    for dtype in (np.float32, np.float64):
        data = (train_x[:3000].astype(dtype), test_x[:2000].astype(dtype), train_y[:3000], test_y[:2000])
        accuracies[dtype] = ref.run_mlp.train(args, data)["final"]["test_acc"]
    assert accuracies[np.float32] > 0.8, accuracies
    assert accuracies[np.float32] == pytest.approx(accuracies[np.float64], abs=0.005), accuracies


def test_load_mnist_2d_gives_the_dtype_asked_for(ref, tiny_mnist_dir):
    wide = ref.load_data.load_mnist_2d(str(tiny_mnist_dir))
    narrow = ref.load_data.load_mnist_2d(str(tiny_mnist_dir), np.float32)
    assert wide[0].dtype == np.float64 and narrow[0].dtype == narrow[1].dtype == np.float32
    np.testing.assert_allclose(narrow[0], wide[0], atol=1e-7)
    np.testing.assert_array_equal(narrow[2], wide[2])


def test_update_changes_the_arrays_in_place(ref):
    """No new W each step (the formula itself is checked in test_reference_update_dropout)."""
    layer = ref.layers.Linear("fc", 3, 2, init_std=1.0)
    W = layer.W
    before = W.copy()
    layer.grad_W, layer.grad_b = np.ones((3, 2)), np.ones(2)
    layer.update({"learning_rate": 0.5, "momentum": 0.9, "weight_decay": 0.0})
    assert layer.W is W
    np.testing.assert_allclose(layer.W, before - 0.5)
