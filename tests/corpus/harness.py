"""What the corpus harnesses share (test_corpus_*.py load it by path: pytest runs in importlib mode):
the cases of a corpus folder, and reading one batch's results.json files, test by test, per [points]
group."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

KINDS = ("correct", "buggy", "empty")
SIGNATURE = re.compile(r"none|factor:\S+|transposed|sign-region|wrong-axis|offset|overflow")
"""case.toml's `signature` of a buggy case (tests/corpus/README.md)."""


@dataclass(frozen=True)
class Case:
    kind: str
    name: str
    folder: Path
    spec: dict
    """case.toml"""

    @property
    def sid(self) -> str:
        return f"{self.kind}-{self.name}"

    def files(self, names: tuple[str, ...]) -> dict[str, str]:
        """The student's files among `names` that the case holds."""
        return {n: (self.folder / n).read_text(encoding="utf-8") for n in names if (self.folder / n).is_file()}


def load_cases(corpus: Path) -> list[Case]:
    """Every <kind>/<name>/ folder of a corpus, with its case.toml, kinds in KINDS order."""
    return [Case(kind, folder.name, folder, tomllib.loads((folder / "case.toml").read_text(encoding="utf-8")))
            for kind in KINDS for folder in sorted(p for p in (corpus / kind).iterdir() if p.is_dir())]


def tests_of(results: dict) -> list[dict]:
    """The hidden tests of one results.json (not the synthetic rows: notes, could-not-grade)."""
    return [t for t in results["tests"] if not t.get("extra_data", {}).get("synthetic")]


def max_score(results: dict) -> float:
    return sum(t["max_score"] for t in tests_of(results))


def losses(results: dict, group_of: dict[str, str]) -> list[tuple[str, str, dict]]:
    """(group, test, the results.json test) for every test that lost points."""
    return [(group_of.get(t["extra_data"]["test"], "(no group)"), t["extra_data"]["test"], t)
            for t in tests_of(results) if t["score"] < t["max_score"]]


def describe(found: list[tuple[str, str, dict]]) -> str:
    return "\n".join(f"  [{group}] {test} {t['score']:g}/{t['max_score']:g} ({t['extra_data'].get('status')}): "
                     f"{' '.join(t['output'].split())[:300]}" for group, test, t in found)


def won(results: dict, group_of: dict[str, str]) -> str:
    """Every test that scored, one line each."""
    return "\n".join(f"  [{group_of.get(t['extra_data']['test'], '(no group)')}] {t['extra_data']['test']} "
                     f"{t['score']:g}/{t['max_score']:g}" for t in tests_of(results) if t["score"] > 0)


def graded_or_fail(results: dict, sid: str) -> None:
    extra = results.get("extra_data", {})
    if extra.get("could_not_grade"):
        pytest.fail(f"{sid}: could not be graded: {extra.get('error')}", pytrace=False)


def check_verdict(case: Case, results: dict, skeleton: float, group_of: dict[str, str], may_lose, limit: str) -> None:
    """Fail unless the case gets its due: correct -> full marks; buggy -> loses points, and only in
    tests `may_lose(group, test)` allows (`limit` says which, for the message); empty -> no more
    than the skeleton's score."""
    what = f"{case.sid} ({case.spec['description']})"
    score, lost = results["score"], losses(results, group_of)
    if case.kind == "correct":
        if score != max_score(results):
            pytest.fail(f"{what} is correct but scored {score:g} of {max_score(results):g}:\n{describe(lost)}",
                        pytrace=False)
    elif case.kind == "buggy":
        outside = [loss for loss in lost if not may_lose(loss[0], loss[1])]
        if not lost:
            pytest.fail(f"{what} lost no points", pytrace=False)
        if outside:
            pytest.fail(f"{what} lost points outside {limit}:\n{describe(outside)}", pytrace=False)
    elif score > skeleton:
        pytest.fail(f"{what} scored {score:g}, the skeleton {skeleton:g}; its points:\n{won(results, group_of)}",
                    pytrace=False)
