"""Reading a hostile archive (.zip, .tar.gz/.tgz/.tar) or a folder into a private folder.

Every entry is checked before a byte is written: no absolute paths, no `..`, no links, devices or
pipes, no duplicates (also by case), and the copy is streamed under caps on files, bytes and
expansion, because header sizes can lie. A tar is read as one forward stream through a counter, so
a member we skip still counts, and its metadata headers (long names, pax) are capped before
tarfile reads them. grader/intake.py then checks the layout of what was read.
"""
from __future__ import annotations

import gzip
import re
import stat
import tarfile
import zipfile
import zlib
from pathlib import Path

from grader.errors import SubmissionError

MAX_ZIP_BYTES = 200 * 2**20
"""The archive file itself (zip or tar)."""
MAX_FILES = 1000
MAX_FILE_BYTES = 100 * 2**20
MAX_TOTAL_BYTES = 300 * 2**20
MAX_COMPRESSION_RATIO = 100  # text compresses ~5-10x; only a bomb needs more
RATIO_FLOOR_BYTES = 2**20  # small files may compress arbitrarily well
CHUNK_BYTES = 64 * 2**10
MAX_TAR_HEADER_BYTES = 64 * 2**10
"""A long-name or pax header: tarfile reads it into memory whole, so it is capped first."""
TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar")
ARCHIVE_SUFFIXES = (".zip", *TAR_SUFFIXES)
"""What `grade` opens; other archives (.rar, .7z) are refused with a reason."""

JUNK_PARTS = {"__MACOSX", ".DS_Store", "Thumbs.db", "desktop.ini", ".git", ".idea", ".vscode", ".ipynb_checkpoints"}


def archive_kind(path: Path | str) -> str | None:
    """"zip", "tar" or None, from the name (any case): `X.ZIP` is a zip."""
    name = Path(path).name.lower()
    if name.endswith(".zip"):
        return "zip"
    return "tar" if name.endswith(TAR_SUFFIXES) else None


def archive_stem(name: str) -> str:
    """The name without its archive suffix: `a.tar.gz` -> `a`, `X.ZIP` -> `X`."""
    lower = name.lower()
    for suffix in ARCHIVE_SUFFIXES:
        if lower.endswith(suffix):
            return name[: len(name) - len(suffix)]
    return name


def read_into(path: Path, dest: Path) -> None:
    """Copy the submission at `path` (an archive or a folder) into the empty folder `dest`."""
    try:
        if path.is_dir():
            _copy_folder(path, dest)
        elif archive_kind(path) == "tar":
            _extract_tar(path, dest)
        else:
            _extract_zip(path, dest)
    except SubmissionError as e:  # entry names may hold newlines or other control characters
        raise SubmissionError(one_line(str(e))) from None


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


def is_junk(parts: tuple[str, ...]) -> bool:
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


def _extract_zip(path: Path, dest: Path) -> None:
    source = path.name
    if not path.is_file():
        raise SubmissionError(f"{path}: no such file; pass a .zip or a submission folder")
    if path.stat().st_size > MAX_ZIP_BYTES:
        raise SubmissionError(f"{source}: larger than {MAX_ZIP_BYTES // 2**20} MiB; leave data "
                              "and weights out")
    try:
        with zipfile.ZipFile(path) as zf:
            _extract_entries(zf, dest, source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError) as e:
        # NotImplementedError: a directory entry needing a newer zip version than Python reads
        raise SubmissionError(f"{source}: not a readable zip archive ({e}); re-create it with a "
                              "zip tool") from None


def _extract_entries(zf: zipfile.ZipFile, dest: Path, source: str) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_FILES:
        raise SubmissionError(f"{source}: more than {MAX_FILES} entries; submit only "
                              "the files the assignment asks for")
    budget, seen = _Budget(source), set()
    for info in infos:
        name = _decoded_name(info)
        parts = _safe_parts(name, source)
        _check_mode(info.external_attr >> 16, name, source)
        if not parts or info.is_dir() or is_junk(parts):
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


def _copy_folder(path: Path, dest: Path) -> None:
    source = path.name
    budget, seen = _Budget(source), set()
    for item in sorted(path.rglob("*")):
        rel = item.relative_to(path)
        parts = rel.parts
        if is_junk(parts):
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




