"""summary.txt: compare the pristine codes with the student's and render the course's format.

The format is fixed by ../shared/docs/assignment-interface.md ("summary.txt format"). Paths are
written as `_codes/<file>` and `../codes/<file>` whatever folders were compared, with `/`
separators and `\\n` line ends, so a re-run anywhere gives the same bytes.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from code_analyze.blocks import DEFAULT_MARKERS, Markers
from code_analyze.compare import FileReport, FilledBlock, compare_file
from code_analyze.source import UnreadableError, read_bytes, read_pristine

ORIGIN_LABEL = "_codes"
TARGET_LABEL = "../codes"
RULE = "#" * 24
ANALYZER_DIR = Path(__file__).resolve().parent  # never listed as a student's file
IGNORED_DIRS = frozenset({"__pycache__"})


@dataclass(frozen=True)
class Analysis:
    """Everything summary.txt says, before rendering."""

    missing_files: tuple[str, ...]  # in the pristine folder only
    additional_files: tuple[str, ...]  # in the student's folder only
    files: tuple[FileReport, ...]  # in both, sorted by path
    markers: Markers = DEFAULT_MARKERS


def list_files(root: Path) -> list[str]:
    """Relative paths (with `/`) of the files under `root`, sorted."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in IGNORED_DIRS
                   and Path(folder, d).resolve() != ANALYZER_DIR]
        found += [Path(folder, name).relative_to(root).as_posix() for name in files]
    return sorted(found)


def analyze_dirs(origin: Path, target: Path, markers: Markers = DEFAULT_MARKERS) -> Analysis:
    old, new = set(list_files(origin)), set(list_files(target))
    reports = tuple(_compare(name, origin / name, target / name, markers)
                    for name in sorted(old & new))
    return Analysis(tuple(sorted(old - new)), tuple(sorted(new - old)), reports, markers)


def _compare(name: str, pristine: Path, student: Path, markers: Markers) -> FileReport:
    try:
        data = read_bytes(student)
    except UnreadableError as exc:
        return FileReport.unread(name, str(exc))
    return compare_file(name, read_pristine(pristine.read_bytes(), name.endswith(".py")), data,
                        markers)


def references(analysis: Analysis) -> list[str]:
    """Each distinct `# Reference:` text of the shown code, in order of first appearance."""
    seen: dict[str, None] = {}
    for report in analysis.files:
        for block in report.blocks:
            for line in block.lines:
                text = analysis.markers.reference_text(line)
                if text:
                    seen.setdefault(text)
    return list(seen)


def problems(analysis: Analysis, markers_only: bool = False) -> list[str]:
    """One student-facing line per finding: missing files, unreadable files, broken markers
    (`markers_only`: just the lines about markers and the hand-out's protected lines)."""
    found = [] if markers_only else [f"{name} is missing from codes/"
                                     for name in analysis.missing_files]
    for report in analysis.files:
        if not markers_only and report.parse_error:
            found.append(f"{report.name}: does not parse ({report.parse_error})")
        elif not markers_only and report.note:
            found.append(f"{report.name}: {report.note}")
        found += [f"{report.name}:{block.number} markers missing"
                  + (f" ({block.scope})" if block.scope else "")
                  for block in report.blocks if block.markers_missing]
        found += [f"{report.name}: hand-out line {line} '{text}' changed or removed"
                  for line, text in report.todo_changes]
    return found


def _section(title: str, lines: list[str]) -> list[str]:
    return [RULE, f"# {title}", RULE, *lines, ""]


def block_heading(name: str, block: FilledBlock) -> str:
    heading = f"# {TARGET_LABEL}/{name}:{block.number}"
    if not block.markers_missing:
        return heading
    if not block.scope:
        return f"{heading} markers missing"
    if not block.scope_found:
        return f"{heading} markers missing; {block.scope} not found"
    return f"{heading} markers missing; {block.scope} as it now stands:"


def _filled_code(analysis: Analysis) -> list[str]:
    lines: list[str] = []
    for report in analysis.files:
        if report.note:
            lines += [f"# {TARGET_LABEL}/{report.name}: {report.note}", ""]
        for block in report.blocks:
            lines += [block_heading(report.name, block), *block.lines, ""]
    return lines


def _other_modifications(analysis: Analysis) -> list[str]:
    lines: list[str] = []
    for report in analysis.files:
        if report.modifications:
            lines.append(f"# {ORIGIN_LABEL}/{report.name} -> {TARGET_LABEL}/{report.name}")
            lines += report.modifications
    return lines


def render_summary(analysis: Analysis) -> str:
    lines: list[str] = []
    if analysis.missing_files:
        lines += _section("Missing Files", [f"# {name}" for name in analysis.missing_files])
    if analysis.additional_files:
        lines += _section("Additional Files", [f"# {name}" for name in analysis.additional_files])
    lines += _section("Filled Code", _filled_code(analysis))
    lines += _section("References", [f"# {text}" for text in references(analysis)])
    lines += _section("Other Modifications", _other_modifications(analysis))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def write_summary(text: str, output: Path) -> None:
    """Write atomically, so an interrupted run never leaves half a summary."""
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=".summary-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
