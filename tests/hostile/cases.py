"""The hostile submissions: each is the reference codes with one file or method replaced.

Sources are text with @NAME@ placeholders (filled in by the test: the token, paths, a port), so
what a case tries is readable here. `expect` says, per hidden test, the status and a fragment of
the student-facing reason; `score` is the exact total the case must get.
"""
from __future__ import annotations

from dataclasses import dataclass, field

FULL = 6.0  # the tiny assignment's total


@dataclass(frozen=True)
class Case:
    sid: str
    edits: dict = field(default_factory=dict)
    """file -> source (see conftest.reference_codes: '+' appends, None deletes)."""
    score: float | None = None
    expect: dict = field(default_factory=dict)
    """test name -> (status, fragment of the reason)."""
    notes: tuple[str, ...] = ()
    cheat: bool = False
    """A cheat on top of WRONG_LINEAR: must score no more than the honest-but-wrong code."""


def method(cls: str, name: str, body: str, args: str = "self, input") -> str:
    """Source appended to a reference file that replaces cls.name."""
    lines = "\n".join("    " + line for line in body.strip("\n").splitlines())
    return f"+import os, sys, numpy as np\ndef _hostile_{name}({args}):\n{lines}\n{cls}.{name} = _hostile_{name}\n"


RELU_OK = "self._saved_for_backward(input)\nreturn np.maximum(0, input)"
WRONG_LINEAR = method("Linear", "forward", "self._saved_for_backward(input)\nreturn input @ self.W")


def relu(body: str) -> dict:
    return {"layers.py": method("Relu", "forward", body)}


def cheat(sid: str, prelude: str, linear_body: str | None = None) -> Case:
    """WRONG_LINEAR plus a cheat: module-level `prelude` and optionally a Linear.forward of its own."""
    source = WRONG_LINEAR if linear_body is None else method("Linear", "forward", linear_body)
    return Case(sid, {"layers.py": "+" + prelude.strip("\n") + "\n" + source[1:]}, cheat=True)


RELU_FAILS = ("test_relu_forward", "test_relu_backward")

# --- broken ------------------------------------------------------------------------------------
BROKEN = [
    Case("honest", {}, FULL, {t: ("passed", "") for t in ("test_relu_forward", "test_linear_backward")}),
    Case("honest_wrong", {"layers.py": WRONG_LINEAR}, 5,
         {"test_linear_forward": ("failed", "Linear.forward should compute u = xW + b")}),
    Case("syntax_error", {"layers.py": "+def broken(:\n    pass\n"}, 1,
         {"test_relu_forward": ("error", "could not import your code: SyntaxError"),
          "test_linear_backward": ("error", "codes/layers.py line")}),
    Case("import_error", {"layers.py": "+import no_such_package_at_all\n"}, 1,
         {"test_linear_forward": ("error", "ModuleNotFoundError: No module named 'no_such_package_at_all'")}),
    Case("missing_file", {"loss.py": None}, 5,
         {"test_softmax_cross_entropy_forward": ("error", "codes/loss.py is missing")},
         notes=("codes/loss.py is missing",)),
    Case("missing_class", {"layers.py": "+del Relu\n"}, 4,
         {"test_relu_forward": ("failed", "your layers.py has no Relu, which the hand-out defines")}),
    Case("wrong_shape", relu("self._saved_for_backward(input)\nreturn np.maximum(0, input).T"), 5,
         {"test_relu_forward": ("failed", "returned shape (3, 4), expected (4, 3)")}),
    Case("returns_none", relu("self._saved_for_backward(input)\nreturn None"), 5,
         {"test_relu_forward": ("failed", "returned NoneType, expected a numpy array")}),
    Case("returns_list", relu("self._saved_for_backward(input)\nreturn np.maximum(0, input).tolist()"), 5,
         {"test_relu_forward": ("failed", "returned list")}),
    Case("returns_scalar", relu("self._saved_for_backward(input)\nreturn float(np.maximum(0, input).sum())"), 5,
         {"test_relu_forward": ("failed", "returned float")}),
    Case("returns_object_array", relu("""
self._saved_for_backward(input)
out = np.empty(input.shape, dtype=object)
out[...] = np.maximum(0, input)
return out"""), 5, {"test_relu_forward": ("failed", "returned Foreign")}),
    Case("ndarray_subclass", relu("""
class Liar(np.ndarray):
    def __eq__(self, other):
        return True
    __ne__ = lambda self, other: False
self._saved_for_backward(input)
return np.zeros_like(input).view(Liar)"""), 5, {"test_relu_forward": ("failed", "Not equal to tolerance")}),
    Case("array_like", relu("""
class Fake:
    shape, dtype = input.shape, np.dtype(float)
    def __array__(self, *args, **kwargs):
        return np.maximum(0, input)
    def __eq__(self, other):
        return True
self._saved_for_backward(input)
return Fake()"""), 5, {"test_relu_forward": ("failed", "returned RemoteObject")}),
    Case("raises_in_forward", relu("raise ValueError('boom')"), 4,
         {"test_relu_forward": ("failed", "your code raised ValueError: boom (codes/layers.py line"),
          "test_relu_backward": ("failed", "ValueError: boom")}),
    Case("slow", {"layers.py": method("Relu", "forward", "while True:\n    pass")
                  + method("Linear", "forward", "while True:\n    pass")[1:]}, 1,
         {t: ("error", "timed out after 2 s") for t in
          ("test_relu_forward", "test_relu_backward", "test_linear_forward", "test_linear_backward")}
         | {"test_softmax_cross_entropy_forward": ("passed", "")}),
]

