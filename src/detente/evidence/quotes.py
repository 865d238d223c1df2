"""Direct quotes and who speaks them.

A quote is the text between a pair of quotation marks (straight or curly double marks; curly
single marks; straight single marks only in a paragraph that has no double ones, and only at
word edges, so that apostrophes are never taken for them). Its speaker is found by these rules,
in order:

1. ``"…," Name [, appositive title,] said`` and ``"…," said Name``: the speaker after the quote,
   before or after a verb of saying (a pronoun, "he said", is the nearest official named
   before it);
2. ``Name said: "…"``, ``Name said that "…"``, ``according to Name``: the speaker before the
   quote;
3. a partial quote inside a sentence, ``the U.S. wants North Korea to "meaningfully address"
   denuclearization``: the subject of the nearest verb of saying or wanting before it;
4. a short quote the sentence says is someone's term (``Pyongyang described the talks as
   "reward for freeze"``, ``called "human scum" by official North Korean media``) is kept as a
   quoted term of that actor;
5. anything else is listed as unattributed.

The actor a speaker speaks for is the official's actor (:mod:`~detente.evidence.mentions`), or
the state or organisation the speaker phrase names ("a Chinese foreign ministry spokesman",
"EU diplomats").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from detente.evidence.mentions import Mention, Person

__all__ = ["Quote", "find_quotes", "quote_spans"]


@dataclass(frozen=True)
class Quote:
    """A quoted passage: ``text`` is ``article[start:end]`` (inside the marks).

    ``kind`` is ``speech`` (someone's words), ``term`` (a quoted term of an actor) or
    ``unattributed``; ``speaker`` is the words that name the speaker as written ("Glyn
    Davies", "he"), ``person`` the official they resolve to, ``actor`` the actor spoken for;
    ``rule`` names the attribution rule that applied (``after``, ``before``, ``partial``,
    ``term``, ``pronoun`` ...). ``sentence`` is the span of the sentence (or sentences) that
    hold the quote and its attribution.
    """

    start: int
    end: int
    text: str
    kind: str
    speaker: str | None
    person: str | None
    actor: str | None
    rule: str
    sentence: tuple[int, int]


_SAY = (
    r"(?:said|says|say|told|tells|added|adds|stated|states|declared|declares|warned|warns|"
    r"insisted|insists|argued|argues|noted|notes|explained|explains|stressed|stresses|"
    r"emphasi[sz]ed|announced|wrote|writes|asked|asks|replied|responded|commented|acknowledged|"
    r"admitted|conceded|claimed|claims|cautioned|urged|urges|demanded|tweeted|posted|suggested|"
    r"continued|concluded|predicted|vowed|pledged|promised|complained|countered|remarked|"
    r"observed|recalled|repeated|reiterated|echoed|maintained|confirmed|denied|dismissed|"
    r"indicated|signalled|signaled|told\sreporters|told\sjournalists|told\sparliament|"
    r"wants|wanted|hopes|hoped|believes|believed|thinks|called\sfor|calls\sfor|"
    r"has\ssought|sought|seeks|expects|expected)"
)
_SAY_RE = re.compile(r"\b" + _SAY + r"\b")
_TERM_VERB = re.compile(
    r"\b(?:described|describes|describing|(?:called|calls|calling)(?!\s+(?:for|on|off)\b)|"
    r"dubbed|dubs|termed|terms|"
    r"labell?ed|branded|brands|known\sas|so-called|refers?\sto|referred\sto|what\s.{1,40}\scalls?)\b"
)
_PRONOUN = re.compile(r"^(?:he|she|they|it|we|I)$", re.I)
_OPEN_CLOSE = {'"': '"', "“": "”", "‘": "’", "«": "»"}


def quote_spans(text: str, paragraphs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(start, end)`` of the words inside each pair of quotation marks, paragraph by
    paragraph. A mark left open at a paragraph's end opens nothing, unless the next paragraph
    opens with a quotation mark: the quotation then runs to the paragraph's end."""
    spans: list[tuple[int, int]] = []
    for index, (p_start, p_end) in enumerate(paragraphs):
        segment = text[p_start:p_end]
        has_double = '"' in segment or "“" in segment
        marks = r"[\"“”«»]" if has_double else r"[\"“”«»‘’]|(?<![\w])'(?=\w)|(?<=[\w.,!?])'(?!\w)"
        opened: int | None = None
        closer = ""
        for m in re.finditer(marks, segment):
            mark = m.group()
            if opened is None:
                if mark in ("”", "’", "»"):
                    continue
                opened, closer = m.end(), _OPEN_CLOSE.get(mark, "'" if mark == "'" else '"')
                continue
            if mark == closer or (closer == '"' and mark == '"') or (closer == "'" and mark == "'"):
                if segment[opened : m.start()].strip():
                    spans.append((p_start + opened, p_start + m.start()))
                opened = None
        # a quotation that runs on into the next paragraph is not closed at the end of this
        # one; the next paragraph opens again with a quotation mark (a newspaper convention)
        following = paragraphs[index + 1][0] if index + 1 < len(paragraphs) else None
        runs_on = following is not None and text[following] in '"“'
        if opened is not None and runs_on and segment[opened:].strip():
            spans.append((p_start + opened, p_end))
    return spans


def find_quotes(
    text: str,
    sentence_spans: Sequence[tuple[int, int]],
    paragraph_spans: Sequence[tuple[int, int]],
    mentions: Sequence[Mention],
    people: dict[str, Person],
) -> list[Quote]:
    """Every quote with its speaker and actor (see the module's rules)."""
    spans = quote_spans(text, paragraph_spans)
    out: list[Quote] = []
    for n, (q_start, q_end) in enumerate(spans):
        open_mark = q_start - 1
        close_mark = q_end + 1
        s_start = _sentence_start(sentence_spans, open_mark)
        s_end = _sentence_end(sentence_spans, q_end)
        next_quote = spans[n + 1][0] - 1 if n + 1 < len(spans) else len(text)
        prev_quote = spans[n - 1][1] + 1 if n > 0 else 0
        tail = text[close_mark : min(s_end, next_quote)]
        head_from = max(s_start, prev_quote)
        head = text[head_from:open_mark]
        quoted = text[q_start:q_end]
        found = (
            _after(text, close_mark, tail, mentions, people)
            or _before(text, head_from, head, mentions, people, strict=True)
            or _term(
                text,
                s_start,
                text[s_start:open_mark],
                close_mark,
                text[close_mark:s_end],
                quoted,
                mentions,
                people,
            )
            or _before(text, head_from, head, mentions, people, strict=False)
        )
        if found is None:
            found = _continued(text, q_start, out, sentence_spans, paragraph_spans)
        if found is None:
            out.append(
                Quote(
                    q_start,
                    q_end,
                    quoted,
                    "unattributed",
                    None,
                    None,
                    None,
                    "none",
                    (s_start, s_end),
                )
            )
            continue
        kind, speaker, person, actor, rule = found
        if _PRONOUN.match(speaker or "") and actor is None:
            person, actor, rule = _antecedent(text, open_mark, mentions, people, out)
        out.append(
            Quote(q_start, q_end, quoted, kind, speaker, person, actor, rule, (s_start, s_end))
        )
    return out


Found = tuple[str, str | None, str | None, str | None, str]


def _continued(
    text: str,
    q_start: int,
    earlier: Sequence[Quote],
    sentence_spans: Sequence[tuple[int, int]],
    paragraph_spans: Sequence[tuple[int, int]],
) -> Found | None:
    """A quote that opens its sentence with no attribution of its own continues the speech
    quoted just before it, in its paragraph or the one before ("…," he said. "…")."""
    if not earlier or earlier[-1].kind != "speech" or earlier[-1].actor is None:
        return None
    start = _sentence_start(sentence_spans, q_start - 1)
    if text[start : q_start - 1].strip():
        return None  # the quote does not open its sentence
    before = earlier[-1]
    here = next((n for n, (s, e) in enumerate(paragraph_spans) if s <= q_start < e), None)
    there = next((n for n, (s, e) in enumerate(paragraph_spans) if s <= before.start < e), None)
    if here is None or there is None or here - there > 1:
        return None
    if here != there and q_start - 1 != paragraph_spans[here][0]:
        return None  # into the next paragraph only when the quote opens it
    between = text[before.end + 1 : q_start - 1]
    if len(between) > 300 or '"' in between or "“" in between:
        return None
    return ("speech", before.speaker, before.person, before.actor, "continued")


def _after(
    text: str, at: int, tail: str, mentions: Sequence[Mention], people: dict[str, Person]
) -> Found | None:
    """``"…," Name[, title,] said`` or ``"…," said Name``: the speaker follows the quote."""
    m = re.match(r"\s*[,.!?]?\s*", tail)
    assert m is not None
    rest = tail[m.end() :]
    if not rest or not (rest[0].isalpha() or rest[0] in "–—-"):
        return None
    verb_first = re.match(r"(?:,?\s*)" + _SAY + r"\s+(?P<who>[^,.;:\"“”]{1,80})", rest)
    if verb_first is not None:
        who = verb_first.group("who")
        who_at = at + m.end() + verb_first.start("who")
        return _speaker(text, who_at, who, mentions, people, "after")
    verb = _SAY_RE.search(rest[:260])
    if verb is None:
        return None
    who = rest[: verb.start()]
    if '"' in who or "“" in who or len(who) > 240 or not who.strip():
        return None
    if not _starts_speaker(who):
        return None
    return _speaker(text, at + m.end(), who, mentions, people, "after")


def _starts_speaker(phrase: str) -> bool:
    """Whether the words after a quote open a speaker phrase (a name, a pronoun, "the ...",
    "a ...", a title), not a new clause about something else."""
    first = phrase.strip().split(" ", 1)[0] if phrase.strip() else ""
    return bool(first) and (
        first[0].isupper()
        or first.lower() in {"he", "she", "they", "it", "we", "the", "a", "an", "one", "officials"}
    )


def _before(
    text: str,
    at: int,
    head: str,
    mentions: Sequence[Mention],
    people: dict[str, Person],
    *,
    strict: bool,
) -> Found | None:
    """``Name said: "…"``, ``Name said that "…"`` (strict), or a partial quote after a verb of
    saying or wanting anywhere in the sentence before it."""
    if strict:
        m = re.search(
            r"(?:" + _SAY + r"(?:\s+(?:reporters|journalists|parliament|the\s[\w\s]{1,30}?))?"
            r"(?:\s+(?:on|in|at)\s[\w\s,]{1,30}?)?\s*(?::|,|\s+that)?|according\sto\s+(?P<acc>[^,\"“]{1,80}),?)\s*$",
            head,
        )
        if m is None:
            return None
        if m.group("acc"):
            return _speaker(text, at + m.start("acc"), m.group("acc"), mentions, people, "before")
        who = head[: m.start()]
        return _subject(text, at, who, mentions, people, "before")
    verbs = list(_SAY_RE.finditer(head))
    if not verbs:
        return None
    verb = verbs[-1]
    return _subject(text, at, head[: verb.start()], mentions, people, "partial")


def _term(
    text: str,
    head_at: int,
    head: str,
    tail_at: int,
    tail: str,
    quoted: str,
    mentions: Sequence[Mention],
    people: dict[str, Person],
) -> Found | None:
    """A short quote the sentence makes an actor's term: "X described … as '…'", "called '…'
    by X"."""
    if len(quoted.split()) > 6:
        return None
    by = re.match(r"[\s\w\"“”,]{0,60}?\bby\s+(?P<who>[^,.;:\"“”]{1,80})", tail)
    if by is not None and _TERM_VERB.search(head):
        found = _speaker(text, tail_at + by.start("who"), by.group("who"), mentions, people, "term")
        if found is not None and found[3] is not None:
            return ("term", *found[1:])
    verbs = list(_TERM_VERB.finditer(head))
    if verbs:
        found = _subject(text, head_at, head[: verbs[-1].start()], mentions, people, "term")
        if found is not None and found[3] is not None:
            return ("term", *found[1:])
    return None


def _subject(
    text: str,
    at: int,
    phrase: str,
    mentions: Sequence[Mention],
    people: dict[str, Person],
    rule: str,
) -> Found | None:
    """The speaker of a clause ``phrase`` (which ends just before its verb): its last person
    or actor mention, or a pronoun."""
    inside = [m for m in mentions if at <= m.start and m.end <= at + len(phrase)]
    inside = [m for m in inside if not _in_quotes(text, at, m.start)]
    if inside:
        persons = [m for m in inside if m.how == "person"]
        last = persons[-1] if persons else inside[-1]
        if persons and inside[-1].end > last.end and _possessive_or_title(text, last, inside[-1]):
            last = persons[-1]
        person = people[last.text].name if last.text in people else None
        return ("speech", last.text, person, last.actor, rule)
    pronoun = re.search(r"\b(he|she|they|we|it)\s+(?:also\s|then\s|later\s)?$", phrase, re.I)
    if pronoun is not None:
        return ("speech", pronoun.group(1), None, None, "pronoun")
    return None


def _possessive_or_title(text: str, person: Mention, later: Mention) -> bool:
    return later.start - person.end < 80


def _in_quotes(text: str, start: int, at: int) -> bool:
    return (text.count('"', start, at) % 2 == 1) or (
        text.count("“", start, at) > text.count("”", start, at)
    )


def _speaker(
    text: str,
    at: int,
    phrase: str,
    mentions: Sequence[Mention],
    people: dict[str, Person],
    rule: str,
) -> Found | None:
    """A speaker phrase after or around the verb: a person, an actor's name, or a pronoun."""
    words = phrase.strip()
    if _PRONOUN.match(words.split(" ")[0] if words else ""):
        return ("speech", words.split(" ")[0], None, None, "pronoun")
    inside = [m for m in mentions if at <= m.start and m.end <= at + len(phrase)]
    persons = [m for m in inside if m.how == "person"]
    if persons:
        first = persons[0]
        return ("speech", first.text, people[first.text].name, first.actor, rule)
    name = re.match(
        r"(?:Mr|Mrs|Ms|Dr)\.?\s+[A-Z][\w'-]+|[A-Z][a-z]+(?:\s[A-Z][\w'-]+){0,3}(?=\W*$)|"
        r"[A-Z][a-z]+(?:\s[A-Z][\w'-]+){1,3}",
        words,
    )
    if inside:
        first = inside[0]
        speaker = name.group() if name is not None else first.text
        person = _only_official(people, first.actor) if _TITLED.search(words) else None
        return ("speech", speaker, person, first.actor, rule)
    if name is not None:
        return ("speech", name.group(), None, None, rule)
    return None


_TITLED = re.compile(
    r"\b(?:minister|secretary|diplomat|envoy|ambassador|negotiator|president|chancellor|"
    r"premier|commissioner|spokes\w+|chief|official)\b",
    re.I,
)


def _only_official(people: dict[str, Person], actor: str | None) -> str | None:
    """The one official of ``actor`` the article names, if there is exactly one (a speaker
    called "the Iranian foreign minister" is then that official)."""
    names = {p.name for p in people.values() if p.actor == actor and p.how != "alias"}
    full = {n for n in names if not any(m != n and m.endswith(" " + n) for m in names)}
    return next(iter(full)) if len(full) == 1 else None


def _antecedent(
    text: str,
    at: int,
    mentions: Sequence[Mention],
    people: dict[str, Person],
    earlier: Sequence[Quote],
) -> tuple[str | None, str | None, str]:
    """The official a pronoun stands for: the nearest person named before ``at``, else the
    speaker of the quote before."""
    before = [m for m in mentions if m.end <= at and m.how == "person"]
    if before:
        last = before[-1]
        return people[last.text].name, last.actor, "pronoun"
    for quote in reversed(earlier):
        if quote.kind == "speech" and quote.actor is not None:
            return quote.person, quote.actor, "pronoun"
    return None, None, "pronoun"


def _sentence_start(spans: Sequence[tuple[int, int]], at: int) -> int:
    for start, end in spans:
        if start <= at < end:
            return start
    return at


def _sentence_end(spans: Sequence[tuple[int, int]], at: int) -> int:
    for start, end in spans:
        if start <= at < end:
            return end
    return at + 1
