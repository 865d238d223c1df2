"""Options of the expected utility model: one per ambiguity A1-A15, and the named presets.

The printed model (Scholz, Calbert & Smith 2011) leaves fifteen choices open; every replication
made them differently (``shared/reference/eum-spec.md`` §1.13). Each choice is an option here,
named after what it decides, and a preset fixes all of them to one published reading. A user
starts from a preset and overrides single options::

    EumOptions(preset="scholz-code", Q=0.5)
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from detente.models.registry import ModelOptions

__all__ = ["DEFAULT_PRESET", "PRESETS", "EumOptions"]

PresetName = Literal["scholz-code", "paper-literal", "net-vote"]

#: Every preset sets every reading option; only the stopping options fall back to the defaults.
PRESETS: dict[str, dict[str, Any]] = {
    # Scholz's own program as recovered by McKibben-Sanders: reproduces Scholz et al.'s Table 2.
    "scholz-code": {
        "resist_salience": "target",  # A1
        "p_numerator": "positive",  # A2
        "p_denominator": "global",  # A2: the sum over every ordered pair of actors
        "p_voters": "all",  # A2: i and j vote too
        "perception": "perceiver",  # A3: i evaluates j's challenge with i's own exponent
        "risk_in_votes": True,  # A4
        "security_set": "actors",  # A5
        "security_measure": "eu",  # A5
        "Q": 1.0,  # A6
        "T": "nearer",  # A7 (no effect at Q = 1)
        "mu": "median",  # A8
        "no_challenge_distance": "challenger",  # A9
        "range": "initial",  # A10
        "conflict": "deterministic",  # A11
        "compromise": "ratio",  # A12
        "capitulation": False,  # A13: the coded test never fires
        "offer_choice": "scholz-code",  # A14
        "views": "mover",  # A15
        "reneging": False,  # A14 (M16's reneging rule)
    },
    # The equations as printed (eq. 31 P, linear votes, owner's exponent, least-move selection).
    "paper-literal": {
        "resist_salience": "target",
        "p_numerator": "positive",
        "p_denominator": "pair",
        "p_voters": "all",
        "perception": "owner",
        "risk_in_votes": False,
        "security_set": "actors",
        "security_measure": "eu",
        "Q": 1.0,
        "T": "nearer",
        "mu": "median",
        "no_challenge_distance": "challenger",
        "range": "initial",
        "conflict": "deterministic",
        "compromise": "ratio",
        "capitulation": True,
        "offer_choice": "priority",
        "views": "both",
        "reneging": False,
    },
    # Masad (2013): the net vote clipped at zero, Q = T = 1, each owner's exponent, receiver-only.
    "net-vote": {
        "resist_salience": "target",
        "p_numerator": "net",
        "p_denominator": "pair",
        "p_voters": "all",
        "perception": "owner",
        "risk_in_votes": False,
        "security_set": "actors",
        "security_measure": "eu",
        "Q": 1.0,
        "T": 1.0,
        "mu": "median-then-mean",
        "no_challenge_distance": "challenger",
        "range": "initial",
        "conflict": "deterministic",
        "compromise": "ratio",
        "capitulation": True,
        "offer_choice": "highest-eu",
        "views": "mover",
        "reneging": False,
    },
}

#: The preset used when none is named; ``docs/explanation/eum.md`` says why.
DEFAULT_PRESET: PresetName = "paper-literal"
_D = PRESETS[DEFAULT_PRESET]  # field defaults; the named preset's values replace them


class EumOptions(ModelOptions):
    """Every choice the expected utility model leaves open, with the preset it started from.

    Attributes
    ----------
    preset
        The published reading the other options default to.
    resist_salience
        A1. Whose salience is the probability of resistance in ``E^j(U_ji)``, the rival's EU
        an actor weighs against its own when it classifies a dyad: ``target`` (i's, the mirror
        of eq. 6) or ``challenger`` (j's own; Tait's slip). An actor's own EU and the security
        pass always use the target's salience.
    p_numerator, p_denominator, p_voters
        A2. Eq. 31's numerator sums the votes of actors closer to i (``positive``) or clips the
        net vote at zero (``net``, Masad 2013); its denominator is the pair's total vote
        (``pair``, eq. 31) or the sum over every ordered pair of actors (``global``, Scholz's
        code). The voters are everyone (``all``, eq. 31 and Scholz), everyone but the
        challenger (``exclude-challenger``, Masad's scratchpad) or everyone but the pair
        (``exclude-pair``, some third-party codes); exclusions apply to the pair denominator.
    perception
        A3. Whose risk exponent goes into j's expected utility of challenging i as i sees it:
        ``owner`` (r_j, eq. 25b) or ``perceiver`` (r_i, Scholz's code).
    risk_in_votes
        A4. Votes in P use each voter's risk exponent (Scholz's code) or are linear.
    security_set, security_measure
        A5. Security is measured against the other actors (``actors``) or against the positions
        the actor could hold (``own-positions``, BDM's intent, Masad's R1), as the sum of the
        challengers' expected utilities (``eu``) or of their probabilities of winning
        (``probability``).
    Q
        A6. Probability that the status quo persists when i does not challenge j.
    T
        A7. Probability that j's uncoerced move helps i: ``nearer`` (1 when the median is nearer
        to i than j is, 0 otherwise: Tait's and Preana's rule, which agrees with Scholz's four
        geometric cases except at exact ties) or a constant in [0, 1].
    mu
        A8. The position j drifts to when unchallenged: ``median`` (Condorcet winner, computed
        once per round), ``mean`` (capability x salience weighted mean), ``max-margin`` (first
        position of the pair with the largest vote margin; Masad) or ``median-then-mean``
        (median in pass 1, mean in pass 2; Masad 2013).
    no_challenge_distance
        A9. Distance term in U_b and U_w: ``challenger`` (``|x_i - mu| + |x_i - x_j|``, eqs.
        22-23) or ``both-to-median`` (``|x_i - mu| + |x_j - mu|``; Masad 2016).
    range
        A10. ``initial`` (span of the first round's positions, fixed), ``current`` (span of
        each round's positions) or ``scale`` (the issue's min to max).
    conflict
        A11. A lost confrontation moves the lower-EU actor fully (``deterministic``), or the
        confrontation is won with probability P (``stochastic``; Masad 2016).
    compromise
        A12. Size of a compromise: ``ratio`` (distance times |weaker EU / stronger EU|, eqs.
        35-36) or ``weighted-average`` (the |EU|-weighted average of the two positions; Tait).
    capitulation
        A13. Whether capitulation moves an actor (Scholz's code never does).
    offer_choice
        A14. How an actor picks among its offers: ``scholz-code`` (confrontations by least move,
        else compromises by the smallest |EU|-weighted average point, else capitulations),
        ``priority`` (confrontation, then compromise, then capitulation; least move within),
        ``least-move`` (least move first, then highest EU) or ``highest-eu`` (highest EU of the
        other side, then least move).
    views
        A15. Offers come from the mover's own view of each dyad (``mover``), or also from the
        other side's view, which can compel it (``both``).
    reneging
        A14 (Masad 2016). An actor whose offer someone accepted does not move that round.
    rounds
        Maximum number of rounds (exactly this many with ``stop="fixed"``).
    stop, tolerance, patience
        ``fixed``: run ``rounds`` rounds. ``stable``: stop once the median has moved by at most
        ``tolerance`` (a fraction of the range) for ``patience`` rounds in a row; a
        ``RuntimeWarning`` is raised if that has not happened by ``rounds``.
    """

    preset: PresetName = DEFAULT_PRESET
    resist_salience: Literal["target", "challenger"] = _D["resist_salience"]
    p_numerator: Literal["positive", "net"] = _D["p_numerator"]
    p_denominator: Literal["pair", "global"] = _D["p_denominator"]
    p_voters: Literal["all", "exclude-challenger", "exclude-pair"] = _D["p_voters"]
    perception: Literal["owner", "perceiver"] = _D["perception"]
    risk_in_votes: bool = _D["risk_in_votes"]
    security_set: Literal["actors", "own-positions"] = _D["security_set"]
    security_measure: Literal["eu", "probability"] = _D["security_measure"]
    Q: float = Field(default=_D["Q"], ge=0, le=1)
    T: Literal["nearer"] | float = _D["T"]
    mu: Literal["median", "mean", "max-margin", "median-then-mean"] = _D["mu"]
    no_challenge_distance: Literal["challenger", "both-to-median"] = _D["no_challenge_distance"]
    range: Literal["initial", "current", "scale"] = _D["range"]
    conflict: Literal["deterministic", "stochastic"] = _D["conflict"]
    compromise: Literal["ratio", "weighted-average"] = _D["compromise"]
    capitulation: bool = _D["capitulation"]
    offer_choice: Literal["scholz-code", "priority", "least-move", "highest-eu"] = _D[
        "offer_choice"
    ]
    views: Literal["mover", "both"] = _D["views"]
    reneging: bool = _D["reneging"]
    rounds: int = Field(default=10, ge=0, le=10_000)
    stop: Literal["fixed", "stable"] = "fixed"
    tolerance: float = Field(default=1e-6, ge=0)
    patience: int = Field(default=3, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _start_from_preset(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        preset = data.get("preset", DEFAULT_PRESET)
        if not isinstance(preset, str) or preset not in PRESETS:
            return data  # the Literal check reports the unknown preset
        return {**PRESETS[preset], **data, "preset": preset}

    @model_validator(mode="after")
    def _consistent(self) -> EumOptions:
        if not isinstance(self.T, str) and not 0.0 <= self.T <= 1.0:
            raise ValueError("T must be 'nearer' or a probability in [0, 1]")
        if self.p_voters != "all" and self.p_denominator == "global":
            raise ValueError("p_voters other than 'all' needs p_denominator='pair'")
        return self

    def changed(self) -> dict[str, Any]:
        """The options that differ from the preset's (as JSON values), for labels and reports."""
        baseline = EumOptions(preset=self.preset).model_dump(mode="json")
        return {k: v for k, v in self.model_dump(mode="json").items() if baseline.get(k) != v}