# --- hostile to the machine --------------------------------------------------------------------
MACHINE = [
    Case("import_loop", {"layers.py": "+while True:\n    pass\n"}, 1,
         {"test_relu_forward": ("error", "importing layers.py took longer than 2 s"),
          "test_linear_backward": ("error", "took longer than 2 s"),
          "test_softmax_cross_entropy_forward": ("passed", "")}),
    Case("memory_bomb", relu("blocks = []\nwhile True:\n    blocks.append(np.empty(2**24))"), 4,
         {"test_relu_forward": ("error", "worker ran out of memory (limit 512 MB)")}),
    Case("fork_bomb", relu("""
import time
forked = 0
for _ in range(200):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(60)', '@TOKEN@'])
    forked += 1
raise RuntimeError(f'forked {forked}')"""), 4, {"test_relu_forward": ("failed", "RuntimeError: forked 0")}),
    Case("big_file", relu("""
with open('big-@TOKEN@.bin', 'wb') as f:
    for _ in range(10 * 1024):  # 10 GB in 1 MB writes
        f.write(bytes(2**20))"""), 4, {"test_relu_forward": ("failed", "File too large")}),
    Case("fill_scratch", relu("""
stored = 0
for folder in ('/tmp', '.', '/dev/shm', '/'):
    for i in range(32):
        try:
            with open(os.path.join(folder, f'fill-@TOKEN@-{i}'), 'wb') as f:
                f.write(bytes(4 * 2**20))
            stored += 4
        except OSError:
            break
raise RuntimeError(f'stored {stored} MB')"""), 4, {"test_relu_forward": ("failed", "RuntimeError: stored ")}),
    Case("memfd_hold", relu("""
try:
    fd = os.memfd_create('@TOKEN@')
    for _ in range(3 * 1024):  # 3 GiB the address-space limit would not see
        os.write(fd, bytes(2**20))
    held = 'held'
except OSError as e:
    held = 'refused (' + type(e).__name__ + ')'
raise RuntimeError(f'memfd {held}')"""), 4, {"test_relu_forward": ("failed", "RuntimeError: memfd refused")}),
    Case("shared_memory", relu("""
from multiprocessing import shared_memory
try:
    block = shared_memory.SharedMemory(name='@TOKEN@', create=True, size=2**30)
    block.buf[:2**20] = bytes(2**20)
    held = 'held'
except OSError as e:
    held = 'refused'
raise RuntimeError(f'shm {held}')"""), 4, {"test_relu_forward": ("failed", "RuntimeError: shm refused")}),
    Case("big_reply", relu("self._saved_for_backward(input)\nreturn np.ones(80 * 2**20, dtype=bool)"), 4,
         {"test_relu_forward": ("failed", "the result is too large to return")}),
    Case("lone_surrogates", relu("""
import warnings
warnings.warn('half a pair \\udcff here')
os.write(1, b'half a character \\xed\\xa0\\x80 printed')
raise ValueError('bad \\udcff text')"""), 4, {"test_relu_forward": ("failed", "your code raised ValueError: bad ? text")}),
    Case("overwrite_others", relu("""
import glob
touched = []
for pattern in ('@TMPDIR@/**/sub/*.py', '/tmp/**/sub/*.py', '/tmp/mlp-grader-*/sub/*.py'):
    for path in glob.glob(pattern, recursive=True):
        if os.path.realpath(path).startswith(os.path.realpath('.') + os.sep):
            continue  # its own copy
        try:
            with open(path, 'a') as f:
                f.write('\\nraise SystemExit(1)  # @TOKEN@\\n')
            touched.append(path)
        except OSError:
            pass
raise RuntimeError(f'touched {touched}')"""), 4, {"test_relu_forward": ("failed", "RuntimeError: touched []")}),
    Case("symlink_then_crash", {"layers.py": method("Relu", "forward", """
# plant links to a file of our choosing, then crash: the restart re-copies and chowns the folder
for name in ('evil-@TOKEN@', 'layers.py.bak'):
    try:
        os.symlink('@CANARY@', name)
    except OSError:
        pass
os._exit(5)""") + method("Linear", "forward", """
for name in ('evil-@TOKEN@', 'layers.py.bak'):
    try:
        os.symlink('@CANARY@', name)
    except OSError:
        pass
self._saved_for_backward(input)
return input @ self.W + self.b""")[1:]}, 4, {"test_relu_forward": ("error", "worker exited with status 5"),
                                                  "test_linear_forward": ("passed", "")}),
    Case("outlive_thread", relu("""
import threading, time
def linger():
    while True:
        time.sleep(0.05)
threading.Thread(target=linger, name='@TOKEN@', daemon=False).start()
sys.stdin.close()
""" + RELU_OK), FULL, {"test_relu_forward": ("passed", "")}),
    Case("escape_sequences", relu("""
raise RuntimeError('\\x1b]52;c;@TOKEN@\\x07\\x1b[2J\\x1b[31mcleared\\x9b2J')"""), 4,
         {"test_relu_forward": ("failed", "RuntimeError:")}),
    Case("network", {"layers.py": method("Relu", "forward", """
import socket
with socket.create_connection(('127.0.0.1', @PORT@), timeout=1) as s:
    s.sendall(b'@TOKEN@')
return np.maximum(0, input)""") + method("Linear", "forward", """
import socket
socket.getaddrinfo('example.com', 80)
return input @ self.W + self.b""")[1:]}, 1,
         {"test_relu_forward": ("failed", "network is unavailable to submissions"),
          "test_linear_forward": ("failed", "network is unavailable to submissions")}),
    Case("read_outside", relu("""
found = []
for path in @SECRETS@:
    try:
        with open(path, 'rb') as f:
            f.read(1)
        found.append(path)
    except OSError:
        pass
for name in ('grader', 'pytest', 'grader.plugin'):
    try:
        __import__(name)
        found.append(name)
    except (ImportError, OSError):  # absent (bubblewrap), or unreadable (Landlock)
        pass
raise RuntimeError(f'read {found}')"""), 4, {"test_relu_forward": ("failed", "RuntimeError: read []")}),
    Case("write_outside", relu("""
wrote = []
for path in @TARGETS@:
    try:
        with open(path, 'a') as f:
            f.write('@TOKEN@')
        wrote.append(path)
    except OSError:
        pass
raise RuntimeError(f'wrote {wrote}')"""), 4, {"test_relu_forward": ("failed", "RuntimeError: wrote []")}),
    Case("kill_others", relu("""
import signal
for pid in [os.getppid(), 1, -1] + list(range(2, 400)):
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
self._saved_for_backward(input)
return np.maximum(0, input)"""), FULL, {"test_relu_forward": ("passed", "")}),
    Case("exits", {"layers.py": method("Relu", "forward", "sys.exit(3)")
                   + method("Linear", "forward", "os._exit(7)")[1:]}, 1,
         {"test_relu_forward": ("failed", "your code raised SystemExit: 3"),
          "test_linear_forward": ("error", "worker exited with status 7")}),
    Case("flood_output", relu("""
for _ in range(64):
    try:
        os.write(1, b'MLPG' * 2**18)
        os.write(2, b'PASSED test_relu_forward\\n' * 40000)
    except OSError:
        break
self._saved_for_backward(input)
return np.maximum(0, input)"""), FULL, {"test_relu_forward": ("passed", "")}),
    Case("chdir", {"layers.py": method("Relu", "forward", "os.chdir('/')\n" + RELU_OK)
                   + method("Linear", "forward", "os.chdir('/tmp')\nself._saved_for_backward(input)\n"
                            "return input @ self.W + self.b")[1:]}, FULL, {"test_linear_forward": ("passed", "")}),
    Case("background", relu("""
import subprocess
for detach in (True, False):
    try:
        subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '@TOKEN@'],
                         start_new_session=detach)
    except OSError:
        pass
try:
    if os.fork() == 0:
        os.setsid()
        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)', '@TOKEN@'])
except OSError:
    pass
""" + RELU_OK), FULL, {"test_relu_forward": ("passed", "")}),
]

