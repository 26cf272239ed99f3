"""Pure string functions for entity names: slugs, normalised keys and junk filters.

These run on entity surface text that spaCy has already tokenised; they never decide *where* an entity
is, only what its canonical key is and whether a discovered name is worth keeping.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Corporate suffixes removed from the end of organisation names ("Zhipu AI Co., Ltd." -> "Zhipu AI").
_CORP_SUFFIX = re.compile(
    r"(?:[,\s]+(?:inc|corp|corporation|co|company|ltd|limited|llc|plc|gmbh|ag|s\.?a|n\.?v|holdings)\.?)+$",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_DATE_LIKE = re.compile(
    r"^(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*\d{0,2},?\s*\d{0,4}|"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|\d{1,4}(?:[-/]\d{1,2}){0,2}|"
    r"(?:q[1-4]|h[12])\s*\d{0,4}|\d{4}s?)$",
    re.IGNORECASE,
)

DEFAULT_STOP_NAMES: tuple[str, ...] = (  # fmt: skip
    "ai", "api", "apis", "cot", "llm", "llms", "gpu", "gpus", "cpu", "ceo", "cto", "cfo", "us", "u.s.",
    "usa", "eu", "uk", "news", "reuters", "update", "analysis", "opinion", "background", "related",
    "editor's note", "read more", "advertisement", "subscribe", "chatbot", "chatbots", "agi", "hbm", "nm",
    "tsmc's", "the company", "the agency", "the department", "the lab", "the administration", "republicans",
    "democrats", "republican", "democrat", "washington", "beijing", "silicon valley", "department",
    "ministry", "agency", "bureau", "committee", "commission", "administration", "government", "company",
    "congress", "senate", "house", "court", "embassy", "regulator",
)


def slugify(name: str) -> str:
    """Stable id of a discovered entity: NFKD to ASCII, lowercase, non-alphanumeric runs to "-".

    >>> slugify("Mary Chen")
    'mary-chen'
    >>> slugify("  Zhipu  AI, Inc. ")
    'zhipu-ai-inc'
    """
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def normalize_name(text: str, label: str = "") -> str:
    """Surface form cleaned of possessive, leading article, corporate suffix and extra spaces.

    >>> normalize_name("the Zhipu AI Co., Ltd.'s", "ORG")
    'Zhipu AI'
    >>> normalize_name("Huang's", "PERSON")
    'Huang'
    """
    name = _SPACE.sub(" ", text.replace("\u2019", "'")).strip(" \t\n,;:.\"'()[]")
    name = _POSSESSIVE.sub("", name).strip()
    name = _LEADING_ARTICLE.sub("", name)
    if label in ("ORG", ""):
        name = _CORP_SUFFIX.sub("", name).strip(" ,")
    return name


def name_key(text: str, label: str = "") -> str:
    """Key under which variants of one name merge (case-insensitive, normalised)."""
    return slugify(normalize_name(text, label))


def is_junk_name(name: str, stop_names: Iterable[str] = DEFAULT_STOP_NAMES) -> bool:
    """True when a discovered name must not become an entity.

    Junk: stop-listed words ("AI", "API", "CoT"), strings without letters, dates, all-caps acronyms under
    three letters, single lowercase words, very long strings (headings, sentences) and names with digits only.

    >>> [is_junk_name(n) for n in ["AI", "CoT", "2025", "March 3", "EU", "export", "Mary Chen", "Zhipu AI"]]
    [True, True, True, True, True, True, False, False]
    """
    clean = name.strip()
    stops = {s.lower() for s in stop_names}
    if not clean or clean.lower() in stops:
        return True
    if not _HAS_LETTER.search(clean) or _DATE_LIKE.match(clean):
        return True
    words = clean.split()
    if len(words) > 6 or len(clean) > 60:
        return True
    if len(words) == 1 and clean.isupper() and len(clean.replace(".", "")) < 3:
        return True
    if len(words) == 1 and clean.islower():
        return True
    if any(ch in clean for ch in "\n\t|#@") or clean.endswith(":"):
        return True
    return all(not w[0].isupper() for w in words if w[0].isalpha())
