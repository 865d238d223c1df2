"""Capability sources for DEU III: who counts for how much when an issue is decided.

DEU III has no capability column; the backtest asks for one source and uses it for every model
in a comparison:

``equal``
    1 for every actor.
``gdp``
    The file's GDP row (trillions of US dollars; the Commission and the Parliament are given
    4.1 each, Germany's figure).
``council``
    Council voting weights under the treaty in force when the proposal was introduced:

    - before the Treaty of Nice took effect (1 February 2003): the weighted votes of the EU of 15,
      Article 205(2) of the EC Treaty as amended at Amsterdam (87 votes);
    - from 1 February 2003 to 31 October 2014: the Nice weighting, Protocol on the enlargement of
      the European Union (Treaty of Nice) Article 3 as amended by the Acts of Accession of 2003,
      2005 (Bulgaria 10, Romania 14) and 2012 (Croatia 7); 352 votes in the EU of 28;
    - from 1 November 2014 (Lisbon double majority, Article 16(4) TEU and Article 238(3) TFEU):
      each state's share of the Union's population, in per cent, from the Council's figures for
      2016 (Council Decision (EU, Euratom) 2015/2393 amending Annex III of its Rules of
      Procedure; EU population 508,940,955). One year's figures serve the whole period
      2014-2018: the shares moved by less than 0.2 points over it.

    The rule for the two institutions that do not vote in the Council: the Commission and the
    Parliament each weigh as much as the largest member state under the same rule (the rule
    the data set's GDP row follows). It is the same for both procedures, so that capability
    and procedure can be told apart in the breakdown.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from detente.backtest.deu3 import Deu3, Deu3Issue
from detente.errors import InputError

__all__ = [
    "AMSTERDAM_VOTES",
    "CAPABILITY_SOURCES",
    "LISBON_POPULATION_2016",
    "NICE_VOTES",
    "capabilities",
    "council_regime",
]

#: The capability sources a backtest accepts.
CAPABILITY_SOURCES: tuple[str, ...] = ("equal", "gdp", "council")

#: Council votes in the EU of 15 (Art. 205(2) TEC, Amsterdam): 87 in all.
AMSTERDAM_VOTES: dict[str, float] = {
    "de": 10, "fr": 10, "it": 10, "uk": 10, "es": 8, "be": 5, "el": 5, "nl": 5, "pt": 5,
    "at": 4, "se": 4, "dk": 3, "ie": 3, "fi": 3, "lu": 2,
}  # fmt: skip

#: Council votes under the Nice weighting, EU of 28 (Croatia from 2013): 352 in all.
NICE_VOTES: dict[str, float] = {
    "de": 29, "fr": 29, "it": 29, "uk": 29, "es": 27, "pl": 27, "ro": 14, "nl": 13,
    "be": 12, "cz": 12, "el": 12, "hu": 12, "pt": 12, "at": 10, "bu": 10, "se": 10,
    "dk": 7, "ie": 7, "lt": 7, "sk": 7, "fi": 7, "cr": 7,
    "cy": 4, "ee": 4, "lv": 4, "lu": 4, "si": 4, "mt": 3,
}  # fmt: skip

#: Per cent of the Union's population, Council figures for 2016 (Decision 2015/2393).
LISBON_POPULATION_2016: dict[str, float] = {
    "de": 15.93, "fr": 13.04, "uk": 12.73, "it": 12.07, "es": 9.12, "pl": 7.47, "ro": 3.90,
    "nl": 3.37, "be": 2.21, "el": 2.13, "cz": 2.05, "pt": 2.04, "hu": 1.94, "se": 1.92,
    "at": 1.69, "bu": 1.42, "dk": 1.11, "fi": 1.08, "sk": 1.06, "ie": 0.91, "cr": 0.83,
    "lt": 0.57, "si": 0.41, "lv": 0.39, "ee": 0.26, "cy": 0.17, "lu": 0.11, "mt": 0.08,
}  # fmt: skip

_NICE_FROM = dt.date(2003, 2, 1)
_LISBON_FROM = dt.date(2014, 11, 1)
_INSTITUTIONS = ("com", "ep")


def council_regime(introduced: dt.date) -> tuple[str, dict[str, float]]:
    """The Council voting rule in force on a date: its name and each state's weight."""
    if introduced < _NICE_FROM:
        return "amsterdam", AMSTERDAM_VOTES
    if introduced < _LISBON_FROM:
        return "nice", NICE_VOTES
    return "lisbon", LISBON_POPULATION_2016


def capabilities(issue: Deu3Issue, source: str, data: Deu3) -> np.ndarray:
    """Each taking-part actor's capability on ``issue``, in :attr:`Deu3Issue.actors` order.

    Raises
    ------
    InputError
        An unknown source, or an actor the source has no figure for (say, a member state
        with a position on a proposal introduced before it had a vote).

    Examples
    --------
    >>> from detente.backtest import load_deu3
    >>> data = load_deu3()
    >>> first = data.issues[0]
    >>> first.introduced, first.actors[:3], capabilities(first, "council", data)[:3]
    (datetime.date(2000, 1, 26), ('com', 'ep', 'at'), array([10., 10.,  4.]))
    """
    if source == "equal":
        return np.ones(len(issue.actors))
    if source == "gdp":
        table = data.gdp
        where = "the file's GDP row"
    elif source == "council":
        regime, votes = council_regime(issue.introduced)
        largest = max(votes.values())
        table = {**votes, **dict.fromkeys(_INSTITUTIONS, largest)}
        where = f"the {regime} Council weights"
    else:
        raise InputError(f"--capability is one of {', '.join(CAPABILITY_SOURCES)}, not '{source}'")
    missing = [a for a in issue.actors if a not in table]
    if missing:
        raise InputError(
            f"{data.path}:{issue.line}: issue {issue.code}: {where} have no figure for "
            f"{', '.join(missing)}"
        )
    return np.array([float(table[a]) for a in issue.actors])
