"""summary.txt layout, ordering and determinism on a well-behaved submission."""
from __future__ import annotations

from code_analyze.summary import analyze_dirs, render_summary

EXPECTED = """\
########################
# Additional Files
########################
# README.md
# notebooks/explore.ipynb

########################
# Filled Code
########################
# ../codes/layers.py:1
        # Reference: https://arxiv.org/abs/1706.02515
        self._saved_for_backward(input)
        return 1.0507 * np.where(input > 0, input, 1.67326 * np.expm1(input))

# ../codes/layers.py:2
        x = self._saved_tensor
        return grad_output * 1.0507 * np.where(x > 0, 1.0, 1.67326 * np.exp(x))

# ../codes/layers.py:3
        self._saved_for_backward(input)
        return 0.5 * input * (1 + np.tanh(0.7978845608 * input))

# ../codes/layers.py:4
        # Reference: 与同学张三（2023012345）讨论了 alpha 的取值
        u = self._saved_tensor
        return grad_output * 0.5 * (1 + np.tanh(0.7978845608 * u))

# ../codes/loss.py:1
        return np.sum((target - input) ** 2) / input.shape[0]


########################
# References
########################
# https://arxiv.org/abs/1706.02515
# 与同学张三（2023012345）讨论了 alpha 的取值

########################
# Other Modifications
########################
# _codes/run_mlp.py -> ../codes/run_mlp.py
# 5 - model.add(Linear('fc1', 784, 10, 0.01))
# 5 + model.add(Linear('fc1', 784, 256, 0.01))
# 12 + print(config)

"""


def _student_edits(handout) -> None:
    run_mlp = handout.pristine["run_mlp.py"].replace("784, 10,", "784, 256,") + "print(config)\n"
    handout.write("run_mlp.py", run_mlp)
    handout.write("README.md", "# my notes\n")
    handout.write("notebooks/explore.ipynb", "{}")
    handout.write("__pycache__/layers.cpython-311.pyc", b"\x00\x01")


def test_summary_matches_the_interface_layout_exactly(handout):
    _student_edits(handout)
    assert handout.summary() == EXPECTED


def test_summary_is_the_same_bytes_whatever_the_folder_names(handout, tmp_path):
    _student_edits(handout)
    moved = tmp_path / "elsewhere" / "student codes"
    moved.parent.mkdir()
    handout.target.rename(moved)
    assert render_summary(analyze_dirs(handout.origin, moved)).encode("utf-8") == \
        EXPECTED.encode("utf-8")


def test_reference_repeated_in_two_blocks_is_listed_once_in_first_seen_order(handout):
    chinese = handout.solution[("layers.py", 4)][0]
    handout.write("layers.py", handout.fill("layers.py", {
        2: [chinese, "        return grad_output"],
        3: ["        # Reference: https://arxiv.org/abs/1706.02515", "        return input"]}))
    references = handout.summary().split("# References\n")[1].split("\n\n")[0]
    assert references.splitlines()[1:] == [
        "# https://arxiv.org/abs/1706.02515", "# 与同学张三（2023012345）讨论了 alpha 的取值"]


def test_missing_file_is_listed_and_its_blocks_are_not(handout):
    (handout.target / "loss.py").unlink()
    summary = handout.summary()
    assert summary.startswith("########################\n# Missing Files\n"
                              "########################\n# loss.py\n\n")
    assert "loss.py:1" not in summary


def test_unfilled_block_shows_only_its_heading(handout):
    handout.write("loss.py", handout.pristine["loss.py"])
    assert "# ../codes/loss.py:1\n\n\n########################\n# References" in handout.summary()


def test_other_modifications_number_old_and_new_lines_of_the_real_files(handout):
    # Filling blocks with many lines shifts the student's numbering; only the
    # changes outside blocks are listed, with the numbers each file really has.
    layers = handout.fill("layers.py", {1: ["        x = 1"] * 30}).replace(
        "        self.trainable = trainable\n", "").replace(
        "class Gelu(Layer):", "class Gelu(Layer):\n    \"\"\"tanh approximation\"\"\"")
    handout.write("layers.py", layers)
    modifications = handout.summary().split("# Other Modifications\n########################\n")[1]
    new_line = layers.splitlines().index('    """tanh approximation"""') + 1
    assert modifications == ("# _codes/layers.py -> ../codes/layers.py\n"
                             "# 7 -         self.trainable = trainable\n"
                             f'# {new_line} +     """tanh approximation"""\n\n')
