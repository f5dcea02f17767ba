"""The hand-out as a tree of bytes: built from an assignment's reference/, then written, compared or zipped.

Everything is built in memory first, so an error leaves skeleton/ untouched, and every output is
a pure function of the inputs (sorted names, no time stamps), so two runs give the same bytes.
"""
from __future__ import annotations

import dataclasses

import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader import datasets
from grader.assignment import Assignment
from grader.errors import ConfigError
from grader.skeleton.readme import point_groups, render_student_readme
from code_analyze.blocks import DEFAULT_MARKERS, find_blocks
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
    files: dict[str, bytes]  # "<code folder>/mod.py" -> content, POSIX paths relative to skeleton/
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


def _toml(assignment: Assignment) -> Path:
    return assignment.root / "assignment.toml"


def _check_sources(assignment: Assignment) -> None:
    """Every folder and file the hand-out is built from exists (one line naming the key otherwise)."""
    spec = assignment.handout
    for key, path, folder in (("reference (its code folder)", assignment.reference_code, True),
                              ("public", assignment.public_dir, True), ("[handout] files", spec.files, True),
                              ("[handout] readme", spec.readme, False)):
        if path is not None and not (path.is_dir() if folder else path.is_file()):
            raise ConfigError(f"{_toml(assignment)}: {key} points to {path}, which is not a "
                              f"{'folder' if folder else 'file'}; fix the path or create it")
    code = assignment.reference_code
    missing = [name for name in assignment.layout.files if not (code / name).is_file()]
    if missing:
        raise ConfigError(f"{code / missing[0]}: missing; [submission] lists it, so the reference must have it")


def reference_files(assignment: Assignment) -> dict[str, bytes]:
    """The reference's code folder: name -> bytes, sorted."""
    code = assignment.reference_code
    return {_relative(path, code): path.read_bytes() for path in _files_under(code)}


def stubbed_code(assignment: Assignment, block: StubbedBlock | None = None
                 ) -> tuple[dict[str, bytes], list[StubbedBlock]]:
    """The reference's code folder with every block stubbed, and the blocks found; given files and
    files [submission] does not list stay as they are. With `block`: only that block is stubbed
    (and only its file's blocks are returned)."""
    layout, spec = assignment.layout, assignment.handout
    files = reference_files(assignment)
    blocks: list[StubbedBlock] = []
    for name, data in files.items():
        if not name.endswith(".py") or (block is not None and name != block.file):
            continue
        label = str(assignment.reference_code / name)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ConfigError(f"{label}: not UTF-8 text ({e.reason} at byte {e.start}); save it as UTF-8") from e
        if name not in layout.files or name in layout.given:
            if find_blocks(text, spec.markers)[0]:  # shipped as it is, its solutions would leak
                how = "gives" if name in layout.given else "does not list"
                raise ConfigError(f"{label}: holds blocks but [submission] {how} it; list it in required "
                                  "or optional, or remove its markers")
            continue
        stubbed, found = stub_source(text, name, label, spec, None if block is None else block.index)
        files[name] = stubbed.encode("utf-8")
        blocks += found
    return files, blocks


def build_handout(assignment: Assignment) -> Handout:
    """The hand-out generated from the assignment's reference/ code (stubbed), its public/
    self-checks, its [handout] files and README template, and code_analyze/ if it ships."""
    _check_sources(assignment)
    layout, spec = assignment.layout, assignment.handout
    code, blocks = stubbed_code(assignment)
    if not blocks:
        raise ConfigError(f"{assignment.reference_code}: no block between lines matching {spec.markers.start!r} "
                          f"and {spec.markers.end!r}; check [handout] markers in {_toml(assignment)}")
    point_groups(assignment, blocks)  # every block has its points group, README or not
    prefix = f"{layout.code_folder}/" if layout.code_folder else ""
    files = {prefix + name: data for name, data in code.items()}
    if spec.code_analyze:
        pristine = f"code_analyze/{pristine_folder(layout.code_folder)}"
        files.update({f"{pristine}/{name}": data for name, data in code.items()})
        for path in sorted(CODE_ANALYZE_DIR.glob("*.py")):
            files[f"code_analyze/{path.name}"] = path.read_bytes()
        files[f"code_analyze/{NOTICE}"] = b""
        markers = spec.markers
        if markers != DEFAULT_MARKERS:  # the analyzer reads the course's markers from here
            files["code_analyze/markers.json"] = (json.dumps(dataclasses.asdict(markers), indent=2) + "\n").encode()
    if assignment.public_dir is not None:
        for path in _files_under(assignment.public_dir):
            files[f"tests/{_relative(path, assignment.public_dir)}"] = path.read_bytes()
    if spec.files is not None:
        for path in _files_under(spec.files):
            files[_relative(path, spec.files)] = path.read_bytes()
    if spec.readme is not None:
        files["README.md"] = render_student_readme(assignment, blocks).encode("utf-8")
    return Handout(assignment, dict(sorted(files.items())), tuple(blocks))


def pristine_folder(code_folder: str) -> str:
    """The analyzer's pristine copy of the code folder, beside it in code_analyze/: `_<code folder>`."""
    return f"_{code_folder or 'code'}"


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


def zip_entries(handout: Handout) -> dict[str, bytes]:
    """What the publishable zip holds under its top folder: the hand-out and, in data/, the data
    sets the assignment ships ([handout] data), in the course's format (read here, so a missing
    file is an error before anything is written)."""
    assignment = handout.assignment
    entries = dict(handout.files)
    for name in assignment.handout.data:
        for file_name, source in datasets.handout_files(assignment.data[name], assignment.root).items():
            if not source.is_file():
                raise ConfigError(f"{source}: missing; the zip ships data set {name!r} ([handout] data) from it")
            entries[f"data/{file_name}"] = source.read_bytes()
    return dict(sorted(entries.items()))


def write_zip(handout: Handout, path: Path, entries: dict[str, bytes] | None = None) -> None:
    """The publishable zip, <name>/ holding zip_entries (given, or read now), written atomically."""
    entries = zip_entries(handout) if entries is None else entries
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as stream, zipfile.ZipFile(stream, "w") as archive:
            for name, data in entries.items():
                archive.writestr(_zip_entry(f"{handout.assignment.handout.name}/{name}"), data, compresslevel=9)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
