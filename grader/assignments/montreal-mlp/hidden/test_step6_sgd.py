"""Step 6's loop alone: the student's sgd runs in the worker with right forward, loss and gradient
functions put in place of theirs (tasks.sgd_with_right_gradients), so only the loop is judged.
Its steps are recomputed here with the reference."""
import numpy as np
import pytest


def run_sgd(student, note, params, X, T, learning_rate, epochs, batch_size):
    got = student.run_task("sgd_with_right_gradients", params=params, X=X, T=T, learning_rate=learning_rate,
                           epochs=epochs, batch_size=batch_size, seed=0)
    if not isinstance(got, dict) or not isinstance(got.get("params"), dict):
        raise AssertionError("sgd did not return the parameters (a dict keyed W, b, V, c)")
    if got.get("returned_none"):
        note("sgd returned None; the parameters it updated in place were used (the spec asks it to return them)")
    rows = got.get("batch_rows")
    return got["params"], [n for n in rows if type(n) is int] if isinstance(rows, list) else []


def moved(kit, got, params, want, what, **context):
    """Each parameter's displacement from its start against the expected one; parameters left
    where they started are named first (they also change how the others move)."""
    for name in kit.NAMES:
        if name not in got:
            raise AssertionError(f"{what} returned no {name!r}")
    shifts = {name: kit.values(got[name], params[name].shape, f"{what}[{name!r}]") - params[name]
              for name in kit.NAMES}
    still = [name for name in kit.NAMES if not np.any(shifts[name])]
    if still:
        raise AssertionError(f"{what} left {' and '.join(still)} where {'it was' if len(still) == 1 else 'they were'}")
    for name in kit.NAMES:
        kit.close(shifts[name], want[name] - params[name], f"how far {what} moved {name}", **context)


@pytest.mark.feedback("each step is params[name] -= learning_rate * (the minibatch's mean gradient), once per "
                      "minibatch, for every one of the four parameters, epochs times")
def test_sgd_full_batch_steps(student, ref, kit, note):
    """sgd with one minibatch of all the rows takes one gradient step per epoch"""
    params, X, T = kit.batch(5, 8)
    rate, epochs = 0.3, 3
    want = {name: value.copy() for name, value in params.items()}
    for _ in range(epochs):
        grads = ref.gradients_batch(want, X, T, *ref.forward_batch(want, X))
        want = {name: want[name] - rate * grads[name] for name in kit.NAMES}
    got, _ = run_sgd(student, note, params, X, T, rate, epochs, len(X))
    moved(kit, got, params, want, "sgd with batch_size = N", constants={"learning_rate": rate})


@pytest.mark.feedback("an epoch takes one step per minibatch of batch_size rows and visits every row once: over "
                      "an epoch the steps add up to -learning_rate * (N / batch_size) * the mean gradient")
def test_sgd_minibatch_epochs(student, ref, kit, note):
    """sgd visits every row once per epoch, in minibatches of batch_size"""
    params, X, T = kit.batch(6, 20)
    rate, epochs, batch_size = 1e-4, 2, 5
    grads = ref.gradients_batch(params, X, T, *ref.forward_batch(params, X))
    # The rate is small enough that the gradient hardly changes over the 8 steps: whatever the
    # order of the rows, the displacement is epochs * (N / batch_size) full-batch steps.
    steps = epochs * len(X) / batch_size
    want = {name: params[name] - rate * steps * grads[name] for name in kit.NAMES}
    got, batch_rows = run_sgd(student, note, params, X, T, rate, epochs, batch_size)
    asked = sum(rows == batch_size for rows in batch_rows)
    if batch_rows and asked < steps:  # a loop that calls gradients_batch: once per minibatch
        raise AssertionError(f"sgd asked gradients_batch for {asked} minibatches of {batch_size} rows (sizes "
                             f"asked: {sorted(set(batch_rows))}); {epochs} epochs of {len(X)} rows take {steps:g}")
    moved(kit, got, params, want, f"sgd with N = {len(X)}, batch_size = {batch_size}, epochs = {epochs}",
          rtol=0.02)
