"""The `student` fixture's proxy: the student's modules as seen from the trusted parent.

    student.layers.Linear("fc", 3, 4, 0.1)  -> RemoteObject (lives in the worker)
    h.forward(x), h.W, h.W = arr            -> plain data back (ndarray, float, ..., Foreign)
    student.run_task("train_and_predict", timeout_s=..., **kwargs)

Every call is one request with a wall-clock deadline. A timeout, a crash or a reply that breaks
the schema kills the worker; the next call starts a fresh one (handles from before are dead).
Nothing the worker sends is trusted beyond "this is the student's answer".
"""
from __future__ import annotations

import time
import weakref

import numpy as np
from dataclasses import dataclass

from grader import protocol
from grader.assignment import Limits
from grader.errors import SandboxError
from grader.sandbox import MAX_REPLY_BYTES, STARTUP_TIMEOUT_S, Sandbox, WorkerDied, WorkerTimeout

MAX_WARNING_CHARS = 1000
_REPLY_KEYS = {"id", "ok", "value", "error", "warnings", "output", "notes"}
MAX_COMPAT_NAMES = 50
_ERROR_KINDS = {"raised", "not_implemented", "import", "memory"}


class StudentError(Exception):
    """The student's code raised; `traceback_text` holds only their own frames."""

    def __init__(self, type_name: str, message: str, traceback_text: str = "", where: str = ""):
        super().__init__(f"{type_name}: {message}" + (f" ({where})" if where else ""))
        self.type_name, self.message, self.traceback_text, self.where = type_name, message, traceback_text, where


class NotImplementedByStudent(StudentError):
    """The code still raises NotImplementedError (an unfilled TODO block)."""


class StudentImportError(StudentError):
    """A student module (or one it imports) failed to import; `where` names file and line."""


class StudentTimeout(StudentError):
    def __init__(self, seconds: float, message: str = ""):
        super().__init__("Timeout", message or f"timed out after {seconds:g} s")
        self.seconds = seconds


class WorkerCrashed(StudentError):
    def __init__(self, reason: str):
        super().__init__("WorkerCrashed", reason)
        self.reason = reason


@dataclass(frozen=True)
class ScriptRun:
    """How a student's script ended: exit status, the exception it raised (if any), what it
    printed (capped) and the files it wrote in its folder (name -> bytes)."""

    status: int
    error: "StudentError | None"
    output: str
    files: dict[str, bytes]


@dataclass(frozen=True)
class Foreign:
    """A returned value with no plain-data form (an object array, a set...)."""

    type_name: str
    repr: str


class RemoteObject:
    """An object living in the worker; attribute access and calls go over the pipe."""

    __slots__ = ("_proxy", "_handle", "_generation", "_type_name", "__weakref__")

    def __init__(self, proxy: "StudentProxy", handle: int, generation: int, type_name: str):
        for k, v in (("_proxy", proxy), ("_handle", handle), ("_generation", generation), ("_type_name", type_name)):
            object.__setattr__(self, k, v)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)  # keep copy/pickle/numpy probing local
        return self._proxy._request("get", target=self._target([name]))

    def __setattr__(self, name: str, value) -> None:
        self._proxy._request("set", target=self._target([name]), value=value)

    def __call__(self, *args, **kwargs):
        return self._proxy._request("call", target=self._target([]), args=list(args), kwargs=kwargs)

    def _target(self, path: list[str]) -> dict:
        return {"handle": self._proxy._live_handle(self), "path": path}

    def __repr__(self) -> str:
        return f"<student {self._type_name} #{self._handle}>"

    def __del__(self):
        try:
            self._proxy._release(self)
        except Exception:  # interpreter shutdown
            pass


class RemoteCallable:
    """A function, class or method named by its path from a module or a handle (no handle kept)."""

    def __init__(self, proxy: "StudentProxy", root: dict, path: list[str], owner: RemoteObject | None = None):
        self._proxy, self._root, self._path = proxy, root, path
        self._owner = owner  # keeps the handle of a bound method's object alive

    def __call__(self, *args, **kwargs):
        return self._proxy._request("call", target=self._target(), args=list(args), kwargs=kwargs)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._proxy._request("get", target=dict(self._target(), path=self._path + [name]))

    def _target(self) -> dict:
        if self._owner is not None:
            return {"handle": self._proxy._live_handle(self._owner), "path": self._path}
        return dict(self._root, path=self._path)

    def __repr__(self) -> str:
        return f"<student callable {'.'.join(self._path)}>"


class StudentModule:
    """student.layers: attributes are fetched lazily, so `student.layers.Linear(...)` is one call."""

    def __init__(self, proxy: "StudentProxy", name: str):
        self._proxy, self._name = proxy, name

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return RemoteCallable(self._proxy, {"module": self._name}, [name])

    def __repr__(self) -> str:
        return f"<student module {self._name}>"


class _ArgEncoder(protocol.Encoder):
    def __init__(self, proxy: "StudentProxy"):
        super().__init__()
        self.proxy = proxy

    def other(self, value, depth):
        if isinstance(value, RemoteObject):
            return {"$ref": self.proxy._live_handle(value)}
        if hasattr(value, "dtype") and hasattr(value, "item") and getattr(value, "shape", None) == ():
            return self.encode(value.item(), depth)  # numpy scalars
        raise TypeError(f"cannot send a {type(value).__name__} to the student's code")


