"""Strategies and properties for fuzzing the zip intake and the analyzer.

Shared by the small seeded CI run (tests/fuzz/test_fuzz_*.py) and the long run (bench/fuzz_long.py):
each property takes generated input and checks "a result or a clear error, never a crash".
"""
from __future__ import annotations

import io
import stat
import tempfile
import warnings
import zipfile
from pathlib import Path

from hypothesis import strategies as st

from code_analyze.compare import compare_file
from code_analyze.summary import Analysis, render_summary
from code_analyze.verify import verify_submission
from grader.assignment import load_assignment
from grader.errors import SubmissionError
from grader.intake import open_submission

REPO = Path(__file__).resolve().parents[2]
PRISTINE_LAYERS = (REPO / "skeleton" / "codes" / "layers.py").read_text(encoding="utf-8")
REFERENCE_LAYERS = (REPO / "reference" / "codes" / "layers.py").read_text(encoding="utf-8")

# --- archives ----------------------------------------------------------------------------------

NAME_PARTS = st.sampled_from(["codes", "layers.py", "loss.py", "summary.txt", "Report.pdf", "..", ".", "",
                              "__MACOSX", "._x", "a" * 300, "C:", "x\\..\\..\\y", "名字.py", "\x00",
                              "sub", "inner.zip", "w.npy", "__pycache__", "l.pyc"])
ENTRY_NAMES = st.one_of(st.lists(NAME_PARTS, min_size=1, max_size=5).map("/".join),
                        st.text(min_size=1, max_size=40))
ENTRY = st.tuples(ENTRY_NAMES, st.binary(max_size=300),
                  st.sampled_from(["file", "file", "file", "dir", "symlink", "device"]))
ARCHIVES = st.lists(ENTRY, max_size=12)


def build_zip(entries) -> bytes:
    """A zip of (name, data, kind) entries, as hostile as zipfile lets us write."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate names are part of the fuzz
        for name, data, kind in entries:
            info = zipfile.ZipInfo(name + ("/" if kind == "dir" and not name.endswith("/") else ""))
            info.create_system = 3
            mode = {"file": stat.S_IFREG | 0o644, "dir": stat.S_IFDIR | 0o755,
                    "symlink": stat.S_IFLNK | 0o777, "device": stat.S_IFCHR | 0o600}[kind]
            info.external_attr = mode << 16
            zf.writestr(info, b"" if kind == "dir" else data)
    return buf.getvalue()


LAYOUT = load_assignment().layout


def check_intake(data: bytes, layout=LAYOUT) -> str:
    """Open `data` as a submission zip: a Submission inside its temp dir, or one SubmissionError
    line naming the zip. Returns "ok" or "refused" (for the long run's statistics)."""
    with tempfile.TemporaryDirectory(prefix="fuzz-intake-") as tmp:
        path = Path(tmp) / "2023000001.zip"
        path.write_bytes(data)
        try:
            with open_submission(path, layout) as sub:
                temp_root = sub.root
                while temp_root.name != "files":
                    temp_root = temp_root.parent
                for p in sub.root.rglob("*"):
                    assert not p.is_symlink(), p
                    assert p.resolve().is_relative_to(temp_root.resolve()), p
                assert all(isinstance(f, str) and "\n" not in f for f in sub.flags), sub.flags
        except SubmissionError as e:
            message = str(e)
            assert message.startswith("2023000001.zip: ") and "\n" not in message, message
            return "refused"
        finally:
            assert sorted(p.name for p in Path(tmp).iterdir()) == ["2023000001.zip"]
        return "ok"


MUTATIONS = st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=8)


def mutate(data: bytes, mutations) -> bytes:
    buf = bytearray(data)
    for position, value in mutations:
        if buf:
            buf[position % len(buf)] = value
    return bytes(buf)


# --- Python sources ------------------------------------------------------------------------------

STATEMENTS = st.sampled_from([
    "x = 1", "return input", "self._saved_for_backward(input)", "pass", "y = np.maximum(0, input)",
    "raise NotImplementedError('x')", "# Reference: https://example.org", "# TODO START", "# TODO END",
    "# TODO: fill", "for i in range(3):\n    x = i", "if x:\n    pass\nelse:\n    y = 2", "'''doc\n# TODO END\n'''",
    "return grad_output * (input > 0)", "import os", "lambda: (yield)", "del x", "x: int = 3",
])
INDENTS = st.sampled_from(["", "    ", "        ", "\t", "  \t", "   "])


@st.composite
def python_sources(draw) -> bytes:
    """Valid-looking Python (classes, methods, statements) with markers placed anywhere, mixed
    indentation and line ends; often not valid at all, which the analyzer must survive too."""
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        lines.append(f"class {draw(st.sampled_from(['Relu', 'Linear', 'Gelu', 'Layer', 'X']))}(Layer):")
        for _ in range(draw(st.integers(0, 3))):
            lines.append(f"    def {draw(st.sampled_from(['forward', 'backward', '__init__', 'update']))}(self, input):")
            for _ in range(draw(st.integers(0, 5))):
                for line in draw(STATEMENTS).split("\n"):
                    lines.append(draw(st.sampled_from(["        ", draw(INDENTS)])) + line)
    for _ in range(draw(st.integers(0, 6))):  # markers and noise at random places
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, draw(INDENTS) + draw(st.sampled_from(["# TODO START", "# TODO END", "#TODO START",
                                                                "# todo start", "", "\x0c", "\\"])))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = ending.join(lines)
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return bom + text.encode("utf-8")


REFERENCE_EDITS = st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(["delete", "dup", "marker", "dedent"])),
                           max_size=10)


def edit_reference(edits) -> bytes:
    """The reference layers.py with lines deleted, duplicated, turned into markers or dedented."""
    lines = REFERENCE_LAYERS.split("\n")
    for position, how in edits:
        i = position % len(lines)
        if how == "delete":
            del lines[i]
        elif how == "dup":
            lines.insert(i, lines[i])
        elif how == "marker":
            lines.insert(i, "        # TODO START" if position % 2 else "  # TODO END")
        else:
            lines[i] = lines[i].lstrip()
    return "\n".join(lines).encode()


def check_analyzer(student: bytes) -> str:
    """compare_file never raises and summary.txt renders the same bytes twice."""
    report = compare_file("layers.py", PRISTINE_LAYERS, student)
    again = compare_file("layers.py", PRISTINE_LAYERS, student)
    assert report == again
    text = render_summary(Analysis((), (), (report,)))
    assert isinstance(text, str) and text == render_summary(Analysis((), (), (again,)))
    return report.note or "ok"


def check_verify(student: bytes, summary: bytes) -> bool:
    """verify_submission on a codes/ with this layers.py and this summary.txt: a report, never a crash."""
    with tempfile.TemporaryDirectory(prefix="fuzz-verify-") as tmp:
        pristine, codes = Path(tmp) / "_codes", Path(tmp) / "codes"
        pristine.mkdir()
        codes.mkdir()
        (pristine / "layers.py").write_text(PRISTINE_LAYERS, encoding="utf-8")
        (codes / "layers.py").write_bytes(student)
        (Path(tmp) / "summary.txt").write_bytes(summary)
        report = verify_submission(pristine, codes, Path(tmp) / "summary.txt")
        assert all(isinstance(p, str) and "\n" not in p for p in report.problems), report.problems
        return report.matches
