"""Read the submissions to compare: zips through the grader's safe intake, folders in place.

Nothing is imported or run: codes/*.py are read as text and only parsed. A folder is read where
it lies (its .py files, no symlinks, size-capped), because copying 1,000 folders costs more than
comparing them; zips go through grader.intake, which checks every entry.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import ConfigError, SubmissionError
from grader.assignment import load_assignment
from grader.intake import open_submission

_LAYOUT = load_assignment().layout  # codes/ inside the submission; the similarity helper generalises this
from grader.similarity.blocks import BlockCode, read_blocks

MAX_SOURCE_BYTES = 2 * 2**20  # a hand-written codes/*.py is a few kB
PARALLEL_MIN_SUBMISSIONS = 200  # below this, starting processes costs more than it saves
MAX_WORKERS = 8
CHUNKS_PER_WORKER = 4  # smaller chunks even out the work when one core is busier


@dataclass
class Student:
    """One submission's blocks, keyed by BlockCode.key."""

    label: str
    previous: bool  # from an earlier year: compared with this year only
    blocks: dict[str, BlockCode] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def expand_inputs(paths: list[str]) -> list[Path]:
    """Each path is a submission (a .zip, or a folder with codes/) or a folder of submissions."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise ConfigError(f"{raw}: no such file or folder; pass submission zips or folders")
        if path.is_file() or _codes_folder(path) is not None:
            found.append(path)
            continue
        children = sorted(p for p in path.iterdir()
                          if p.suffix.lower() == ".zip" or (p.is_dir() and _codes_folder(p)))
        if not children:
            raise ConfigError(f"{raw}: holds no submission (no .zip and no folder with codes/)")
        found += children
    return found


def load_students(paths: list[Path], previous: bool, cache: dict) -> list[Student]:
    """Read every submission; one that cannot be read becomes a Student with a note, not an error.

    A large cohort is read by one process per core, each taking contiguous chunks of `paths`:
    parsing and normalising is nearly all of the work and needs nothing from other students
    (each process keeps its own cache). The chunks come back in order, so the result is the same.
    """
    workers = min(len(os.sched_getaffinity(0)), MAX_WORKERS)
    if len(paths) < PARALLEL_MIN_SUBMISSIONS or workers < 2:
        students = _read_students(paths, previous, cache)
    else:
        size = -(-len(paths) // (workers * CHUNKS_PER_WORKER))
        chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                              else None)
        # a worker lives for one read and its syntax trees hold no cycles: the cyclic garbage
        # collector would only walk the growing cache (10% of the worker's time)
        with ProcessPoolExecutor(workers, mp_context=context, initializer=gc.disable) as pool:
            parts = pool.map(_read_students, chunks, [previous] * len(chunks))
            students = [student for part in parts for student in part]
    clashes = sorted(label for label, n in Counter(s.label for s in students).items() if n > 1)
    if clashes:
        raise ConfigError(f"two submissions are both named {clashes[0]!r}; rename one of them")
    return students


_WORKER_CACHE: dict = {}  # a worker process's normalised blocks, kept across its chunks


def _read_students(paths: list[Path], previous: bool, cache: dict | None = None) -> list[Student]:
    cache = _WORKER_CACHE if cache is None else cache
    students = []
    for path in paths:
        label = f"{path.parent.name}/{_stem(path)}" if previous else _stem(path)
        student = Student(label, previous)
        try:
            sources = _read_zip(path) if path.is_file() else _read_folder(path)
        except SubmissionError as e:
            student.notes.append(str(e))
            sources = {}
        if not sources and not student.notes:
            student.notes.append(f"{path.name}: no codes/*.py found")
        for name, text in sorted(sources.items()):
            for block in read_blocks(name, text, cache):
                student.blocks[block.key] = block
        students.append(student)
    return students


def _stem(path: Path) -> str:
    return path.stem if path.is_file() else path.name


def _codes_folder(path: Path) -> Path | None:
    """path/codes, or codes/ under a single top folder (students zip the folder itself)."""
    for _ in range(3):
        if (path / "codes").is_dir():
            return path / "codes"
        children = [p for p in path.iterdir() if not p.name.startswith((".", "__MACOSX"))]
        if len(children) != 1 or not children[0].is_dir():
            return None
        path = children[0]
    return None


def _read_folder(path: Path) -> dict[str, str]:
    codes = _codes_folder(path)
    if codes is None:
        return {}
    sources = {}
    for file in sorted(codes.glob("*.py")):
        if file.is_symlink() or not file.is_file():
            continue
        if file.stat().st_size > MAX_SOURCE_BYTES:
            raise SubmissionError(f"{path.name}: codes/{file.name} is over "
                                  f"{MAX_SOURCE_BYTES // 2**20} MiB; it is not hand-written code")
        sources[file.name] = file.read_bytes().decode("utf-8", errors="replace")
    return sources


def _read_zip(path: Path) -> dict[str, str]:
    if path.suffix.lower() != ".zip":
        raise SubmissionError(f"{path.name}: not a .zip; pass zips or folders with codes/")
    with open_submission(path, _LAYOUT) as submission:
        if submission.code_dir is None:
            return {}
        return _read_folder(submission.code_dir.parent)
