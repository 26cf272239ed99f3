"""Names the statistical NER cuts short or misses, found by their shape in the tokens.

* Acronyms defined in brackets: "the Bureau of Industry and Security (BIS)" defines ``BIS`` as that name
  for the whole article, and "unmanned aerial vehicles (UAVs)" defines ``UAV`` as a common noun, which is
  never an entity. :func:`acronym_definitions` finds them; the long form's initials must spell the
  acronym (linking words such as "of" and "and" may be skipped, an inner capital may add a letter).
* Law names: a run of capitalised words ending in "Act", "Law", "Rule" or "Regulations", with an optional
  "of 2018" ("Stop Stealing Our Chips Act", "Export Control Reform Act of 2018"). :func:`law_name_spans`
  finds them, so the NER's "Chips Act" inside a longer name, or its ``ORG`` label, do not stand.

Pure functions over a tokenised ``Doc``; the resolver decides what the spans become.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Token

CONNECTORS = frozenset({"of", "and", "for", "the", "on", "in", "to", "&", "de", "'s", "’s", "-"})
LAW_HEADS = frozenset({"Act", "Acts", "Law", "Rule", "Regulations"})
_ACRONYM = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Z][A-Za-z&]{1,9}$")
_QUOTES = frozenset({"'", "‘", "’", '"', "“", "”"})
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
# Lower-case words inside a law name ("CHIPS and Science Act").
_LAW_LINKS = frozenset({"of", "and", "for", "on", "to", "&", "-"})
# Capitalised at a sentence start but not part of a law name ("Under the ... Act").
_LEADING = frozenset(
    {"the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "under", "in", "on",
     "at", "by", "for", "from", "with", "to", "of", "and", "as", "per", "via", "after", "before", "since"}
)
MAX_LONG_FORM = 12  # tokens


@dataclass(frozen=True)
class Acronym:
    """``text`` defined by the tokens ``[long_start, long_end)``; ``common``: they are lower-case words."""

    text: str
    long_start: int
    long_end: int
    common: bool


def acronym_base(text: str) -> str | None:
    """The acronym a bracketed token defines, without a plural "s", or None.

    >>> [acronym_base(t) for t in ("BIS", "UAVs", "DoC", "Nvidia", "A")]
    ['BIS', 'UAV', 'DoC', None, None]
    """
    if not _ACRONYM.match(text):
        return None
    if text.endswith("s") and text[:-1].isupper():
        return text[:-1]
    return text


def _word_letters(word: str) -> tuple[str, ...]:
    """Letters a long-form word may give: its initial, or its initial and inner capitals ("ChangXin")."""
    inner = "".join(ch for ch in word[1:] if ch.isupper())
    first = word[0].upper()
    return (first, first + inner) if inner and not word.isupper() else (first,)


def initials_match(words: tuple[str, ...], letters: str) -> bool:
    """``words`` spell ``letters``: each content word gives its initial (or initial and inner capitals),
    each linking word gives its initial or nothing; the first word must give a letter.

    >>> initials_match(("Bureau", "of", "Industry", "and", "Security"), "BIS")
    True
    >>> initials_match(("Department", "of", "Commerce"), "DOC"), initials_match(("ChangXin", "Memory"), "CXM")
    (True, True)
    >>> initials_match(("of", "Industry", "and", "Security"), "OIS"), initials_match(("Big", "Idea"), "BIS")
    (False, False)
    """
    if not words or words[0].lower() in CONNECTORS:
        return False
    letters = letters.upper()

    @cache
    def match(i: int, j: int) -> bool:
        if i == len(words):
            return j == len(letters)
        word = words[i]
        if word.lower() in CONNECTORS:
            if match(i + 1, j):
                return True
            gives = word[0].isalpha() and j < len(letters) and word[0].upper() == letters[j]
            return gives and match(i + 1, j + 1)
        return any(letters.startswith(g, j) and match(i + 1, j + len(g)) for g in _word_letters(word))

    return match(0, 0)


def _bracketed(doc: Doc, i: int) -> tuple[str, int] | None:
    """If ``doc[i]`` is "(" holding only an acronym (quotes and a possessive allowed): (acronym, index of
    the token after ")")."""
    j = i + 1
    while j < len(doc) and doc[j].text in _QUOTES:
        j += 1
    if j >= len(doc) or (base := acronym_base(doc[j].text)) is None:
        return None
    k = j + 1
    while k < len(doc) and (doc[k].text in _QUOTES or doc[k].lower_ in ("'s", "’s")):
        k += 1
    if k < len(doc) and doc[k].text == ")":
        return base, k + 1
    return None


def _words_before(doc: Doc, end: int) -> list[Token]:
    """Word tokens right before ``end`` (a possessive first skipped), up to a punctuation or line break."""
    i = end - 1
    if i >= 0 and doc[i].lower_ in ("'s", "’s"):
        i -= 1
    out: list[Token] = []
    while i >= 0 and len(out) < MAX_LONG_FORM:
        token = doc[i]
        if "\n" in token.whitespace_ or not (token.is_alpha or token.lower_ in CONNECTORS):
            break
        out.append(token)
        i -= 1
    out.reverse()
    return out


def acronym_definitions(doc: Doc) -> list[Acronym]:
    """Bracketed acronyms and the shortest run of preceding words whose initials spell them; the first
    definition of an acronym in the document wins."""
    found: dict[str, Acronym] = {}
    for token in doc:
        if token.text != "(" or (hit := _bracketed(doc, token.i)) is None or hit[0] in found:
            continue
        base = hit[0]
        words = _words_before(doc, token.i)
        for size in range(2, len(words) + 1):
            long_form = words[-size:]
            if not initials_match(tuple(t.text for t in long_form), base):
                continue
            content = [t for t in long_form if t.lower_ not in CONNECTORS]
            if all(t.text[0].isupper() for t in content):
                common = False
            elif all(t.is_lower for t in content):
                common = True
            else:
                break  # "the new Bureau" mixing cases: no definition
            found[base] = Acronym(base, long_form[0].i, long_form[-1].i + 1, common)
            break
    return list(found.values())


def acronym_occurrences(doc: Doc, acronym: str) -> list[int]:
    """Indices of tokens that are ``acronym`` or its plural, case as written."""
    return [t.i for t in doc if t.text == acronym or t.text == acronym + "s"]


def law_name_spans(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of law names: capitalised words (and inner linking words) ending in a law head, with an
    optional "of YYYY"; leading determiners and prepositions ("The", "Under") are not part of the name.

    >>> import spacy
    >>> doc = spacy.blank("en")("They debated the Stop Stealing Our Chips Act of 2025 and the Act itself.")
    >>> [doc[s:e].text for s, e in law_name_spans(doc)]
    ['Stop Stealing Our Chips Act of 2025']
    """
    spans: list[tuple[int, int]] = []
    for head in doc:
        if head.text not in LAW_HEADS or head.i == 0:
            continue
        start = head.i
        i = head.i - 1
        while i >= 0 and "\n" not in doc[i].whitespace_:
            token = doc[i]
            if token.text[:1].isupper() or token.lower_ in _LAW_LINKS:
                start = i
                i -= 1
            else:
                break
        while start < head.i and (doc[start].lower_ in _LEADING or doc[start].lower_ in CONNECTORS):
            start += 1
        if start == head.i:
            continue
        end = head.i + 1
        if end + 1 < len(doc) and doc[end].lower_ == "of" and _YEAR.match(doc[end + 1].text):
            end += 2
        elif end < len(doc) and _YEAR.match(doc[end].text):  # "Strategic Trade Act 2010"
            end += 1
        spans.append((start, end))
    return spans
