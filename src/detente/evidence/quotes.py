"""Direct quotes and who speaks them.

A quote is the text between a pair of quotation marks (straight or curly double marks, a
straight mark closed by a curly one; curly single marks; straight single marks only in a
paragraph that has no double ones, and only at word edges, so that apostrophes are never taken
for them). Its speaker is found by these rules, in order:

1. ``"…," Name [, appositive title,] said`` and ``"…," said Name``: the speaker after the quote,
   before or after a verb of saying (a pronoun, "he said", is resolved as below);
2. ``Name said: "…"``, ``Name said that "…"``, ``according to Name``: the speaker before the
   quote;
3. a partial quote inside a sentence, ``the U.S. wants North Korea to "meaningfully address"
   denuclearization``: the subject of the nearest verb of saying or wanting before it;
4. a short quote the sentence says is someone's term (``Pyongyang described the talks as
   "reward for freeze"``, ``called "human scum" by official North Korean media``) is kept as a
   quoted term of that actor;
5. a quote a colon introduces is the words of the official who is the sentence's subject
   (``Ivan Marquez, leading FARC negotiator, spoke of …: "…"``; ``colon``);
6. a quote that opens its sentence with no attribution continues the speech quoted just
   before it (``continued``); a quote that is a sentence of its own right after a quote-free
   sentence whose subject is a person ("Macron underscored the importance of the challenge.")
   is that person's (``adjacent``);
7. then, sentence by sentence: quotes still unattributed in a sentence whose attributed
   quotes all have one speaker, with no other party named between, are that speaker's
   (``one-speaker``: several quotes before one attribution, ``Talks in this "useful meeting"
   were "intense" and "constructive," explained …``, or a quotation resumed after it,
   ``"…," said Dijsselbloem, the Dutch finance minister, "but …"``); a name no rule ties to
   an actor, or a second verb of saying, between them stops the sharing;
8. anything else is listed as unattributed.

A pronoun ("he said") is the speaker of the quote just before, when that speaker is a named
official and no one else is named between (within 400 characters); else the subject of its
sentence or of the nearest sentence before that names a person (the first person named there
outside quotes, not the last: "Zarif met Kerry and Ashton. '…,' he said" is Zarif's). A
sentence whose subject is an unnamed role ("A spokesperson for … said") or a person the text
ties to no actor ("Tanja Nijmeijer played down …") stops the search: the quote keeps no actor
rather than a guessed one. A role named as speaker ("the top US diplomat said") is the official
of that actor named last before it.

The actor a speaker speaks for is the official's actor (:mod:`~detente.evidence.mentions`), or
the state or organisation the speaker phrase names ("a Chinese foreign ministry spokesman",
"EU diplomats").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from detente.evidence.gazetteer import GAZETTEER
from detente.evidence.mentions import LOW, UP, Mention, Person

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
    r"wants|wanted|hopes|hoped|believes|believed|thinks|called\sfor|calls\sfor|called\son|"
    r"has\ssought|sought|seeks|expects|expected|put\sit|underscored|underlined|assured|adding|"
    r"insisting|saying|warning|arguing|noting|stressing|affirmed|affirms|reaffirmed|reaffirms|"
    r"expressed(?:\s\w+)?\s(?:hope|concern|confidence))"
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
            if mark == closer or (closer in '"”' and mark in '"”'):  # '"…”' mixed marks
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
            or _colon(text, head_from, head, mentions, people)
        )
        if found is None:
            found = _continued(text, q_start, out, sentence_spans, paragraph_spans)
        if found is None:
            found = _adjacent(
                text, q_start, q_end, mentions, people, out, sentence_spans, paragraph_spans
            )
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
            person, actor, rule = _antecedent(
                text, open_mark, mentions, people, out, sentence_spans
            )
        out.append(
            Quote(q_start, q_end, quoted, kind, speaker, person, actor, rule, (s_start, s_end))
        )
    return _one_speaker(text, out, mentions)


Found = tuple[str, str | None, str | None, str | None, str]


def _one_speaker(text: str, quotes: list[Quote], mentions: Sequence[Mention]) -> list[Quote]:
    """Quotes left unattributed in a sentence whose other quotes all have one speaker, with
    no other name between, are that speaker's: several quotes before one attribution
    ("Talks in this '…' were '…' and '…,' explained Eurogroup head Jeroen Dijsselbloem"), a
    quotation resumed after it ("'…,' said Dijsselbloem, the Dutch finance minister, '…'")."""
    out = list(quotes)
    for n, quote in enumerate(quotes):
        if quote.kind != "unattributed":
            continue
        same = [
            q
            for q in quotes
            if q.sentence == quote.sentence and q.kind == "speech" and q.actor is not None
        ]
        if len({(q.person or q.speaker, q.actor) for q in same}) != 1:
            continue
        nearest = min(same, key=lambda q: abs(q.start - quote.start))
        a, b = sorted((nearest.end, quote.start))
        others = [
            m
            for m in mentions
            if a <= m.start < b
            and (m.actor != nearest.actor or m.how != "person")
            and _ROLE_AFTER.match(text, m.end) is None  # "the Dutch finance minister"
        ]
        if others or _TERM_VERB.search(text, a, b) or b - a > 200:
            continue
        if len(_SAY_RE.findall(text, a, b)) > 1 or _unknown_name(text, a, b, mentions):
            continue  # another speaker, named or not: "…," said Lavrov, while Blinken …
        out[n] = Quote(
            quote.start,
            quote.end,
            quote.text,
            "speech",
            nearest.speaker,
            nearest.person,
            nearest.actor,
            "one-speaker",
            quote.sentence,
        )
    return out


def _unknown_name(text: str, a: int, b: int, mentions: Sequence[Mention]) -> bool:
    """Whether ``text[a:b]`` names, outside quotes, someone or something that is not among the
    mentions (a capitalised word no name found covers)."""
    for word in re.finditer(rf"\b[{UP}][{LOW}]+", _blank_quotes(text[a:b])):
        at = a + word.start()
        if not any(m.start <= at < m.end for m in mentions):
            return True
    return False


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
    verb_first = re.match(
        r"(?:,?\s*)" + _SAY + r"\s+(?P<who>(?:(?:Dr|Mr|Mrs|Ms)\.\s)?[^,.;:\"“”]{1,80}"
        r"(?:,\s(?:(?:Dr|Mr|Mrs|Ms)\.\s)?[A-Z][^,.;:\"“”]{1,60})?)",
        rest,
    )
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
            r"(?:\s+(?:on|in|at)\s[\w\s,]{1,30}?)?\s*(?::|,|\s+that)?|according\sto\s+(?P<acc>[^,\"“]{1,80}),?|\bwords\sof\s+(?P<words>[^,\"“]{1,80}?),?\s+that)\s*$",
            head,
        )
        if m is None:
            return None
        if m.group("acc"):
            return _speaker(text, at + m.start("acc"), m.group("acc"), mentions, people, "before")
        if m.group("words"):
            return _speaker(
                text, at + m.start("words"), m.group("words"), mentions, people, "before"
            )
        who = head[: m.start()]
        return _subject(text, at, who, mentions, people, "before")
    verbs = list(_SAY_RE.finditer(head))
    according = _ACCORDING.search(head)
    if according is not None and (not verbs or verbs[-1].start() < according.start()):
        return _speaker(  # "According to X, the draft would '…'"
            text, at + according.start("who"), according.group("who"), mentions, people, "before"
        )
    if not verbs:
        return None
    verb = verbs[-1]
    return _subject(text, at, head[: verb.start()], mentions, people, "partial")


def _colon(
    text: str, at: int, head: str, mentions: Sequence[Mention], people: dict[str, Person]
) -> Found | None:
    """A quote a colon introduces is the words of the sentence's subject, an official named
    first in it ("Ivan Marquez, leading FARC negotiator, spoke of efforts …: '…'", "Israeli
    leader Benjamin Netanyahu also took to Twitter to declare: '…'")."""
    if not head.rstrip().endswith(":"):
        return None
    inside = [
        m
        for m in mentions
        if at <= m.start and m.end <= at + len(head) and not _in_quotes(text, at, m.start)
    ]
    persons = [m for m in inside if m.how == "person"]
    if not persons or persons[0].start - at > 80:
        return None
    first = persons[0]
    if any(
        m.start < first.start and not _qualifies(text, m, first.start) for m in inside
    ):  # another party named first: "Israeli leader Benjamin Netanyahu" is one person
        return None
    return ("speech", first.text, people[first.text].name, first.actor, "colon")


def _qualifies(text: str, mention: Mention, person_at: int) -> bool:
    """Whether ``mention`` is part of the title just before a person ("Israeli leader")."""
    between = text[mention.end : person_at]
    return len(between) <= 50 and re.search(r"[,.;:\"“”]|\b[a-z]+ed\b", between) is None


_ACCORDING = re.compile(r"\b(?i:according\sto)\s+(?P<who>[^,;\"“”]{2,80}),")


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
        if found is not None and found[4] == "pronoun" and found[1] in ("he", "she", "He", "She"):
            return ("term", *found[1:])  # "He described the meeting as 'tense'": its referent's
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
    nearest = _VERB_SUBJECT.search(phrase)
    if (
        nearest is not None
        and nearest.group(1).split()[0] not in _NOT_SUBJECTS
        and not any(m.start < at + nearest.end(1) <= m.end for m in mentions)
    ):  # the name next to the verb is the speaker, tied to no actor: "while Blinken dismissed"
        return ("speech", nearest.group(1), None, None, rule)
    if inside:
        persons = [m for m in inside if m.how == "person"]
        last = persons[-1] if persons else inside[-1]
        if not persons:
            last = _role_holder(text, inside, last)
        if persons and inside[-1].end > last.end and _possessive_or_title(text, last, inside[-1]):
            last = persons[-1]
        person = people[last.text].name if last.text in people else None
        speaker = last.text
        if person is None:
            role = _ROLE_AFTER.match(text, last.end, at + len(phrase))
            if role is not None:  # "the Egyptian official", "a UK Government spokesman"
                speaker = text[last.start : role.end()]
                if not _INDEFINITE.search(text, max(at, last.start - 40), last.start):
                    person = _official(people, mentions, last.actor, last.start)
        return ("speech", speaker, person, last.actor, rule)
    pronoun = re.search(
        r"\b(he|she|they|we|it)\s+(?:also\s|then\s|later\s)?(?:" + _SAY + r"\W*)?$", phrase, re.I
    )
    if pronoun is not None:
        return ("speech", pronoun.group(1), None, None, "pronoun")
    return _common_noun(text, at, phrase, mentions, rule)


def _role_holder(text: str, inside: Sequence[Mention], last: Mention) -> Mention:
    """The actor whose role a speaker phrase names, not its portfolio: "The U.S. special
    representative for Afghanistan said" speaks for the United States."""
    for m in inside:
        if m is last:
            break
        role = _ROLE_AFTER.match(text, m.end)
        if role is not None and re.fullmatch(
            r"(?:\s+[\w-]+){0,3}?\s+(?:for|on|to)\s+(?:the\s+)?", text[role.end() : last.start]
        ):
            return m
    return last


#: A capitalised name right before the verb (the phrase ends there): its subject.
_VERB_SUBJECT = re.compile(
    rf"(?<![\w'’.-])([{UP}][{LOW}]+(?:\s[{UP}][{LOW}]+){{0,2}})\s+(?:also\s+)?$"
)
_NOT_SUBJECTS = frozenset(
    {"The", "He", "She", "It", "They", "We", "I", "This", "That", "Monday", "Tuesday",
     "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Today", "Yesterday", "Twitter"}
)  # fmt: skip


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
        rf"(?:Mr|Mrs|Ms|Dr)\.?\s+[{UP}][\w'-]+|[{UP}][{LOW}]+(?:\s[{UP}][\w'-]+){{0,3}}(?=\W*$)|"
        rf"[{UP}][{LOW}]+(?:\s[{UP}][\w'-]+){{1,3}}",
        words,
    )
    if inside:
        first = inside[0]
        titled = _TITLED.search(words) is not None
        speaker = name.group() if name is not None else words if titled else first.text
        person = (
            _official(people, mentions, first.actor, at)
            if titled and not _INDEFINITE.match(words)
            else None
        )
        return ("speech", speaker, person, first.actor, rule)
    if name is not None:
        return ("speech", name.group(), None, None, rule)
    return _common_noun(text, at, phrase, mentions, rule)


