"""The TODO blocks of one source file, each named by where it sits: `layers.py:Selu.forward:1`.

code_analyze.blocks pairs the markers; here each block gets the qualified name of the method
around it (found by indentation, so a file that does not parse still has named blocks) and the
context the normaliser needs: names used outside the blocks and names the method reads elsewhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from code_analyze.blocks import Block, find_blocks, split_lines
from grader.similarity.normalize import NormalizedBlock, normalize_block

_DEF = re.compile(r"(\s*)(?:async\s+)?(def|class)\s+(\w+)")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True)
class BlockCode:
    """One filled block of one student."""

    key: str  # "<file>:<Class.method>:<n>", n counting the blocks of that method from 1
    file: str
    start: int  # line of the `# TODO START` marker in the file
    body: tuple[str, ...]
    code: NormalizedBlock


def read_blocks(file_name: str, text: str, cache: dict | None = None) -> list[BlockCode]:
    """The blocks of `text` (the contents of codes/<file_name>), normalised.

    `cache` maps (body, context) to its NormalizedBlock across students: most one-line answers
    recur verbatim in a cohort, and normalising is the expensive step.
    """
    lines = [line.expandtabs(8) for line in split_lines(text)]
    named = block_keys(file_name, text)
    in_block = set()
    for _, block, _ in named:
        in_block.update(range(block.start, block.end + 1))
    outside_names = frozenset(_IDENTIFIER.findall("\n".join(
        line.split("#", 1)[0] for number, line in enumerate(lines, 1) if number not in in_block)))
    result: list[BlockCode] = []
    for key, block, def_line in named:
        reads = _function_reads(lines, def_line, in_block) if def_line else frozenset()
        context = (block.body, reads, outside_names)
        code = cache.get(context) if cache is not None else None
        if code is None:
            code = normalize_block(block.body, outside_names, reads)
            if cache is not None:
                cache[context] = code
        result.append(BlockCode(key, file_name, block.start, block.body, code))
    return result


def block_keys(file_name: str, text: str) -> list[tuple[str, Block, int | None]]:
    """(key, block, line of the enclosing def) for each paired block of `text`, in file order."""
    lines = [line.expandtabs(8) for line in split_lines(text)]
    named = []
    seen: dict[str, int] = {}
    for block in find_blocks(text)[0]:
        qualname, def_line = _enclosing(lines, block.start)
        seen[qualname] = seen.get(qualname, 0) + 1
        named.append((f"{file_name}:{qualname}:{seen[qualname]}", block, def_line))
    return named


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _enclosing(lines: list[str], start: int) -> tuple[str, int | None]:
    """Qualified name of the defs/classes around line `start` (1-based) and the innermost def's line."""
    names: list[str] = []
    limit = _indent(lines[start - 1])
    def_line = None
    for number in range(start - 1, 0, -1):
        line = lines[number - 1]
        if not line.strip() or line.lstrip().startswith("#") or _indent(line) >= limit:
            continue
        match = _DEF.match(line)
        if match:
            names.append(match.group(3))
            if def_line is None and match.group(2) == "def":
                def_line = number
        limit = _indent(line)
        if limit == 0:
            break
    return ".".join(reversed(names)) or "<module>", def_line


def _function_reads(lines: list[str], def_line: int, in_block: set[int]) -> frozenset[str]:
    """Identifiers in the body of the def at `def_line`, outside every TODO block."""
    indent = _indent(lines[def_line - 1])
    words: list[str] = []
    for number in range(def_line + 1, len(lines) + 1):
        line = lines[number - 1]
        if line.strip() and not line.lstrip().startswith("#") and _indent(line) <= indent:
            break
        if number not in in_block:
            words += _IDENTIFIER.findall(line.split("#", 1)[0])
    return frozenset(words)
