"""Compare one student file with its pristine copy: filled blocks, missing markers, other changes.

Blocks are matched by structure, not by position: a block is known by the class and function
around its ``# TODO START`` in the pristine file, and looked up under the same dotted name in the
student's file, so reordered methods, reformatting, tabs and CRLF don't confuse the pairing.
Blocks whose names find no counterpart (a hand-out that does not parse, a renamed method) are
then paired in order between their paired neighbours, line by line as the course's own tool does.
"""
from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass

from code_analyze.blocks import DEFAULT_MARKERS, Block, Markers, find_blocks, split_lines
from code_analyze.diff import changed_todo_lines, line_keys, modified_lines, outside_lines
from code_analyze.scan import scan
from code_analyze.scopes import Scopes, find_scopes, syntax_error
from code_analyze.source import UnreadableError, read_source


@dataclass(frozen=True)
class FilledBlock:
    """What the student wrote for one pristine block."""

    number: int  # the block's index among the pristine file's blocks, from 1
    scope: str  # dotted name of the enclosing class/function in the pristine file ("" at module level)
    lines: tuple[str, ...]  # the added lines; when markers are missing, the scope as it now stands
    markers_missing: bool = False
    scope_found: bool = True  # only meaningful when markers are missing


@dataclass(frozen=True)
class FileReport:
    """The findings for one file present in both folders (path relative, with `/`)."""

    name: str
    note: str | None  # a whole-file finding for summary.txt: unreadable, or does not parse
    blocks: tuple[FilledBlock, ...]
    modifications: tuple[str, ...]  # formatted `# <n> -/+ <line>` lines
    todo_changes: tuple[tuple[int, str], ...]  # pristine `# TODO` lines changed or removed
    # Where Python says the file breaks. Kept out of summary.txt: Python versions word it (and
    # sometimes place it) differently, and the summary must be the same bytes everywhere.
    parse_error: str | None = None
    unreadable: bool = False  # not analysed at all (the note says why): verify fails the check

    @classmethod
    def unread(cls, name: str, reason: str) -> "FileReport":
        return cls(name, reason, (), (), (), unreadable=True)


def compare_file(name: str, pristine: str, student: bytes,
                 markers: Markers = DEFAULT_MARKERS) -> FileReport:
    is_python = name.endswith(".py")
    try:
        new = read_source(student, is_python)
    except UnreadableError as exc:
        return FileReport.unread(name, str(exc))
    text, new_lines = new.text, new.lines
    old_lines = split_lines(pristine)
    old_layout = scan("\n".join(old_lines)) if is_python else None
    old_blocks, _ = find_blocks(pristine, markers)
    new_blocks, _ = find_blocks(text, markers)
    pairs: dict[int, Block] = {}
    old_scopes = new_scopes = Scopes(())
    if old_blocks:  # only files with blocks need their structure
        old_scopes = find_scopes(pristine, old_layout)
        new_scopes = find_scopes(text, new.layout) if is_python else new_scopes
        pairs = _pair(old_blocks, old_scopes, old_lines, new_blocks, new_scopes, new_lines)
    parse_error = new_scopes.parse_error if old_blocks else syntax_error(text) if is_python else None
    note = None
    if parse_error:
        note = "does not parse" + ("; blocks found line by line" if old_blocks else "")
    filled = tuple(_filled(block, old_scopes, pairs.get(block.index), new_scopes, new_lines)
                   for block in old_blocks)
    changes = modified_lines(
        outside_lines(old_lines, (block.body_lines for block in old_blocks),
                      line_keys(old_lines, old_layout)),
        outside_lines(new_lines, (block.body_lines for block in pairs.values()),
                      line_keys(new_lines, new.layout)))
    return FileReport(name, note, filled,
                      tuple(f"# {number} {sign} {text}" for sign, number, text in changes),
                      tuple(changed_todo_lines(changes, markers)), parse_error)


def _filled(old: Block, old_scopes: Scopes, new: Block | None, new_scopes: Scopes,
            new_lines: list[str]) -> FilledBlock:
    scope = old_scopes.enclosing(old.start)
    if new is not None:
        # Lines kept from the stub (a `pass` left after the code) are not the student's work.
        stub = {line.strip() for line in old.body}
        return FilledBlock(old.index, scope, tuple(
            line.rstrip() for line in new.body if line.strip() and line.strip() not in stub))
    span = new_scopes.find(scope) if scope else None
    shown = () if span is None else tuple(
        line.rstrip() for line in new_lines[span.start - 1:span.end] if line.strip())
    return FilledBlock(old.index, scope, shown, markers_missing=True, scope_found=span is not None)


def _pair(old_blocks: list[Block], old_scopes: Scopes, old_lines: list[str],
          new_blocks: list[Block], new_scopes: Scopes, new_lines: list[str]) -> dict[int, Block]:
    """Pristine block index -> the student's block under the same dotted name."""
    new_by_scope: dict[str, list[Block]] = defaultdict(list)
    for block in new_blocks:
        new_by_scope[new_scopes.enclosing(block.start)].append(block)
    old_by_scope: dict[str, list[Block]] = defaultdict(list)
    for block in old_blocks:
        old_by_scope[old_scopes.enclosing(block.start)].append(block)
    pairs: dict[int, Block] = {}
    for scope, mine in old_by_scope.items():
        theirs = new_by_scope.get(scope, [])
        if len(mine) == len(theirs):
            pairs.update((old.index, new) for old, new in zip(mine, theirs))
            continue
        # Some markers of this scope are gone: pair the rest by the line just above each START.
        matcher = difflib.SequenceMatcher(None, [_anchor(b, old_lines) for b in mine],
                                          [_anchor(b, new_lines) for b in theirs], autojunk=False)
        for old_at, new_at, size in matcher.get_matching_blocks():
            pairs.update((mine[old_at + k].index, theirs[new_at + k]) for k in range(size))
    _pair_in_order(old_blocks, new_blocks, pairs)
    return pairs


def _pair_in_order(old_blocks: list[Block], new_blocks: list[Block],
                   pairs: dict[int, Block]) -> None:
    """Pair each run of unpaired pristine blocks with the unpaired student blocks between the
    same paired neighbours, in order, when there are as many of each."""
    taken = {block.start for block in pairs.values()}
    free = [block for block in new_blocks if block.start not in taken]
    run: list[Block] = []
    after = 0  # the START line of the run's paired predecessor in the student's file
    for old in [*old_blocks, None]:
        if old is not None and old.index not in pairs:
            run.append(old)
            continue
        before = pairs[old.index].start if old is not None else float("inf")
        between = [block for block in free if after < block.start < before]
        if run and len(between) == len(run):
            pairs.update((mine.index, theirs) for mine, theirs in zip(run, between))
        run = []
        after = before


def _anchor(block: Block, lines: list[str]) -> str:
    above = (line.strip() for line in reversed(lines[:block.start - 1]))
    return next((line for line in above if line), "")
