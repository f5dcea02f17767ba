"""Find the TODO blocks of a source file, line by line.

A block opens at a line whose stripped text starts with ``# TODO START`` and closes at the next
line whose stripped text starts with ``# TODO END`` (../shared/docs/assignment-interface.md).
Real students' files have tabs, CRLF line ends, trailing spaces and broken markers, so this
finder never fails: it returns the blocks it could pair and a list of marker problems.

Standard library only: it ships to students inside the hand-out.
"""
from __future__ import annotations

from dataclasses import dataclass

START = "# TODO START"
END = "# TODO END"
REFERENCE = "# Reference:"


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


def is_start(line: str) -> bool:
    return line.strip().startswith(START)


def is_end(line: str) -> bool:
    return line.strip().startswith(END)


def reference_text(line: str) -> str | None:
    """The text after ``# Reference:`` on a comment line, else None."""
    stripped = line.strip()
    if stripped.startswith(REFERENCE):
        return stripped[len(REFERENCE):].strip()
    return None


def find_blocks(text: str) -> tuple[list[Block], list[MarkerProblem]]:
    """Pair the markers of `text`; a START inside an open block restarts it (and is reported)."""
    lines = split_lines(text)
    blocks: list[Block] = []
    problems: list[MarkerProblem] = []
    open_at: int | None = None
    for number, line in enumerate(lines, start=1):
        if "# TODO" not in line:  # most lines hold no marker: skip the two strip()s
            continue
        if is_start(line):
            if open_at is not None:
                problems.append(MarkerProblem(open_at, f"line {open_at}: '# TODO START' has no "
                                              f"'# TODO END' before the next START at line {number}"))
            open_at = number
        elif is_end(line):
            if open_at is None:
                problems.append(MarkerProblem(number, f"line {number}: '# TODO END' without a "
                                              "'# TODO START' before it"))
                continue
            start_line = lines[open_at - 1]
            indent = start_line[: len(start_line) - len(start_line.lstrip())]
            blocks.append(Block(len(blocks) + 1, open_at, number, indent,
                                tuple(lines[open_at:number - 1])))
            open_at = None
    if open_at is not None:
        problems.append(MarkerProblem(open_at, f"line {open_at}: '# TODO START' is never closed "
                                      "by a '# TODO END'"))
    return blocks, problems
