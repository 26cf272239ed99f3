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


# Generational suffixes: "Donald Trump Jr." is not "Donald Trump".
GENERATIONAL = frozenset({"jr", "sr", "ii", "iii", "iv"})
# Last words that make a name a law, rule or listing ("Chip Security Act", "Anti-Dumping Regulations").
POLICY_HEADS = frozenset(
    {"act", "acts", "law", "laws", "rule", "rules", "regulation", "regulations", "directive", "treaty",
     "ordinance", "statute", "list"}
)
_TRAILING_YEAR = re.compile(r"(?:\s+of)?\s+(?:19|20)\d{2}$")
_SECTION_REF = re.compile(
    r"^(?:section|sec\.|article|chapter|part|paragraph|clause|subsection|title)\s+(?:\d|[IVX]+\b)",
    re.IGNORECASE,
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
    """Key under which variants of one name merge (case-insensitive, normalised, "&" read as "and").

    >>> name_key("Bureau of Industry & Security") == name_key("the Bureau of Industry and Security")
    True
    """
    return slugify(normalize_name(text, label).replace(" & ", " and "))


def person_parts(name: str) -> tuple[tuple[str, ...], str, str]:
    """(other names, surname, generational suffix) of a person's name, lower-cased.

    >>> person_parts("Donald Trump Jr.")
    (('donald',), 'trump', 'jr')
    >>> person_parts("Jeffrey I. Kessler")
    (('jeffrey', 'i.'), 'kessler', '')
    """
    words = [w.lower() for w in name.replace(",", " ").split()]
    suffix = ""
    if len(words) > 1 and words[-1].strip(".") in GENERATIONAL:
        suffix = words.pop().strip(".")
    if not words:
        return (), "", suffix
    return tuple(words[:-1]), words[-1], suffix


def is_policy_name(name: str) -> bool:
    """A law, rule or listing by its last word, a trailing year aside ("Strategic Trade Act 2010").

    >>> [is_policy_name(n) for n in ["Chip Security Act", "Export Control Reform Act of 2018", "Act"]]
    [True, True, False]
    """
    words = without_year(name).split()
    return len(words) > 1 and words[-1].lower() in POLICY_HEADS and words[0][:1].isupper()


def without_year(name: str) -> str:
    """A law's name without its trailing year, so the dated and undated forms share one id.

    >>> without_year("Export Control Reform Act of 2018"), without_year("Strategic Trade Act 2010")
    ('Export Control Reform Act', 'Strategic Trade Act')
    """
    return _TRAILING_YEAR.sub("", name.strip())


def is_section_reference(name: str) -> bool:
    """A part of a law ("Section 12", "Article 5"), not a policy of its own.

    >>> [is_section_reference(n) for n in ("Section 12", "Section 232 tariffs", "Sectional")]
    [True, True, False]
    """
    return bool(_SECTION_REF.match(name.strip()))


def is_truncated_name(name: str) -> bool:
    """A name cut short: its last word is a lone letter, a linking word or a name particle
    ("The U.S. N", "the Test Flying Academy of", "NextFin News - The", "Crystal van").

    >>> names = ["U.S. N", "Academy of", "Crystal van", "News - The", "Lisa Su", "GPT-4o mini"]
    >>> [is_truncated_name(n) for n in names]
    [True, True, True, True, False, False]
    """
    words = name.split()
    if len(words) < 2:
        return False
    last = words[-1]
    return (len(last) == 1 and last.isalpha()) or last.lower() in _LINKS_AND_PARTICLES


# Lower-case words inside surnames ("Crystal van Oosterom"); a name never ends with one.
NAME_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "bin", "al", "el"}
)
# Words that never end a name: articles, prepositions, conjunctions, dashes, surname particles.
_LINKS_AND_PARTICLES = NAME_PARTICLES | {
    "the", "a", "an", "of", "and", "for", "to", "in", "on", "at", "by", "with", "-", "–", "&"
}


def is_shouted_phrase(name: str) -> bool:
    """Several upper-case words with at least one long one: a shouted phrase or banner ("BILLIONS OF
    DOLLARS", "FOR IMMEDIATE RELEASE"), which says nothing about being a name; acronym pairs pass.

    >>> is_shouted_phrase("BILLIONS OF DOLLARS"), is_shouted_phrase("US BIS"), is_shouted_phrase("SMIC")
    (True, False, False)
    """
    words = [w for w in name.split() if any(ch.isalpha() for ch in w)]
    return len(words) > 1 and all(w.isupper() for w in words) and any(len(w) > 4 for w in words)


def is_junk_name(name: str, stop_names: Iterable[str] = DEFAULT_STOP_NAMES) -> bool:
    """True when a discovered name must not become an entity.

    Junk: stop-listed words ("AI", "API", "CoT"), strings without letters, dates, all-caps acronyms under
    three letters, single lowercase words, very long strings (headings, sentences; a law's name may run
    longer) and names with digits only.

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
    max_words, max_chars = (16, 160) if is_policy_name(clean) else (6, 60)
    if len(words) > max_words or len(clean) > max_chars:
        return True
    if len(words) == 1 and clean.isupper() and len(clean.replace(".", "")) < 3:
        return True
    if len(words) == 1 and clean.islower():
        return True
    if any(ch in clean for ch in "\n\t|#@") or clean.endswith(":"):
        return True
    return all(not w[0].isupper() for w in words if w[0].isalpha())
