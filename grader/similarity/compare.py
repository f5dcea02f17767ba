"""The cohort's fingerprints, how much each weighs, and each student's mass of code per block.

A fingerprint's weight falls with the number of students that hold it (df):

    w(df) = min(1, ln(N / df) / ln(N / 2))   if df <= cap, else 0
    cap   = max(min(max_share * N, max_holders), COMMON_FLOOR)

so a fingerprint two students share weighs 1, and the obvious answer that everybody writes weighs
nothing. Code that max_holders (300) students wrote is the obvious answer however large the cohort:
at 10,000 students the share alone would let a fingerprint held by 1,000 pair half a million of
them (without the cap, scoring 10,000 takes 30 s instead of 8, for an average precision of 0.867
instead of 0.851 on the benchmark; up to 3,000 students the cap changes nothing). One exception:
a fingerprint whose holders form a group that shares it all (rings.py) weighs 1, so a ring of
fifteen copies in a class of twenty-two is not discounted as common code.

A student's mass m in a block is the weight of its distinct fingerprints. The scores (pairs.py):

    block score   d_k = s_k / ((m_a,k + m_b,k) / 2)          (Dice coefficient on weights)
    overall       o   = sum_k s_k / sum_k (m_a,k + m_b,k) / 2  (blocks both filled)
    evidence      e_k = d_k^2 * (1 - exp(-c * s_k / EVIDENCE_WEIGHT)),  c = min(1, ln(N/2) / ln(25))
    score             = max(o, max_k e_k)                     (pairs are ranked by this)

where s_k is the weight of the fingerprints a pair shares in block k. The overall score dilutes
one copied block among twenty honest ones; the evidence term does not: a block matched almost
whole (d_k near 1) on a lot of uncommon code (s_k several times EVIDENCE_WEIGHT) is a copy
whatever the other blocks hold, while a short or common match stays low however exactly it
matches. c is how far the cohort can tell rare code from code everyone would write: in a class of
five, two honest students who both typed the hand-out's update formula share "rare" fingerprints;
from RARITY_COHORT students on, a fingerprint two of them share is rare indeed.

Code outside the blocks (outside.py) is matched wherever the other student has it, since moving
code is the disguise: for a location L of student a (`helpers.py (new file)`), s_L is the weight of
its fingerprints that b holds anywhere, weighed by how many students hold them anywhere, and
d_L = s_L / m_a,L (how much of it b has); it adds an evidence term, not to the overall score.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
import numpy as np

from grader.similarity.blocks import HASH_DTYPE
from grader.similarity.cohort import Student
from grader.similarity.fingerprint import Postings, distinct, keyed_ids
from grader.similarity.rings import ring_fingerprints

DEFAULT_MAX_SHARE = 0.1  # a fingerprint in more than 10% of the cohort is the obvious answer
MAX_HOLDERS = 300  # ... and so is one that more than 300 students wrote (the share alone up to 3,000)
COMMON_FLOOR = 3  # in a small cohort, 3 students may still share code by copying
# Shared fingerprint weight at which a block's evidence reaches 63% of its block score: about two
# lines of code nobody else wrote (one fingerprint per ~2.5 tokens).
EVIDENCE_WEIGHT = 8.0
RARITY_COHORT = 50  # students needed before a fingerprint held by two counts as rare evidence
MATCHED_BLOCK_SCORE = 0.5  # a block (or other location) at or above this is listed as matched


@dataclass(frozen=True)
class PairScore:
    a: int  # index into the cohort; a < b
    b: int
    score: float  # the ranking score: max(overall, evidence)
    overall: float
    evidence: float  # the strongest block's (or location's) evidence
    blocks: dict[str, float]  # block score of every block both filled; code outside the blocks
    # appears under its location (`helpers.py (new file)`) when some of it matched

    @property
    def matched(self) -> list[str]:
        return sorted(k for k, s in self.blocks.items() if s >= MATCHED_BLOCK_SCORE)


class Cohort:
    """Fingerprints, weights and masses of every student's blocks and other code, as arrays.

    Blocks: incidence i says student block_student[i] holds fingerprint block_fid[i], a
    (block key, hash) pair. Other code: student extra_student[i] holds hash any_hash[extra_xid[i]]
    at location extra_loc[i]; `any_postings` lists, per such hash, every student holding it in any
    block or location.
    """

    def __init__(self, students: list[Student], max_share: float = DEFAULT_MAX_SHARE,
                 max_holders: int = MAX_HOLDERS):
        self.students = students
        n = len(students)
        self.previous = np.array([s.previous for s in students], dtype=bool)
        self.keys = sorted({k for s in students for k, b in s.blocks.items() if b.fingerprints})
        self.locations = sorted({u.key for s in students for u in s.extras if u.fingerprints})
        self._read_blocks()
        self._read_extras()
        self.cap = max(min(max_share * n, max_holders or n), COMMON_FLOOR)
        sizes = (np.bincount(self.block_student, minlength=n)
                 + np.bincount(self.extra_student, minlength=n)).astype(np.float64)
        ring_block, ring_any = ring_fingerprints([self.postings, self.any_postings], sizes)
        self.block_weight = self._weights(self.postings.df, ring_block)
        self.any_weight = self._weights(self.any_postings.df, ring_any)
        nb = len(self.keys)
        cell = self.block_student * nb + self.fid_key[self.block_fid]
        self.mass = np.bincount(cell, self.block_weight[self.block_fid], n * nb).reshape(n, nb)
        self.filled = np.bincount(cell, minlength=n * nb).reshape(n, nb) > 0
        # mass of each (student, location) holding code outside the blocks, keyed s * L + loc
        owner = self.extra_student * max(len(self.locations), 1) + self.extra_loc
        self.extra_cells, cell_ids = np.unique(owner, return_inverse=True)
        self.extra_mass = np.bincount(cell_ids.ravel(), self.any_weight[self.extra_xid], len(self.extra_cells))
        self._weight_maps: dict = {}

    def _read_blocks(self) -> None:
        column = {key: i for i, key in enumerate(self.keys)}
        self.block_student, keys, hashes = _incidences(
            [(number, column[key], block.fingerprints) for number, student in enumerate(self.students)
             for key, block in sorted(student.blocks.items()) if block.fingerprints])
        first, self.block_fid = keyed_ids(keys, hashes, len(self.keys))
        self.fid_key, self.fid_hash = keys[first], hashes[first]  # sorted by (key, hash)
        self.postings = Postings.build(self.block_student, self.block_fid, len(first))

    def _read_extras(self) -> None:
        """Each student's hashes by location, and for each hash every student holding it anywhere."""
        column = {loc: i for i, loc in enumerate(self.locations)}
        who_a, where_a, hash_a = _incidences([(number, column[unit.key], unit.fingerprints)
                                              for number, student in enumerate(self.students)
                                              for unit in student.extras if unit.fingerprints])
        first, _ = distinct(who_a, where_a, hash_a)  # a location's units may repeat a hash
        self.extra_student, self.extra_loc = who_a[first], where_a[first]
        self.any_hash = np.unique(hash_a)
        self.extra_xid = np.searchsorted(self.any_hash, hash_a[first])
        elsewhere = np.isin(self.fid_hash, self.any_hash)[self.block_fid]
        any_student = np.concatenate([self.block_student[elsewhere], self.extra_student])
        any_xid = np.concatenate([np.searchsorted(self.any_hash, self.fid_hash[self.block_fid[elsewhere]]),
                                  self.extra_xid])
        first, _ = distinct(any_xid, any_student)
        self.any_postings = Postings.build(any_student[first], any_xid[first], len(self.any_hash))

    def _weights(self, df: np.ndarray, ring: np.ndarray) -> np.ndarray:
        n = len(self.students)
        scale = math.log(n / 2) if n > 2 else 0.0
        values, where = np.unique(df, return_inverse=True)
        table = np.array([_weight(int(d), n, self.cap, scale) for d in values], dtype=np.float64)
        weights = table[where.ravel()] if len(df) else np.zeros(0)
        weights[ring] = 1.0
        return weights

    @property
    def confidence(self) -> float:
        """c: how far the cohort can tell rare code from code everyone would write."""
        return min(1.0, math.log(max(len(self.students), 2) / 2) / math.log(RARITY_COHORT / 2))

    def mass_of(self, student: int, key: str) -> float:
        """Weight of student's distinct fingerprints in block `key` (0 when it has none)."""
        return float(self.mass[student, self.keys.index(key)]) if key in self.keys else 0.0

    def shared_fingerprints(self, a: int, b: int, key: str) -> set[int]:
        """The fingerprints of non-zero weight that block `key` of students a and b share."""
        weights = self._weight_map(key)
        mine, theirs = self.students[a].blocks.get(key), self.students[b].blocks.get(key)
        if mine is None or theirs is None:
            return set()
        return {h for h in mine.hashes() & theirs.hashes() if weights.get(h, 0) > 0}

    def shared_outside(self, owner: int, other: int, location: str) -> set[int]:
        """The fingerprints of non-zero weight of owner's code at `location` that `other` holds
        anywhere (a block or another location)."""
        weights = self._weight_map(None)
        theirs = self.students[other]
        held = set().union(*(b.hashes() for b in theirs.blocks.values()), *(u.hashes() for u in theirs.extras))
        mine = set().union(*(u.hashes() for u in self.students[owner].extras if u.key == location))
        return {h for h in mine & held if weights.get(h, 0) > 0}

    def _weight_map(self, key: str | None) -> dict[int, float]:
        """hash -> weight in block `key` (None: outside the blocks), for the few pairs a report shows."""
        if key not in self._weight_maps:
            if key is None:
                hashes, weights = self.any_hash, self.any_weight
            else:
                column = self.keys.index(key) if key in self.keys else -1
                chosen = self.fid_key == column
                hashes, weights = self.fid_hash[chosen], self.block_weight[chosen]
            self._weight_maps[key] = dict(zip(hashes.tolist(), weights.tolist()))
        return self._weight_maps[key]


def _incidences(rows: list[tuple[int, int, bytes]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(student, column, hash) for each hash of rows of (student, column, packed hashes)."""
    who, where, packed = zip(*rows) if rows else ((), (), ())
    counts = np.fromiter((len(p) // HASH_DTYPE.itemsize for p in packed), dtype=np.int64, count=len(packed))
    hashes = np.frombuffer(b"".join(packed), HASH_DTYPE).astype(np.uint64)
    return (np.repeat(np.array(who, dtype=np.int64), counts), np.repeat(np.array(where, dtype=np.int64), counts),
            hashes)


def _weight(df: int, n: int, cap: float, scale: float) -> float:
    if df > cap:
        return 0.0
    if scale == 0.0 or df <= 2:
        return 1.0
    return min(1.0, math.log(n / df) / scale)
