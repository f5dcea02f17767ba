"""The batch's grading processes: one long-lived `grade --serve` child per parallel slot.

A child grades the submissions its slot is given one after another, so Python, the grader, pytest
and the data are loaded once per slot instead of once per submission (about half a second of CPU
each). Nothing else is shared: every submission gets fresh sandboxed workers of its own, its own
temp folder and its own log. One crash, hang or memory blow-up still stops only that submission:
its child is killed with its process group and a fresh one serves the slot's next submission, and
the temp folder is removed here however the child ended. A child is replaced after
JOB_SUBMISSIONS submissions, so nothing in it grows without bound.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

JOB_SUBMISSIONS = 50
STOP_GRACE_S = 5.0  # after SIGINT, before SIGKILL: lets the child delete its temp dirs
CLOSE_GRACE_S = 10.0


class Job:
    """One `grade --serve FD` child: requests as JSON lines on its stdin, each submission's exit
    status as a line on FD (its stdout and stderr go to the submission's log)."""

    def __init__(self, cmd: list[str]):
        answers, child_end = os.pipe()
        try:
            self.proc = subprocess.Popen([*cmd, "--serve", str(child_end)], stdin=subprocess.PIPE,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         pass_fds=(child_end,), start_new_session=True)
        finally:
            os.close(child_end)
        self._answers = answers
        self.served = 0

    def grade(self, request: dict, timeout_s: float) -> int | None:
        """The submission's exit status (0, 1 for our bug, 2 when it could not be opened), the
        child's own exit status when it died meanwhile, or None when it timed out."""
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return self.proc.wait()
        deadline, line = time.monotonic() + timeout_s, b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._answers], [], [], left)[0]:
                return None
            chunk = os.read(self._answers, 64)
            if not chunk:
                return self.proc.wait()
            line += chunk
        self.served += 1
        return int(line)

    def close(self) -> None:
        """Ask the child to finish (end of input), then make sure it did."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=CLOSE_GRACE_S)
        except (OSError, subprocess.TimeoutExpired):
            self.stop()
        self._release()

    def stop(self) -> None:
        """SIGINT to the child's group (it cleans up like at Ctrl-C), then SIGKILL if it lingers."""
        for sig, wait_s in ((signal.SIGINT, STOP_GRACE_S), (signal.SIGKILL, None)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait_s)
                break
            except subprocess.TimeoutExpired:
                continue
        self._release()

    def _release(self) -> None:
        if self._answers is not None:
            os.close(self._answers)
            self._answers = None


class Jobs:
    """The children of one batch, one per thread of its pool, so that Ctrl-C stops them all."""

    def __init__(self, cmd: list[str]):
        self.cmd = cmd
        self._lock = threading.Lock()
        self._mine = threading.local()
        self._all: set[Job] = set()
        self.stopping = threading.Event()

    def run(self, request: dict, log_path: Path, timeout_s: float) -> int | None:
        """Grade one submission (request: its input record) on this thread's child; its exit
        status, or None when it timed out or the batch is stopping."""
        log_path.parent.mkdir(parents=True, exist_ok=True)
        temp = tempfile.mkdtemp(prefix="grade-child-")
        os.chmod(temp, 0o711)  # a worker's uid may walk through to its own 0700 folder
        try:
            with self._lock:
                if self.stopping.is_set():
                    return None
                job = getattr(self._mine, "job", None)
                if job is None:
                    job = self._mine.job = Job(self.cmd)
                    self._all.add(job)
            status = job.grade({**request, "log": str(log_path), "temp": temp}, timeout_s)
            if status is None or job.proc.poll() is not None or job.served >= JOB_SUBMISSIONS:
                (job.stop if status is None else job.close)()
                with self._lock:
                    self._all.discard(job)
                    self._mine.job = None
            return status
        finally:
            shutil.rmtree(temp, ignore_errors=True)

    def close_all(self) -> None:
        with self._lock:
            jobs, self._all = list(self._all), set()
        for job in jobs:
            job.close()

    def stop_all(self) -> None:
        with self._lock:
            self.stopping.set()
            jobs, self._all = list(self._all), set()
        for job in jobs:
            job.stop()
