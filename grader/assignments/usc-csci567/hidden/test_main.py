"""main()'s three snippets, graded on short real runs of the student's main() with the course's
hyper-parameters ([settings.main_relu] and [settings.main_momentum]; fewer rows and epochs) on
mnist_subset.json's rows. Trusted modules stand in for the classes and the update (tasks.run_main),
so only main's own code is judged here: how its backward snippet calls the modules, what its two
evaluation snippets compute, and that the run learns (test accuracy computed here, from the learned
weights, on test rows the worker never sees).
"""
import numpy as np
import pytest

from grader import checks

PROBLEMS = {
    "L2:X": "model['L2'].backward must be given d1, the input of model['L2'].forward",
    "L2:grad": "model['L2'].backward must be given grad_a2, the gradient model['loss'].backward returned",
    "drop1:grad": "model['drop1'].backward must be given the gradient model['L2'].backward returned",
    "nonlinear1:X": "model['nonlinear1'].backward must be given a1, the input of its forward (its output h1 "
                    "turns a relu whose mask compares X with its forward's output into the identity)",
    "nonlinear1:grad": "model['nonlinear1'].backward must be given the gradient model['drop1'].backward returned",
    "L1:grad": "grad_a1 must be the gradient model['nonlinear1'].backward returned",
    "L1:X": "model['L1'].backward(x, grad_a1) is given code: restore it",
}


def _learned(result: dict) -> dict:
    params = result.get("params", {})
    if set(params) != {"L1_W", "L1_b", "L2_W", "L2_b"}:
        raise AssertionError("main() never reached the update (miniBatchStochasticGradientDescent) with "
                             "model['L1'] and model['L2']")
    return params


def _evaluation(main_runs, expect, split: str) -> None:
    """The losses main's evaluation loop over `split` added up, batch by batch, against the
    network's own losses with dropout off (computed here from the weights it ended with)."""
    config = "relu"
    main_params = main_runs.params(config)
    result = main_runs.run(config, "check")
    params, losses = _learned(result), np.asarray(result["losses"], dtype=float)
    batch = int(main_params["minibatch_size"])
    n_train, n_valid = (rows // batch for rows in main_runs.rows("check"))
    if losses.shape != (n_train + n_valid,):
        raise AssertionError(f"after training, main's evaluation loops called model['loss'].forward {losses.size} "
                             f"times; the given loops call it once per mini-batch ({n_train} + {n_valid})")
    X, y = main_runs.data("check", split)
    want = expect.batch_losses(expect.scores(params, main_params["activation"], X), y, batch)
    got = losses[:n_train] if split == "train" else losses[n_train:]
    checks.close(got, want, f"the loss of each {'training' if split == 'train' else 'validation'} mini-batch "
                            "in main's evaluation loop")


def _accuracy(main_runs, expect, config: str, threshold: float, leaderboard=None) -> None:
    """The test rows' accuracy of the weights main learned, at least `threshold`."""
    params, test = _learned(main_runs.run(config, "accuracy")), main_runs.subset["test"]
    predicted = np.argmax(expect.scores(params, main_runs.params(config)["activation"], test.images), axis=1)
    accuracy = float(np.mean(predicted == test.labels))
    if leaderboard is not None:
        leaderboard("accuracy", accuracy)
    if accuracy < threshold:
        raise AssertionError(f"the weights main() learned classify {accuracy:.1%} of {len(test.labels)} test "
                             f"images right; a correct main reaches {threshold:.0%} in this short run")


@pytest.mark.feedback("the backward snippet calls the backward of model['L2'], model['drop1'] and "
                      "model['nonlinear1'] in turn, each with the input its forward was given and the gradient "
                      "the module after it returned")
def test_main_backward_calls(main_runs, settings):
    """main's backward snippet calls each module's backward with the right tensors"""
    stop = settings["main_runs"]["stop_after"]
    result = main_runs.run("relu", "check", stop_after=stop)
    problems = result.get("problems", {})
    if problems:
        code, step = min(problems.items(), key=lambda item: (item[1], item[0]))
        raise AssertionError(f"in training step {step + 1}: {PROBLEMS.get(code, code)}")
    if result.get("steps") != stop:
        raise AssertionError(f"main() made {result.get('steps')} updates where {stop} were expected")


@pytest.mark.feedback("the training-accuracy snippet runs the training loop's four forward calls in order, "
                      "with dropout off (is_train=False), leaving the scores in a2")
def test_main_training_forward(main_runs, expect):
    """main's training-accuracy snippet computes the network's output (dropout off)"""
    _evaluation(main_runs, expect, "train")


@pytest.mark.feedback("the validation-accuracy snippet runs the same four forward calls, with dropout off "
                      "(is_train=False), leaving the scores in a2")
def test_main_validation_forward(main_runs, expect):
    """main's validation-accuracy snippet computes the network's output (dropout off)"""
    _evaluation(main_runs, expect, "valid")


@pytest.mark.feedback("main() must train: the backward snippet feeds the update every layer's gradient")
def test_main_accuracy(main_runs, expect, settings, leaderboard):
    """main() learns: relu, no momentum, a short run; test accuracy of the learned weights"""
    _accuracy(main_runs, expect, "relu", settings["main_runs"]["accuracy_at_least"], leaderboard)


@pytest.mark.feedback("main() must train with momentum too (the momentum dict is add_momentum's, passed to the update)")
def test_main_accuracy_momentum(main_runs, expect, settings):
    """main() learns: tanh with momentum, a short run; test accuracy of the learned weights"""
    _accuracy(main_runs, expect, "momentum", settings["main_runs"]["momentum_accuracy_at_least"])
