"""The hidden suite judged on known submissions, graded for real (sandboxed worker, proxy):
the reference gets full marks, the bare skeleton gets 0 with "not implemented", a reference with one
block broken the way real students break it loses exactly that block's tests, and the slips a fair
TA forgives (rounded constants, a backward by finite differences) lose nothing.

Only the first two include the MNIST accuracy test; the others grade with a copy of the assignment
without it, which keeps this file near a minute.
"""
import dataclasses
import shutil
from pathlib import Path

import pytest
from code_analyze.summary import analyze_dirs, render_summary

from grader.assignment import load_assignment
from grader.plugin import run_hidden_tests
from grader.results import NOT_IMPLEMENTED, PASSED

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "reference" / "codes"
SKELETON = REPO / "skeleton" / "codes"
ACCURACY_TEST = "test_accuracy_on_mnist"

# file -> (reference text, broken text) pairs, each a mistake seen in real submissions; and the
# tests that must lose their points (all of them, and no others).
BROKEN = {
    # a wrong forward also costs the tests that pay only for a working forward
    "selu_lambda_off": ({"layers.py": [("self.lam = 1.0507", "self.lam = 1.0570")]},
                        {"test_selu_forward", "test_selu_backward", "test_selu_backward_matches_forward",
                         "test_selu_stable_on_large_inputs"}),
    "swish_backward_sign": ({"layers.py": [("(s + input * s * (1 - s))", "(s - input * s * (1 - s))")]},
                            {"test_swish_backward", "test_swish_backward_matches_forward"}),
    "gelu_backward_drops_cubic_term": (
        {"layers.py": [("self.k * (1 + 3 * self.c * u ** 2)", "self.k")]},
        {"test_gelu_backward", "test_gelu_backward_matches_forward"}),
    "tanh_from_exponentials": (
        {"layers.py": [("output = np.tanh(input)",
                        "output = (np.exp(input) - np.exp(-input)) / (np.exp(input) + np.exp(-input))")]},
        {"test_tanh_stable_on_large_inputs"}),
    "linear_forward_without_bias": ({"layers.py": [("return input @ self.W + self.b", "return input @ self.W")]},
                                    {"test_linear_forward", "test_linear_backward_matches_forward"}),
    "dropout_not_rescaled": ({"layers.py": [("mask = keep.astype(input.dtype) / (1 - self.drop_rate)",
                                             "mask = keep.astype(input.dtype) * 1.0")]},
                             {"test_dropout_scales_kept_units"}),
    "focal_gradient_missing_1_over_n": (
        {"loss.py": [("return (q - h * np.sum(q, axis=1, keepdims=True)) / input.shape[0]",
                      "return q - h * np.sum(q, axis=1, keepdims=True)")]},
        {"test_focal_backward", "test_focal_backward_matches_forward"}),
    "linear_grad_b_averaged": ({"layers.py": [("self.grad_b = grad_output.sum(axis=0)",
                                               "self.grad_b = grad_output.mean(axis=0)")]},
                               {"test_linear_backward_grad_b", "test_linear_backward_matches_forward"}),
    "momentum_on_wrong_buffer": ({"layers.py": [("self.diff_W *= mm\n        self.diff_W += self.grad_W + wd * self.W",
                                                 "self.diff_W = mm * self.diff_b + (self.grad_W + wd * self.W)")]},
                                 {"test_linear_update_momentum", "test_linear_update_weight_decay"}),
    "dropout_mask_not_reused": (
        {"layers.py": [("return grad_output * self._saved_tensor",
                        "return grad_output * (np.random.rand(*grad_output.shape) >= self.drop_rate)"
                        " / (1 - self.drop_rate)")]},
        {"test_dropout_backward_uses_forward_mask"}),
    "mse_gradient_missing_1_over_n": ({"loss.py": [("return 2 * (input - target) / input.shape[0]",
                                                    "return 2 * (input - target)")]},
                                      {"test_mse_backward", "test_mse_backward_matches_forward"}),
    "softmax_without_max_shift": (
        {"loss.py": [("return -np.sum(target * log_softmax(input)) / input.shape[0]",
                      "return -np.sum(target * np.log(np.exp(input) / np.sum(np.exp(input), axis=1, keepdims=True)))"
                      " / input.shape[0]"),
                     ("return (np.exp(log_softmax(input)) - target) / input.shape[0]",
                      "return (np.exp(input) / np.sum(np.exp(input), axis=1, keepdims=True) - target)"
                      " / input.shape[0]")]},
        {"test_softmax_cross_entropy_stable_on_large_logits"}),
    "hinge_margin_hard_coded": ({"loss.py": [("self.margin - x_true", "5 - x_true")] * 2},
                                {"test_hinge_margin_forward", "test_hinge_margin_backward"}),
}

