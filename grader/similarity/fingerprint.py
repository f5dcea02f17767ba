"""k-gram fingerprints of a token stream, selected by winnowing, and an inverted index over them.

Winnowing (Schleimer, Wilkerson & Aiken, SIGMOD 2003): hash every k-gram of tokens, then keep the
smallest hash of each window of w consecutive k-grams (the rightmost on ties). Any match of at
least w + k - 1 tokens shares a fingerprint, and no match shorter than k tokens does.
"""
from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence

KGRAM_TOKENS = 5
WINDOW_KGRAMS = 4
MIN_TOKENS = KGRAM_TOKENS + WINDOW_KGRAMS - 1  # a block shorter than this is not scored

_token_ids: dict[str, int] = {}  # crc32 is stable across runs, unlike hash(str)


def _token_id(token: str) -> int:
    value = _token_ids.get(token)
    if value is None:
        value = _token_ids[token] = zlib.crc32(token.encode("utf-8", "surrogatepass"))
    return value


def winnow(tokens: Sequence[str]) -> dict[int, tuple[int, ...]]:
    """Fingerprint hash -> start positions (token indices) of the k-grams it was taken from."""
    ids = [_token_id(t) for t in tokens]
    k = KGRAM_TOKENS
    hashes = [hash(tuple(ids[i:i + k])) for i in range(len(ids) - k + 1)]
    chosen: dict[int, list[int]] = defaultdict(list)
    last = -1
    for start in range(max(1, len(hashes) - WINDOW_KGRAMS + 1)):
        window = hashes[start:start + WINDOW_KGRAMS]
        if not window:
            break
        low = min(window)
        position = start + max(i for i, h in enumerate(window) if h == low)
        if position != last:
            chosen[low].append(position)
            last = position
    return {h: tuple(p) for h, p in chosen.items()}


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