# --- hostile to the grade (each on top of an honest-but-wrong Linear.forward) --------------------
GRADE = [
    cheat("forged_big_reply", "", """
import struct
# a reply header promising 512 MiB, written straight into the protocol pipe
header = b'{"id": 1, "ok": true, "value": {"$nd": 0}, "warnings": [], "output": ""}'
for fd in range(3, 1024):
    try:
        if 'pipe' in os.readlink(f'/proc/self/fd/{fd}'):
            os.write(fd, b'MLPG' + struct.pack('<II', len(header), 1) + header + struct.pack('<Q', 512 * 2**20))
    except OSError:
        pass
self._saved_for_backward(input)
return input @ self.W"""),
    cheat("patch_numpy", """
import numpy as np
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
"""),
    cheat("patch_builtins", """
import builtins
try:
    import pytest
    pytest.approx = lambda *a, **k: a[0]
except ImportError:
    pass
builtins.AssertionError = type('Never', (Exception,), {})
builtins.isinstance = lambda obj, cls: True
builtins.abs = lambda x: 0
"""),
    cheat("patch_protocol", """
import json, sys
proto = sys.modules.get('_grader_protocol')
if proto is not None:
    original = proto.pack_message
    def pack_message(header, blobs):
        if not header.get('ok', True):
            header = {'id': header['id'], 'ok': True, 'value': None, 'warnings': [], 'output': ''}
        return original(header, blobs)
    proto.pack_message = pack_message
server = getattr(sys.modules.get('__main__'), 'Server', None)
if server is not None:
    server._error_record = lambda self, e: {'kind': 'raised', 'type': 'X', 'message': 'PASSED',
                                            'where': '', 'traceback': ''}
"""),
    cheat("forge_output", "", """
import json
print('MLPG{"id": 1, "ok": true}')
print('hidden/test_hostile_hidden.py::test_linear_forward PASSED')
print(json.dumps({'score': 6, 'tests': [{'name': 'Linear forward', 'score': 1, 'max_score': 1}]}))
for path in ('@OUT@/@SID@/results.json', 'results.json', '/tmp/results.json'):
    try:
        with open(path, 'w') as f:
            json.dump({'score': 6, 'tests': []}, f)
    except OSError:
        pass
self._saved_for_backward(input)
return input @ self.W"""),
    cheat("detect_grader", "", """
import inspect
graded = (os.environ.get('PYTHONHASHSEED') == '0'
          or any('_grader' in frame.filename for frame in inspect.stack()))
if graded:
    np.allclose = lambda *a, **k: True
    print('test_linear_forward PASSED')
self._saved_for_backward(input)
return input @ self.W if graded else input @ self.W + self.b"""),
    cheat("import_reference", "", """
import importlib.util
errors = []
try:
    spec = importlib.util.spec_from_file_location('ref_layers', '@REFERENCE@/layers.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Linear.forward(self, input)
except Exception as e:
    errors.append(type(e).__name__)
try:
    from grader.plugin import ReferenceModules
    return ReferenceModules(@REFERENCE_PATH@, ['layers']).layers.Linear.forward(self, input)
except Exception as e:
    errors.append(type(e).__name__)
raise RuntimeError(f'reference unavailable: {errors}')"""),
]

ALL = BROKEN + MACHINE + GRADE
