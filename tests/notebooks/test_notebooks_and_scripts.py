"""Notebooks stand in for modules (read as text in the parent), scripts run top to bottom in the
worker, and a module that trains when imported is told so."""
import dataclasses
import json
import zipfile

import nbformat
import numpy as np
import pytest

from grader.assignment import Limits, load_assignment
from grader.intake import open_submission
from grader.notebooks import NotebookError, notebook_to_module
from grader.proxy import StudentProxy, StudentTimeout
from grader.sandbox import Sandbox, bwrap_works

LAYOUT = dataclasses.replace(load_assignment().layout, notebooks=True)
SANDBOX_MODES = [pytest.param(True, id="bwrap", marks=pytest.mark.skipif(not bwrap_works(), reason="no bwrap")),
                 pytest.param(False, id="fallback")]


def notebook(*cells, version=4) -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# My MLP")] + [nbformat.v4.new_code_cell(c) for c in cells]
    if version == 3:
        return nbformat.writes(nbformat.convert(nb, 3), version=3).encode()
    return nbformat.writes(nb).encode()


def test_code_cells_in_order_become_the_module_and_ipython_lines_are_dropped_with_a_note():
    source, notes = notebook_to_module(notebook(
        "%matplotlib inline\nimport numpy as np", "!pip install tqdm\nfiles = !ls\ndef f(x):\n    return 2 * x",
        "%%time\nwhile True: pass", "ratio = 3 % 2\nflag = ratio != 1"), "layers.ipynb")
    namespace = {}
    exec(compile(source, "layers.py", "exec"), namespace)  # the test's own text, not a student's
    assert namespace["f"](2) == 4 and namespace["ratio"] == 1 and namespace["flag"] is False
    assert "while True" not in source
    assert notes == ["layers.ipynb code cell 1: dropped `%matplotlib inline` (IPython syntax, not Python)",
                     "layers.ipynb code cell 2: dropped `!pip install tqdm` (IPython syntax, not Python)",
                     "layers.ipynb code cell 2: dropped `files = !ls` (IPython syntax, not Python)",
                     "layers.ipynb code cell 3: dropped `%%time` (IPython syntax, not Python)"]


def test_an_old_format_notebook_reads_the_same():
    cells = ("import numpy as np", "def g():\n    return np.ones(2)")
    assert notebook_to_module(notebook(*cells, version=3), "a.ipynb") == notebook_to_module(notebook(*cells), "a.ipynb")


@pytest.mark.parametrize("data", [b"{not json", b'{"cells": 3}', b"\xff\xfe", json.dumps([1, 2]).encode()])
def test_a_broken_notebook_is_one_line(data):
    with pytest.raises(NotebookError, match="^x.ipynb is not a notebook Jupyter can open"):
        notebook_to_module(data, "x.ipynb")


def test_intake_grades_a_notebook_as_the_module_it_stands_for(tmp_path):
    path = tmp_path / "2023000001.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("2023000001/codes/layers.ipynb", notebook("X = 1"))
        zf.writestr("2023000001/codes/loss.ipynb", b"garbage")
        zf.writestr("2023000001/codes/.ipynb_checkpoints/layers-checkpoint.ipynb", notebook("X = 0"))
    with open_submission(path, LAYOUT) as sub:
        assert "X = 1" in (sub.code_dir / "layers.py").read_text()
        assert not (sub.code_dir / "loss.py").exists()
        assert "graded the code cells of codes/layers.ipynb as codes/layers.py" in sub.flags
        assert any(f.startswith("codes/loss.ipynb could not be read:") for f in sub.flags)
        assert "codes/loss.py is missing" in sub.flags
        assert not (sub.code_dir / ".ipynb_checkpoints").exists()


def test_a_flat_submission_of_notebooks_alone_is_found(tmp_path):
    flat = dataclasses.replace(LAYOUT, code_folder="")
    assert not flat.holds_code(tmp_path)
    (tmp_path / "layers.ipynb").write_bytes(notebook("X = 1"))
    assert flat.holds_code(tmp_path) and not dataclasses.replace(flat, notebooks=False).holds_code(tmp_path)
    path = tmp_path / "2023000001.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("2023000001/layers.ipynb", notebook("X = 1"))
    with open_submission(path, flat) as sub:
        assert "X = 1" in (sub.code_dir / "layers.py").read_text()


SCRIPT = """
import sys, json
import numpy as np
print("epochs", sys.argv[1:])
np.save("weights.npy", np.arange(3.0))
with open("log.json", "w") as f:
    json.dump({"acc": [0.5, 0.9]}, f)
if "--fail" in sys.argv:
    raise ValueError("diverged")
sys.exit(3 if "--exit" in sys.argv else 0)
"""
TRAINS_ON_IMPORT = "import time\nwhile True:\n    time.sleep(0.05)\n"


@pytest.fixture(params=SANDBOX_MODES)
def student(request, tmp_path):
    codes = tmp_path / "codes"
    codes.mkdir()
    (codes / "train.py").write_text(SCRIPT)
    (codes / "layers.py").write_text(TRAINS_ON_IMPORT)
    limits = Limits(call_timeout_s=5, import_timeout_s=1, memory_mb=1024)
    proxy = StudentProxy(Sandbox(codes, None, ["layers", "train"], limits, sandbox=request.param), limits,
                         ["layers", "train"])
    yield proxy
    proxy.close()


def test_a_script_runs_as_main_and_gives_back_its_output_and_files(student):
    run = student.run_script("train.py", ["--epochs", "2"])
    assert (run.status, run.error) == (0, None)
    assert run.output == "epochs ['--epochs', '2']\n"
    assert sorted(run.files) == ["log.json", "weights.npy"]
    assert json.loads(run.files["log.json"]) == {"acc": [0.5, 0.9]}
    assert run.files["weights.npy"].startswith(b"\x93NUMPY")


def test_a_failing_script_still_reports_what_it_did(student):
    run = student.run_script("train.py", ["--fail"])
    assert run.status == 1 and run.error.type_name == "ValueError" and "train.py line" in run.error.where
    assert "log.json" in run.files
    assert student.run_script("train.py", ["--exit"]).status == 3


def test_a_module_that_trains_on_import_is_told_so(student):
    with pytest.raises(StudentTimeout, match=r"importing layers.py took longer than 1 s: your module runs code "
                                             r"when imported \(training\?\); put it under `if __name__ == '__main__':`"):
        student.layers.anything()
    assert student.run_script("train.py").status == 0  # a fresh worker serves the next request
