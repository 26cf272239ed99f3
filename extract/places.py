"""Places are not actors: which geopolitical names (NER ``GPE``) become discovered entities.

The entity types are actors and instruments (labs, companies, governments, people, models, chips,
policies, countries, organisations). A country acts (it bans, retaliates, signs), so a country the KB does
not list becomes a discovered ``country``; the names are the English territory names of the Unicode CLDR,
as shipped by Babel. A city or region ("Hangzhou", "Illinois", a dateline's "HOUSTON") is where something
happened, not who did it, and becomes no entity, unless the sentence makes it an actor: the subject of a
verb, the source in "according to X", the agent in "by X" (a dateline's place never is). The NER also
tags some organisations as ``GPE`` ("according to Bloomberg"); those are kept by the same test, and so
are names no place has (an inner capital or a digit: "AppOmni", "APT31").
"""

from __future__ import annotations

import re
from functools import cache

from aiwatch.extract.chrome import is_dateline
from spacy.tokens import Span

# CLDR codes that are not countries: the European Union, the eurozone, the United Nations, pseudo-regions.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})
_PARENS = re.compile(r"\s*\(([^)]*)\)")
_ACTOR_DEPS = frozenset({"nsubj", "nsubjpass"})


@cache
def country_names() -> frozenset[str]:
    """Lower-cased English names of the world's countries and territories, with their common variants
    ("Myanmar (Burma)" gives both names, "Bosnia & Herzegovina" also reads "and", "Macao SAR China" is
    "Macao")."""
    from babel import Locale

    names: set[str] = set()
    for code, name in Locale("en").territories.items():
        if len(code) != 2 or not code.isalpha() or code in _NOT_COUNTRIES:
            continue
        variants = {_PARENS.sub("", name), *_PARENS.findall(name)}
        variants |= {v.replace(" SAR China", "") for v in variants}
        variants |= {v.replace(" & ", " and ") for v in variants}
        variants |= {v.replace("St. ", "Saint ") for v in variants}
        names.update(v.strip().lower() for v in variants if v.strip())
    return frozenset(names)


def is_country(name: str) -> bool:
    """``name`` (normalised, no leading "the") is a country or territory.

    >>> is_country("Kazakhstan"), is_country("Burma"), is_country("Hangzhou"), is_country("European Union")
    (True, True, False, False)
    """
    return name.strip().lower() in country_names()


def has_no_place_shape(name: str) -> bool:
    """An inner capital or a digit: a brand or a code, not a place name ("AppOmni", "APT31").

    >>> has_no_place_shape("AppOmni"), has_no_place_shape("APT31"), has_no_place_shape("San Jose")
    (True, True, False)
    """
    return any(ch.isdigit() for ch in name) or any(
        w[1:] != w[1:].lower() and not w.isupper() for w in name.split() if len(w) > 1
    )


def acts_as_actor(span: Span) -> bool:
    """The sentence makes ``span`` an actor: subject of a verb, "according to X", or "by X" as agent."""
    root = span.root
    if root.dep_ in _ACTOR_DEPS:
        return True
    if root.dep_ == "pobj":
        prep = root.head
        if prep.lower_ == "to" and prep.head.lower_ == "according":
            return True
        if prep.lower_ == "by" and prep.dep_ == "agent":
            return True
    return False


def place_type(span: Span, name: str) -> str | None:
    """Entity type of a ``GPE`` mention outside the KB: ``country``, ``other`` (an actor or a brand the
    NER took for a place), or None for a place, which becomes no entity."""
    if is_country(name):
        return "country"
    if is_dateline(span):
        return None
    if has_no_place_shape(name) or acts_as_actor(span):
        return "other"
    return None
