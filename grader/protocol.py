"""Framing and value encoding shared by the trusted parent and the sandboxed worker.

One message = MAGIC, a fixed prefix (header length, blob count), a JSON header, the blob lengths
and the blobs. Arrays travel as .npy bytes read back with np.load(allow_pickle=False), so nothing
that crosses the pipe is ever unpickled or eval'd. The worker runs this file as a plain module
(copied next to worker.py, stdlib + numpy only), so it must not import anything from grader.

Values are JSON with tagged objects, because JSON alone cannot say tuple, ndarray or "handle":
    {"$nd": i}            the i-th blob, an .npy array
    {"$tuple": [...]}     a tuple
    {"$dict": [[k, v]]}   a dict (keys may be non-strings)
    {"$ref": id, "type": name}      an object that stays in the worker
    {"$callable": name}   a function/class/method; the parent keeps its path, not the object
    {"$foreign": type, "repr": text}  something with no plain-data form (object array...)
Plain JSON objects never appear otherwise, so decoding is unambiguous.
"""
from __future__ import annotations

import io
import json
import struct

import numpy as np

MAGIC = b"MLPG"
_PREFIX = struct.Struct("<4sII")  # magic, header bytes, blob count
_BLOB_LEN = struct.Struct("<Q")
MAX_HEADER_BYTES = 32 * 2**20
MAX_BLOBS = 4096
MAX_DEPTH = 32
MAX_ITEMS = 200_000
"""Elements of lists/tuples/dicts in one message, all levels together."""
MAX_STR_CHARS = 1_000_000
ARRAY_KINDS = "biufc"
"""bool, signed, unsigned, float, complex: the only dtypes allowed to cross."""
TAGS = ("$nd", "$tuple", "$dict", "$ref", "$callable", "$foreign")


