"""The course's 2020-2022 hand-out (Python-2 era) and what students made of it.

Its `def` lines are indented with a tab and its TODO blocks with 8 spaces, so Python (tabs to 8
columns) sees no body under those defs; `print` statements and the tab/space mix keep the files
from parsing in Python 3 at all; loss.py is GBK-encoded under its PEP 263 declaration. Blocks
must still be matched by their Class.method, as far as the text allows.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from code_analyze.scan import scan, width
from code_analyze.scopes import find_scopes
from code_analyze.summary import analyze_dirs, problems, render_summary

# The 2020 blocks: at 8 spaces, under `def` lines indented with one tab.
STUB = "        # TODO START\n        '''Your codes here'''\n        pass\n        # TODO END\n"
TO_FILL = ("\tdef forward(self, input):\n" + STUB + "\n"
           "\tdef backward(self, grad_output):\n" + STUB)
PRISTINE_LAYERS = (
    "# -*- coding: utf-8 -*-\n"
    "from __future__ import division\n"
    "import numpy as np\n"
    "\n"
    "\n"
    "class Layer(object):\n"
    "\tdef __init__(self, name, trainable=False):\n"
    "\t\tself.name = name\n"
    "\t\tself.trainable = trainable\n"
    "\t\tself._saved_tensor = None\n"
    "\n"
    "\tdef _saved_for_backward(self, tensor):\n"
    "\t\t'''The intermediate results computed during forward stage\n"
    "\t\tcan be saved and reused for backward, for saving computation'''\n"
    "\n"
    "\t\tself._saved_tensor = tensor\n"
    "\n"
    "\n"
    "class Relu(Layer):\n"
    "\tdef __init__(self, name):\n"
    "\t\tsuper(Relu, self).__init__(name)\n"
    "\n"
    + TO_FILL +
    "\n"
    "\n"
    "class Linear(Layer):\n"
    "\tdef __init__(self, name, in_num, out_num, init_std):\n"
    "\t\tsuper(Linear, self).__init__(name, trainable=True)\n"
    "\t\tself.W = np.random.randn(in_num, out_num) * init_std\n"
    "\t\tself.b = np.zeros(out_num)\n"
    "\t\tself.diff_W = np.zeros((in_num, out_num))\n"
    "\t\tself.diff_b = np.zeros(out_num)\n"
    "\n"
    + TO_FILL +
    "\n"
    "\tdef update(self, config):\n"
    "\t\tmm = config['momentum']\n"
    "\t\tlr = config['learning_rate']\n"
    "\t\twd = config['weight_decay']\n"
    "\n"
    "\t\tself.diff_W = mm * self.diff_W + (self.grad_W + wd * self.W)\n"
    "\t\tself.W = self.W - lr * self.diff_W\n"
    "\n"
    "\t\tself.diff_b = mm * self.diff_b + (self.grad_b + wd * self.b)\n"
    "\t\tself.b = self.b - lr * self.diff_b\n"
    "\t\tprint 'updated', self.name\n"
)

PRISTINE_LOSS = (
    "# -*- coding: gbk -*-\n"
    "from __future__ import division\n"
    "import numpy as np\n"
    "\n"
    "\n"
    "class EuclideanLoss(object):\n"
    "\tdef __init__(self, name):\n"
    "\t\tself.name = name\n"
    "\n"
    "\tdef forward(self, input, target):\n"
    "\t\t# TODO START\n"
    "\t\t'''Your codes here'''\n"
    "\t\tpass\n"
    "\t\t# TODO END\n"
    "\n"
    "\tdef backward(self, input, target):\n"
    "\t\t# 注意：返回对 input 的梯度\n"
    "\t\t# TODO START\n"
    "\t\t'''Your codes here'''\n"
    "\t\tpass\n"
    "\t\t# TODO END\n"
)

PRISTINE_RUN = (
    "from network import Network\n"
    "from layers import Relu, Linear\n"
    "from loss import EuclideanLoss\n"
    "\n"
    "model = Network()\n"
    "model.add(Linear('fc1', 784, 10, 0.01))\n"
    "loss = EuclideanLoss(name='loss')\n"
    "\n"
    "config = {\n"
    "\t'learning_rate': 0.0,\n"
    "\t'weight_decay': 0.0,\n"
    "\t'momentum': 0.0,\n"
    "}\n"
    "\n"
    "for epoch in range(100):\n"
    "\tprint 'epoch', epoch\n"
)

PRISTINE = {"layers.py": PRISTINE_LAYERS.encode("utf-8"), "loss.py": PRISTINE_LOSS.encode("gbk"),
            "run_mlp.py": PRISTINE_RUN.encode("utf-8")}

# What students wrote in the blocks (file, block) -> lines, at the indentation of the stub.
FILLED = {
    ("layers.py", 1): ["self._saved_for_backward(input)", "return np.maximum(0, input)"],
    ("layers.py", 2): ["return grad_output * (self._saved_tensor > 0)"],
    ("layers.py", 3): ["# Reference: https://cs231n.github.io/optimization-2/",
                       "self._saved_for_backward(input)", "return input.dot(self.W) + self.b"],
    ("layers.py", 4): ["self.grad_W = self._saved_tensor.T.dot(grad_output)",
                       "self.grad_b = grad_output.sum(axis=0)", "return grad_output.dot(self.W.T)"],
    ("loss.py", 1): ["return 0.5 * np.sum((input - target) ** 2) / input.shape[0]"],
    ("loss.py", 2): ["return (input - target) / input.shape[0]"],
}


def converted(text: str) -> str:
    """What students' editors did to run it in Python 3: tabs to 4 spaces, print() calls."""
    return (text.replace("\t", "    ")
            .replace("print 'updated', self.name", "print('updated', self.name)")
            .replace("print 'epoch', epoch", "print('epoch', epoch)"))


