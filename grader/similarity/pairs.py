"""Score the pairs that share fingerprints, a slice of students at a time, and keep the best.

Candidate pairs come from the inverted index (the holders of one fingerprint), never from all
N^2 pairs. The students are cut into slices of rows a; for a slice, every (a, b > a, block,
weight) incidence of a shared fingerprint is listed, summed per pair and block by one sort, and
scored (the formulas are in compare.py). Only the best MAX_PAIRS pairs so far and the pairs that
join a cluster are kept, so memory grows with what a slice shares, not with N^2.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.similarity.compare import EVIDENCE_WEIGHT, MATCHED_BLOCK_SCORE, Cohort, PairScore
from grader.similarity.fingerprint import ranges
from grader.similarity.rings import CLUSTER_OVERALL, Cluster, find_clusters

MIN_SCORE = 0.1  # pairs below this (and without a matched block) are not listed
MAX_PAIRS = 5000  # at most this many pairs are listed, the best first
SLICE_INCIDENCES = 1 << 20  # pair incidences handled at once (about 200 MB of arrays)
DENOMINATOR_ROWS = 1 << 16  # pairs whose mass rows are gathered at once (11 MB at 21 blocks)


@dataclass
class _Kept:
    """The best pairs so far (a * N + b), their scores, and their per-column block scores."""

    pair: np.ndarray
    score: np.ndarray
    overall: np.ndarray
    evidence: np.ndarray
    entry_pair: np.ndarray
    entry_column: np.ndarray
    entry_score: np.ndarray


def score_pairs(cohort: Cohort) -> tuple[list[PairScore], list[Cluster]]:
    """The listed pairs, best first, and the clusters."""
    n = len(cohort.students)
    labels = [s.label for s in cohort.students]
    rank = np.empty(n, dtype=np.int64)  # ties are broken by the labels
    rank[sorted(range(n), key=labels.__getitem__)] = np.arange(n)
    blocks, extras = _block_incidences(cohort), _extra_incidences(cohort)
    per_row = np.bincount(blocks[0], blocks[3], n) + np.bincount(extras[0], minlength=n)
    filled = cohort.filled.astype(np.float64)
    kept = _Kept(*(np.zeros(0, dtype=t) for t in (np.int64, float, float, float, np.int64, np.int64, float)))
    edges, edge_overall = [], []
    for r0, r1 in _slices(per_row):
        parts = zip(_block_slice(cohort, blocks, r0, r1), _extra_slice(extras, r0, r1))
        a, b, column, weight = (np.concatenate(part) for part in parts)
        now = ~(cohort.previous[a] & cohort.previous[b])  # two earlier years' students: no pair
        if not now.any():
            continue
        found, best = _score_slice(cohort, filled, a[now], b[now], column[now], weight[now])
        joined = found.overall >= CLUSTER_OVERALL
        edges.append(found.pair[joined])
        edge_overall.append(found.overall[joined])
        listed = (found.score >= MIN_SCORE) | (best >= MATCHED_BLOCK_SCORE)
        if len(kept.pair) == MAX_PAIRS:  # a pair below the worst kept score cannot enter
            listed &= np.round(found.score, 4) >= np.round(kept.score, 4).min()
        kept = _concatenate(kept, _subset(found, _top(found, listed, rank, n)))
        if len(kept.pair) > MAX_PAIRS:
            kept = _subset(kept, _top(kept, np.ones(len(kept.pair), dtype=bool), rank, n))
    edge = np.concatenate(edges) if edges else np.zeros(0, dtype=np.int64)
    overall = np.concatenate(edge_overall) if edges else np.zeros(0)
    clusters = find_clusters(edge // n, edge % n, overall, labels)
    pairs = _pair_scores(cohort, kept)
    pairs.sort(key=lambda p: (-p.score, labels[p.a], labels[p.b]))
    return pairs, clusters


def _block_incidences(cohort: Cohort) -> tuple[np.ndarray, ...]:
    """(student, fingerprint, rank among its holders, later holders) of each block incidence that
    pairs its student with later holders, in student order."""
    postings, fid = cohort.postings, cohort.block_fid
    later = postings.df[fid] - postings.rank - 1
    use = (cohort.block_weight[fid] > 0) & (later > 0)
    return cohort.block_student[use], fid[use], postings.rank[use], later[use]


def _block_slice(cohort: Cohort, blocks, r0: int, r1: int) -> tuple[np.ndarray, ...]:
    """(a, b, column, weight) of the shared block fingerprints of students a in [r0, r1), b > a."""
    student, fid, rank, later = blocks
    lo, hi = np.searchsorted(student, [r0, r1])
    student, fid, rank, later = student[lo:hi], fid[lo:hi], rank[lo:hi], later[lo:hi]
    b = cohort.postings.holders[ranges(cohort.postings.ptr[fid] + rank + 1, later)]
    return (np.repeat(student, later), b, np.repeat(cohort.fid_key[fid], later),
            np.repeat(cohort.block_weight[fid], later))


def _extra_incidences(cohort: Cohort) -> tuple[np.ndarray, ...]:
    """(a, b, column, weight) for code outside the blocks: the owner's hash against every other
    holder of it anywhere; column = blocks + 2 * location + (1 if the owner is b); sorted by a."""
    postings = cohort.any_postings
    weight = cohort.any_weight[cohort.extra_xid]
    use = weight > 0
    owner, xid, loc, weight = cohort.extra_student[use], cohort.extra_xid[use], cohort.extra_loc[use], weight[use]
    lengths = postings.df[xid]
    other = postings.holders[ranges(postings.ptr[xid], lengths)]
    owner, loc, weight = (np.repeat(x, lengths) for x in (owner, loc, weight))
    differ = other != owner
    owner, other, loc, weight = owner[differ], other[differ], loc[differ], weight[differ]
    a, b = np.minimum(owner, other), np.maximum(owner, other)
    column = len(cohort.keys) + 2 * loc + (owner == b)
    order = np.argsort(a, kind="stable")
    return a[order], b[order], column[order], weight[order]


def _extra_slice(extras, r0: int, r1: int) -> tuple[np.ndarray, ...]:
    lo, hi = np.searchsorted(extras[0], [r0, r1])
    return tuple(x[lo:hi] for x in extras)


def _slices(per_row: np.ndarray):
    """Row ranges [r0, r1) of about SLICE_INCIDENCES incidences (one row may have more)."""
    total = np.cumsum(per_row)
    r0 = 0
    while r0 < len(per_row):
        before = total[r0 - 1] if r0 else 0
        r1 = max(int(np.searchsorted(total, before + SLICE_INCIDENCES, side="right")), r0 + 1)
        yield r0, r1
        r0 = r1


def _score_slice(cohort: Cohort, filled: np.ndarray, a, b, column, weight) -> tuple[_Kept, np.ndarray]:
    """Every pair of the (non-empty) slice with its scores and per-column scores, and its best
    column score."""
    n, nb = len(cohort.students), len(cohort.keys)
    columns = nb + 2 * len(cohort.locations)
    cell, where = np.unique((a * n + b) * columns + column, return_inverse=True)
    shared = np.bincount(where.ravel(), weight, len(cell))
    pair, column = np.divmod(cell, columns)
    pa, pb = np.divmod(pair, n)
    score = np.empty(len(cell))
    block = column < nb
    k = column[block]
    score[block] = shared[block] / np.maximum((cohort.mass[pa[block], k] + cohort.mass[pb[block], k]) / 2, 1e-12)
    other = ~block
    if other.any():  # d_L = s_L / m_owner,L
        loc, side = np.divmod(column[other] - nb, 2)
        owner = np.where(side == 1, pb[other], pa[other])
        at = np.searchsorted(cohort.extra_cells, owner * max(len(cohort.locations), 1) + loc)
        score[other] = shared[other] / np.maximum(cohort.extra_mass[at], 1e-12)
    strength = score ** 2 * -np.expm1(-cohort.confidence * shared / EVIDENCE_WEIGHT)
    starts = np.flatnonzero(np.concatenate(([True], pair[1:] != pair[:-1])))
    found = pair[starts]
    total = np.add.reduceat(np.where(block, shared, 0.0), starts)
    evidence = np.maximum.reduceat(strength, starts)
    best = np.maximum.reduceat(score, starts)
    overall = total / np.maximum(_mean_mass(cohort.mass, filled, *np.divmod(found, n)), 1e-12)
    return _Kept(found, np.maximum(overall, evidence), overall, evidence, pair, column, score), best


def _mean_mass(mass: np.ndarray, filled: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair, the sum over the blocks both filled of the mean mass, (m_a . f_b + f_a . m_b) / 2,
    a few rows at a time. Not a matrix product: OpenBLAS allocates its buffers on first use and
    exits the process when it cannot, where numpy raises MemoryError."""
    out = np.empty(len(a))
    for i in range(0, len(a), DENOMINATOR_ROWS):
        x, y = a[i:i + DENOMINATOR_ROWS], b[i:i + DENOMINATOR_ROWS]
        out[i:i + DENOMINATOR_ROWS] = (np.einsum("ij,ij->i", mass[x], filled[y])
                                       + np.einsum("ij,ij->i", filled[x], mass[y])) / 2
    return out


