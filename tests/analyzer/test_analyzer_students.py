"""What real students do to their files, and what summary.txt then says."""
from __future__ import annotations

import re

from code_analyze.summary import analyze_dirs, problems


def _filled_code(summary: str) -> str:
    return summary.split("# Filled Code\n########################\n")[1].split("\n\n\n")[0]


def _solution_entry(handout, name: str, number: int) -> str:
    return "\n".join([f"# ../codes/{name}:{number}", *handout.solution[(name, number)]])


def _swap_gelu_methods(layers: str) -> str:
    """Gelu.backward moved above Gelu.forward (Gelu is the last class of layers.py)."""
    forward = layers.index("    def forward", layers.index("class Gelu"))
    backward = layers.index("    def backward", forward)
    return layers[:forward] + layers[backward:] + "\n" + layers[forward:backward].rstrip("\n") + "\n"


def test_reordered_methods_crlf_tabs_and_marker_trailing_spaces_change_no_filled_code(handout):
    expected = _filled_code(handout.summary())
    tabbed = [line.replace("        ", "    \t", 1) for line in handout.solution[("layers.py", 1)]]
    layers = _swap_gelu_methods(handout.fill("layers.py", {1: tabbed}))
    layers = layers.replace("# TODO START\n", "# TODO START   \n").replace("# TODO END\n", "# TODO END\t\n")
    handout.write("layers.py", layers.replace("\n", "\r\n"))

    filled = _filled_code(handout.summary())
    assert filled == expected.replace("\n        # Reference: https", "\n    \t# Reference: https").replace(
        "\n        self._saved_for_backward(input)\n        return 1.0507",
        "\n    \tself._saved_for_backward(input)\n    \treturn 1.0507")
    assert "\r" not in handout.summary()


def test_todo_end_typo_names_the_block_and_shows_its_function(handout):
    layers = handout.fill("layers.py")
    typo_at = layers.index("        # TODO END\n\n    def backward(self, grad_output):\n        # TODO START\n"
                           "        # Reference: 与同学")
    layers = layers[:typo_at] + layers[typo_at:].replace("# TODO END", "# TODO NED", 1)
    handout.write("layers.py", layers)
    filled = _filled_code(handout.summary())
    assert ("# ../codes/layers.py:3 markers missing; Gelu.forward as it now stands:\n"
            "    def forward(self, input):\n        # TODO START\n"
            "        self._saved_for_backward(input)\n"
            "        return 0.5 * input * (1 + np.tanh(0.7978845608 * input))\n"
            "        # TODO NED\n\n") in filled
    # The next block of the class is still found on its own, not merged into block 3.
    assert filled.endswith(_solution_entry(handout, "layers.py", 4) + "\n\n"
                           + _solution_entry(handout, "loss.py", 1))
    pristine = handout.pristine["layers.py"]
    typo_line = pristine[:pristine.index("        # TODO END\n\n    def backward(self, grad_output):"
                                         "\n        # TODO START\n        pass")].count("\n") + 1
    assert problems(analyze_dirs(handout.origin, handout.target)) == [
        "layers.py:3 markers missing (Gelu.forward)",
        f"layers.py: hand-out line {typo_line} '# TODO END' changed or removed"]


BLACKENED_GELU = '''

class Gelu(Layer):
    def __init__(self, name):
        super(Gelu, self).__init__(name)

    def backward(self, grad_output):
        u = self._saved_tensor
        return (
            grad_output * 0.5 * (1 + np.tanh(0.7978845608 * u))
        )

    def forward(self, input):
        self._saved_for_backward(input)
        return 0.5 * input * (1 + np.tanh(0.7978845608 * input))
'''


def test_black_reformatted_file_without_markers_lists_each_lost_block(handout):
    layers = handout.fill("layers.py")
    layers = layers[:layers.index("\n\nclass Gelu(Layer):")] + BLACKENED_GELU
    handout.write("layers.py", layers.replace("(object)", "").replace("\n\n\nclass", "\n\nclass"))
    filled = _filled_code(handout.summary())
    assert ("# ../codes/layers.py:3 markers missing; Gelu.forward as it now stands:\n"
            "    def forward(self, input):\n        self._saved_for_backward(input)\n"
            "        return 0.5 * input * (1 + np.tanh(0.7978845608 * input))\n\n"
            "# ../codes/layers.py:4 markers missing; Gelu.backward as it now stands:\n"
            "    def backward(self, grad_output):\n        u = self._saved_tensor\n"
            "        return (\n            grad_output * 0.5 * (1 + np.tanh(0.7978845608 * u))\n"
            "        )\n\n") in filled
    assert filled.startswith(_solution_entry(handout, "layers.py", 1) + "\n\n"
                             + _solution_entry(handout, "layers.py", 2) + "\n\n")


