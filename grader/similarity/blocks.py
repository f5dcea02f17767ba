"""The TODO blocks of one source file, each named by where it sits: `layers.py:Selu.forward:1`.

code_analyze.blocks pairs the markers; here each block gets the qualified name of the method
around it (found by indentation, so a file that does not parse still has named blocks) and the
context the normaliser needs: names used outside the blocks and names the method reads elsewhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from code_analyze.blocks import Block, find_blocks, split_lines
from grader.similarity.fingerprint import MIN_TOKENS, winnow
from grader.similarity.normalize import NormalizedBlock, normalize_block

_DEF = re.compile(r"(\s*)(?:async\s+)?(def|class)\s+(\w+)")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_COMMENT = re.compile(r"#[^\n]*")


@dataclass(frozen=True)
class BlockCode:
    """One filled block of one student: where it is, its text, and its fingerprints.

    The canonical tokens and the fingerprints' positions are not kept (a cohort of 10,000 has
    210,000 blocks, read in worker processes and sent to the parent); normalized() and
    positions() recompute them for the few blocks a report shows.
    """

    key: str  # "<file>:<Class.method>:<n>", n counting the blocks of that method from 1
    file: str
    start: int  # line of the `# TODO START` marker in the file
    body: tuple[str, ...]
    # the normaliser's context, cut down to the identifiers the body uses
    outside_names: frozenset[str]
    function_reads: frozenset[str]
    # the winnowed fingerprints' hashes, sorted, as little-endian uint64 bytes (compact to send
    # and to join into the cohort's arrays); empty when the block is too short to score
    fingerprints: bytes

    def normalized(self, spans: bool = False) -> NormalizedBlock:
        return normalize_block(self.body, self.outside_names, self.function_reads, spans)

    def hashes(self) -> set[int]:
        return set(np.frombuffer(self.fingerprints, HASH_DTYPE).tolist())

    def positions(self, tokens: tuple[str, ...] | None = None) -> dict[int, tuple[int, ...]]:
        """Fingerprint hash -> the token positions of its k-grams (of this unit's fingerprints);
        `tokens`: normalized().tokens when the caller has them."""
        mine = self.hashes()
        return {h: p for h, p in winnow(tokens or self.normalized().tokens).items() if h in mine}


HASH_DTYPE = np.dtype("<u8")


def packed(hashes) -> bytes:
    """Hashes (ints) as sorted little-endian uint64 bytes."""
    return np.array(sorted(hashes), dtype=HASH_DTYPE).tobytes()


def read_blocks(file_name: str, text: str, cache: dict | None = None,
                keep: frozenset[str] | None = None) -> list[BlockCode]:
    """The blocks of `text` (the contents of codes/<file_name>), fingerprinted.

    keep: the block keys the hand-out has (None: every block); a block the student added is
    not a block here, its lines count as code outside the blocks (outside.py).
    """
    return read_layout(file_name, text, keep, cache)[0]


def read_layout(file_name: str, text: str, keep: frozenset[str] | None = None,
                cache: dict | None = None) -> tuple[list[BlockCode], "FileLayout"]:
    """The fingerprinted blocks of `text` and its layout (for the code outside the blocks)."""
    file_name = _KEYS.setdefault(file_name, file_name)
    layout = FileLayout(text, file_name, keep)
    outside_names = frozenset(_IDENTIFIER.findall(_COMMENT.sub("", "\n".join(layout.outside()))))
    cache = {} if cache is None else cache
    result: list[BlockCode] = []
    reads_of: dict[int, frozenset[str]] = {}
    for key, block, def_line in layout.named:
        if def_line and def_line not in reads_of:
            reads_of[def_line] = layout.function_reads(def_line)
        context, fingerprints = fingerprinted(block.body, reads_of.get(def_line, frozenset()),
                                              outside_names, cache)
        result.append(BlockCode(_KEYS.setdefault(key, key), file_name, block.start, *context, fingerprints))
    return result, layout


def fingerprinted(body: tuple[str, ...], function_reads: frozenset[str], outside_names: frozenset[str],
                  cache: dict) -> tuple[tuple, bytes]:
    """(body, outside names, reads: cut down to the body's identifiers), and its fingerprints.

    `cache` maps a body and its context to its fingerprints across students: most short answers
    recur verbatim in a cohort, and normalising is the expensive step. The context is cut down to
    the identifiers the body uses (the only ones it can affect), so a student who edits code
    elsewhere still shares the cache. Equal bodies share one context and fingerprints object, so
    pickle sends each once.
    """
    used = frozenset(_IDENTIFIER.findall("\n".join(body)))
    context = (body, outside_names & used, function_reads & used)  # BlockCode's field order
    hit = cache.get(context)
    if hit is None:
        tokens = normalize_block(*context).tokens
        # keyed by the tokens too: renamed or reformatted copies of one answer (a third of a
        # cohort's distinct blocks) share one winnowing. A tuple of str never equals a context.
        fingerprints = cache.get(tokens)
        if fingerprints is None:
            fingerprints = cache[tokens] = packed(winnow(tokens) if len(tokens) >= MIN_TOKENS else ())
        hit = cache[context] = (context, fingerprints)
    return hit


_KEYS: dict[str, str] = {}  # one string object per block key and file name: pickle sends each once


def block_keys(file_name: str, text: str) -> list[tuple[str, Block, int | None]]:
    """(key, block, line of the enclosing def) for each paired block of `text`, in file order."""
    return FileLayout(text, file_name).named


class FileLayout:
    """One file's lines, their indentation, and its blocks named by the defs around them."""

    def __init__(self, text: str, file_name: str = "", keep: frozenset[str] | None = None):
        self.lines = split_lines(text)
        if "\t" in text:
            self.lines = [line.expandtabs(8) for line in self.lines]
        # indentation of each code line; None for blank and comment-only lines
        self.indents = [None if not (code := line.lstrip()) or code[0] == "#" else len(line) - len(code)
                        for line in self.lines]
        self.named: list[tuple[str, Block, int | None]] = []
        self.in_block: set[int] = set()
        seen: dict[str, int] = {}
        for block in find_blocks(text)[0] if "# TODO" in text else ():
            qualname, def_line = self._enclosing(block.start)
            seen[qualname] = seen.get(qualname, 0) + 1
            key = f"{file_name}:{qualname}:{seen[qualname]}"
            if keep is None or key in keep:
                self.named.append((key, block, def_line))
                self.in_block.update(range(block.start, block.end + 1))

    def outside(self) -> list[str]:
        """The lines outside every TODO block (markers included in the blocks)."""
        out, after = [], 0
        for _, block, _ in self.named:
            out += self.lines[after:block.start - 1]
            after = block.end
        return out + self.lines[after:]

    def _enclosing(self, start: int) -> tuple[str, int | None]:
        """Qualified name of the defs/classes around line `start` (1-based), innermost def's line."""
        names: list[str] = []
        line = self.lines[start - 1]
        limit = len(line) - len(line.lstrip())
        def_line = None
        for number in range(start - 1, 0, -1):
            indent = self.indents[number - 1]
            if indent is None or indent >= limit:
                continue
            match = _DEF.match(self.lines[number - 1])
            if match:
                names.append(match.group(3))
                if def_line is None and match.group(2) == "def":
                    def_line = number
            limit = indent
            if limit == 0:
                break
        return ".".join(reversed(names)) or "<module>", def_line

    def function_reads(self, def_line: int) -> frozenset[str]:
        """Identifiers in the body of the def at `def_line`, outside every TODO block."""
        indent = self.indents[def_line - 1]
        words: list[str] = []
        for number in range(def_line + 1, len(self.lines) + 1):
            own = self.indents[number - 1]
            if own is not None and own <= indent:
                break
            if number not in self.in_block and own is not None:
                words += _IDENTIFIER.findall(self.lines[number - 1].split("#", 1)[0])
        return frozenset(words)
