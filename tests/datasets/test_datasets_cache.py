"""The data cache: byte-identical builds, hits that rebuild nothing (in this process and in a new
one), keys that follow the content, and builders that run at once without harm."""
import fcntl
import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import datasets
from grader.datasets import cache as datacache
from grader.errors import ConfigError

FORMATS = ["idx", "json", "pkl.gz", "hdf5"]
CHILD = """
import json, sys
from pathlib import Path
from grader.assignment import DataSpec
from grader import datasets
spec = DataSpec(*json.loads(sys.argv[1]))
print("ready", flush=True)
entry = datasets.build(spec, Path(sys.argv[2]))
print(json.dumps({"built": entry.built, "path": str(entry.path)}))
"""


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def child(spec, course, cache, **kw):
    args = [json.dumps([spec.name, spec.source, spec.format, list(spec.files), spec.sizes]), str(course)]
    return subprocess.Popen([sys.executable, "-c", CHILD, *args], env={**os.environ, "MLP_GRADER_CACHE": str(cache)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_builds_give_the_same_bytes(kit, course, tmp_path, monkeypatch, fmt):
    s = kit.spec(fmt)
    first = datasets.build(s, course)
    monkeypatch.setenv("MLP_GRADER_CACHE", str(tmp_path / "other-cache"))
    second = datasets.build(s, course)
    assert first.built and second.built and first.path.name == second.path.name
    assert first.path.parent != second.path.parent
    assert tree(first.path) == tree(second.path)


def test_a_hit_rebuilds_nothing_here_or_in_a_new_process(kit, course, cache):
    s = kit.spec("json")
    entry = datasets.build(s, course)
    before = stamps(entry.path)
    assert entry.built and all(p.stat().st_mode & 0o222 == 0 for p in entry.path.rglob("*") if p.is_file())
    datasets.load_splits(s, course)
    datasets.load_splits(s, course, as_stored=True)
    datasets.handout_files(s, course)
    datasets.worker_files(s, course)
    assert datasets.build(s, course) == (entry.path, False)
    out, err = child(s, course, cache).communicate(timeout=120)
    assert json.loads(out.splitlines()[-1]) == {"built": False, "path": str(entry.path)}, err
    assert stamps(entry.path) == before
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".lock")] == [entry.path.name]


def test_the_key_follows_sizes_names_and_the_source_bytes(kit, course, cache):
    base = datasets.build(kit.spec("json"), course).path
    other_sizes = datasets.build(kit.spec("json", sizes={"train": 200, "valid": 60, "test": 100}), course).path
    other_name = datasets.build(kit.spec("json", files=["subset.json"]), course).path
    assert len({base, other_sizes, other_name}) == 3
    assert sorted(datasets.handout_files(kit.spec("json", files=["subset.json"]), course)) == ["subset.json"]
    edited = course / "edited"
    shutil.copytree(course / "idx", edited)
    raw = bytearray(gzip.decompress((edited / "t10k-labels-idx1-ubyte.gz").read_bytes()))
    raw[-1] = (raw[-1] + 1) % 10  # one test label changed
    (edited / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(bytes(raw), mtime=0))
    moved = datasets.build(kit.spec("json", source="edited"), course)
    assert moved.built and moved.path != base
    assert datasets.load_splits(kit.spec("json", source="edited"), course)["test"].labels[-1] == raw[-1]
    entries = sorted(cache.iterdir())
    assert not any(p.name.startswith(".") and not p.name.endswith(".lock") for p in entries)  # no temp folder
    (edited / "t10k-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b not gzip")
    with pytest.raises(ConfigError, match="t10k-labels-idx1-ubyte.gz: cannot be read"):
        datasets.build(kit.spec("json", source="edited"), course)
    assert [p for p in sorted(cache.iterdir()) if not p.name.endswith(".lock")] == [
        p for p in entries if not p.name.endswith(".lock")]  # neither an entry nor a temp folder left


def test_concurrent_builders_make_one_entry(kit, course, cache, tmp_path, monkeypatch):
    s = kit.spec("pkl.gz")
    monkeypatch.setenv("MLP_GRADER_CACHE", str(tmp_path / "reference-cache"))
    reference = datasets.build(s, course).path  # the same key, built alone
    cache.mkdir()
    with open(cache / f".{reference.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # hold both builders at the door until both have started
        children = [child(s, course, cache) for _ in range(2)]
        assert [c.stdout.readline().strip() for c in children] == ["ready", "ready"]
    results = [json.loads(c.communicate(timeout=120)[0].splitlines()[-1]) for c in children]
    assert sorted(r["built"] for r in results) == [False, True]
    assert {r["path"] for r in results} == {str(cache / reference.name)}
    assert sorted(p.name for p in cache.iterdir()) == [f".{reference.name}.lock", reference.name]
    assert tree(cache / reference.name) == tree(reference)


def test_a_builder_that_loses_the_rename_keeps_the_winners_entry(cache, tmp_path, monkeypatch):
    def write(folder, text):
        (folder / "f.txt").write_text(text)

    monkeypatch.setenv("MLP_GRADER_CACHE", str(tmp_path / "elsewhere"))
    winner = datacache.obtain("x-1", {}, lambda folder: write(folder, "winner")).path
    monkeypatch.setenv("MLP_GRADER_CACHE", str(cache))

    def rival_renames_first(folder):  # a builder that could not honour the lock (e.g. on NFS)
        shutil.copytree(winner, cache / "x-1")
        write(folder, "loser")

    assert datacache.obtain("x-1", {}, rival_renames_first) == (cache / "x-1", False)
    assert (cache / "x-1" / "f.txt").read_text() == "winner"
    assert sorted(p.name for p in cache.iterdir()) == [".x-1.lock", "x-1"]


def test_died_builds_and_damaged_entries_are_cleaned_up(kit, course, cache):
    s = kit.spec("hdf5")
    entry = datasets.build(s, course).path
    (cache / f".{entry.name}-died").mkdir()  # a build killed half way
    victim = entry / "handout" / "mnist_testdata.hdf5"
    good = victim.read_bytes()
    victim.chmod(0o644)
    victim.write_bytes(good[: len(good) // 2])
    again = datasets.build(s, course)
    assert again == (entry, True) and victim.read_bytes() == good
    assert sorted(p.name for p in cache.iterdir()) == [f".{entry.name}.lock", entry.name]


def test_warm_command_builds_then_finds_an_assignments_sets(course, cache):
    (course / "ref").mkdir()
    (course / "hidden").mkdir()
    (course / "assignment.toml").write_text(
        'reference = "ref"\nhidden = "hidden"\n[submission]\nrequired = ["a.py"]\n'
        '[data.subset]\nsource = "idx"\nformat = "json"\nsizes = {train = 100, valid = 20, test = 30}\n'
        '[data.digits]\nsource = "idx"\nformat = "idx"\n')
    command = [sys.executable, "-m", "grader.datasets", "--assignment", str(course)]
    env = {**os.environ, "MLP_GRADER_CACHE": str(cache)}
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == second.returncode == 0, first.stderr
    for done, what in ((first, "built"), (second, "cached")):
        assert [line.split(" in ")[0] for line in done.stdout.splitlines()[:2]] == [f"digits: idx {what}",
                                                                                    f"subset: json {what}"]
