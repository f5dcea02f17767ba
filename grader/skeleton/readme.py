"""The hand-out README, rendered from the assignment's template ([handout] readme).

Points are not kept here: the README's table sums the groups of the assignment's one points table
(`[points."<file>:<Class>"]` in assignment.toml), the same numbers the grader scores with. Every
block must fall in a group and every "<file>:<Class>" group must cover a block.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from grader.assignment import Assignment
from grader.errors import ConfigError
from grader.skeleton.stubs import StubbedBlock

CLASS_GROUP = re.compile(r"^(?P<file>[\w/]+\.py):(?P<cls>\w+)$")


@dataclass(frozen=True)
class PointGroup:
    title: str
    blocks: tuple[str, ...]  # "Class.method", ... (empty for checks that are not one class)
    points: float
    bonus: bool


def group_of(assignment: Assignment, block: StubbedBlock) -> str | None:
    """The `[points."<file>:<Class>"]` group whose class (or top-level function) holds the block."""
    owner = block.qualname.split(".")[0]
    return next((title for title in assignment.point_groups
                 if (m := CLASS_GROUP.match(title)) and m["file"] == block.file and m["cls"] == owner), None)


def point_groups(assignment: Assignment, blocks: list[StubbedBlock]) -> list[PointGroup]:
    """The README's rows; raises ConfigError when a class group names no block or a block has no group."""
    toml = assignment.root / "assignment.toml"
    bonus_tests = assignment.bonus_tests
    groups = []
    for title, tests in assignment.point_groups.items():
        match = CLASS_GROUP.match(title)
        names: tuple[str, ...] = ()
        if match:
            names = tuple(b.qualname for b in blocks
                          if b.file == match["file"] and b.qualname.split(".")[0] == match["cls"])
            if not names:
                raise ConfigError(f"{toml}: [points.\"{title}\"] names no block of the reference's "
                                  f"{match['file']}; fix the name or make it a plain group")
            title = f"`{match['cls']}` ({assignment.layout.shown(match['file'])})"
        groups.append(PointGroup(title, names, sum(assignment.points[t] for t in tests),
                                 bool(tests) and set(tests) <= bonus_tests))
    missing = [b.key for b in blocks if group_of(assignment, b) is None]
    if missing:
        raise ConfigError(f"{toml}: block {missing[0]!r} has no [points.\"<file>:<Class>\"] group; add one")
    return groups


def _number(value: float) -> str:
    return f"{value:g}"


def _table(groups: list[PointGroup]) -> str:
    rows = ["| What is graded | TODO blocks | Points |", "| --- | --- | --- |"]
    for g in groups:
        blocks = ", ".join(f"`{b}`" for b in g.blocks) or "-"
        rows.append(f"| {g.title} | {blocks} | {_number(g.points)}{' (bonus)' if g.bonus else ''} |")
    return "\n".join(rows)


def _listing(items: list[str]) -> str:
    return " and ".join(filter(None, [", ".join(items[:-1]), items[-1]])) if items else ""


def _settings_variables(table: dict, prefix: str = "") -> dict[str, str]:
    """[settings] numbers as template variables: accuracy.full_points_at = 0.95 gives
    $accuracy_full_points_at (0.95) and $accuracy_full_points_at_percent (95%), so the README
    quotes the very numbers the grader uses."""
    found: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            found.update(_settings_variables(value, name + "_"))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            found[name] = _number(value)
            found[name + "_percent"] = f"{value * 100:g}%"
    return found


def render_student_readme(assignment: Assignment, blocks: list[StubbedBlock]) -> str:
    """The [handout] readme template with its $variables filled (docs/authoring.md lists them)."""
    groups = point_groups(assignment, blocks)
    variables = {
        **_settings_variables(assignment.settings),
        "name": assignment.handout.name,
        "title": assignment.title,
        "blocks_table": _table(groups),
        "block_count": str(len(blocks)),
        "files": _listing([f"`{assignment.layout.shown(f)}`" for f in sorted({b.file for b in blocks})]),
        "total_points": _number(sum(g.points for g in groups if not g.bonus)),
        "bonus_points": _number(sum(g.points for g in groups if g.bonus)),
    }
    try:
        return Template(assignment.handout.readme.read_text(encoding="utf-8")).substitute(variables)
    except KeyError as e:
        raise ConfigError(f"{assignment.handout.readme}: ${e.args[0]} is not a template variable; "
                          f"use one of {', '.join(sorted(variables))}") from None
    except ValueError as e:
        raise ConfigError(f"{assignment.handout.readme}: {e}; write a literal dollar as $$") from None