_TITLED = re.compile(
    r"\b(?:minister|secretary|diplomat|envoy|ambassador|negotiator|president|chancellor|"
    r"premier|commissioner|spokes\w+|chief|official)\b",
    re.I,
)


#: A speaker named by a definite common noun: "the spokesman", "The ministry", "the group".
_DEFINITE_NOUN = re.compile(
    r"\W*the\s+(?:[a-z-]+\s+){0,2}?(?P<noun>spokes(?:man|woman|person)|ministry|official|"
    r"minister|government|delegation|envoy|diplomat|negotiator|ambassador|agency|statement|"
    r"movement|group|organi[sz]ation|militants)\b",
    re.I,
)
#: Nouns that stand for the organisation named last before them ("The movement noted").
_ORGANISATION_NOUNS = frozenset({"movement", "group", "organisation", "organization", "militants"})
_ORGANISATIONS = frozenset(e.id for e in GAZETTEER if e.kind == "organisation")


def _common_noun(
    text: str, at: int, phrase: str, mentions: Sequence[Mention], rule: str
) -> Found | None:
    """A speaker named by a definite common noun ("the spokesman said" after "a UK Government
    spokesman", "The ministry stated" after "the Qatari Ministry of Foreign Affairs") is the
    actor named with the same noun earlier, within 1,500 characters and no excerpt gap ("[…]");
    "the movement" or "the group" the organisation named last before it."""
    m = _DEFINITE_NOUN.match(phrase)
    if m is None or re.search(r"[A-Z]", phrase[m.end() :].split(",")[0]):
        return None
    noun = m.group("noun").lower()
    speaker = " ".join(phrase[: m.end()].split())
    start = max(0, at - 1500)
    gap = list(_GAP.finditer(text, start, at))
    if gap:
        start = gap[-1].end()
    family = r"spokes(?:man|woman|person)" if noun.startswith("spokes") else re.escape(noun)
    for earlier in reversed(list(re.finditer(r"\b(?i:" + family + r")\b", text[start:at]))):
        e_start, e_end = start + earlier.start(), start + earlier.end()
        near = [
            x
            for x in mentions
            if x.actor is not None
            and start <= x.end <= e_start
            and e_start - x.end <= 40
            and not re.search(r"[.;:\"“”]", text[x.end : e_start])
        ]
        after = re.match(r"\s+(?:for|of|at)\s+(?:the\s+)?", text[e_end : e_end + 20])
        later = [x for x in mentions if after is not None and x.start == e_end + after.end()]
        chosen = near[-1] if near else later[0] if later and later[0].actor else None
        if chosen is not None:
            return ("speech", speaker, None, chosen.actor, rule)
    if noun in _ORGANISATION_NOUNS:
        orgs = [x for x in mentions if start <= x.start < at and x.actor in _ORGANISATIONS]
        if orgs:
            return ("speech", speaker, None, orgs[-1].actor, rule)
    return None


