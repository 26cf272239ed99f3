"""``aiwatch_attribute_ruler_v1``: the trained model's ``attribute_ruler``, compiled into lookup tables.

spaCy's ``AttributeRuler`` runs every pattern through the token ``Matcher`` (about 14% of ``nlp.pipe`` for
``en_core_web_sm``). Its patterns only ever test a few token attributes (TAG, LOWER, DEP, IS_SPACE) against
plain values or ``IN``/``NOT_IN``/``REGEX``, so the answer for a token is a function of those attribute
values. This component compiles the model's own patterns (read from the loaded component, never copied)
into:

* per attribute, the distinct predicates on it; a value's *class* is the set of predicates it satisfies
  (cached per value);
* per combination of classes, the one-token rules that match, their attributes already merged in rule order
  (later rules win, as in ``AttributeRuler.match``, which sorts matches by rule number), and the positions of
  multi-token patterns the token can fill.

A call reads all tokens' attribute values first (``Doc.to_array``, before anything is changed, as the
Matcher does), finds multi-token matches by checking the following tokens' positions, then writes each
token's merged attributes with spaCy's own ``set_token_attrs``. Output is identical to the stock component;
:func:`use_compiled_attribute_ruler` keeps the stock one when a pattern uses anything not compiled here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import srsly
from spacy.attrs import IDS
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.tokens._retokenize import normalize_token_attrs, set_token_attrs
from spacy.vocab import Vocab

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

FACTORY = "aiwatch_attribute_ruler_v1"
STOCK_NAME = "attribute_ruler"
# Token attributes whose value ``Doc.to_array`` returns exactly as the Matcher reads it (string hashes).
STRING_ATTRS = frozenset({"ORTH", "LOWER", "NORM", "TAG", "DEP", "LEMMA"})
# Boolean lexeme flags, compared as 0/1 with plain values only.
FLAG_ATTRS = frozenset({"IS_SPACE", "IS_PUNCT", "IS_ALPHA", "IS_DIGIT"})
SET_ATTRS = frozenset({"POS", "TAG", "DEP", "LEMMA", "MORPH"})
CACHE_LIMIT = 200_000  # entries per value cache before it is cleared (bounds memory on endless input)


class UnsupportedPattern(ValueError):
    """A pattern uses a Matcher feature this compiler does not reproduce exactly."""


Predicate = Callable[[int], bool]


# Predicates are small classes rather than closures so a pipeline stays picklable (spawned workers).
@dataclass(frozen=True)
class _Equals:
    """A plain pattern value: the Matcher compares the attribute's hash (or 0/1 flag) for equality."""

    target: int

    def __call__(self, value: int) -> bool:
        return value == self.target


@dataclass(frozen=True)
class _InSet:
    """``IN`` / ``NOT_IN``: membership of the value's string id, as the Matcher's ``_SetPredicate``."""

    targets: frozenset[int]
    negate: bool

    def __call__(self, value: int) -> bool:
        return (get_string_id(value) in self.targets) != self.negate


@dataclass(frozen=True)
class _Regex:
    """``REGEX``: ``re.search`` over the value's string, as the Matcher's ``_RegexPredicate``."""

    vocab: Vocab
    pattern: re.Pattern[str]

    def __call__(self, value: int) -> bool:
        return bool(self.pattern.search(self.vocab.strings[value]))


@dataclass
class _Attribute:
    """One token attribute the patterns test: its distinct predicates and a value -> class cache."""

    name: str
    predicates: list[Predicate] = field(default_factory=list)
    keys: dict[tuple, int] = field(default_factory=dict)
    cache: dict[int, frozenset[int]] = field(default_factory=dict)

    def predicate(self, key: tuple, test: Predicate) -> int:
        """Index of the predicate ``key`` (``test``), shared between patterns."""
        if key not in self.keys:
            self.keys[key] = len(self.predicates)
            self.predicates.append(test)
        return self.keys[key]

    def satisfied(self, value: int) -> frozenset[int]:
        """Indices of the predicates ``value`` satisfies."""
        found = self.cache.get(value)
        if found is None:
            if len(self.cache) >= CACHE_LIMIT:
                self.cache.clear()
            found = frozenset(i for i, test in enumerate(self.predicates) if test(value))
            self.cache[value] = found
        return found


@dataclass(frozen=True)
class _Pattern:
    """One Matcher pattern of rule ``rule``: a condition per token, and which token gets the attributes."""

    rule: int
    specs: tuple[tuple[tuple[int, int], ...], ...]  # per token: (attribute slot, predicate index) pairs
    target: int


@dataclass(frozen=True)
class _TokenResult:
    """What one token's attribute classes decide: one-token rules, merged attrs, multi-token positions."""

    rules: tuple[int, ...]
    attrs: dict | None
    starts: tuple[int, ...]  # multi-token patterns (index into CompiledRules.multi) this token can start
    positions: frozenset[tuple[int, int]]  # (multi pattern, token position) this token satisfies


