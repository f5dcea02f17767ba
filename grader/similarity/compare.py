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

import functools
import math
from dataclasses import dataclass

import numpy as np

from grader.similarity.cohort import Student
from grader.similarity.fingerprint import MIN_TOKENS, FingerprintIndex, winnow

DEFAULT_MAX_SHARE = 0.1  # a fingerprint in more than 10% of the cohort is the obvious answer
COMMON_FLOOR = 3  # in a small cohort, 3 students may still share code by copying
MATCHED_BLOCK_SCORE = 0.5  # a block at or above this is listed as matched
MIN_OVERALL = 0.1  # pairs below this (and without a matched block) are not listed
MAX_PAIRS = 5000  # at most this many pairs are listed, the best first


@dataclass(frozen=True)
class PairScore:
    a: int  # index into the cohort; a < b
    b: int
    overall: float
    blocks: dict[str, float]  # every block both students filled with enough code

    @property
    def matched(self) -> list[str]:
        return sorted(k for k, s in self.blocks.items() if s >= MATCHED_BLOCK_SCORE)


class Cohort:
    """Fingerprints, weights and masses of every student's blocks."""

    def __init__(self, students: list[Student], max_share: float = DEFAULT_MAX_SHARE):
        self.students = students
        self.fingerprints: list[dict[str, dict[int, tuple[int, ...]]]] = []
        self.index = FingerprintIndex()
        winnowed: dict[tuple[str, ...], dict[int, tuple[int, ...]]] = {}
        for number, student in enumerate(students):
            mine = {}
            for key, block in sorted(student.blocks.items()):
                tokens = block.code.tokens
                if len(tokens) >= MIN_TOKENS:
                    if tokens not in winnowed:
                        winnowed[tokens] = winnow(tokens)
                    mine[key] = winnowed[tokens]
                    self.index.add(number, key, mine[key])
            self.fingerprints.append(mine)
        n = len(students)
        self.cap = max(max_share * n, COMMON_FLOOR)
        scale = math.log(n / 2) if n > 2 else 0.0
        self.weights = {key: {h: _weight(len(holders), n, self.cap, scale)
                              for h, holders in postings.items()}
                        for key, postings in self.index.postings.items()}
        self.mass = [{key: sum(self.weights[key][h] for h in fps) for key, fps in mine.items()}
                     for mine in self.fingerprints]

    def score_pairs(self) -> list[PairScore]:
        """Pairs that share a matched block or MIN_OVERALL of their code, best first.

        Shared weight is summed over the inverted index with numpy (a cohort of 1,000 has
        millions of (pair, fingerprint) hits); only the pairs kept are scored block by block.
        """
        keys = sorted(self.index.postings)
        hits = self._shared_hits(keys)
        if hits is None:
            return []
        a, b, block, weight = hits
        n, nb = len(self.students), len(keys)
        mass = np.zeros((n, nb))
        scored = np.zeros((n, nb), dtype=bool)
        for s, mine in enumerate(self.mass):
            for k, key in enumerate(keys):
                if key in mine:
                    mass[s, k], scored[s, k] = mine[key], True
        pair_block, inverse = np.unique((a * n + b) * nb + block, return_inverse=True)
        shared = np.bincount(inverse, weights=weight)
        pb_a, pb_b, pb_k = pair_block // nb // n, pair_block // nb % n, pair_block % nb
        block_score = shared / np.maximum((mass[pb_a, pb_k] + mass[pb_b, pb_k]) / 2, 1e-12)
        pair, inverse = np.unique(pair_block // nb, return_inverse=True)
        total = np.bincount(inverse, weights=shared)
        best = np.zeros(len(pair))
        np.maximum.at(best, inverse, block_score)
        pa, pb = pair // n, pair % n
        both = scored[pa] & scored[pb]
        overall = total / np.maximum(((mass[pa] + mass[pb]) / 2 * both).sum(axis=1), 1e-12)
        keep = np.flatnonzero((overall >= MIN_OVERALL) | (best >= MATCHED_BLOCK_SCORE))
        keep = keep[np.lexsort((pair[keep], -np.round(overall[keep], 4)))][:MAX_PAIRS]
        scores: dict[int, dict[str, float]] = {int(p): {} for p in keep}
        for p, k, score in zip(inverse, pb_k, block_score):
            if int(p) in scores:
                scores[int(p)][keys[k]] = round(float(score), 4)
        pairs = []
        for p in keep:
            x, y = int(pa[p]), int(pb[p])
            blocks = {keys[k]: 0.0 for k in np.flatnonzero(both[p])}
            blocks.update(scores[int(p)])
            pairs.append(PairScore(x, y, round(float(overall[p]), 4), dict(sorted(blocks.items()))))
        labels = [s.label for s in self.students]
        pairs.sort(key=lambda p: (-p.overall, labels[p.a], labels[p.b]))
        return pairs

    def _shared_hits(self, keys: list[str]):
        """(student a, student b, block, weight) for each fingerprint two students share."""
        previous = np.array([s.previous for s in self.students], dtype=bool)
        parts = []
        for k, key in enumerate(keys):
            weights = self.weights[key]
            for h, holders in self.index.postings[key].items():
                if len(holders) >= 2 and weights[h] > 0:
                    i, j = _upper_pairs(len(holders))
                    held = np.asarray(holders)
                    parts.append((held[i], held[j], k, weights[h]))
        if not parts:
            return None
        a = np.concatenate([p[0] for p in parts])
        b = np.concatenate([p[1] for p in parts])
        sizes = [len(p[0]) for p in parts]
        block = np.repeat([p[2] for p in parts], sizes)
        weight = np.repeat([p[3] for p in parts], sizes)
        mask = ~(previous[a] & previous[b])
        return a[mask], b[mask], block[mask], weight[mask]

    def shared_fingerprints(self, a: int, b: int, key: str) -> set[int]:
        """The fingerprints of non-zero weight that block `key` of students a and b share."""
        weights = self.weights.get(key, {})
        mine, theirs = self.fingerprints[a].get(key, {}), self.fingerprints[b].get(key, {})
        return {h for h in mine.keys() & theirs.keys() if weights.get(h, 0) > 0}


def _weight(df: int, n: int, cap: float, scale: float) -> float:
    if df > cap:
        return 0.0
    if scale == 0.0 or df <= 2:
        return 1.0
    return min(1.0, math.log(n / df) / scale)


@functools.lru_cache(maxsize=None)
def _upper_pairs(size: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(size, 1)
