"""Score pairs of students block by block, from the fingerprints they share.

Candidate pairs come from the inverted index (students listed under one fingerprint), never from
comparing all pairs. A fingerprint's weight falls with the share of the cohort that has it:

    w(df) = min(1, ln(N / df) / ln(N / 2))   if df <= max(max_share * N, COMMON_FLOOR), else 0

so a fingerprint two students share weighs 1, and the obvious answer that everybody writes weighs
nothing. A student's mass in a block is the weight of its distinct fingerprints; a pair's block
score is the Dice coefficient on weights, 2 shared / (mass_a + mass_b), and the overall score is
the sum of shared weight over the sum of mean masses of the blocks both filled: a block counts in
proportion to the amount of uncommon code in it.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from grader.similarity.cohort import Student
from grader.similarity.fingerprint import MIN_TOKENS, FingerprintIndex, winnow

DEFAULT_MAX_SHARE = 0.1  # a fingerprint in more than 10% of the cohort is the obvious answer
COMMON_FLOOR = 3  # in a small cohort, 3 students may still share code by copying
MATCHED_BLOCK_SCORE = 0.5  # a block at or above this is listed as matched


@dataclass(frozen=True)
class PairScore:
    a: int  # index into the cohort; a < b
    b: int
    overall: float
    blocks: dict[str, float]  # every block both students filled with enough code
    shared: dict[str, frozenset[int]]  # per block, the shared fingerprints of non-zero weight

    @property
    def matched(self) -> list[str]:
        return sorted(k for k, s in self.blocks.items() if s >= MATCHED_BLOCK_SCORE)


class Cohort:
    """Fingerprints, weights and masses of every student's blocks."""

    def __init__(self, students: list[Student], max_share: float = DEFAULT_MAX_SHARE):
        self.students = students
        self.fingerprints: list[dict[str, dict[int, tuple[int, ...]]]] = []
        self.index = FingerprintIndex()
        self._winnowed: dict[tuple[str, ...], dict[int, tuple[int, ...]]] = {}
        for number, student in enumerate(students):
            mine = {}
            for key, block in sorted(student.blocks.items()):
                if len(block.code.tokens) >= MIN_TOKENS:
                    mine[key] = self._winnow(block.code.tokens)
                    self.index.add(number, key, mine[key])
            self.fingerprints.append(mine)
        n = len(students)
        self.cap = max(max_share * n, COMMON_FLOOR)
        self._log_scale = math.log(n / 2) if n > 2 else 0.0
        self.mass = [{key: sum(self.weight(key, h) for h in fps) for key, fps in mine.items()}
                     for mine in self.fingerprints]

    def _winnow(self, tokens: tuple[str, ...]) -> dict[int, tuple[int, ...]]:
        if tokens not in self._winnowed:
            self._winnowed[tokens] = winnow(tokens)
        return self._winnowed[tokens]

    def weight(self, key: str, h: int) -> float:
        return self._weight_of_frequency(self.index.frequency(key, h))

    def _weight_of_frequency(self, df: int) -> float:
        if df > self.cap:
            return 0.0
        if self._log_scale == 0.0 or df <= 2:
            return 1.0
        return min(1.0, math.log(len(self.students) / df) / self._log_scale)

    def scored_blocks(self, student: int) -> set[str]:
        return set(self.fingerprints[student])

    def score_pairs(self) -> list[PairScore]:
        """All pairs sharing weighted code, best first (ties by label, so output is stable)."""
        shared: dict[tuple[int, int], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        previous = [s.previous for s in self.students]
        for key, postings in sorted(self.index.postings.items()):
            for h, holders in postings.items():
                if len(holders) < 2 or len(holders) > self.cap:
                    continue
                for i, a in enumerate(holders):
                    for b in holders[i + 1:]:
                        if not (previous[a] and previous[b]):
                            shared[(a, b)][key].append(h)
        pairs = [self._pair(a, b, blocks) for (a, b), blocks in shared.items()]
        labels = [s.label for s in self.students]
        pairs.sort(key=lambda p: (-p.overall, labels[p.a], labels[p.b]))
        return [p for p in pairs if p.overall > 0]

    def _pair(self, a: int, b: int, shared: dict[str, list[int]]) -> PairScore:
        both = sorted(self.scored_blocks(a) & self.scored_blocks(b))
        scores: dict[str, float] = {}
        kept: dict[str, frozenset[int]] = {}
        total_shared = total_mass = 0.0
        for key in both:
            mean_mass = (self.mass[a][key] + self.mass[b][key]) / 2
            common = frozenset(shared.get(key, ()))
            weight = sum(self.weight(key, h) for h in common)
            scores[key] = round(weight / mean_mass, 4) if mean_mass else 0.0
            if weight:
                kept[key] = common
            total_shared += weight
            total_mass += mean_mass
        overall = round(total_shared / total_mass, 4) if total_mass else 0.0
        return PairScore(a, b, overall, scores, kept)