class CompiledRules:
    """AttributeRuler patterns compiled to per-token lookups; see the module docstring."""

    def __init__(self, vocab: Vocab, patterns: Iterable[dict[str, Any]]) -> None:
        self.vocab = vocab
        self.source = [dict(p) for p in patterns]
        self.attributes: list[_Attribute] = []
        self.rule_attrs: list[dict] = []
        self.single: list[_Pattern] = []
        self.multi: list[_Pattern] = []
        for rule, entry in enumerate(self.source):
            self._add_rule(rule, entry)
        self.attr_ids = [IDS[a.name] for a in self.attributes]
        self._by_values: dict[tuple[int, ...], _TokenResult] = {}
        self._by_classes: dict[tuple[frozenset[int], ...], _TokenResult] = {}
        self._merged: dict[tuple[int, ...], dict | None] = {}

    # -- compiling -------------------------------------------------------------------------------------

    def _slot(self, name: str) -> int:
        for i, attribute in enumerate(self.attributes):
            if attribute.name == name:
                return i
        self.attributes.append(_Attribute(name))
        return len(self.attributes) - 1

    def _add_rule(self, rule: int, entry: dict[str, Any]) -> None:
        unknown = set(entry) - {"patterns", "attrs", "index"}
        if unknown:
            raise UnsupportedPattern(f"rule {rule}: keys {sorted(unknown)}")
        attrs = entry.get("attrs") or {}
        if not isinstance(attrs, dict) or not all(str(k).upper() in SET_ATTRS for k in attrs):
            raise UnsupportedPattern(f"rule {rule}: sets {attrs!r}")
        index = entry.get("index", 0)
        if not isinstance(index, int) or isinstance(index, bool):
            raise UnsupportedPattern(f"rule {rule}: index {index!r}")
        self.rule_attrs.append(normalize_token_attrs(self.vocab, attrs))  # what AttributeRuler.add stores
        for tokens in entry.get("patterns") or []:
            if not isinstance(tokens, list) or not tokens:
                raise UnsupportedPattern(f"rule {rule}: pattern {tokens!r}")
            target = index if index >= 0 else len(tokens) + index
            if not 0 <= target < len(tokens):
                raise UnsupportedPattern(f"rule {rule}: index {index} outside a {len(tokens)}-token pattern")
            specs = tuple(self._compile_token(rule, spec) for spec in tokens)
            (self.single if len(specs) == 1 else self.multi).append(_Pattern(rule, specs, target))

    def _compile_token(self, rule: int, spec: Any) -> tuple[tuple[int, int], ...]:
        if not isinstance(spec, dict):
            raise UnsupportedPattern(f"rule {rule}: token {spec!r}")
        out = []
        for key, value in spec.items():
            name = key.upper() if isinstance(key, str) else key
            name = "ORTH" if name == "TEXT" else name
            if name in FLAG_ATTRS and isinstance(value, (bool, int)):
                slot = self._slot(name)
                flag = int(value)
                out.append((slot, self.attributes[slot].predicate(("==", flag), _Equals(flag))))
            elif name in STRING_ATTRS and isinstance(value, (str, int)) and not isinstance(value, bool):
                target = self.vocab.strings.add(value) if isinstance(value, str) else value
                slot = self._slot(name)
                out.append((slot, self.attributes[slot].predicate(("==", target), _Equals(target))))
            elif name in STRING_ATTRS and isinstance(value, dict):
                slot = self._slot(name)
                out.extend((slot, self._compile_predicate(rule, slot, op, arg)) for op, arg in value.items())
            else:
                raise UnsupportedPattern(f"rule {rule}: token attribute {key!r}: {value!r}")
        return tuple(out)

    def _compile_predicate(self, rule: int, slot: int, op: Any, arg: Any) -> int:
        attribute = self.attributes[slot]
        op = op.upper() if isinstance(op, str) else op
        if op in ("IN", "NOT_IN") and isinstance(arg, list) and all(isinstance(a, (str, int)) for a in arg):
            targets = frozenset(get_string_id(a) for a in arg)
            return attribute.predicate((op, targets), _InSet(targets, negate=op == "NOT_IN"))
        if op == "REGEX" and isinstance(arg, str):
            return attribute.predicate((op, arg), _Regex(self.vocab, re.compile(arg)))
        raise UnsupportedPattern(f"rule {rule}: {attribute.name} {op!r} {arg!r}")

    # -- matching --------------------------------------------------------------------------------------

    def _merge(self, rules: tuple[int, ...]) -> dict | None:
        """Attributes of ``rules`` applied in rule order (a later rule overwrites an earlier one's)."""
        if rules not in self._merged:
            merged: dict = {}
            for rule in rules:
                merged.update(self.rule_attrs[rule])
            self._merged[rules] = merged or None
        return self._merged[rules]

    def _classify(self, values: tuple[int, ...]) -> _TokenResult:
        classes = tuple(a.satisfied(v) for a, v in zip(self.attributes, values, strict=True))
        found = self._by_classes.get(classes)
        if found is None:

            def holds(spec: tuple[tuple[int, int], ...]) -> bool:
                return all(pred in classes[slot] for slot, pred in spec)

            rules = tuple(sorted({p.rule for p in self.single if holds(p.specs[0])}))
            positions = frozenset(
                (m, k) for m, p in enumerate(self.multi) for k, spec in enumerate(p.specs) if holds(spec)
            )
            starts = tuple(sorted(m for m, k in positions if k == 0))
            found = _TokenResult(rules, self._merge(rules), starts, positions)
            self._by_classes[classes] = found
        return found

    def token_results(self, doc: Doc) -> list[_TokenResult]:
        """Per token, what the one-token rules and multi-token positions say (from the unchanged doc)."""
        if not self.attributes:
            empty = self._classify(())
            return [empty] * len(doc)
        # to_array gives one column per attribute, but a flat array for a one-attribute list
        rows = doc.to_array(self.attr_ids).reshape(len(doc), len(self.attr_ids)).tolist()
        cache = self._by_values
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        out = []
        for row in rows:
            key = tuple(row)
            found = cache.get(key)
            if found is None:
                found = cache[key] = self._classify(key)
            out.append(found)
        return out

    def _multi_rules(self, results: list[_TokenResult]) -> dict[int, set[int]]:
        """Token index -> rules of the multi-token patterns matched with that token as their target."""
        found: dict[int, set[int]] = {}
        n = len(results)
        for start, result in enumerate(results):
            for m in result.starts:
                pattern = self.multi[m]
                size = len(pattern.specs)
                if start + size <= n and all((m, k) in results[start + k].positions for k in range(1, size)):
                    found.setdefault(start + pattern.target, set()).add(pattern.rule)
        return found

    def apply(self, doc: Doc) -> Doc:
        """Set the attributes of every matched token, as ``AttributeRuler.set_annotations`` would."""
        results = self.token_results(doc)
        extra = self._multi_rules(results) if self.multi else {}
        for token, result in zip(doc, results, strict=True):
            attrs = result.attrs
            if token.i in extra:
                attrs = self._merge(tuple(sorted(extra[token.i].union(result.rules))))
            if attrs:
                set_token_attrs(token, attrs)
        return doc


