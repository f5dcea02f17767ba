"""Copy rings: groups of students who share the same uncommon code.

A fingerprint held by many students is usually the obvious answer, and weighs little. But fifteen
identical copies in a class of twenty-two also make every fingerprint of the copied code "held by
many". The two differ in how the holders share: students who wrote the obvious line each wrote
the rest their own way, while a ring shares it all. So fingerprints are grouped by their exact set
of holders H; a set holding at least RING_MIN_FINGERPRINTS of them is a ring when its members
share (all of them hold) at least RING_SHARE of their code, and then the fingerprints held by
exactly H are not discounted: their sharing is concentrated in a group that shares it all.

Clusters are what the report shows: students joined by pairs that share at least CLUSTER_OVERALL
of their code (the overall score), found with a union-find over those pairs.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from grader.similarity.fingerprint import Postings, ranges

RING_SHARE = 0.6  # a ring's members all hold at least 60% of their fingerprints
RING_MIN_FINGERPRINTS = 8  # held by exactly the group: about three lines of code
CLUSTER_OVERALL = 0.5  # two students whose overall score reaches this share their code
CLUSTER_MIN_SIZE = 3  # two students are a pair, not a cluster


def ring_fingerprints(postings: list[Postings], sizes: np.ndarray) -> list[np.ndarray]:
    """Per Postings, a mask of the fingerprints held by exactly a ring. `sizes`: how many
    fingerprints each student holds. Sets of holders are compared by a 64-bit signature (a sum
    of mixed student numbers), so grouping costs one sort; only sets holding enough fingerprints
    are then checked, each from one member's fingerprints."""
    offsets = np.cumsum([0] + [len(p.holders) for p in postings])
    ptr = np.concatenate([*(p.ptr[:-1] + offset for p, offset in zip(postings, offsets)), offsets[-1:]])
    holders = np.concatenate([p.holders for p in postings])
    df = np.diff(ptr)
    ring = np.zeros(len(df), dtype=bool)
    candidates = np.flatnonzero(df >= 3)
    if len(candidates):  # every fingerprint has a holder, so no segment is empty
        signature = np.add.reduceat(_mix(holders.astype(np.uint64)), ptr[:-1])[candidates]
        _, group, count = np.unique(np.stack([signature, df[candidates].astype(np.uint64)]), axis=1,
                                    return_inverse=True, return_counts=True)
        group = group.ravel()
        big = np.flatnonzero(count >= RING_MIN_FINGERPRINTS)
        if len(big):
            first = np.full(len(count), -1)
            first[group[::-1]] = candidates[::-1]  # each group's first fingerprint
            owned = _by_student(holders, df)
            rings = [g for g in big.tolist() if _shares_it_all(holders[ptr[first[g]]:ptr[first[g] + 1]],
                                                              owned, ptr, holders, df, sizes)]
            ring[candidates[np.isin(group, rings)]] = True
    ends = np.cumsum([len(p.ptr) - 1 for p in postings])
    return np.split(ring, ends[:-1])


def _by_student(holders: np.ndarray, df: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each student's fingerprints: (fingerprints ordered by student, start of each student)."""
    fids = np.repeat(np.arange(len(df)), df)
    order = np.argsort(holders, kind="stable")
    starts = np.searchsorted(holders[order], np.arange(int(holders.max()) + 2))
    return fids[order], starts


def _shares_it_all(group: np.ndarray, owned, ptr, holders, df, sizes) -> bool:
    """Do the students of `group` all hold at least RING_SHARE of their fingerprints?"""
    fids, starts = owned
    mine = fids[starts[group[0]]:starts[group[0] + 1]]
    mine = mine[df[mine] >= len(group)]
    if not len(mine):
        return False
    inside = np.isin(holders[ranges(ptr[mine], df[mine])], group)
    held_by_all = np.add.reduceat(inside, np.cumsum(df[mine]) - df[mine]) == len(group)
    return int(held_by_all.sum()) >= RING_SHARE * float(sizes[group].mean())


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: student numbers -> well-spread 64-bit values (wrapping arithmetic)."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@dataclass(frozen=True)
class Cluster:
    members: tuple[int, ...]  # students, by label
    pairs: int  # pairs inside it that share at least CLUSTER_OVERALL of their code
    mean_overall: float

    def shared(self, pairs) -> list[str]:
        """Where the cluster's listed pairs (PairScores) match, most often first: the blocks and
        locations matched in at least half of them."""
        members = set(self.members)
        inside = [p for p in pairs if p.a in members and p.b in members]
        counts: dict[str, int] = {}
        for pair in inside:
            for where in pair.matched:
                counts[where] = counts.get(where, 0) + 1
        return sorted((w for w, c in counts.items() if 2 * c >= len(inside)), key=lambda w: (-counts[w], w))


def count(n: int, noun: str) -> str:
    """`1 cluster`, `2 clusters`."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def find_clusters(a: np.ndarray, b: np.ndarray, overall: np.ndarray, labels: list[str]) -> list[Cluster]:
    """Connected groups of at least CLUSTER_MIN_SIZE students over the pairs (a, b), largest first."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for x, y in zip(a.tolist(), b.tolist()):
        rx, ry = root(x), root(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    groups: dict[int, list[int]] = {}
    for x in parent:
        groups.setdefault(root(x), []).append(x)
    sums: dict[int, list[float]] = {}
    for x, value in zip(a.tolist(), overall.tolist()):
        sums.setdefault(root(x), []).append(value)
    clusters = [Cluster(tuple(sorted(members, key=lambda s: labels[s])), len(sums[r]),
                        round(sum(sums[r]) / len(sums[r]), 4))
                for r, members in groups.items() if len(members) >= CLUSTER_MIN_SIZE]
    return sorted(clusters, key=lambda c: (-len(c.members), -c.mean_overall, labels[c.members[0]]))
