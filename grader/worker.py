"""The sandboxed worker: the only code that ever imports the student's modules.

Run as a standalone script (`python -s -P _grader_worker.py --in FD --out FD ...`) from a private
runtime folder holding copies of this file, protocol.py and the assignment's tasks.py. It needs
only the stdlib and numpy, so the sandbox can hide everything else (the grader, the reference,
the hidden tests, the labels). It answers one request at a time; objects the student creates stay
here and are named by integer handles. Nothing it says is trusted: the parent re-validates every
reply and scores against the reference itself.
"""
from __future__ import annotations

import argparse
import ctypes
import errno
import fcntl
import importlib
import importlib.util
import inspect
import os
import platform
import random
import resource
import signal
import socket
import struct
import sys
import traceback
import warnings

# The deep-learning frameworks the homework forbids; refused at import so a submission that leans
# on one fails loudly instead of quietly passing.
REFUSED_PACKAGES = frozenset({
    "torch", "torchvision", "tensorflow", "keras", "jax", "jaxlib", "flax", "sklearn", "mxnet",
    "paddle", "theano", "chainer", "cupy", "caffe", "caffe2", "lasagne", "tinygrad", "mindspore",
    "oneflow", "onnxruntime",
})
MAX_WARNINGS = 20
MAX_MESSAGE_CHARS = 2000


class FrameworkRefuser:
    """A meta path finder that refuses deep-learning frameworks before any other finder runs."""

    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in REFUSED_PACKAGES:
            raise ImportError(f"'{top}' is not allowed in this assignment: implement it with numpy")
        return None


class _ImportFailure(Exception):
    """A student module failed to import; wraps the original so the reply says kind=import."""


def set_limits(args) -> None:
    """Hard limits (soft = hard) so student code cannot raise them again."""
    mb = 2**20
    for res, value in ((resource.RLIMIT_AS, args.memory_mb * mb), (resource.RLIMIT_CPU, args.cpu_s),
                       (resource.RLIMIT_FSIZE, args.max_file_mb * mb),
                       (resource.RLIMIT_NOFILE, args.max_open_files),
                       (resource.RLIMIT_NPROC, args.max_processes), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(res, (value, value))
    # Past the file-size limit a write should fail with EFBIG, not kill the worker.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


# What a submission may import after the worker dropped to uid 65534, imported while it still can
# (see preload): the stdlib modules homework code uses, and numpy's lazily loaded subpackages.
PRELOAD = ("__future__", "abc", "argparse", "bisect", "collections", "contextlib", "copy", "csv",
           "dataclasses", "datetime", "encodings.idna", "enum", "functools", "gzip", "hashlib",
           "heapq", "io", "itertools", "json", "logging", "math", "numbers", "operator", "pathlib",
           "pickle", "re", "statistics", "string", "struct", "tempfile", "textwrap", "time", "typing",
           "numpy.fft", "numpy.lib.stride_tricks", "numpy.linalg", "numpy.ma", "numpy.polynomial",
           "numpy.random", "numpy.testing")


def _others_can_enter(path: str) -> bool:
    """Whether an unprivileged user (neither owner nor in the group) can traverse every folder
    down to `path`."""
    path = os.path.realpath(path)
    while True:
        if not os.stat(path).st_mode & 0o001:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


def preload(modules=PRELOAD) -> None:
    """Import `modules` now when the interpreter lives where uid 65534 cannot read it (pyenv
    under a mode-700 /root, without bubblewrap): after the drop, an import from there would fail.
    Under bubblewrap the bound folders are traversable and nothing is imported ahead."""
    import numpy

    if all(_others_can_enter(os.path.dirname(m.__file__)) for m in (os, numpy)):
        return
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def drop_privileges(uid: int) -> None:
    """Become uid/gid `uid` for good, before any student import: no supplementary groups, and
    real, effective and saved ids all changed, so the kernel clears every capability and there is
    no way back to root."""
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid) or os.getgroups():
        raise SystemExit(f"worker: could not switch to uid {uid}")


# Syscall numbers that create processes, per machine; clone is allowed for threads only.
_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_CLONE, _CLONE3 = {"x86_64": 56, "aarch64": 220}, 435
_FORKS = {"x86_64": (57, 58), "aarch64": ()}  # fork, vfork
_CLONE_THREAD = 0x00010000