def fill(name: str, text: str) -> str:
    """`text` with each stub's `pass` replaced by FILLED, at the stub's own indentation."""
    lines, out, number = text.split("\n"), [], 0
    for line in lines:
        if line.strip() == "pass" and out and out[-1].strip() == "'''Your codes here'''":
            number += 1
            indent = line[:len(line) - len(line.lstrip())]
            out += [indent + code for code in FILLED[(name, number)]]
        else:
            out.append(line)
    return "\n".join(out)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "_codes").mkdir()
    (tmp_path / "codes").mkdir()
    for name, data in PRISTINE.items():
        (tmp_path / "_codes" / name).write_bytes(data)
    return tmp_path


def _summary(root: Path, **files: str | bytes) -> tuple[str, list[str]]:
    for name, text in files.items():
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (root / "codes" / f"{name}.py").write_bytes(data)
    analysis = analyze_dirs(root / "_codes", root / "codes")
    return render_summary(analysis), problems(analysis)


def _filled_code(summary: str) -> str:
    return summary.split("# Filled Code\n########################\n")[1].split("\n\n\n")[0]


FILLED_CODE = """\
# ../codes/layers.py:1
        self._saved_for_backward(input)
        return np.maximum(0, input)

# ../codes/layers.py:2
        return grad_output * (self._saved_tensor > 0)

# ../codes/layers.py:3
        # Reference: https://cs231n.github.io/optimization-2/
        self._saved_for_backward(input)
        return input.dot(self.W) + self.b

# ../codes/layers.py:4
        self.grad_W = self._saved_tensor.T.dot(grad_output)
        self.grad_b = grad_output.sum(axis=0)
        return grad_output.dot(self.W.T)

# ../codes/loss.py:1
{tab}return 0.5 * np.sum((input - target) ** 2) / input.shape[0]

# ../codes/loss.py:2
{tab}return (input - target) / input.shape[0]"""


def test_the_fixture_is_the_python2_hand_out_it_claims_to_be():
    layers = find_scopes(PRISTINE_LAYERS)
    assert "inconsistent use of tabs and spaces" in layers.parse_error
    assert "print" in find_scopes(PRISTINE_RUN).parse_error
    # Python's 8 columns put each block at its def's own level...
    assert width("\tdef forward(self, input):") == width("        # TODO START") == 8
    # ...yet the text says whose body it is.
    assert [(span.name, span.start, span.end) for span in layers.spans if "." in span.name] == [
        ("Layer.__init__", 7, 10), ("Layer._saved_for_backward", 12, 16),
        ("Relu.__init__", 20, 21), ("Relu.forward", 23, 27), ("Relu.backward", 29, 33),
        ("Linear.__init__", 37, 42), ("Linear.forward", 44, 48), ("Linear.backward", 50, 54),
        ("Linear.update", 56, 66)]


