"""Open a submission (an archive or a folder) into a private temp dir and check its layout.

grader/archive.py reads the hostile archive (every entry checked, streaming caps); this module
finds the submission's root and code folder in what it read. Layout problems a student can fix
but that do not stop grading become `flags` (student-facing notes).
"""
from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from grader.archive import MAX_FILES, archive_stem, is_junk, one_line, read_into  # noqa: F401 (MAX_FILES: re-exported)
from grader.assignment import Layout
from grader.notebooks import NotebookError, notebook_to_module

MAX_TOP_FOLDERS = 3  # `id/id/<code folder>/...` still found; deeper nesting is not a layout

COMPILED_SUFFIXES = {".npy", ".npz", ".pkl", ".pickle", ".pt", ".pth", ".h5", ".hdf5", ".ckpt",
                     ".pyc", ".pyo", ".so", ".pyd", ".dll", ".dylib", ".bin", ".safetensors"}
NESTED_ARCHIVE_SUFFIXES = {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz"}
IDX_NAME = re.compile(r"idx\d-ubyte", re.IGNORECASE)  # raw IDX data files, gzipped or not
DROP_FROM_CODES = {".pyc", ".pyo", ".so", ".pyd"}  # would be imported instead of the .py source


@dataclass
class Submission:
    """One student's files, extracted into a private temp dir that lives as long as the context."""

    student_id: str
    root: Path
    """The submission's top level inside the temp dir (after single top folders are skipped)."""
    code_dir: Path | None
    """Where the code files sit (root/<code_folder>, or root when flat); None when the declared
    code folder is missing (the submission cannot be graded)."""
    flags: list[str] = field(default_factory=list)
    """Student-facing layout notes (missing report, weights included, nested zip...)."""
    report: Path | None = None
    integrity: Path | None = None


def student_id_of(path: Path | str) -> str:
    """The id a submission is filed under without an LMS layout (grader.inputs): the archive's name
    without its suffix, or the folder's name."""
    path = Path(path)
    return path.name if path.is_dir() else archive_stem(path.name)


@contextlib.contextmanager
def open_submission(path: Path | str, layout: Layout | None = None, student_id: str = "") -> Iterator[Submission]:
    """Extract `path` (an archive or a folder, see grader.archive) into a temp dir, check it against
    `layout` (the assignment's [submission]; None: only find the root), yield it, then delete it."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        dest = Path(tmp) / "files"
        dest.mkdir()
        flags: list[str] = []
        read_into(path, dest)
        sub = _check_layout(student_id or student_id_of(path), dest, layout, flags)
        sub.flags[:] = [one_line(f) for f in sub.flags]
        yield sub


# --- layout ---------------------------------------------------------------------------------------

def _holds_code(folder: Path, layout: Layout | None) -> bool:
    return layout is not None and layout.holds_code(folder)


def _find_root(dest: Path, layout: Layout | None) -> Path:
    """Skip single top folders (students zip the folder, not its contents) until the code shows."""
    root = dest
    for _ in range(MAX_TOP_FOLDERS):
        children = [c for c in root.iterdir() if not is_junk((c.name,))]
        if _holds_code(root, layout) or len(children) != 1 or not children[0].is_dir():
            break
        root = children[0]
    return root


def _check_layout(student_id: str, dest: Path, layout: Layout | None, flags: list[str]) -> Submission:
    root = _find_root(dest, layout)
    files = sorted(p for p in root.rglob("*") if p.is_file())
    rel = [p.relative_to(root).as_posix() for p in files]
    code_dir = root
    report = integrity = None
    if layout is not None:
        code_dir = root / layout.code_folder if layout.code_folder else root
        if not code_dir.is_dir():
            code_dir = None
        report, integrity = _expected_extras(root, layout, flags)
        if code_dir is not None:
            if layout.notebooks:
                _modules_from_notebooks(code_dir, layout, flags)
            flags += [note for name, note in layout.missing.items() if not (code_dir / name).is_file()]
    flags.extend(_content_flags(rel))
    if code_dir is not None:
        _drop_compiled(code_dir)
    return Submission(student_id, root, code_dir, flags, report, integrity)


def _expected_extras(root: Path, layout: Layout, flags: list[str]) -> tuple[Path | None, Path | None]:
    """The report (any accepted name, any case) and the integrity file, flagged when missing."""
    report = None
    if layout.report:
        wanted = {name.casefold() for name in layout.report}
        report = next((p for p in sorted(root.iterdir()) if p.is_file() and p.name.casefold() in wanted), None)
        if report is None:
            flags.append(layout.report_note)
    integrity = root / layout.integrity if layout.integrity else None
    if integrity is not None:
        if not integrity.is_file():
            flags.append(layout.integrity_note)
            integrity = None
        elif integrity.stat().st_size == 0:
            flags.append(f"{layout.integrity} is empty; " + layout.integrity_note.split("; ", 1)[-1])
    return report, integrity


def _modules_from_notebooks(code_dir: Path, layout: Layout, flags: list[str]) -> None:
    """A notebook stands in for the .py of the same name: its code cells become the module
    (read as text here, never run; see grader.notebooks)."""
    for name in layout.files:
        module, notebook = code_dir / name, (code_dir / name).with_suffix(".ipynb")
        if not name.endswith(".py") or module.exists() or not notebook.is_file():
            continue
        try:
            source, notes = notebook_to_module(notebook.read_bytes(), notebook.name)
        except NotebookError as e:
            flags.append(f"{layout.shown(notebook.name)} could not be read: {e}")
            continue
        module.write_text(source, encoding="utf-8")
        flags.append(f"graded the code cells of {layout.shown(notebook.name)} as {layout.shown(name)}")
        flags.extend(notes)


def supply_given(sub: Submission, layout: Layout, handout_code: Path) -> None:
    """Files the hand-out gives and students must not change are graded from the hand-out's copy:
    a missing one is supplied, a changed one replaced; each says so in a note."""
    if sub.code_dir is None:
        return
    for name in layout.given:
        mine, theirs = sub.code_dir / name, handout_code / name
        if not theirs.is_file():
            continue
        if not mine.is_file():
            sub.flags.append(f"{layout.shown(name)} was missing; graded with the hand-out's copy")
        elif mine.read_bytes() == theirs.read_bytes():
            continue
        else:
            sub.flags.append(f"your {layout.shown(name)} differs from the hand-out's; it must not be changed, "
                             "so it was graded with the hand-out's copy")
            mine.unlink()
        mine.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(theirs, mine)


def _content_flags(rel: list[str]) -> list[str]:
    compiled = [r for r in rel if Path(r).suffix.lower() in COMPILED_SUFFIXES
                or "__pycache__" in r.split("/") or IDX_NAME.search(Path(r).name)]
    nested = [r for r in rel if Path(r).suffix.lower() in NESTED_ARCHIVE_SUFFIXES and r not in compiled]
    flags = []
    if compiled:
        flags.append(f"weights, data or compiled files should not be submitted: {_some(compiled)}")
    if nested:
        flags.append(f"nested archive not opened: {_some(nested)}; put its files in the zip itself")
    return flags


def _some(names: list[str], limit: int = 5) -> str:
    more = f" (+{len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _drop_compiled(codes_dir: Path) -> None:
    """Python would import a compiled module in place of its .py source: grade the source only."""
    for p in sorted(codes_dir.rglob("*"), reverse=True):
        if p.is_dir() and p.name == "__pycache__":
            shutil.rmtree(p)
        elif p.is_file() and p.suffix.lower() in DROP_FROM_CODES:
            p.unlink()