def test_stub_pass_left_after_the_code_is_not_shown(handout):
    body = handout.solution[("layers.py", 3)] + ["        pass"]
    stub = ['        raise NotImplementedError("Selu.backward")']
    handout.write("layers.py", handout.fill("layers.py", {3: body, 2: stub + ["        return 0"]}))
    filled = _filled_code(handout.summary())
    assert _solution_entry(handout, "layers.py", 3) + "\n\n" in filled
    assert "# ../codes/layers.py:2\n        return 0\n\n" in filled
    assert "pass" not in filled and "NotImplementedError" not in filled


def test_file_with_syntax_error_is_still_summarised_line_by_line(handout):
    broken = ["        self._saved_for_backward(input", "        return input"]
    layers = _swap_gelu_methods(handout.fill("layers.py", {3: broken}))
    handout.write("layers.py", layers)
    filled = _filled_code(handout.summary())
    assert filled.startswith("# ../codes/layers.py: does not parse; blocks found line by line\n\n")
    # Where it breaks goes to the student's terminal, not into summary.txt (Python versions differ).
    error_line = layers.splitlines().index(broken[0]) + 1
    assert f"layers.py: does not parse (line {error_line}: " in \
        problems(analyze_dirs(handout.origin, handout.target))[0]
    # Blocks are still matched by their function, found by indentation.
    assert filled.endswith(_solution_entry(handout, "layers.py", 2) + "\n\n"
                           + "# ../codes/layers.py:3\n" + "\n".join(broken) + "\n\n"
                           + _solution_entry(handout, "layers.py", 4) + "\n\n"
                           + _solution_entry(handout, "loss.py", 1))


def test_file_that_is_not_utf8_gets_one_line_and_the_rest_is_summarised(handout):
    handout.write("loss.py", handout.fill("loss.py").replace(
        "import numpy", "# 均方误差\nimport numpy").encode("gbk"))
    summary = handout.summary()
    assert re.search(r"\n# \.\./codes/loss\.py: not UTF-8 \(byte \d+\); not analysed, "
                     r"save it as UTF-8\n\n", summary)
    assert _solution_entry(handout, "layers.py", 4) in summary
    assert "loss.py:1" not in summary


def test_two_blocks_in_one_function_keep_their_numbers_when_one_loses_its_markers(handout):
    pristine = handout.pristine["loss.py"] + (
        "\n    def backward(self, input, target):\n"
        "        n = input.shape[0]\n        # TODO START\n        pass\n        # TODO END\n"
        "        scale = 2.0 / n\n        # TODO START\n        pass\n        # TODO END\n")
    (handout.origin / "loss.py").write_text(pristine, encoding="utf-8")
    student = pristine.replace(
        "        # TODO START\n        pass\n        # TODO END\n        scale",
        "        diff = input - target\n        scale").replace(
        "scale = 2.0 / n\n        # TODO START\n        pass\n",
        "scale = 2.0 / n\n        # TODO START\n        return scale * diff\n")
    handout.write("loss.py", student)
    filled = _filled_code(handout.summary())
    assert filled.endswith("# ../codes/loss.py:2 markers missing; MSELoss.backward as it now stands:\n"
                           "    def backward(self, input, target):\n        n = input.shape[0]\n"
                           "        diff = input - target\n        scale = 2.0 / n\n"
                           "        # TODO START\n        return scale * diff\n        # TODO END\n\n"
                           "# ../codes/loss.py:3\n        return scale * diff")


def test_syntax_error_in_a_file_without_blocks_is_noted_too(handout):
    handout.write("run_mlp.py", handout.pristine["run_mlp.py"].replace("'max_epoch': 100,",
                                                                         "'max_epoch' 100,"))
    assert ("\n# ../codes/run_mlp.py: does not parse\n\n\n########################\n# References"
            in handout.summary())
    assert problems(analyze_dirs(handout.origin, handout.target))[0].startswith(
        "run_mlp.py: does not parse (line 10: ")