def deny_new_processes() -> bool:
    """Install a seccomp filter: fork, vfork and clone without CLONE_THREAD fail with EPERM.

    RLIMIT_NPROC alone cannot stop a fork bomb: it counts every process of the uid (all the
    workers of a batch, the grader's own processes when it is not root) and does not hold for
    root at all. Best effort: False where seccomp is unavailable (another machine type, an old
    kernel)."""
    machine = platform.machine()
    if machine not in _AUDIT_ARCH:
        return False
    deny, allow = 0x00050000 | errno.EPERM, 0x7FFF0000  # SECCOMP_RET_ERRNO | EPERM, RET_ALLOW

    def op(code, k, jt=0, jf=0):
        return struct.pack("HBBI", code, jt, jf, k)

    def when(nr, ret):  # if nr == syscall: return ret
        return op(0x15, nr, 0, 1) + op(0x06, ret)

    program = (op(0x20, 4) + op(0x15, _AUDIT_ARCH[machine], 1, 0) + op(0x06, deny)  # another ABI
               + op(0x20, 0) + op(0x35, 0x40000000, 0, 1) + op(0x06, deny)  # x32 numbers
               + when(_CLONE3, 0x00050000 | errno.ENOSYS)  # flags out of reach: libc falls back to clone
               + b"".join(when(nr, deny) for nr in _FORKS[machine])
               + op(0x15, _CLONE[machine], 1, 0) + op(0x06, allow)
               + op(0x20, 16) + op(0x45, _CLONE_THREAD, 0, 1) + op(0x06, allow) + op(0x06, deny))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    buf = ctypes.create_string_buffer(program, len(program))
    fprog = SockFprog(len(program) // 8, ctypes.addressof(buf))
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
    return (prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS
            and prctl(22, 2, ctypes.addressof(fprog), 0, 0) == 0)  # PR_SET_SECCOMP, MODE_FILTER


def hide_fd(fd: int, max_open_files: int) -> int:
    """Move a protocol fd to a random number above the student's fd range (close-on-exec), so
    prints or a stray os.write(3, ...) cannot reach the channel by accident."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    low = max_open_files + 8
    base = random.SystemRandom().randrange(low, max(low + 1, min(soft, 1024) - 8))
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, base)
    os.close(fd)
    return new


class Server:
    """Serves requests from the parent until its pipe closes."""

    def __init__(self, protocol, rfd: int, wfd: int, codes: str, modules: list[str], tasks: str | None,
                 max_output_bytes: int, max_reply_bytes: int, no_network: bool = False):
        self.p = protocol
        self.no_network = no_network
        self.rfd, self.wfd = rfd, wfd
        self.codes = os.path.realpath(codes)
        self.modules = set(modules)
        self.tasks_file = tasks
        self.max_output_bytes = max_output_bytes
        self.max_reply_bytes = max_reply_bytes
        self.objects: dict[int, object] = {}
        self.handle_of: dict[int, int] = {}  # id(obj) -> handle, so one object keeps one handle
        self._tasks = None

    # --- channel ---------------------------------------------------------------------------
    def _read_exact(self, n: int) -> bytes:
        chunks, left = [], n
        while left:
            chunk = os.read(self.rfd, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _send(self, header: dict, blobs: list[bytes]) -> None:
        data = memoryview(self.p.pack_message(header, blobs))
        while data:
            data = data[os.write(self.wfd, data):]

    def serve(self) -> None:
        self._send({"id": 0, "ok": True, "value": None, "warnings": [], "output": self.drain_output()}, [])
        while True:
            try:
                request, blobs = self.p.read_message(self._read_exact, 1 << 62)
            except EOFError:
                return
            header, out_blobs = self.answer(request, blobs)
            if sum(map(len, out_blobs)) > self.max_reply_bytes:
                header = {"id": header["id"], "ok": False, "warnings": header["warnings"],
                          "output": header["output"],
                          "error": self._error_record(ValueError("the result is too large to return"))}
                out_blobs = []
            self._send(header, out_blobs)

    # --- one request -----------------------------------------------------------------------
    def answer(self, request: dict, blobs: list[bytes]) -> tuple[dict, list[bytes]]:
        for h in request.get("release", ()):
            obj = self.objects.pop(h, None)
            self.handle_of.pop(id(obj), None)
        # A method fetched by `get` goes back as {"$callable"}: the parent calls it by path,
        # which spares a handle per h.forward(x).
        encoder = _ResultEncoder(self, by_path=request.get("op") == "get")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                op = getattr(self, "op_" + request["op"])
                decoder = self.p.Decoder(blobs, ref=self._lookup)
                value = encoder.encode(op(request, decoder))
                reply = {"ok": True, "value": value}
            except BaseException as e:  # the student's code may raise anything, even SystemExit
                encoder.blobs.clear()
                reply = {"ok": False, "error": self._error_record(e)}
        texts = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
        reply.update(id=request["id"], warnings=texts[:MAX_WARNINGS], output=self.drain_output())
        return reply, encoder.blobs

    def op_ping(self, request, decoder):
        return None

    def op_import(self, request, decoder):
        self._resolve(request["target"])

    def op_get(self, request, decoder):
        return self._resolve(request["target"])

    def op_set(self, request, decoder):
        target = dict(request["target"], path=request["target"]["path"][:-1])
        setattr(self._resolve(target), request["target"]["path"][-1], decoder.decode(request["value"]))

    def op_call(self, request, decoder):
        fn = self._resolve(request["target"])
        return fn(*decoder.decode(request["args"]), **decoder.decode(request["kwargs"]))

    def op_task(self, request, decoder):
        if self._tasks is None:
            spec = importlib.util.spec_from_file_location("_grader_tasks", self.tasks_file)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            self._tasks = module
        name = request["name"]
        if name.startswith("_") or not callable(getattr(self._tasks, name, None)):
            raise LookupError(f"tasks.py has no task {name!r}")
        return getattr(self._tasks, name)(**decoder.decode(request["kwargs"]))

    def _resolve(self, target: dict):
        if "module" in target:
            name = target["module"]
            if name not in self.modules:
                raise LookupError(f"{name} is not a student module")
            if not os.path.exists(os.path.join(self.codes, name + ".py")):
                raise _ImportFailure() from FileNotFoundError(f"codes/{name}.py is missing")
            try:
                obj = importlib.import_module(name)
            except BaseException as e:
                raise _ImportFailure() from e
        else:
            obj = self._lookup(target["handle"])
        for attr in target["path"]:
            obj = getattr(obj, attr)
        return obj

    def _lookup(self, handle: int, type_name: str = ""):
        try:
            return self.objects[handle]
        except KeyError:
            raise LookupError(f"object #{handle} no longer exists in the worker") from None

    def keep(self, obj) -> int:
        handle = self.handle_of.get(id(obj))
        if handle is None:
            handle = len(self.objects) + 1
            while handle in self.objects:
                handle += 1
            self.objects[handle] = obj
            self.handle_of[id(obj)] = handle
        return handle

    # --- errors and output -------------------------------------------------------------------
    def _error_record(self, e: BaseException) -> dict:
        kind = "raised"
        if isinstance(e, _ImportFailure):
            kind, e = "import", e.__cause__
        elif isinstance(e, NotImplementedError):
            kind = "not_implemented"
        elif isinstance(e, MemoryError):
            kind = "memory"
        frames = [f for f in traceback.extract_tb(e.__traceback__) if self._is_student(f.filename)]
        where = ""
        if isinstance(e, SyntaxError) and e.filename and self._is_student(e.filename):
            where = f"{self._show(e.filename)} line {e.lineno}"
        elif frames:
            where = f"{self._show(frames[-1].filename)} line {frames[-1].lineno}"
        text = "".join(traceback.format_list(frames)).replace(self.codes + os.sep, "codes/")
        message = _safe_str(e)
        if self.no_network and _is_network_error(e):
            message = f"network is unavailable to submissions ({message})"
        return {"kind": kind, "type": type(e).__name__, "message": message[:MAX_MESSAGE_CHARS],
                "where": where, "traceback": text[-20_000:]}

    def _is_student(self, filename: str) -> bool:
        return os.path.isabs(filename) and os.path.realpath(filename).startswith(self.codes + os.sep)

    def _show(self, filename: str) -> str:
        return "codes/" + os.path.relpath(os.path.realpath(filename), self.codes)

    def drain_output(self) -> str:
        """Return (capped) what the student printed since the last call, then empty the file.
        fds 1 and 2 share one open file, so rewinding here rewinds the student's writes too."""
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # the student may have closed or replaced the stream
                pass
        try:
            size = os.fstat(1).st_size
            if size == 0:  # the common case; ftruncate on every call costs milliseconds
                return ""
            os.lseek(1, 0, os.SEEK_SET)
            data = os.pread(1, min(size, self.max_output_bytes), 0)
            os.ftruncate(1, 0)
        except OSError:
            return ""
        text = data.decode("utf-8", "replace")
        if size > self.max_output_bytes:
            text += f"\n[... {size - self.max_output_bytes} more bytes of output dropped]"
        return text


_NETWORK_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.ECONNREFUSED,
                   errno.EADDRNOTAVAIL}


