"""Replace the inside of each TODO block of a reference file by a stub that names the block.

The markers are the assignment's pair of regular expressions ([handout] markers), found line by
line by code_analyze.blocks (the same finder the analyzer ships) and placed in the syntax tree
with libcst, which tells which function body each marker comment sits in. Only the lines between
the markers change, so everything else stays byte for byte; the result is parsed again, so a stub
can never leave a module that does not import.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from code_analyze.blocks import DEFAULT_MARKERS, Markers, find_blocks
from grader.assignment import HandoutSpec
from grader.errors import ConfigError


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@dataclass(frozen=True)
class StubbedBlock:
    """One TODO block of a reference file and the stub that replaced its body."""

    file: str  # name inside the code folder, e.g. "mod.py"
    qualname: str  # enclosing Class.method, e.g. "Thing.run"
    start: int  # line of the START marker in the reference file
    end: int  # line of the END marker
    body: tuple[str, ...]  # the reference lines between the markers (the solution)
    index: int  # counts the file's blocks from 1

    @property
    def key(self) -> str:
        """The block's name, e.g. "mod.py:Thing.run" (its class's points group is "mod.py:Thing")."""
        return f"{self.file}:{self.qualname}"


class MarkerScopes(cst.CSTVisitor):
    """Maps the line of each comment to the qualified name of the function body holding it.

    Scopes open at a body, not at the `def`, so a comment above a def or its decorators belongs
    to the enclosing scope, as Python's indentation says.
    """

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.scopes: dict[int, tuple[tuple[str, bool], ...]] = {}  # line -> ((name, is_function), ...)
        self._stack: list[tuple[str, bool]] = []

    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        self._stack.append((node.name.value, False))

    def leave_ClassDef_body(self, node: cst.ClassDef) -> None:
        self._stack.pop()

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._stack.append((node.name.value, True))

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._stack.pop()

    def visit_Comment(self, node: cst.Comment) -> None:
        line = self.get_metadata(PositionProvider, node).start.line
        self.scopes[line] = tuple(self._stack)


def stub_line(scope: tuple[tuple[str, bool], ...], spec: HandoutSpec) -> str:
    """The statement that replaces a block body (without indentation or line end): `pass` in the
    functions that run while merely building objects ([handout] pass_in), so the rest of the
    hand-out works before the student fills them, else the [handout] stub."""
    function = scope[-1][0]
    if function in spec.pass_in:
        return "pass"
    classes = [name for name, is_function in scope if not is_function]
    return spec.stub.format_map({"qualname": ".".join(name for name, _ in scope), "function": function,
                                 "class": classes[-1] if classes else ""})


def _banner(body: tuple[str, ...]) -> tuple[int, int]:
    """How many lines at the start and the end of a body are comments or blank (the banner)."""
    plain = [not line.strip() or line.lstrip().startswith("#") for line in body]
    head = next((i for i, p in enumerate(plain) if not p), len(body))
    tail = next((i for i, p in enumerate(reversed(plain)) if not p), 0) if head < len(body) else 0
    return head, tail


def _parse(text: str, label: str) -> cst.Module:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as e:
        line, why = e.raw_line, e.message
        try:  # Python's own parser words the mistake better and places it exactly
            ast.parse(text)
        except SyntaxError as s:
            line, why = s.lineno or line, s.msg
        raise ConfigError(f"{label}:{line}: does not parse ({why}); fix the reference file") from e


def _enclosing_function(scopes, line: int, label: str, what: str) -> tuple[tuple[str, bool], ...]:
    scope = scopes.get(line)
    if scope is None:
        raise ConfigError(f"{label}:{line}: the {what} marker is not a comment (inside a string?); "
                          "markers must be comment lines")
    if not scope or not scope[-1][1]:
        raise ConfigError(f"{label}:{line}: the {what} marker is outside any function body; "
                          "TODO blocks must sit inside a function or method")
    return scope


def stub_source(text: str, file: str, label: str, spec: HandoutSpec,
                only: int | None = None) -> tuple[str, list[StubbedBlock]]:
    """`text` with every block body replaced by its stub (only: just the block of that index,
    counted from 1 in the file), and the blocks found.

    `file` is the name inside the code folder; `label` names the file in error messages. Raises
    ConfigError (naming file and line) for a file that does not parse, unmatched or nested
    markers, a marker outside a function body, and a stub that would not parse.
    """
    wrapper = MetadataWrapper(_parse(text, label))
    visitor = MarkerScopes()
    wrapper.visit(visitor)
    blocks, problems = find_blocks(text, spec.markers)
    if problems:
        first = min(problems, key=lambda p: p.line)
        raise ConfigError(f"{label}:{first.line}: {first.message.split(': ', 1)[-1]}")

    lines = _LINE.findall(text)
    found: list[StubbedBlock] = []
    replaced: dict[int, tuple[int, int, str]] = {}  # first body line -> (lines replaced, its line, the stub)
    for block in blocks:
        scope = _enclosing_function(visitor.scopes, block.start, label, f"'{spec.markers.start_label}'")
        if _enclosing_function(visitor.scopes, block.end, label, f"'{spec.markers.end_label}'") != scope:
            raise ConfigError(f"{label}:{block.start}: the block ends at line {block.end} in "
                              "another function body; a block must stay inside one function")
        found.append(StubbedBlock(file, ".".join(name for name, _ in scope), block.start, block.end, block.body,
                                 block.index))
        if only is not None and block.index != only:
            continue
        head, tail = _banner(block.body) if spec.banner else (0, 0)
        first = block.start + 1 + head
        stub = block.indent + stub_line(scope, spec) + _line_end(lines[block.start - 1])
        replaced[first] = (len(block.body) - head - tail, block.start, stub)

    out: list[str] = []
    origin: list[int] = []  # reference line number of each output line, to word parse errors
    skip_until = 0
    for number, line in enumerate(lines, start=1):
        if number < skip_until:
            continue
        if number in replaced:
            count, start, stub = replaced[number]
            out.append(stub)
            origin.append(start)
            skip_until = number + count
            if count:
                continue
        out.append(line)
        origin.append(number)
    result = "".join(out)
    try:
        cst.parse_module(result)
    except cst.ParserSyntaxError as e:
        at = origin[min(max(e.raw_line, 1), len(origin)) - 1]
        bad = max((b for b in found if b.start <= at), key=lambda b: b.start, default=found[0])
        raise ConfigError(f"{label}:{bad.start}: the stub for the block at lines {bad.start}-{bad.end} "
                          f"would leave the file unparsable ({e.message}); a block must hold whole "
                          "statements at the markers' indentation") from e
    return result, found


def _line_end(line: str) -> str:
    return line[len(line.rstrip("\r\n")):] or "\n"

