"""Actor mentions: every name of a state, an organisation or an official in the text, mapped to
one actor, or reported as ambiguous.

Names come from the scenario (its actors' names and aliases, when one is given) and from the
bundled :mod:`~detente.evidence.gazetteer`. Officials are found through title patterns, a title
before the name ("Russian Minister of Foreign Affairs Sergey Lavrov") or an appositive after it
("Glyn Davies, the U.S. Special Representative for North Korea Policy,"): the actor is the
state or organisation the title names; so does a title that names its actor, a comma and the
name ("South Sudan's Minister for Cabinet Affairs, Deng Alor,") and an affiliation ("Ricardo
Tellez, negotiating for FARC,", "Jyrki Katainen of the European Commission"). A title that
names none ("Foreign Ministry Spokesperson Qin Gang") takes an actor only from a strong cue
(the actor named before it in its sentence, or the subject that opens the paragraph before),
and says so (``how="context"``); else the person is left untied, a speaker with no actor.
A person named without a title, or with a title that names no state, who is the nearest name to
a role that names a state but no holder ("Iran's foreign minister said … Mohammad Javad Zarif
spoke", "Kerry told reporters … the top US diplomat said") is that state's official
(``how="role"``); "COP28 President Sultan Al Jaber" is the presidency's host state. Once an
official is known, later mentions of the surname ("Mr. Davies", "Al Jaber") count for the same
actor.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from detente.evidence.gazetteer import AMBIGUOUS, GAZETTEER, LEADERS, NOT_ACTORS, SEATS

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
    how: str  # "title", "alias", "context" or "role" (named near a role: "Iran's foreign minister")
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
        "sea",
        "fleet",
        "army",
        "navy",
        "forces",
        "guard",
        "corps",
        "airlines",
        "media",
        "times",
        "post",
        "daily",
        "university",
        "institute",
        "centre",
        "center",
        "programme",
        "program",
        "plan",
        "deal",
        "accord",
        "agreement",
        "treaty",
        "summit",
        "talks",
        "war",
        "crisis",
        "group",
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

#: Capital and small letters of names, beyond ASCII ("António", "Çavuşoğlu", "Şahin").
UP = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽȘȚ"
LOW = "a-zß-öø-ÿā-žș-ț"
_WORD = (
    rf"(?:[{UP}][{LOW}]+(?:[{UP}][{LOW}]+)?(?:-[A-Za-z{UP}][{LOW}]+)?|[{UP}]\.|al-[{UP}][{LOW}]+)"
)
_NAME = _WORD + r"(?:\s(?:" + _WORD + r"|(?:de|van|von|bin|der|den|la|du)\b)){1,4}"
_TITLE_WORDS = (
    r"(?:Prime\sMinister|Deputy\sPrime\sMinister|Foreign\sMinister|Foreign\sSecretary|"
    r"Minister(?:\s(?:of|for)\s(?:the\s)?(?:[A-Z][a-z]+)(?:\s(?:and\s)?[A-Z][a-z]+){0,3})?|"
    r"Secretary(?:\sof\sState|\sGeneral|-General)?|Spokes(?:person|man|woman)|Ambassador|Envoy|"
    r"Representative|Negotiator|President|Vice\sPresident|Chancellor|Premier|Commissioner|"
    r"Chief\sNegotiator|Chief|Leader|Director(?:\sGeneral|-General)?|Diplomat|Delegate|"
    r"Special\sEnvoy|Minister-President|Taoiseach|Senator|Governor|General|King|Queen|Emir|"
    r"Crown\sPrince|Supreme\sLeader|Ayatollah|Chairman|Chairwoman|Chair|Head|Official|Adviser|"
    r"Advisor|Counsellor|Counselor|Deputy|Counterpart)"
)
#: A title before the name: "[Nation] [qualifiers] TITLE [of ...] Name Surname".
_TITLE_BEFORE = re.compile(
    r"(?<![\w'’.-])(?P<title>(?:(?:[A-Z][\w.'’-]*|of|the|for|and|to|'s|’s)\s){0,10}?"
    + r"(?i:"
    + _TITLE_WORDS
    + r")"
    + r"(?:\s(?:of|for|to)\s(?:the\s)?[A-Z][\w.'’-]*(?:\s(?:of\s)?[A-Z][\w.'’-]*){0,4})?)"
    + r"\s(?P<name>"
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


#: A title that names its actor, a comma, then the holder's name: "South Sudan's Minister for
#: Cabinet Affairs, Deng Alor,", "the Vice-President of the European Commission, Jyrki
#: Katainen,", "the Brazilian Foreign Minister, Aloysio Nunes,". Only a title that names an
#: actor counts (no guess from the context).
_TITLE_COMMA = re.compile(
    r"(?<![\w'’.-])(?P<title>(?:(?:[A-Z][\w.'’-]*|of|the|for|and|'s|’s)\s){0,6}?"
    r"(?:[A-Z][a-z]+-)?(?i:" + _TITLE_WORDS + r"|chief\snegotiator|foreign\sminister|"
    r"negotiator|envoy|spokes(?:man|woman|person)|minister)"
    r"(?:\s(?:of|for|to)\s(?:the\s)?[A-Z][\w.'’-]*(?:\s(?:of\s|and\s)?[A-Z][\w.'’-]*){0,4})?)"
    r",\s(?P<name>" + _NAME + r")(?=,|\s(?:said|told|says|added|stated))"
)
#: The comma before a name that a title may lead up to: where ``_TITLE_COMMA`` is tried.
_COMMA_NAME = re.compile(r",\s(?=" + _NAME + r"(?:,|\s(?:said|told|says|added|stated)))")


def _title_commas(text: str) -> list[re.Match[str]]:
    """Matches of ``_TITLE_COMMA``, tried only in the 200 characters before each comma that
    is followed by a name (the pattern is costly to try at every position)."""
    out: list[re.Match[str]] = []
    for comma in _COMMA_NAME.finditer(text):
        for m in _TITLE_COMMA.finditer(text, max(0, comma.start() - 200), comma.end() + 120):
            if m.start("name") == comma.end() and (not out or out[-1].start() != m.start()):
                out.append(m)
                break
    return out


#: A person tied to an organisation or state by a phrase, not a title: "Ricardo Tellez,
#: negotiating for FARC,", "X, a spokesman for the Sudanese army,", "X of the European
#: Commission said", "X, who leads the Taliban's political office,".
_AFFILIATED = re.compile(
    r"(?<![\w'’.-])(?P<name>" + _NAME + r")(?P<how>,\s(?:(?:negotiating|speaking|acting)\s"
    r"(?:for|on\sbehalf\sof)|an?\s(?:[a-z-]+\s){0,2}?(?:spokes(?:man|woman|person)|"
    r"negotiator|official|envoy|representative|member|adviser|advisor|aide)\s(?:for|of|to|at|"
    r"with)|who\s(?:leads|led|heads|headed|represents|represented)|a\sleader\sof)\s"
    r"(?:the\s)?|\s(?:of|from)\s(?:the\s)?)(?P<actor>[A-Z][\w.'’-]*(?:\s[A-Z][\w.'’-]*){0,3})"
)


#: A title and a surname alone ("Prime Minister Rutte", "Chancellor Merkel", "Mr. Davies" is
#: not a title): the name is one capitalised word followed by no other.
_TITLE_SURNAME = re.compile(
    r"(?<![\w'’.-])(?P<title>(?:(?:[A-Z][\w.'’-]*|of|the|for|and)\s){0,4}?"
    r"(?:Prime\sMinister|President|Chancellor|Premier|Foreign\sMinister|Foreign\sSecretary|"
    r"Secretary\sof\sState|Ambassador|Envoy|Commissioner|Minister|Taoiseach))\s"
    rf"(?P<name>[{UP}][{LOW}]+(?:-[{UP}][{LOW}]+)?)(?![\w'’-]|\s[{UP}])"
)


#: The state that held each presidency of the UN climate conference (COP): "COP28 President
#: Sultan Al Jaber" speaks for the United Arab Emirates. A closed, historical list.
COP_HOSTS = {
    1: "DEU", 3: "JPN", 13: "IDN", 15: "DNK", 16: "MEX", 17: "ZAF", 18: "QAT", 19: "POL",
    20: "PER", 21: "FRA", 22: "MAR", 23: "FJI", 24: "POL", 25: "CHL", 26: "GBR", 27: "EGY",
    28: "ARE", 29: "AZE", 30: "BRA",
}  # fmt: skip
_COP_PRESIDENT = re.compile(
    r"(?P<title>\b(?i:cop)\s?-?(?P<cop>\d{1,2})\s(?i:president))(?:,)?\s(?:(?:Dr|Mr|Ms)\.?\s)?"
    r"(?P<name>" + _NAME + r")"
)


def find_people(
    text: str,
    paragraph_spans: Sequence[tuple[int, int]],
    resolver: Resolver,
    name_pattern: re.Pattern[str],
    sentence_spans: Sequence[tuple[int, int]] = (),
) -> dict[str, Person]:
    """Officials named with a title, by full name and by surname, with their actors."""
    if not sentence_spans:
        from detente.evidence._sentences import sentences

        sentence_spans = sentences(text)
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
    for m in _title_commas(text):
        actor_id = _actor_in(m.group("title"), 0, resolver, name_pattern)
        name = _trim_name(m.group("name"), resolver)
        if actor_id is not None and name and name not in people:
            title = " ".join(m.group("title").split())
            people[name] = Person(name, actor_id, title, "title", m.start("name"))
    for m in _AFFILIATED.finditer(text):
        words = re.sub(r"(?:['’]s|['’])(?=\s|$)", "", m.group("actor").rstrip(".")).split()
        actor_id = next(  # the longest name the words open: "European Commission said"
            (
                resolver.names[" ".join(words[:k])]
                for k in range(len(words), 0, -1)
                if " ".join(words[:k]) in resolver.names
            ),
            None,
        )
        name = _trim_name(m.group("name"), resolver)
        if actor_id is not None and name and name not in people:
            title = " ".join(m.group("how").split())
            people[name] = Person(name, actor_id, title, "title", m.start("name"))
    for m in _COP_PRESIDENT.finditer(text):
        host = COP_HOSTS.get(int(m.group("cop")))
        name = _trim_name(m.group("name"), resolver)
        if host is not None and name and host in resolver.labels:
            people.setdefault(
                name,
                Person(name, host, " ".join(m.group("title").split()), "title", m.start("name")),
            )
    for m in _TITLE_SURNAME.finditer(text):
        if m.group("name") not in resolver.names:
            found.append(
                (m.start("name"), m.group("name"), m.group("title"), m.start("title"), True)
            )
    found.sort()
    untied: list[tuple[int, str]] = []
    for start, found_name, title, title_start, one_word in found:
        name = _trim_name(found_name, resolver, one_word=one_word)
        if not name or name in resolver.names or (name in people and people[name].how != "context"):
            continue
        how = "title"
        actor_id = _actor_in(title, title_start, resolver, name_pattern)
        if actor_id is None:
            actor_id = _actor_of_context(
                text,
                start,
                title,
                title_start,
                paragraph_spans,
                sentence_spans,
                resolver,
                name_pattern,
            )
            how = "context"
        if actor_id is None:
            untied.append((start, name))  # a role may still tie it: "… Dutch Prime Minister said"
            continue
        people[name] = Person(name, actor_id, " ".join(title.split()), how, start)
    _possessed(text, resolver, people)
    _corefer(text, paragraph_spans, resolver, name_pattern, people, untied)
    surnames: dict[str, set[str]] = {}
    for person in list(people.values()):
        parts = person.name.split()
        if len(parts) >= 2:
            surnames.setdefault(parts[-1], set()).add(person.actor)
        if len(parts) >= 3 and parts[-2].lower() in _PARTICLES:  # "Al Jaber" of Sultan Al Jaber
            surnames.setdefault(" ".join(parts[-2:]), set()).add(person.actor)
    for surname, actors in surnames.items():
        if len(actors) == 1 and surname not in people and surname not in resolver.names:
            full = next(p for p in people.values() if p.name.endswith(" " + surname))
            people[surname] = full  # "Mr. Davies" is Glyn Davies
    return people


#: A possessive and what follows it up to a name: "the Marshall Islands' Tina Stege", "Boris
#: Johnson's Europe adviser David Frost", "Putin's spokesman Dmitry Peskov".
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)\s")
_POSSESSIVE_AFTER_NAME = re.compile(r"(?<=[\w.])(?:'s|’s|'|’)\s")
_BEFORE_WORDS = re.compile(r"(?:[\w.-]+\s){0,3}[\w.-]+$")


def _possessed(text: str, resolver: Resolver, people: dict[str, Person]) -> None:
    """A person named after a state's, an organisation's, an official's or a leader's
    possessive, with at most three words between ("the Marshall Islands' Tina Stege", "the
    European Union's Michel Barnier", "Boris Johnson's Europe adviser David Frost"), speaks
    for that actor, unless a title of their own says otherwise."""
    owners: list[tuple[int, int, str]] = []
    for mark in _POSSESSIVE_AFTER_NAME.finditer(text):
        end = mark.start()
        words = _BEFORE_WORDS.search(text, max(0, end - 60), end)
        if words is None:
            continue
        actor = None
        for n in re.finditer(r"(?<!\S)(?=\S)", words.group()):  # the longest name first
            candidate = words.group()[n.start() :]
            actor = (
                resolver.names.get(candidate)
                or (people[candidate].actor if candidate in people else None)
                or LEADERS.get(candidate)
            )
            if actor is not None and actor in resolver.labels:
                owners.append((words.start() + n.start(), end, actor))
                break
    for start, end, actor in owners:
        after = _POSSESSIVE.match(text, end)
        assert after is not None
        for skip in range(4):
            m = _OWNED[skip].match(text, after.end())
            if m is None:
                continue
            between = m.group("between").split()
            if any(w[:1].isupper() and _looks_like_name_word(w, resolver) for w in between):
                break  # a name between: "Iran's Mohammad Zarif and ..." is not skipped over
            name = _trim_name(m.group("name"), resolver)
            if any(_TITLE_WORD.fullmatch(w) for w in name.split()):
                break  # "Norway's Special Envoy for Sudan" is a role, not a person's name
            if name and m.group("name").startswith(name):
                if name not in people or people[name].how in ("context", "role"):
                    title = " ".join(text[start : m.start("name")].split())
                    people[name] = Person(name, actor, title, "title", m.start("name"))
                break


def _looks_like_name_word(word: str, resolver: Resolver) -> bool:
    return (
        word not in resolver.names
        and _TITLE_WORD.fullmatch(word) is None
        and word.lower() not in _NOT_PERSON
        and word not in ("Europe", "Brexit", "EU", "UN")
    )


_OWNED = [
    re.compile(r"(?P<between>(?:[\w.-]+\s){" + str(k) + r"})(?P<name>" + _NAME + r")(?![\w'’-])")
    for k in range(4)
]


# --- people named without a title: coreference with a role ---------------------------------------

#: Verbs after which a capitalised name is someone speaking or acting ("Zarif told", "James
#: Shaw called the draft ...", "Mr Barnier said:").
_ACTS = (
    r"(?:also\s|has\s|had\s|then\s|later\s|again\s)?(?:said|says|told|tells|added|adds|stated|"
    r"declared|warned|warns|insisted|insists|argued|noted|stressed|underscored|emphasi[sz]ed|"
    r"assured|spoke|speaks|wrote|writes|tweeted|reiterated|repeated|called|urged|replied|"
    r"responded|explained|admitted|acknowledged|denied|confirmed|announced|cautioned|"
    r"conceded|countered|remarked|pledged|vowed|put\sit)\b"
)
_NAME_WORD = rf"[{UP}][{LOW}][\w'’-]*"
_UNTITLED = re.compile(
    r"(?<![\w'’.-])(?P<name>(?:(?:Mr|Mrs|Ms|Dr)\.?\s)?"
    + _NAME_WORD
    + r"(?:\s(?:"
    + _NAME_WORD
    + r"|[Aa]l|[Ee]l|de|van|von|bin|Al-\w+)){0,3})"
    r"(?=(?:,[^,.;\"“”]{1,100},)?\s+" + _ACTS + r")"
    r"|\b(?:said|says|told|added)\s(?P<late>(?:(?:Mr|Mrs|Ms|Dr)\.?\s)?"
    + _NAME_WORD
    + r"(?:\s"
    + _NAME_WORD
    + r"){0,2})(?=[,.;]|\s(?:on|in|at|after|before|during)\b)"
)
#: Capitalised words that open sentences or name no one.
_NOT_NAMES = frozenset(
    {
        "The",
        "A",
        "An",
        "But",
        "And",
        "Or",
        "So",
        "Yet",
        "He",
        "She",
        "It",
        "They",
        "We",
        "I",
        "You",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "Here",
        "In",
        "On",
        "At",
        "After",
        "Before",
        "As",
        "When",
        "While",
        "If",
        "Speaking",
        "Asked",
        "Meanwhile",
        "However",
        "Earlier",
        "Later",
        "Today",
        "Tonight",
        "Yesterday",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Sources",
        "Officials",
        "Diplomats",
        "Leaders",
        "Negotiators",
        "Delegates",
        "Reuters",
        "AFP",
        "AP",
        "Twitter",
        "Who",
        "What",
        "Both",
        "Neither",
    }
)
#: A role that names its state but not its holder: "Iran's foreign minister", "the top US
#: diplomat", "Dutch Prime Minister said", "New Zealand's climate minister".
_ROLE = re.compile(
    r"(?:['’]s)?\s+(?:[a-z-]+\s+|[A-Z][a-z]+\s+(?=[A-Z]?[a-z]*\s*(?i:minister|secretary|envoy)\b)){0,3}?"
    r"(?P<role>(?i:prime\sminister|foreign\sminister|foreign\ssecretary|minister|diplomat|envoy|"
    r"negotiator|president|chancellor|premier|leader|spokes(?:man|woman|person)|ambassador|"
    r"secretary\sof\sstate|commissioner|foreign\spolicy\schief))\b"
)
#: Two or three capitalised words, perhaps with a particle: a person's name ("Tony de Brum").
_PERSON_LIKE = re.compile(
    r"(?<![\w'’.-])"
    + _NAME_WORD
    + r"(?:\s(?:(?:de|van|von|bin|al|el|Al|El)\s)?"
    + _NAME_WORD
    + r"){1,2}(?![\w'’-])"
)
_PARTICLES = frozenset({"al", "el", "de", "van", "von", "bin", "le", "la", "da", "di", "del"})


#: What follows a role that a named person holds: "Minister of Foreign Affairs Sergey Lavrov".
_HELD = re.compile(
    r"(?:\s(?:of|for)\s(?:the\s)?[A-Z][\w'’-]*(?:\s(?:and\s)?[A-Z][\w'’-]*){0,4})?\s"
    r"(?:" + _NAME_WORD + r"|[A-Z]\.)"
)
_TITLE_WORD = re.compile(_TITLE_WORDS, re.I)


def role_after(text: str, end: int, places: Iterable[str] = ()) -> bool:
    """Whether the actor's name ending at ``end`` opens a role that names no holder ("Iran's
    foreign minister said", "the top US diplomat"). A name in ``places`` (the actors' names)
    after the role is its portfolio, not its holder ("Norway's Special Envoy for Sudan and
    South Sudan said")."""
    role = _ROLE.match(text, end)
    if role is None:
        return False
    held = _HELD.match(text, role.end())
    if held is None:
        return True
    last = re.search(r"[\w'’.-]+$", held.group())
    return last is not None and last.group() in places


def _person_words_ok(words: Sequence[str], resolver: Resolver) -> bool:
    return bool(words) and not any(
        w in resolver.names
        or w in resolver.ambiguous
        or w.lower() in _NOT_PERSON
        or w in STOP_NAMES
        or w in _NOT_NAMES
        or w.rstrip(".") in ("Mr", "Mrs", "Ms", "Dr")
        or _TITLE_WORD.fullmatch(w) is not None
        for w in words
    )


def _untitled_names(text: str, resolver: Resolver) -> list[tuple[int, str]]:
    """``(start, name)`` of each capitalised name that speaks or acts ("Zarif told", "said
    Mr Barnier"), honorific removed."""
    out = []
    for m in _UNTITLED.finditer(text):
        group = "name" if m.group("name") else "late"
        raw = m.group(group)
        at = m.start(group)
        honorific = re.match(r"(?:Mr|Mrs|Ms|Dr)\.?\s", raw)
        if honorific is not None:
            at += honorific.end()
            raw = raw[honorific.end() :]
        words = raw.split()
        while words and not _person_words_ok(words, resolver):
            at += len(words[0]) + 1
            words = words[1:]
        if len(words) == 1 and len(words[0]) < 3:
            continue
        if words:
            out.append((at, " ".join(words)))
    return out


#: The head word of a role, found first (cheap) before the actor's name is looked for before it.
_ROLE_WORD = re.compile(
    r"\b(?i:minister|diplomat|envoy|negotiator|president|chancellor|premier|leader|"
    r"spokes(?:man|woman|person)|ambassador|secretary|commissioner|chief)\b"
)


def _roles(
    text: str, resolver: Resolver, name_pattern: re.Pattern[str]
) -> list[tuple[int, int, str, str]]:
    """``(start, end, actor, role)`` of each role that names a state but no holder."""
    out = []
    for word in _ROLE_WORD.finditer(text):
        window = max(0, word.start() - 60)
        for m in name_pattern.finditer(text, window, word.start()):
            actor = resolver.names.get(m.group())
            if actor is None:
                continue
            role = _ROLE.match(text, m.end())
            if role is None or role.end() != word.end():
                continue
            if role_after(text, m.end(), resolver.names):
                out.append((m.start(), role.end(), actor, role.group("role").lower()))
    return sorted(set(out))


def _corefer(
    text: str,
    paragraph_spans: Sequence[tuple[int, int]],
    resolver: Resolver,
    name_pattern: re.Pattern[str],
    people: dict[str, Person],
    untied: Sequence[tuple[int, str]] = (),
) -> None:
    """A person named with no title (or with a title naming no state) who is the nearest
    name to a role that names a state ("Iran's foreign minister said ... Mohammad Javad
    Zarif spoke", "Kerry told ... the top US diplomat said") is that state's official: within
    the role's paragraph or the next or previous one, with no other name between."""
    roles = _roles(text, resolver, name_pattern)
    if not roles:
        return
    names = _untitled_names(text, resolver) + list(untied)
    for m in _PERSON_LIKE.finditer(text):
        words = m.group().split()
        if _PLACE_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue  # "to Addis Ababa", "in New York": a place
        if _person_words_ok(words, resolver) and words[0] not in _PARTICLES:
            names.append((m.start(), m.group()))
    for person in people.values():
        at = text.find(person.name) if person.how != "alias" else -1
        while at >= 0:
            names.append((at, person.name))
            at = text.find(person.name, at + 1)
    titled = {p.name for p in people.values() if p.how in ("title", "alias")}
    names = sorted(
        (at, name)  # the surname of an official titled elsewhere is that official
        for at, name in set(names)
        if not any(full.endswith(" " + name) for full in titled)
    )
    if not names:
        return

    starts = [s for s, _ in paragraph_spans]

    def paragraph(at: int) -> int:
        return bisect.bisect_right(starts, at) - 1

    def apart(a: int, b: int) -> bool:
        """Whether an excerpt's gap ("[…]") lies between, or the role is the one the name
        speaks to or of ("Frost insisted the EU negotiator would", "Frost met the EU
        negotiator"): two people, not one."""
        between = text[a:b]
        return _GAP.search(between) is not None or _OTHER_PARTY.match(between) is not None

    bound: dict[str, tuple[int, str, str]] = {}
    for r_start, r_end, actor, role in roles:
        if _INDEFINITE_ROLE.search(text, max(0, r_start - 40), r_start):
            continue  # "a European Commission spokeswoman" is someone the text does not name
        here = paragraph(r_start)
        before = [
            (r_start - at - len(name), at, name) for at, name in names if at + len(name) <= r_start
        ]
        after = [(at - r_end, at, name) for at, name in names if at >= r_end]
        options = [min(side) for side in (before, after) if side]
        options = [
            o
            for o in options
            if abs(paragraph(o[1]) - here) <= 1
            and (o[2] not in people or people[o[2]].how in ("context", "role"))
            and not (
                apart(o[1] + len(o[2]), r_start)
                if o[1] < r_start
                else _GAP.search(text, r_end, o[1]) is not None
            )
        ]
        if not options:
            continue  # the nearest names hold titles of their own
        distance, _, name = min(options)
        if name not in bound or bound[name][0] > distance:
            bound[name] = (distance, actor, role)
    for name, (_, actor, role) in bound.items():
        start = text.find(name)
        people[name] = Person(name, actor, role, "role", max(start, 0))


#: What before two capitalised words makes them a place: "to Addis Ababa", "in New York".
_PLACE_BEFORE = re.compile(r"\b(?:in|at|to|from|near|into)\s+$")
#: Where an excerpt leaves words out.
_GAP = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]")
_OTHER_PARTY = re.compile(
    r"\s+(?:[a-z]+\s+){0,2}?(?:insisted|insists|said|says|told|warned|warns|urged|urges|asked|"
    r"believes|believed|thinks|thought|hopes|hoped|argued|claimed|met|meets|called|phoned|"
    r"criticised|criticized|accused|thanked|praised|spoke\s+(?:to|with))\s+(?:that\s+|with\s+)?"
    r"(?:the\s+|his\s+|her\s+)?$"
)
#: "a"/"an" just before a role (and the actor's name that qualifies it): someone unnamed.
_INDEFINITE_ROLE = re.compile(r"\b(?i:an?|one)\s+(?:[\w.'’-]+\s+){0,2}$")


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
        or w in _NOT_NAMES
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
    title: str,
    title_start: int,
    paragraph_spans: Sequence[tuple[int, int]],
    sentence_spans: Sequence[tuple[int, int]],
    resolver: Resolver,
    name_pattern: re.Pattern[str],
) -> str | None:
    """The actor a title that names none stands for, from strong cues only: the actor named
    last before it in its sentence, outside quotes ("the Qatari Ministry of Foreign Affairs
    announced that Prime Minister …", "EU top diplomat Josep Borrell"), else the actor that
    opens the paragraph before as its subject ("China, meanwhile, echoed …" before "…,"
    Foreign Ministry Spokesperson Qin Gang said"). A name that qualifies someone else's role
    ("North Korean leader Kim Jong Un", "South Korea's president") is about that person and is
    passed over, and a title that belongs to something else ("the event's president", "the
    rebels' chief negotiator") takes no actor: the reader is left to judge."""
    if _OWNED_TITLE.search(title):
        return None
    sentence = next(((s, e) for s, e in sentence_spans if s <= title_start < e), None)
    if sentence is not None:
        s = sentence[0]
        here = [
            resolver.names[m.group()]
            for m in name_pattern.finditer(_outside_quotes(text[s:title_start]))
            if m.group() in resolver.names and not _qualifies_other(text, s + m.end(), title_start)
        ]
        if here:
            return here[-1]
    index = next((n for n, (s, e) in enumerate(paragraph_spans) if s <= at < e), None)
    if index is None or index == 0:
        return None
    if text[paragraph_spans[index][0] : title_start].strip(' "“”') and not _opens_sentence(
        text, paragraph_spans[index][0], title_start
    ):
        return None  # the paragraph before is context only for a name that opens its own
    lead = name_pattern.match(text, paragraph_spans[index - 1][0])
    if lead is not None and lead.group() in resolver.names:
        return resolver.names[lead.group()]
    return None


