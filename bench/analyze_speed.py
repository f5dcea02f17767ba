"""How long code_analyze takes for one submission, as a ratio to reading + difflib of the same files.

The submission is the reference solution (reference/codes/) against a stubbed copy of it (each
TODO block holding `pass`), i.e. what the hand-out's _codes/ will be. Target: <= 0.2 s per
submission in-process. Also timed in the same run: the CLI as students run it (a fresh
interpreter), and LibCST's parse alone of the files with blocks, which is why the analyzer
walks `ast` instead.

    python bench/analyze_speed.py [--repeat 20]
"""
from __future__ import annotations

import argparse
import difflib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # works with or without `pip install -e .`

from code_analyze.blocks import find_blocks, split_lines  # noqa: E402
from code_analyze.summary import analyze_dirs, render_summary  # noqa: E402
REFERENCE = ROOT / "reference" / "codes"
TARGET_S = 0.2


def _stub(text: str) -> str:
    lines = split_lines(text)
    for block in reversed(find_blocks(text)[0]):
        lines[block.start:block.end - 1] = [block.indent + "pass"]
    return "\n".join(lines)


def _median_s(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _baseline(origin: Path, target: Path) -> None:
    """What the course's original tool did: read both copies and diff them line by line."""
    for old in sorted(origin.glob("*.py")):
        new = target / old.name
        list(difflib.unified_diff(old.read_text(encoding="utf-8").splitlines(),
                                  new.read_text(encoding="utf-8").splitlines()))


def _libcst_parse(target: Path) -> None:
    import libcst

    for path in sorted(target.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if find_blocks(text)[0]:
            libcst.parse_module(text)
            libcst.parse_module(_stub(text))  # the pristine copy needs parsing too


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        origin = Path(scratch) / "_codes"
        origin.mkdir()
        for source in sorted(REFERENCE.glob("*.py")):
            (origin / source.name).write_text(_stub(source.read_text(encoding="utf-8")),
                                              encoding="utf-8")
        output = Path(scratch) / "summary.txt"
        cli = [sys.executable, str(ROOT / "code_analyze" / "analyze.py"), "--origin-dir",
               str(origin), "--target-dir", str(REFERENCE), "--output", str(output)]
        rows = {
            "baseline: read + difflib": _median_s(lambda: _baseline(origin, REFERENCE), args.repeat),
            "analyzer in-process": _median_s(
                lambda: render_summary(analyze_dirs(origin, REFERENCE)), args.repeat),
            "LibCST parse only (for comparison)": _median_s(lambda: _libcst_parse(REFERENCE), 3),
            "interpreter start (python -c pass)": _median_s(
                lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 5),
            "analyzer CLI (fresh interpreter)": _median_s(
                lambda: subprocess.run(cli, check=True, capture_output=True), 5),
        }
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in REFERENCE.glob("*.py"))
    print(f"one submission: {len(list(REFERENCE.glob('*.py')))} files, {lines} lines; "
          f"median of {args.repeat} (subprocess rows: 5, LibCST: 3)")
    baseline = rows["baseline: read + difflib"]
    for name, seconds in rows.items():
        print(f"  {name:38s} {seconds * 1000:8.1f} ms  {seconds / baseline:7.1f}x baseline")
    in_process = rows["analyzer in-process"]
    print(f"target <= {TARGET_S} s in-process: {'met' if in_process <= TARGET_S else 'NOT met'}")
    return 0 if in_process <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
