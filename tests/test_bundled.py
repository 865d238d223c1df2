"""The bundled scenarios: listed, valid, evidenced, and faithful to their sources."""

from __future__ import annotations

from pathlib import Path

import pytest

import detente
from detente.scenario import Branch, Scenario, check_quotes, io, ktab

SIX_PARTY = ("six-party-2004", "six-party-2004-package", "six-party-2014")
EXPECTED = ("emission-1994", "ktab-dummy-3d", "ktab-soe-pol-comp", *SIX_PARTY)
#: Scenarios that add issues to a base scenario and must keep everything the base has.
PACKAGES = {"six-party-2004-package": "six-party-2004"}


def test_bundled_names() -> None:
    assert set(detente.bundled_names()) == set(EXPECTED)


#: The expected utility model's forecasts (paper-literal), as the docs and README state them.
EUM_DOCUMENTED = {
    "emission-1994": [7.0],
    "six-party-2004": [55.0],
    "six-party-2004-package": [55.0, 65.0],
    "six-party-2014": [80.0],
}


@pytest.mark.parametrize("name", EXPECTED)
def test_bundled_scenario_forecasts_what_its_inputs_give(name: str) -> None:
    """The weighted mean and median, recomputed here from the actors' numbers in plain Python;
    every model within the positions; the expected utility model's documented forecasts."""
    s = detente.bundled(name)
    assert s.id == name
    fc = detente.forecast(s)
    assert fc.models == ("compromise", "median", "nash", "eum")
    for issue in s.issues:
        rows = sorted((a.position[issue.id], a.capability * a.salience[issue.id]) for a in s.actors)
        total = sum(w for _, w in rows)
        mean = sum(x * w for x, w in rows) / total
        running, median = 0.0, None
        for x, w in rows:  # the lower median: the first position reaching half the weight
            running += w
            if median is None and running >= total / 2 * (1 - 1e-12):
                median = x
        assert fc.value("compromise", issue.id) == pytest.approx(mean, rel=1e-12)
        assert fc.value("median", issue.id) == median
        for model in fc.models:
            assert rows[0][0] - 1e-9 <= fc.value(model, issue.id) <= rows[-1][0] + 1e-9
    if name in EUM_DOCUMENTED:
        assert list(fc.run("eum").values) == pytest.approx(EUM_DOCUMENTED[name], abs=1e-9)


@pytest.mark.parametrize("name", SIX_PARTY)
def test_six_party_actors(name: str) -> None:
    s = detente.bundled(name)
    assert s.actor_ids == ("USA", "DPRK", "ROK", "CHN", "JPN", "RUS")
    assert 1 <= len(s.issues) <= 2
    for issue in s.issues:
        assert issue.status_quo is not None
        assert len(issue.scale) >= 3


@pytest.mark.parametrize("name", SIX_PARTY)
def test_six_party_quotes_are_verbatim_in_the_articles(name: str, shared: Path) -> None:
    s = detente.bundled(name)
    result = check_quotes(s, [shared / "sources"])
    assert result.problems == ()
    assert result.unchecked == 0
    assert result.checked >= 12


@pytest.mark.parametrize("name", SIX_PARTY)
def test_every_position_and_salience_has_evidence(name: str) -> None:
    s = detente.bundled(name)
    for actor in s.actors:
        covered = set()
        for item in actor.evidence:
            field, _, issue = item.supports.partition(".")
            covered |= {(field, i) for i in ([issue] if issue else s.issue_ids)}
        for issue in s.issue_ids:
            assert ("position", issue) in covered, (actor.id, "position", issue)
            assert ("salience", issue) in covered, (actor.id, "salience", issue)
        assert "apabilit" in actor.description  # each actor explains its numbers


def test_six_party_2004_has_the_election_branches() -> None:
    s = detente.bundled("six-party-2004")
    (election,) = s.timeline
    assert str(election.at) == "2004-11-02"
    assert set(election.branches) == {"bush-reelected", "kerry-wins"}
    assert election.branches["kerry-wins"].set == {"USA.position.disarmament": 80}


def test_six_party_2004_package_has_the_election_branches_on_both_issues() -> None:
    s = detente.bundled("six-party-2004-package")
    assert s.issue_ids == ("disarmament", "reward")
    (election,) = s.timeline
    assert str(election.at) == "2004-11-02"
    assert set(election.branches) == {"bush-reelected", "kerry-wins"}
    kerry = election.branches["kerry-wins"]
    assert kerry.set == {"USA.position.disarmament": 80, "USA.position.reward": 50}
    assert kerry.shift == {"USA.salience.disarmament": 10, "USA.salience.reward": 10}


