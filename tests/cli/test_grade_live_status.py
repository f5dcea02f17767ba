"""A single `grade` on a terminal shows which test is running; a log (a batch child's, a pipe)
gets none of it. Real engine, real worker, a real pseudo-terminal."""
import os
import select
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "120", "TERM": "xterm"}
HIDDEN = '''
def test_first_thing(student):
    """first"""
    assert student.layers.f() == 1

def test_second_thing(student):
    """second"""
    assert student.layers.f() == 2
'''


def _setup(tmp_path: Path) -> list[str]:
    root = tmp_path / "a"
    (root / "ref" / "codes").mkdir(parents=True)
    (root / "ref" / "codes" / "layers.py").write_text("def f():\n    return 1\n")
    (root / "hidden").mkdir()
    (root / "hidden" / "test_live_hidden.py").write_text(HIDDEN)
    (root / "assignment.toml").write_text(textwrap.dedent("""\
        name = "live"
        reference = "ref"
        hidden = "hidden"
        [submission]
        code_folder = "codes"
        required = ["layers.py"]
        [points]
        test_first_thing = 1
        test_second_thing = 1
        """))
    path = tmp_path / "2023000001.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("codes/layers.py", "def f():\n    return 1\n")
    return [sys.executable, "-m", "grader.grade", str(path), "--out", str(tmp_path / "out"), "--assignment", str(root)]


def _run_on_a_terminal(cmd: list[str], timeout_s: float = 120) -> str:
    master, slave = os.openpty()
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=ENV, close_fds=True)
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # the child closed its end
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        proc.wait(timeout=30)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return b"".join(chunks).decode("utf-8", "replace")


def test_the_running_test_is_shown_on_a_terminal_only(tmp_path):
    cmd = _setup(tmp_path)
    shown = _run_on_a_terminal(cmd)
    assert "test 1/2: test_first_thing" in shown and "test 2/2: test_second_thing" in shown, shown[-2000:]
    assert "Submission 2023000001" in shown
    piped = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert "test 1/2" not in piped.stderr + piped.stdout and "\x1b[?25l" not in piped.stderr
