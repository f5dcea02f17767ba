"""Read a file as Python does, within limits decided before any parser sees it.

Python decodes a source file by its PEP 263 declaration (``# -*- coding: latin-1 -*-`` in the
first two lines; UTF-8 without one), so the analyzer does too: a file Python runs is a file the
analyzer reads. A file it cannot read, or too large or too deeply nested to parse safely, raises
`UnreadableError`, whose note goes into summary.txt and makes verify fail: never a silent pass.

Standard library only: it ships to students inside the hand-out.
"""
from __future__ import annotations

import io
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path

from code_analyze.blocks import split_lines
from code_analyze.scan import Layout, scan

MAX_FILE_BYTES = 256 * 1024  # 30x the largest hand-out file; LibCST needs ~0.7 GB for 1 MB
MAX_BRACKETS = 100  # bracket nesting (Python itself stops at 200; LibCST crashes near 3,000)
MAX_CHAIN = 100  # chained operations in one expression (LibCST: 15 s for 3,000 `[0]`)
_SAVE_AS_UTF8 = "not analysed, save it as UTF-8"


class UnreadableError(Exception):
    """The file was not analysed; str(self) is the note for summary.txt (the same bytes on
    every Python version)."""


@dataclass(frozen=True)
class Source:
    """A decoded file: its text (line ends as written), its lines, and, for Python, its layout."""

    text: str
    lines: list[str]
    layout: Layout | None


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular file within the size limit, checked before reading (a 2 GB file
    is never loaded, a FIFO never waited on)."""
    status = path.stat()
    if not stat.S_ISREG(status.st_mode):
        raise UnreadableError("not a regular file; not analysed")
    check_size(status.st_size)
    return path.read_bytes()


def check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise UnreadableError(f"larger than {MAX_FILE_BYTES // 1024} KiB ({size} bytes); "
                              "not analysed")


def decode(data: bytes, python: bool) -> str:
    """The text of `data`: by its PEP 263 declaration for Python, else UTF-8 (a BOM is dropped)."""
    encoding = "utf-8-sig"
    if python:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:
            raise UnreadableError(_declaration_problem(data, str(exc))) from None
    try:
        text = data.decode(encoding)
        if encoding not in ("utf-8", "utf-8-sig"):
            text.encode("utf-8")  # "unicode_escape" can make lone surrogates, which nothing prints
        return text
    except UnicodeEncodeError:
        raise UnreadableError(f"holds text that is not valid Unicode once decoded as {encoding}; "
                              f"{_SAVE_AS_UTF8}") from None
    except UnicodeDecodeError as exc:
        if encoding in ("utf-8", "utf-8-sig"):
            raise UnreadableError(f"not UTF-8 (byte {exc.start}); {_SAVE_AS_UTF8}") from None
        raise UnreadableError(f"not {encoding} as its coding line says (byte {exc.start}); "
                              f"{_SAVE_AS_UTF8}") from None
    except LookupError:  # a codec that is not a text encoding ("rot13")
        raise UnreadableError(f"declares '{encoding}', which is not a text encoding; "
                              f"{_SAVE_AS_UTF8}") from None


def _declaration_problem(data: bytes, message: str) -> str:
    """tokenize's reason, reworded (its wording and the file name in it vary by version)."""
    if "unknown encoding" in message:
        declared = message.rsplit(":", 1)[-1].strip()
        return f"declares the unknown encoding '{declared}'; {_SAVE_AS_UTF8}"
    if "encoding problem" in message:  # a BOM with another declared encoding
        return f"starts with a UTF-8 byte-order mark but declares another encoding; {_SAVE_AS_UTF8}"
    try:  # no declaration, and its first lines are not UTF-8
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 (byte {exc.start}); {_SAVE_AS_UTF8}"
    return f"has an invalid coding line; {_SAVE_AS_UTF8}"


def read_source(data: bytes, python: bool, layout: bool = True) -> Source:
    """Decode and, for Python, scan `data`; raises UnreadableError beyond the limits."""
    check_size(len(data))
    text = decode(data, python)
    lines = split_lines(text)
    found = None
    if python and layout:
        found = scan("\n".join(lines), MAX_BRACKETS, MAX_CHAIN)
        if found.brackets[0] > MAX_BRACKETS:
            raise UnreadableError(f"brackets nested over {MAX_BRACKETS} deep (line "
                                  f"{found.brackets[1]}); not analysed, simplify that code")
        if found.chain[0] > MAX_CHAIN:
            raise UnreadableError(f"over {MAX_CHAIN} operations chained in one expression (line "
                                  f"{found.chain[1]}); not analysed, split that expression")
    return Source(text, lines, found)


def read_pristine(data: bytes, python: bool) -> str:
    """The hand-out's own file (the staff's, trusted): as Python reads it, else as UTF-8."""
    try:
        return decode(data, python)
    except UnreadableError:
        return data.decode("utf-8-sig", errors="replace")

