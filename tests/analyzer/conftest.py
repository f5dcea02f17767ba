"""A small hand-out (pristine _codes/ and a student's codes/) built in a temp dir for each test."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from code_analyze.blocks import find_blocks, split_lines
from code_analyze.summary import analyze_dirs, render_summary

PRISTINE = {
    "layers.py": '''import numpy as np


class Layer(object):
    def __init__(self, name, trainable=False):
        self.name = name
        self.trainable = trainable
        self._saved_tensor = None

    def _saved_for_backward(self, tensor):
        self._saved_tensor = tensor


class Selu(Layer):
    def __init__(self, name):
        super(Selu, self).__init__(name)

    def forward(self, input):
        # TODO START
        raise NotImplementedError("Selu.forward")
        # TODO END

    def backward(self, grad_output):
        # TODO START
        raise NotImplementedError("Selu.backward")
        # TODO END


class Gelu(Layer):
    def __init__(self, name):
        super(Gelu, self).__init__(name)

    def forward(self, input):
        # TODO START
        pass
        # TODO END

    def backward(self, grad_output):
        # TODO START
        pass
        # TODO END
''',
    "loss.py": '''import numpy as np


class MSELoss(object):
    def __init__(self, name):
        self.name = name

    def forward(self, input, target):
        # TODO START
        pass
        # TODO END
''',
    "run_mlp.py": '''from network import Network
from layers import Selu, Linear

model = Network()
model.add(Linear('fc1', 784, 10, 0.01))
model.add(Selu('selu'))

config = {
    'learning_rate': 0.0,
    'max_epoch': 100,
}
''',
}

# What a careful student writes in each block: (file, block number) -> body lines.
SOLUTION = {
    ("layers.py", 1): ["        # Reference: https://arxiv.org/abs/1706.02515",
                       "        self._saved_for_backward(input)",
                       "        return 1.0507 * np.where(input > 0, input, 1.67326 * np.expm1(input))"],
    ("layers.py", 2): ["        x = self._saved_tensor",
                      "        return grad_output * 1.0507 * np.where(x > 0, 1.0, 1.67326 * np.exp(x))"],
    ("layers.py", 3): ["        self._saved_for_backward(input)",
                       "        return 0.5 * input * (1 + np.tanh(0.7978845608 * input))"],
    ("layers.py", 4): ["        # Reference: 与同学张三（2023012345）讨论了 alpha 的取值",
                       "        u = self._saved_tensor",
                       "        return grad_output * 0.5 * (1 + np.tanh(0.7978845608 * u))"],
    ("loss.py", 1): ["        return np.sum((target - input) ** 2) / input.shape[0]"],
}


def fill(name: str, bodies: dict[int, list[str]] | None = None) -> str:
    """The pristine file with block n's interior replaced by bodies[n] (default: SOLUTION)."""
    lines = split_lines(PRISTINE[name])
    blocks, _ = find_blocks(PRISTINE[name])
    for block in reversed(blocks):
        body = (bodies or {}).get(block.index, SOLUTION.get((name, block.index)))
        if body is not None:
            lines[block.start:block.end - 1] = body
    return "\n".join(lines)


@dataclass
class Handout:
    """Tests reach the sample files through this (conftest is not importable by name)."""

    root: Path
    pristine = PRISTINE
    solution = SOLUTION
    fill = staticmethod(fill)

    @property
    def origin(self) -> Path:
        return self.root / "code_analyze" / "_codes"

    @property
    def target(self) -> Path:
        return self.root / "codes"

    def write(self, name: str, text: str | bytes) -> None:
        path = self.target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))

    def summary(self) -> str:
        return render_summary(analyze_dirs(self.origin, self.target))


@pytest.fixture
def handout(tmp_path: Path) -> Handout:
    """Pristine codes and a student's copy with every block filled as SOLUTION says."""
    made = Handout(tmp_path / "handout")
    made.origin.mkdir(parents=True)
    for name, text in PRISTINE.items():
        (made.origin / name).write_text(text, encoding="utf-8")
        made.write(name, fill(name))
    return made
