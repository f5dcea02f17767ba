"""Other Modifications: a line diff of the pristine and the student's file outside the TODO blocks."""
from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable
from typing import List, Tuple

# (1-based line number in the real file, line without its end). typing's names, not list[...],
# because students may run the analyzer on Python 3.8.
Numbered = List[Tuple[int, str]]


def outside_lines(lines: list[str], interiors: Iterable[range]) -> Numbered:
    """The non-blank lines that are not inside a block, trailing whitespace stripped.

    Blank lines are left out so that spacing changes (an editor, black) are not reported.
    """
    skipped = {number for interior in interiors for number in interior}
    return [(number, line.rstrip()) for number, line in enumerate(lines, start=1)
            if number not in skipped and line.strip()]


def _key(line: str) -> str:
    # A tab-indented line is the same code as the space-indented original.
    body = line.lstrip()
    return line[: len(line) - len(body)].expandtabs(4) + body


def modified_lines(old: Numbered, new: Numbered) -> list[tuple[str, int, str]]:
    """("-", n, old line) and ("+", n, new line), old-file numbers for removed lines."""
    matcher = difflib.SequenceMatcher(None, [_key(text) for _, text in old],
                                      [_key(text) for _, text in new], autojunk=False)
    changes: list[tuple[str, int, str]] = []
    for tag, old_from, old_to, new_from, new_to in matcher.get_opcodes():
        if tag != "equal":
            changes += [("-", number, text) for number, text in old[old_from:old_to]]
            changes += [("+", number, text) for number, text in new[new_from:new_to]]
    return changes


def changed_todo_lines(changes: list[tuple[str, int, str]]) -> list[tuple[int, str]]:
    """The removed ``# TODO`` lines that were not merely moved (same stripped text added)."""
    added = Counter(text.strip() for sign, _, text in changes if sign == "+")
    changed = []
    for sign, number, text in changes:
        if sign == "-" and text.strip().startswith("# TODO"):
            if added[text.strip()] > 0:
                added[text.strip()] -= 1
            else:
                changed.append((number, text.strip()))
    return changed
