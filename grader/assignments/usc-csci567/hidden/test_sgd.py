"""miniBatchStochasticGradientDescent(model, momentum, _lambda, _alpha, _learning_rate), called as
main() calls it: main's model dict (trusted modules here, tasks.sgd_model: two linear layers with
params and gradient, three without parameters), and without momentum None, with momentum the
caller's dict (student.keep), which the update must change in place. Several steps, a new gradient
before each, as in training; the expected trajectory is computed here.
"""
import numpy as np
import pytest

from grader import checks

LAYERS = {"L1": (4, 3), "L2": (3, 2)}
RATE = 0.1
ALPHA = 0.9
LAMBDA = 0.5
"""Large enough that a step without weight decay is far outside the tolerance."""


def _start(seed: int) -> tuple[dict, list[dict]]:
    """Initial parameters, and one gradient per step (main's names: L1_W, L1_b, L2_W, L2_b)."""
    rng = np.random.default_rng(seed)
    shapes = {f"{name}_{key}": shape for name, (i, o) in LAYERS.items()
              for key, shape in (("W", (i, o)), ("b", (1, o)))}
    params = {k: rng.normal(size=s) for k, s in shapes.items()}
    grads = [{k: rng.normal(size=s) for k, s in shapes.items()} for _ in range(3)]
    return params, grads


def _expected(params: dict, grads: list[dict], _lambda: float, _alpha: float) -> tuple[list[dict], dict]:
    """Parameters after each step, and the final velocities (the spec: v = alpha v - rate g)."""
    params = {k: v.copy() for k, v in params.items()}
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    after = []
    for grad in grads:
        for k in params:
            g = grad[k] + _lambda * params[k]
            if _alpha <= 0.0:
                params[k] = params[k] - RATE * g
            else:
                velocity[k] = _alpha * velocity[k] - RATE * g
                params[k] = params[k] + velocity[k]
        after.append({k: v.copy() for k, v in params.items()})
    return after, velocity


def _run(student, _lambda: float, _alpha: float, steps: int, seed: int):
    """The student's update for `steps` steps, checked after each; returns the momentum dict read back
    (None without momentum) and the expected velocities."""
    params, grads = _start(seed)
    grads = grads[:steps]
    after, velocity = _expected(params, grads, _lambda, _alpha)
    model = student.run_task("sgd_model", **params)
    momentum = student.keep({k: np.zeros_like(v) for k, v in params.items()}) if _alpha > 0 else None
    update = student.neural_networks.miniBatchStochasticGradientDescent
    before = params
    for step, (grad, want) in enumerate(zip(grads, after), start=1):
        for name in LAYERS:
            model[name].gradient = {"W": grad[f"{name}_W"], "b": grad[f"{name}_b"]}
        update(model, momentum, _lambda, _alpha, RATE)
        for name in LAYERS:
            got = model[name].params
            for key in ("W", "b"):
                what, k = f"model['{name}'].params['{key}']", f"{name}_{key}"
                if not isinstance(got, dict) or key not in got:
                    raise AssertionError(f"{what} is missing after step {step}: update module.params[key]")
                moved = checks.values(got[key], want[k].shape, f"{what} after step {step}") - before[k]
                checks.close(moved, want[k] - before[k], f"the change of {what} in step {step}")
        before = want
    return (student.fetch(momentum) if momentum is not None else None), velocity


@pytest.mark.feedback("without momentum (_alpha = 0): params[key] -= _learning_rate * g")
def test_sgd_plain(student):
    """gradient descent without momentum, three steps"""
    _run(student, 0.0, 0.0, steps=3, seed=0)


@pytest.mark.feedback("without momentum the step uses g, which the given line computes with the weight "
                      "decay: g = gradient + _lambda * params")
def test_sgd_weight_decay(student):
    """gradient descent without momentum, with weight decay (_lambda > 0)"""
    _run(student, LAMBDA, 0.0, steps=1, seed=1)


@pytest.mark.feedback("with momentum: momentum[module_name + '_' + key] = _alpha * momentum[...] - "
                      "_learning_rate * g, stored in the dict, then params[key] += momentum[...]")
def test_sgd_momentum(student):
    """gradient descent with momentum, three steps, velocities kept in the caller's dict"""
    kept, velocity = _run(student, 0.0, ALPHA, steps=3, seed=2)
    if not isinstance(kept, dict) or set(kept) != set(velocity):
        raise AssertionError(f"the momentum dict holds {sorted(kept) if isinstance(kept, dict) else kept!r} after "
                             f"the steps; add_momentum made {sorted(velocity)}: update those entries")
    for k, want in velocity.items():
        got = checks.values(kept[k], want.shape, f"momentum[{k!r}] after 3 steps")
        if not (np.allclose(got, want, rtol=checks.RTOL, atol=checks.RTOL * np.abs(want).max())
                or np.allclose(-got, want, rtol=checks.RTOL, atol=checks.RTOL * np.abs(want).max())):
            raise AssertionError(f"momentum[{k!r}] after 3 steps is not the velocity of the updates: store "
                                 "_alpha * momentum[...] - _learning_rate * g back into the dict")


@pytest.mark.feedback("with momentum the step uses g too, which includes the weight decay: "
                      "g = gradient + _lambda * params")
def test_sgd_momentum_weight_decay(student):
    """gradient descent with momentum and weight decay (_lambda > 0)"""
    _run(student, LAMBDA, ALPHA, steps=1, seed=3)
