"""Page chrome: the lines of an article text that are not running prose.

News pages keep headings, photo credits, captions, contact blocks and menus in the extracted text. On such
lines capitalisation says nothing ("The Broader Problem", "Media Contact", "Trump Warns China") and the
NER turns fragments into names. The resolver lets a mention on a chrome line link to the knowledge base or
to a name the article's prose already introduced, but never create a discovered entity or anchor a surname.

Each rule reads the *line* a mention sits on (the text between two line breaks), never a list of words:

* ``title``: every content word is capitalised (headline and section-heading style, all-caps banners);
* ``credit``: a photo credit or caption ("Photo: Agency", "FILE PHOTO: ...", "AGENCY/Name Surname");
* ``contact``: a contact block (an e-mail address, a phone number, "Contact:");
* ``menu``: a short bullet item without final punctuation (navigation lists).

Everything else is ``body``, including sentence-case headlines ("Nvidia wins a licence, sources say"),
whose capitals are as informative as a sentence's.

>>> [line_kind(s) for s in ["The Broader Problem", "Nvidia won a licence, sources say", "- Chicago"]]
['title', 'body', 'menu']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Span

BODY, TITLE, CREDIT, CONTACT, MENU = "body", "title", "credit", "contact", "menu"

_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_CREDIT = re.compile(
    r"\b(?:photo|photograph|image|picture|illustration|graphic|credit|caption)s?\s*(?::|by\b)", re.IGNORECASE
)
_WIRE_CREDIT = re.compile(r"\b[A-Z]{3,}/[A-Z][a-z]")  # "AGENCY/Photographer Name"
_CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+"  # an e-mail address
    r"|\[email\s*protected\]"  # the obfuscated form some sites serve
    r"|\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b"  # a phone number
    r"|\bcontacts?\s*:",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-–•*·▪►]|\d{1,2}[.)])\s+")
_FINAL_PUNCT = re.compile(r"[.!?;:…]['\"’”)\]]*\s*$")
_CLOCK = re.compile(r"^\d{1,2}:\d{2}$|^(?:a\.?m\.?|p\.?m\.?)$", re.IGNORECASE)


def content_words(line: str) -> list[str]:
    """Words of ``line`` that carry capitalisation information: letters first, not stop words.

    >>> content_words("By the Numbers: 3 of 4 labs")
    ['Numbers', 'labs']
    """
    return [w for w in _WORD.findall(line) if w.lower().strip(".'’-") not in STOP_WORDS and len(w) > 1]


def is_title_case(line: str) -> bool:
    """Every content word starts with a capital ("The Scale of the Operation", "FOR IMMEDIATE RELEASE").

    >>> is_title_case("National Security Concerns and Ethical Debates"), is_title_case("Nvidia said so.")
    (True, False)
    """
    words = content_words(line)
    return bool(words) and all(w[0].isupper() for w in words)


def is_credit(line: str) -> bool:
    """A photo credit or caption: "Photo: Agency", "FILE PHOTO: ...", "AGENCY/Name/File Photo"."""
    return bool(_CREDIT.search(line) or _WIRE_CREDIT.search(line))


def is_contact(line: str) -> bool:
    """A contact block: an e-mail address, a phone number or a "Contact:" label."""
    return bool(_CONTACT.search(line))


def is_menu_item(line: str, max_words: int = 4) -> bool:
    """A short bullet item without final punctuation ("- Chicago", "• Latest news")."""
    if not _BULLET.match(line):
        return False
    rest = _BULLET.sub("", line, count=1)
    return len(rest.split()) <= max_words and not _FINAL_PUNCT.search(rest)


def line_kind(line: str) -> str:
    """``body``, ``title``, ``credit``, ``contact`` or ``menu`` (see the module docstring)."""
    if is_credit(line):
        return CREDIT
    if is_contact(line):
        return CONTACT
    if is_menu_item(line):
        return MENU
    if is_title_case(line):
        return TITLE
    return BODY


class Lines:
    """The kind of every line of a text, looked up by character offset.

    >>> lines = Lines("Trump Warns China\\nTrump warned China on Monday.")
    >>> lines.kind_at(0), lines.kind_at(20)
    ('title', 'body')
    """

    def __init__(self, text: str) -> None:
        self.starts: list[int] = []
        self.kinds: list[str] = []
        start = 0
        for line in text.split("\n"):
            self.starts.append(start)
            self.kinds.append(line_kind(line))
            start += len(line) + 1

    def kind_at(self, offset: int) -> str:
        return self.kinds[bisect_right(self.starts, offset) - 1] if self.starts else BODY

    def is_body(self, span: Span) -> bool:
        return self.kind_at(span.start_char) == BODY


def is_field_label(span: Span) -> bool:
    """A label before a colon that opens its line or a "|"-separated segment ("Media Contact: ...")."""
    doc = span.doc
    if span.end >= len(doc) or doc[span.end].text != ":":
        return False
    before = doc[span.start - 1] if span.start > 0 else None
    return before is None or "\n" in before.text or "\n" in before.whitespace_ or before.text in ("|", "•")


def is_dateline(span: Span) -> bool:
    """The place that opens a news dateline: first on its line, followed by a dash or a comma and a date
    ("HOUSTON – Federal prosecutors ...", "BEIJING, Jan 5 ...")."""
    doc = span.doc
    before = doc[span.start - 1] if span.start > 0 else None
    if before is not None and "\n" not in before.text and "\n" not in before.whitespace_:
        return False
    after = doc[span.end] if span.end < len(doc) else None
    if after is None:
        return False
    if after.text in ("–", "—", "-", "--"):
        return True
    if after.text != "," or span.end + 1 >= len(doc):
        return False
    nxt = doc[span.end + 1]
    # "BEIJING, Jan 5 ...", "Washington, D.C.—The ..." (the tokenizer may glue the dash to the next word)
    return nxt.ent_type_ == "DATE" or any(d in nxt.text for d in ("—", "–")) or (
        span.end + 2 < len(doc) and doc[span.end + 2].text in ("–", "—", "-", "--")
    )


def follows_clock_time(span: Span) -> bool:
    """A word right after a clock time is a time zone ("9:03 AM UTC"), not an organisation."""
    previous: Sequence = span.doc[max(0, span.start - 2) : span.start]
    return any(_CLOCK.match(t.text) for t in previous)
