"""Duplicate detection: ``rel=canonical`` links, exact content hashes and 64-bit SimHash near-duplicates.

The address forms (readable link, dedupe key) are :mod:`aiwatch.urls`.

Pure functions plus :class:`SimHashIndex`, an in-memory index by SimHash bands: with a Hamming threshold of
``k`` the 64 bits are cut into ``k + 1`` bands, and two hashes within distance ``k`` must agree exactly on at
least one band (pigeonhole), so a lookup only compares against hashes sharing a band, never the whole table.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

import numpy as np
from lxml import etree

SIMHASH_BITS = 64
SHINGLE_WORDS = 3


_CANONICAL_HREF = "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"


def canonical_link(tree: etree._Element, page_url: str) -> str | None:
    """Absolute ``<link rel="canonical">`` target of a parsed page, or None when missing or malformed."""
    for href in tree.xpath(_CANONICAL_HREF):
        target = urljoin(page_url, str(href).strip())
        if urlsplit(target).scheme in ("http", "https"):
            return target
    return None


_WORD = re.compile(r"\w+")


def text_words(text: str) -> list[str]:
    """The words hashing compares: ``\\w+`` runs of the NFKC-normalised, lower-cased text."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def normalise_text(text: str) -> str:
    """Text reduced to lower-case words separated by single spaces (for hashing): :func:`text_words`."""
    return " ".join(text_words(text))


def content_hash(text: str, *, normalised: bool = False) -> str:
    """SHA-256 (hex, 32 chars) of the normalised text: equal for copies differing only in markup/spacing.

    ``normalised``: ``text`` is already :func:`normalise_text` output.
    """
    return hashlib.sha256((text if normalised else normalise_text(text)).encode()).hexdigest()[:32]


def _shingles(words: list[bytes]) -> Iterable[bytes]:
    if len(words) < SHINGLE_WORDS:
        return words
    return map(b" ".join, zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False))  # overlapping runs


_BLAKE2B_8 = hashlib.blake2b(digest_size=8)  # copied per shingle: cheaper than parsing digest_size each time


def _shingle_digests(words: list[bytes]) -> bytes:
    """The 8-byte blake2b digest of every shingle, concatenated."""
    digests = []
    append, fresh = digests.append, _BLAKE2B_8.copy
    for shingle in _shingles(words):
        hasher = fresh()
        hasher.update(shingle)
        append(hasher.digest())
    return b"".join(digests)


def simhash(text: str, *, normalised: bool = False) -> int:
    """64-bit SimHash over 3-word shingles of the normalised text.

    Bit ``b`` is set when more than half of the shingle hashes (blake2b, 8 bytes, big-endian) have it set;
    the per-bit counts are taken with numpy over all hashes at once, not a Python loop over 64 bits per
    shingle. ``normalised``: ``text`` is already :func:`normalise_text` output. Shingles are joined from the
    UTF-8 words (the same bytes as encoding each joined shingle) and hashed by copying a prepared
    ``blake2b(digest_size=8)``.
    """
    words = (text if normalised else normalise_text(text)).encode().split()  # words hold no whitespace
    digests = _shingle_digests(words)
    count = len(digests) // 8
    if not count:
        return 0
    # Row i holds hash i's bits, most significant first: column j is bit 63 - j.
    ones = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(count, 8), axis=1).sum(axis=0)
    return sum(1 << (SIMHASH_BITS - 1 - j) for j in range(SIMHASH_BITS) if 2 * int(ones[j]) > count)


def hamming(a: int, b: int) -> int:
    """Number of differing bits."""
    return (a ^ b).bit_count()


def simhash_hex(value: int) -> str:
    """Fixed-width hex form stored in ``articles.simhash`` (SQLite integers are signed)."""
    return f"{value:016x}"


class SimHashIndex:
    """Find stored hashes within ``max_distance`` bits of a query: one vectorised XOR-popcount scan.

    At the distances news copies need (10 of 64 bits) a banded index (pigeonhole on ``max_distance + 1``
    bands) has 6-bit bands and returns a sixth of the collection as candidates, so it degenerates into a
    Python-level scan; a numpy scan of every stored hash is cheaper.
    """

    def __init__(self, max_distance: int) -> None:
        if not 0 <= max_distance < SIMHASH_BITS:
            raise ValueError(f"near-duplicate distance must be between 0 and {SIMHASH_BITS - 1}")
        self.max_distance = max_distance
        self._ids = np.empty(1024, dtype=np.int64)
        self._hashes = np.empty(1024, dtype=np.uint64)
        self._size = 0
        self._slot: dict[int, int] = {}  # item id -> row in the arrays

    def __len__(self) -> int:
        return self._size

    def add(self, item_id: int, value: int) -> None:
        """Index ``value`` under ``item_id`` (replacing an earlier hash for the same id)."""
        row = self._slot.get(item_id)
        if row is None:
            if self._size == len(self._ids):
                self._ids = np.resize(self._ids, 2 * self._size)
                self._hashes = np.resize(self._hashes, 2 * self._size)
            row = self._slot[item_id] = self._size
            self._size += 1
        self._ids[row] = item_id
        self._hashes[row] = value

    def remove(self, item_id: int) -> None:
        row = self._slot.pop(item_id, None)
        if row is None:
            return
        last = self._size - 1
        if row != last:  # move the last entry into the freed row
            moved = int(self._ids[last])
            self._ids[row], self._hashes[row] = moved, self._hashes[last]
            self._slot[moved] = row
        self._size = last

    def near(self, value: int) -> list[int]:
        """Ids whose hash is within ``max_distance`` of ``value``, nearest first (then by id)."""
        distances = np.bitwise_count(self._hashes[: self._size] ^ np.uint64(value))
        rows = np.flatnonzero(distances <= self.max_distance)
        found = zip(distances[rows].tolist(), self._ids[rows].tolist(), strict=True)
        return [item_id for _, item_id in sorted(found)]
