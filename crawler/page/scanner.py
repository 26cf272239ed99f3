"""Case-insensitive multi-pattern scanners for long texts: RE2 when it means the same, else Python's ``re``.

The topic filter runs some twenty concepts, each an alternation of up to fifty patterns, over every crawled
page. Python's backtracking engine tries every alternative at every character; RE2 (``google-re2``) scans
the same alternation as an automaton in linear time, and cannot be driven into catastrophic backtracking by
a badly written topics file.

RE2 accepts most of Python's syntax, and rejects (so we fall back to ``re``) lookarounds, backreferences,
atomic groups and possessive quantifiers. Where both accept a pattern but read it differently, we do not use
RE2: ``{,n}`` (a repeat in Python, literal text in RE2), the anchors ``^``, ``$``, ``\\A``, ``\\Z`` (multiline
and end-of-text rules differ). One difference remains by design: RE2's ``\\b``, ``\\w``, ``\\d`` and
``\\s`` are ASCII, so a word boundary also falls between an accented letter and an ASCII one ("réexport").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Protocol

try:
    import re2
except ImportError:  # pragma: no cover - google-re2 is a dependency; Python's re is the fallback
    re2 = None

# Constructs both engines accept with different meanings: a pattern containing one stays on Python's re.
_DIVERGENT = re.compile(r"\{,|(?<!\\)[$^]|\\[AZz]")


class Match(Protocol):
    def start(self) -> int: ...
    def end(self) -> int: ...


class Scanner(Protocol):
    """What a compiled concept offers: the non-overlapping matches, leftmost first, as ``re`` finds them."""

    pattern: str

    def finditer(self, string: str) -> Iterator[Match]: ...


def re2_compatible(source: str) -> bool:
    """Whether RE2 may run ``source``: installed, compiles it, and reads it as Python does.

    >>> re2_compatible(r"\\bexport[- ]controls?\\b"), re2_compatible(r"(?<=\\.)\\s+"), re2_compatible("a{,3}")
    (True, False, False)
    """
    if re2 is None or _DIVERGENT.search(source.replace("\\\\", "")):
        return False
    try:
        re2.compile(source)
    except re2.error:
        return False
    return True


def compile_scanner(source: str, *, ignore_case: bool = True) -> Scanner:
    """``source`` compiled by RE2 when :func:`re2_compatible`, else by ``re`` (``re.error`` if invalid)."""
    if re2_compatible(source):
        return re2.compile(f"(?i:{source})" if ignore_case else source)
    return re.compile(source, re.IGNORECASE if ignore_case else 0)


class ScanText:
    """One text to run many scanners over: its UTF-8 bytes and byte-to-character offsets, computed once.

    :meth:`starts` gives what ``[m.start() for m in scanner.finditer(text)]`` gives. For RE2 it calls the
    engine directly on the shared bytes and maps offsets with one numpy pass, instead of google-re2's
    ``finditer``, which re-encodes the text per call and builds a match object per hit.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._encoded: bytes | None = None
        self._char_at: Any = None  # numpy array: byte offset -> character offset (None: ASCII, identity)

    def _prepare(self) -> bytes:
        if self._encoded is None:
            self._encoded = self.text.encode("utf-8")
            if len(self._encoded) != len(self.text):
                import numpy as np

                starts = (np.frombuffer(self._encoded, dtype=np.uint8) & 0xC0) != 0x80
                self._char_at = np.concatenate(([0], np.cumsum(starts)))
        return self._encoded

    def starts(self, scanner: Scanner) -> list[int]:
        """Start offsets (characters) of ``scanner``'s non-overlapping matches, leftmost first."""
        if isinstance(scanner, re.Pattern) or re2 is None:
            return [m.start() for m in scanner.finditer(self.text)]
        encoded = self._prepare()
        match, unanchored, end = scanner._regexp.Match, re2._Anchor.UNANCHORED, len(encoded)
        found: list[int] = []
        pos = 0
        while pos <= end:
            start, stop = match(unanchored, encoded, pos, end)[0]
            if start < 0:
                break
            found.append(start)
            if stop > start:
                pos = stop
            else:  # an empty match: step over one character, as finditer does
                pos = stop + 1
                while pos < end and encoded[pos] & 0xC0 == 0x80:
                    pos += 1
        if self._char_at is None:
            return found
        return self._char_at[found].tolist() if found else []


def engine_of(scanner: Scanner) -> str:
    """``"re2"`` or ``"re"``: which engine :func:`compile_scanner` chose."""
    return "re" if isinstance(scanner, re.Pattern) else "re2"
