"""Actor mentions: every name of a state, an organisation or an official in the text, mapped to
one actor, or reported as ambiguous.

Names come from the scenario (its actors' names and aliases, when one is given) and from the
bundled :mod:`~detente.evidence.gazetteer`. Officials are found through title patterns, a title
before the name ("Russian Minister of Foreign Affairs Sergey Lavrov") or an appositive after it
("Glyn Davies, the U.S. Special Representative for North Korea Policy,"): the actor is the
state or organisation the title names. A title that names none ("Foreign Ministry Spokesperson
Qin Gang") takes the actor that leads the sentence before, and says so (``how="context"``).
Once an official is known, later mentions of the surname ("Mr. Davies") count for the same
actor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from detente.evidence.gazetteer import AMBIGUOUS, GAZETTEER, NOT_ACTORS, SEATS

STOP_NAMES = frozenset({"Policy", "Agency", "News", "Ministry", "Office", "Department"})

if TYPE_CHECKING:
    from detente.scenario.model import Scenario

__all__ = ["Mention", "Person", "Resolver", "find_mentions", "find_people", "resolver_for"]


@dataclass(frozen=True)
class Mention:
    """A name in the text: ``text[start:end]``, its actor (None when ambiguous) and, for an
    ambiguous name, the actors it could mean. ``how`` is ``alias`` (the scenario's),
    ``gazetteer``, ``person`` (an official whose actor the text gives) or ``ambiguous``."""

    start: int
    end: int
    text: str
    actor: str | None
    how: str
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Person:
    """An official named in the text, with the actor the title (or the context) gives."""

    name: str
    actor: str
    title: str
    how: str  # "title", "alias" or "context"
    start: int = 0


@dataclass
class Resolver:
    """Which actor each name means: the scenario's names and aliases first, then the gazetteer's
    (mapped onto a scenario actor that shares one of its names)."""

    names: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    ambiguous: dict[str, tuple[str, ...]] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)  # scenario aliases that name persons
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    @classmethod
    def build(cls, scenario: Scenario | None = None) -> Resolver:
        r = cls()
        own: dict[str, str] = {}
        if scenario is not None:
            for actor in scenario.actors:
                r.labels[actor.id] = actor.label
                for name in (actor.name, *actor.aliases):
                    if name and len(name) > 1:
                        own.setdefault(name, actor.id)
        folded = {name.casefold(): actor for name, actor in own.items()}
        for entry in GAZETTEER:
            target = entry.id
            for name in (entry.name, *entry.names):
                if name.casefold() in folded:
                    target = folded[name.casefold()]
                    break
            r.labels.setdefault(target, entry.name)
            for name in entry.names:
                if name not in own:
                    r.names.setdefault(name, target)
                    r.how.setdefault(name, "gazetteer")
        for name, actor_id in own.items():
            if _looks_like_person(name):
                r.people[name] = actor_id
            else:
                r.names[name] = actor_id
                r.how[name] = "alias"
        for name, candidates in AMBIGUOUS.items():
            if name not in r.names and name not in r.people:
                mapped = tuple(dict.fromkeys(r.names.get(_display(c), c) for c in candidates))
                r.ambiguous[name] = mapped
        return r

    def pattern(self) -> re.Pattern[str]:
        """One regular expression over every name (longest first), word-bounded; built once
        per resolver."""
        if self._pattern is None:
            every = set(self.names) | set(self.ambiguous) | set(self.people) | NOT_ACTORS
            self._pattern = _trie_pattern(every)
        return self._pattern


_RESOLVERS: dict[str | None, Resolver] = {}


def resolver_for(scenario: Scenario | None) -> Resolver:
    """The resolver of ``scenario`` (or of the gazetteer alone), kept for the next article:
    building its pattern costs more than reading an article."""
    key = None if scenario is None else scenario.content_hash()
    if key not in _RESOLVERS:
        if len(_RESOLVERS) > 16:
            _RESOLVERS.clear()
        _RESOLVERS[key] = Resolver.build(scenario)
    return _RESOLVERS[key]


def _display(actor_id: str) -> str:
    return actor_id


_HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Dr|President|Premier)\.?\s")


def _looks_like_person(name: str) -> bool:
    """A scenario alias that names a person ("Glyn Davies", "Kim Jong-Il"), not a state."""
    words = name.split()
    if _HONORIFIC.match(name):
        return True
    if len(words) == 1:  # a surname alias ("Davies"); states and capitals are the gazetteer's
        return name[:1].isupper() and not name.isupper() and name not in _GAZETTEER_NAMES
    if len(words) < 2 or len(words) > 4:
        return False
    if any(w.lower() in _NOT_PERSON for w in words):
        return False
    return all(w[:1].isupper() for w in words) and not any(w.isupper() for w in words)


_GAZETTEER_NAMES = frozenset(n for e in GAZETTEER for n in (e.name, *e.names))
_NOT_PERSON = frozenset(
    {
        "republic",
        "of",
        "the",
        "states",
        "kingdom",
        "union",
        "administration",
        "government",
        "people's",
        "korea",
        "north",
        "south",
        "ministry",
        "federation",
        "nations",
        "leaders",
        "united",
        "islands",
        "council",
        "policy",
        "agency",
        "news",
        "department",
        "office",
        "affairs",
        "foreign",
        "organization",
        "organisation",
        "energy",
        "atomic",
        "commission",
        "committee",
        "conference",
        "party",
        "bank",
        "fund",
        "court",
    }
)


def _trie_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """A regular expression matching any of ``words`` (longest first) as a whole word, built
    as a character trie so that matching stays linear in the text, not in the word list."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict) -> str:  # type: ignore[type-arg]
        branches = []
        end = "" in node
        for char in sorted((c for c in node if c), key=lambda c: c):
            branches.append(re.escape(char) + render(node[char]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return re.compile(r"(?<![\w.'’-])(?:" + render(trie) + r")(?![\w-]|['’]\w{2}|\.\w)")


# --- officials -----------------------------------------------------------------------------------

_WORD = r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:-[A-Za-z][a-z]+)?|[A-Z]\.|al-[A-Z][a-z]+)"
_NAME = _WORD + r"(?:\s(?:" + _WORD + r"|de|van|von|bin)){1,3}"
_TITLE_WORDS = (
    r"(?:Prime\sMinister|Deputy\sPrime\sMinister|Foreign\sMinister|Foreign\sSecretary|"
    r"Minister(?:\s(?:of|for)\s(?:the\s)?(?:[A-Z][a-z]+)(?:\s(?:and\s)?[A-Z][a-z]+){0,3})?|"
    r"Secretary(?:\sof\sState|\sGeneral|-General)?|Spokes(?:person|man|woman)|Ambassador|Envoy|"
    r"Representative|Negotiator|President|Vice\sPresident|Chancellor|Premier|Commissioner|"
    r"Chief\sNegotiator|Chief|Leader|Director(?:\sGeneral|-General)?|Diplomat|Delegate|"
    r"Special\sEnvoy|Minister-President|Taoiseach|Senator|Governor|General|King|Queen|Emir|"
    r"Crown\sPrince|Supreme\sLeader|Ayatollah|Chairman|Chairwoman|Chair|Head|Official|Adviser|"
    r"Advisor|Counsellor|Counselor|Deputy)"
)
#: A title before the name: "[Nation] [qualifiers] TITLE [of ...] Name Surname".
_TITLE_BEFORE = re.compile(
    r"(?<![\w'’.-])(?P<title>(?:(?:[A-Z][\w.'’-]*|of|the|for|and|'s|’s)\s){0,7}?"
    + r"(?i:"
    + _TITLE_WORDS
    + r")"
    + r"(?:\s(?:of|for)\s(?:the\s)?[A-Z][\w.'’-]*(?:\s[A-Z][\w.'’-]*){0,3})?)\s(?P<name>"
    + _NAME
    + r")"
)
#: A name with an appositive title after it: "Name Surname, the U.S. Special Representative ...,".
_APPOSITIVE = re.compile(
    r"(?<![\w'’.-])(?P<name>" + _NAME + r"),\s(?:who\s(?:is|was)\s(?:also\s|now\s)?)?"
    r"(?P<title>(?:the|a|an|[A-Z][\w.'’-]*’s|[A-Z][\w.'’-]*'s)\s[^,;\"“”]{2,120}?"
    r"(?i:" + _TITLE_WORDS + r"|minister|secretary|spokes\w+|ambassador|envoy|representative|"
    r"negotiator|president|chancellor|premier|commissioner|chief|leader|official|diplomat|"
    r"delegate|adviser|advisor|head|director)\b[^,;\"“”]{0,120}?)(?=,|\s(?:said|told|says|added))"
)


#: A title and a surname alone ("Prime Minister Rutte", "Chancellor Merkel", "Mr. Davies" is
#: not a title): the name is one capitalised word followed by no other.
_TITLE_SURNAME = re.compile(
    r"(?<![\w'’.-])(?P<title>(?:(?:[A-Z][\w.'’-]*|of|the|for|and)\s){0,4}?"
    r"(?:Prime\sMinister|President|Chancellor|Premier|Foreign\sMinister|Foreign\sSecretary|"
    r"Secretary\sof\sState|Ambassador|Envoy|Commissioner|Minister|Taoiseach))\s"
    r"(?P<name>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?![\w'’-]|\s[A-Z])"
)


def find_people(
    text: str,
    paragraph_spans: Sequence[tuple[int, int]],
    resolver: Resolver,
    name_pattern: re.Pattern[str],
) -> dict[str, Person]:
    """Officials named with a title, by full name and by surname, with their actors."""
    people: dict[str, Person] = {}
    for name, alias_actor in resolver.people.items():
        people[name] = Person(name, alias_actor, "", "alias")
    found: list[
        tuple[int, str, str, int, bool]
    ] = []  # name start, name, title, its start, one word
    for m in _APPOSITIVE.finditer(text):
        found.append((m.start("name"), m.group("name"), m.group("title"), m.start("title"), False))
    for m in _TITLE_BEFORE.finditer(text):
        found.append((m.start("name"), m.group("name"), m.group("title"), m.start("title"), False))
    for m in _TITLE_SURNAME.finditer(text):
        if m.group("name") not in resolver.names:
            found.append(
                (m.start("name"), m.group("name"), m.group("title"), m.start("title"), True)
            )
    found.sort()
    actor_id: str | None
    for start, found_name, title, title_start, one_word in found:
        name = _trim_name(found_name, resolver, one_word=one_word)
        if not name or name in resolver.names or (name in people and people[name].how != "context"):
            continue
        how = "title"
        actor_id = _actor_in(title, title_start, resolver, name_pattern)
        if actor_id is None:
            actor_id = _actor_of_context(text, start, paragraph_spans, resolver, name_pattern)
            how = "context"
        if actor_id is None:
            continue
        people[name] = Person(name, actor_id, " ".join(title.split()), how, start)
    surnames: dict[str, set[str]] = {}
    for person in list(people.values()):
        parts = person.name.split()
        if len(parts) >= 2:
            surnames.setdefault(parts[-1], set()).add(person.actor)
    for surname, actors in surnames.items():
        if len(actors) == 1 and surname not in people and surname not in resolver.names:
            full = next(p for p in people.values() if p.name.split()[-1] == surname)
            people[surname] = full  # "Mr. Davies" is Glyn Davies
    return people


def _trim_name(name: str, resolver: Resolver, *, one_word: bool = False) -> str:
    """The person's name without leading words that are titles or nations ("Ambassador")."""
    words = name.split()
    while words and (
        words[0] in resolver.names or re.fullmatch(_TITLE_WORDS, words[0], re.I) is not None
    ):
        words = words[1:]
    if any(
        w in resolver.names
        or w in resolver.ambiguous
        or w.lower() in _NOT_PERSON
        or w in STOP_NAMES
        for w in words
    ):
        return ""
    if one_word:
        return words[0] if len(words) == 1 and len(words[0]) > 2 else ""
    return " ".join(words) if len(words) >= 2 else ""


def _actor_in(
    phrase: str, offset: int, resolver: Resolver, name_pattern: re.Pattern[str]
) -> str | None:
    for m in name_pattern.finditer(phrase):
        named = resolver.names.get(m.group())
        if named is not None:
            return named
    return None


def _actor_of_context(
    text: str,
    at: int,
    paragraph_spans: Sequence[tuple[int, int]],
    resolver: Resolver,
    name_pattern: re.Pattern[str],
) -> str | None:
    """The actor named nearest before ``at`` in its paragraph (outside quotes), else the one
    that leads the paragraph before."""
    index = next((n for n, (s, e) in enumerate(paragraph_spans) if s <= at < e), None)
    if index is None:
        return None
    s, _ = paragraph_spans[index]
    here = [
        resolver.names[m.group()]
        for m in name_pattern.finditer(_outside_quotes(text[s:at]))
        if m.group() in resolver.names
    ]
    if here:
        return here[-1]
    if index > 0:
        s, e = paragraph_spans[index - 1]
        return _actor_in(_outside_quotes(text[s:e]), 0, resolver, name_pattern)
    return None


def _outside_quotes(passage: str) -> str:
    """``passage`` with quoted words blanked (same length), a quote left open to its end."""
    out = re.sub(r"[\"“][^\"”]*[\"”]", lambda m: " " * len(m.group()), passage)
    cut = max(out.rfind('"'), out.rfind("“"))
    return out if cut < 0 else out[:cut] + " " * (len(out) - cut)


def find_mentions(
    text: str, resolver: Resolver, people: dict[str, Person], pattern: re.Pattern[str]
) -> list[Mention]:
    """Every name in ``text`` mapped to its actor; possessives ("China's") count as the name."""
    out = []
    matches = list(pattern.finditer(text))
    found_here = [p for p in people if p not in resolver.people]
    if found_here:  # officials found in this article: a small pattern of their own
        own = list(_trie_pattern(found_here).finditer(text))
        merged = sorted(own + matches, key=lambda m: (m.start(), -(m.end() - m.start())))
        matches = []
        for m in merged:  # leftmost, then longest: "the Bush administration" over "Bush"
            if not matches or m.start() >= matches[-1].end():
                matches.append(m)
    for m in matches:
        word = m.group()
        if word in people:
            out.append(Mention(m.start(), m.end(), word, people[word].actor, "person"))
        elif word in resolver.names:
            if word == "US" and _shouting(text, m.start()):
                continue
            if word in SEATS and resolver.how[word] == "gazetteer" and _venue(text, m.start()):
                continue
            out.append(Mention(m.start(), m.end(), word, resolver.names[word], resolver.how[word]))
        elif word in NOT_ACTORS:
            continue
        elif word in resolver.ambiguous:
            out.append(
                Mention(m.start(), m.end(), word, None, "ambiguous", resolver.ambiguous[word])
            )
    out.extend(_administrations(text, resolver, out))
    out.sort(key=lambda m: m.start)
    return out


_VENUE = re.compile(
    r"(?:\b(?i:in|at|inside|outside|near|around)\s+(?:the\s+)?"
    r"(?:[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?(?:\s+and\s+|,\s+))?)$"
)


def _venue(text: str, at: int) -> bool:
    """Whether the seat of government at ``at`` names a place ("in Beijing", "in Seoul and
    Tokyo"), not the government."""
    return _VENUE.search(text[max(0, at - 40) : at]) is not None


#: "the Bush administration", "the new John Kerry administration": a US government by the name
#: of its president (news write "administration" for no other state's government).
_ADMINISTRATION = re.compile(
    r"\b(?:the\s+)?(?:new\s+|next\s+|incoming\s+|former\s+)?"
    r"[A-Z][a-z]+(?:\s[A-Z][a-z]+)?\s+administration\b"
)


def _administrations(text: str, resolver: Resolver, found: Sequence[Mention]) -> list[Mention]:
    usa = resolver.names.get("United States")
    if usa is None:
        return []
    out = []
    for m in _ADMINISTRATION.finditer(text):
        if any(x.start < m.end() and m.start() < x.end for x in found):
            continue
        out.append(Mention(m.start(), m.end(), m.group(), usa, "gazetteer"))
    return out


def _shouting(text: str, at: int) -> bool:
    """Whether "US" stands in an all-capitals line (a headline's "LET US"), not for the state."""
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    letters = [c for c in line if c.isalpha()]
    return len(letters) > 12 and sum(c.isupper() for c in letters) > 0.8 * len(letters)
