"""Declarations that cannot be built fail with one ConfigError line naming the declaration and
the fix, and leave nothing in the cache."""
import os
import subprocess
import sys

import pytest

from grader import datasets
from grader.errors import ConfigError

CASES = [
    ("missing source folder", dict(fmt="json", source="nowhere"),
     "source 'nowhere': .*nowhere does not exist; set source"),
    ("train + valid too many", dict(fmt="json", sizes={"train": 350, "valid": 100, "test": 10}),
     r"sizes ask for train 350 \+ valid 100 rows, but .*idx has 400 training images; lower them"),
    ("test too many", dict(fmt="pkl.gz", sizes={"train": 10, "valid": 10, "test": 101}),
     r"sizes ask for test 101 rows, but .*idx has 100 test images; lower them"),
    ("split the format lacks", dict(fmt="hdf5", sizes={"valid": 10}),
     "sizes names split 'valid'; format hdf5 has train, test"),
    ("two names for one file", dict(fmt="json", files=["a.json", "b.json"]),
     "files must be 1 distinct plain file names for format json .default: mnist_subset.json."),
    ("a path, not a name", dict(fmt="hdf5", files=["../train.hdf5", "test.hdf5"]), "files must be 2 distinct plain"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_bad_declaration_is_one_line_and_builds_nothing(kit, course, cache, case):
    _, args, message = case[0], dict(case[1]), case[2]
    with pytest.raises(ConfigError, match=message) as error:
        datasets.load_splits(kit.spec(args.pop("fmt"), **args), course)
    text = str(error.value)
    assert "\n" not in text and text.startswith(f"{course / 'assignment.toml'}: [data.set] ")
    assert not cache.exists() or all(p.name.endswith(".lock") for p in cache.iterdir())


def test_a_source_folder_without_its_idx_files(kit, course):
    (course / "idx" / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(ConfigError, match=r"\[data.set\] source 'idx': .*no t10k-labels-idx1-ubyte \(or "):
        datasets.worker_files(kit.spec("idx"), course)


def test_an_unwritable_cache_is_named_with_the_fix(kit, course, cache):
    cache.write_text("a file where the cache folder should be")
    with pytest.raises(ConfigError, match=f"{cache}: cannot write the data cache .*set MLP_GRADER_CACHE"):
        datasets.build(kit.spec("json"), course)


def test_the_warm_command_prints_one_error_line(course, cache):
    (course / "ref").mkdir()
    (course / "hidden").mkdir()
    (course / "assignment.toml").write_text(
        'reference = "ref"\nhidden = "hidden"\n[submission]\nrequired = ["a.py"]\n'
        '[data.subset]\nsource = "idx"\nformat = "json"\n')  # the default 10000 rows: more than 400
    done = subprocess.run([sys.executable, "-m", "grader.datasets", "--assignment", str(course)], capture_output=True,
                          text=True, env={**os.environ, "MLP_GRADER_CACHE": str(cache)}, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(
        f"python -m grader.datasets: error: {course / 'assignment.toml'}: [data.subset] sizes ask for train 10000")
