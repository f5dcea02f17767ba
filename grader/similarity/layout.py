"""Where a submission keeps its code, and what the hand-out gave: the one place that knows.

The assignment decides both; code_layout() reads them from it, so that an assignment declaring
another layout (flat files instead of codes/, other file types) changes this file only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.assignment import Assignment, Layout
from grader.errors import ConfigError


@dataclass(frozen=True)
class CodeLayout:
    """The code folder of a submission and the hand-out's pristine files (name -> text)."""

    folder: str = "codes"
    pattern: str = "*.py"
    pristine: dict[str, str] = field(default_factory=dict)
    """Empty when the assignment names no hand-out: then only the TODO blocks are compared."""
    submission: Layout | None = None
    """The assignment's [submission] layout, for opening archives (None: the root is guessed)."""

    def code_folder(self, path: Path) -> Path | None:
        """path/<folder>, or <folder> under a single top folder (students zip the folder itself)."""
        for _ in range(3):
            if (path / self.folder).is_dir():
                return path / self.folder
            children = [p for p in path.iterdir() if not p.name.startswith((".", "__MACOSX"))]
            if len(children) != 1 or not children[0].is_dir():
                return None
            path = children[0]
        return None


def code_layout(assignment: Assignment) -> CodeLayout:
    """The layout of `assignment`'s submissions: its code folder's *.py, the hand-out from its pristine_dir."""
    pristine: dict[str, str] = {}
    if assignment.pristine_dir is not None:
        if not assignment.pristine_dir.is_dir():
            raise ConfigError(f"{assignment.pristine_dir}: the hand-out's code folder (pristine in "
                              f"{assignment.root / 'assignment.toml'}) does not exist")
        for file in sorted(assignment.pristine_dir.glob("*.py")):
            pristine[file.name] = file.read_text(encoding="utf-8")
    return CodeLayout(assignment.layout.code_folder, "*.py", pristine, assignment.layout)
