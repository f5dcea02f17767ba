"""run_mlp.py chooses numpy's BLAS threads before numpy loads, and says which it used."""
import json
import os
import re
import subprocess
import sys

import pytest

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
# run as `python run_mlp.py ...` (runpy gives it __name__ == "__main__"), then ask the BLAS numpy loaded
CHILD = """
import ctypes, glob, os, runpy, sys
sys.argv = ["run_mlp.py"] + sys.argv[1:]
runpy.run_path("run_mlp.py", run_name="__main__")
import numpy
libs = glob.glob(os.path.join(os.path.dirname(numpy.__file__), os.pardir, "numpy.libs", "*openblas*"))
lib = ctypes.CDLL(libs[0]) if libs else None
getter = next((getattr(lib, name) for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                                               "openblas_get_num_threads") if hasattr(lib, name)), None)
print("env", *(os.environ.get(name) for name in %r))
print("openblas", getter() if getter else "unknown")
""" % (THREAD_VARIABLES,)


@pytest.mark.parametrize("requested, environ, cores, load, expected", [
    (3, {"OPENBLAS_NUM_THREADS": "1"}, 2, 0.0, (3, "--threads")),      # the flag wins
    (0, {"OMP_NUM_THREADS": "2"}, 8, 7.0, (2, "OMP_NUM_THREADS")),     # else a variable the user set
    (0, {}, 2, 2.3, (1, "automatic: load 2.3 on 2 cores")),            # busy: one thread
    (0, {}, 2, 1.0, (1, "automatic: load 1.0 on 2 cores")),            # one core taken: one thread
    (0, {}, 2, 0.1, (2, "automatic: load 0.1 on 2 cores")),            # idle: every core
    (0, {}, 8, 2.6, (5, "automatic: load 2.6 on 8 cores")),            # the idle ones
    (0, {"OMP_NUM_THREADS": "0"}, 2, 9.0, (1, "automatic: load 9.0 on 2 cores")),
])
def test_thread_choice(ref, requested, environ, cores, load, expected):
    assert ref.run_mlp.choose_blas_threads(requested, environ, cores, load) == expected


def test_without_a_load_average_one_thread(ref, monkeypatch):
    monkeypatch.delattr(os, "getloadavg")
    assert ref.run_mlp.choose_blas_threads(0, {}, 4) == (1, "automatic: load unknown")


def run_child(handout, *args, **variables):
    env = {key: value for key, value in os.environ.items()
           if key not in THREAD_VARIABLES + ("MNIST_DIR", "PYTHONPATH")}
    env.update(variables)
    done = subprocess.run([sys.executable, "-c", CHILD, "--hidden", "8", "--epochs", "1", "--batch-size", "50",
                           *args], cwd=handout / "codes", env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_threads_flag_sets_every_variable_before_numpy_loads(handout, tmp_path):
    out = run_child(handout, "--threads", "1", "--json", str(tmp_path / "run.json"), OPENBLAS_NUM_THREADS="2")
    assert "BLAS threads: 1 (--threads)" in out
    assert "env 1 1 1 1" in out
    assert "openblas 1" in out or "openblas unknown" in out  # numpy's OpenBLAS obeyed (where we can ask it)
    assert json.loads((tmp_path / "run.json").read_text())["blas_threads"] == 1


def test_a_variable_already_set_is_kept(handout):
    out = run_child(handout, OMP_NUM_THREADS="2")
    assert "BLAS threads: 2 (OMP_NUM_THREADS)" in out and "env 2 2 2 2" in out
    # OpenBLAS never runs more threads than there are cores
    assert "openblas %d" % min(2, len(os.sched_getaffinity(0))) in out or "openblas unknown" in out


def test_automatic_choice_is_reported(handout):
    out = run_child(handout)
    threads = re.search(r"BLAS threads: (\d+) \(automatic: load [\d.]+ on \d+ cores\)", out)
    assert threads, out
    assert "env %s %s %s %s" % ((threads.group(1),) * 4) in out
