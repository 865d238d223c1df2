"""Dated events: absolute and relative dates, resolved against the article's date, each with a
kind and the words that state it.

Absolute dates: ``December 6, 2012``, ``6 December 2012``, ``2012-12-06``, ``May 12th`` (the
year is the article's), ``December 2008``, ``in November`` (the last November on or before the
article's date; the next one when the verb is in the future tense), ``since 2010``. Relative
dates: ``today``, ``yesterday``, ``last week``, ``this week``, ``last month``, ``on Monday`` /
``Tuesday`` (the most recent such day before the article's date), ``N days later`` / ``a week
later`` (after the date named last before it), ``N days ago``. A relative date with nothing to
resolve it against is kept, with no date.

The standard library does this: the forms are a closed list, and a general parser (dateutil's
``fuzzy``) would read "may" the verb or "March" the noun as months.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["EVENT_KINDS", "DatedEvent", "article_date", "find_events"]

_MONTHS = {
    m: n
    for n, names in enumerate(
        [
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sept", "Sep"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_ORDINAL = r"(?:st|nd|rd|th)"  # codespell:ignore nd
_N = r"(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"

_PATTERNS = [
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mon>\d\d)-(?P<day>\d\d)\b")),
    (
        "mdy",
        re.compile(
            r"\b"
            + _MONTH
            + r"\s(?P<day>\d{1,2})(?:"
            + _ORDINAL
            + r")?,?\s(?P<year>(?:19|20)\d\d)\b"
        ),
    ),
    (
        "dmy",
        re.compile(
            r"\b(?P<day>\d{1,2})(?:"
            + _ORDINAL
            + r")?\s(?:of\s)?"
            + _MONTH
            + r",?\s(?P<year>(?:19|20)\d\d)\b"
        ),
    ),
    (
        "md",
        re.compile(
            r"\b" + _MONTH + r"\s(?P<day>\d{1,2})(?:" + _ORDINAL + r")?\b(?!,?\s(?:19|20)\d\d)"
        ),
    ),
    (
        "dm",
        re.compile(
            r"\b(?P<day>\d{1,2})(?:"
            + _ORDINAL
            + r")?\s(?:of\s)?"
            + _MONTH
            + r"\b(?!,?\s(?:19|20)\d\d)"
        ),
    ),
    ("my", re.compile(r"\b" + _MONTH + r",?\s(?P<year>(?:19|20)\d\d)\b")),
    (
        "m",
        re.compile(
            r"\b(?P<prep>in|since|by|until|last|next|this|early|late|mid-|end\sof)\s"
            + _MONTH
            + r"\b(?![\s,]*\d)"
        ),
    ),
    (
        "y",
        re.compile(
            r"\b(?P<prep>in|since|by|until|before|after|during)\s(?P<year>(?:19|20)\d\d)\b(?!s)"
        ),
    ),
    (
        "later",
        re.compile(
            r"\b"
            + _N
            + r"\s(?P<unit>day|week|month|year)s?\s(?P<dir>later|earlier|after|before)\b",
            re.I,
        ),
    ),
    ("ago", re.compile(r"\b" + _N + r"\s(?P<unit>day|week|month|year)s?\sago\b", re.I)),
    (
        "rel",
        re.compile(
            r"\b(?P<rel>today|yesterday|tomorrow|(?:last|this|next)\s(?:week|month|year))\b", re.I
        ),
    ),
    (
        "weekday",
        re.compile(
            r"\b(?:on\s|last\s|next\s)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
        ),
    ),
]

#: Words without which a form cannot match (a quick test before its pattern runs).
_NEEDS = {
    "later": ("later", "earlier", "after", "before"),
    "ago": ("ago",),
    "rel": ("today", "yesterday", "tomorrow", "week", "month", "year"),
    "iso": ("-",),
}

#: Kinds of event, each with the words that mark it; the first kind that matches wins.
EVENT_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(words, re.I))
    for kind, words in (
        ("nuclear test", r"\bnuclear\s(?:\w+\s)?test|\bwarhead\stest|\bdetonat"),
        ("launch", r"\blaunch(?:ed|es)?\b|\brocket|\bmissiles?\b|\bfir(?:ed|ing)\b"),
        ("election", r"\belection|\breferendum|\bvot(?:e|ed|ing)\b|\bballot|re-election"),
        ("sanctions", r"\bsanction"),
        (
            "agreement",
            r"\bagreed|\bagreement|\bdeal\b|\baccord\b|\btreaty|\bsigned\b|\bdeclaration",
        ),
        (
            "talks",
            r"\btalks\b|\bnegotiat|\bmeeting|\bsummit|\bdiscussions?\b|\bconference|\bround\b",
        ),
        ("visit", r"\bvisit|\btrip\b|\btravel|\bstops?\sin"),
        ("statement", r"\bsaid\b|\btold\b|\bannounce|\bstatement|\bdeclared|\bsays\b|\bnoted\b"),
    )
)


@dataclass(frozen=True)
class DatedEvent:
    """A date in the text: ``words`` is ``text[start:end]``; ``date`` the day it resolves to
    (None when nothing resolves it), ``precision`` ``day``, ``week``, ``month`` or ``year``;
    ``kind`` from :data:`EVENT_KINDS` (``other`` when none fits); ``sentence`` the span of the
    words that state the event."""

    start: int
    end: int
    words: str
    date: dt.date | None
    precision: str
    kind: str
    sentence: tuple[int, int]
    relative: bool


def article_date(text: str) -> dt.date | None:
    """The article's own date, when its first lines give one ("Published January 28, 2014")."""
    head = text[:400]
    for form in ("iso", "mdy", "dmy"):
        m = _PATTERNS[[f for f, _ in _PATTERNS].index(form)][1].search(head)
        if m is not None:
            return _absolute(m, None)[0]
    return None