class StudentProxy:
    """One submission's worker, started lazily and restarted after a timeout or a crash."""

    def __init__(self, sandbox: Sandbox, limits: Limits, modules: list[str]):
        self._sandbox, self._limits, self._modules = sandbox, limits, set(modules)
        self._worker = None
        self._generation = 0
        self._next_id = 0
        self._remotes: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
        self._pending_release: list[int] = []
        self._broken_imports: dict[str, StudentError] = {}
        self._timed_out: dict[tuple, str] = {}
        """Call targets (module or class, method path) that timed out -> why: a later call of the
        same one fails at once, so a stuck method costs one timeout, not one per test."""
        self._imported_modules: set[str] = set()
        self.last_warnings: list[str] = []
        self.last_output: str = ""
        self.numpy_1x_names: list[str] = []
        """numpy 1.x names the student's code used, aliased by the worker (a note, no points)."""
        self.requests = 0

    def __getattr__(self, name: str) -> StudentModule:
        if name.startswith("_") or name not in self._modules:
            raise AttributeError(f"the student proxy has no module {name!r}")
        return StudentModule(self, name)

    def keep(self, value) -> "RemoteObject":
        """`value` (plain data) made in the worker and passed by reference from now on: a dict or
        list the caller owns and the student's code mutates, read back with fetch()."""
        return self._request("keep", value=value)

    def fetch(self, remote: "RemoteObject"):
        """The current value of an object living in the worker, as plain data."""
        return self._request("fetch", target=remote._target([]))

    def run_script(self, path: str, argv: list[str] | tuple[str, ...] = (), timeout_s: float | None = None) -> "ScriptRun":
        """Run the student's script (or a notebook's module) `path`, relative to their code folder,
        top to bottom as __main__ with `argv`, under a time budget (default: task_timeout_s).
        A script that raises still gives its output and files; a timeout raises StudentTimeout."""
        value = self._request("run", path=path, argv=list(argv), timeout_s=timeout_s or self._limits.task_timeout_s)
        if type(value) is not dict or set(value) != {"status", "error", "files"} or type(value["files"]) is not dict:
            raise WorkerCrashed("worker sent an invalid reply (bad script result)")
        error = value["error"]
        return ScriptRun(status=value["status"] if type(value["status"]) is int else 1,
                         error=self._student_error(error) if error is not None else None,
                         output=self.last_output,
                         files={str(k): bytes(v) for k, v in value["files"].items()
                                if type(v) is np.ndarray and v.dtype == np.uint8 and v.ndim == 1})

    def restart(self) -> None:
        """Forget the worker: the next request starts a fresh one (handles from before are dead)."""
        self._stop_worker()

    def run_task(self, name: str, timeout_s: float | None = None, **kwargs):
        """Run a function of the assignment's tasks.py inside the worker (one request)."""
        return self._request("task", name=name, kwargs=kwargs,
                             timeout_s=timeout_s or self._limits.task_timeout_s)

    def close(self) -> None:
        self._stop_worker()
        self._sandbox.close()

    # --- handles -------------------------------------------------------------------------------
    def _live_handle(self, obj: RemoteObject) -> int:
        if obj._proxy is not self or obj._generation != self._generation:
            raise WorkerCrashed("worker restarted; objects made before it are gone")
        return obj._handle

    def _remote(self, handle: int, type_name: str) -> RemoteObject:
        obj = self._remotes.get(handle)
        if obj is None:
            obj = self._remotes[handle] = RemoteObject(self, handle, self._generation, type_name)
        return obj

    def _release(self, obj: RemoteObject) -> None:
        if obj._generation == self._generation and self._worker is not None:
            self._pending_release.append(obj._handle)

    # --- one request ---------------------------------------------------------------------------
    def _request(self, op: str, *, target: dict | None = None, timeout_s: float | None = None, **fields):
        module = target.get("module") if target else None
        if module in self._broken_imports:
            raise self._broken_imports[module]
        if module and module not in self._imported_modules and op != "import":
            # Import on its own first, so a hang at import time is told apart from a hang in a
            # method, and is not paid again on every later call.
            self._request("import", target={"module": module, "path": []})
        called = self._call_key(op, target)
        if called in self._timed_out:
            raise StudentTimeout(0, f"skipped: timed out earlier ({self._timed_out[called]})")
        worker = self._ensure_worker()
        self._next_id += 1
        self.requests += 1
        encoder = _ArgEncoder(self)
        header = {"id": self._next_id, "op": op, **{k: encoder.encode(v) for k, v in fields.items()}}
        if target is not None:
            header["target"] = target
        header["release"], self._pending_release = self._pending_release, []
        timeout_s = timeout_s or (self._limits.import_timeout_s if op == "import" else self._limits.call_timeout_s)
        deadline = time.monotonic() + timeout_s
        try:
            worker.send(protocol.pack_message(header, encoder.blobs), deadline)
            reply, blobs = protocol.read_message(lambda n: worker.read_exact(n, deadline), MAX_REPLY_BYTES)
            result = self._accept(reply, blobs, target if op == "get" else None)
        except WorkerTimeout:
            result = StudentTimeout(timeout_s)
            if called:
                self._timed_out[called] = f"{'.'.join(called[0:1] + called[1])} timed out after {timeout_s:g} s"
            if op == "import":
                result = StudentTimeout(timeout_s, f"importing {module}.py took longer than {timeout_s:g} s: your module "
                                        "runs code when imported (training?); put it under "
                                        "`if __name__ == '__main__':`")
        except WorkerDied as e:
            result = WorkerCrashed(str(e))
        except (protocol.ProtocolError, ValueError, TypeError, KeyError) as e:
            result = WorkerCrashed(f"worker sent an invalid reply ({e})")
        if isinstance(result, (StudentTimeout, WorkerCrashed)):
            self._stop_worker()
        if op == "import":
            if isinstance(result, StudentError):
                self._broken_imports[module] = result
            else:
                self._imported_modules.add(module)
        if isinstance(result, StudentError):
            raise result
        return result

    def _call_key(self, op: str, target: dict | None) -> tuple | None:
        """(module or class name, method path) of a call, e.g. ("Linear", ("forward",))."""
        if op != "call" or not target:
            return None
        if "handle" in target:
            owner = self._remotes.get(target["handle"])
            return (owner._type_name if owner is not None else "object", tuple(target["path"]))
        return (target.get("module", ""), tuple(target["path"]))

    def _accept(self, reply: dict, blobs: list[bytes], get_target: dict | None):
        """Validate a reply strictly; return the value, or the StudentError to raise."""
        if not set(reply) <= _REPLY_KEYS or reply.get("id") != self._next_id or type(reply.get("ok")) is not bool:
            raise protocol.ProtocolError("reply does not match the request")
        warnings, output = reply.get("warnings", []), reply.get("output", "")
        if type(warnings) is not list or not all(type(w) is str for w in warnings) or type(output) is not str:
            raise protocol.ProtocolError("bad warnings or output")
        self.last_warnings = [protocol.clean_text(w[:MAX_WARNING_CHARS]) for w in warnings[:50]]
        notes = reply.get("notes", [])
        if type(notes) is not list or not all(type(n) is str for n in notes):
            raise protocol.ProtocolError("bad notes")
        for name in notes[:MAX_COMPAT_NAMES]:
            name = protocol.clean_text(name[:100])
            if name not in self.numpy_1x_names and len(self.numpy_1x_names) < MAX_COMPAT_NAMES:
                self.numpy_1x_names.append(name)
        self.last_output = protocol.clean_text(output[: self._limits.max_output_kb * 1024 + 200])
        if not reply["ok"]:
            return self._student_error(reply.get("error"))
        callable_ = None
        if get_target is not None:
            callable_ = lambda name: self._callable_for(get_target)  # noqa: E731
        decoder = protocol.Decoder(blobs, ref=self._remote, callable_=callable_, foreign=Foreign)
        return decoder.decode(reply.get("value"))

    def _callable_for(self, target: dict) -> RemoteCallable:
        if "handle" in target:
            owner = self._remotes.get(target["handle"])
            return RemoteCallable(self, {}, target["path"], owner=owner)
        return RemoteCallable(self, {"module": target["module"]}, target["path"])

    def _student_error(self, err) -> StudentError:
        if type(err) is not dict or err.get("kind") not in _ERROR_KINDS or not all(
                type(err.get(k, "")) is str for k in ("type", "message", "where", "traceback")):
            raise protocol.ProtocolError("bad error record")
        kind = err["kind"]
        args = tuple(protocol.clean_text(text) for text in (
            err.get("type", "Error")[:100], err.get("message", "")[:2000], err.get("traceback", "")[:20_000],
            err.get("where", "")[:300]))
        if kind == "memory":
            self._stop_worker()  # state after a MemoryError is unreliable; start clean
            return WorkerCrashed(f"worker ran out of memory (limit {self._limits.memory_mb} MB)")
        return {"not_implemented": NotImplementedByStudent, "import": StudentImportError}.get(kind, StudentError)(*args)

    # --- worker lifetime -----------------------------------------------------------------------
    def _ensure_worker(self):
        if self._worker is None:
            worker = self._sandbox.start_worker()
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            try:
                hello, _ = protocol.read_message(lambda n: worker.read_exact(n, deadline), 1 << 20)
            except (WorkerTimeout, WorkerDied, protocol.ProtocolError) as e:
                worker.kill()
                raise SandboxError(f"the worker did not start ({e or type(e).__name__}); "
                                   "check that bubblewrap and numpy work on this machine") from None
            if hello.get("id") != 0 or hello.get("ok") is not True:
                worker.kill()
                raise SandboxError("the worker sent a bad greeting")
            self._worker = worker
        return self._worker

    def _stop_worker(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker = None
        self._generation += 1
        self._remotes = weakref.WeakValueDictionary()
        self._pending_release = []
        self._imported_modules = set()
