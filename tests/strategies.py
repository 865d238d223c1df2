"""Hypothesis strategies: random but valid scenarios, and their arrays."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from detente.scenario import Scenario

_finite = {"allow_nan": False, "allow_infinity": False}
_ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_\-]{0,8}", fullmatch=True)
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30).map(
    str.strip
)


@st.composite
def scenarios(
    draw: st.DrawFn,
    *,
    min_actors: int = 2,
    max_actors: int = 8,
    max_issues: int = 3,
    rich_text: bool = False,
) -> Scenario:
    """Valid scenarios on 0-100 scales, with at least one weighted actor per issue.

    ``rich_text`` adds names, aliases, descriptions, scale labels, uncertainty ranges and a
    status quo (for round-trip tests of the YAML and JSON formats).
    """
    n = draw(st.integers(min_actors, max_actors))
    k = draw(st.integers(1, max_issues))
    actor_ids = draw(st.lists(_ids, min_size=n, max_size=n, unique=True))
    issue_ids = draw(st.lists(_ids, min_size=k, max_size=k, unique=True))
    number = st.floats(0, 100, **_finite)
    capability = st.one_of(st.just(0.0), st.floats(0.001, 1000, **_finite))
    ids = set(actor_ids)
    actors: list[dict[str, Any]] = []
    for actor_id in actor_ids:
        actor: dict[str, Any] = {
            "id": actor_id,
            "capability": draw(capability),
            "position": {i: draw(number) for i in issue_ids},
            "salience": {i: draw(number) for i in issue_ids},
        }
        if rich_text:  # a name or alias may not be another actor's id (the lookup rule)
            actor["name"] = draw(_text.filter(lambda t, mine=actor_id: t == mine or t not in ids))
            actor["aliases"] = draw(
                st.lists(_text.filter(lambda t: bool(t) and t not in ids), max_size=2)
            )
            actor["description"] = draw(_text)
            issue = draw(st.sampled_from(issue_ids))
            value = actor["salience"][issue]
            actor["uncertainty"] = {
                f"salience.{issue}": [value * 0.5, value, min(100.0, value * 1.5)]
            }
        actors.append(actor)
    # every issue needs one actor with capability > 0 and salience > 0
    actors[0]["capability"] = draw(st.floats(0.01, 1000, **_finite))
    for i in issue_ids:
        # above 1, so that no scenario has every salience at most 1 (ambiguous without a
        # salience_scale, and refused)
        actors[0]["salience"][i] = draw(st.floats(2, 100, **_finite))
    if rich_text:
        for actor in actors:
            issue = draw(st.sampled_from(issue_ids))
            value = actor["salience"][issue]
            actor["uncertainty"] = {
                f"salience.{issue}": [value * 0.5, value, min(100.0, value * 1.5)]
            }
    issues: list[dict[str, Any]] = [{"id": i} for i in issue_ids]
    if rich_text:
        for issue in issues:
            issue["name"] = draw(_text)
            issue["scale"] = {0: draw(_text), 100: draw(_text)}
            issue["status_quo"] = draw(st.one_of(st.none(), number))
    data: dict[str, Any] = {"id": "generated", "issues": issues, "actors": actors}
    if rich_text:
        data["name"] = draw(_text)
        data["description"] = draw(_text)
    return Scenario.model_validate(data)
