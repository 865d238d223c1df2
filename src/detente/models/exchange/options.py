"""Options of the exchange model: one per ambiguity of ``shared/reference/exchange/README.md`` §4.

The defaults are the choices of DECIDE (``foarsitter/decide-exchange-model`` at commit
``51dee66``), the open implementation the reference's golden vectors were produced with, so a
run with the defaults reproduces them. Each option's docstring names the ambiguity it settles
(X1-X19).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from detente.models.registry import ModelOptions

__all__ = ["ExchangeOptions"]


class ExchangeOptions(ModelOptions):
    """How the exchange model reads the ambiguities of the papers (defaults: DECIDE's choices).

    Attributes
    ----------
    rounds
        Rounds of exchange (X14): DECIDE runs a fixed number and has no convergence test; a
        run stops earlier only when a round executes no exchange (every later round would
        repeat it).
    forecast
        Which outcome is the forecast (X18): ``voting``, the capability x salience weighted
        mean of the voting positions after the round's exchanges (the papers' forecast,
        DECIDE's "Voting MDS"), or ``preference``, that of the positions the actors start the
        next round from (DECIDE's "Preference MDS" of the next round).
    side_test
        Which actors may exchange (X2): ``at-or-below`` (DECIDE: an actor exactly at the
        expected outcome counts as left of it) or ``strict`` (the papers: actors exactly at the
        outcome are on neither side and exchange on neither issue pair that contains it).
    min_gain
        An exchange whose equal gain is below this is not made (X3).
    outcome_cap
        Cut a supply shift so that the outcome stops at the demander's position (X6); without
        it the outcome may pass the demander and the linear gain overstates its utility.
    bookkeeping
        Which earlier shifts an exchange's outcome levels include when it checks the cap (X8):
        ``local`` (DECIDE: only shifts of exchanges that share one of its actor-issues) or
        ``global`` (every shift executed so far in the round).
    merge
        When one supplier moved twice towards the same demander on one issue, which voting
        position the demander's later exchanges see (X9): ``nearer-start`` (DECIDE: the one
        nearer the supplier's start, in effect the first) or ``latest``.
    ties
        Exchanges of equal gain (X10, gains compared rounded to ``tie_digits`` decimals):
        ``list-order`` (DECIDE with ``ALLOW_RANDOM = False``: the one earlier in its
        stable-sorted list goes first) or ``random`` (one of the tied exchanges drawn from
        ``rng``; DECIDE's coin flip without its duplicated list entry).
    tie_digits
        Decimals of the gain that decide a tie (X10); DECIDE compares exact decimals, and 10
        digits treat float rounding noise as the exact ties it stands for.
    fixed_weight, salience_weight
        The drift of preferences between rounds (X13): an actor-issue that supplied moves its
        position ``fixed_weight + salience_weight * (1 - salience)`` of the way to its voting
        position (DECIDE's 0.1 and 0.4); 0 and 0 keep preferences fixed.
    """

    rounds: int = Field(default=10, ge=0, le=10_000)
    forecast: Literal["voting", "preference"] = "voting"
    side_test: Literal["at-or-below", "strict"] = "at-or-below"
    min_gain: float = Field(default=1e-10, ge=0, allow_inf_nan=False)
    outcome_cap: bool = True
    bookkeeping: Literal["local", "global"] = "local"
    merge: Literal["nearer-start", "latest"] = "nearer-start"
    ties: Literal["list-order", "random"] = "list-order"
    tie_digits: int | None = Field(default=10, ge=0, le=15)
    fixed_weight: float = Field(default=0.1, ge=0, le=1, allow_inf_nan=False)
    salience_weight: float = Field(default=0.4, ge=0, le=1, allow_inf_nan=False)

    @model_validator(mode="after")
    def _drift_stops_at_the_voting_position(self) -> ExchangeOptions:
        drift = self.fixed_weight + self.salience_weight
        if drift > 1:
            raise ValueError(
                "fixed_weight + salience_weight must be at most 1 (the drift would carry a "
                f"position past its voting position), not {drift:g}"
            )
        return self
