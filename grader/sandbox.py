"""Starting the worker in isolation, and talking to it under a wall-clock deadline.

With bubblewrap the worker sees only /usr, /lib, the Python prefix with numpy as its only
third-party package (read-only), its runtime files (/rt, read-only), the student's files (/sub,
read-only) and two writable tmpfs of SCRATCH_BYTES each (/tmp, and /sub around the files); the
rest of its root and /dev are read-only, so it cannot fill the host's disk or RAM. No network,
its own pid namespace. Without bubblewrap (or with sandbox=False) it runs from a temp copy under
the same rlimits, and the run carries ONE note saying so.
When the grader runs as root (CI, Gradescope) the worker starts as root, so the interpreter loads
even from a mode-700 /root, then becomes uid/gid 65534 itself before any student import (see
confine.drop_privileges): a real unprivileged user on the host, with no capabilities. bubblewrap
then needs no user namespace (which would map that uid back to root outside).
The rlimits themselves are set by the worker before it imports student code (see confine.py).
"""
from __future__ import annotations

import fcntl
import functools
import importlib.util
import os
import random
import select
import shutil
import signal
import site
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.assignment import DEFAULT_REFUSED, Limits, SandboxSpec
from grader.errors import ConfigError, SandboxError

UID_BASE = 1_900_000_000
UID_SLOTS = 1000
"""Workers running as root's grader become uid/gid UID_BASE + a slot no other worker holds (a
lock file per slot), so two submissions never share a uid: neither can touch the other's copy."""
UID_LOCKS = Path("/run/mlp-grader/uids")
STARTUP_TIMEOUT_S = 60.0
"""Python + numpy start in ~0.2 s; this only guards against a wedged machine."""
MAX_REPLY_BYTES = 64 * 2**20
"""One reply's bytes on the pipe (learned weights, a script's files); what it decodes to is bounded
by the same number, and checks compare sizes before converting anything."""
SCRATCH_BYTES = 64 * 2**20
"""Size of each writable tmpfs in the sandbox (/tmp, /sub). tmpfs pages are RAM, and bubblewrap's
default size is half of it, so a submission writing files in a loop would exhaust the host."""
_HERE = Path(__file__).resolve().parent
_F_SETPIPE_SZ = 1031  # Linux; bigger pipes make MNIST-sized arrays cross in few syscalls


class WorkerTimeout(Exception):
    """The worker did not answer before the deadline (it has been killed)."""


class WorkerDied(Exception):
    """The worker's pipe closed or broke; `reason` says why in words a student understands."""


def worker_env(home: str) -> dict[str, str]:
    """A scrubbed environment: nothing of ours leaks in; hashing and BLAS threads are fixed."""
    one = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                            "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")}
    return {"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONIOENCODING": "utf-8", **one}


def package_dirs(packages: tuple[str, ...]) -> list[Path]:
    """The folders (or single-file modules) of numpy and the assignment's extra packages, with
    their bundled native libraries (<name>.libs): what the worker may import from site-packages."""
    found: list[Path] = []
    for name in ("numpy", *packages):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None and not spec.submodule_search_locations:
            raise ConfigError(f"[sandbox] packages names {name!r}, which is not installed here; "
                              f"pip install it or remove it")
        where = Path(spec.submodule_search_locations[0] if spec.submodule_search_locations else spec.origin).resolve()
        found += [where, where.with_name(where.name.split(".")[0] + ".libs")]
    return found


def _python_binds(packages: tuple[str, ...] = ()) -> list[str]:
    """Read-only binds of the Python prefix with every site-packages replaced by numpy and the
    assignment's packages alone."""
    args: list[str] = []
    for prefix in dict.fromkeys((sys.base_prefix, sys.prefix)):
        args += ["--ro-bind", prefix, prefix]
    for sp in site.getsitepackages():
        if Path(sp).is_dir() and any(sp.startswith(p + os.sep) for p in (sys.base_prefix, sys.prefix)):
            args += ["--tmpfs", sp]
    for d in package_dirs(packages):
        args += ["--ro-bind-try", str(d), str(d)]
    return args