def _is_network_error(e: BaseException) -> bool:
    """What connecting looks like in a sandbox with no network (only a loopback nobody listens on)."""
    return isinstance(e, socket.gaierror) or (isinstance(e, OSError) and e.errno in _NETWORK_ERRNOS)


def _safe_str(e: BaseException) -> str:
    try:
        return str(e)
    except Exception:  # a student exception whose __str__ raises
        return "<unprintable>"


def _make_result_encoder(protocol):
    import numpy as np

    class ResultEncoder(protocol.Encoder):
        """Plain data as is; arrays normalised to base float64/int64/bool; objects -> handles."""

        def __init__(self, server, by_path: bool):
            super().__init__()
            self.server = server
            self.by_path = by_path

        def plain_array(self, a):
            if a.dtype.kind not in protocol.ARRAY_KINDS or a.dtype.fields is not None:
                return None
            a = np.array(a, copy=True, subok=False)  # drops subclasses (matrix, masked...)
            kind = {"f": np.float64, "i": np.int64, "u": np.int64, "c": np.complex128}.get(a.dtype.kind)
            return a.astype(kind) if kind else a

        def other(self, value, depth):
            if isinstance(value, np.generic) and value.dtype.kind in "biuf":
                return self.encode(value.item(), depth)
            for base in (bool, int, float, str):  # subclasses (IntEnum...) travel as their base
                if isinstance(value, base):
                    return self.encode(base(value), depth)
            if isinstance(value, (np.ndarray, np.generic, set, frozenset, bytes, bytearray, complex)):
                return {"$foreign": type(value).__name__, "repr": _safe_repr(value)}
            if self.by_path and depth == 0 and (inspect.isroutine(value) or isinstance(value, type)):
                return {"$callable": str(getattr(value, "__qualname__", type(value).__name__))}
            return {"$ref": self.server.keep(value), "type": type(value).__name__}

    return ResultEncoder


