"""Read the submissions to compare: zips through the grader's safe intake, folders in place.

Nothing is imported or run: codes/*.py are read as text and only parsed. A folder is read where
it lies (its .py files, no symlinks, size-capped), because copying 1,000 folders costs more than
comparing them; zips go through grader.intake, which checks every entry. Each file gives its TODO
blocks and, when the hand-out is known, the code written outside them (outside.py).
"""
from __future__ import annotations

import fnmatch
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
from grader.similarity.blocks import BlockCode, read_blocks, read_layout
from grader.similarity.layout import CodeLayout
from grader.similarity.outside import Handout, outside_units, read_handout

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
    # code outside the blocks, by unit (a def's body, a class, a module): key "<file> (new file)"
    # or "<file> (outside blocks)"
    extras: list[BlockCode] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def expand_inputs(paths: list[str], layout: CodeLayout = CodeLayout()) -> list[Path]:
    """Each path is a submission (a .zip, or a folder with codes/) or a folder of submissions."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise ConfigError(f"{raw}: no such file or folder; pass submission zips or folders")
        if path.is_file() or layout.code_folder(path) is not None:
            found.append(path)
            continue
        children = sorted(p for p in path.iterdir()
                          if p.suffix.lower() == ".zip" or (p.is_dir() and layout.code_folder(p)))
        if not children:
            raise ConfigError(f"{raw}: holds no submission (no .zip and no folder with {layout.folder}/)")
        found += children
    return found


def load_students(paths: list[Path], previous: bool, cache: dict,
                  layout: CodeLayout = CodeLayout()) -> list[Student]:
    """Read every submission; one that cannot be read becomes a Student with a note, not an error.

    A large cohort is read by one process per core, each taking contiguous chunks of `paths`:
    parsing and normalising is nearly all of the work and needs nothing from other students
    (each process keeps its own cache). The chunks come back in order, so the result is the same.
    """
    workers = min(len(os.sched_getaffinity(0)), MAX_WORKERS)
    if len(paths) < PARALLEL_MIN_SUBMISSIONS or workers < 2:
        students = _read_students(paths, previous, layout, cache)
    else:
        size = -(-len(paths) // (workers * CHUNKS_PER_WORKER))
        chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                              else None)
        # a worker lives for one read and its syntax trees hold no cycles: the cyclic garbage
        # collector would only walk the growing cache (10% of the worker's time)
        with ProcessPoolExecutor(workers, mp_context=context, initializer=gc.disable) as pool:
            parts = pool.map(_read_students, chunks, [previous] * len(chunks), [layout] * len(chunks))
            students = [student for part in parts for student in part]
    clashes = sorted(label for label, n in Counter(s.label for s in students).items() if n > 1)
    if clashes:
        raise ConfigError(f"two submissions are both named {clashes[0]!r}; rename one of them")
    return students


_WORKER_CACHE: dict = {}  # a worker process's normalised blocks, kept across its chunks


def _read_students(paths: list[Path], previous: bool, layout: CodeLayout,
                   cache: dict | None = None) -> list[Student]:
    cache = _WORKER_CACHE if cache is None else cache
    handout = _handout(layout, cache)
    students = []
    for path in paths:
        label = f"{path.parent.name}/{_stem(path)}" if previous else _stem(path)
        # a name that is not UTF-8 keeps its bytes visible (`\udcff`): every output can encode it
        student = Student(label.encode("utf-8", "backslashreplace").decode("utf-8"), previous)
        try:
            sources = _read_zip(path, layout) if path.is_file() else _read_folder(path, layout)
        except SubmissionError as e:
            student.notes.append(str(e))
            sources = {}
        if not sources and not student.notes:
            student.notes.append(f"{path.name}: no {layout.folder}/{layout.pattern} found")
        for name, text in sorted(sources.items()):
            _read_file(student, name, text, handout, cache)
        students.append(student)
    return students


def _read_file(student: Student, name: str, text: str, handout: Handout | None, cache: dict) -> None:
    if handout is None:  # no hand-out to tell given code from the student's: the blocks only
        blocks = read_blocks(name, text, cache)
    else:
        blocks, file_layout = read_layout(name, text, handout.block_keys.get(name, frozenset()), cache)
        student.extras += outside_units(file_layout, name, handout, cache)
    for block in blocks:
        student.blocks[block.key] = block


_HANDOUTS: dict[tuple, Handout] = {}


def _handout(layout: CodeLayout, cache: dict) -> Handout | None:
    """The layout's Handout, made once per process."""
    if not layout.pristine:
        return None
    key = tuple(sorted(layout.pristine.items()))
    if key not in _HANDOUTS:
        _HANDOUTS[key] = read_handout(layout.pristine, cache)
    return _HANDOUTS[key]


def _stem(path: Path) -> str:
    return path.stem if path.is_file() else path.name


def _read_folder(path: Path, layout: CodeLayout) -> dict[str, str]:
    codes = layout.code_folder(path)
    if codes is None:
        return {}
    sources = {}
    with os.scandir(codes) as entries:  # Path.glob costs 1 ms a folder: a tenth of the reading
        names = sorted(e.name for e in entries if fnmatch.fnmatchcase(e.name, layout.pattern))
    for file in (codes / name for name in names):
        if file.is_symlink() or not file.is_file():
            continue
        if file.stat().st_size > MAX_SOURCE_BYTES:
            raise SubmissionError(f"{path.name}: {layout.folder}/{file.name} is over "
                                  f"{MAX_SOURCE_BYTES // 2**20} MiB; it is not hand-written code")
        sources[file.name] = file.read_bytes().decode("utf-8", errors="replace")
    return sources


def _read_zip(path: Path, layout: CodeLayout) -> dict[str, str]:
    if path.suffix.lower() != ".zip":
        raise SubmissionError(f"{path.name}: not a .zip; pass zips or folders with {layout.folder}/")
    with open_submission(path, layout.submission) as submission:
        return _read_folder(submission.root, layout)
