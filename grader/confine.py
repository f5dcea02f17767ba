"""What the worker does to itself before any student code runs: rlimits, refusing deep-learning
frameworks at import, dropping to an unprivileged user, a seccomp filter against new processes,
and moving the protocol's file descriptors out of the student's way.

Copied next to worker.py into the sandbox's runtime folder (stdlib only, numpy imported lazily),
so, like protocol.py, it must not import anything from grader.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import importlib
import os
import platform
import random
import resource
import signal
import struct
import sys

class FrameworkRefuser:
    """A meta path finder that refuses the assignment's forbidden packages (deep-learning
    frameworks, by default) before any other finder runs, so a submission that leans on one
    fails loudly instead of quietly passing."""

    def __init__(self, refused):
        self.refused = frozenset(refused)

    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in self.refused:
            raise ImportError(f"'{top}' is not allowed in this assignment: implement it with numpy")
        return None


def set_limits(args) -> None:
    """Hard limits (soft = hard) so student code cannot raise them again."""
    mb = 2**20
    for res, value in ((resource.RLIMIT_AS, args.memory_mb * mb), (resource.RLIMIT_CPU, args.cpu_s),
                       (resource.RLIMIT_FSIZE, args.max_file_mb * mb),
                       (resource.RLIMIT_NOFILE, args.max_open_files),
                       (resource.RLIMIT_NPROC, args.max_processes), (resource.RLIMIT_CORE, 0),
                       (resource.RLIMIT_MSGQUEUE, 0)):
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
    """Keep the interpreter importable after the drop when it lives where uid 65534 cannot
    traverse (pyenv under a mode-700 /root, without bubblewrap): every sys.path folder behind such
    a parent is opened now and replaced by /proc/self/fd/N, which resolves without walking the
    parents, so any standard-library module still imports later; packages already imported keep
    their own paths, so their lazily loaded parts (`modules`) are imported ahead.
    Under bubblewrap the bound folders are traversable and nothing changes."""
    import numpy

    if all(_others_can_enter(os.path.dirname(m.__file__)) for m in (os, numpy)):
        return
    for i, entry in enumerate(sys.path):
        if os.path.isdir(entry) and not _others_can_enter(entry):
            sys.path[i] = f"/proc/self/fd/{os.open(entry, os.O_RDONLY | os.O_DIRECTORY)}"
    sys.path_importer_cache.clear()
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


# Syscall numbers per machine: those that create processes (clone is allowed for threads only),
# memory the address-space limit does not see, and socket().
_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_CLONE, _CLONE3 = {"x86_64": 56, "aarch64": 220}, 435
_FORKS = {"x86_64": (57, 58), "aarch64": ()}  # fork, vfork
_UNSEEN_MEMORY = {"x86_64": (319, 29, 447), "aarch64": (279, 194, 447)}  # memfd_create, shmget, memfd_secret
_SOCKET = {"x86_64": 41, "aarch64": 198}
_INET_FAMILIES = (1, 2, 10, 16, 17)  # AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, AF_PACKET
_CLONE_THREAD = 0x00010000


def deny_new_processes(no_inet: bool = False) -> bool:
    """Install a seccomp filter: fork, vfork and clone without CLONE_THREAD fail with EPERM, and
    so do memfd_create, memfd_secret and shmget (file-backed memory RLIMIT_AS does not count: a
    memfd held 3 GiB under a 2 GiB limit); with no_inet, so does socket() for IP and packet
    families (the fallback has no network namespace).

    RLIMIT_NPROC alone cannot stop a fork bomb: it counts every process of the uid and does not
    hold for root at all. Best effort: False where seccomp is unavailable (another machine type,
    an old kernel)."""
    machine = platform.machine()
    if machine not in _AUDIT_ARCH:
        return False
    deny, allow = 0x00050000 | errno.EPERM, 0x7FFF0000  # SECCOMP_RET_ERRNO | EPERM, RET_ALLOW

    def op(code, k, jt=0, jf=0):
        return struct.pack("HBBI", code, jt, jf, k)

    def when(nr, ret):  # if nr == syscall: return ret
        return op(0x15, nr, 0, 1) + op(0x06, ret)

    sockets = b""
    if no_inet:  # if nr == socket: deny the families, allow the rest (args[0] at offset 16)
        families = b"".join(op(0x15, family, 0, 1) + op(0x06, deny) for family in _INET_FAMILIES)
        sockets = (op(0x15, _SOCKET[machine], 0, 2 + 2 * len(_INET_FAMILIES)) + op(0x20, 16) + families
                   + op(0x06, allow) + op(0x20, 0))
    program = (op(0x20, 4) + op(0x15, _AUDIT_ARCH[machine], 1, 0) + op(0x06, deny)  # another ABI
               + op(0x20, 0) + op(0x35, 0x40000000, 0, 1) + op(0x06, deny)  # x32 numbers
               + when(_CLONE3, 0x00050000 | errno.ENOSYS)  # flags out of reach: libc falls back to clone
               + b"".join(when(nr, deny) for nr in _FORKS[machine] + _UNSEEN_MEMORY[machine])
               + sockets
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


def die_with_parent(parent_pid: int) -> None:
    """SIGKILL this worker when its parent dies, however it dies (set after the uid change, which
    clears it); if the grading process (parent_pid, 0 when the parent is bubblewrap) is already
    gone, exit now."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if parent_pid and os.getppid() != parent_pid:
        os._exit(1)