def test_converted_and_filled_hand_out_gives_the_course_layout(root):
    summary, found = _summary(
        root, layers=fill("layers.py", converted(PRISTINE_LAYERS)),
        loss=fill("loss.py", converted(PRISTINE_LOSS)).encode("gbk"),
        run_mlp=converted(PRISTINE_RUN).replace("'learning_rate': 0.0", "'learning_rate': 0.1"))
    # Re-indenting tabs to spaces changes no statement's depth, so only real edits are listed;
    # the GBK comment is read as declared, on both sides, so it is no edit at all.
    assert summary == (
        "########################\n# Filled Code\n########################\n"
        + FILLED_CODE.format(tab="        ") + "\n\n\n"
        "########################\n# References\n########################\n"
        "# https://cs231n.github.io/optimization-2/\n\n"
        "########################\n# Other Modifications\n########################\n"
        "# _codes/layers.py -> ../codes/layers.py\n"
        "# 66 - \t\tprint 'updated', self.name\n"
        "# 71 +         print('updated', self.name)\n"
        "# _codes/run_mlp.py -> ../codes/run_mlp.py\n"
        "# 10 - \t'learning_rate': 0.0,\n"
        "# 10 +     'learning_rate': 0.1,\n"
        "# 16 - \tprint 'epoch', epoch\n"
        "# 16 +     print('epoch', epoch)\n\n")
    assert found == []


def test_student_who_kept_the_tabs_gets_every_block_by_its_method(root):
    summary, found = _summary(root, layers=fill("layers.py", PRISTINE_LAYERS),
                              loss=fill("loss.py", PRISTINE_LOSS).encode("gbk"),
                              run_mlp=PRISTINE_RUN)
    assert _filled_code(summary) == (
        "# ../codes/layers.py: does not parse; blocks found line by line\n\n"
        + FILLED_CODE.format(tab="\t\t") + "\n\n# ../codes/run_mlp.py: does not parse")
    assert summary.endswith("# Other Modifications\n########################\n\n")
    assert [problem.split(" (")[0] for problem in found] == [
        "layers.py: does not parse", "run_mlp.py: does not parse"]


def test_lost_markers_in_the_tabbed_file_show_that_method_not_its_class(root):
    layers = fill("layers.py", PRISTINE_LAYERS)
    at = layers.index("\tdef backward(self, grad_output):\n        # TODO START")
    layers = layers[:at] + layers[at:].replace("        # TODO START\n", "", 1).replace(
        "        # TODO END\n", "", 1)
    summary, found = _summary(root, layers=layers, loss=fill("loss.py", PRISTINE_LOSS).encode("gbk"),
                              run_mlp=PRISTINE_RUN)
    filled = _filled_code(summary)
    assert ("# ../codes/layers.py:2 markers missing; Relu.backward as it now stands:\n"
            "\tdef backward(self, grad_output):\n"
            "        '''Your codes here'''\n"
            "        return grad_output * (self._saved_tensor > 0)\n\n"
            "# ../codes/layers.py:3\n        # Reference:") in filled
    assert "layers.py:2 markers missing (Relu.backward)" in found
    assert "layers.py:1 markers" not in " ".join(found) and "layers.py:3 markers" not in " ".join(found)


def test_declared_encodings_are_honoured_on_both_sides(root):
    # A student who re-saved loss.py as UTF-8 and said so: only the declaration line changed.
    loss_utf8 = fill("loss.py", PRISTINE_LOSS).replace("coding: gbk", "coding: utf-8")
    summary, found = _summary(root, layers=fill("layers.py", converted(PRISTINE_LAYERS)),
                              loss=loss_utf8, run_mlp=converted(PRISTINE_RUN))
    assert ("# _codes/loss.py -> ../codes/loss.py\n"
            "# 1 - # -*- coding: gbk -*-\n# 1 + # -*- coding: utf-8 -*-\n") in summary
    assert found == [] and "注意" not in summary
    # One who re-saved it as UTF-8 but kept the GBK declaration wrote a file Python misreads.
    summary, found = _summary(root, loss=fill("loss.py", PRISTINE_LOSS).encode("utf-8"))
    assert "\n# ../codes/loss.py: not gbk as its coding line says (byte " in summary
    assert [problem for problem in found if problem.startswith("loss.py")] == [
        f"loss.py: {summary.split('# ../codes/loss.py: ')[1].splitlines()[0]}"]


def test_adopted_bodies_end_at_the_next_def_and_keep_python_depths_elsewhere():
    text = ("class A:\n\tdef f(self):\n        x = 1\n        y = 2\n\tdef g(self):\n"
            "\t\treturn 3\n\tz = 4\n")
    assert scan(text).depths == {1: 0, 2: 1, 3: 2, 4: 2, 5: 1, 6: 2, 7: 1}
    # Where the file parses, depths are exactly Python's whatever the tab/space mix.
    assert scan("if x:\n\tif y:\n\t    a = 1\n\tb = 2\nc = 3\n").depths == {
        1: 0, 2: 1, 3: 2, 4: 1, 5: 0}
