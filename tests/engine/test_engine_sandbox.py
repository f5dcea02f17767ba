"""The worker's isolation and the proxy's data rules, with real worker processes."""
import io
import os
import socket
import sys
import shutil
from pathlib import Path

import numpy as np
import pytest

from grader import protocol
from grader.assignment import Limits
from grader.proxy import Foreign, RemoteObject, StudentError, StudentProxy, WorkerCrashed
from grader.sandbox import UID_BASE, UID_SLOTS, Sandbox, bwrap_works

REPO = Path(__file__).resolve().parents[2]
LIMITS = Limits(call_timeout_s=5, memory_mb=1024, cpu_s=60, max_output_kb=4)

LAYERS = """
import os, socket, sys, warnings
import numpy as np

class Box:
    def __init__(self, v):
        self.v = v
    def get(self):
        return self.v

def read(path):
    return open(path).read()

def connect(port):
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    return "connected"

def whoami():
    return os.getuid()

def use_torch():
    import torch

def overflow():
    return np.exp(np.array([1000.0]))

def kinds():
    return (np.float32(1.5), np.arange(3, dtype=np.float32), np.matrix([[1, 2]]),
            np.array([None, 1], dtype=object), {"k": [1, 2.5, "s"]})

def noisy():
    os.write(2, b"to stderr at C level\\n")
    print("to stdout")
    return 0

def stdlib_imports():
    # imported only now, after the worker dropped root: every standard-library module must be
    # readable to it, wherever the interpreter lives (pyenv under a mode-700 /root included)
    import glob, fractions, decimal, sqlite3, unittest, xml.dom.minidom
    return sorted(m.__name__ for m in (glob, fractions, decimal, sqlite3, unittest, xml.dom.minidom))

def numpy_1x():
    from numpy.lib.function_base import interp
    return float(np.float_(interp(0.5, [0, 1], [0, 2]))) + float(np.product([1, 2])) + np.NaN * 0

def bump(velocity, key, rate):
    velocity[key] = rate * velocity[key] - 1.0  # in place: the caller owns the dict

def forge():
    # A student who finds the hidden protocol fd and writes a fake reply into it.
    for fd in range(3, 1024):
        try:
            if "pipe" in os.readlink(f"/proc/self/fd/{fd}"):
                os.write(fd, b"MLPG" + b"\\xff" * 8)
        except OSError:
            pass
    return 100
"""


@pytest.fixture(params=[pytest.param(True, id="bwrap", marks=pytest.mark.skipif(not bwrap_works(), reason="no bwrap")),
                        pytest.param(False, id="fallback")])
def student(request, tmp_path):
    codes = tmp_path / "codes"
    codes.mkdir()
    (codes / "layers.py").write_text(LAYERS)
    proxy = StudentProxy(Sandbox(codes, None, ["layers"], LIMITS, sandbox=request.param), LIMITS, ["layers"])
    proxy.sandboxed = request.param
    yield proxy
    proxy.close()


def test_objects_stay_in_the_worker(student):
    box = student.layers.Box(np.arange(3.0))
    assert isinstance(box, RemoteObject)
    np.testing.assert_array_equal(box.get(), [0.0, 1.0, 2.0])
    box.v = box  # a RemoteObject travels back as its handle
    assert box.get() is box


def test_results_are_plain_data(student):
    scalar, f32, matrix, objects, mapping = student.layers.kinds()
    assert type(scalar) is float and scalar == 1.5
    assert type(f32) is np.ndarray and f32.dtype == np.float32  # the precision stays visible
    assert type(matrix) is np.ndarray and matrix.shape == (1, 2)
    assert isinstance(objects, Foreign) and objects.type_name == "ndarray"
    assert mapping == {"k": [1, 2.5, "s"]}


def test_output_and_warnings_are_captured_apart_from_the_channel(student):
    assert student.layers.noisy() == 0
    assert "to stderr at C level" in student.last_output and "to stdout" in student.last_output
    student.layers.overflow()
    assert student.last_warnings == ["RuntimeWarning: overflow encountered in exp"]


def test_stdlib_modules_import_after_the_privilege_drop(student):
    assert student.layers.stdlib_imports() == ["decimal", "fractions", "glob", "sqlite3", "unittest", "xml.dom.minidom"]


def test_numpy_1x_names_keep_working_and_are_reported(student):
    value = student.layers.numpy_1x()
    assert np.isnan(value)
    assert student.numpy_1x_names == ["numpy.lib.function_base", "np.float_", "np.product", "np.NaN"]


def test_a_caller_owned_dict_is_passed_by_reference(student):
    velocity = student.keep({"W": np.zeros(2), "b": 0.0})
    for _ in range(3):
        student.layers.bump(velocity, "W", 0.5)
    student.layers.bump(velocity, "b", 0.5)
    kept = student.fetch(velocity)
    assert np.array_equal(kept["W"], [-1.75, -1.75]) and kept["b"] == -1.0


def test_torch_is_refused(student):
    with pytest.raises(StudentError, match="'torch' is not allowed"):
        student.layers.use_torch()


def test_forged_reply_breaks_only_the_student(student):
    with pytest.raises(WorkerCrashed, match="invalid reply"):
        student.layers.forge()
    assert student.layers.whoami() is not None  # a fresh worker answers again


