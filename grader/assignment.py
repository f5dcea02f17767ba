"""An assignment is data the grader loads: reference code, hidden tests, points, limits, layout.

The default is this repository's own MLP homework (grader/assignments/mlp/); another course's
version is another folder with its own assignment.toml, passed as `grade --assignment DIR`.
"""
from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import ConfigError

DEFAULT_ASSIGNMENT_DIR = Path(__file__).resolve().parent / "assignments" / "mlp"


@dataclass(frozen=True)
class Limits:
    """Per-request limits of the sandboxed worker; `grade --timeout/--memory` override some."""

    call_timeout_s: float = 10.0
    """Wall clock for one proxy call (construct, method, attribute)."""
    task_timeout_s: float = 240.0
    """Wall clock for one run_task (e.g. training on MNIST)."""
    memory_mb: int = 2048
    """Address-space limit of the worker (RLIMIT_AS)."""
    cpu_s: int = 900
    """CPU seconds for the worker's whole life (RLIMIT_CPU)."""
    max_processes: int = 64
    max_file_mb: int = 64
    max_open_files: int = 256
    max_output_kb: int = 64
    """Student prints kept per call; the rest is dropped."""

    def replace(self, **changes) -> "Limits":
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


@dataclass(frozen=True)
class Assignment:
    name: str
    root: Path
    reference_dir: Path
    """Trusted reference codes/ (imported in the parent only)."""
    student_files: tuple[str, ...]
    """The codes/*.py the worker imports."""
    required_files: tuple[str, ...]
    hidden_dir: Path
    tasks_file: Path | None
    """Trusted helper functions run inside the worker (training loops)."""
    limits: Limits
    points: dict[str, float] = field(default_factory=dict)
    """Test function name -> points: the one table of points (assignment.toml [points])."""
    point_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Group name -> its tests, in table order. `[points."layers.py:Selu"]` groups cover the TODO
    blocks of that class (the hand-out README shows each group's sum); tests written directly
    under [points] have no group."""
    visibility: dict[str, str] = field(default_factory=dict)
    default_visibility: str = "after_due_date"
    settings: dict = field(default_factory=dict)
    """Free-form [settings] table for the hidden tests (e.g. the accuracy thresholds)."""
    pristine_dir: Path | None = None
    """Optional hand-out codes/ (`pristine = "..."`, relative to DIR) that summary.txt is checked against."""

    @property
    def bonus_tests(self) -> frozenset[str]:
        """[settings] bonus_tests: tests whose points come on top of the maximum."""
        return frozenset(self.settings.get("bonus_tests", ()))

    @property
    def max_score(self) -> float:
        """The points at stake, bonus tests left out."""
        return round(sum(v for k, v in self.points.items() if k not in self.bonus_tests), 6)


def load_assignment(path: Path | str | None = None) -> Assignment:
    root = Path(path).resolve() if path else DEFAULT_ASSIGNMENT_DIR
    toml_path = root / "assignment.toml"
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{toml_path}: no assignment.toml; pass --assignment a folder that has one") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{toml_path}: not valid TOML ({e}); fix the file") from None
    try:
        limits = Limits(**data.get("limits", {}))
    except TypeError as e:
        raise ConfigError(f"{toml_path}: [limits] has an unknown key ({e})") from None
    tasks = data.get("tasks")
    points, groups = _read_points(data.get("points", {}), toml_path)
    assignment = Assignment(
        name=data.get("name", root.name),
        root=root,
        reference_dir=(root / data.get("reference", "reference")).resolve(),
        student_files=tuple(data.get("student_files", ())),
        required_files=tuple(data.get("required_files", data.get("student_files", ()))),
        hidden_dir=(root / data.get("hidden_tests", "hidden")).resolve(),
        tasks_file=(root / tasks).resolve() if tasks else None,
        limits=limits,
        points=points,
        point_groups=groups,
        visibility=dict(data.get("visibility", {})),
        default_visibility=data.get("default_visibility", "after_due_date"),
        settings=dict(data.get("settings", {})),
        pristine_dir=(root / data["pristine"]).resolve() if data.get("pristine") else None,
    )
    for what, p in (("reference", assignment.reference_dir), ("hidden_tests", assignment.hidden_dir)):
        if not p.is_dir():
            raise ConfigError(f"{toml_path}: {what} folder {p} does not exist")
    if not assignment.student_files:
        raise ConfigError(f"{toml_path}: student_files is empty; list the codes/*.py to grade")
    unknown = sorted(assignment.bonus_tests - set(assignment.points))
    if unknown:
        raise ConfigError(f"{toml_path}: [settings] bonus_tests names {', '.join(unknown)}, which [points] "
                          "does not list; fix the name or add its points")
    return assignment


def _read_points(table: dict, toml_path: Path) -> tuple[dict[str, float], dict[str, tuple[str, ...]]]:
    """Flatten [points]: plain `test = n` entries and `[points."group"]` sub-tables of them."""
    points: dict[str, float] = {}
    groups: dict[str, tuple[str, ...]] = {}

    def add(test: str, value) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{toml_path}: [points] {test} = {value!r} is not a number")
        if test in points:
            raise ConfigError(f"{toml_path}: [points] lists {test} twice; keep one")
        points[test] = float(value)

    for key, value in table.items():
        if isinstance(value, dict):
            for test, n in value.items():
                add(test, n)
            groups[key] = tuple(value)
        else:
            add(key, value)
    return points, groups
