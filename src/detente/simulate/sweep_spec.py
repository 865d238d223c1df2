"""The sensitivity sweep's specification: what varies, how, and what to record.

A sweep specification is a small YAML (or JSON) file::

    name: The US position and South Korea's stake
    scenario: six-party-2004            # a bundled scenario, or a file beside this one
    models: [compromise, median, eum]   # default: the default models
    vary:
      - input: USA.position.disarmament # ACTOR.capability, ACTOR.position.ISSUE,
        min: 50                         # ACTOR.salience.ISSUE, or MODEL.OPTION
        max: 100
        step: 5
      - input: eum.Q
        values: [1.0, 0.5]
    tie:                                # inputs that follow another, from their base values
      - input: ROK.salience.disarmament
        to: USA.position.disarmament
        relation: opposite              # equal, opposite or scaled (by factor)
    design: {kind: full-factorial}      # one-at-a-time, full-factorial, random, latin-hypercube
    questions: ["disarmament >= 75"]
    tipping: {jump: 10}                 # also report jumps of more than 10 points

The values of an input are a list (``values``), a grid (``min``, ``max``, ``step``), or a band
around its base value (``delta``, or ``percent``, with ``steps`` points). A random or
Latin-hypercube design draws ``points`` points within each input's smallest and largest value.
:func:`sweep_schema` is the JSON Schema of the format.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["MAX_POINTS", "Design", "SweepSpec", "Tie", "Tipping", "Vary", "sweep_schema"]

#: A sweep evaluates at most this many design points (each model runs on each).
MAX_POINTS = 1_000_000


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Vary(_Spec):
    """One input that varies, and its values."""

    input: str = Field(
        description="ACTOR.capability, ACTOR.position.ISSUE, ACTOR.salience.ISSUE (the actor by "
        "id, name or alias; the issue may be left out on a one-issue scenario), or MODEL.OPTION."
    )
    values: list[float | str | bool] | None = Field(
        default=None, min_length=1, max_length=100_000, description="The values, as a list."
    )
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)
    step: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    delta: float | None = Field(
        default=None, gt=0, allow_inf_nan=False, description="Base value - delta to + delta."
    )
    percent: float | None = Field(
        default=None, gt=0, le=1000, description="Base value - percent to + percent of itself."
    )
    steps: int = Field(
        default=5, ge=2, le=100_000, description="Points of a delta or percent band."
    )

    @model_validator(mode="after")
    def _one_form(self) -> Vary:
        forms = [
            self.values is not None,
            any(v is not None for v in (self.min, self.max, self.step)),
            self.delta is not None,
            self.percent is not None,
        ]
        if sum(forms) != 1:
            raise ValueError(
                "give the values one way: values: [...], or min:, max: and step:, or delta:, "
                "or percent:"
            )
        if forms[1]:
            if self.min is None or self.max is None or self.step is None:
                raise ValueError("a grid needs min:, max: and step:")
            if self.max < self.min:
                raise ValueError(f"max ({self.max:g}) is below min ({self.min:g})")
            if (self.max - self.min) / self.step > 100_000:
                raise ValueError("the grid has more than 100,000 points; take a larger step")
        return self


class Tie(_Spec):
    """An input that follows another: its change from its base is the leader's, reversed or
    scaled (``equal``: the same change, ``opposite``: the reverse, ``scaled``: times
    ``factor``)."""

    input: str
    to: str
    relation: Literal["equal", "opposite", "scaled"] = "equal"
    factor: float = Field(default=1.0, allow_inf_nan=False)


class Design(_Spec):
    """How the inputs' values are combined into design points."""

    kind: Literal["one-at-a-time", "full-factorial", "random", "latin-hypercube"] = "full-factorial"
    points: int | None = Field(
        default=None,
        ge=1,
        le=MAX_POINTS,
        description="Points of a random or Latin-hypercube design.",
    )

    @model_validator(mode="after")
    def _points(self) -> Design:
        sampled = self.kind in ("random", "latin-hypercube")
        if sampled and self.points is None:
            raise ValueError(f"a {self.kind} design needs points:")
        if not sampled and self.points is not None:
            raise ValueError(f"points: is for random and latin-hypercube designs, not {self.kind}")
        return self


class Tipping(_Spec):
    """Where a forecast tips: crossing a scale label, or jumping by more than ``jump``."""

    labels: bool = True
    jump: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    refine: int = Field(
        default=12, ge=0, le=40, description="Bisection steps that narrow each tipping point."
    )


class SweepSpec(_Spec):
    """A sensitivity sweep (see the module's documentation)."""

    name: str = ""
    scenario: str = Field(
        description="A bundled scenario's name, or a file path relative to the spec's folder."
    )
    future: str | None = Field(
        default=None, description="A future of the timeline whose events apply (default: none)."
    )
    models: list[str] | None = Field(default=None, min_length=1)
    options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    issues: list[str] | None = Field(default=None, min_length=1)
    vary: list[Vary] = Field(min_length=1, max_length=32)
    tie: list[Tie] = Field(default_factory=list, max_length=32)
    design: Design = Field(default_factory=Design)
    rng: int | None = Field(default=None, ge=0)
    questions: list[str] = Field(default_factory=list, max_length=32)
    tipping: Tipping = Field(default_factory=Tipping)


def sweep_schema() -> dict[str, Any]:
    """The JSON Schema of a sweep specification (``detente sweep --schema``)."""
    schema = SweepSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "detente sweep specification"
    return schema
