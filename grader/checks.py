"""Comparing what the student's code returned with what it should return: the maths, not the
representation.

Hidden tests of every assignment use these. A value check accepts any representation the spec
does not forbid (grad_b as (out,) or (1, out), float32 or float64, a loss as a Python float, a
numpy scalar, a 0-d or a one-element array) and fails with one student-facing line that names
the likely cause when the difference has a clear signature (see diagnose). Shapes are judged by
the assignment's own shape tests, once.

Every expected value is computed in the trusted parent from plain data; nothing here calls the
student's code.
"""
from __future__ import annotations

import math

import numpy as np

RTOL = 1e-3
"""Relative to the largest expected magnitude. Accepts rounded constants (alpha 1.6733, 0.7979 for
sqrt(2/pi)) and backward passes taken by small-step finite differences (errors near 1e-5); rejects
a constant 0.6% off (lambda 1.0570 for 1.0507) or a gradient missing 1/N (test batches have N >= 2)."""


def describe(value) -> str:
    """What came back, in a student's words (without asking the worker anything more)."""
    from grader.proxy import Foreign, RemoteObject

    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, Foreign):
        return f"a {value.type_name}"
    if isinstance(value, RemoteObject):
        return f"a {object.__getattribute__(value, '_type_name')} object"
    return f"a {type(value).__name__}"


def _as_array(got, what: str, expected: str) -> np.ndarray:
    """A numeric ndarray from a returned value, or an assertion naming what came back."""
    if isinstance(got, (bool, np.bool_)) or got is None or isinstance(got, (str, bytes, dict)):
        raise AssertionError(f"{what} returned {describe(got)}, expected {expected}")
    if isinstance(got, (int, float, np.integer, np.floating)):
        return np.asarray(got, dtype=np.float64)
    if isinstance(got, (list, tuple)):
        try:
            got = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            raise AssertionError(f"{what} returned a {type(got).__name__} that is not numbers, "
                                 f"expected {expected}") from None
    if not isinstance(got, np.ndarray):
        raise AssertionError(f"{what} returned {describe(got)}, expected {expected}")
    if got.dtype.kind not in "iuf":
        raise AssertionError(f"{what} returned an array of dtype {got.dtype}, expected {expected}")
    return got


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)


def values(got, shape, what: str) -> np.ndarray:
    """`got` as a float64 array of `shape`: any representation with the same numbers in the same
    layout is accepted ((out,) for (1, out), a 0-d or one-element array or a float for a scalar)."""
    shape = tuple(shape)
    expected = "a number" if shape == () else f"a numpy array of shape {shape}"
    arr = _as_array(got, what, expected)
    if arr.shape != shape and (arr.size != math.prod(shape) or _squeezed(arr.shape) != _squeezed(shape)):
        hint = ""
        if arr.ndim == 2 and arr.shape == shape[::-1]:
            hint = " (the transpose of the expected shape)"
        raise AssertionError(f"{what} returned shape {arr.shape}, expected {shape}{hint}")
    return arr.astype(np.float64).reshape(shape)


def shape_of(got) -> tuple[int, ...]:
    """The shape of a returned value (a number has shape ())."""
    return tuple(np.shape(got)) if isinstance(got, (np.ndarray, int, float, list, tuple)) else ()


def exact_shape(got, shape, what: str) -> None:
    """The shape the spec states, exactly (the one test a different representation may fail)."""
    arr = _as_array(got, what, f"a numpy array of shape {tuple(shape)}")
    if arr.shape != tuple(shape):
        raise AssertionError(f"{what} has shape {arr.shape}; the spec says {tuple(shape)}")


def finite(got, shape, what: str, context: str = "") -> np.ndarray:
    """`got` as values of `shape` with no nan or inf."""
    arr = values(got, shape, what)
    if not np.all(np.isfinite(arr)):
        raise AssertionError(f"{what} returned nan or inf{context}: an intermediate value overflowed?")
    return arr


def close(got, want, what: str, *, rtol: float = RTOL, scale: float | None = None, inputs=None,
          batch: int | None = None, constants: dict[str, float] | None = None) -> np.ndarray:
    """max |got - want| <= rtol * scale, scale = max |want| (or the `scale` given, which callers
    pass where the expected values may all be zero: such a check stays relative to the magnitude
    of the problem, never absolute). On failure the message names the cause when it is clear;
    `inputs` (same shape as want), `batch` (N) and `constants` help it do so."""
    want = np.asarray(want, dtype=np.float64)
    raw = _as_array(got, what, "a number" if want.shape == () else f"a numpy array of shape {want.shape}")
    if raw.ndim == 2 and want.ndim == 2 and raw.shape == want.shape[::-1] != want.shape:
        if np.allclose(raw.T, want, rtol=rtol, atol=rtol * _magnitude(want)):
            raise AssertionError(f"{what} returned shape {raw.shape}, expected {want.shape}: "
                                 "it is the transpose of the expected array")
    if raw.size == 1 and want.size > 1 and abs(float(raw.flat[0]) - float(want.sum())) <= rtol * max(
            abs(float(want.sum())), _magnitude(want)):
        raise AssertionError(f"{what} returned one number, expected shape {want.shape}; it is the sum of all the "
                             "expected values: summed over every axis instead of only the batch?")
    got = values(raw, want.shape, what)
    if not np.all(np.isfinite(got)):
        raise AssertionError(f"{what} returned nan or inf: an intermediate value overflowed?")
    scale = _magnitude(want) if scale is None else float(scale)
    if scale == 0.0:
        scale = 1e-12  # all-zero expectation and no context: only zeros are right
    error = float(np.max(np.abs(got - want), initial=0.0)) / scale
    if error > rtol:
        message = f"{what} is off by {error:.2%} of the expected magnitude (tolerance {rtol:.1%})"
        cause = diagnose(got, want, rtol=rtol, inputs=inputs, batch=batch, constants=constants)
        raise AssertionError(message + (f"; {cause}" if cause else ""))
    return got


