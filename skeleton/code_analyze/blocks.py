"""Find the TODO blocks of a source file, line by line.

A block opens at a line matching the start marker and closes at the next line matching the end
marker. By default (../shared/docs/assignment-interface.md) those are lines whose stripped text
starts with ``# TODO START`` and ``# TODO END``; another course passes its own `Markers`.
Real students' files have tabs, CRLF line ends, trailing spaces and broken markers, so this
finder never fails: it returns the blocks it could pair and a list of marker problems.

Standard library only: it ships to students inside the hand-out.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from functools import cached_property

START = "# TODO START"
END = "# TODO END"
REFERENCE = "# Reference:"


@dataclass(frozen=True)
class Markers:
    """A course's marker style, as regular expressions matched at the start of a line (re.match).

    `reference` captures the reference text in its first group (else: the text after the match).
    `protected` matches the hand-out lines a student must keep; a removed one is reported
    (None: the start and end lines).
    """

    start: str = r"\s*# TODO START"
    end: str = r"\s*# TODO END"
    reference: str = r"\s*# Reference:(.*)"
    protected: str | None = r"\s*# TODO"

    @cached_property
    def _start(self) -> re.Pattern:
        return re.compile(self.start)

    @cached_property
    def _end(self) -> re.Pattern:
        return re.compile(self.end)

    @cached_property
    def _reference(self) -> re.Pattern:
        return re.compile(self.reference)

    @cached_property
    def _protected(self) -> re.Pattern | None:
        return re.compile(self.protected) if self.protected is not None else None

    def is_start(self, line: str) -> bool:
        return self._start.match(line) is not None

    def is_end(self, line: str) -> bool:
        return self._end.match(line) is not None

    def is_protected(self, line: str) -> bool:
        if self._protected is None:
            return self.is_start(line) or self.is_end(line)
        return self._protected.match(line) is not None

    def reference_text(self, line: str) -> str | None:
        found = self._reference.match(line)
        if found is None:
            return None
        return (found.group(1) if found.re.groups else line[found.end():]).strip()

    @property
    def start_label(self) -> str:
        """How messages name the start marker: the pattern without its regex syntax."""
        return _label(self.start)

    @property
    def end_label(self) -> str:
        return _label(self.end)


DEFAULT_MARKERS = Markers()


def _label(pattern: str) -> str:
    text = re.sub(r"^\^?(\\s[*+])?", "", pattern)
    return re.sub(r"\\(.)", r"\1", text).rstrip("$")


def markers_from_json(text: str) -> Markers:
    """Markers from a JSON object with any of the keys start, end, reference, protected.

    Raises ValueError with one line saying what is wrong.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at character {exc.pos})") from exc
    known = {field.name for field in fields(Markers)}
    if not isinstance(data, dict) or set(data) - known:
        raise ValueError(f"expected a JSON object with keys among {sorted(known)}")
    for key, value in data.items():
        if not (isinstance(value, str) or (key == "protected" and value is None)):
            raise ValueError(f"{key} must be a string (a regular expression)")
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"{key} is not a regular expression ({exc})") from exc
    return Markers(**data)


@dataclass(frozen=True)
class Block:
    """One paired TODO block. Line numbers are 1-based, as editors show them."""

    index: int  # counts the blocks of the file from 1, as summary.txt's `# ../codes/f.py:<index>`
    start: int  # line of the START marker
    end: int  # line of the END marker
    indent: str  # the START marker's leading whitespace
    body: tuple[str, ...]  # the lines strictly between the markers, without line ends

    @property
    def body_lines(self) -> range:
        """Line numbers of the body."""
        return range(self.start + 1, self.end)


@dataclass(frozen=True)
class MarkerProblem:
    """A marker that could not be paired: nested START, END without START, or no END."""

    line: int
    message: str


def split_lines(text: str) -> list[str]:
    """Lines without their ends; CRLF, CR and LF all end a line (as Python's tokenizer says)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def is_start(line: str, markers: Markers = DEFAULT_MARKERS) -> bool:
    return markers.is_start(line)


def is_end(line: str, markers: Markers = DEFAULT_MARKERS) -> bool:
    return markers.is_end(line)


def reference_text(line: str, markers: Markers = DEFAULT_MARKERS) -> str | None:
    """The reference text of a ``# Reference:`` comment line, else None."""
    return markers.reference_text(line)


def find_blocks(text: str, markers: Markers = DEFAULT_MARKERS
                ) -> tuple[list[Block], list[MarkerProblem]]:
    """Pair the markers of `text`; a START inside an open block restarts it (and is reported)."""
    lines = split_lines(text)
    blocks: list[Block] = []
    problems: list[MarkerProblem] = []
    # Most lines hold no marker: with the default markers a substring test skips them cheaply.
    hint = "# TODO" if markers == DEFAULT_MARKERS else ""
    start, end = markers.start_label, markers.end_label
    open_at: int | None = None
    for number, line in enumerate(lines, start=1):
        if hint not in line:
            continue
        if markers.is_start(line):
            if open_at is not None:
                problems.append(MarkerProblem(open_at, f"line {open_at}: '{start}' has no "
                                              f"'{end}' before the next START at line {number}"))
            open_at = number
        elif markers.is_end(line):
            if open_at is None:
                problems.append(MarkerProblem(number, f"line {number}: '{end}' without a "
                                              f"'{start}' before it"))
                continue
            start_line = lines[open_at - 1]
            indent = start_line[: len(start_line) - len(start_line.lstrip())]
            blocks.append(Block(len(blocks) + 1, open_at, number, indent,
                                tuple(lines[open_at:number - 1])))
            open_at = None
    if open_at is not None:
        problems.append(MarkerProblem(open_at, f"line {open_at}: '{start}' is never closed "
                                      f"by a '{end}'"))
    return blocks, problems