class CompiledAttributeRuler:
    """The pipeline component: :class:`CompiledRules` over patterns given by :meth:`set_patterns`."""

    def __init__(self, vocab: Vocab, name: str) -> None:
        self.vocab = vocab
        self.name = name
        self.rules = CompiledRules(vocab, [])

    def set_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:
        """Compile ``patterns`` (``AttributeRuler.patterns`` format); may raise UnsupportedPattern."""
        self.rules = CompiledRules(self.vocab, patterns)

    @property
    def patterns(self) -> list[dict[str, Any]]:
        return list(self.rules.source)

    def __call__(self, doc: Doc) -> Doc:
        return self.rules.apply(doc)

    def to_bytes(self, *, exclude: Sequence[str] = ()) -> bytes:
        return srsly.msgpack_dumps({"patterns": self.patterns})

    def from_bytes(self, data: bytes, *, exclude: Sequence[str] = ()) -> CompiledAttributeRuler:
        self.set_patterns(srsly.msgpack_loads(data)["patterns"])
        return self

    def to_disk(self, path: str | Path, *, exclude: Sequence[str] = ()) -> None:
        srsly.write_msgpack(Path(path), {"patterns": self.patterns})

    def from_disk(self, path: str | Path, *, exclude: Sequence[str] = ()) -> CompiledAttributeRuler:
        self.set_patterns(srsly.read_msgpack(Path(path))["patterns"])
        return self


@Language.factory(FACTORY, assigns=["token.pos", "token.tag", "token.morph", "token.lemma", "token.dep"])
def make_compiled_attribute_ruler(nlp: Language, name: str) -> CompiledAttributeRuler:
    return CompiledAttributeRuler(nlp.vocab, name)


def use_compiled_attribute_ruler(nlp: Language, name: str = STOCK_NAME) -> bool:
    """Replace the stock attribute ruler ``name`` by ``aiwatch_attribute_ruler_v1`` at the same position,
    compiled from its patterns; keep the stock one (and return False) if it is absent, not a stock
    ``attribute_ruler``, or uses a pattern feature the compiler does not support."""
    if name not in nlp.pipe_names or nlp.get_pipe_meta(name).factory != "attribute_ruler":
        return False
    patterns = nlp.get_pipe(name).patterns
    try:
        rules = CompiledRules(nlp.vocab, patterns)
    except UnsupportedPattern as exc:
        log.debug("keeping the stock %s: %s", name, exc)
        return False
    component = nlp.replace_pipe(name, FACTORY)
    component.rules = rules
    return True
