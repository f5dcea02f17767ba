"""The sandboxed worker: the only code that ever imports the student's modules.

Run as a standalone script (`python -s -P _grader_worker.py --in FD --out FD ...`) from a private
runtime folder holding copies of this file, confine.py, protocol.py and the assignment's tasks.py. It needs
only the stdlib and numpy, so the sandbox can hide everything else (the grader, the reference,
the hidden tests, the labels). It answers one request at a time; objects the student creates stay
here and are named by integer handles. Nothing it says is trusted: the parent re-validates every
reply and scores against the reference itself.
"""
from __future__ import annotations

import argparse
import errno
import importlib
import importlib.util
import inspect
import os
import random
import runpy
import socket
import sys
import traceback
import warnings

MAX_WARNINGS = 20
MAX_MESSAGE_CHARS = 2000


class _ImportFailure(Exception):
    """A student module failed to import; wraps the original so the reply says kind=import."""


class Server:
    """Serves requests from the parent until its pipe closes."""

    def __init__(self, protocol, rfd: int, wfd: int, codes: str, modules: list[str], tasks: str | None,
                 max_output_bytes: int, max_reply_bytes: int, no_network: bool = False,
                 compat_used: list | None = None, shown: str = ""):
        self.p = protocol
        self.shown = shown  # how messages name the code folder: "codes/" (codes/layers.py line 3), or ""
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
        self.compat_used = compat_used if compat_used is not None else []
        self._compat_reported = 0

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
        if len(self.compat_used) > self._compat_reported:  # numpy 1.x names aliased since the last reply
            reply["notes"] = list(dict.fromkeys(self.compat_used[self._compat_reported:]))[:MAX_WARNINGS]
            self._compat_reported = len(self.compat_used)
        return reply, encoder.blobs

    def op_ping(self, request, decoder):
        return None

    def op_import(self, request, decoder):
        self._resolve(request["target"])

    def op_get(self, request, decoder):
        return self._resolve(request["target"])

    def op_set(self, request, decoder):
        """obj.name = value, written into the array obj.name already holds when the shapes match:
        a student may keep other references to it (a list of parameters), as the hand-out's
        in-place updates do."""
        target = dict(request["target"], path=request["target"]["path"][:-1])
        obj, name = self._resolve(target), request["target"]["path"][-1]
        value = decoder.decode(request["value"])
        current = getattr(obj, name, None)
        if (type(current) is _np().ndarray and type(value) is _np().ndarray and current.shape == value.shape
                and current.flags.writeable and current.dtype.kind == "f"):
            _np().copyto(current, value, casting="unsafe")
        else:
            setattr(obj, name, value)

    def op_call(self, request, decoder):
        fn = self._resolve(request["target"])
        return fn(*decoder.decode(request["args"]), **decoder.decode(request["kwargs"]))

    def op_run(self, request, decoder):
        """Run a student's script top to bottom as __main__ (argv given), in their folder; return
        how it ended and the files it wrote there, as plain data (printed text goes back as every
        reply's output)."""
        path = os.path.join(self.codes, request["path"])
        if not os.path.realpath(path).startswith(self.codes + os.sep) or not os.path.isfile(path):
            raise _ImportFailure() from FileNotFoundError(f"{request['path']} is missing")
        before = _snapshot(self.codes)
        saved_argv, status, error = sys.argv, 0, None
        sys.argv = [request["path"], *decoder.decode(request["argv"])]
        try:
            runpy.run_path(path, run_name="__main__")
        except SystemExit as e:  # sys.exit(n) ends a script; it is not an error
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException as e:
            status, error = 1, self._error_record(e)
        finally:
            sys.argv = saved_argv
        return {"status": status, "error": error, "files": _written(self.codes, before, self.max_reply_bytes // 4)}

    def op_keep(self, request, decoder):
        """A value made here and passed by reference from now on (a caller-owned dict the
        student's code updates in place)."""
        return _Kept(decoder.decode(request["value"]))

    def op_fetch(self, request, decoder):
        """The current value of a kept object, as plain data."""
        return self._lookup(request["target"]["handle"])

    def op_task(self, request, decoder):
        if self._tasks is None:
            self._tasks = _load_tasks(self.tasks_file)
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
                raise _ImportFailure() from FileNotFoundError(f"{self.shown}{name}.py is missing")
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
        text = "".join(traceback.format_list(frames)).replace(self.codes + os.sep, self.shown)
        message = _safe_str(e)
        if self.no_network and _is_network_error(e):
            message = f"network is unavailable to submissions ({message})"
        return {"kind": kind, "type": type(e).__name__, "message": message[:MAX_MESSAGE_CHARS],
                "where": where, "traceback": text[-20_000:]}

    def _is_student(self, filename: str) -> bool:
        return os.path.isabs(filename) and os.path.realpath(filename).startswith(self.codes + os.sep)

    def _show(self, filename: str) -> str:
        return self.shown + os.path.relpath(os.path.realpath(filename), self.codes)

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


MAX_WRITTEN_FILES = 200


def _snapshot(folder: str) -> dict[str, tuple[int, int]]:
    """Regular files under folder -> (size, mtime_ns), to tell what a script wrote."""
    found = {}
    for dirpath, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path, follow_symlinks=False)
            except OSError:
                continue
            found[os.path.relpath(path, folder)] = (st.st_size, st.st_mtime_ns)
    return found


def _written(folder: str, before: dict, max_bytes: int) -> dict:
    """Files new or changed since `before`, name -> bytes as a uint8 array (at most max_bytes in all)."""
    import numpy as np

    files, total = {}, 0
    for name, stamp in sorted(_snapshot(folder).items()):
        if before.get(name) == stamp or len(files) >= MAX_WRITTEN_FILES or total + stamp[0] > max_bytes:
            continue
        try:
            with open(os.path.join(folder, name), "rb") as f:
                data = f.read(stamp[0] + 1)
        except OSError:
            continue
        files[name] = np.frombuffer(data, dtype=np.uint8).copy()
        total += len(data)
    return files


class _Kept:
    """Wraps a value so the reply names it by handle instead of copying it."""

    def __init__(self, value):
        self.value = value


def _load_tasks(path: str):
    """The assignment's tasks (a .py file or a package folder), with grader_tasklib importable."""
    here = os.path.dirname(os.path.abspath(__file__))
    if "grader_tasklib" not in sys.modules:
        spec = importlib.util.spec_from_file_location("grader_tasklib", os.path.join(here, "grader_tasklib.py"))
        sys.modules["grader_tasklib"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules["grader_tasklib"])
    if os.path.isdir(path):
        spec = importlib.util.spec_from_file_location("_grader_tasks", os.path.join(path, "__init__.py"),
                                                      submodule_search_locations=[path])
    else:
        spec = importlib.util.spec_from_file_location("_grader_tasks", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["_grader_tasks"] = module  # so a package's own submodules import
    spec.loader.exec_module(module)
    return module


_NETWORK_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.ECONNREFUSED,
                   errno.EADDRNOTAVAIL}


def _is_network_error(e: BaseException) -> bool:
    """What connecting looks like in a sandbox with no network: only a loopback nobody listens on
    (bubblewrap), or socket() refused by the seccomp filter (the fallback)."""
    if isinstance(e, socket.gaierror) or (isinstance(e, OSError) and e.errno in _NETWORK_ERRNOS):
        return True
    frames = traceback.extract_tb(e.__traceback__)
    return (isinstance(e, PermissionError) and e.errno == errno.EPERM and bool(frames)
            and os.path.basename(frames[-1].filename) == "socket.py")


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
            if a.dtype.kind == "f":  # the precision stays visible: float32 needs larger steps
                return a.astype(np.float32 if a.dtype.itemsize <= 4 else np.float64)
            if a.dtype == np.uint8:  # bytes (pixels, a file's contents) stay bytes
                return a
            kind = {"i": np.int64, "u": np.int64, "c": np.complex128}.get(a.dtype.kind)
            return a.astype(kind) if kind else a

        def other(self, value, depth):
            if isinstance(value, _Kept):
                return {"$ref": self.server.keep(value.value), "type": type(value.value).__name__}
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


def _readable(runtime: str, extra: str) -> list[str]:
    """What the worker may read under Landlock: its runtime, the standard library, the packages
    it may import (extra), and the system's libraries."""
    import sysconfig

    paths = [runtime, sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib"),
             os.path.join(sysconfig.get_path("platstdlib"), "lib-dynload"), "/usr", "/lib", "/lib64",
             "/etc/ld.so.cache", "/etc/localtime", "/dev/urandom"]
    return paths + [p for p in extra.split(os.pathsep) if p]


def _np():
    import numpy

    return numpy


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
    parser.add_argument("--refused", default="", help="comma-separated top-level packages refused at import")
    parser.add_argument("--no-network", action="store_true", help="the sandbox has no network")
    parser.add_argument("--shown", default="", help="how messages name the code folder, e.g. codes/")
    parser.add_argument("--drop-to", type=int, default=None,
                        help="uid and gid to become once the runtime is loaded (started as root)")
    parser.add_argument("--parent-pid", type=int, default=0,
                        help="the grading process: die with it (0: the parent is bubblewrap, which dies with it)")
    parser.add_argument("--landlock", default=None,
                        help="confine files, TCP and signals with Landlock (no bubblewrap): the extra "
                             "readable folders, os.pathsep-separated")
    args = parser.parse_args(argv)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    import _grader_confine as confine  # stdlib only; both copied beside this file, trusted
    rfd = confine.hide_fd(args.__dict__["in"], args.max_open_files)
    wfd = confine.hide_fd(args.out, args.max_open_files)
    confine.set_limits(args)
    import _grader_protocol as protocol  # stdlib + numpy only; imported before any student code
    import _grader_landlock as landlock
    sys.path.remove(here)
    import numpy as np
    rules = None
    if args.landlock is not None:  # opened now: they may sit where the dropped uid cannot walk
        rules = landlock.open_paths(_readable(here, args.landlock), [args.codes, os.environ.get("TMPDIR", ""), os.devnull])
    if args.drop_to is not None:
        confine.preload()
        confine.drop_privileges(args.drop_to)
    confine.die_with_parent(args.parent_pid)
    confine.deny_new_processes(no_inet=args.landlock is not None)
    if rules is not None:
        landlock.restrict(rules)
    _ResultEncoder = _make_result_encoder(protocol)
    sys.meta_path.insert(0, confine.FrameworkRefuser(filter(None, args.refused.split(","))))
    compat_used: list = []
    confine.numpy_compat(compat_used)
    random.seed(0)
    np.random.seed(0)
    sys.path.insert(0, os.path.realpath(args.codes))
    os.chdir(args.codes)
    Server(protocol, rfd, wfd, args.codes, args.modules.split(","), args.tasks,
           args.max_output_bytes, args.max_reply_bytes, args.no_network, compat_used, args.shown).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