# --- tar -----------------------------------------------------------------------------------------

class _CountingReader:
    """The decompressed tar stream, counted: every byte tarfile reads (members we skip included)
    counts against the expansion and size caps, so a bomb stops early whatever its headers say."""

    def __init__(self, raw, source: str, archive_bytes: int):
        self._raw, self.source, self.read_bytes = raw, source, 0
        self._limit = MAX_TOTAL_BYTES + 1024 * (MAX_FILES + 16)  # the files plus their headers
        self._ratio_limit = max(RATIO_FLOOR_BYTES, MAX_COMPRESSION_RATIO * max(archive_bytes, 1))

    def read(self, n: int = -1) -> bytes:
        chunk = self._raw.read(CHUNK_BYTES if n is None or n < 0 else min(n, CHUNK_BYTES))
        self.read_bytes += len(chunk)
        if self.read_bytes > self._limit:
            raise SubmissionError(f"{self.source}: files add up to more than {MAX_TOTAL_BYTES // 2**20} MiB; "
                                  "leave data and weights out")
        if self.read_bytes > self._ratio_limit:
            raise SubmissionError(f"{self.source}: expands more than {MAX_COMPRESSION_RATIO}x (a bomb?); "
                                  "re-pack real files")
        return chunk


class _CappedTarInfo(tarfile.TarInfo):
    """Refuses an oversized long-name or pax header before tarfile reads it into memory."""

    def _proc_member(self, tarfile_):  # tarfile's own dispatch (private, stable since 3.x)
        if self.type in (tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK, tarfile.XHDTYPE,
                         tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE) and self.size > MAX_TAR_HEADER_BYTES:
            raise SubmissionError(f"a tar header of {self.size} bytes (a name or pax record) is too large")
        return super()._proc_member(tarfile_)


_TAR_FILE_TYPES = (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.CONTTYPE)


def _extract_tar(path: Path, dest: Path) -> None:
    source = path.name
    size = path.stat().st_size
    if size > MAX_ZIP_BYTES:
        raise SubmissionError(f"{source}: larger than {MAX_ZIP_BYTES // 2**20} MiB; leave data and weights out")
    with open(path, "rb") as raw:
        gz = gzip.GzipFile(fileobj=raw) if raw.read(2) == b"\x1f\x8b" else None
        raw.seek(0)
        stream = _CountingReader(gz or raw, source, size)
        try:
            # "r|": one forward pass, never a seek; members are checked as they come
            with tarfile.open(fileobj=stream, mode="r|", tarinfo=_CappedTarInfo) as tf:
                _extract_members(tf, dest, source)
        except SubmissionError as e:
            raise SubmissionError(str(e) if str(e).startswith(source) else f"{source}: {e}") from None
        except (tarfile.TarError, EOFError, OSError, zlib.error, gzip.BadGzipFile) as e:
            raise SubmissionError(f"{source}: not a readable .tar.gz/.tgz archive ({e}); re-create it, "
                                  "or submit a .zip") from None
        finally:
            if gz is not None:
                gz.close()


def _extract_members(tf: tarfile.TarFile, dest: Path, source: str) -> None:
    budget, seen, entries = _Budget(source), set(), 0
    for member in tf:
        entries += 1
        if entries > MAX_FILES:
            raise SubmissionError(f"{source}: more than {MAX_FILES} entries; submit only "
                                  "the files the assignment asks for")
        name = member.name
        parts = _safe_parts(name, source)
        if member.issym() or member.islnk():
            raise SubmissionError(f"{source}: entry '{name}' is a link; submit real files only")
        if not (member.isdir() or member.type in _TAR_FILE_TYPES):
            raise SubmissionError(f"{source}: entry '{name}' is a device, pipe or sparse file, not a file")
        if not parts or member.isdir() or is_junk(parts):
            continue
        budget.add_file()
        try:
            target = _target(dest, parts, name, source, seen)
            src = tf.extractfile(member)
            with src:
                budget.copy(src, target, name)
        except OSError as e:
            raise _unwritable(source, name, e) from None
    if budget.files == 0:
        raise SubmissionError(f"{source}: the archive is empty; pack the files the assignment asks for")
