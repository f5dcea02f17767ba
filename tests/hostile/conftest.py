"""A small assignment to grade hostile submissions against, and the checks that the host is untouched.

The assignment's reference is the repository's own reference/codes; its hidden suite is a handful
of quick tests (Relu, Linear, softmax cross-entropy) with short limits, so a batch of dozens of
hostile submissions finishes in about a minute. Every hostile action plants TOKEN in what it
creates (file names, file contents, process arguments), so the checks can look for it.
"""
from __future__ import annotations

import hashlib
import os
import textwrap
import types
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "reference" / "codes"
MNIST_LABELS = REPO / "data" / "mnist" / "t10k-labels-idx1-ubyte.gz"
TOKEN = "hostile-6c1f0e"

HIDDEN = '''
import numpy as np
import pytest

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 3))
G = RNG.normal(size=(4, 3))


def check(got, want):
    assert isinstance(got, np.ndarray), f"returned {type(got).__name__}, expected a numpy array"
    assert got.shape == want.shape, f"returned shape {got.shape}, expected {want.shape}"
    np.testing.assert_allclose(got, want, atol=1e-8)


@pytest.mark.feedback("Relu.forward should return max(0, u)")
def test_relu_forward(student, reference):
    """Relu forward"""
    check(student.layers.Relu("r").forward(X), reference.layers.Relu("r").forward(X))


def test_relu_backward(student, reference):
    """Relu backward"""
    mine, ref = student.layers.Relu("r"), reference.layers.Relu("r")
    mine.forward(X), ref.forward(X)
    check(mine.backward(G), ref.backward(G))


def _linears(student, reference):
    W, b = RNG.normal(size=(3, 2)), RNG.normal(size=2)
    mine, ref = student.layers.Linear("fc", 3, 2, 0.1), reference.layers.Linear("fc", 3, 2, 0.1)
    for layer in (mine, ref):
        layer.W, layer.b = W, b
    return mine, ref


@pytest.mark.feedback("Linear.forward should compute u = xW + b")
def test_linear_forward(student, reference):
    """Linear forward"""
    mine, ref = _linears(student, reference)
    check(mine.forward(X), ref.forward(X))


def test_linear_backward(student, reference):
    """Linear backward"""
    mine, ref = _linears(student, reference)
    g = RNG.normal(size=(4, 2))
    mine.forward(X), ref.forward(X)
    check(mine.backward(g), ref.backward(g))
    check(mine.grad_W, ref.grad_W)


def test_softmax_cross_entropy_forward(student, reference):
    """Softmax cross-entropy forward"""
    x, t = X * 3, np.eye(3)[[0, 1, 2, 0]]
    got = student.loss.SoftmaxCrossEntropyLoss("ce").forward(x, t)
    assert isinstance(got, float), f"returned {type(got).__name__}, expected a float"
    np.testing.assert_allclose(got, reference.loss.SoftmaxCrossEntropyLoss("ce").forward(x, t), rtol=1e-6)
'''

POINTS = {"test_relu_forward": 1, "test_relu_backward": 1, "test_linear_forward": 1,
          "test_linear_backward": 2, "test_softmax_cross_entropy_forward": 1}
LIMITS = {"call_timeout_s": 2, "task_timeout_s": 5, "import_timeout_s": 2, "memory_mb": 512, "cpu_s": 30,
          "max_processes": 16, "max_file_mb": 16, "max_output_kb": 16}


@dataclass(frozen=True)
class TinyAssignment:
    root: Path
    hidden_test: Path
    limits: dict

    @property
    def total(self) -> float:
        return float(sum(POINTS.values()))