FORGIVEN = {"layers.py": [
    ("self.alpha = 1.67326", "self.alpha = 1.6733"),
    # finite, but e^1000 overflows on the way: a note, no points lost
    ("return input * sigmoid(input)", "return input / (1 + np.exp(-input))"),
    ("self.k = math.sqrt(2 / math.pi)", "self.k = 0.7979"),
    # Gelu.backward by a forward difference of step 1e-6, as some students write it
    ("        u = self._saved_tensor\n        t = np.tanh(self.k * (u + self.c * u ** 3))\n"
     "        dt = (1 - t ** 2) * self.k * (1 + 3 * self.c * u ** 2)\n"
     "        return grad_output * (0.5 * (1 + t) + 0.5 * u * dt)",
     "        u = self._saved_tensor\n        f = lambda v: 0.5 * v * (1 + np.tanh(self.k * (v + self.c * v ** 3)))\n"
     "        return grad_output * (f(u + 1e-6) - f(u)) / 1e-6"),
]}


def pack(codes: Path, dest: Path, edits=None) -> Path:
    """A submission folder: codes/ (with the edits applied) and the summary.txt the analyzer writes."""
    shutil.copytree(codes, dest / "codes")
    for name, pairs in (edits or {}).items():
        path = dest / "codes" / name
        text = path.read_text()
        for old, new in pairs:
            assert old in text, f"{name} no longer contains {old!r}: update the broken variant"
            text = text.replace(old, new, 1)
        path.write_text(text)
    (dest / "summary.txt").write_text(render_summary(analyze_dirs(SKELETON, dest / "codes")))
    return dest / "codes"


def lost(outcomes) -> set[str]:
    return {o.test for o in outcomes if o.score < o.max_score}


@pytest.fixture(scope="module")
def without_accuracy(tmp_path_factory):
    """The MLP assignment minus its accuracy test (the expensive one)."""
    assignment = load_assignment()
    hidden = tmp_path_factory.mktemp("assignment") / "hidden"
    shutil.copytree(assignment.hidden_dir, hidden, ignore=shutil.ignore_patterns("test_accuracy.py", "__pycache__"))
    points = {k: v for k, v in assignment.points.items() if k != ACCURACY_TEST}
    return dataclasses.replace(assignment, hidden_dir=hidden, points=points)


def test_reference_gets_full_marks(tmp_path):
    assignment = load_assignment()
    assert assignment.pristine_dir == SKELETON and "pristine" not in assignment.settings
    outcomes, _, _ = run_hidden_tests(assignment, pack(REFERENCE, tmp_path))
    assert {o.test: o.status for o in outcomes if o.status != PASSED} == {}
    assert len(outcomes) == len(assignment.points)
    assert sum(o.score for o in outcomes) == sum(assignment.points.values()) > 100  # with the bonus
    assert {o.test for o in outcomes if o.bonus} == assignment.bonus_tests and assignment.max_score == 100


def test_skeleton_gets_zero_and_not_implemented(tmp_path):
    assignment = load_assignment()
    outcomes, _, _ = run_hidden_tests(assignment, pack(SKELETON, tmp_path))
    graded = [o for o in outcomes if o.max_score > 0]
    assert len(graded) == sum(1 for v in assignment.points.values() if v > 0)
    assert sum(o.score for o in outcomes) == 0
    assert {(o.status, o.message) for o in graded} == {(NOT_IMPLEMENTED, "not implemented")}
    # the given Relu and Sigmoid still work, the flags see an untouched hand-out, and the defaults
    # of unfilled classes are not checked
    assert {o.status for o in outcomes if o.max_score == 0} == {PASSED, NOT_IMPLEMENTED}
    assert all(o.passed for o in outcomes if o.max_score == 0 and "default" not in o.test)


@pytest.mark.parametrize("variant", sorted(BROKEN))
def test_broken_block_loses_only_its_tests(variant, without_accuracy, tmp_path):
    edits, expected = BROKEN[variant]
    outcomes, _, _ = run_hidden_tests(without_accuracy, pack(REFERENCE, tmp_path, edits))
    assert lost(outcomes) == expected
    assert all(o.status != NOT_IMPLEMENTED for o in outcomes)


def test_forgivable_slips_lose_nothing_and_flags_cost_nothing(without_accuracy, tmp_path):
    """Rounded constants, a backward by small-step finite differences and an overflow warning
    with a finite result are correct work; a framework import and a stale summary.txt are flags,
    and the summary check lists what the analyzer found (here a file left out)."""
    codes = pack(REFERENCE, tmp_path, FORGIVEN)
    with (codes / "utils.py").open("a") as f:
        f.write("\n\ndef compare():\n    import sklearn.neural_network\n")
    (codes / "run_mlp.py").unlink()
    outcomes, notes, _ = run_hidden_tests(without_accuracy, codes)
    assert lost(outcomes) == set()
    failed = {o.test: o for o in outcomes if not o.passed}
    assert set(failed) == {"test_no_framework_imported", "test_summary_matches_code"}
    message = failed["test_summary_matches_code"].message
    assert "summary.txt differs from the regenerated one (" in message
    assert "run_mlp.py is missing from codes/" in message
    assert [n for n in notes if n.startswith("Swish.forward warned")], notes
