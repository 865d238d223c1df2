"""A scenario as a notebook shows it (:meth:`Scenario._repr_html_`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente import _html

if TYPE_CHECKING:
    from detente.scenario.model import Actor, Issue, Scenario

#: Above this many actors a scenario shows its weightiest only (as ``detente forecast`` does).
BRIEF_ACTORS = 12
#: Issues shown as columns of the actors' table (the issues' table lists them all).
BRIEF_ISSUES = 8


def weightiest(s: Scenario, count: int = BRIEF_ACTORS) -> list[Actor]:
    """The ``count`` actors of most capability x mean salience, heaviest first (ties: in file
    order)."""
    k = len(s.issues)

    def weight(actor: Actor) -> float:
        return actor.capability * sum(actor.salience[i] for i in s.issue_ids) / k

    order = sorted(range(len(s.actors)), key=lambda n: (-weight(s.actors[n]), n))
    return [s.actors[n] for n in order[:count]]


def _end(issue: Issue, value: float | None) -> str:
    if value is None:
        return "-"
    label = issue.scale.get(value) if issue.scale else None
    return f"{value:g}" + (f" ({label})" if label else "")


def scenario_html(s: Scenario) -> str:
    """Name, as-of date, the issues (scale ends, status quo) and the actors' inputs."""
    title = f"Scenario {s.name or s.id}" + (f" ({s.id})" if s.name and s.name != s.id else "")
    facts = f"{_html.count(len(s.actors), 'actor')}, {_html.count(len(s.issues), 'issue')}" + (
        f", as of {s.as_of.isoformat()}" if s.as_of else ""
    )
    issues = _html.table(
        ["Issue", "Name", "Min", "Max", "Status quo"],
        (
            [
                i.id,
                i.name,
                _end(i, i.min),
                _end(i, i.max),
                "-"
                if i.status_quo is None
                else f"{i.status_quo:g} ({i.label(i.status_quo)})"
                if i.scale
                else f"{i.status_quo:g}",
            ]
            for i in s.issues
        ),
        caption="Issues",
    )
    shown_issues = s.issues[:BRIEF_ISSUES]
    brief = len(s.actors) > BRIEF_ACTORS
    actors = weightiest(s) if brief else list(s.actors)
    header = ["Actor", "Capability"]
    for i in shown_issues:
        header += [f"{i.id} position", f"{i.id} salience"]
    rows: list[list[_html.Cell]] = []
    for a in actors:
        row: list[_html.Cell] = [a.label if a.label == a.id else f"{a.label} ({a.id})"]
        row.append(a.capability)
        for i in shown_issues:
            row += [a.position[i.id], a.salience[i.id]]
        rows.append(row)
    caption = (
        f"Actors: the {len(actors)} of most capability x mean salience"
        if brief
        else "Actors: capability, position and salience"
    )
    parts = [_html.line(facts), issues, _html.table(header, rows, caption=caption)]
    if brief:
        parts.append(_html.line(f"{_html.count(len(s.actors) - len(actors), 'more actor')}"))
    if len(s.issues) > BRIEF_ISSUES:
        parts.append(_html.line(f"{len(s.issues) - BRIEF_ISSUES} more issues not shown as columns"))
    return _html.block(title, *parts)