_GAP = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]")


#: A role after an actor's name, naming no one: "Egyptian official", "Government spokesman",
#: "'s foreign ministry".
_ROLE_AFTER = re.compile(
    r"(?:['’]s?)?(?:\s+[\w-]+){0,2}?\s+(?:minister|secretary|diplomat|envoy|ambassador|negotiator|"
    r"spokes\w+|official|officials|ministry|source|sources|government|delegation|mission|"
    r"representative)\b",
    re.I,
)
#: An article that makes a role someone unnamed: "a spokeswoman", "an official".
_INDEFINITE = re.compile(r"(?:^|\b)(?i:an?|one)\s(?:[\w-]+\s){0,4}?$|^\W*(?i:an?|one)\s")


def _official(
    people: dict[str, Person], mentions: Sequence[Mention], actor: str | None, at: int
) -> str | None:
    """The official of ``actor`` a role ("the Iranian foreign minister said") stands for: the
    one named last before it, else the one official of ``actor`` the article names."""
    before = [m for m in mentions if m.end <= at and m.how == "person" and m.actor == actor]
    if before:
        return people[before[-1].text].name
    names = {p.name for p in people.values() if p.actor == actor and p.how != "alias"}
    full = {n for n in names if not any(m != n and m.endswith(" " + n) for m in names)}
    return next(iter(full)) if len(full) == 1 else None