#: A possessive in a title that names no actor: the title belongs to someone else's.
_OWNED_TITLE = re.compile(r"\b[\w-]+(?:['’]s|s['’])(?=\s)")


def _qualifies_other(text: str, end: int, title_start: int) -> bool:
    """Whether the actor's name ending at ``end`` qualifies a role other than the title at
    ``title_start`` ("North Korean leader Kim Jong Un … President Trump")."""
    role = _ROLE.match(text, end)
    return role is not None and role.end() < title_start


def _opens_sentence(text: str, paragraph_start: int, title_start: int) -> bool:
    """Whether only a quotation (and its closing punctuation) stands before the title in its
    paragraph: '"…," Foreign Ministry Spokesperson Qin Gang said'."""
    before = _outside_quotes(text[paragraph_start:title_start])
    return not before.strip(" ,.;:\n")


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
            if re.match(r"\s+capital\b", text[m.end() : m.end() + 10]):
                continue  # "the Austrian capital" is a venue
            if _NOT_A_PARTY_AFTER.match(text, m.end()) or _NOT_A_PARTY_BEFORE.search(
                text, max(0, m.start() - 30), m.start()
            ):
                continue  # "NATO member Turkey", "Spanish newspaper", "the war in Ukraine"
            if word in _LONGER_NAME_TAILS and _inside_longer_name(text, m.start()):
                continue  # "Supreme National Security Council" is not the UN's
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