def _traversable_parents(binds: list[str]) -> list[str]:
    """Folders bubblewrap would create with mode 0700 above the bound paths (/root for a pyenv
    Python, the clone for a virtual environment inside it), created 0755 first: the worker,
    uid 65534 once it dropped root, must traverse them to import the standard library. They
    hold nothing but the mount points."""
    dests = {binds[i + 2] for i, arg in enumerate(binds) if arg in ("--ro-bind", "--ro-bind-try")}
    parents = {str(p) for d in dests for p in Path(d).parents if str(p) not in ("/", "/tmp")}
    args: list[str] = []
    for folder in sorted(parents, key=lambda p: (p.count("/"), p)):
        args += ["--perms", "0755", "--dir", folder]
    return args


def _scratch(path: str) -> list[str]:
    """A tmpfs anyone may write (sticky, like /tmp): the worker writes there after dropping to 65534."""
    return ["--perms", "1777", "--size", str(SCRATCH_BYTES), "--tmpfs", path]


def _namespaces() -> list[str]:
    """Real root needs no user namespace, and one would make the worker's uid 65534 root outside."""
    if os.geteuid() == 0:
        return ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    return ["--unshare-all"]


def bwrap_command(workdir: Path, packages: tuple[str, ...] = (), data: tuple[Path, ...] = ()) -> list[str]:
    """The bubblewrap prefix; the worker then sees its copy at /sub and its runtime at /rt.

    The copy's files are bound read-only into a small tmpfs, so new files go to RAM we capped,
    not to the host's disk; the assignment's data files are bound read-only beside them; / and
    /dev (bubblewrap's own uncapped tmpfs) are made read-only last."""
    files = []
    for entry in sorted((workdir / "sub").iterdir()):
        files += ["--ro-bind", str(entry), f"/sub/{entry.name}"]
    for path in data:
        files += ["--ro-bind", str(path), f"/sub/{path.name}"]
    # The scratch /tmp comes before the Python binds: a virtual environment under the host's /tmp
    # (CI makes one there) must be bound on top of it, not hidden beneath it.
    python = _python_binds(packages)
    return ["bwrap", *_namespaces(), "--die-with-parent", "--new-session", *_scratch("/tmp"),
            "--ro-bind", "/usr", "/usr", "--ro-bind", "/lib", "/lib", "--ro-bind-try", "/lib64", "/lib64",
            *_traversable_parents(python), *python, "--proc", "/proc", "--dev", "/dev", *_scratch("/sub"),
            *files, "--ro-bind", str(workdir / "rt"), "/rt", "--remount-ro", "/dev", "--remount-ro", "/",
            "--chdir", "/sub"]


@functools.cache
def bwrap_works() -> bool:
    """Try bubblewrap once with a trivial numpy import; the answer holds for the process."""
    if shutil.which("bwrap") is None:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        for d in ("sub", "rt"):
            (Path(tmp) / d).mkdir()
        cmd = bwrap_command(Path(tmp)) + [sys.executable, "-s", "-P", "-c", "import numpy"]
        try:
            return subprocess.run(cmd, capture_output=True, timeout=STARTUP_TIMEOUT_S).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False


def describe_exit(returncode: int, via_bwrap: bool, limits: Limits) -> str:
    """Why the worker died, for a student: bwrap reports a signal as 128 + signo."""
    sig = -returncode if returncode < 0 else returncode - 128 if via_bwrap and returncode > 128 else 0
    if sig == signal.SIGKILL:
        return f"worker killed: memory limit ({limits.memory_mb} MB) or another hard limit"
    if sig == signal.SIGXCPU:
        return f"worker killed: CPU time limit ({limits.cpu_s} s)"
    if sig == signal.SIGSEGV:
        return "worker crashed: segmentation fault"
    if sig:
        return f"worker killed by signal {signal.Signals(sig).name if sig in signal.valid_signals() else sig}"
    return f"worker exited with status {returncode} (os._exit, sys.exit in a thread, or a crash)"


