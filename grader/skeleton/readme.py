"""The hand-out's settings (reference/handout.toml) and the READMEs rendered from them.

handout.toml is the one source of truth for the points of each block; the README table is built
from it and from the blocks actually found, and the two must agree exactly.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from string import Template

from grader.errors import ConfigError
from grader.skeleton.stubs import StubbedBlock

HERE = Path(__file__).resolve().parent
STUDENT_README = HERE / "student_readme.md"
DATA_README = HERE / "data_readme.md"


@dataclass(frozen=True)
class HandoutConfig:
    name: str  # top folder of the published zip
    min_test_accuracy: float  # share of the MNIST test set the README asks for
    points: dict[str, float]  # "layers.py:Gelu.backward" -> points
    bonus: frozenset[str]  # keys of blocks whose points come on top of the total


def load_config(path: Path, label: str) -> HandoutConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"{label}: not found; it lists the points of each TODO block") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{label}: not valid TOML ({e})") from e
    points = data.get("points", {})
    if not isinstance(points, dict) or not all(isinstance(v, (int, float)) for v in points.values()):
        raise ConfigError(f"{label}: [points] must map \"<file>:<Class.method>\" to a number")
    return HandoutConfig(name=str(data.get("name", "hw1")),
                         min_test_accuracy=float(data.get("min_test_accuracy", 0.95)),
                         points=dict(points), bonus=frozenset(data.get("bonus", [])))


def check_points(config: HandoutConfig, blocks: list[StubbedBlock], label: str) -> None:
    """Every block has points and every [points] entry (and bonus) names a block."""
    keys = [b.key for b in blocks]
    missing = [k for k in keys if k not in config.points]
    if missing:
        raise ConfigError(f"{label}: [points] has no entry for block {missing[0]!r}; add one")
    stale = sorted((set(config.points) | config.bonus) - set(keys))
    if stale:
        raise ConfigError(f"{label}: {stale[0]!r} names no TODO block of reference/codes/; "
                          "remove it or fix the name")


def _listing(items: list[str]) -> str:
    return " and ".join(filter(None, [", ".join(items[:-1]), items[-1]])) if items else "codes/"


def _number(value: float) -> str:
    return f"{value:g}"


def _table(config: HandoutConfig, blocks: list[StubbedBlock]) -> str:
    rows = ["| File | Block | Points |", "| --- | --- | --- |"]
    for b in blocks:
        bonus = " (bonus)" if b.key in config.bonus else ""
        rows.append(f"| codes/{b.file} | `{b.qualname}` | {_number(config.points[b.key])}{bonus} |")
    return "\n".join(rows)


def render_student_readme(config: HandoutConfig, blocks: list[StubbedBlock]) -> str:
    regular = sum(config.points[b.key] for b in blocks if b.key not in config.bonus)
    bonus = sum(config.points[b.key] for b in blocks if b.key in config.bonus)
    return Template(STUDENT_README.read_text(encoding="utf-8")).substitute(
        name=config.name,
        blocks_table=_table(config, blocks),
        block_count=len(blocks),
        files=_listing([f"`codes/{f}`" for f in sorted({b.file for b in blocks})]),
        total_points=_number(regular),
        bonus_points=_number(bonus),
        min_accuracy=f"{config.min_test_accuracy * 100:g}%",
    )


def render_data_readme(config: HandoutConfig) -> str:
    return Template(DATA_README.read_text(encoding="utf-8")).substitute(name=config.name)
