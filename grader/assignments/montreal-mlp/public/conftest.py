"""Makes `import mlp` find your mlp.py in the folder above tests/, or, if you work in a notebook,
the code cells of mlp.ipynb (in order; lines starting with % or ! are left out). numpy gets one
BLAS thread unless you chose otherwise: on matrices this small, more threads only wait for each
other (a busy machine trained 20 times slower with two)."""
import json
import os
import sys
import types
from pathlib import Path

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")
HERE = Path(__file__).resolve().parent.parent


def _notebook_module(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
               for c in cells if c["cell_type"] == "code"]
    code = "\n".join(line for text in sources for line in text.splitlines() if not line.lstrip().startswith(("%", "!")))
    module = types.ModuleType("mlp")
    module.__file__ = str(path)
    exec(compile(code, str(path), "exec"), module.__dict__)
    return module


if not (HERE / "mlp.py").exists() and (HERE / "mlp.ipynb").exists():
    sys.modules["mlp"] = _notebook_module(HERE / "mlp.ipynb")
sys.path.insert(0, str(HERE))
