"""Does a backward pass agree with its own forward? Directional finite differences, in the parent.

For a scalar function phi (a loss, or <g, layer.forward(x)> for an upstream gradient g) and a
random direction v, the slope (phi(p + h v) - phi(p - h v)) / 2h must equal <grad, v>, the
gradient the student's backward returned. Each direction costs two forward calls, so a check
is a few requests, not one per entry, and the slope is computed here from plain forward values:
patching anything inside the worker cannot forge it.

The step is fixed (STEP) and tests keep their inputs at least KINK_CLEARANCE away from the kinks
of the function (0 for Relu and Selu, the margin for the hinge loss): a central difference is
then exact up to O(h^2) for smooth parts, and float32 forward passes stay well inside the bound
(roundoff is budgeted at float32 precision whatever the student used).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

STEP = 1e-3
DIRECTIONS = 4
RTOL = 1e-2
"""Relative disagreement allowed along each direction: a backward off by a constant 5% (lambda
applied twice) fails along every direction; rounding and the O(h^2) error stay below 1e-4."""
KINK_CLEARANCE = 0.05
"""Inputs of the tests stay this far from kinks: |h * v_i| <= 5e-3 with the seeded directions."""
_ROUNDOFF = 4 * float(np.finfo(np.float32).eps)


def directions(seed: int, shapes: Mapping[str, tuple[int, ...]], count: int = DIRECTIONS) -> list[dict[str, np.ndarray]]:
    """`count` random directions over named arrays (e.g. {"input": x.shape, "W": W.shape}),
    entries N(0, 1) clipped to +-3 so a step never moves an entry more than 3 * STEP."""
    rng = np.random.default_rng(seed)
    return [{name: np.clip(rng.standard_normal(shape), -3, 3) for name, shape in shapes.items()}
            for _ in range(count)]


def away_from_kinks(x: np.ndarray, kinks: Sequence[float] = (0.0,), clearance: float = KINK_CLEARANCE) -> np.ndarray:
    """x with every entry moved at least `clearance` away from each kink (keeping its side)."""
    x = np.array(x, dtype=np.float64)
    for k in kinks:
        d = x - k
        near = np.abs(d) < clearance
        x[near] = k + np.where(d[near] >= 0, clearance, -clearance)
    return x


def inner(grads: Mapping[str, np.ndarray], v: Mapping[str, np.ndarray]) -> float:
    """<grads, v> over the named arrays."""
    return float(sum(np.vdot(np.asarray(grads[k], dtype=np.float64).reshape(v[k].shape), v[k]) for k in v))


class Slope:
    """One direction's central difference, from the two scalar values phi(p +- h v) and the
    summed magnitude of the terms they add up (for the roundoff budget)."""

    def __init__(self, up: float, down: float, terms: float, step: float = STEP):
        self.value = (up - down) / (2 * step)
        self.noise = _ROUNDOFF * terms / (2 * step)


def agree(analytic: Sequence[float], slopes: Sequence[Slope], what: str, rtol: float = RTOL) -> None:
    """Every direction's <backward, v> must match its slope; one student-facing line if not."""
    for a, s in zip(analytic, slopes):
        bound = rtol * max(abs(a), abs(s.value)) + s.noise
        if not np.isfinite(a) or abs(a - s.value) > bound:
            raise AssertionError(f"{what} disagrees with finite differences of your own forward: along a "
                                 f"random direction your backward gives a slope of {a:.6g}, your forward "
                                 f"changes at {s.value:.6g}")
