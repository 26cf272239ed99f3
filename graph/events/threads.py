"""Threads: what followed an accusation. Pure rules over event summaries; every link says why it was made.

For an accusation event A (accuser S, accused T, topic P, date d):

- **denial / response**: a denial by one of T (a statement or announcement counts only when it names S
  and rebuts: "did not", "denies", "no evidence"), linked to the latest accusation of each accuser it names,
  else of each accuser with an open accusation against it,
  same topic, dated from d to ``response_window`` days after. When a denial could answer several
  accusations, it goes to those whose accuser it names, else to the latest one before it.
- **evidence / corroboration**: a later accusation on the same topic (known on both: an accusation with no
  topic may accuse the party of something else) against one of T, within ``evidence_window`` days, when A
  is the latest earlier accusation of that party by the same accuser (evidence) or by one of the other
  accusers (corroboration).
- **action**: a policy action naming one of T (as actor or target) or S (as target), same topic, within
  ``action_window`` days, when A is the latest earlier accusation involving that party.

Every rule is read from the later event's side (it goes to the latest fitting accusation of at most
``MAX_ACCUSERS`` accusers), so an event links to a handful of threads however crowded its parties'
history, and an update recomputes the links of the changed events and of the events that followed a
changed accusation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

REBUTTAL = re.compile(r"\b(?:not|no|never|den(?:y|ies|ied)|reject(?:s|ed)?|refut(?:e|es|ed)|false|"
                      r"disput(?:e|es|ed)|baseless|untrue)\b|n't\b", re.I)

RESPONSE_KINDS = ("denial", "statement", "announcement")
MAX_ACCUSERS = 5  # an event answers or follows at most this many accusers' latest accusations


@dataclass(frozen=True)
class Summary:
    """What the thread rules read of an event."""

    event_id: int
    kind: str
    speaker_id: str | None
    speaker_name: str | None
    targets: frozenset[str]
    topic: str | None
    start: date  # first day of its date
    end: date  # last day of its date
    names: frozenset[str] = frozenset()  # entity ids its sentences name (speakers, targets, mentions)
    rebuts: bool = False  # a sentence of it negates or rebuts ("did not", "denies", "false")


@dataclass(frozen=True)
class Link:
    thread_id: int
    event_id: int
    relation: str
    reason: str
    days: int


def _topic_ok(a: Summary, b: Summary) -> bool:
    return not (a.topic and b.topic and a.topic != b.topic)


def _same_topic(a: Summary, b: Summary) -> bool:
    """Both on one known topic: an accusation with no topic may accuse the same party of something else."""
    return a.topic is not None and a.topic == b.topic


def _days(accusation: Summary, other: Summary) -> int:
    return max((other.start - accusation.start).days, 0)


def _follows(accusation: Summary, other: Summary, window: int) -> bool:
    """``other`` is not dated before ``accusation`` and begins within ``window`` days of it."""
    return other.end >= accusation.start and (other.start - accusation.start).days <= window


def _topic_words(a: Summary) -> str:
    return f"topic {a.topic}" if a.topic else "no topic"


def latest_by_accuser(accusations: Iterable[Summary], limit: int = MAX_ACCUSERS) -> list[Summary]:
    """The latest accusation of each accuser (an unnamed accuser counts as one), the ``limit`` most recent."""
    latest: dict[str | None, Summary] = {}
    for a in accusations:
        kept = latest.get(a.speaker_id)
        if kept is None or (a.start, a.event_id) > (kept.start, kept.event_id):
            latest[a.speaker_id] = a
    return sorted(latest.values(), key=lambda a: (a.start, a.event_id), reverse=True)[:limit]


def response_links(response: Summary, accusations: Iterable[Summary], *, window: int) -> list[Link]:
    """Links from the accusations ``response`` (a denial or statement) answers: the latest accusation of
    each accuser it names, else (a denial only) of each accuser with an open accusation against it."""
    if response.kind not in RESPONSE_KINDS or response.speaker_id is None:
        return []
    open_ = [a for a in accusations if a.kind == "accusation" and response.speaker_id in a.targets
             and a.speaker_id != response.speaker_id and _topic_ok(a, response)
             and _follows(a, response, window)]
    named = [a for a in open_ if a.speaker_id and a.speaker_id in (response.names | response.targets)]
    if response.kind != "denial" and not (named and response.rebuts):
        return []
    relation = "denial" if response.kind == "denial" else "response"
    how = "naming the accuser" if named else "an open accusation against it"
    out = []
    for a in latest_by_accuser(named or open_):
        why = (f"{relation} by the accused {response.speaker_name or response.speaker_id}, {how}; "
               f"{_topic_words(response)}; {_days(a, response)} days later")
        out.append(Link(a.event_id, response.event_id, relation, why, _days(a, response)))
    return out


def _latest(candidates: Iterable[Summary]) -> Summary | None:
    return max(candidates, key=lambda a: (a.start, a.event_id), default=None)


def evidence_links(later: Summary, earlier: Iterable[Summary], *, window: int) -> list[Link]:
    """Links making ``later`` (an accusation) evidence or corroboration of earlier ones: for each party it
    accuses, the latest earlier accusation of that party by the same accuser (evidence) and by another
    (corroboration), on the same topic, within ``window`` days."""
    if later.kind != "accusation":
        return []
    out: dict[int, Link] = {}
    for target in sorted(later.targets):
        fits = [a for a in earlier if a.kind == "accusation" and target in a.targets
                and a.event_id != later.event_id and _same_topic(a, later) and _follows(a, later, window)
                and (a.start, a.event_id) < (later.start, later.event_id)]
        mine = [a for a in fits if later.speaker_id is not None and a.speaker_id == later.speaker_id]
        others = [a for a in fits if a not in mine]
        for relation, group in (("evidence", latest_by_accuser(mine, 1)),
                                ("corroboration", latest_by_accuser(others))):
            for accusation in group:
                if accusation.event_id in out:
                    continue
                who = "the accuser again" if relation == "evidence" else \
                    f"a third party, {later.speaker_name or 'unnamed'}"
                why = (f"{relation}: {who} accuses {target}, after this accuser's latest accusation of it; "
                       f"{_topic_words(later)}; {_days(accusation, later)} days later")
                out[accusation.event_id] = Link(accusation.event_id, later.event_id, relation, why,
                                                _days(accusation, later))
    return list(out.values())


def action_links(action: Summary, earlier: Iterable[Summary], *, window: int) -> list[Link]:
    """Links making ``action`` (a policy action) follow accusations: for each party it names (a target, or
    its actor when accused), the latest earlier accusation of or by that party, same topic, within
    ``window`` days."""
    if action.kind != "policy_action":
        return []
    out: dict[int, Link] = {}
    earlier = [a for a in earlier if a.kind == "accusation" and _topic_ok(a, action)
               and _follows(a, action, window)]
    for party in sorted(set(action.targets) | ({action.speaker_id} if action.speaker_id else set())):
        as_target = party in action.targets
        fits = [a for a in earlier if party in a.targets or (as_target and a.speaker_id == party)]
        accusation = _latest(fits)
        if accusation is None or accusation.event_id in out:
            continue
        why = (f"government action by {action.speaker_name or action.speaker_id or 'an authority'} naming "
               f"{party}, the latest accusation involving it before; {_topic_words(action)}; "
               f"{_days(accusation, action)} days later")
        out[accusation.event_id] = Link(accusation.event_id, action.event_id, "action", why,
                                        _days(accusation, action))
    return list(out.values())


def status(links: Iterable[Link]) -> str:
    """The furthest stage a thread reached.

    >>> status([Link(1, 2, "denial", "", 3)])
    'disputed'
    >>> status([])
    'alleged'
    """
    relations = {link.relation for link in links}
    if "action" in relations:
        return "acted_on"
    if "corroboration" in relations:
        return "corroborated"
    if "denial" in relations:
        return "disputed"
    return "alleged"