@pytest.fixture(scope="session")
def tiny_assignment(tmp_path_factory) -> TinyAssignment:
    root = tmp_path_factory.mktemp("hostile-assignment")
    (root / "hidden").mkdir()
    hidden_test = root / "hidden" / "test_hostile_hidden.py"
    hidden_test.write_text(HIDDEN)
    limits = "\n".join(f"{k} = {v}" for k, v in LIMITS.items())
    points = "\n".join(f"{k} = {v}" for k, v in POINTS.items())
    (root / "assignment.toml").write_text(textwrap.dedent(f"""\
        name = "hostile"
        reference = "{REFERENCE.parent}"
        hidden = "hidden"
        [submission]
        code_folder = "codes"
        required = ["layers.py", "loss.py"]
        optional = ["network.py", "solve_net.py", "utils.py"]
        report = ["Report.pdf", "Report.md"]
        integrity = "summary.txt"
        integrity_note = "no summary.txt at the top of the zip; run code_analyze/analyze.py and include its output"
        [limits]
        """) + limits + "\n[points]\n" + points + "\n")
    return TinyAssignment(root, hidden_test, LIMITS)


# --- building submissions ------------------------------------------------------------------------

def reference_codes(edits: dict[str, str | None]) -> dict[str, bytes]:
    """The reference files with edits: text starting with '+' is appended (a method patched in
    after the class), None deletes the file, any other text replaces the file."""
    files = {p.name: p.read_bytes() for p in sorted(REFERENCE.glob("*.py"))}
    for name, edit in edits.items():
        if edit is None:
            files.pop(name, None)
        elif edit.startswith("+"):
            files[name] = files[name] + b"\n\n" + textwrap.dedent(edit[1:]).encode()
        else:
            files[name] = textwrap.dedent(edit).encode()
    return files


def zip_submission(path: Path, sid: str, codes: dict[str, bytes],
                   extra: list[tuple[zipfile.ZipInfo | str, bytes]] = (), summary: bytes = b"summary\n") -> Path:
    """sid/Report.md, sid/summary.txt, sid/codes/* and extra raw entries, as students zip them."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{sid}/Report.md", "# Report\n")
        zf.writestr(f"{sid}/summary.txt", summary)
        for name, data in codes.items():
            zf.writestr(f"{sid}/codes/{name}", data)
        with warnings.catch_warnings():  # a duplicate name is one of the hostile archives
            warnings.simplefilter("ignore", UserWarning)
            for info, data in extra:
                zf.writestr(info, data)
    return path


# --- "the host is untouched" ------------------------------------------------------------------

def snapshot(*roots: Path) -> dict[str, tuple[int, int, str, int, int]]:
    """path -> (size, mtime_ns, sha256, owner, mode) for every file under the roots (hashes: small
    files only); owner and mode catch a chown or chmod that would not change the contents."""
    found = {}
    for root in roots:
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if "__pycache__" not in p.parts)
        for p in paths:
            if p.is_file() and not p.is_symlink():
                st = p.stat()
                digest = hashlib.sha256(p.read_bytes()).hexdigest() if st.st_size < 2**24 else ""
                found[str(p)] = (st.st_size, st.st_mtime_ns, digest, st.st_uid, st.st_mode)
    return found


def paths_named(token: str, *roots: Path) -> list[str]:
    """Files or folders whose name contains token, one level under each root or anywhere below."""
    hits = []
    for root in roots:
        if not root.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in (".git", "__pycache__", "proc")]
            hits += [os.path.join(dirpath, n) for n in dirnames + filenames if token in n]
    return hits


def processes_with(marker: str) -> list[str]:
    """Command lines of live processes that mention marker (zombies have none, and don't count)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in cmdline:
                found.append(f"{entry.name}: {cmdline[:200]}")
    return found


@pytest.fixture(scope="session")
def canary(tmp_path_factory) -> Path:
    """A file outside every submission's copy that hostile code tries to change."""
    path = tmp_path_factory.mktemp("hostile-canary") / "canary.txt"
    path.write_text("untouched\n")
    return path


@pytest.fixture(scope="session")
def kit():
    """This module's helpers for the test modules (importlib mode cannot import a conftest)."""
    return types.SimpleNamespace(REPO=REPO, REFERENCE=REFERENCE, MNIST_LABELS=MNIST_LABELS, TOKEN=TOKEN,
                                 reference_codes=reference_codes, zip_submission=zip_submission,
                                 snapshot=snapshot, paths_named=paths_named, processes_with=processes_with)
