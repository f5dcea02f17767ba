"""The code a student wrote outside the TODO blocks: new files, and changes to the hand-out's files.

A copier can move a classmate's block bodies into a new module (or a helper method) and call them
from the blocks; comparing the blocks alone then finds nothing. So the rest of the student's code
is fingerprinted too, in units of one def (its body: the code a block would hold) or, for code
outside any def, one class or module, and each unit is named for where it sits:
`helpers.py (new file)`, `layers.py (outside blocks)`.

Only code the student wrote counts: a unit of a hand-out file whose lines all appear in the
hand-out's file is skipped without being normalised (most of them), and the fingerprints of the
hand-out's own code are removed from every unit, so reformatting given code adds nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from grader.similarity.blocks import (_COMMENT, _DEF, _IDENTIFIER, HASH_DTYPE, BlockCode, FileLayout,
                                      fingerprinted, packed)

NEW_FILE = "new file"
OUTSIDE_BLOCKS = "outside blocks"
MAX_UNIT_LINES = 200  # a longer unit is cut into pieces: normalising orders statements in O(n^2)
_SPACES = re.compile(r"\s+")
_IMPORT = re.compile(r"\s*(?:import|from)\s")


@dataclass(frozen=True)
class Handout:
    """What the hand-out gave, to tell it apart from what the student wrote."""

    block_keys: dict[str, frozenset[str]]  # file -> its TODO block keys
    lines: dict[str, frozenset[str]]  # file -> its code lines outside the blocks, stripped and
    # as _line_key gives them
    names: frozenset[str]  # identifiers of the hand-out: its interface (attributes not renamed)
    hashes: frozenset[int]  # fingerprints of its code outside the blocks

    def has(self, file_name: str) -> bool:
        return file_name in self.block_keys


def read_handout(pristine: dict[str, str], cache: dict) -> Handout:
    """The Handout of the pristine files (name -> text)."""
    names = frozenset(_IDENTIFIER.findall(_COMMENT.sub("", "\n".join(pristine.values()))))
    empty = Handout({}, {}, names, frozenset())
    keys, lines, hashes = {}, {}, set()
    for name, text in sorted(pristine.items()):
        layout = FileLayout(text, name)
        keys[name] = frozenset(key for key, _, _ in layout.named)
        code = [layout.lines[n - 1] for n in _code_lines(layout)]
        lines[name] = frozenset(line.strip() for line in code) | frozenset(map(_line_key, code))
        for unit in _units(layout, name, NEW_FILE, empty, cache, touched_only=False):
            hashes.update(unit.hashes())
    return Handout(keys, lines, names, frozenset(hashes))


def outside_units(layout: FileLayout, file_name: str, handout: Handout, cache: dict) -> list[BlockCode]:
    """The fingerprinted units of student code outside the blocks of one file (layout)."""
    kind = OUTSIDE_BLOCKS if handout.has(file_name) else NEW_FILE
    return _units(layout, file_name, kind, handout, cache, touched_only=kind == OUTSIDE_BLOCKS)


def _units(layout: FileLayout, file_name: str, kind: str, handout: Handout, cache: dict,
           touched_only: bool) -> list[BlockCode]:
    given = handout.lines.get(file_name, frozenset())
    changed = {n for n in _code_lines(layout) if touched_only and layout.lines[n - 1].strip() not in given
               and _line_key(layout.lines[n - 1]) not in given}
    if touched_only and not changed:  # most files: the hand-out's code, as it was given
        return []
    groups: dict[tuple[str, int | None], list[int]] = {}
    touched: set[tuple[str, int | None]] = set()
    for number, owner in _owners(layout):
        groups.setdefault(owner, []).append(number)
        if number in changed:
            touched.add(owner)
    file_reads: frozenset[str] | None = None
    units = []
    for owner, numbers in groups.items():
        if touched_only and owner not in touched:
            continue
        if owner[1] is None and file_reads is None:  # module or class level: names the file reads
            file_reads = frozenset(_IDENTIFIER.findall(_COMMENT.sub("", "\n".join(layout.outside()))))
        reads = file_reads if owner[1] is None else frozenset()
        key = f"{file_name} ({kind})"
        for at in range(0, len(numbers), MAX_UNIT_LINES):
            piece = numbers[at:at + MAX_UNIT_LINES]
            body = tuple(layout.lines[n - 1] for n in piece)
            context, fingerprints = fingerprinted(body, reads, handout.names, cache)
            own = packed(set(np.frombuffer(fingerprints, HASH_DTYPE).tolist()) - handout.hashes)
            if own:
                units.append(BlockCode(key, file_name, piece[0] - 1, *context, own))
    return units


def _code_lines(layout: FileLayout) -> list[int]:
    """Line numbers of the code lines (not blank, not comment-only) outside the blocks."""
    return [n for n, indent in enumerate(layout.indents, 1) if indent is not None and n not in layout.in_block]


def _owners(layout: FileLayout) -> list[tuple[int, tuple[str, int | None]]]:
    """(line, owner) for each code line outside the blocks, in one pass over an indentation stack.

    The owner is the outermost def around the line, (qualified name, its line), so a def's body
    (nested defs included) is one unit; a line in no def belongs to its class or to the module,
    (name, None). Header lines of defs and classes and imports are left out: they wrap the code
    (a body moved out of a block gains a `def` line), they are not what it computes.
    """
    stack: list[tuple[int, tuple[str, int | None]]] = []  # (indent, owner of the lines inside)
    out = []
    outside = set(_code_lines(layout))
    for number, (line, indent) in enumerate(zip(layout.lines, layout.indents), 1):
        if indent is None:
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        owner = stack[-1][1] if stack else ("<module>", None)
        match = _DEF.match(line)
        if number in outside and not match and not _IMPORT.match(line):
            out.append((number, owner))
        if match:
            if owner[1] is not None:  # a def inside a def: part of the outer def's body
                inner = owner
            else:
                name = match.group(3) if owner[0] == "<module>" else f"{owner[0]}.{match.group(3)}"
                inner = (name, number if match.group(2) == "def" else None)
            stack.append((indent, inner))
    return out


def _line_key(line: str) -> str:
    """A line as compared with the hand-out's: without comment and whitespace."""
    return _SPACES.sub("", _COMMENT.sub("", line))
