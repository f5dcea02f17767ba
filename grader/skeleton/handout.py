"""The hand-out as a tree of bytes: built from reference/, then written, compared or zipped.

Everything is built in memory first, so an error leaves skeleton/ untouched, and every output is
a pure function of the inputs (sorted names, no time stamps), so two runs give the same bytes.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader.errors import ConfigError
from grader.skeleton.readme import HandoutConfig, load_config, render_data_readme, render_student_readme
from grader.skeleton.stubs import StubbedBlock, stub_source

NOTICE = "Do NOT modify or upload this folder"
IGNORED_DIRS = frozenset({"__pycache__", ".pytest_cache", ".hypothesis"})
IGNORED_SUFFIXES = (".pyc",)
MNIST_FILES = ("README.md", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
               "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
ZIP_FILE_MODE = 0o644


@dataclass(frozen=True)
class Handout:
    config: HandoutConfig
    files: dict[str, bytes]  # "codes/layers.py" -> content, POSIX paths relative to skeleton/
    blocks: tuple[StubbedBlock, ...]


def _files_under(folder: Path) -> list[Path]:
    """Every regular file below `folder`, sorted, skipping caches."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS)
        found += [Path(dirpath, f) for f in filenames if not f.endswith(IGNORED_SUFFIXES)]
    return sorted(found)


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def build_handout(root: Path) -> Handout:
    """The hand-out generated from root/reference/ (and root/code_analyze/ for the checker)."""
    reference = root / "reference"
    config = load_config(reference / "handout.toml", "reference/handout.toml")
    files: dict[str, bytes] = {}
    blocks: list[StubbedBlock] = []
    for path in _files_under(reference / "codes"):
        name = _relative(path, reference / "codes")
        data = path.read_bytes()
        if path.suffix == ".py":
            label = _relative(path, root)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as e:
                raise ConfigError(f"{label}: not UTF-8 text ({e.reason} at byte {e.start})") from e
            stubbed, found = stub_source(text, name, label)
            data = stubbed.encode("utf-8")
            blocks += found
        files[f"codes/{name}"] = data
        files[f"code_analyze/_codes/{name}"] = data
    for path in sorted((root / "code_analyze").glob("*.py")):
        files[f"code_analyze/{path.name}"] = path.read_bytes()
    files[f"code_analyze/{NOTICE}"] = b""
    for path in _files_under(reference / "tests"):
        files[f"tests/{_relative(path, reference / 'tests')}"] = path.read_bytes()
    files["README.md"] = render_student_readme(config, blocks, "reference/handout.toml").encode("utf-8")
    files["data/README.md"] = render_data_readme(config).encode("utf-8")
    return Handout(config, dict(sorted(files.items())), tuple(blocks))


def read_tree(folder: Path) -> dict[str, bytes]:
    """The files of an existing hand-out folder, as build_handout returns them."""
    if not folder.is_dir():
        return {}
    return {_relative(p, folder): p.read_bytes() for p in _files_under(folder)}


def differences(handout: Handout, folder: Path) -> list[str]:
    """One line per file of `folder` that differs from the generated hand-out, sorted."""
    on_disk = read_tree(folder)
    lines = []
    for name in sorted(set(on_disk) | set(handout.files)):
        if name not in on_disk:
            lines.append(f"{name}: missing")
        elif name not in handout.files:
            lines.append(f"{name}: not generated (stale)")
        elif on_disk[name] != handout.files[name]:
            lines.append(f"{name}: differs")
    return lines


def write_tree(handout: Handout, folder: Path) -> None:
    """Make `folder` hold exactly the hand-out: built beside it, then swapped in."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for name, data in handout.files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        old = None
        if folder.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}-old-", dir=folder.parent))
            os.replace(folder, old / folder.name)
        os.replace(staging, folder)
        if old is not None:
            shutil.rmtree(old)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def _zip_entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.external_attr = (0o100000 | ZIP_FILE_MODE) << 16  # a regular file, rw-r--r--
    info.create_system = 3  # Unix, so the mode above is honoured
    # gzipped data does not shrink again; storing it keeps the zip quick to build
    info.compress_type = zipfile.ZIP_STORED if name.endswith(".gz") else zipfile.ZIP_DEFLATED
    return info


def write_zip(handout: Handout, mnist_dir: Path, path: Path) -> None:
    """The publishable zip: <name>/ holding the hand-out and MNIST in data/, as the interface lays
    it out (MNIST's own README, its licence note, beside them as MNIST-README.md)."""
    entries = dict(handout.files)
    for name in MNIST_FILES:
        source = mnist_dir / name
        if not source.is_file():
            raise ConfigError(f"{source}: missing; the zip ships MNIST from data/mnist/")
        entries[f"data/{'MNIST-README.md' if name == 'README.md' else name}"] = source.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as stream, zipfile.ZipFile(stream, "w") as archive:
            for name in sorted(entries):
                archive.writestr(_zip_entry(f"{handout.config.name}/{name}"), entries[name],
                                 compresslevel=9)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
