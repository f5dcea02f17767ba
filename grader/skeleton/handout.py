"""The hand-out as a tree of bytes: built from an assignment's reference/, then written, compared or zipped.

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

from grader import datasets
from grader.assignment import Assignment
from grader.errors import ConfigError
from grader.skeleton.readme import render_student_readme
from grader.skeleton.stubs import StubbedBlock, stub_source

CODE_ANALYZE_DIR = Path(__file__).resolve().parents[2] / "code_analyze"

NOTICE = "Do NOT modify or upload this folder"
IGNORED_DIRS = frozenset({"__pycache__", ".pytest_cache", ".hypothesis"})
IGNORED_SUFFIXES = (".pyc",)
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
ZIP_FILE_MODE = 0o644


@dataclass(frozen=True)
class Handout:
    assignment: Assignment
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


def build_handout(assignment: Assignment) -> Handout:
    """The hand-out generated from the assignment's reference/ code (stubbed), its public/
    self-checks, its handout/ files and README template, and code_analyze/ if it ships."""
    layout, spec = assignment.layout, assignment.handout
    code = assignment.reference_code
    prefix = f"{layout.code_folder}/" if layout.code_folder else ""
    files: dict[str, bytes] = {}
    blocks: list[StubbedBlock] = []
    for path in _files_under(code):
        name = _relative(path, code)
        data = path.read_bytes()
        if path.suffix == ".py" and name in layout.files and name not in layout.given:
            label = str(path)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as e:
                raise ConfigError(f"{label}: not UTF-8 text ({e.reason} at byte {e.start})") from e
            stubbed, found = stub_source(text, name, label, spec)
            data = stubbed.encode("utf-8")
            blocks += found
        files[prefix + name] = data
        if spec.code_analyze:
            files[f"code_analyze/_{layout.code_folder or 'code'}/{name}"] = data
    if spec.code_analyze:
        for path in sorted(CODE_ANALYZE_DIR.glob("*.py")):
            files[f"code_analyze/{path.name}"] = path.read_bytes()
        files[f"code_analyze/{NOTICE}"] = b""
    if assignment.public_dir is not None:
        for path in _files_under(assignment.public_dir):
            files[f"tests/{_relative(path, assignment.public_dir)}"] = path.read_bytes()
    if spec.files is not None:
        for path in _files_under(spec.files):
            files[_relative(path, spec.files)] = path.read_bytes()
    if spec.readme is not None:
        files["README.md"] = render_student_readme(assignment, blocks).encode("utf-8")
    return Handout(assignment, dict(sorted(files.items())), tuple(blocks))


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


def write_zip(handout: Handout, path: Path) -> None:
    """The publishable zip: <name>/ holding the hand-out and, in data/, the data sets the
    assignment ships ([handout] data), in the course's format."""
    assignment = handout.assignment
    entries = dict(handout.files)
    for name in assignment.handout.data:
        for file_name, source in datasets.handout_files(assignment.data[name], assignment.root).items():
            if not source.is_file():
                raise ConfigError(f"{source}: missing; the zip ships data set {name!r} from it")
            entries[f"data/{file_name}"] = source.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as stream, zipfile.ZipFile(stream, "w") as archive:
            for name in sorted(entries):
                archive.writestr(_zip_entry(f"{assignment.handout.name}/{name}"), entries[name],
                                 compresslevel=9)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