def _subset(kept: _Kept, chosen: np.ndarray) -> _Kept:
    """The chosen pairs (a mask over kept.pair) and their entries."""
    pairs = kept.pair[chosen]
    entries = np.isin(kept.entry_pair, pairs)
    return _Kept(pairs, kept.score[chosen], kept.overall[chosen], kept.evidence[chosen],
                 kept.entry_pair[entries], kept.entry_column[entries], kept.entry_score[entries])


def _concatenate(one: _Kept, two: _Kept) -> _Kept:
    return _Kept(*(np.concatenate([x, y]) for x, y in zip(vars(one).values(), vars(two).values())))


def _top(kept: _Kept, chosen: np.ndarray, rank: np.ndarray, n: int) -> np.ndarray:
    """A mask of the MAX_PAIRS best chosen pairs: highest score (to 4 decimals), then by labels."""
    index = np.flatnonzero(chosen)
    if len(index) > MAX_PAIRS:
        a, b = np.divmod(kept.pair[index], n)
        index = index[np.lexsort((rank[b], rank[a], -np.round(kept.score[index], 4)))[:MAX_PAIRS]]
    mask = np.zeros(len(kept.pair), dtype=bool)
    mask[index] = True
    return mask


def _pair_scores(cohort: Cohort, kept: _Kept) -> list[PairScore]:
    n, nb = len(cohort.students), len(cohort.keys)
    values: dict[int, dict[str, float]] = {}
    for p, column, value in zip(kept.entry_pair.tolist(), kept.entry_column.tolist(), kept.entry_score.tolist()):
        where = cohort.keys[column] if column < nb else cohort.locations[(column - nb) // 2]
        mine = values.setdefault(p, {})
        mine[where] = max(mine.get(where, 0.0), round(value, 4))
    pairs = []
    for p, score, overall, evidence in zip(kept.pair.tolist(), kept.score.tolist(), kept.overall.tolist(),
                                           kept.evidence.tolist()):
        a, b = divmod(p, n)
        both = np.flatnonzero(cohort.filled[a] & cohort.filled[b]).tolist()
        blocks = {cohort.keys[k]: 0.0 for k in both}
        blocks.update(values.get(p, {}))
        pairs.append(PairScore(a, b, round(score, 4), round(overall, 4), round(evidence, 4),
                               dict(sorted(blocks.items()))))
    return pairs
