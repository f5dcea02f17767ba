"""Atomic file writes: a reader (or an interrupted run) sees the old file or the new one, never half."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` to a temp file beside `path`, flush it to disk, then rename it over `path`.

    Text is written as UTF-8 with the newlines given (no platform translation: Unix line ends).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # "replace": a stray surrogate must never cost a result file (student text is cleaned earlier)
    payload = data.encode("utf-8", "replace") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; results are meant to be read by staff tools
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, obj) -> None:
    """Stable, readable JSON (key order as given, 2-space indent, trailing newline)."""
    write_atomic(path, json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
