"""Other Modifications: a line diff of the pristine and the student's file outside the TODO blocks.

Lines are compared as Python reads them: a statement by its text and how deep Python nests it
(so a file re-indented with tabs shows no change, and a statement moved into an ``if`` with
cleverly mixed tabs does); continuation lines, comments and the lines of a multi-line string
(a docstring re-indented with the code) by their text alone.
"""
from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from typing import List, Optional, Tuple

from code_analyze.blocks import Markers
from code_analyze.scan import Layout

# (1-based line number in the real file, line without its end, what it is compared by).
# typing's names, not list[...], because students may run the analyzer on Python 3.8.
Numbered = List[Tuple[int, str, str]]


def line_keys(lines: list[str], layout: Optional[Layout]) -> list[str]:
    """What each line is compared by; `layout` is None for files that are not Python."""
    if layout is None:  # tabs as 4 columns, the editors' default
        return [line[:len(line) - len(line.lstrip())].expandtabs(4) + line.strip()
                for line in lines]
    depths = layout.depths
    return [f"{depths[number]}:{line.strip()}" if number in depths else line.strip()
            for number, line in enumerate(lines, start=1)]


def outside_lines(lines: list[str], interiors: Iterable[range], keys: list[str]) -> Numbered:
    """The non-blank lines that are not inside a block, trailing whitespace stripped.

    Blank lines are left out so that spacing changes (an editor, black) are not reported.
    """
    skipped = {number for interior in interiors for number in interior}
    return [(number, line.rstrip(), keys[number - 1]) for number, line in enumerate(lines, start=1)
            if number not in skipped and line.strip()]


def modified_lines(old: Numbered, new: Numbered) -> list[tuple[str, int, str]]:
    """("-", n, old line) and ("+", n, new line), old-file numbers for removed lines."""
    matcher = difflib.SequenceMatcher(None, [key for _, _, key in old],
                                      [key for _, _, key in new], autojunk=False)
    changes: list[tuple[str, int, str]] = []
    for tag, old_from, old_to, new_from, new_to in matcher.get_opcodes():
        if tag != "equal":
            changes += [("-", number, text) for number, text, _ in old[old_from:old_to]]
            changes += [("+", number, text) for number, text, _ in new[new_from:new_to]]
    return changes


def changed_todo_lines(changes: list[tuple[str, int, str]],
                       markers: Markers) -> list[tuple[int, str]]:
    """The removed protected lines (``# TODO`` by default) that were not merely moved (same
    stripped text added)."""
    added = Counter(text.strip() for sign, _, text in changes if sign == "+")
    changed = []
    for sign, number, text in changes:
        if sign == "-" and markers.is_protected(text):
            if added[text.strip()] > 0:
                added[text.strip()] -= 1
            else:
                changed.append((number, text.strip()))
    return changed
