"""The data cache: built data sets, one folder per content key, published whole or not at all.

Where: $MLP_GRADER_CACHE, else $XDG_CACHE_HOME/mlp-grader/data, else ~/.cache/mlp-grader/data.
An entry is built in a temp folder beside it, under a lock of its own, its files made read-only,
then renamed into place: readers see a whole entry or none, two processes never build the same
entry twice, and a build that died leaves only a temp folder that the next build of that key
removes. Folders stay writable, so `rm -rf` still clears the cache.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from grader.errors import ConfigError

MANIFEST = "entry.json"
"""Written last: an entry without it is not one."""
NPZ_TIME = (1980, 1, 1, 0, 0, 0)


class Entry(NamedTuple):
    path: Path
    built: bool
    """True when this call built it, False when it was already there."""


def cache_dir() -> Path:
    if os.environ.get("MLP_GRADER_CACHE"):
        return Path(os.environ["MLP_GRADER_CACHE"])
    base = Path(os.environ["XDG_CACHE_HOME"]) if os.environ.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "mlp-grader" / "data"


def file_sha256(path: Path) -> str:
    """sha256 of a file, remembered for the process while its size, time and inode stay the same."""
    st = path.stat()
    return _sha256(str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)


@functools.lru_cache(maxsize=64)
def _sha256(path: str, size: int, mtime_ns: int, inode: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_key(description: dict) -> str:
    return hashlib.sha256(json.dumps(description, sort_keys=True).encode()).hexdigest()


def _complete(entry: Path) -> bool:
    """Whether entry holds every file its manifest lists, at the listed size (a damaged entry
    would otherwise hand students a truncated file)."""
    try:
        sizes = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))["bytes"]
        return all((entry / name).stat().st_size == size for name, size in sizes.items())
    except (OSError, ValueError, KeyError, TypeError):
        return False


def obtain(name: str, description: dict, build: Callable[[Path], None]) -> Entry:
    """The entry `name`, building it with build(folder) when it is missing or damaged."""
    root = cache_dir()
    entry = root / name
    if _complete(entry):
        return Entry(entry, False)
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = open(root / f".{name}.lock", "ab")
    except OSError as e:
        raise ConfigError(f"{root}: cannot write the data cache ({e.strerror}); "
                          f"set MLP_GRADER_CACHE to a writable folder") from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if we die
        if _complete(entry):  # another process built it while we waited
            return Entry(entry, False)
        for stale in [*root.glob(f".{name}-*"), entry]:  # died builds, a damaged entry
            _remove(stale)
        temp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
        try:
            build(temp)
            _seal(temp, description)
            try:
                os.rename(temp, entry)
            except OSError:  # a builder that ignored the lock (e.g. on NFS) got there first
                if not _complete(entry):
                    raise
                return Entry(entry, False)
        finally:
            _remove(temp)
    return Entry(entry, True)


def _seal(folder: Path, description: dict) -> None:
    """Write the manifest (the key's inputs and every file's size), then make the files read-only."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    sizes = {p.relative_to(folder).as_posix(): p.stat().st_size for p in files}
    (folder / MANIFEST).write_text(json.dumps({**description, "bytes": sizes}, indent=1, sort_keys=True) + "\n",
                                   encoding="utf-8")
    for path in [*files, folder / MANIFEST]:
        path.chmod(0o444)
    for path in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
        path.chmod(0o755)  # mkdtemp makes 0700; a staff user other than the builder reads it too


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """np.savez, but with fixed zip times, so two builds give the same bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for key in sorted(arrays):
            info = zipfile.ZipInfo(f"{key}.npy", date_time=NPZ_TIME)
            with archive.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.ascontiguousarray(arrays[key]), allow_pickle=False)


@functools.lru_cache(maxsize=8)
def read_npz(path: Path) -> dict[str, np.ndarray]:
    """An entry's arrays, read-only and read once per process (entries never change)."""
    with contextlib.closing(np.load(path, allow_pickle=False)) as npz:
        arrays = {key: npz[key] for key in npz.files}
    for array in arrays.values():
        array.flags.writeable = False
    return arrays
