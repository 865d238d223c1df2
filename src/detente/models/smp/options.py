"""Options of the Spatial Model of Politics: KTAB's nine model parameters and its stopping rule.

Every option keeps KTAB's own name and value names (``shared/reference/ktab-smp.md`` §2.9), so
a KTAB XML ``<ModelParameters>`` block maps onto them one to one. The defaults are KTAB's
(``getDefaultModelParameters``, the only values its CSV route can use); the four stopping
constants, hard-coded in KTAB's ``configExec``, are options here too.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from detente.models.registry import ModelOptions

__all__ = [
    "BARGN_MODELS",
    "BIG_R_ADJUSTS",
    "BIG_R_RANGES",
    "INTER_VEC_BRGNS",
    "KTAB_PARAMETER_ORDER",
    "PCE_MODELS",
    "STATE_TRANSITIONS",
    "THIRD_PARTY_COMMITS",
    "VICTORY_PROB_MODELS",
    "VOTING_RULES",
    "SmpOptions",
]

VictoryProbModel = Literal["Linear", "Square", "Quartic", "Octic", "Binary"]
PCEModel = Literal["Conditional", "MarkovIncentive", "MarkovUniform"]
StateTransitions = Literal["Deterministic", "Stochastic"]
VotingRule = Literal["Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"]
BigRAdjust = Literal["None", "OneThird", "Half", "TwoThirds", "Full"]
BigRRange = Literal["Min", "Mid", "Max"]
ThirdPartyCommit = Literal["NoCommit", "SemiCommit", "FullCommit"]
InterVecBrgn = Literal["S1P1", "S2P2", "S2PMax"]
BargnModel = Literal["InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"]

#: The values of each parameter in KTAB's enum order (the index is KTAB's integer code).
VICTORY_PROB_MODELS: tuple[str, ...] = ("Linear", "Square", "Quartic", "Octic", "Binary")
PCE_MODELS: tuple[str, ...] = ("Conditional", "MarkovIncentive", "MarkovUniform")
STATE_TRANSITIONS: tuple[str, ...] = ("Deterministic", "Stochastic")
VOTING_RULES: tuple[str, ...] = ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp")
BIG_R_ADJUSTS: tuple[str, ...] = ("None", "OneThird", "Half", "TwoThirds", "Full")
BIG_R_RANGES: tuple[str, ...] = ("Min", "Mid", "Max")
THIRD_PARTY_COMMITS: tuple[str, ...] = ("NoCommit", "SemiCommit", "FullCommit")
INTER_VEC_BRGNS: tuple[str, ...] = ("S1P1", "S2P2", "S2PMax")
BARGN_MODELS: tuple[str, ...] = ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp")

#: KTAB's int[9] parameter order (C and Python API): vpm, pcem, stm, vr, bigRAdj, bigRRng,
#: tpc, ivb, bm. The ``pySMP.py`` docstring lists another order; this is the array's.
KTAB_PARAMETER_ORDER: tuple[str, ...] = (
    "VictoryProbModel",
    "PCEModel",
    "StateTransitions",
    "VotingRule",
    "BigRAdjust",
    "BigRRange",
    "ThirdPartyCommit",
    "InterVecBrgn",
    "BargnModel",
)


class SmpOptions(ModelOptions):
    """KTAB's nine SMP parameters, with KTAB's defaults, and the stopping rule.

    Attributes
    ----------
    VictoryProbModel
        P(a beats b) from coalition strengths C: C^m / (C^m + C'^m) with m = 1 (``Linear``),
        2, 4 or 8; ``Binary``: a 10 % advantage wins for sure, linear in between.
    PCEModel
        Probabilities of options from pairwise victories: ``Conditional`` (a beats every
        rival), ``MarkovUniform`` (uniformly chosen challengers) or ``MarkovIncentive``
        (challengers in proportion to their incentive).
    StateTransitions
        Each actor's queue of bargains is resolved by its most probable bargain
        (``Deterministic``) or by a draw from the probabilities (``Stochastic``; per-queue child
        seeds of the ``rng``, so reproducible).
    VotingRule
        An actor's vote from its utility difference: ``Prop`` (linear), ``Binary``,
        ``PropBin``, ``PropCbc``, ``Cubic`` or ``ASymProsp`` (gains count 2/3).
    BigRAdjust
        How actor h estimates i's risk attitude: ``None`` (its own), ``OneThird``
        ((2R_h + R_i)/3), ``Half``, ``TwoThirds`` or ``Full`` (R_i).
    BigRRange
        The range of inferred risk attitudes: ``Min`` [0, 1], ``Mid`` [-1/2, 1], ``Max`` [-1, 1].
    ThirdPartyCommit
        What a third party expects to do after joining a side: ``FullCommit`` (adopt the
        winner's position), ``SemiCommit`` (move only if its side loses) or ``NoCommit``.
    InterVecBrgn
        How a bargain interpolates two positions: ``S2P2`` (weights (s P)^2), ``S1P1`` (s P) or
        ``S2PMax`` (only the likelier loser moves).
    BargnModel
        Whose win estimate builds the bargain: ``InitOnlyInterp`` (the initiator's),
        ``InitRcvrInterp`` (one bargain each) or ``PWCompInterp`` (their weighted compromise).
    min_iter, max_iter, min_delta_ratio, min_sig_delta
        Stop after turn t when t >= ``max_iter``, or when t >= ``min_iter`` and the turn's
        movement is below ``min_delta_ratio`` times the first turn's (plus ``min_sig_delta``).
    pos_tol
        Positions closer than this (Euclidean, on the 0-1 scale) are the same position when
        probabilities are reported.
    """

    VictoryProbModel: VictoryProbModel = "Linear"
    PCEModel: PCEModel = "Conditional"
    StateTransitions: StateTransitions = "Deterministic"
    VotingRule: VotingRule = "Prop"
    BigRAdjust: BigRAdjust = "OneThird"
    BigRRange: BigRRange = "Mid"
    ThirdPartyCommit: ThirdPartyCommit = "SemiCommit"
    InterVecBrgn: InterVecBrgn = "S2P2"
    BargnModel: BargnModel = "InitOnlyInterp"
    min_iter: int = Field(default=2, ge=1, le=10_000)
    max_iter: int = Field(default=100, ge=1, le=10_000)
    min_delta_ratio: float = Field(default=0.02, ge=0)
    min_sig_delta: float = Field(default=1e-4, gt=0)
    pos_tol: float = Field(default=1e-3, ge=0)
