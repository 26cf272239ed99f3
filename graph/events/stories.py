"""Stories: articles about the same news event, syndicated copies and rewrites alike.

Each article gets a MinHash signature (``datasketch``, ``NUM_PERM`` permutations) of its word 3-shingles. Two
articles published within ``window`` days of each other are in one story when their estimated Jaccard
similarity reaches ``copy_similarity`` (a copy or near-copy; candidates found with ``MinHashLSH`` over the
articles of those days), or when both first report a claim event (within ``window`` days of its date) and
their exact shingle similarity reaches ``rewrite_similarity`` (a rewrite: the same news in other words, which
SimHash at the near-duplicate threshold misses). Rewrites share few 3-shingles: under 0.1 on the sample site,
0.0025 to 0.031 for the 15 pairs of independent reports of one news event in the real-news development set
(10 of them at least 0.01). Text alone cannot tell them apart (unrelated articles there share up to 0.047, one
ministry's boilerplate months apart): the window and the shared fresh event do most of the work. A story is a
connected component of those links; its id is its smallest article id.

The cost of adding an article follows the news of its days, not the archive.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping

import numpy as np

NUM_PERM = 64
SHINGLE = 3
SEED = 1
_WORD = re.compile(r"\w+", re.UNICODE)


# An odd multiplier per position in the shingle (64-bit, wrapping), so "a b c" and "c b a" differ.
_POSITION = [np.uint64((0x9E3779B97F4A7C15 * (2 * i + 1)) % 2**64 | 1) for i in range(SHINGLE)]
_WORD_HASHES: dict[str, int] = {}  # word -> 64-bit hash (blake2b), kept while the vocabulary is small


def _word_hashes(words: list[str]) -> list[int]:
    found = list(map(_WORD_HASHES.get, words))
    if None in found:
        if len(_WORD_HASHES) > 1_000_000:
            _WORD_HASHES.clear()
        for i, word in enumerate(words):
            if found[i] is None:
                found[i] = _WORD_HASHES.setdefault(word, int.from_bytes(
                    hashlib.blake2b(word.encode(), digest_size=8).digest(), "little"))
    return found  # type: ignore[return-value]


def shingle_hashes(text: str, k: int = SHINGLE, *, distinct: bool = True) -> np.ndarray:
    """64-bit hashes of the word ``k``-shingles of ``text`` (case-folded), sorted and distinct (with
    ``distinct`` False: in text order, repeats kept); a text of fewer than ``k`` words is one shingle. Each
    word is hashed once (blake2b), a shingle's hash mixes its words' (numpy, no per-shingle Python call:
    this is what makes signing an archive fast).

    >>> len(shingle_hashes("The cat sat on the mat")), len(shingle_hashes("the cat sat, the cat sat"))
    (4, 3)
    >>> len(shingle_hashes("Two words")), len(shingle_hashes(" ... "))
    (1, 0)
    """
    words = _WORD.findall(text.casefold())
    if not words:
        return np.zeros(0, dtype=np.uint64)
    h = np.array(_word_hashes(words), dtype=np.uint64)
    if len(h) < k:
        h = np.concatenate([h, np.zeros(k - len(h), dtype=np.uint64)])
    mixed = np.zeros(len(h) - k + 1, dtype=np.uint64)
    for i in range(k):
        mixed += h[i:len(h) - k + 1 + i] * _POSITION[i % SHINGLE]
    mixed ^= mixed >> np.uint64(31)  # splitmix64's finaliser: every input bit moves every output bit
    mixed *= np.uint64(0xBF58476D1CE4E5B9)
    mixed ^= mixed >> np.uint64(29)
    return np.unique(mixed) if distinct else mixed


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two :func:`shingle_hashes` sets.

    >>> jaccard(shingle_hashes("a b c d"), shingle_hashes("a b c e"))
    0.3333333333333333
    """
    if not len(a) and not len(b):
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)


@functools.lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def signature(text: str) -> bytes | None:
    """The MinHash signature of ``text`` as bytes (``NUM_PERM`` unsigned 32-bit values), None when empty.

    datasketch's ``affine32`` scheme (its permutations for ``SEED``: ``a * h + b`` modulo 2**32, the minimum
    per permutation) over the high 32 bits of each shingle hash, computed for all shingles at once; so
    :class:`datasketch.LeanMinHash` and ``MinHashLSH`` read it as one of their own.
    """
    hashes = shingle_hashes(text, distinct=False)  # a repeated shingle changes no minimum
    if not len(hashes):
        return None
    a, b = _permutations()
    values = (hashes >> np.uint64(32)).astype(np.uint32).reshape(-1, 1)
    return (values * a + b).min(axis=0).astype(np.uint32).tobytes()


def similarities(one: bytes, others: Mapping[int, bytes]) -> dict[int, float]:
    """Estimated Jaccard similarity of signature ``one`` with each of ``others`` (by article id)."""
    if not others:
        return {}
    ids = list(others)
    base = np.frombuffer(one, dtype=np.uint32)
    matrix = np.stack([np.frombuffer(others[i], dtype=np.uint32) for i in ids])
    scores = (matrix == base).mean(axis=1)
    return {i: float(s) for i, s in zip(ids, scores, strict=True)}


def link_reason(similarity: float, shared_events: int, *, copy_similarity: float,
                rewrite_similarity: float) -> str | None:
    """Why two articles of the same days are one story, or None.

    >>> link_reason(0.8, 0, copy_similarity=0.5, rewrite_similarity=0.1)
    'copy'
    >>> link_reason(0.2, 1, copy_similarity=0.5, rewrite_similarity=0.1)
    'rewrite'
    >>> link_reason(0.2, 0, copy_similarity=0.5, rewrite_similarity=0.1) is None
    True
    """
    if similarity >= copy_similarity:
        return "copy"
    if similarity >= rewrite_similarity and shared_events > 0:
        return "rewrite"
    return None


def components(nodes: Iterable[int], links: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Each node's component, named by its smallest member (union-find).

    >>> components([1, 2, 3, 4], [(2, 3), (3, 4)])
    {1: 1, 2: 2, 3: 2, 4: 2}
    """
    parent: dict[int, int] = {n: n for n in nodes}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {n: find(n) for n in sorted(parent)}