def _antecedent(
    text: str,
    at: int,
    mentions: Sequence[Mention],
    people: dict[str, Person],
    earlier: Sequence[Quote],
    sentence_spans: Sequence[tuple[int, int]],
) -> tuple[str | None, str | None, str]:
    """The official a pronoun at ``at`` stands for: the subject (the first person named outside
    quotes) of its own sentence before it, else of the nearest sentence before that names one
    (at most three sentences back), else the speaker of the quote before. "Zarif spoke after
    meeting Kerry and Ashton. '…,' he said" is Zarif, not Ashton."""
    last = _last_speaker(text, at, mentions, earlier)
    if last is not None:
        return last.person, last.actor, "pronoun"
    here = next((n for n, (s, e) in enumerate(sentence_spans) if s <= at < e), None)
    if here is not None:
        for n in range(here, max(-1, here - 4), -1):
            s_start, s_end = sentence_spans[n]
            s_end = min(s_end, at)
            verb = _SAY_RE.search(_blank_quotes(text[s_start:s_end]))
            if verb is not None and n < here:  # its subject: "A spokesperson for X said ..."
                subject = text[s_start : s_start + verb.start()]
                named = [
                    m
                    for m in mentions
                    if s_start <= m.start < s_start + verb.start() and m.how == "person"
                ]
                if not named and _ROLE_SUBJECT.match(subject):
                    return None, None, "pronoun"  # a role the text names no one for
            inside = [
                m
                for m in mentions
                if s_start <= m.start
                and m.end <= s_end
                and m.how == "person"
                and not _in_quotes(text, s_start, m.start)
                and not any(q.start <= m.start < q.end for q in earlier)
            ]
            stranger = _untied_subject(text, s_start, s_end, mentions, earlier)
            if stranger is not None and (not inside or stranger < inside[0].start):
                return None, None, "pronoun"  # "Tanja Nijmeijer played down …": no actor
            if inside:
                return people[inside[0].text].name, inside[0].actor, "pronoun"
    for quote in reversed(earlier):
        if quote.kind == "speech" and quote.actor is not None:
            return quote.person, quote.actor, "pronoun"
    return None, None, "pronoun"


