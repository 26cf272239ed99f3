"""Claims by label rather than by verb: a name before a colon opening a line ("PENCE: Well, look ..."), a
paragraph signed with a dash ("... ― Jane Doe"), and the "A:" turns of a question-and-answer transcript
whose answerer the text names; with the document's lines (:func:`line_bounds`) they are read on.
"""

from __future__ import annotations

from aiwatch.extract.claim_model import Claim, ClaimContext, build_claim
from aiwatch.extract.content import classify_content
from aiwatch.extract.cues import FINAL_MARKS
from aiwatch.extract.references import children_with, in_regions, subject_of
from aiwatch.extract.speakers import Speaker, speaker_of
from spacy.tokens import Doc, Span, Token

LABEL_STOP = frozenset(
    {
        "update", "updates", "photo", "photos", "image", "read", "watch", "related", "source", "sources",
        "note", "correction", "video", "also", "see", "listen", "more", "caption", "credit", "file", "editor",
        "q", "a", "question", "answer", "tags", "topics", "share", "by", "warning", "disclaimer", "summary",
        "background", "context", "analysis", "opinion", "exclusive", "breaking", "live", "explainer", "why",
        "what", "how", "when", "who", "where",
    }
)
DASHES = frozenset({"―", "—", "–", "--"})


def line_bounds(doc: Doc, is_space: list[int]) -> tuple[list[int], list[tuple[int, int]]]:
    """The line of each token and each line's token range [start, end): a space token holding a line
    break ends a line (spaCy keeps line breaks in space tokens)."""
    line_of: list[int] = []
    bounds: list[tuple[int, int]] = []
    start = 0
    for i, space in enumerate(is_space):
        line_of.append(len(bounds))
        if space and "\n" in doc[i].text:
            bounds.append((start, i + 1))
            start = i + 1
    if start < len(is_space):
        bounds.append((start, len(is_space)))
    return line_of, bounds


def _is_name_label(tokens: Span, ctx: ClaimContext) -> bool:
    words = [t for t in tokens if not t.is_space]
    if not 1 <= len(words) <= 4 or any(t.lower_ in LABEL_STOP for t in words):
        return False
    return all(
        ctx.emap.at(t) is not None or t.pos_ == "PROPN" or (t.is_upper and t.is_alpha and len(t) > 1)
        or t.lower_ in ("'s", "’s", ".")
        for t in words
    )


def claims_by_label(sent: Span, ctx: ClaimContext) -> list[Claim]:
    """Transcript and headline labels: "PENCE: Well, look ..." or "Pence: X won't be at the debate" (the
    name before a colon opening a line speaks the rest of the line), and a paragraph signed with a dash
    ("... ― Jane Doe")."""
    doc = ctx.doc
    begin, end = ctx.lines[ctx.line_of[sent.start]]
    if begin == sent.start:
        first = sent.start + 1 if doc[sent.start].is_quote else sent.start
        colon = next((t for t in doc[first : min(first + 6, sent.end)] if t.text == ":"), None)
        if colon is not None and colon.i > first and _is_name_label(doc[first : colon.i], ctx):
            content = [t for t in doc[colon.i + 1 : end] if not t.is_space]
            return _label_claim(sent, ctx, [colon], doc[first : colon.i].root, content)
    if end > sent.end + 1 or not any(t.text in DASHES for t in doc[max(begin, end - 7) : end]):
        return []  # a signature closes its line: the claim is made once, on the line's last sentence
    line = [t for t in doc[begin:end] if not t.is_space]
    dash = next((t for t in reversed(line[-6:]) if t.text in DASHES), None)
    if dash is None or dash.i == line[0].i or not _is_name_label(doc[dash.i + 1 : line[-1].i + 1], ctx):
        return []
    content = [t for t in doc[line[0].i : dash.i] if not t.is_space]
    head = doc[dash.i + 1 : line[-1].i + 1].root
    return _label_claim(sent, ctx, [dash], head, content)


