"""Open a submission (a .zip or a folder) safely into a private temp dir and check its layout.

The archive is hostile input: every entry is checked (no absolute paths, no `..`, no symlinks or
devices, no duplicates) and copied with streaming caps, because header sizes can lie. Layout
problems a student can fix but that do not stop grading become `flags` (student-facing notes).
"""
from __future__ import annotations

import contextlib
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from grader.assignment import Layout
from grader.errors import SubmissionError
from grader.notebooks import NotebookError, notebook_to_module

MAX_ZIP_BYTES = 200 * 2**20
MAX_FILES = 1000
MAX_FILE_BYTES = 100 * 2**20
MAX_TOTAL_BYTES = 300 * 2**20
MAX_COMPRESSION_RATIO = 100  # text compresses ~5-10x; only a bomb needs more
RATIO_FLOOR_BYTES = 2**20  # small files may compress arbitrarily well
CHUNK_BYTES = 64 * 2**10
MAX_TOP_FOLDERS = 3  # `id/id/<code folder>/...` still found; deeper nesting is not a layout

JUNK_PARTS = {"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini", ".git", ".idea", ".vscode", ".ipynb_checkpoints"}
COMPILED_SUFFIXES = {".npy", ".npz", ".pkl", ".pickle", ".pt", ".pth", ".h5", ".hdf5", ".ckpt",
                     ".pyc", ".pyo", ".so", ".pyd", ".dll", ".dylib", ".bin", ".safetensors"}
