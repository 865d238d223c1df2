"""The "from an article" page's work: an article read with the extractor's own checks, its
findings laid over its text for highlighting, and the draft scenario written as
``detente extract -o`` writes it. Every finding comes from :mod:`detente.evidence`; this module
only lays them out (each piece of the article's text escaped on its own)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from detente.errors import InputError

if TYPE_CHECKING:
    from detente.evidence import Article, Extraction

__all__ = ["MAX_ARTICLE_UPLOAD", "as_of_of", "draft_text", "highlighted", "read"]

#: The largest article taken from the page (pasted or uploaded): a long news article is well
#: under 1 MiB, a saved page with its markup a few.
MAX_ARTICLE_UPLOAD = 2 * 1024 * 1024
#: What a pasted article is called in messages and in the draft.
PASTED = "pasted-article.txt"


def read(text: str, filename: str | None, data: bytes | None, *, pasted: str = PASTED) -> Article:
    """The article given: an uploaded file when there is one, else the pasted text; read with
    the extractor's checks (empty, binary, not UTF-8, HTML reduced to its text). Pasted text
    is called ``pasted`` in messages and in a draft.

    Raises
    ------
    InputError
        Too large, or refused by the extractor's reader (its message names the file).
    """
    from detente.evidence import article_from_bytes

    if data is not None and filename:
        name = filename.replace("\\", "/").rsplit("/", 1)[-1][:80] or "upload.txt"
        if not name.lower().endswith((".txt", ".html", ".htm")):
            raise InputError(f"{name}: give a plain-text (.txt) or saved HTML (.html) article")
    else:
        name, data = pasted.replace("\\", "/").rsplit("/", 1)[-1][:80] or PASTED, text.encode()
    if len(data) > MAX_ARTICLE_UPLOAD:
        raise InputError(
            f"{name}: is {len(data) / 1024 / 1024:.1f} MiB; articles are limited to "
            f"{MAX_ARTICLE_UPLOAD // 1024 // 1024} MiB here (a long news article is well under 1)"
        )
    if not data.strip():
        raise InputError("paste an article's text or choose a file: there is no text to read")
    return article_from_bytes(data, name)


def as_of_of(text: str) -> dt.date | None:
    """The article's date from the form (empty: found in the text, as the CLI does)."""
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"the article's date {text[:20]!r} is not a date; give YYYY-MM-DD"
        ) from None


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str  # mention, ambiguous, quote, stance, event
    note: str


def _spans(found: Extraction) -> list[_Span]:
    spans = []
    for m in found.mentions:
        if m.actor is None:
            note = f"ambiguous: {' or '.join(m.candidates)}"
            spans.append(_Span(m.start, m.end, "ambiguous", note))
        else:
            spans.append(_Span(m.start, m.end, "mention", f"actor {m.actor}"))
    for q in found.quotes:
        who = q.person or q.speaker or "unattributed"
        actor = f" ({q.actor})" if q.actor else ""
        spans.append(_Span(q.start, q.end, "quote", f"{q.kind} quote: {who}{actor}"))
    for s in found.stances:
        target = f" {s.target}" if s.target else ""
        note = f"stance: {s.holder or '?'} {s.kind}{target} ({s.bears_on})"
        spans.append(_Span(s.start, s.end, "stance", note))
    for e in found.events:
        when = e.date.isoformat() if e.date else "unresolved"
        spans.append(_Span(e.start, e.end, "event", f"event: {e.kind}, {when}"))
    return [s for s in spans if 0 <= s.start < s.end]


def highlighted(found: Extraction) -> Markup:
    """The article's text as HTML with each finding marked: the text is cut at every
    finding's start and end, each piece escaped, and a piece inside findings wrapped in a
    ``<mark>`` whose classes and title name them (the innermost kinds first)."""
    text = found.article.raw
    spans = _spans(found)
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    cuts = [c for c in cuts if 0 <= c <= len(text)]
    out: list[str] = []
    for a, b in itertools.pairwise(cuts):
        piece = escape(text[a:b])
        over = [s for s in spans if s.start <= a and b <= s.end]
        if not over:
            out.append(str(piece))
            continue
        kinds = sorted({s.kind for s in over})
        notes = "; ".join(dict.fromkeys(s.note for s in over))
        classes = " ".join(f"hl-{k}" for k in kinds)
        out.append(f'<mark class="{classes}" title="{escape(notes)}">{piece}</mark>')
    return Markup("".join(out))


def extracted(article: Article, as_of: dt.date | None, scenario: Any = None) -> Extraction:
    """The extractor's findings (the same call as ``detente extract``)."""
    from detente.evidence import extract

    return extract(article, scenario=scenario, as_of=as_of)


def draft_text(found: Extraction, file: str) -> str:
    """The draft scenario's YAML, as ``detente extract -o`` writes it, citing ``file``."""
    from detente.evidence.draft import draft_document
    from detente.evidence.writing import draft_yaml

    return draft_yaml(draft_document([(found, file)]))


def comparison(found: Extraction, scenario: Any) -> Any:
    """The article read against a scenario (``detente extract --scenario``)."""
    from detente.evidence.draft import compare

    return compare(found, scenario)