def _magnitude(a: np.ndarray) -> float:
    return float(np.max(np.abs(a), initial=0.0))


# --- what the difference looks like -----------------------------------------------------------

def diagnose(got: np.ndarray, want: np.ndarray, *, rtol: float = RTOL, inputs=None,
             batch: int | None = None, constants: dict[str, float] | None = None) -> str:
    """A short phrase naming the signature of got - want, or "" when none fits clearly."""
    if not np.all(np.isfinite(got)):
        return "it holds nan or inf: an intermediate value overflowed?"
    if _magnitude(want) == 0.0:
        return ""
    tol = 10 * rtol
    for finder in (_factor, _transposed, _offset, _row_offset, _sign_region, _broadcast):
        found = finder(got, want, tol=tol, inputs=inputs, batch=batch, constants=constants or {})
        if found:
            return found
    return ""


def _near(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    return float(np.max(np.abs(a - b), initial=0.0)) <= tol * max(_magnitude(b), _magnitude(a), 1e-300)


def _factor(got, want, *, tol, batch, constants, **_) -> str:
    """got = c * want for one constant c != 1."""
    c = float(np.vdot(got, want) / np.vdot(want, want))
    if abs(c - 1) <= tol or not _near(got, c * want, tol):
        return ""
    known = {-1.0: "the sign is flipped", 2.0: "twice the expected values", 0.5: "half the expected values",
             0.0: "all zeros where the expected values are not"}
    if batch and batch > 1:
        known[float(batch)] = (f"{batch} (the batch size) times the expected values: a sum over the "
                               "batch where the spec takes the mean (a missing 1/N)?")
        known[1.0 / batch] = (f"1/{batch} of the expected values: divided by the batch size where the "
                              "spec sums over the batch?")
    for name, value in constants.items():
        known[float(value)] = f"{name} ({value:g}) times the expected values"
        known[1.0 / float(value)] = f"the expected values divided by {name} ({value:g})"
    for value, words in known.items():
        if abs(c - value) <= tol * max(1.0, abs(value)):
            return words
        if abs(c + value) <= tol * max(1.0, abs(value)) and value not in (-1.0, 0.0):
            return f"the sign is flipped and {words[0].lower()}{words[1:]}"
    return ""  # a factor no test named is no clear cause


def _transposed(got, want, *, tol, **_) -> str:
    if got.ndim == 2 and got.shape[0] == got.shape[1] and got.shape[0] > 1 and _near(got.T, want, tol):
        return "it is the transpose of the expected array"
    return ""


def _offset(got, want, *, tol, **_) -> str:
    if got.size < 2:
        return ""
    d = got - want
    c = float(np.mean(d))
    if abs(c) > tol * _magnitude(want) and float(np.max(np.abs(d - c))) <= tol * _magnitude(want):
        return f"right up to a constant offset of {c:.4g}"
    return ""


def _row_offset(got, want, *, tol, **_) -> str:
    """got - want is the same row in every row of a batch: a bias term missing, doubled or wrong."""
    if got.ndim != 2 or got.shape[0] < 2:
        return ""
    d = got - want
    if float(np.max(np.abs(d - d[0]))) <= tol * _magnitude(want):
        return "right up to the same offset in every row: a bias term missing or added twice?"
    return ""


def _sign_region(got, want, *, tol, inputs, **_) -> str:
    if inputs is None or np.shape(inputs) != want.shape:
        return ""
    positive = np.asarray(inputs) > 0
    if positive.all() or not positive.any():
        return ""
    scale = tol * _magnitude(want)
    right_pos = float(np.max(np.abs(got - want)[positive])) <= scale
    right_neg = float(np.max(np.abs(got - want)[~positive])) <= scale
    if right_pos and not right_neg:
        return "right where the input is positive, wrong where it is negative or zero"
    if right_neg and not right_pos:
        return "right where the input is negative or zero, wrong where it is positive"
    return ""


def _broadcast(got, want, *, tol, **_) -> str:
    for axis in range(got.ndim):
        if got.shape[axis] < 2:
            continue
        flat_got = np.ptp(got, axis=axis).max() <= tol * max(_magnitude(got), 1e-300)
        varies_want = np.ptp(want, axis=axis).max() > tol * _magnitude(want)
        if flat_got and varies_want:
            return f"the same values repeated along axis {axis}: broadcast along the wrong axis?"
    if got.size == 1 and want.size > 1 and abs(float(got.flat[0]) - float(want.sum())) <= tol * abs(float(want.sum())):
        return "the sum of all expected values: summed over every axis instead of one?"
    return ""
