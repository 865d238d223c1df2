"""From the news to a scenario: actors, attributed quotes, stance cues and dated events found
in an article, and a draft scenario built from them.

Every finding carries its character offsets in the article, and every quote is the article's
own words, so that a draft passes the verbatim evidence check of
:mod:`detente.scenario.evidence`. Rules are plain regular expressions over a bundled
gazetteer: offline, no model, and each finding can be traced to the rule that made it.

>>> from detente.evidence import article_from_text, extract
>>> found = extract(article_from_text('Pyongyang warned Seoul on Tuesday.'))
>>> [(a.id, a.mentions) for a in found.actors]
[('DPRK', 1), ('ROK', 1)]
"""

from __future__ import annotations

from detente.evidence._text import (
    MAX_ARTICLE_BYTES,
    Article,
    article_from_bytes,
    article_from_text,
    read_article,
)
from detente.evidence.extract import ActorFound, Extraction, extract

__all__ = [
    "MAX_ARTICLE_BYTES",
    "ActorFound",
    "Article",
    "Extraction",
    "article_from_bytes",
    "article_from_text",
    "extract",
    "read_article",
]