def _safe_repr(value) -> str:
    try:
        return repr(value)[:500]
    except Exception:
        return f"<{type(value).__name__}>"


_ResultEncoder = None


def main(argv: list[str] | None = None) -> int:
    global _ResultEncoder
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("in", "out", "memory-mb", "cpu-s", "max-file-mb", "max-open-files",
                 "max-processes", "max-output-bytes", "max-reply-bytes"):
        parser.add_argument("--" + name, type=int, required=True)
    parser.add_argument("--codes", required=True)
    parser.add_argument("--modules", required=True, help="comma-separated importable module names")
    parser.add_argument("--tasks", default=None)
    parser.add_argument("--no-network", action="store_true", help="the sandbox has no network")
    parser.add_argument("--drop-to", type=int, default=None,
                        help="uid and gid to become once the runtime is loaded (started as root)")
    args = parser.parse_args(argv)
    rfd, wfd = hide_fd(args.__dict__["in"], args.max_open_files), hide_fd(args.out, args.max_open_files)
    set_limits(args)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    import _grader_protocol as protocol  # stdlib + numpy only; imported before any student code
    sys.path.remove(here)
    import numpy as np
    if args.drop_to is not None:
        preload()
        drop_privileges(args.drop_to)
    deny_new_processes()
    _ResultEncoder = _make_result_encoder(protocol)
    sys.meta_path.insert(0, FrameworkRefuser())
    random.seed(0)
    np.random.seed(0)
    sys.path.insert(0, os.path.realpath(args.codes))
    os.chdir(args.codes)
    Server(protocol, rfd, wfd, args.codes, args.modules.split(","), args.tasks,
           args.max_output_bytes, args.max_reply_bytes, args.no_network).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