ARCHIVE_SUFFIXES = {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz"}
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
    """The id a submission is filed under: the zip's name without .zip, or the folder's name."""
    path = Path(path)
    return path.name if path.is_dir() else path.stem


@contextlib.contextmanager
def open_submission(path: Path | str, layout: Layout | None = None) -> Iterator[Submission]:
    """Extract `path` (a .zip or a folder) into a temp dir, check it against `layout` (the
    assignment's [submission]; None: only find the root), yield it, then delete it."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
        dest = Path(tmp) / "files"
        dest.mkdir()
        flags: list[str] = []
        try:
            if path.is_dir():
                _copy_folder(path, dest, flags)
            else:
                _extract_zip(path, dest, flags)
        except SubmissionError as e:  # entry names may hold newlines or other control characters
            raise SubmissionError(one_line(str(e))) from None
        sub = _check_layout(student_id_of(path), dest, layout, flags)
        sub.flags[:] = [one_line(f) for f in sub.flags]
        yield sub


def one_line(text: str) -> str:
    """Messages name the student's entries: escape what would break the one-line promise."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


# --- reading entries ---------------------------------------------------------------------------

def _decoded_name(info: zipfile.ZipInfo) -> str:
    """The entry's name; without the UTF-8 flag, zipfile decoded cp437, which Chinese Windows
    zip tools never meant: try UTF-8 (macOS, 7-Zip) then GBK before keeping cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.orig_filename.encode("cp437")
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _safe_parts(name: str, source: str) -> tuple[str, ...]:
    """Split an entry name into path parts, refusing anything that would leave the temp dir."""
    name = name.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise SubmissionError(f"{source}: entry '{name}' is an absolute path; zip the folder's "
                              "contents with relative paths")
    parts = tuple(p for p in name.split("/") if p not in ("", "."))
    if ".." in parts:
        raise SubmissionError(f"{source}: entry '{name}' leaves the archive ('..'); zip the "
                              "submission folder itself")
    if any("\x00" in p for p in parts):
        raise SubmissionError(f"{source}: entry '{name}' has a NUL byte in its name")
    return parts


def _is_junk(parts: tuple[str, ...]) -> bool:
    return any(p in JUNK_PARTS for p in parts) or parts[-1].startswith("._")


def _check_mode(mode: int, name: str, source: str) -> None:
    if stat.S_ISLNK(mode):
        raise SubmissionError(f"{source}: entry '{name}' is a symbolic link; submit real files only")
    if mode and stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise SubmissionError(f"{source}: entry '{name}' is a device or pipe, not a file")


class _Budget:
    """Counts files and bytes across one submission so no single check can be sidestepped."""

    def __init__(self, source: str):
        self.source, self.files, self.total_bytes = source, 0, 0

    def add_file(self) -> None:
        self.files += 1
        if self.files > MAX_FILES:
            raise SubmissionError(f"{self.source}: more than {MAX_FILES} files; submit only "
                                  "the files the assignment asks for")

    def copy(self, src, dest: Path, name: str, compressed_bytes: int | None = None) -> None:
        """Stream src into a new file `dest`, stopping as soon as a cap is crossed."""
        written = 0
        with open(dest, "xb") as out:
            while chunk := src.read(CHUNK_BYTES):
                written += len(chunk)
                self.total_bytes += len(chunk)
                if written > MAX_FILE_BYTES:
                    raise SubmissionError(f"{self.source}: '{name}' is larger than "
                                          f"{MAX_FILE_BYTES // 2**20} MiB; leave data and weights out")
                if self.total_bytes > MAX_TOTAL_BYTES:
                    raise SubmissionError(f"{self.source}: files add up to more than "
                                          f"{MAX_TOTAL_BYTES // 2**20} MiB; leave data and weights out")
                if (compressed_bytes is not None and written > RATIO_FLOOR_BYTES
                        and written > MAX_COMPRESSION_RATIO * max(compressed_bytes, 1)):
                    raise SubmissionError(f"{self.source}: '{name}' expands more than "
                                          f"{MAX_COMPRESSION_RATIO}x (a zip bomb?); re-zip real files")
                out.write(chunk)


def _target(dest: Path, parts: tuple[str, ...], name: str, source: str, seen: set) -> Path:
    key = "/".join(parts)
    if key in seen or key.casefold() in seen:
        raise SubmissionError(f"{source}: '{name}' appears twice in the archive; keep one copy")
    seen.update((key, key.casefold()))
    target = dest.joinpath(*parts)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise SubmissionError(f"{source}: '{name}' is inside a path that is also a file") from None
    if target.exists():
        raise SubmissionError(f"{source}: '{name}' clashes with a folder of the same name")
    return target


def _unwritable(source: str, name: str, e: OSError) -> SubmissionError:
    return SubmissionError(f"{source}: cannot extract '{name[:80]}' ({e.strerror or e}); rename it "
                           "or leave it out")


def _extract_zip(path: Path, dest: Path, flags: list[str]) -> None:
    source = path.name
    if not path.is_file():
        raise SubmissionError(f"{path}: no such file; pass a .zip or a submission folder")
    if path.stat().st_size > MAX_ZIP_BYTES:
        raise SubmissionError(f"{source}: larger than {MAX_ZIP_BYTES // 2**20} MiB; leave data "
                              "and weights out")
    try:
        with zipfile.ZipFile(path) as zf:
            _extract_entries(zf, dest, flags, source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError) as e:
        # NotImplementedError: a directory entry needing a newer zip version than Python reads
        raise SubmissionError(f"{source}: not a readable zip archive ({e}); re-create it with a "
                              "zip tool") from None


def _extract_entries(zf: zipfile.ZipFile, dest: Path, flags: list[str], source: str) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_FILES:
        raise SubmissionError(f"{source}: more than {MAX_FILES} entries; submit only "
                              "the files the assignment asks for")
    budget, seen = _Budget(source), set()
    for info in infos:
        name = _decoded_name(info)
        parts = _safe_parts(name, source)
        _check_mode(info.external_attr >> 16, name, source)
        if not parts or info.is_dir() or _is_junk(parts):
            continue
        if info.flag_bits & 0x1:
            raise SubmissionError(f"{source}: '{name}' is password-protected; zip it without a password")
        budget.add_file()
        try:
            target = _target(dest, parts, name, source, seen)
            with zf.open(info) as src:
                budget.copy(src, target, name, info.compress_size)
        except NotImplementedError as e:
            raise SubmissionError(f"{source}: '{name}' uses a compression Python cannot read "
                                  f"({e}); re-zip with plain deflate") from None
        except OSError as e:  # a name too long for the file system, a full disk...
            raise _unwritable(source, name, e) from None
    if budget.files == 0:
        raise SubmissionError(f"{source}: the archive is empty; zip the files the assignment asks for")


def _copy_folder(path: Path, dest: Path, flags: list[str]) -> None:
    source = path.name
    budget, seen = _Budget(source), set()
    for item in sorted(path.rglob("*")):
        rel = item.relative_to(path)
        parts = rel.parts
        if _is_junk(parts):
            continue
        _check_mode(item.lstat().st_mode, rel.as_posix(), source)
        if item.is_dir():
            continue
        budget.add_file()
        try:
            target = _target(dest, parts, rel.as_posix(), source, seen)
            with open(item, "rb") as src:
                budget.copy(src, target, rel.as_posix())
        except OSError as e:
            raise _unwritable(source, rel.as_posix(), e) from None
    if budget.files == 0:
        raise SubmissionError(f"{source}: the folder is empty; it needs the files the assignment asks for")


# --- layout ---------------------------------------------------------------------------------------

def _holds_code(folder: Path, layout: Layout | None) -> bool:
    return layout is not None and layout.holds_code(folder)


def _find_root(dest: Path, layout: Layout | None) -> Path:
    """Skip single top folders (students zip the folder, not its contents) until the code shows."""
    root = dest
    for _ in range(MAX_TOP_FOLDERS):
        children = [c for c in root.iterdir() if not _is_junk((c.name,))]
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
    nested = [r for r in rel if Path(r).suffix.lower() in ARCHIVE_SUFFIXES and r not in compiled]
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
