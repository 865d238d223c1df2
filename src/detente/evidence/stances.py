"""Stance cues: sentences where an actor demands, refuses, offers, is willing, warns or
threatens, with the holder and the target.

A cue is a verb or phrase of one of those kinds. The holder is the actor named last before it in
the sentence (its subject, as English puts it), or, for a cue inside an attributed quote, the
speaker's actor; the target is the first actor named after it. A
demand, a refusal, an offer or a willingness says where the holder stands: it bears on a
**position**; a warning or a threat says how much the holder cares: it bears on a **salience**.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from detente.evidence.mentions import Mention
from detente.evidence.quotes import Quote

__all__ = ["KINDS", "Stance", "find_stances"]

#: Each kind of stance with the input it bears on and the words that cue it.
KINDS: dict[str, tuple[str, str]] = {
    "demand": (
        "position",
        r"demand(?:s|ed|ing)?|insist(?:s|ed)?\s+on|call(?:s|ed)?\s+for|want(?:s|ed)?|"
        r"urg(?:e|es|ed)|press(?:es|ed)?\s+for|require|requires|required|seek(?:s)?|sought",
    ),
    "refuse": (
        "position",
        r"refus(?:e|es|ed|ing)|reject(?:s|ed)?|rul(?:e|es|ed)\s+out|unwilling|"
        r"will\s+not\s+accept|won't\s+accept|opposed?|oppos(?:es|ing)|veto(?:es|ed)?|"
        r"block(?:s|ed)",
    ),
    "offer": (
        "position",
        r"offer(?:s|ed)?|propos(?:e|es|ed)|overture|put\s+forward|"
        r"agree(?:s|d)?\s+to|promises|promised|promise\s+to|pledg(?:e|es|ed)",
    ),
    "willing": (
        "position",
        r"(?<!un)willing(?:ness)?|ready\s+to|prepared\s+to|open\s+to|stands\s+ready|"
        r"interested\s+in",
    ),
    "warn": (
        "salience",
        r"warn(?:s|ed|ing)?|caution(?:s|ed)?|concern(?:s|ed)?|alarm(?:ed)?|priorit(?:y|ies)|"
        r"focus(?:ed)?\s+on",
    ),
    "threaten": (
        "salience",
        r"threat|threaten|threatens|threatened|ultimatum|retaliat(?:e|ion)|pressure|crisis|sanction(?:s)?",
    ),
}
_CUES = re.compile(
    "|".join(rf"(?P<{kind}>\b(?:{words})\b)" for kind, (_, words) in KINDS.items()), re.I
)


@dataclass(frozen=True)
class Stance:
    """A stance cue: ``cue`` is ``text[start:end]``, the words that state it; ``sentence``
    the span of its sentence; ``holder`` and ``target`` actor ids (None where the sentence
    names none); ``bears_on`` is ``position`` or ``salience``."""

    start: int
    end: int
    cue: str
    kind: str
    holder: str | None
    target: str | None
    bears_on: str
    sentence: tuple[int, int]


def find_stances(
    text: str,
    sentence_spans: Sequence[tuple[int, int]],
    mentions: Sequence[Mention],
    quotes: Sequence[Quote] = (),
) -> list[Stance]:
    """The stance cues of every sentence that names an actor (one per cue word). A cue inside
    an attributed quote is the speaker's: its holder is the quote's actor."""
    out = []
    said = [q for q in quotes if q.actor is not None and q.kind == "speech"]
    by_sentence = _group(sentence_spans, mentions)
    for (s_start, s_end), named in zip(sentence_spans, by_sentence, strict=True):
        inside = [q for q in said if q.start < s_end and s_start < q.end]
        if not named and not inside:
            continue
        for m in _CUES.finditer(text, s_start, s_end):
            kind = m.lastgroup
            assert kind is not None
            quote = next((q for q in inside if q.start <= m.start() < q.end), None)
            if quote is not None:  # the speaker's words: only what the quote names counts
                named_here = [x for x in named if quote.start <= x.start < quote.end]
                before, holder = [], quote.actor
            else:
                named_here = [
                    x for x in named if not any(q.start <= x.start < q.end for q in inside)
                ]
                before = [x for x in named_here if x.end <= m.start() and x.actor is not None]
                holder = _holder(text, before, m.start())
            after = [x for x in named_here if x.start >= m.end() and x.actor is not None]
            if holder is None:
                continue
            target = next((x.actor for x in after if x.actor != holder), None)
            out.append(
                Stance(
                    m.start(),
                    m.end(),
                    m.group(),
                    kind,
                    holder,
                    target,
                    KINDS[kind][0],
                    (s_start, s_end),
                )
            )
    return out


def _holder(text: str, before: Sequence[Mention], cue: int) -> str | None:
    """The actor named just before the cue (at most four words), else the sentence's first
    actor: its subject, as most news sentences run."""
    if not before:
        return None
    last = before[-1]
    between = text[last.end : cue]
    if len(between.split()) <= 4 and "," not in between:
        return last.actor
    return before[0].actor


def _group(spans: Sequence[tuple[int, int]], mentions: Sequence[Mention]) -> list[list[Mention]]:
    groups: list[list[Mention]] = [[] for _ in spans]
    n = 0
    for mention in mentions:
        while n < len(spans) and spans[n][1] <= mention.start:
            n += 1
        if n < len(spans) and spans[n][0] <= mention.start:
            groups[n].append(mention)
    return groups
