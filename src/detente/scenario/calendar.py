"""The round calendar: which date each round of a dynamic model falls on, and which round a date
falls in.

A scenario may date its rounds in one of two ways (``docs/reference/scenario-format.md``):

* ``round_days: D`` (with ``as_of``): round t falls on ``as_of + floor(t * D)`` days, so round 0
  is ``as_of`` and 30-day rounds from 2004-05-10 fall on 2004-06-09, 2004-07-09, ...;
* ``round_dates: [d1, d2, ...]``: round t falls on ``d_t`` (round 0 on ``as_of``, if given);
  rounds past the list have no date.

A dated timeline event happens at the first round on or after its date (round 1 at the
earliest): the round is the first whose moves the event can change. A date is "by" a round
when the round's date is on or before it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Calendar"]


@dataclass(frozen=True)
class Calendar:
    """Round dates from ``as_of`` and either ``round_days`` or ``round_dates`` (or neither)."""

    as_of: dt.date | None = None
    round_days: float | None = None
    round_dates: Sequence[dt.date] = ()

    @property
    def dated(self) -> bool:
        """Whether rounds carry dates (else they are numbered only)."""
        return (self.round_days is not None and self.as_of is not None) or bool(self.round_dates)

    def date(self, t: int) -> dt.date | None:
        """The date of round ``t`` (round 0: ``as_of``), or None when it has none (past the
        list of dates, or after 9999-12-31)."""
        if self.round_days is not None:
            if self.as_of is None:
                return None
            days = self._days(t)
            if days > (dt.date.max - self.as_of).days:
                return None  # past the last date a calendar has (9999-12-31)
            return self.as_of + dt.timedelta(days=days)
        if t == 0:
            return self.as_of if self.round_dates else None
        if 1 <= t <= len(self.round_dates):
            return self.round_dates[t - 1]
        return None

    def round_at(self, day: dt.date) -> int | None:
        """The round a timeline event dated ``day`` happens at: the first round on or after it
        (at least 1); None when no round of the calendar is that late (a list of dates that
        ends before it)."""
        if self.round_days is not None:
            if self.as_of is None:
                raise ValueError("rounds of a given length need the scenario's as_of date")
            delta = (day - self.as_of).days
            if delta <= 0:
                return 1
            t = max(1, math.ceil(delta / self.round_days))
            while t > 1 and self._days(t - 1) >= delta:  # guard the float division's edges
                t -= 1
            while self._days(t) < delta:
                t += 1
            return t
        for t, when in enumerate(self.round_dates, start=1):
            if when >= day:
                return t
        return None

    def last_round_by(self, day: dt.date) -> int | None:
        """The last round whose date is on or before ``day`` (0: only the inputs, dated
        ``as_of``); None when even round 0 is later, or has no date."""
        if self.round_days is not None:
            if self.as_of is None:
                return None
            delta = (day - self.as_of).days
            if delta < 0:
                return None
            t = math.floor(delta / self.round_days)
            while self._days(t + 1) <= delta:
                t += 1
            while t > 0 and self._days(t) > delta:
                t -= 1
            return t
        found = [t for t, when in enumerate(self.round_dates, start=1) if when <= day]
        if found:
            return found[-1]
        if self.as_of is not None and self.as_of <= day:
            return 0
        return None

    def _days(self, t: int) -> int:
        """floor(t x round_days), the product rounded to 1e-9 day first: in floats 100 x 4.35 is
        434.99999999999994, and round 100 falls 435 days on."""
        assert self.round_days is not None
        return math.floor(round(t * self.round_days, 9))