def find_events(
    text: str, sentence_spans: Sequence[tuple[int, int]], as_of: dt.date | None
) -> list[DatedEvent]:
    """Every date expression with its resolved date and the kind of its sentence's event."""
    found: list[tuple[int, int, str, re.Match[str]]] = []
    taken: list[tuple[int, int]] = []
    lowered = text.lower()
    for form, pattern in _PATTERNS:
        if form in _NEEDS and not any(word in lowered for word in _NEEDS[form]):
            continue  # cheaper than running the pattern over the text
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), m.end(), form, m))
    found.sort()
    out = []
    last: tuple[dt.date, str] | None = None
    for start, end, form, m in found:
        sentence = next(((s, e) for s, e in sentence_spans if s <= start < e), (start, end))
        words = text[sentence[0] : sentence[1]]
        relative = form in ("later", "ago", "rel", "weekday", "m", "md", "dm")
        if form == "later":
            date, precision = _later(m, last)
        elif form in ("ago", "rel", "weekday"):
            date, precision = _relative(form, m, as_of)
        else:
            date, precision = _absolute(m, as_of, future=_future(words))
        if (date is not None and precision == "day" and form != "later") or (
            date is not None and form in ("mdy", "dmy", "iso", "md", "dm")
        ):
            last = (date, precision)
        kind = _kind(words, start - sentence[0])
        out.append(DatedEvent(start, end, m.group(), date, precision, kind, sentence, relative))
    return out


def _kind(sentence: str, at: int) -> str:
    """The kind whose marker lies nearest the date words (the first listed on a tie)."""
    best: tuple[int, int, str] | None = None
    for order, (kind, pattern) in enumerate(EVENT_KINDS):
        for m in pattern.finditer(sentence):
            distance = abs(m.start() - at)
            if best is None or (distance, order) < best[:2]:
                best = (distance, order, kind)
    return best[2] if best is not None else "other"


def _future(sentence: str) -> bool:
    return (
        re.search(
            r"\b(?:will|shall|is\sdue|are\sdue|(?:is|be)\sexpected|plans?\sto|starting|upcoming|"
            r"before\sthe|draws\scloser|looming|coming)\b",
            sentence,
        )
        is not None
    )


def _absolute(
    m: re.Match[str], as_of: dt.date | None, future: bool = False
) -> tuple[dt.date | None, str]:
    groups = m.groupdict()
    year = int(groups["year"]) if groups.get("year") else None
    month = int(groups["mon"]) if groups.get("mon") else _MONTHS.get(groups.get("month") or "")
    day = int(groups["day"]) if groups.get("day") else None
    if month is None and year is not None:
        return dt.date(year, 1, 1), "year"
    if month is None:
        return None, "day"
    if year is None:
        if as_of is None:
            return None, "day" if day else "month"
        year = as_of.year
        candidate = dt.date(year, month, min(day or 1, 28))
        if future and candidate < as_of.replace(day=1):
            year += 1
        elif not future and (candidate.year, candidate.month) > (as_of.year, as_of.month):
            year -= 1
    try:
        return dt.date(year, month, day or 1), "day" if day else "month"
    except ValueError:
        return None, "day"


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def _later(m: re.Match[str], last: tuple[dt.date, str] | None) -> tuple[dt.date | None, str]:
    if last is None:
        return None, "day"
    unit = m.group("unit").lower()
    days = _number(m.group("n")) * _UNIT_DAYS[unit]
    sign = 1 if m.group("dir").lower() in ("later", "after") else -1
    precision = "day" if unit in ("day", "week") else unit
    return last[0] + dt.timedelta(days=sign * days), precision


def _relative(form: str, m: re.Match[str], as_of: dt.date | None) -> tuple[dt.date | None, str]:
    if as_of is None:
        return None, "day"
    if form == "ago":
        unit = m.group("unit").lower()
        days = _number(m.group("n")) * _UNIT_DAYS[unit]
        return as_of - dt.timedelta(days=days), "day" if unit in ("day", "week") else unit
    if form == "weekday":
        wanted = _DAYS.index(m.group("wd").lower())
        back = (as_of.weekday() - wanted) % 7  # "Tuesday" in Tuesday's paper is that day
        if m.group().lower().startswith("next"):
            return as_of + dt.timedelta(days=(wanted - as_of.weekday()) % 7 or 7), "day"
        return as_of - dt.timedelta(days=back), "day"
    rel = " ".join(m.group("rel").lower().split())
    if rel == "today":
        return as_of, "day"
    if rel == "yesterday":
        return as_of - dt.timedelta(days=1), "day"
    if rel == "tomorrow":
        return as_of + dt.timedelta(days=1), "day"
    which, unit = rel.split()
    if unit == "week":
        monday = as_of - dt.timedelta(days=as_of.weekday())
        shift = {"last": -7, "this": 0, "next": 7}[which]
        return monday + dt.timedelta(days=shift), "week"
    if unit == "month":
        month = as_of.month + {"last": -1, "this": 0, "next": 1}[which]
        year = as_of.year + (month - 1) // 12
        return dt.date(year, (month - 1) % 12 + 1, 1), "month"
    return dt.date(as_of.year + {"last": -1, "this": 0, "next": 1}[which], 1, 1), "year"
