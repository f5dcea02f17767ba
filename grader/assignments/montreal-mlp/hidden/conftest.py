"""What the Montreal MLP's hidden tests share: the networks they use, and reading what the
student's functions return.

Student code is called the way the hand-out's own code calls it (mlp.py's check_toy_network and
main): forward(params, x) before gradients(params, x, t, h, y), forward_batch before
gradients_batch, every argument passed, positionally (students name parameters as they like). gradients is given the h and y a right forward
gives (computed here), so a wrong forward is charged to forward alone. Expected values come from
the reference (the `reference` fixture, imported here in the parent) or from the test itself.

Test modules cannot import each other (pytest's importlib mode): they reach these helpers as the
`kit` fixture and the reference's mlp module as `ref`.
"""
from typing import NamedTuple

import numpy as np
import pytest

from grader import checks, gradcheck
from grader.proxy import StudentError

NAMES = ("W", "b", "V", "c")
"""The parameters, in the text's order; a tuple of gradients is read in this order."""
NETWORKS = ((10, 5, 2), (30, 7, 4))
"""(inputs, hidden, classes): the text's 10-5-2 toy network, and one whose sizes all differ."""


class Example(NamedTuple):
    params: dict
    x: np.ndarray
    t: np.ndarray


def network(seed: int, sizes=NETWORKS[0]) -> dict:
    """Random parameters of unit scale (hidden units away from saturation, gradients of all sizes)."""
    n_in, n_hidden, n_out = sizes
    rng = np.random.default_rng(seed)
    return {"W": rng.normal(size=(n_hidden, n_in)) / np.sqrt(n_in), "b": rng.normal(size=n_hidden),
            "V": rng.normal(size=(n_out, n_hidden)), "c": rng.normal(size=n_out)}


def onehot(rng, n: int | None, k: int) -> np.ndarray:
    """n one-hot rows of k classes (n None: one vector)."""
    return np.eye(k)[rng.integers(0, k, size=n)]


def examples(seed: int, sizes=NETWORKS[0], count: int = 3) -> list[Example]:
    """`count` (params, x, t) of one network: x normal, t one-hot."""
    params, rng = network(seed, sizes), np.random.default_rng(seed + 1000)
    return [Example(params, rng.normal(size=sizes[0]), onehot(rng, None, sizes[2])) for _ in range(count)]


def batch(seed: int, n: int, sizes=NETWORKS[0]):
    """(params, X (n, D), T (n, K))."""
    rng = np.random.default_rng(seed + 2000)
    return network(seed, sizes), rng.normal(size=(n, sizes[0])), onehot(rng, n, sizes[2])


def pair(got, what: str, first: str, second: str):
    """forward's (h, y) or forward_batch's (H, Y): any sequence of two."""
    if isinstance(got, (tuple, list)) and len(got) == 2:
        return got
    raise AssertionError(f"{what} returned {checks.describe(got)}; the spec asks for the pair ({first}, {second})")


def gradient_dict(got, what: str) -> dict:
    """The four gradients by name, as returned: from the dict the spec asks for, or from a sequence
    (dW, db, dV, dc), which only the shape test charges."""
    if isinstance(got, dict):
        missing = [name for name in NAMES if name not in got]
        if missing:
            raise AssertionError(f"{what} returned a dict without {', '.join(repr(m) for m in missing)}; the spec "
                                 f"asks for the keys {', '.join(NAMES)}")
        return {name: got[name] for name in NAMES}
    if isinstance(got, (tuple, list)) and len(got) == 4:
        return dict(zip(NAMES, got))
    raise AssertionError(f"{what} returned {checks.describe(got)}; the spec asks for a dict of the gradients "
                         f"keyed {', '.join(NAMES)}")


def shaped_like_params(returned, want: dict, params: dict, what: str) -> None:
    """The spec's representation: a dict whose arrays have the parameters' exact shapes. Checked
    once at least one gradient has the right values, so empty code earns nothing here."""
    got = gradient_dict(returned, what)
    if not any(_agrees(got[name], want[name]) for name in NAMES):
        raise AssertionError(f"not checked: none of the gradients {what} returned has the right values yet")
    if not isinstance(returned, dict):
        raise AssertionError(f"{what} returned a {type(returned).__name__}; the spec asks for a dict keyed "
                             f"{', '.join(NAMES)}")
    for name in NAMES:
        checks.exact_shape(got[name], np.shape(params[name]), f"{what}[{name!r}]")


def _agrees(got, want) -> bool:
    try:
        checks.close(got, want, "")
    except AssertionError:
        return False
    return True


def agrees_with_own_loss(forward, loss, gradients, params: dict, inputs, targets, what: str, seed: int) -> None:
    """gradients(params, inputs, targets, *forward(params, inputs)) against central differences of
    loss(forward(params + s v, inputs)[1], targets) along random directions v over the four
    parameters (grader.gradcheck). The perturbed forwards come first; the last forward before
    gradients is forward(params, inputs), whose h and y gradients then gets."""
    directions = gradcheck.directions(seed, {name: np.shape(params[name]) for name in NAMES})
    slopes = []
    for v in directions:
        values = []
        for sign in (1.0, -1.0):
            moved = {name: params[name] + sign * gradcheck.STEP * v[name] for name in NAMES}
            _, y = pair(forward(moved, inputs), "your forward", "h", "y")
            values.append(float(checks.finite(loss(y, targets), (), "your loss")))
        slopes.append(gradcheck.Slope(values[0], values[1], max(abs(values[0]), abs(values[1]))))
    h, y = pair(forward(params, inputs), "your forward", "h", "y")
    got = gradient_dict(gradients(params, inputs, targets, h, y), what)
    grads = {name: checks.values(got[name], np.shape(params[name]), f"{what}[{name!r}]") for name in NAMES}
    gradcheck.agree([gradcheck.inner(grads, v) for v in directions], slopes, what)


def forward_first(forward, params: dict, inputs) -> None:
    """The hand-out's order: forward before gradients on the same arrays, for code that keeps what
    forward computed. Its result is not used, and its failure is forward's tests' business alone."""
    try:
        forward(params, inputs)
    except StudentError:
        pass


class Kit:
    """The helpers above, for the test modules (grader.checks for the comparisons)."""

    NAMES, NETWORKS = NAMES, NETWORKS
    close, values = staticmethod(checks.close), staticmethod(checks.values)
    examples = staticmethod(examples)
    batch = staticmethod(batch)
    pair = staticmethod(pair)
    gradient_dict = staticmethod(gradient_dict)
    shaped_like_params = staticmethod(shaped_like_params)
    agrees_with_own_loss = staticmethod(agrees_with_own_loss)
    forward_first = staticmethod(forward_first)


@pytest.fixture(scope="session")
def kit():
    return Kit


@pytest.fixture(scope="session")
def ref(reference):
    """The reference's mlp module, in the parent."""
    return reference.mlp
