"""One article in, its findings out: actor mentions, attributed quotes, stance cues and dated
events, every one with its character offsets into the article's text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from detente.evidence._sentences import paragraphs, sentences
from detente.evidence._text import Article, normalise
from detente.evidence.dates import DatedEvent, article_date, find_events
from detente.evidence.mentions import (
    Mention,
    Person,
    find_mentions,
    find_people,
    resolver_for,
)
from detente.evidence.quotes import Quote, find_quotes
from detente.evidence.stances import Stance, find_stances

if TYPE_CHECKING:
    from detente.scenario.model import Scenario

__all__ = ["ActorFound", "Extraction", "extract"]


@dataclass(frozen=True)
class ActorFound:
    """An actor the article mentions: id, display name, how often and under which names."""

    id: str
    name: str
    mentions: int
    aliases: tuple[str, ...]
    in_scenario: bool


@dataclass(frozen=True)
class Extraction:
    """What :func:`extract` found in one article."""

    article: Article
    as_of: dt.date | None
    date_from: str  # "given", "text" or "none"
    mentions: tuple[Mention, ...]
    people: tuple[Person, ...]
    quotes: tuple[Quote, ...]
    stances: tuple[Stance, ...]
    events: tuple[DatedEvent, ...]
    actors: tuple[ActorFound, ...]

    @property
    def ambiguous(self) -> tuple[Mention, ...]:
        """Mentions that could mean more than one actor (reported, never guessed)."""
        return tuple(m for m in self.mentions if m.actor is None)

    def counts(self) -> dict[str, int]:
        """Mentions per actor id."""
        return {a.id: a.mentions for a in self.actors}

    def to_json(self) -> dict[str, Any]:
        """Every finding with its character offsets (``start``, ``end``) into ``text``."""
        return {
            "file": self.article.name,
            "from_html": self.article.from_html,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "as_of_from": self.date_from,
            "actors": [
                {
                    "id": a.id,
                    "name": a.name,
                    "mentions": a.mentions,
                    "aliases": list(a.aliases),
                    "in_scenario": a.in_scenario,
                }
                for a in self.actors
            ],
            "mentions": [
                {
                    "start": m.start,
                    "end": m.end,
                    "text": m.text,
                    "actor": m.actor,
                    "how": m.how,
                    "candidates": list(m.candidates),
                }
                for m in self.mentions
            ],
            "people": [
                {"name": p.name, "actor": p.actor, "title": p.title, "how": p.how}
                for p in self.people
            ],
            "quotes": [
                {
                    "start": q.start,
                    "end": q.end,
                    "text": q.text,
                    "kind": q.kind,
                    "speaker": q.speaker,
                    "person": q.person,
                    "actor": q.actor,
                    "rule": q.rule,
                    "sentence": list(q.sentence),
                }
                for q in self.quotes
            ],
            "stances": [
                {
                    "start": s.start,
                    "end": s.end,
                    "cue": s.cue,
                    "kind": s.kind,
                    "holder": s.holder,
                    "target": s.target,
                    "bears_on": s.bears_on,
                    "sentence": list(s.sentence),
                }
                for s in self.stances
            ],
            "events": [
                {
                    "start": e.start,
                    "end": e.end,
                    "words": e.words,
                    "date": e.date.isoformat() if e.date else None,
                    "precision": e.precision,
                    "kind": e.kind,
                    "relative": e.relative,
                    "sentence": list(e.sentence),
                }
                for e in self.events
            ],
        }


def extract(
    article: Article, *, scenario: Scenario | None = None, as_of: dt.date | None = None
) -> Extraction:
    """Find the actors, quotes, stances and dated events of ``article``.

    Parameters
    ----------
    article
        From :func:`~detente.evidence.read_article` or
        :func:`~detente.evidence.article_from_text`.
    scenario
        Its actors' names and aliases are matched first, and gazetteer names that one of its
        actors also goes by map to that actor.
    as_of
        The article's date, against which relative dates resolve; else one the article's first
        lines give; else relative dates stay unresolved.

    Examples
    --------
    >>> from detente.evidence import article_from_text, extract
    >>> found = extract(article_from_text(
    ...     '"We are ready," Iranian Foreign Minister Javad Zarif said on Monday.'))
    >>> [(q.text, q.person, q.actor) for q in found.quotes]
    [('We are ready,', 'Javad Zarif', 'IRN')]
    """
    text = article.text
    date_from = "given" if as_of is not None else "none"
    if as_of is None:
        as_of = article_date(text)
        date_from = "text" if as_of is not None else "none"
    resolver = resolver_for(scenario)
    original, text = text, normalise(text)
    sentence_spans = sentences(text)
    paragraph_spans = paragraphs(text)
    base = resolver.pattern()
    people = find_people(text, paragraph_spans, resolver, base, sentence_spans)
    mentions = find_mentions(text, resolver, people, base)
    quotes = find_quotes(text, sentence_spans, paragraph_spans, mentions, people)
    stances = find_stances(text, sentence_spans, mentions, quotes)
    events = find_events(text, sentence_spans, as_of)
    if text != original:  # findings quote the article as written, not as normalised
        mentions = [
            m if original[m.start : m.end] == m.text else replace(m, text=original[m.start : m.end])
            for m in mentions
        ]
        quotes = [
            q if original[q.start : q.end] == q.text else replace(q, text=original[q.start : q.end])
            for q in quotes
        ]
    in_scenario = set(scenario.actor_ids) if scenario is not None else set()
    tally: dict[str, list[str]] = {}
    for m in mentions:
        if m.actor is not None:
            tally.setdefault(m.actor, []).append(m.text)
    actors = tuple(
        ActorFound(
            actor_id,
            resolver.labels.get(actor_id, actor_id),
            len(names),
            tuple(dict.fromkeys(names)),
            actor_id in in_scenario,
        )
        for actor_id, names in sorted(tally.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )
    return Extraction(
        article,
        as_of,
        date_from,
        tuple(mentions),
        tuple({p.name: p for p in people.values()}.values()),
        tuple(quotes),
        tuple(stances),
        tuple(events),
        actors,
    )
