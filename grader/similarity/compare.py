"""Score pairs of students block by block, from the fingerprints they share.

Candidate pairs come from the inverted index (students listed under one fingerprint), never from
comparing all pairs. A fingerprint's weight falls with the share of the cohort that has it:

    w(df) = min(1, ln(N / df) / ln(N / 2))   if df <= max(max_share * N, COMMON_FLOOR), else 0

so a fingerprint two students share weighs 1, and the obvious answer that everybody writes weighs
nothing. A student's mass m in a block is the weight of its distinct fingerprints; for a pair and
a block k both filled, with s_k the weight of the fingerprints they share there:

    block score   d_k = s_k / ((m_a,k + m_b,k) / 2)          (Dice coefficient on weights)
    overall       o   = sum_k s_k / sum_k (m_a,k + m_b,k) / 2  (blocks count by their uncommon code)
    evidence      e_k = d_k^2 * (1 - exp(-c * s_k / EVIDENCE_WEIGHT)),  c = min(1, ln(N/2) / ln(25))
    score             = max(o, max_k e_k)                     (pairs are ranked by this)

The overall score dilutes one copied block among twenty honest ones; the evidence term does not:
a block matched almost whole (d_k near 1) on a lot of uncommon code (s_k several times
EVIDENCE_WEIGHT) is a copy whatever the other blocks hold, while a short or common match (s_k
small, since common fingerprints weigh little) stays low however exactly it matches. c is how far
the cohort can tell rare code from code everyone would write: in a class of five, two honest
students who both typed the hand-out's update formula share "rare" fingerprints; from
RARITY_COHORT students on, a fingerprint two of them share is rare indeed.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from grader.similarity.cohort import Student
from grader.similarity.fingerprint import FingerprintIndex

DEFAULT_MAX_SHARE = 0.1  # a fingerprint in more than 10% of the cohort is the obvious answer
COMMON_FLOOR = 3  # in a small cohort, 3 students may still share code by copying
# Shared fingerprint weight at which a block's evidence reaches 63% of its block score: about two
# lines of code nobody else wrote (one fingerprint per ~2.5 tokens).
EVIDENCE_WEIGHT = 8.0
RARITY_COHORT = 50  # students needed before a fingerprint held by two counts as rare evidence
MATCHED_BLOCK_SCORE = 0.5  # a block at or above this is listed as matched
MIN_SCORE = 0.1  # pairs below this (and without a matched block) are not listed
MAX_PAIRS = 5000  # at most this many pairs are listed, the best first


@dataclass(frozen=True)
class PairScore:
    a: int  # index into the cohort; a < b
    b: int
    score: float  # the ranking score: max(overall, evidence)
    overall: float
    evidence: float  # the strongest block's evidence
    blocks: dict[str, float]  # block score of every block both students filled with enough code

    @property
    def matched(self) -> list[str]:
        return sorted(k for k, s in self.blocks.items() if s >= MATCHED_BLOCK_SCORE)


class Cohort:
    """Fingerprints, weights and masses of every student's blocks."""

    def __init__(self, students: list[Student], max_share: float = DEFAULT_MAX_SHARE):
        self.students = students
        self.fingerprints: list[dict[str, dict[int, tuple[int, ...]]]] = []
        self.index = FingerprintIndex()
        for number, student in enumerate(students):
            mine = {}
            for key, block in sorted(student.blocks.items()):
                if block.fingerprints:
                    mine[key] = block.fingerprints
                    self.index.add(number, key, block.fingerprints)
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
        """Pairs whose score reaches MIN_SCORE or that share a matched block, best first.

        Shared weight is summed over the inverted index with numpy, one block at a time into an
        N x N array (8 MB at N = 1,000); only the pairs kept are turned into PairScores.
        """
        keys = sorted(self.index.postings)
        n, nb = len(self.students), len(keys)
        mass = np.zeros((n, nb))
        scored = np.zeros((n, nb))
        for s, mine in enumerate(self.mass):
            for k, key in enumerate(keys):
                if key in mine:
                    mass[s, k], scored[s, k] = mine[key], 1.0
        # sum over blocks both filled of the mean mass: (M B^T + B M^T) / 2, one matrix product
        product = mass @ scored.T
        denominator = ((product + product.T) / 2).ravel()
        total = np.zeros(n * n)
        evidence = np.zeros(n * n)
        best_block = np.zeros(n * n)
        per_block = []
        confidence = min(1.0, math.log(max(n, 2) / 2) / math.log(RARITY_COHORT / 2))
        for k, (pair, shared) in enumerate(self._shared_by_block(keys)):
            pa, pb = pair // n, pair % n
            block_score = shared / np.maximum((mass[pa, k] + mass[pb, k]) / 2, 1e-12)
            total[pair] += shared
            strength = block_score ** 2 * -np.expm1(-confidence * shared / EVIDENCE_WEIGHT)
            evidence[pair] = np.maximum(evidence[pair], strength)
            best_block[pair] = np.maximum(best_block[pair], block_score)
            per_block.append((pair, block_score))
        overall = total / np.maximum(denominator, 1e-12)
        score = np.maximum(overall, evidence)
        keep = np.flatnonzero((total > 0) & ((score >= MIN_SCORE) | (best_block >= MATCHED_BLOCK_SCORE)))
        keep = keep[np.lexsort((keep, -np.round(score[keep], 4)))][:MAX_PAIRS]
        blocks: dict[int, dict[str, float]] = {int(p): {} for p in keep}
        for k, (pair, block_score) in enumerate(per_block):
            chosen = np.isin(pair, keep)
            for p, value in zip(pair[chosen].tolist(), block_score[chosen].tolist()):
                blocks[p][keys[k]] = round(value, 4)
        pairs = []
        kept_a, kept_b = np.divmod(keep, n)
        both = (scored[kept_a] * scored[kept_b]).astype(bool).tolist()
        for p, x, y, filled_keys in zip(keep.tolist(), kept_a.tolist(), kept_b.tolist(), both):
            filled = {key: 0.0 for key, filled in zip(keys, filled_keys) if filled}
            filled.update(blocks[p])
            pairs.append(PairScore(x, y, round(float(score[p]), 4), round(float(overall[p]), 4),
                                   round(float(evidence[p]), 4), dict(sorted(filled.items()))))
        labels = [s.label for s in self.students]
        pairs.sort(key=lambda p: (-p.score, labels[p.a], labels[p.b]))
        return pairs

    def _shared_by_block(self, keys: list[str]):
        """Per block: the pairs (a * N + b, a < b) sharing a fingerprint there, and the weight
        they share. Two earlier years' students are never a pair."""
        n = len(self.students)
        previous = np.array([s.previous for s in self.students], dtype=bool)
        for key in keys:
            weights = self.weights[key]
            # most shared fingerprints are held by exactly two students: those pairs are listed
            # directly; a larger group gives all its pairs at once
            pair_list: list[int] = []
            weight_list: list[float] = []
            groups, group_weights = [], []
            for h, holders in self.index.postings[key].items():
                weight = weights[h]
                if len(holders) == 2 and weight > 0:
                    pair_list.append(holders[0] * n + holders[1])
                    weight_list.append(weight)
                elif len(holders) > 2 and weight > 0:
                    i, j = _upper_pairs(len(holders))
                    held = np.asarray(holders)
                    groups.append(held[i] * n + held[j])
                    group_weights.append(np.full(len(i), weight))
            pair = np.concatenate([np.asarray(pair_list, dtype=np.int64), *groups])
            weight = np.concatenate([np.asarray(weight_list), *group_weights])
            now = ~(previous[pair // n] & previous[pair % n])
            shared = np.bincount(pair[now], weights=weight[now], minlength=n * n)
            present = np.flatnonzero(shared)
            yield present, shared[present]

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
