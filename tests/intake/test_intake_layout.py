"""intake: the layout checks turn fixable problems into flags, and grade only .py sources."""
import dataclasses
import io
import zipfile

from grader.assignment import load_assignment
from grader.intake import open_submission

MLP = load_assignment().layout


def layout(required=("layers.py", "loss.py")):
    """The default assignment's layout with other required files."""
    return dataclasses.replace(MLP, required=tuple(required), missing={f: f"codes/{f} is missing" for f in required})


def zip_of(path, files):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def flags_of(tmp_path, files, required=("layers.py", "loss.py")):
    with open_submission(zip_of(tmp_path / "2023000001.zip", files), layout(required)) as sub:
        return sub.flags, sub.code_dir is not None


def test_complete_submission_has_no_flags(tmp_path):
    files = {"report.PDF": b"%PDF", "summary.txt": "#\n", "codes/layers.py": "", "codes/loss.py": ""}
    assert flags_of(tmp_path, files) == ([], True)


def test_missing_report_empty_summary_and_missing_file_are_flagged(tmp_path):
    flags, has_codes = flags_of(tmp_path, {"summary.txt": "", "codes/layers.py": "", "notes.pdf": b"%PDF"})
    assert has_codes
    assert flags == ["no Report.pdf (or .md, .doc, .docx) at the top of the zip",
                     "summary.txt is empty; run code_analyze/analyze.py and include its output",
                     "codes/loss.py is missing"]


def test_missing_summary_is_flagged(tmp_path):
    flags, _ = flags_of(tmp_path, {"Report.docx": b"x", "codes/layers.py": "", "codes/loss.py": ""})
    assert flags == ["no summary.txt at the top of the zip; run code_analyze/analyze.py and include its output"]


def test_missing_codes_folder_gives_no_codes_dir(tmp_path):
    flags, has_codes = flags_of(tmp_path, {"Report.md": "r", "summary.txt": "s", "layers.py": ""})
    assert not has_codes and flags == []


def test_weights_data_compiled_and_nested_archives_are_flagged(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("codes/layers.py", "")
    files = {"Report.md": "r", "summary.txt": "s", "codes/layers.py": "", "codes/loss.py": "",
             "model.npz": b"x", "weights.pkl": b"x", "data/train-images-idx3-ubyte.gz": b"x",
             "codes/__pycache__/layers.cpython-311.pyc": b"x", "codes/loss.cpython-311-x86_64-linux-gnu.so": b"x",
             "old_version.zip": inner.getvalue()}
    with open_submission(zip_of(tmp_path / "2023000002.zip", files), layout(["layers.py"])) as sub:
        compiled, nested = sub.flags
        for name in ("model.npz", "weights.pkl", "train-images-idx3-ubyte.gz", "__pycache__", ".so"):
            assert name in compiled
        assert compiled.startswith("weights, data or compiled files should not be submitted")
        assert nested.startswith("nested archive not opened: old_version.zip")
        # a compiled module would be imported instead of its source: only .py files stay in codes/
        assert sorted(p.name for p in sub.code_dir.rglob("*")) == ["layers.py", "loss.py"]
