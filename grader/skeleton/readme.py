"""The hand-out's settings (reference/handout.toml) and the READMEs rendered from them.

Points are not kept here: the README's table sums the groups of the assignment's one points table
(`[points."layers.py:Gelu"]` in assignment.toml), the same numbers the grader scores with. Every
TODO block must fall in a group and every "<file>:<Class>" group must cover a block.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from string import Template

from grader.assignment import Assignment, load_assignment
from grader.errors import ConfigError
from grader.skeleton.stubs import StubbedBlock

HERE = Path(__file__).resolve().parent
STUDENT_README = HERE / "student_readme.md"
DATA_README = HERE / "data_readme.md"
CLASS_GROUP = re.compile(r"^(?P<file>[\w/]+\.py):(?P<cls>\w+)$")


@dataclass(frozen=True)
class HandoutConfig:
    name: str  # top folder of the published zip
    assignment_dir: Path  # whose [points] and accuracy threshold the README shows


@dataclass(frozen=True)
class PointGroup:
    title: str
    blocks: tuple[str, ...]  # "Gelu.forward", ... (empty for checks that are not one class)
    points: float
    bonus: bool


def load_config(path: Path, label: str) -> HandoutConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"{label}: not found; it names the hand-out and its assignment") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{label}: not valid TOML ({e})") from e
    if "assignment" not in data:
        raise ConfigError(f"{label}: no `assignment = \"<folder>\"`; name the assignment whose "
                          "points the README shows")
    return HandoutConfig(name=str(data.get("name", "hw1")),
                         assignment_dir=(path.parent / data["assignment"]).resolve())


def point_groups(config: HandoutConfig, blocks: list[StubbedBlock], label: str
                 ) -> tuple[Assignment, list[PointGroup]]:
    assignment = load_assignment(config.assignment_dir)
    toml = f"{config.assignment_dir.name}/assignment.toml"
    bonus_tests = set(assignment.settings.get("bonus_tests", ()))
    groups, covered = [], set()
    for title, tests in assignment.point_groups.items():
        match = CLASS_GROUP.match(title)
        names: tuple[str, ...] = ()
        if match:
            names = tuple(b.qualname for b in blocks
                          if b.file == match["file"] and b.qualname.split(".")[0] == match["cls"])
            if not names:
                raise ConfigError(f"{toml}: [points.\"{title}\"] names no TODO block of "
                                  "reference/codes/; fix the name or make it a plain group")
            covered |= {f"{match['file']}:{n}" for n in names}
            title = f"`{match['cls']}` (codes/{match['file']})"
        groups.append(PointGroup(title, names, sum(assignment.points[t] for t in tests),
                                 bool(tests) and set(tests) <= bonus_tests))
    missing = [b.key for b in blocks if b.key not in covered]
    if missing:
        raise ConfigError(f"{label}: block {missing[0]!r} has no [points.\"<file>:<Class>\"] group "
                          f"in {toml}; add one")
    return assignment, groups


def _number(value: float) -> str:
    return f"{value:g}"


def _table(groups: list[PointGroup]) -> str:
    rows = ["| What is graded | TODO blocks | Points |", "| --- | --- | --- |"]
    for g in groups:
        blocks = ", ".join(f"`{b}`" for b in g.blocks) or "-"
        rows.append(f"| {g.title} | {blocks} | {_number(g.points)}{' (bonus)' if g.bonus else ''} |")
    return "\n".join(rows)


def _listing(items: list[str]) -> str:
    return " and ".join(filter(None, [", ".join(items[:-1]), items[-1]])) if items else "codes/"


def render_student_readme(config: HandoutConfig, blocks: list[StubbedBlock], label: str) -> str:
    assignment, groups = point_groups(config, blocks, label)
    accuracy = assignment.settings.get("accuracy", {}).get("full_points_at", 0.95)
    return Template(STUDENT_README.read_text(encoding="utf-8")).substitute(
        name=config.name,
        blocks_table=_table(groups),
        block_count=len(blocks),
        files=_listing([f"`codes/{f}`" for f in sorted({b.file for b in blocks})]),
        total_points=_number(sum(g.points for g in groups if not g.bonus)),
        bonus_points=_number(sum(g.points for g in groups if g.bonus)),
        min_accuracy=f"{accuracy * 100:g}%",
    )


def render_data_readme(config: HandoutConfig) -> str:
    return Template(DATA_README.read_text(encoding="utf-8")).substitute(name=config.name)