def _last_speaker(
    text: str, at: int, mentions: Sequence[Mention], earlier: Sequence[Quote]
) -> Quote | None:
    """The quote before, when it was a named person's and no one else is named between it and
    the pronoun at ``at`` (at most 400 characters, no excerpt gap): "'…,' Eurogroup President
    Jeroen Dijsselbloem told a news conference. '…,' he said" is Dijsselbloem's, although the
    sentence before names Varoufakis first."""
    if not earlier:
        return None
    last = earlier[-1]
    if last.kind != "speech" or last.actor is None or last.person is None:
        return None
    if at - last.end > 400 or _GAP.search(text, last.end, at):
        return None
    for m in mentions:
        if last.end < m.start < at and m.how == "person" and not last.person.endswith(m.text):
            return None
    stranger = _NAMED_SUBJECT.search(_blank_quotes(text[last.end + 1 : at]))
    if stranger is not None and not any(
        last.end + 1 + stranger.start() <= m.start < last.end + 1 + stranger.end() for m in mentions
    ):
        return None
    return last


#: A person's name (two or three capitalised words) and a verb after it: a sentence's subject.
_NAMED_SUBJECT = re.compile(
    rf"(?<![\w'’.-])[{UP}][{LOW}]+(?:\s(?:de\s|la\s|van\s|von\s|bin\s)?[{UP}][{LOW}][\w'’-]*){{1,2}}"
    r"(?=,?\s(?:also\s|then\s|later\s)?[a-z]+(?:ed|s)\b)"
)


