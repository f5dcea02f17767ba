"""Does one submission grade within Gradescope's default limits (half a CPU, 768 MB, 10 minutes)?

Builds the autograder bundle, unpacks it into a temp folder laid out like /autograder, and runs
its run_autograder on the correct example (examples/2023000001.zip) exactly as Gradescope would
(only setup.sh's apt/pip step is skipped: this interpreter is first on PATH). Measured:
- peak memory of the whole process tree (bash, the grader, the sandboxed worker), summed over
  the processes alive at the same moment, sampled from /proc every SAMPLE_S;
- the largest single process (getrusage ru_maxrss of the waited children);
- CPU time of the tree (user + system, from wait4) and wall time on this machine.
On half a CPU, wall time is at least 2 x CPU time; that figure is compared with 10 minutes.

    python bench/gradescope_limits.py [--full-train]

--full-train also measures the worst case the accuracy test can reach: one epoch on all 60,000
training images through the real engine (parent sends them to the worker, the worker trains,
predictions come back), in its own process.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "2023000001.zip"
GRADESCOPE_MEMORY_MB = 768
GRADESCOPE_CPUS = 0.5
GRADESCOPE_TIMEOUT_S = 600
SAMPLE_S = 0.02
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")

FULL_TRAIN = """
import gzip, inspect, importlib.util, sys
from pathlib import Path
import numpy as np
from grader.assignment import load_assignment
from grader.intake import open_submission
from grader.proxy import StudentProxy
from grader.sandbox import Sandbox

def idx(name):
    raw = gzip.decompress((Path('data/mnist') / (name + '.gz')).read_bytes())
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * raw[3]).reshape(-1, 784) if raw[3] == 3 else \\
        np.frombuffer(raw, np.uint8, offset=8).astype(np.int64)

a = load_assignment()
spec = importlib.util.spec_from_file_location('tasks', a.tasks_file)
tasks = importlib.util.module_from_spec(spec); spec.loader.exec_module(tasks)
train, train_y, test, test_y = (idx(n) for n in ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte',
                                                  't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'))
if 'train_images' in inspect.signature(tasks.train_and_predict).parameters:  # bytes on the pipe
    kwargs = dict(train_images=train, train_y=train_y, test_images=test)
else:  # float64 (x - 128) / 255 on the pipe
    kwargs = dict(train_x=(train - 128.0) / 255.0, train_y=train_y, test_x=(test - 128.0) / 255.0)
modules = [Path(f).stem for f in a.student_files]
with open_submission(sys.argv[1]) as sub:
    proxy = StudentProxy(Sandbox(sub.codes_dir, a.tasks_file, modules, a.limits), a.limits, modules)
    try:
        out = proxy.run_task('train_and_predict', hidden=128, epochs=1, batch_size=100, timeout_s=900, **kwargs)
    finally:
        proxy.close()
print('accuracy', float(np.mean(out['predictions'] == test_y)), 'with', sorted(kwargs)[0])
"""


class TreeSampler(threading.Thread):
    """Peak of the summed resident memory of a process and all its descendants, from /proc."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_bytes, self.peak_processes = pid, 0, 0
        self.cpu_ticks: dict[int, int] = {}
        """Last utime + stime seen per pid: a worker killed inside bubblewrap's pid namespace is
        never waited for, so wait4's rusage misses its CPU time."""
        self._done = threading.Event()

    def _tree_rss(self) -> tuple[int, int]:
        parents, ticks = {}, {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    fields = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()
                    parents[int(entry.name)] = int(fields[1])
                    ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
                except (OSError, ValueError, IndexError):
                    continue
        tree, frontier = {self.pid}, [self.pid]
        children: dict[int, list[int]] = {}
        for pid, ppid in parents.items():
            children.setdefault(ppid, []).append(pid)
        while frontier:
            for child in children.get(frontier.pop(), []):
                tree.add(child)
                frontier.append(child)
        total = 0
        self.cpu_ticks.update({pid: ticks[pid] for pid in tree if pid in ticks})
        for pid in tree:
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES
            except (OSError, ValueError, IndexError):
                continue
        return total, len(tree)

    def run(self) -> None:
        while not self._done.is_set():
            rss, count = self._tree_rss()
            self.peak_bytes = max(self.peak_bytes, rss)
            self.peak_processes = max(self.peak_processes, count)
            time.sleep(SAMPLE_S)

    def stop(self) -> None:
        self._done.set()
        self.join()


def measure(cmd: list[str], **popen) -> dict:
    """Run cmd to the end; wall, CPU of the whole tree, summed and single-process memory peaks."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    sampler.stop()
    sampled_cpu_s = sum(sampler.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")
    return {"wall_s": round(wall, 2), "cpu_s": round(max(usage.ru_utime + usage.ru_stime, sampled_cpu_s), 2),
            "peak_tree_mb": round(sampler.peak_bytes / 2**20), "peak_process_mb": round(usage.ru_maxrss / 1024),
            "processes": sampler.peak_processes, "exit": proc.returncode, "output": output.strip()[-500:]}


def _verdict(m: dict) -> str:
    half_cpu_s = m["cpu_s"] / GRADESCOPE_CPUS
    fits = m["peak_tree_mb"] <= GRADESCOPE_MEMORY_MB and half_cpu_s <= GRADESCOPE_TIMEOUT_S
    return (f"peak memory {m['peak_tree_mb']} MB summed over {m['processes']} processes (largest single "
            f"process {m['peak_process_mb']} MB) vs {GRADESCOPE_MEMORY_MB} MB; CPU {m['cpu_s']} s -> at least "
            f"{half_cpu_s:.0f} s on half a CPU vs {GRADESCOPE_TIMEOUT_S} s; wall here {m['wall_s']} s: "
            + ("FITS" if fits else "DOES NOT FIT"))


def run_autograder(tmp: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from grader.gradescope import main as build

    bundle = tmp / "autograder.zip"
    build(["--out", str(bundle)])
    root = tmp / "autograder"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    (root / "submission").mkdir()
    (root / "submission" / EXAMPLE.name).write_bytes(EXAMPLE.read_bytes())
    (root / "submission_metadata.json").write_text(json.dumps({"id": 1, "users": [{"id": 2023000001}]}))
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "MLP_GRADER_VENV": str(tmp / "none"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    m = measure(["bash", str(root / "source" / "run_autograder")], env=env)
    results = json.loads((root / "results" / "results.json").read_text())
    m["score"] = f"{results['score']:g} / {sum(t['max_score'] for t in results['tests']):g}"
    return m


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--full-train", action="store_true", help="also measure one epoch on all of MNIST")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="gs-limits-") as tmp:
        m = run_autograder(Path(tmp))
    print(f"run_autograder on {EXAMPLE.name} (score {m['score']}):")
    print("  " + _verdict(m))
    if args.full_train:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        f = measure([sys.executable, "-c", FULL_TRAIN, str(EXAMPLE)], env=env, cwd=ROOT)
        print(f"one epoch on 60,000 MNIST images through the engine ({f['output'].splitlines()[-1]}):")
        print("  " + _verdict(f))
    print(f"(this machine: {os.cpu_count()} cores; RUSAGE_CHILDREN maxrss "
          f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
