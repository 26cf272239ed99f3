"""Hard-wrapped text: paragraphs broken into lines of a fixed width, as wire copy often is.

Line breaks mean something to the extractor (a heading, a dateline, a paragraph each stand on their own
line), so a text wrapped at 60 characters would be read as dozens of headings. :func:`unwrap` turns such
soft line breaks into spaces, one character for one, so every offset into the stored text stays valid.
"""

from __future__ import annotations

import re

_OPEN_LINE_END = re.compile(r"[^.!?:;\"”’')\]]$")
_SOFT_BREAK = re.compile(r"(?<!\n)\n(?!\n)")


def is_hard_wrapped(text: str) -> bool:
    """At least 8 lines, 80% of them at most 100 characters, a median line of 40 or more, and half of them
    ending mid-sentence. Navigation lists (short lines) and paragraph-per-line text (long lines) are not.

    >>> is_hard_wrapped("The U.S. Justice Department has charged four people in\\n" * 10)
    True
    >>> is_hard_wrapped("Home\\nWorld\\nTech\\nMarkets\\nOpinion\\nVideo\\nSport\\nWeather\\n")
    False
    """
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < 8:
        return False
    lengths = sorted(len(line) for line in lines)
    short = sum(n <= 100 for n in lengths) / len(lines)
    open_ends = sum(bool(_OPEN_LINE_END.search(line)) for line in lines) / len(lines)
    return short >= 0.8 and lengths[len(lengths) // 2] >= 40 and open_ends >= 0.5


def unwrap(text: str) -> str:
    """``text`` with the single line breaks of hard-wrapped text turned into spaces (blank lines, which end
    paragraphs, stay); any other text unchanged. The result has the same length.

    >>> unwrap("Short line\\nanother")
    'Short line\\nanother'
    >>> wrapped = "The department has charged four people in a plot to move\\n" * 8 + "\\nNext paragraph."
    >>> out = unwrap(wrapped)
    >>> len(out) == len(wrapped), out.count("\\n")
    (True, 2)
    """
    return _SOFT_BREAK.sub(" ", text) if is_hard_wrapped(text) else text
