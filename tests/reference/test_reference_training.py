"""The reference learns: a short real run on MNIST, and run_mlp.py as a real command."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CODES_DIR = Path(__file__).resolve().parents[2] / "reference" / "codes"


def test_two_epochs_on_10000_examples_reach_90_percent(ref, mnist):
    """200 steps of 784-256-10 (seeds 0, 1, 2 gave 91.6%, 91.2%, 90.7% on the 10,000 test images)."""
    train_x, train_y, test_x, test_y = mnist
    args = ref.run_mlp.parse_args(["--epochs", "2", "--lr", "0.05", "--momentum", "0.9", "--lr-halve-at", "2",
                                   "--init-std", "0.05", "--seed", "0"])
    result = ref.run_mlp.train(args, (train_x[:10000], test_x, train_y[:10000], test_y))
    assert [row["epoch"] for row in result["epochs"]] == [1, 2]
    assert result["final"]["test_acc"] >= 0.90, result["final"]
    assert result["epochs"][1]["train_loss"] < result["epochs"][0]["train_loss"]


def test_same_seed_same_figures_other_seed_other_figures(ref, mnist):
    train_x, train_y, test_x, test_y = mnist
    data = (train_x[:1000], test_x[:500], train_y[:1000], test_y[:500])
    runs = [ref.run_mlp.train(ref.run_mlp.parse_args(["--epochs", "1", "--hidden", "32", "--dropout", "0.3",
                                                       "--seed", seed]), data)["final"]
            for seed in ("5", "5", "6")]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_build_model_stacks_hidden_layers_with_dropout(ref):
    args = ref.run_mlp.parse_args(["--hidden", "512", "256", "--activation", "Gelu", "--dropout", "0.2"])
    model = ref.run_mlp.build_model(args)
    kinds = [type(layer).__name__ for layer in model.layer_list]
    assert kinds == ["Linear", "Gelu", "Dropout", "Linear", "Gelu", "Dropout", "Linear"]
    assert [layer.W.shape for layer in model.layer_list if kinds[0] == type(layer).__name__] == \
        [(784, 512), (512, 256), (256, 10)]
    assert type(ref.run_mlp.build_loss(ref.run_mlp.parse_args(["--loss", "Hinge"]))).__name__ == "HingeLoss"


def run_mlp(handout, *args, extra_path=None):
    env = {key: value for key, value in os.environ.items() if key not in ("MNIST_DIR", "PYTHONPATH")}
    if extra_path:
        env["PYTHONPATH"] = str(extra_path)
    return subprocess.run([sys.executable, "run_mlp.py", *args], cwd=handout / "codes", env=env,
                          capture_output=True, text=True, timeout=120)


def test_run_mlp_command_writes_its_json(handout):
    out = handout / "results" / "run.json"
    out.parent.mkdir()
    done = run_mlp(handout, "--hidden", "16", "--epochs", "2", "--batch-size", "10", "--lr", "0.01",
                   "--lr-halve-at", "2", "--json", str(out))
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["config"]["hidden"] == [16] and result["config"]["data_dir"] == str(handout / "data" / "mnist")
    assert [row["learning_rate"] for row in result["epochs"]] == [0.01, 0.005]
    for row in result["epochs"]:
        assert 0 < row["test_acc"] <= 1 and 0 < row["train_acc"] <= 1 and row["test_loss"] > 0
    assert result["epochs"][1]["test_acc"] > 0.3  # 500 images, 100 steps (0.55 seen): above chance (0.1)
    assert result["final"]["test_acc"] == result["epochs"][-1]["test_acc"]
    assert result["wall_s"] > result["epochs"][-1]["seconds"] > 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["run.json"]  # no temporary file left
    assert "100%" in done.stdout  # rich's progress bar (its last frame, as stdout is no terminal)


def test_run_mlp_without_rich_logs_plain_lines(handout, tmp_path):
    (tmp_path / "rich").mkdir()
    (tmp_path / "rich" / "__init__.py").write_text("raise ImportError('rich is not installed')\n")
    done = run_mlp(handout, "--hidden", "8", "--epochs", "1", "--batch-size", "10", extra_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Epoch 1/1: train loss" in done.stdout and "Final test accuracy" in done.stdout
    assert "100%" not in done.stdout


def test_run_mlp_names_missing_data_in_one_line(handout, tmp_path):
    done = run_mlp(handout, "--data-dir", str(tmp_path))
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "train-images-idx3-ubyte" in done.stderr


def test_data_dir_is_the_flag_else_mnist_dir_else_the_repository_copy(ref, monkeypatch, tmp_path):
    monkeypatch.delenv("MNIST_DIR", raising=False)
    assert Path(ref.run_mlp.find_data_dir()) == CODES_DIR.parents[1] / "data" / "mnist"
    monkeypatch.setenv("MNIST_DIR", str(tmp_path))
    assert ref.run_mlp.find_data_dir() == str(tmp_path)
    assert ref.run_mlp.find_data_dir("elsewhere") == "elsewhere"
