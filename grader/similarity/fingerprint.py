"""k-gram fingerprints of a token stream, selected by winnowing, and an inverted index over them.

Winnowing (Schleimer, Wilkerson & Aiken, SIGMOD 2003): hash every k-gram of tokens, then keep the
smallest hash of each window of w consecutive k-grams (the rightmost on ties). Any match of at
least w + k - 1 tokens shares a fingerprint, and no match shorter than k tokens does.
"""
from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence

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


class FingerprintIndex:
    """Per block key, fingerprint hash -> the students whose block has it (ascending)."""

    def __init__(self) -> None:
        self.postings: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))

    def add(self, student: int, key: str, fingerprints: Iterable[int]) -> None:
        """Students must be added in ascending order, so each posting list stays sorted."""
        block = self.postings[key]
        for h in fingerprints:
            block[h].append(student)

    def frequency(self, key: str, h: int) -> int:
        """How many students' block `key` has fingerprint `h`."""
        return len(self.postings[key].get(h, ()))