def clean_text(text: str) -> str:
    """text without lone surrogates (JSON can carry them; a UTF-8 file or terminal cannot)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


class ProtocolError(Exception):
    """A message broke the framing or the schema (the parent treats it as a broken worker)."""


# --- framing ---------------------------------------------------------------------------------

def pack_message(header: dict, blobs: list[bytes]) -> bytes:
    head = json.dumps(header, separators=(",", ":")).encode()
    parts = [_PREFIX.pack(MAGIC, len(head), len(blobs)), head]
    parts += [_BLOB_LEN.pack(len(b)) for b in blobs]
    return b"".join(parts + blobs)


def read_message(read_exact, max_bytes: int) -> tuple[dict, list[bytes]]:
    """Read one message with read_exact(n) -> bytes; every length is checked before reading."""
    magic, head_len, n_blobs = _PREFIX.unpack(read_exact(_PREFIX.size))
    if magic != MAGIC or head_len > MAX_HEADER_BYTES or n_blobs > MAX_BLOBS:
        raise ProtocolError("bad message prefix")
    header_bytes = read_exact(head_len)
    lengths = [_BLOB_LEN.unpack(read_exact(_BLOB_LEN.size))[0] for _ in range(n_blobs)]
    if head_len + sum(lengths) > max_bytes:
        raise ProtocolError(f"message of {head_len + sum(lengths)} bytes exceeds {max_bytes}")
    try:
        header = json.loads(header_bytes)
    except (ValueError, RecursionError) as e:
        raise ProtocolError(f"header is not JSON: {e}") from None
    if not isinstance(header, dict):
        raise ProtocolError("header is not an object")
    return header, [read_exact(n) for n in lengths]


# --- arrays ----------------------------------------------------------------------------------

def array_to_npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def npy_to_array(data: bytes) -> np.ndarray:
    """Strict inverse of array_to_npy: plain numeric arrays only, never pickles."""
    try:
        a = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception as e:  # np.load raises several types on corrupt input
        raise ProtocolError(f"bad .npy blob: {e}") from None
    if type(a) is not np.ndarray or a.dtype.kind not in ARRAY_KINDS or a.dtype.fields is not None:
        raise ProtocolError(f"array of dtype {a.dtype} is not plain numeric data")
    return a


# --- value encoding --------------------------------------------------------------------------

class Encoder:
    """Turns a plain value into JSON plus blobs. Subclasses override other() for everything
    else (the worker makes handles or Foreign tags; the parent encodes RemoteObjects)."""

    def __init__(self):
        self.blobs: list[bytes] = []
        self._items = 0

    def encode(self, value, depth: int = 0):
        if depth > MAX_DEPTH:
            return {"$foreign": type(value).__name__, "repr": "nested too deep"}
        if value is None or type(value) in (bool, int, float):
            return value
        if type(value) is str:
            return value[:MAX_STR_CHARS]
        if type(value) in (list, tuple, dict):
            self._items += len(value)
            if self._items > MAX_ITEMS:
                return {"$foreign": type(value).__name__, "repr": f"more than {MAX_ITEMS} items"}
            if type(value) is dict:
                return {"$dict": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                                  for k, v in value.items()]}
            items = [self.encode(v, depth + 1) for v in value]
            return items if type(value) is list else {"$tuple": items}
        plain = self.plain_array(value) if isinstance(value, np.ndarray) else None
        if plain is not None:
            self.blobs.append(array_to_npy(plain))
            return {"$nd": len(self.blobs) - 1}
        return self.other(value, depth)

    def plain_array(self, a: np.ndarray):
        """The array to send, or a non-array to hand to other() (the worker normalises here)."""
        return a if type(a) is np.ndarray and a.dtype.kind in ARRAY_KINDS and a.dtype.fields is None else None

    def other(self, value, depth: int):
        raise TypeError(f"cannot send a {type(value).__name__} to the other side")


class Decoder:
    """Strict inverse of Encoder. `ref(tag)` / `callable_(tag)` / `foreign(tag)` build the
    side-specific objects; any unknown shape raises ProtocolError."""

    def __init__(self, blobs: list[bytes], ref, callable_=None, foreign=None):
        self._blobs = blobs
        self._used: set[int] = set()
        self._ref, self._callable, self._foreign = ref, callable_, foreign
        self._items = 0

    def decode(self, node, depth: int = 0):
        if depth > MAX_DEPTH:
            raise ProtocolError("value nested too deep")
        if node is None or type(node) in (bool, int, float):
            return node
        if type(node) is str:
            if len(node) > MAX_STR_CHARS:
                raise ProtocolError("string too long")
            return clean_text(node)
        if type(node) is list:
            self._count(len(node))
            return [self.decode(v, depth + 1) for v in node]
        if type(node) is not dict or len(node) not in (1, 2):
            raise ProtocolError(f"unexpected value {type(node).__name__}")
        tag = next((t for t in TAGS if t in node), None)
        if tag is None or not set(node) <= {tag, "type", "repr"}:
            raise ProtocolError(f"unknown tag {sorted(node)!r}")
        body = node[tag]
        if tag == "$nd":
            return self._array(body)
        if tag == "$tuple" and type(body) is list:
            self._count(len(body))
            return tuple(self.decode(v, depth + 1) for v in body)
        if tag == "$dict" and type(body) is list:
            self._count(len(body))
            if not all(type(kv) is list and len(kv) == 2 for kv in body):
                raise ProtocolError("bad dict item")
            try:
                return {self.decode(k, depth + 1): self.decode(v, depth + 1) for k, v in body}
            except TypeError:  # unhashable key (a list)
                raise ProtocolError("unhashable dict key") from None
        if tag == "$ref" and type(body) is int:
            return self._ref(body, _short_str(node.get("type", "object")))
        if tag == "$callable" and type(body) is str and self._callable:
            return self._callable(_short_str(body))
        if tag == "$foreign" and type(body) is str and self._foreign:
            return self._foreign(_short_str(body), _short_str(node.get("repr", ""), 500))
        raise ProtocolError(f"bad {tag} value")

    def _array(self, index):
        if type(index) is not int or not 0 <= index < len(self._blobs) or index in self._used:
            raise ProtocolError("bad array reference")
        self._used.add(index)
        return npy_to_array(self._blobs[index])

    def _count(self, n: int):
        self._items += n
        if self._items > MAX_ITEMS:
            raise ProtocolError("too many items")


def _short_str(value, limit: int = 200) -> str:
    if type(value) is not str:
        raise ProtocolError("expected a string")
    return clean_text(value[:limit])