def _untied_subject(
    text: str,
    s_start: int,
    s_end: int,
    mentions: Sequence[Mention],
    earlier: Sequence[Quote],
) -> int | None:
    """Where the sentence names, outside quotes, a person the text ties to no actor as the
    subject of a verb ("Dutch FARC member Tanja Nijmeijer played down the differences"): a
    pronoun after it is that person, whose actor is not known, not an official named before."""
    for m in _NAMED_SUBJECT.finditer(text, s_start, s_end):
        if m.group().split()[0] in _SENTENCE_WORDS:
            continue
        if any(x.start < m.end() and m.start() < x.end for x in mentions):
            continue
        if any(q.start <= m.start() < q.end for q in earlier) or _in_quotes(
            text, s_start, m.start()
        ):
            continue
        return m.start()
    return None


_SENTENCE_WORDS = frozenset(
    {"The", "A", "An", "But", "And", "In", "On", "At", "After", "Before", "As", "When", "While"}
)


#: A sentence whose subject is a role with no name: "A spokesperson for the department said".
_ROLE_SUBJECT = re.compile(
    r"\W*(?:a|an|the|one)\s(?:[\w-]+\s){0,2}?(?:spokes\w+|official|diplomat|source|aide|"
    r"negotiator|minister|envoy|representative|statement)\b",
    re.I,
)


def _blank_quotes(passage: str) -> str:
    return re.sub(r"[\"“][^\"”]*[\"”]", lambda m: " " * len(m.group()), passage)


def _adjacent(
    text: str,
    q_start: int,
    q_end: int,
    mentions: Sequence[Mention],
    people: dict[str, Person],
    earlier: Sequence[Quote],
    sentence_spans: Sequence[tuple[int, int]],
    paragraph_spans: Sequence[tuple[int, int]],
) -> Found | None:
    """A quote that is a whole sentence of its own, with no attribution, right after a sentence
    about a person's words or deeds that holds no quote ("Macron underscored the importance of
    the challenge. 'It is our project Europe that is at stake.'"): that person's (the subject,
    named at the start of the sentence, or the "he said" in it)."""
    here = next((n for n, (s, e) in enumerate(sentence_spans) if s <= q_start - 1 < e), None)
    if here is None or here == 0:
        return None
    s_start, s_end = sentence_spans[here]
    if text[s_start : q_start - 1].strip() or re.search(r"\w", text[q_end + 1 : s_end]):
        return None
    p_start, p_end = sentence_spans[here - 1]
    paragraph = next((n for n, (s, e) in enumerate(paragraph_spans) if s <= q_start - 1 < e), 0)
    elsewhere = p_start < paragraph_spans[paragraph][0]  # the sentence before: another paragraph
    if elsewhere and (paragraph == 0 or p_start < paragraph_spans[paragraph - 1][0]):
        return None
    previous = text[p_start:p_end]
    if any(mark in previous for mark in '"“”'):
        return None
    persons = [m for m in mentions if p_start <= m.start < p_start + 60 and m.how == "person"]
    if (
        persons
        and _SAY_RE.search(previous) is None
        and not re.search(r"^\W*\w+(?:\s\w+){0,3}\s(?:\w+ed|\w+s)\b", text[persons[0].end : p_end])
    ):
        persons = []
    if persons:
        first = persons[0]
        return ("speech", first.text, people[first.text].name, first.actor, "adjacent")
    pronoun = re.search(r"\b(he|she)\s+(?:also\s)?(?:said|says|added|told)\b", previous, re.I)
    if pronoun is not None:
        person, actor, _ = _antecedent(
            text, p_start + pronoun.start(), mentions, people, earlier, sentence_spans
        )
        if actor is not None:
            return ("speech", pronoun.group(1), person, actor, "adjacent")
    return None


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