def _on_issues(key: str, issues: tuple[str, ...]) -> bool:
    """Whether an input key ("salience.reward", "USA.position.disarmament", "capability",
    "position") concerns only the given issues; keys without an issue concern every issue."""
    parts = key.split(".")
    field = 1 if parts[0] not in ("capability", "position", "salience") else 0
    issue = parts[field + 1] if len(parts) > field + 1 else None
    return issue is None or issue in issues


def _restricted(s: Scenario, issues: tuple[str, ...]) -> dict[str, object]:
    """Everything in ``s`` that concerns the given issues (or no issue), as plain data."""

    def changes(b: Branch) -> dict[str, object]:
        return {
            "probability": b.probability,
            "set": {k: v for k, v in b.set.items() if _on_issues(k, issues)},
            "shift": {k: v for k, v in b.shift.items() if _on_issues(k, issues)},
            "add_actors": b.add_actors,
            "remove_actors": b.remove_actors,
        }

    return {
        "as_of": s.as_of,
        "sources": s.sources,
        "issues": [i for i in s.issues if i.id in issues],
        "actors": [
            {
                "id": a.id,
                "name": a.name,
                "aliases": a.aliases,
                "capability": a.capability,
                "position": {i: a.position[i] for i in issues},
                "salience": {i: a.salience[i] for i in issues},
                "uncertainty": {k: v for k, v in a.uncertainty.items() if _on_issues(k, issues)},
                "evidence": [e for e in a.evidence if _on_issues(e.supports, issues)],
            }
            for a in s.actors
        ],
        "groups": [(g.id, g.members) for g in s.groups],
        "timeline": [
            {
                "at": e.at,
                "name": e.name,
                **changes(e),
                "branches": {n: changes(b) for n, b in e.branches.items()},
            }
            for e in s.timeline
        ],
    }


@pytest.mark.parametrize(("name", "base"), PACKAGES.items())
def test_package_keeps_its_base_scenario(name: str, base: str) -> None:
    """A package adds issues to its base and changes nothing the base has (actors, capabilities,
    the base's issues with every position, salience, range, quote and timeline change on them),
    so that the two files cannot drift apart silently."""
    package, original = detente.bundled(name), detente.bundled(base)
    shared = original.issue_ids
    assert package.issue_ids[: len(shared)] == shared
    assert len(package.issue_ids) > len(shared)
    assert _restricted(package, shared) == _restricted(original, shared)


def test_six_party_2014_has_the_provocations() -> None:
    s = detente.bundled("six-party-2014")
    assert [str(e.at) for e in s.timeline] == ["2012-12-12", "2013-02-12", "2013-05-18"]
    for event in s.timeline:
        assert event.shift  # each provocation changes inputs


def test_six_party_groups() -> None:
    for name in SIX_PARTY:
        (allies,) = detente.bundled(name).groups
        assert allies.members == ["USA", "ROK", "JPN"]


@pytest.mark.parametrize(
    ("name", "csv"),
    [("ktab-dummy-3d", "dummyData_3Dim.csv"), ("ktab-soe-pol-comp", "SOE-Pol-Comp.csv")],
)
def test_ktab_scenarios_equal_a_fresh_import(name: str, csv: str, shared: Path) -> None:
    assert detente.bundled(name) == ktab.read(shared / "reference" / "ktab" / csv, scenario_id=name)


def test_emission_1994_matches_the_spec_table() -> None:
    """Scholz et al. Table 1 as given in eum-spec §2.1 (typed here from the spec, not the file)."""
    table = {
        "Netherlands": (0.08, 4, 80), "Belgium": (0.08, 7, 40), "Luxembourg": (0.03, 4, 20),
        "Germany": (0.16, 4, 80), "France": (0.16, 10, 60), "Italy": (0.16, 10, 60),
        "UK": (0.16, 10, 90), "Ireland": (0.05, 7, 10), "Denmark": (0.05, 4, 100),
        "Greece": (0.08, 7, 70),
    }  # fmt: skip
    s = detente.bundled("emission-1994")
    got = {a.id: (a.capability, a.position["delay"], a.salience["delay"]) for a in s.actors}
    assert got == table


@pytest.mark.parametrize("name", EXPECTED)
def test_bundled_yaml_round_trips(name: str) -> None:
    s = detente.bundled(name)
    assert io.loads(io.dump_yaml(s)) == s
    assert io.loads(io.dump_json(s), fmt="json") == s
