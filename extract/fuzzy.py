"""Near-miss spellings of KB names ("Jeffery Kessler", "Huawai"), linked with RapidFuzz; precision first.

A name the KB does not hold exactly may still be a misspelling of one of its aliases. It links only when
every guard holds:

* the KB entity's type fits the NER label (a ``PERSON`` never links to a company);
* the alias is a normal one (strict aliases are short or ambiguous forms, matched only as written), both
  names have at least ``min_chars`` characters, start with the same letter and carry the same digits
  ("Claude 3" is not "Claude 4");
* the optimal-string-alignment distance (an adjacent transposition counts as one edit) is at most 1, or
  2 for names of ``long_chars`` characters or more;
* person names: same surname and generational suffix, same number of other names, and each other name
  equal or one edit away with the same first and last letter and at least 5 letters ("Jeffery" and
  "Jeffrey"; not "Daniel" and "Daniela", nor "Hunter Biden" and "Joe Biden");
* exactly one KB entity is within reach (two candidates mean the spelling is not a near miss of either);
* a one-word name the article also writes in lower case is a common word, never a misspelt name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection

from aiwatch.extract.kbindex import ORG_TYPES, KBIndex
from aiwatch.extract.normalize import normalize_name, person_parts
from rapidfuzz import process
from rapidfuzz.distance import OSA

# KB types a NER label may link to.
LABEL_KB_TYPES: dict[str, frozenset[str]] = {
    "PERSON": frozenset({"person"}),
    "ORG": ORG_TYPES,
    "GPE": frozenset({"country", "government"}),
    "PRODUCT": frozenset({"ai_model", "chip", "other"}),
    "LAW": frozenset({"policy"}),
}
_DIGITS = re.compile(r"\d+")


def _fold(text: str) -> str:
    """Case-folded, single-spaced, "&" read as "and" (as :func:`aiwatch.extract.normalize.name_key` does)."""
    return " ".join(text.casefold().replace(" & ", " and ").split())


class FuzzyLinker:
    """KB aliases grouped by type, and :meth:`link` to find the one a near-miss spelling means."""

    def __init__(self, index: KBIndex, min_chars: int = 6, long_chars: int = 12) -> None:
        self.min_chars = min_chars
        self.long_chars = long_chars
        self.aliases: dict[str, list[str]] = defaultdict(list)  # KB type -> folded aliases
        self.ids: dict[str, list[str]] = defaultdict(list)  # KB type -> ids, parallel to aliases
        self.persons: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for alias, ids in index.aliases.items():
            if len(ids) != 1 or not alias.isascii():
                continue
            entity_id = next(iter(ids))
            entity_type = index.type_of(entity_id) or "other"
            folded = _fold(normalize_name(alias))
            if entity_type == "person":
                given, surname, suffix = person_parts(folded)
                if given:
                    self.persons[(surname, suffix)].append((given, entity_id))
            elif len(folded) >= min_chars:
                self.aliases[entity_type].append(folded)
                self.ids[entity_type].append(entity_id)

    def max_edits(self, text: str) -> int:
        return 2 if len(text) >= self.long_chars else 1

    def link(self, name: str, label: str, lowercase_words: Collection[str] = ()) -> str | None:
        """The KB id ``name`` (as the NER labelled it) is a near-miss spelling of, else None."""
        types = LABEL_KB_TYPES.get(label)
        folded = _fold(name)
        if not types or len(folded) < self.min_chars:
            return None
        if " " not in folded and folded in lowercase_words:
            return None
        if label == "PERSON":
            return self._link_person(folded)
        return self._link_name(folded, types)

    def _link_name(self, folded: str, types: frozenset[str]) -> str | None:
        digits = _DIGITS.findall(folded)
        limit = self.max_edits(folded)
        found: set[str] = set()
        for entity_type in types:
            choices = self.aliases.get(entity_type)
            if not choices:
                continue
            for alias, _distance, i in process.extract(
                folded, choices, scorer=OSA.distance, score_cutoff=limit, limit=None
            ):
                if alias[0] == folded[0] and _DIGITS.findall(alias) == digits:
                    found.add(self.ids[entity_type][i])
        return next(iter(found)) if len(found) == 1 else None

    def _link_person(self, folded: str) -> str | None:
        given, surname, suffix = person_parts(folded)
        if not given:
            return None
        found = {
            entity_id
            for kb_given, entity_id in self.persons.get((surname, suffix), ())
            if len(kb_given) == len(given) and all(map(_near_given_name, given, kb_given))
        }
        return next(iter(found)) if len(found) == 1 else None


def _near_given_name(a: str, b: str) -> bool:
    """Equal, or one edit apart with the same first and last letters and at least five letters."""
    if a == b:
        return True
    return min(len(a), len(b)) >= 5 and a[0] == b[0] and a[-1] == b[-1] and OSA.distance(a, b) <= 1