class DiskWatch:
    """Without bubblewrap the worker writes to a folder on the host's disk, not a capped tmpfs:
    the parent measures it while it waits for a reply and stops the worker past the cap (the same
    room bubblewrap gives: two SCRATCH_BYTES, beyond the student's own files)."""

    INTERVAL_S = 0.05

    def __init__(self, folders: list[Path]):
        self.folders = folders
        self.limit = 2 * SCRATCH_BYTES + self.used()
        self.next_check = 0.0

    def used(self) -> int:
        total = 0
        for folder in self.folders:
            for dirpath, _, names in os.walk(folder):
                for name in names:
                    try:
                        total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
                    except OSError:
                        pass
        return total

    def over(self) -> bool:
        now = time.monotonic()
        if now < self.next_check:
            return False
        self.next_check = now + self.INTERVAL_S
        return self.used() > self.limit


class WorkerProcess:
    """One running worker: two pipes (requests in, replies out) on fds hidden from the student,
    stdout and stderr going to a capture file the worker empties after every request."""

    def __init__(self, workdir: Path, modules: list[str], limits: Limits, spec: SandboxSpec, data: tuple[Path, ...],
                 *, use_bwrap: bool, drop_to: int | None, shown: str = ""):
        self.limits = limits
        self.via_bwrap = use_bwrap
        self.disk = None if use_bwrap else DiskWatch([workdir / "sub", workdir / "tmp"])
        req_r, self._req_w = os.pipe()
        self._rep_r, rep_w = os.pipe()
        for fd in (self._req_w, self._rep_r):
            try:
                fcntl.fcntl(fd, _F_SETPIPE_SZ, 1 << 20)
            except OSError:
                pass
            os.set_blocking(fd, False)
        inside = Path("/") if use_bwrap else workdir
        cmd = [sys.executable, "-s", "-P", "-B", str(inside / "rt" / "_grader_worker.py"),
               "--in", str(req_r), "--out", str(rep_w), "--codes", str(inside / "sub"),
               "--modules", ",".join(modules), "--memory-mb", str(limits.memory_mb),
               "--cpu-s", str(limits.cpu_s), "--max-file-mb", str(limits.max_file_mb),
               "--max-open-files", str(limits.max_open_files), "--max-processes", str(limits.max_processes),
               "--max-output-bytes", str(limits.max_output_kb * 1024), "--max-reply-bytes", str(MAX_REPLY_BYTES),
               "--refused", ",".join(spec.refused), "--shown", shown]
        tasks = next((t for t in ("_grader_tasks.py", "_grader_tasks") if (workdir / "rt" / t).exists()), None)
        if tasks:
            cmd += ["--tasks", str(inside / "rt" / tasks)]
        cmd.append("--no-network")  # bubblewrap: a network namespace; the fallback: socket() refused
        if drop_to is not None:
            cmd += ["--drop-to", str(drop_to)]
        if not use_bwrap:  # under bubblewrap its parent is bubblewrap, which dies with us
            cmd += ["--parent-pid", str(os.getpid()),
                    "--landlock", os.pathsep.join(map(str, package_dirs(spec.packages)))]
        home = "/tmp" if use_bwrap else str(workdir / "tmp")
        capture = open(workdir / "output.txt", "w+b")  # noqa: SIM115 (handed to the child)
        try:
            self.proc = subprocess.Popen(
                (bwrap_command(workdir, spec.packages, data) if use_bwrap else []) + cmd, stdin=subprocess.DEVNULL,
                stdout=capture, stderr=capture, pass_fds=(req_r, rep_w), env=worker_env(home),
                cwd=workdir / "sub", start_new_session=True, close_fds=True)
        except OSError as e:
            raise SandboxError(f"could not start the worker ({e}); check the Python installation") from None
        finally:
            capture.close()
            os.close(req_r)
            os.close(rep_w)

    # --- I/O with a deadline -----------------------------------------------------------------
    def _wait(self, fd: int, event: int, deadline: float) -> None:
        poller = select.poll()
        poller.register(fd, event)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerTimeout()
            if self.disk is not None and self.disk.over():
                self.kill()
                raise WorkerDied(f"worker stopped: it wrote more than {2 * SCRATCH_BYTES // 2**20} MB of files")
            step = left if self.disk is None else min(left, DiskWatch.INTERVAL_S)
            if poller.poll(step * 1000):
                return

    def send(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            self._wait(self._req_w, select.POLLOUT, deadline)
            try:
                view = view[os.write(self._req_w, view[:1 << 20]):]
            except BlockingIOError:
                continue
            except (BrokenPipeError, OSError):
                raise WorkerDied(self.exit_reason()) from None

    def read_exact(self, n: int, deadline: float) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            self._wait(self._rep_r, select.POLLIN, deadline)
            try:
                chunk = os.read(self._rep_r, min(n - len(buf), 1 << 20))
            except BlockingIOError:
                continue
            if not chunk:
                raise WorkerDied(self.exit_reason())
            buf += chunk
        return bytes(buf)

    # --- lifetime ------------------------------------------------------------------------------
    def exit_reason(self) -> str:
        try:
            rc = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            return "worker stopped answering"
        return describe_exit(rc, self.via_bwrap, self.limits)

    def kill(self) -> None:
        """Kill the whole group; bwrap's --die-with-parent then takes its pid namespace down."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        for fd in (self._req_w, self._rep_r):
            try:
                os.close(fd)
            except OSError:
                pass


class Sandbox:
    """Where one submission's workers run: a private folder and the isolation choice (with its note)."""

    def __init__(self, code_dir: Path, tasks: Path | None, modules: list[str], limits: Limits,
                 spec: SandboxSpec | None = None, data: list[Path] | tuple[Path, ...] = (), *, sandbox: bool = True,
                 shown: str = ""):
        self.code_dir = Path(code_dir)
        self.shown = shown
        """How messages name the code folder ("codes/": `codes/layers.py line 3`; "" for a flat layout)."""
        self.modules = modules
        self.limits = limits
        self.spec = spec or SandboxSpec(packages=(), refused=DEFAULT_REFUSED, data=(), fresh_worker="submission")
        self.data = tuple(Path(d) for d in data)
        self.use_bwrap = sandbox and bwrap_works()
        self._uid_lock = claim_uid() if os.geteuid() == 0 else None
        self.drop_to = self._uid_lock[0] if self._uid_lock else None
        self.notes: list[str] = []
        if not self.use_bwrap:
            why = "sandbox disabled" if not sandbox else "no bubblewrap"
            self.notes.append(f"{why}: ran with {fallback_confinement()}")
        # 0700 and owned by the worker's own uid: no other worker can enter it.
        self.workdir = Path(tempfile.mkdtemp(prefix="mlp-grader-", dir=_work_root(self.drop_to, self.use_bwrap)))
        if self.drop_to is not None:
            os.chown(self.workdir, self.drop_to, self.drop_to, follow_symlinks=False)
        rt = self.workdir / "rt"
        rt.mkdir()
        shutil.copyfile(_HERE / "worker.py", rt / "_grader_worker.py")
        shutil.copyfile(_HERE / "confine.py", rt / "_grader_confine.py")
        shutil.copyfile(_HERE / "protocol.py", rt / "_grader_protocol.py")
        shutil.copyfile(_HERE / "tasklib.py", rt / "grader_tasklib.py")
        shutil.copyfile(_HERE / "landlock.py", rt / "_grader_landlock.py")
        if tasks is not None and tasks.is_dir():
            shutil.copytree(tasks, rt / "_grader_tasks", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif tasks is not None:
            shutil.copyfile(tasks, rt / "_grader_tasks.py")
        for f in rt.rglob("*"):
            f.chmod(0o555 if f.is_dir() else 0o444)
        rt.chmod(0o555)

    def start_worker(self) -> WorkerProcess:
        """A fresh copy of the student's files each time, so a restart undoes their writes."""
        for d in ("sub", "tmp"):
            shutil.rmtree(self.workdir / d, ignore_errors=True)
        _copy_regular_files(self.code_dir, self.workdir / "sub")
        if not self.use_bwrap:  # bubblewrap binds them read-only instead
            for path in self.data:
                (self.workdir / "sub" / path.name).unlink(missing_ok=True)
                shutil.copyfile(path, self.workdir / "sub" / path.name)
                (self.workdir / "sub" / path.name).chmod(0o444)
        (self.workdir / "tmp").mkdir()
        if self.drop_to is not None and not self.use_bwrap:  # bubblewrap gives it tmpfs of its own
            # No process of this uid exists now (the last worker was killed and reaped), and
            # links are never followed: nothing the student planted can redirect the chown.
            for d in ("sub", "tmp"):
                for dirpath, dirnames, filenames in os.walk(self.workdir / d, followlinks=False):
                    for name in [dirpath, *(os.path.join(dirpath, n) for n in dirnames + filenames)]:
                        os.chown(name, self.drop_to, self.drop_to, follow_symlinks=False)
        return WorkerProcess(self.workdir, self.modules, self.limits, self.spec, self.data,
                             use_bwrap=self.use_bwrap, drop_to=self.drop_to, shown=self.shown)

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)
        if self._uid_lock is not None:
            os.close(self._uid_lock[1])
            self._uid_lock = None


def _work_root(drop_to: int | None, use_bwrap: bool) -> str | None:
    """Where work folders go: the temp folder, unless the worker's uid could not walk down to it
    (a private TMPDIR under a mode-700 folder) and no bubblewrap binds it in: then /tmp."""
    root = tempfile.gettempdir()
    if drop_to is None or use_bwrap:
        return root
    path = Path(root).resolve()
    walkable = all(os.stat(p).st_mode & 0o001 for p in (path, *path.parents))
    return root if walkable else "/tmp"


def claim_uid() -> tuple[int, int]:
    """(uid, lock fd) of a free worker slot: an flock held for this sandbox's life."""
    UID_LOCKS.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = os.lstat(UID_LOCKS)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != 0 or st.st_mode & 0o077:
        raise SandboxError(f"{UID_LOCKS} must be a folder only root can write; remove it and try again")
    start = random.SystemRandom().randrange(UID_SLOTS)  # concurrent graders rarely try the same slot
    for i in range(UID_SLOTS):
        slot = (start + i) % UID_SLOTS
        fd = os.open(UID_LOCKS / str(slot), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return UID_BASE + slot, fd
    raise SandboxError(f"all {UID_SLOTS} worker uids are in use; grade fewer submissions at once")


@functools.cache
def fallback_confinement() -> str:
    """What confines a worker without bubblewrap on this machine, for the note on every result."""
    import importlib.util as util

    spec = util.spec_from_file_location("_landlock_probe", _HERE / "landlock.py")
    probe = util.module_from_spec(spec)
    spec.loader.exec_module(probe)
    version = probe.abi()
    if version == 0:
        return "rlimits and its own uid only (no Landlock on this kernel: its files are protected by permissions alone)"
    return f"rlimits, its own uid and Landlock ABI {version}"


def _copy_regular_files(src: Path, dst: Path) -> None:
    """Copy files, never symlinks (a link could point at the grader's own files)."""
    dst.mkdir(mode=0o755)
    for dirpath, dirnames, filenames in os.walk(src, followlinks=False):
        rel = Path(dirpath).relative_to(src)
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not os.path.islink(os.path.join(dirpath, d)))
        for d in dirnames:
            (dst / rel / d).mkdir(mode=0o755)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                shutil.copyfile(path, dst / rel / name)
                (dst / rel / name).chmod(0o644)
