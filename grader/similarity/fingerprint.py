"""k-gram fingerprints of a token stream, selected by winnowing, and an inverted index over them.

Winnowing (Schleimer, Wilkerson & Aiken, SIGMOD 2003): hash every k-gram of tokens, then keep the
smallest hash of each window of w consecutive k-grams (the rightmost on ties). Any match of at
least w + k - 1 tokens shares a fingerprint, and no match shorter than k tokens does.
"""
from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

KGRAM_TOKENS = 5
WINDOW_KGRAMS = 4
MIN_TOKENS = KGRAM_TOKENS + WINDOW_KGRAMS - 1  # a block shorter than this is not scored

_token_ids: dict[str, int] = {}  # crc32 is stable across runs, unlike hash(str)


def _token_id(token: str) -> int:
    value = _token_ids.get(token)
    if value is None:
        value = _token_ids[token] = zlib.crc32(token.encode("utf-8", "surrogatepass"))
    return value


# k-gram hash: sum of token ids times powers of a prime, wrapping at 2**64 (a polynomial hash)
_POWERS = np.array([pow(1_000_003, KGRAM_TOKENS - 1 - j, 2**64) for j in range(KGRAM_TOKENS)],
                   dtype=np.uint64)


def winnow(tokens: Sequence[str]) -> dict[int, tuple[int, ...]]:
    """Fingerprint hash -> start positions (token indices) of the k-grams it was taken from."""
    ids = np.array([_token_ids.get(t) or _token_id(t) for t in tokens], dtype=np.uint64)
    n = len(ids) - KGRAM_TOKENS + 1
    if n < 1:
        return {}
    hashes = ids[:n] * _POWERS[0]
    for j in range(1, KGRAM_TOKENS):
        hashes += ids[j:j + n] * _POWERS[j]
    hashes >>= np.uint64(1)  # plain Python ints below 2**63
    # each window's minimum, then its rightmost position: later offsets overwrite earlier ones
    width = min(WINDOW_KGRAMS, n)
    count = n - width + 1
    low = hashes[:count].copy()
    for j in range(1, width):
        np.minimum(low, hashes[j:j + count], out=low)
    offset = np.zeros(count, dtype=np.int64)
    for j in range(1, width):
        offset[hashes[j:j + count] == low] = j
    chosen = offset + np.arange(count)
    chosen = chosen[np.concatenate(([True], chosen[1:] != chosen[:-1]))]
    out: dict[int, list[int]] = defaultdict(list)
    for h, position in zip(hashes[chosen].tolist(), chosen.tolist()):
        out[h].append(position)
    return {h: tuple(p) for h, p in out.items()}


@dataclass(frozen=True)
class Postings:
    """An inverted index as flat arrays: fingerprint id -> the students that hold it, ascending.

    The holders of fingerprint f are holders[ptr[f]:ptr[f + 1]]. Kept as numpy arrays, not
    dicts of lists: a cohort of 30,000 holds millions of (student, fingerprint) incidences.
    """

    ptr: np.ndarray  # int64, one more than there are fingerprints
    holders: np.ndarray  # int64 students
    rank: np.ndarray  # per incidence as given to build(): its student's place among the holders

    @property
    def df(self) -> np.ndarray:
        """How many students hold each fingerprint."""
        return np.diff(self.ptr)

    @classmethod
    def build(cls, students: np.ndarray, fids: np.ndarray, count: int) -> "Postings":
        """From incidences (student, fingerprint id), each pair at most once."""
        order = np.lexsort((students, fids))
        ptr = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(np.bincount(fids, minlength=count), out=ptr[1:])
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order)) - ptr[fids[order]]
        return cls(ptr, students[order].astype(np.int64), rank)


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenated index ranges [start, start + length): e.g. the holders of some fingerprints."""
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()), dtype=np.int64)


def distinct(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each distinct row of `columns` (compared left to right), and each row's
    id among them, ids in sorted order of the rows."""
    if not len(columns[0]):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.lexsort(columns[::-1])
    new = np.zeros(len(order), dtype=bool)
    new[0] = True
    for column in columns:
        ordered = column[order]
        new[1:] |= ordered[1:] != ordered[:-1]
    ids = np.empty(len(order), dtype=np.int64)
    ids[order] = np.cumsum(new) - 1
    return order[new], ids


def keyed_ids(keys: np.ndarray, hashes: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """distinct(keys, hashes) for keys in range(count) (block columns), one key at a time: a few
    small sorts cost a quarter of one sort of (key, hash) rows."""
    order = np.argsort(keys.astype(np.int16 if count < 2**15 else np.int64), kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(count + 1))
    ids = np.empty(len(keys), dtype=np.int64)
    first = [np.zeros(0, dtype=np.int64)]
    base = 0
    for key in range(count):
        segment = order[bounds[key]:bounds[key + 1]]
        _, at, where = np.unique(hashes[segment], return_index=True, return_inverse=True)
        ids[segment] = where.ravel() + base
        first.append(segment[at])
        base += len(at)
    return np.concatenate(first), ids