#: What follows a name that makes it a description, not a party: "NATO member Turkey" (the
#: organisation), "Spanish newspaper El Pais" (a named outlet; "official North Korean media"
#: speak for their state), "the Palestinian group" (a group, not the state).
_NOT_A_PARTY_AFTER = re.compile(
    r"\s+(?:(?:member|ally|allies|members)\s+(?:states?\s+|countries\s+)?[A-Z]|"
    r"(?:newspaper|daily|broadcaster|outlet|news\sagency|news\soutlet|television|"
    r"TV|magazine|website|weekly|tabloid|press\sagency)\s+[A-Z]|"
    r"(?:militant\s|armed\s|resistance\s)?(?:group|faction|militants|movement)\b)"
)
#: What before a name makes it a place: "the war in Ukraine", "the conflict in Sudan".
_NOT_A_PARTY_BEFORE = re.compile(
    r"\b(?:war|conflict|fighting|violence|bloodshed|hostilities)\s+(?:in|on)\s+$"
)
#: Names of bodies that also end longer names of other bodies: the UN's "Security Council" in
#: "Supreme National Security Council", "General Assembly" in "Kuwait's National Assembly".
_LONGER_NAME_TAILS = frozenset({"Security Council", "General Assembly"})


def _inside_longer_name(text: str, at: int) -> bool:
    """Whether a capitalised word other than "UN" ends right before ``at``."""
    before = re.search(r"([A-Z][\w.'’-]*)\s$", text[max(0, at - 30) : at])
    return before is not None and before.group(1) not in ("UN", "U.N.", "The")


_VENUE = re.compile(
    r"(?:\b(?:(?i:in|at|inside|outside|near|around)|(?:leave|leaves|leaving|left|visit|visits|"
    r"visited|visiting|arrived\sin|returned\sto|travell?ed\sto|flew\sto))\s+(?:the\s+)?"
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
