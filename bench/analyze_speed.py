"""How long code_analyze takes for one submission, as a ratio to reading + difflib of the same files.

The submission is the reference solution (reference/codes/) against a stubbed copy of it (each
TODO block holding `pass`), i.e. what the hand-out's _codes/ will be. Target: <= 0.2 s per
submission in-process. Timed in the same run, min and median of --repeat runs each:
- the analyzer as shipped (scopes from LibCST, lines counted per statement) and the same analyzer
  with scopes from Python's `ast` (the previous implementation, kept here only for comparison);
- the scopes alone of the files with blocks (2 pristine + 2 student parses): LibCST as shipped,
  `ast`, and LibCST with `PositionProvider` metadata (the slow way the analyzer avoids);
- the cheap scan (limits and statement depths) of every file of both sides;
- one-off costs of a student's run: a fresh interpreter, `import libcst` in it, and the CLI; and
  of the grader's: `python -m code_analyze.verify --json` in a limited child (code_analyze.limited).

    python bench/analyze_speed.py [--repeat 20]
"""
from __future__ import annotations

import argparse
import ast
import difflib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # works with or without `pip install -e .`

from code_analyze import scopes  # noqa: E402
from code_analyze.blocks import find_blocks, split_lines  # noqa: E402
from code_analyze.limited import run_verify_limited  # noqa: E402
from code_analyze.scan import scan  # noqa: E402
from code_analyze.summary import analyze_dirs, render_summary  # noqa: E402
from code_analyze.visitors import Span, definition_spans  # noqa: E402

REFERENCE = ROOT / "reference" / "codes"
TARGET_S = 0.2
SUBPROCESS_REPEAT = 5
METADATA_REPEAT = 3  # PositionProvider is slow; a few runs show it


def _stub(text: str) -> str:
    lines = split_lines(text)
    for block in reversed(find_blocks(text)[0]):
        lines[block.start:block.end - 1] = [block.indent + "pass"]
    return "\n".join(lines)


def _times_s(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(min, median) wall time; the machine is shared, so min is the steadier figure."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def _baseline(origin: Path, target: Path) -> None:
    """What the course's original tool did: read both copies and diff them line by line."""
    for old in sorted(origin.glob("*.py")):
        new = target / old.name
        list(difflib.unified_diff(old.read_text(encoding="utf-8").splitlines(),
                                  new.read_text(encoding="utf-8").splitlines()))


def _ast_spans(text: str) -> list[Span]:
    """The previous implementation: classes and functions from Python's ast, statements only."""
    spans: list[Span] = []

    def visit(statements: list[ast.AST], prefix: str) -> None:
        for node in statements:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                spans.append(Span(prefix + node.name, node.lineno, node.end_lineno or node.lineno))
                visit(node.body, prefix + node.name + ".")
            else:
                for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                    visit(getattr(node, field, ()), prefix)

    visit(ast.parse(text).body, "")
    return spans


def _positions_spans(text: str) -> list[Span]:
    """Scopes the LibCST-textbook way: a visitor reading PositionProvider metadata."""
    import libcst
    from libcst.metadata import MetadataWrapper, PositionProvider

    class Definitions(libcst.CSTVisitor):
        METADATA_DEPENDENCIES = (PositionProvider,)

        def __init__(self) -> None:
            self.spans: list[Span] = []

        def visit_FunctionDef(self, node: libcst.FunctionDef) -> None:
            where = self.get_metadata(PositionProvider, node)
            self.spans.append(Span(node.name.value, where.start.line, where.end.line))

        visit_ClassDef = visit_FunctionDef

    visitor = Definitions()
    MetadataWrapper(libcst.parse_module(text)).visit(visitor)
    return visitor.spans


def _block_texts() -> list[str]:
    """The files a structural pass reads: each file with blocks, reference and stubbed."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(REFERENCE.glob("*.py"))]
    with_blocks = [text for text in texts if find_blocks(text)[0]]
    return with_blocks + [_stub(text) for text in with_blocks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    texts = _block_texts()
    with tempfile.TemporaryDirectory() as scratch:
        origin = Path(scratch) / "_codes"
        origin.mkdir()
        for source in sorted(REFERENCE.glob("*.py")):
            (origin / source.name).write_text(_stub(source.read_text(encoding="utf-8")),
                                              encoding="utf-8")
        output = Path(scratch) / "summary.txt"
        cli = [sys.executable, str(ROOT / "code_analyze" / "analyze.py"), "--origin-dir",
               str(origin), "--target-dir", str(REFERENCE), "--output", str(output)]
        summary = render_summary(analyze_dirs(origin, REFERENCE))
        output.write_text(summary, encoding="utf-8")
        assert run_verify_limited(origin, REFERENCE, output)["matches"], "the child disagrees"
        every_text = [path.read_text(encoding="utf-8")
                      for folder in (origin, REFERENCE) for path in sorted(folder.glob("*.py"))]
        with mock.patch.object(scopes, "definition_spans", _ast_spans):
            assert render_summary(analyze_dirs(origin, REFERENCE)) == summary, "paths disagree"
            ast_analyzer = _times_s(lambda: render_summary(analyze_dirs(origin, REFERENCE)),
                                    args.repeat)
        rows = {
            "baseline: read + difflib": _times_s(lambda: _baseline(origin, REFERENCE), args.repeat),
            "analyzer in-process (LibCST scopes)": _times_s(
                lambda: render_summary(analyze_dirs(origin, REFERENCE)), args.repeat),
            "analyzer in-process (ast scopes)": ast_analyzer,
            "scopes only: LibCST, counted lines": _times_s(
                lambda: [definition_spans(text) for text in texts], args.repeat),
            "scopes only: ast": _times_s(lambda: [_ast_spans(text) for text in texts], args.repeat),
            "scopes only: LibCST PositionProvider": _times_s(
                lambda: [_positions_spans(text) for text in texts], METADATA_REPEAT),
            "scan only, both sides (limits, depths)": _times_s(
                lambda: [scan(text) for text in every_text], args.repeat),
            "interpreter start (python -c pass)": _times_s(
                lambda: subprocess.run([sys.executable, "-c", "pass"], check=True),
                SUBPROCESS_REPEAT),
            "interpreter + import libcst": _times_s(
                lambda: subprocess.run([sys.executable, "-c", "import libcst"], check=True),
                SUBPROCESS_REPEAT),
            "analyzer CLI (fresh interpreter)": _times_s(
                lambda: subprocess.run(cli, check=True, capture_output=True), SUBPROCESS_REPEAT),
            "verify --json in a limited child": _times_s(
                lambda: run_verify_limited(origin, REFERENCE, output), SUBPROCESS_REPEAT),
        }
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in REFERENCE.glob("*.py"))
    print(f"one submission: {len(list(REFERENCE.glob('*.py')))} files, {lines} lines, "
          f"{len(texts)} parses for scopes; {args.repeat} runs (PositionProvider: "
          f"{METADATA_REPEAT}, subprocess rows: {SUBPROCESS_REPEAT})")
    print(f"  {'':38s} {'min ms':>8s} {'median ms':>10s} {'min/baseline':>13s}")
    base_min = rows["baseline: read + difflib"][0]
    for name, (least, middle) in rows.items():
        print(f"  {name:38s} {least * 1000:8.1f} {middle * 1000:10.1f} {least / base_min:12.1f}x")
    least, middle = rows["analyzer in-process (LibCST scopes)"]
    verdict = "met" if middle <= TARGET_S else "NOT met"
    print(f"target <= {TARGET_S} s in-process (median): {verdict}")
    return 0 if middle <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