def test_sandbox_hides_the_repository_and_the_network(student):
    if not student.sandboxed:
        pytest.skip("isolation of files and network needs bubblewrap")
    secret = REPO / "data" / "mnist" / "README.md"
    assert secret.is_file()
    with pytest.raises(StudentError, match="FileNotFoundError"):
        student.layers.read(str(secret))
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with pytest.raises(StudentError, match="ConnectionRefusedError|OSError"):
            student.layers.connect(server.getsockname()[1])
    if os.geteuid() == 0:
        assert UID_BASE <= student.layers.whoami() < UID_BASE + UID_SLOTS


def _worker_pids(top: int) -> list[int]:
    """The processes under `top` (itself included) that run the worker script itself, not bwrap."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            children.setdefault(int(stat.read_text().rsplit(")", 1)[1].split()[1]), []).append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    tree, frontier = [top], [top]
    while frontier:
        found = children.get(frontier.pop(), [])
        tree += found
        frontier += found
    argv = {}
    for pid in tree:
        try:
            argv[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:  # it ended between listing and reading
            continue
    return [pid for pid, args in argv.items()
            if args[0] == os.fsencode(sys.executable) and any(a.endswith(b"_grader_worker.py") for a in args)]


def test_worker_is_an_unprivileged_user_on_the_host(student):
    """Seen from the parent, not from inside a user namespace: a uid/gid of its own, no groups, no capabilities."""
    if os.geteuid() != 0:
        pytest.skip("the worker switches to a uid of its own only when the grader runs as root")
    uid = student.layers.whoami()
    assert UID_BASE <= uid < UID_BASE + UID_SLOTS
    [pid] = _worker_pids(student._worker.proc.pid)
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    assert status["Uid"].split() == [str(uid)] * 4 and status["Gid"].split() == [str(uid)] * 4
    assert status["Groups"].split() == []
    assert int(status["CapEff"], 16) == int(status["CapPrm"], 16) == 0
    assert student.layers.read("layers.py").startswith("\nimport os")  # its copy stays readable


def test_npy_reader_refuses_pickled_objects():
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(protocol.ProtocolError):
        protocol.npy_to_array(buf.getvalue())


@pytest.mark.skipif(not (os.environ.get("CI") and shutil.which("bwrap")),
                    reason="only CI promises a working bubblewrap")
def test_bubblewrap_works_in_ci():
    """CI installs bubblewrap so the sandbox is exercised for real: a silent fallback there would
    skip the hostile corpus, so say it loudly instead."""
    assert bwrap_works(), "bwrap is installed but the sandbox's numpy probe fails under it"


OTHER = """
import os
def overwrite(path):
    with open(path, "w") as f:
        f.write("def f():\\n    return 'forged'\\n")
    return "wrote"
def f():
    return "mine"
def uid():
    return os.getuid()
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="uid separation needs a root grader")
@pytest.mark.parametrize("sandbox", [pytest.param(True, id="bwrap", marks=pytest.mark.skipif(not bwrap_works(), reason="no bwrap")),
                                     pytest.param(False, id="fallback")])
def test_two_workers_cannot_touch_each_others_copy(tmp_path, sandbox):
    """Concurrent submissions run as different uids in private folders: one cannot overwrite the
    other's copy, not even knowing its path."""
    boxes = []
    for name in ("a", "b"):
        codes = tmp_path / name / "codes"
        codes.mkdir(parents=True)
        (codes / "layers.py").write_text(OTHER)
        box = Sandbox(codes, None, ["layers"], LIMITS, sandbox=sandbox)
        boxes.append(StudentProxy(box, LIMITS, ["layers"]))
    a, b = boxes
    try:
        assert b.layers.f() == "mine"
        target = b._sandbox.workdir / "sub" / "layers.py"
        with pytest.raises(StudentError, match="PermissionError|FileNotFoundError"):
            a.layers.overwrite(str(target))
        assert a.layers.uid() != b.layers.uid()
        b.restart()
        assert b.layers.f() == "mine"
    finally:
        for proxy in boxes:
            proxy.close()


def test_a_killed_grading_process_takes_its_worker_with_it(tmp_path):
    """SIGKILL of the grading process: the worker dies with it (parent-death signal or bubblewrap's
    --die-with-parent), however it was stuck."""
    codes = tmp_path / "codes"
    codes.mkdir()
    token = f"stuck-{os.getpid()}"
    (codes / "layers.py").write_text(f"def spin():\n    while True:\n        pass  # {token}\n")
    script = tmp_path / "grader.py"
    script.write_text(f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from pathlib import Path
from grader.assignment import Limits
from grader.proxy import StudentProxy
from grader.sandbox import Sandbox
limits = Limits(call_timeout_s=600)
proxy = StudentProxy(Sandbox(Path({str(codes)!r}), None, ["layers"], limits, sandbox={bwrap_works()}), limits, ["layers"])
print(proxy.layers.spin())
""")
    import subprocess
    import time
    proc = subprocess.Popen([sys.executable, str(script)])
    deadline = time.monotonic() + 60
    while not _worker_pids(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling for the worker to exist, not timing anything
    workers = _worker_pids(proc.pid)
    assert workers
    proc.kill()
    proc.wait()
    while any(Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[1][:3]
              for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()
                and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[1][:3]]