ANSWER_LABELS = frozenset({"a", "answer"})
TURN_LABELS = ANSWER_LABELS | {"q", "question"}
ANSWERING_VERBS = frozenset({"answer", "respond", "take", "field", "reply"})


def _turn_label(line: tuple[int, int], doc: Doc) -> tuple[str, Token] | None:
    """The label word and colon of a line opening a transcript turn ("A: ...", "Question: ...")."""
    words = [t for t in doc[line[0] : min(line[1], line[0] + 4)] if not t.is_space]
    if len(words) >= 2 and words[0].lower_ in TURN_LABELS and words[1].text == ":":
        return words[0].lower_, words[1]
    return None


def answer_turns(ctx: ClaimContext) -> tuple[Speaker | None, dict[int, Token]]:
    """The answerer of a question-and-answer transcript and its lines (line index -> the colon of the turn's
    "A:" label). The answerer is named where the text says who took the questions ("The spokesperson of the
    Ministry of Commerce answered reporters' questions ...") before the first answer; a turn runs from its
    "A:" line over the following paragraphs up to the next question or heading line. Nothing when the text
    is no such transcript or never says who answers."""
    doc = ctx.doc
    labels = [_turn_label(line, doc) for line in ctx.lines]
    first = next((k for k, label in enumerate(labels) if label and label[0] in ANSWER_LABELS), None)
    if first is None:
        return None, {}
    answerer = None
    for tok in doc[: ctx.lines[first][0]]:
        if tok.pos_ != "VERB" or tok.lemma_.lower() not in ANSWERING_VERBS:
            continue
        objects = [
            o for c in tok.children for o in ([c] if c.dep_ == "dobj" else children_with(c, ("pobj",)))
        ]
        subject, passive = subject_of(tok)
        if any(o.lemma_.lower() == "question" for o in objects) and subject is not None and not passive:
            answerer = ctx.speaker(subject, True)
            break
    if answerer is None:
        return None, {}
    lines: dict[int, Token] = {}
    colon: Token | None = None
    for k in range(first, len(ctx.lines)):
        label = labels[k]
        start, end = ctx.lines[k]
        words = [t for t in doc[start:end] if not t.is_space]
        if label is not None:
            colon = label[1] if label[0] in ANSWER_LABELS else None
        elif words and words[-1].text not in FINAL_MARKS:
            colon = None  # a heading or a page footer ends the turn
        if colon is not None and words:
            lines[k] = colon
    return answerer, lines


def claims_of_answer(sent: Span, ctx: ClaimContext) -> list[Claim]:
    """Each sentence of an "A:" turn is the answerer's claim, classified on its own words."""
    colon = ctx.answer_lines.get(ctx.line_of[sent.start])
    if ctx.answerer is None or colon is None or sent.end <= colon.i:
        return []
    content = [t for t in ctx.doc[max(sent.start, colon.i + 1) : sent.end] if not t.is_space]
    return _label_claim(sent, ctx, [colon], None, content, ctx.answerer)


def _label_claim(
    sent: Span,
    ctx: ClaimContext,
    cue: list[Token],
    head: Token | None,
    content: list[Token],
    speaker: Speaker | None = None,
) -> list[Claim]:
    words = [t for t in content if not t.is_punct]
    if len(words) < 3:
        return []
    if speaker is None and head is not None:
        speaker = speaker_of(head, ctx.emap, ctx.sent_starts, ctx.lex, speaking=True)
    if speaker is None:
        return []
    own = ctx.own_side(speaker)
    kind, targets, kind_how = classify_content(content, ctx.emap, ctx.lex, own, ctx.sent_starts)
    if kind == "unnamed":
        kind, targets, kind_how = "accusation", [], "content_weak"  # wrongdoing, doer not named
    quoted = any(in_regions(t.i, ctx.regions) for t in content[:2])
    return [
        build_claim(ctx, sent, cue, speaker, kind, kind_how, t, content, quoted, cue[0].text)
        for t in (targets or [None])
    ]