def hide_fd(fd: int, max_open_files: int) -> int:
    """Move a protocol fd to a random number above the student's fd range (close-on-exec), so
    prints or a stray os.write(3, ...) cannot reach the channel by accident."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    low = max_open_files + 8
    base = random.SystemRandom().randrange(low, max(low + 1, min(soft, 1024) - 8))
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, base)
    os.close(fd)
    return new


# --- numpy 1.x code on numpy 2 -----------------------------------------------------------------
# Homework written for numpy 1.x keeps working: the names numpy 2 removed or moved are aliased to
# their equivalents, and every one used is reported (the parent turns it into a note).
NUMPY_MOVED_MODULES = ("function_base", "shape_base", "index_tricks", "arraysetops", "nanfunctions",
                       "type_check", "ufunclike", "utils", "twodim_base", "polynomial", "arraypad",
                       "histograms", "arrayterator")
"""numpy.lib.<name> became the private numpy.lib._<name>_impl."""
NUMPY_REMOVED_NAMES = {
    "float": "float", "int": "int", "object": "object", "str": "str", "unicode": "str", "float_": "float64",
    "complex_": "complex128", "unicode_": "str_", "string_": "bytes_", "int0": "intp", "uint0": "uintp",
    "bool8": "bool_", "longfloat": "longdouble", "singlecomplex": "complex64", "longcomplex": "clongdouble",
    "clongfloat": "clongdouble", "NaN": "nan", "Inf": "inf", "PINF": "inf", "infty": "inf", "Infinity": "inf",
    "product": "prod", "cumproduct": "cumprod", "sometrue": "any", "alltrue": "all", "round_": "round",
    "trapz": "trapezoid", "mat": "asmatrix", "rank": "ndim",
}
"""np.<old> -> np.<new> (builtins for the names numpy 1.24 already removed)."""


def numpy_compat(used: list) -> None:
    """Alias numpy 1.x names on numpy 2 and append each one the student uses to `used`."""
    import builtins
    import importlib.abc
    import importlib.util
    import sys

    import numpy

    if int(numpy.__version__.split(".")[0]) < 2:
        return
    special = {"NINF": -numpy.inf, "NZERO": -0.0, "PZERO": 0.0,
               "asfarray": lambda a, dtype=numpy.float64: numpy.asarray(a, dtype=dtype),
               "in1d": lambda a, b, **kw: numpy.isin(a, b, **kw).ravel(),
               "msort": lambda a: numpy.sort(a, axis=0), "asscalar": lambda a: a.item(), "alen": len}
    original = numpy.__getattr__

    def __getattr__(name):
        if name in special or name in NUMPY_REMOVED_NAMES:
            used.append(f"np.{name}")
            if name in special:
                return special[name]
            new = NUMPY_REMOVED_NAMES[name]
            return getattr(builtins, new) if hasattr(builtins, new) and new in ("float", "int", "object", "str") \
                else getattr(numpy, new)
        return original(name)

    numpy.__getattr__ = __getattr__

    class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, name, path=None, target=None):
            if name.startswith("numpy.lib.") and name.rpartition(".")[2] in NUMPY_MOVED_MODULES:
                return importlib.util.spec_from_loader(name, self)
            return None

        def create_module(self, spec):
            used.append(spec.name)
            return importlib.import_module(f"numpy.lib._{spec.name.rpartition('.')[2]}_impl")

        def exec_module(self, module):
            pass

    sys.meta_path.append(_Alias())
