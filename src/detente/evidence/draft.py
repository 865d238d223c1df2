"""A draft scenario from one or more articles, and the comparison of an article with a
scenario.

The draft holds what an article can give: a source entry per article, the actors found with
the names they were seen under, every attributed quote as an evidence entry of its actor
(marked as bearing on a position or a salience), and the dated events as timeline entries. The
numbers are left to the analyst (see :mod:`detente.scenario.draft`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from detente.evidence.extract import Extraction
from detente.evidence.quotes import Quote

if TYPE_CHECKING:
    from detente.scenario.model import Scenario

__all__ = ["Comparison", "compare", "draft_document", "evidence_quote"]


def evidence_quote(quote: Quote) -> str:
    """The words of a quote as an evidence entry cites them: the quoted text without the
    comma or space it ends on inside the marks (still verbatim)."""
    return quote.text.strip().rstrip(",").strip()


def source_id(extraction: Extraction, n: int) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", extraction.article.name.rsplit("/", 1)[-1])
    stem = re.sub(r"\.(txt|html?|md)$", "", stem, flags=re.I).strip("-_") or "article"
    return f"{stem[:40]}-{n + 1}" if n else stem[:48]


def _bears_on(extraction: Extraction, quote: Quote) -> str:
    """``salience`` when a warning or threat cue lies in the quote's sentence, else
    ``position``."""
    for stance in extraction.stances:
        inside = quote.sentence[0] <= stance.start < quote.sentence[1]
        if inside and stance.bears_on == "salience" and stance.holder == quote.actor:
            return "salience"
    return "position"


def draft_document(extractions: list[tuple[Extraction, str]], *, name: str = "") -> dict[str, Any]:
    """The draft scenario (plain data, ready for YAML) from extractions, each with the file
    name its source entry cites."""
    sources = []
    actors: dict[str, dict[str, Any]] = {}
    timeline: list[dict[str, Any]] = []
    dates = []
    for n, (found, file) in enumerate(extractions):
        sid = source_id(found, n)
        source: dict[str, Any] = {"id": sid, "title": f"Article {found.article.name}", "file": file}
        if found.as_of is not None:
            source["date"] = found.as_of
            dates.append(found.as_of)
        sources.append(source)
        for actor in found.actors:
            entry = actors.setdefault(
                actor.id, {"id": actor.id, "name": actor.name, "aliases": [], "evidence": []}
            )
            for alias in actor.aliases:
                if alias not in entry["aliases"] and alias != actor.name:
                    entry["aliases"].append(alias)
        seen: set[tuple[str, str]] = set()
        for quote in found.quotes:
            if quote.actor is None or quote.kind == "unattributed":
                continue
            words = evidence_quote(quote)
            if not words or (quote.actor, words) in seen:
                continue
            seen.add((quote.actor, words))
            entry = actors.setdefault(
                quote.actor, {"id": quote.actor, "name": quote.actor, "aliases": [], "evidence": []}
            )
            who = quote.person or quote.speaker or quote.actor
            what = "a term used by" if quote.kind == "term" else "said by"
            entry["evidence"].append(
                {
                    "source": sid,
                    "supports": _bears_on(found, quote),
                    "quote": words,
                    "note": f"{what} {who} (rule: {quote.rule}; characters "
                    f"{quote.start}-{quote.end}); check the actor and what it supports",
                }
            )
        for stance in found.stances:
            if stance.holder is None:
                continue
            words = " ".join(found.article.text[stance.sentence[0] : stance.sentence[1]].split())
            if not words or (stance.holder, words) in seen:
                continue
            seen.add((stance.holder, words))
            entry = actors.setdefault(
                stance.holder,
                {"id": stance.holder, "name": stance.holder, "aliases": [], "evidence": []},
            )
            target = f" {stance.target}" if stance.target else ""
            entry["evidence"].append(
                {
                    "source": sid,
                    "supports": stance.bears_on,
                    "quote": words,
                    "note": f"stance cue: {stance.kind}{target} ({stance.cue!r}, characters "
                    f"{stance.start}-{stance.end}); the sentence, not a quote: check whose "
                    "stance it states",
                }
            )
        for event in found.events:
            if event.date is None:
                continue
            sentence = " ".join(found.article.text[event.sentence[0] : event.sentence[1]].split())
            timeline.append(
                {
                    "at": event.date,
                    "name": f"{event.kind}: {event.words}",
                    "description": f"Candidate event ({event.precision} precision) from "
                    f"{sid}: {sentence}",
                }
            )
    for entry in actors.values():
        if not entry["aliases"]:
            del entry["aliases"]
        if not entry["evidence"]:
            del entry["evidence"]
    timeline.sort(key=lambda e: str(e["at"]))
    document: dict[str, Any] = {
        "draft": True,
        "id": "draft",
        "name": name or "Draft from " + ", ".join(f.article.name for f, _ in extractions),
    }
    if dates:
        document["as_of"] = max(dates)
    document["description"] = (
        "Written by detente extract. Add the issues with their scales, then each actor's "
        "capability, position and salience; check every quote's actor and what it supports; "
        "keep the timeline events that matter; then delete the line 'draft: true'."
    )
    document["sources"] = sources
    document["issues"] = []
    document["actors"] = list(actors.values())
    if timeline:
        document["timeline"] = timeline
    return document


@dataclass(frozen=True)
class Comparison:
    """An article read against a scenario.

    ``present`` are the scenario's evidence quotes found verbatim in the article, ``absent``
    those citing a source of that file that are not; ``used`` the article's quotes that the
    scenario already cites; ``new`` attributed quotes of the scenario's actors it does not
    cite; ``unknown_actors`` actors mentioned who are not in the scenario; ``new_events``
    dated events no timeline entry falls on.
    """

    present: tuple[tuple[str, str], ...]
    absent: tuple[tuple[str, str], ...]
    used: tuple[Quote, ...]
    new: tuple[Quote, ...]
    unknown_actors: tuple[tuple[str, str, int], ...]
    new_events: tuple[Any, ...]

    def to_json(self) -> dict[str, Any]:
        def q(quote: Quote) -> dict[str, Any]:
            return {
                "start": quote.start,
                "end": quote.end,
                "text": quote.text,
                "actor": quote.actor,
                "speaker": quote.person or quote.speaker,
            }

        return {
            "evidence_present": [{"actor": a, "quote": t} for a, t in self.present],
            "evidence_absent": [{"actor": a, "quote": t} for a, t in self.absent],
            "quotes_used": [q(x) for x in self.used],
            "quotes_new": [q(x) for x in self.new],
            "actors_not_in_scenario": [
                {"id": i, "name": n, "mentions": c} for i, n, c in self.unknown_actors
            ],
            "events_not_on_timeline": [
                {
                    "start": e.start,
                    "end": e.end,
                    "words": e.words,
                    "kind": e.kind,
                    "date": e.date.isoformat() if e.date else None,
                }
                for e in self.new_events
            ],
        }


def compare(found: Extraction, scenario: Scenario) -> Comparison:
    """What ``found`` adds to ``scenario``, and which of its evidence the article holds.

    An evidence quote counts as the article's when its source names the article's file, or,
    for a source with no file, when the quote is found in the article."""
    from detente.scenario.evidence import squash  # here: the scenario package loads pydantic

    text = squash(found.article.raw)
    name = found.article.name.replace("\\", "/").rsplit("/", 1)[-1]
    mine = {s.id for s in scenario.sources if s.file and s.file.rsplit("/", 1)[-1] == name}
    present: list[tuple[str, str]] = []
    absent: list[tuple[str, str]] = []
    cited: list[str] = []
    for actor in scenario.actors:
        for item in actor.evidence:
            quote = squash(item.quote)
            if quote in text:
                present.append((actor.id, item.quote))
                cited.append(quote)
            elif item.source in mine:
                absent.append((actor.id, item.quote))
    used: list[Quote] = []
    new: list[Quote] = []
    for said in found.quotes:
        if said.kind == "unattributed" or said.actor is None:
            continue
        words = squash(evidence_quote(said))
        if any(words in c or c in words for c in cited):
            used.append(said)
        elif said.actor in scenario.actor_ids:
            new.append(said)
    unknown = tuple(
        (a.id, a.name, a.mentions) for a in found.actors if a.id not in scenario.actor_ids
    )
    on_timeline = [e.at for e in scenario.timeline if isinstance(e.at, dt.date)]
    new_events = tuple(
        e
        for e in found.events
        if e.date is not None and not any(_same_time(e.date, e.precision, d) for d in on_timeline)
    )
    return Comparison(tuple(present), tuple(absent), tuple(used), tuple(new), unknown, new_events)


def _same_time(date: dt.date, precision: str, at: dt.date) -> bool:
    if precision == "day":
        return abs((date - at).days) <= 1
    if precision == "week":
        return 0 <= (at - date).days < 7
    if precision == "month":
        return (date.year, date.month) == (at.year, at.month)
    return date.year == at.year
