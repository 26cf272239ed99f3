"""Threads: what followed an accusation. Pure rules over event summaries; every link says why it was made.

For an accusation event A (accuser S, accused T, topic P, date d):

- **denial / response**: a denial by one of T (a statement or announcement counts only when it names S
  and rebuts: "did not", "denies", "no evidence"),
  same topic, dated from d to ``response_window`` days after. When a denial could answer several
  accusations, it goes to those whose accuser it names, else to the latest one before it.
- **evidence / corroboration**: a later accusation on the same topic against one of T, within
  ``evidence_window`` days: evidence when S makes it again, corroboration when a third party does.
- **action**: a policy action naming S or one of T (as actor or target), same topic, within
  ``action_window`` days.

Status, the furthest stage reached: ``acted_on`` (an action), else ``corroborated`` (a corroboration), else
``disputed`` (a denial), else ``alleged``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

REBUTTAL = re.compile(r"\b(?:not|no|never|den(?:y|ies|ied)|reject(?:s|ed)?|refut(?:e|es|ed)|false|"
                      r"disput(?:e|es|ed)|baseless|untrue)\b|n't\b", re.I)

RESPONSE_KINDS = ("denial", "statement", "announcement")


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


def _days(accusation: Summary, other: Summary) -> int:
    return max((other.start - accusation.start).days, 0)


def _follows(accusation: Summary, other: Summary, window: int) -> bool:
    """``other`` is not dated before ``accusation`` and begins within ``window`` days of it."""
    return other.end >= accusation.start and (other.start - accusation.start).days <= window


def _topic_words(a: Summary) -> str:
    return f"topic {a.topic}" if a.topic else "no topic"


def response_links(response: Summary, accusations: Iterable[Summary], *, window: int) -> list[Link]:
    """Links from the accusations ``response`` (a denial or statement) answers."""
    if response.kind not in RESPONSE_KINDS or response.speaker_id is None:
        return []
    open_ = [a for a in accusations if a.kind == "accusation" and response.speaker_id in a.targets
             and a.speaker_id != response.speaker_id and _topic_ok(a, response)
             and _follows(a, response, window)]
    named = [a for a in open_ if a.speaker_id and a.speaker_id in (response.names | response.targets)]
    if response.kind != "denial" and not (named and response.rebuts):
        return []
    chosen = named or ([max(open_, key=lambda a: (a.start, a.event_id))] if open_ else [])
    if named:  # the latest accusation by each accuser it names
        latest: dict[str, Summary] = {}
        for a in named:
            if a.speaker_id not in latest or (a.start, a.event_id) > (latest[a.speaker_id].start,
                                                                      latest[a.speaker_id].event_id):
                latest[a.speaker_id] = a
        chosen = list(latest.values())
    relation = "denial" if response.kind == "denial" else "response"
    out = []
    for a in chosen:
        why = (f"{relation} by the accused {response.speaker_name or response.speaker_id}, "
               f"{'naming the accuser' if a in named else 'the latest accusation against it before'}; "
               f"{_topic_words(response)}; {_days(a, response)} days later")
        out.append(Link(a.event_id, response.event_id, relation, why, _days(a, response)))
    return out


def evidence_link(accusation: Summary, later: Summary, *, window: int) -> Link | None:
    """A later accusation against the same party on the same topic, as evidence or corroboration."""
    if later.kind != "accusation" or later.event_id == accusation.event_id or accusation.kind != "accusation":
        return None
    shared = accusation.targets & later.targets
    if not shared or not _topic_ok(accusation, later) or not _follows(accusation, later, window):
        return None
    if (later.start, later.event_id) <= (accusation.start, accusation.event_id):
        return None
    same = later.speaker_id is not None and later.speaker_id == accusation.speaker_id
    relation = "evidence" if same else "corroboration"
    who = "the accuser again" if same else f"a third party, {later.speaker_name or 'unnamed'}"
    why = (f"{relation}: {who} accuses {', '.join(sorted(shared))}; {_topic_words(later)}; "
           f"{_days(accusation, later)} days later")
    return Link(accusation.event_id, later.event_id, relation, why, _days(accusation, later))


def action_link(accusation: Summary, action: Summary, *, window: int) -> Link | None:
    """A policy action naming the accuser or the accused after the accusation."""
    if action.kind != "policy_action" or accusation.kind != "accusation":
        return None
    # Its targets may be either party; its actor counts only when accused (an accuser acting on its own
    # accusation is the same party, not a consequence).
    parties = set(accusation.targets) | ({accusation.speaker_id} if accusation.speaker_id else set())
    named = (parties & set(action.targets)) | ({action.speaker_id} & set(accusation.targets))
    if not named or not _topic_ok(accusation, action) or not _follows(accusation, action, window):
        return None
    why = (f"government action by {action.speaker_name or action.speaker_id or 'an authority'} naming "
           f"{', '.join(sorted(named))}; {_topic_words(action)}; {_days(accusation, action)} days later")
    return Link(accusation.event_id, action.event_id, "action", why, _days(accusation, action))


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
