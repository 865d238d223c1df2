"""Collect what a report shows into plain data: numbers, words and charts, section by section.

:func:`build` reads a :class:`~detente.report.source.ReportRun` (a forecast, an optional Monte
Carlo run and the run's record) and the analyses of the expected utility model, and returns a
:class:`Report`: a dictionary for the template and the charts as matplotlib figures. Nothing
here reads the clock or draws random numbers, so the same run gives the same report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from detente import models as registry
from detente._version import __version__
from detente.report import charts
from detente.report.accuracy import load_accuracy
from detente.report.layout import colours, style
from detente.report.source import ReportRun
from detente.scenario.model import Issue, Scenario

__all__ = ["MAX_DYAD_ACTORS", "Chart", "Report", "build"]

#: Above this many actors the dyad analyses and advice (O(n^3) and many runs) are left out.
MAX_DYAD_ACTORS = 40
#: Rows of the sensitivity table and of the advice's levers.
TOP_ROWS = 8
#: Quad maps side by side at most (one per future).
MAX_PANELS = 3


@dataclass(frozen=True)
class Chart:
    """One chart: a file-safe name, a caption, and the figure."""

    name: str
    caption: str
    figure: Figure = field(repr=False)


@dataclass(frozen=True)
class Report:
    """What a report shows: ``data`` for the template, ``charts`` by name."""

    data: dict[str, Any]
    charts: dict[str, Chart]


def build(run: ReportRun, *, viewpoint: str | None = None) -> Report:
    """Collect every section of the report of ``run``.

    Parameters
    ----------
    run
        The forecast, optional simulation and run record.
    viewpoint
        The actor (id) whose view the dyad section takes; default the actor with the most
        capability x salience on each issue.

    Returns
    -------
    Report
    """
    s = run.scenario
    palette = colours(_all_actor_ids(s))
    out_charts: dict[str, Chart] = {}

    def add(name: str, caption: str, figure: Figure) -> str:
        out_charts[name] = Chart(name, caption, figure)
        return name

    with style():
        issues = [_issue_section(run, issue, palette, add, viewpoint) for issue in s.issues]
    data = {
        "title": s.name or s.id,
        "header": _header(run),
        "warnings": list(run.warnings),
        "legend": [{"id": a.id, "label": a.label, "colour": palette[a.id]} for a in s.actors],
        "actors": _actors(s, palette),
        "issues": issues,
        "methods": _methods(run),
        "not_run": [n for n in registry.names() if n not in run.forecast.models],
        "accuracy": load_accuracy(),
        "has_simulation": run.simulation is not None,
    }
    return Report(data=data, charts=out_charts)


# --- header -------------------------------------------------------------------------------------


def _header(run: ReportRun) -> dict[str, Any]:
    s = run.scenario
    sim = run.simulation
    models = []
    for model_run in run.forecast.runs:
        options = dict(model_run.options)
        preset = options.get("preset")
        changed = _changed_options(model_run.model, options)
        models.append(
            {
                "name": model_run.model,
                "preset": preset,
                "changed": changed,
                "options": json.dumps(options, sort_keys=True),
            }
        )
    return {
        "scenario_id": s.id,
        "scenario_name": s.name,
        "as_of": s.as_of.isoformat() if s.as_of else None,
        "description": s.description,
        "hash": s.content_hash(),
        "made": run.made.strftime("%Y-%m-%d %H:%M UTC"),
        "run_id": run.run_id,
        "version": run.detente_version,
        "rendered_by": __version__ if __version__ != run.detente_version else None,
        "seed": run.seed,
        "draws": sim.draws if sim is not None else 0,
        "spread": sim.spread if sim is not None else 0.0,
        "branches": sim.mode if sim is not None else None,
        "futures": list(sim.future_names) if sim is not None else [],
        "models": models,
        "sources": [
            {
                "id": src.id,
                "title": src.title,
                "author": src.author,
                "publisher": src.publisher,
                "date": src.date.isoformat() if src.date else "",
                "url": src.url or "",
                "file": src.file or "",
            }
            for src in s.sources
        ],
    }


def _changed_options(model: str, options: dict[str, Any]) -> list[str]:
    """The options that differ from the model's defaults (or its preset's), as ``name=value``."""
    info = registry.get(model)
    if "preset" in options:
        baseline = info.options.model_validate({"preset": options["preset"]}).model_dump(
            mode="json"
        )
    else:
        baseline = info.options().model_dump(mode="json")
    return [f"{k}={v}" for k, v in options.items() if baseline.get(k) != v]


# --- inputs -------------------------------------------------------------------------------------


def _all_actor_ids(s: Scenario) -> list[str]:
    """The scenario's actors, then any a timeline branch adds (each keeps one colour)."""
    ids = list(s.actor_ids)
    for event in s.timeline:
        for branch in [event, *event.branches.values()]:
            ids += [a.id for a in branch.add_actors if a.id not in ids]
    return ids


def _actors(s: Scenario, palette: dict[str, str]) -> list[dict[str, Any]]:
    sources = {src.id: src for src in s.sources}
    rows = []
    for a in s.actors:
        evidence = []
        for ev in a.evidence:
            src = sources.get(ev.source)
            cite = ev.source
            if src is not None:
                parts = [src.author, src.publisher, src.date.isoformat() if src.date else ""]
                cite = ", ".join(p for p in parts if p) or ev.source
            evidence.append(
                {"supports": ev.supports, "quote": ev.quote, "note": ev.note, "cite": cite}
            )
        rows.append(
            {
                "id": a.id,
                "label": a.label,
                "colour": palette[a.id],
                "description": a.description,
                "capability": a.capability,
                "uncertainty": {k: "–".join(f"{v:g}" for v in r) for k, r in a.uncertainty.items()},
                "issues": [
                    {
                        "id": issue.id,
                        "position": a.position[issue.id],
                        "salience": a.salience[issue.id],
                        "position_range": _range(a.uncertainty.get(f"position.{issue.id}")),
                        "salience_range": _range(a.uncertainty.get(f"salience.{issue.id}")),
                    }
                    for issue in s.issues
                ],
                "capability_range": _range(a.uncertainty.get("capability")),
                "evidence": evidence,
            }
        )
    return rows


def _range(values: Sequence[float] | None) -> str:
    if not values:
        return ""
    return f"{values[0]:g}–{values[-1]:g}" + (f" (mode {values[1]:g})" if len(values) == 3 else "")


# --- per issue ----------------------------------------------------------------------------------


def _issue_section(
    run: ReportRun,
    issue: Issue,
    palette: dict[str, str],
    add: Any,
    viewpoint: str | None,
) -> dict[str, Any]:
    s = run.scenario
    j = s.issue_ids.index(issue.id)
    c, X, S = s.arrays()
    names = [a.label for a in s.actors]
    cols = [palette[a.id] for a in s.actors]
    power = c * S[:, j]
    section: dict[str, Any] = {
        "id": issue.id,
        "name": issue.name or issue.id,
        "description": issue.description,
        "min": issue.min,
        "max": issue.max,
        "unit": issue.unit,
        "status_quo": issue.status_quo,
        "scale": [{"anchor": a, "label": issue.scale[a]} for a in sorted(issue.scale)],
    }
    section["chart_scale"] = add(
        f"scale-{issue.id}",
        f"The scale of “{issue.name or issue.id}” and where each actor stands on it.",
        charts.scale_chart(issue, names, X[:, j].tolist(), cols),
    )
    median, mean = _first_cut(X[:, j], power)
    section["first_cut"] = {"median": median, "mean": mean}
    section["chart_power"] = add(
        f"power-{issue.id}",
        "Mountains of power: each actor's capability × salience piled up at its position; the "
        "weighted median is Bueno de Mesquita's first cut, the weighted mean the compromise.",
        charts.power_chart(
            issue,
            names,
            X[:, j].tolist(),
            power.tolist(),
            cols,
            median=median,
            mean=mean,
        ),
    )
    _forecasts(run, issue, section, add)
    _dynamics(run, issue, section, add, names, cols)
    if len(s.actors) <= MAX_DYAD_ACTORS and "eum" in run.forecast.models:
        focus = viewpoint or s.actor_ids[int(np.argmax(power))]
        _dyads(run, issue, section, add, palette, focus)
        _advice(run, issue, section, focus)
    else:
        section["dyads"] = None
        section["advice"] = None
        section["dyads_missing"] = (
            "the expected utility model (eum) was not run"
            if "eum" not in run.forecast.models
            else f"more than {MAX_DYAD_ACTORS} actors"
        )
    _branches(run, issue, section, add)
    _sensitivity(run, issue, section)
    return section


def _first_cut(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted median (the lower one on a tie, as the median model) and weighted mean."""
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(w[order])
    total = float(cum[-1]) if len(cum) else 0.0
    if total <= 0:
        return float(np.median(x)), float(np.mean(x))
    median = float(x[order][int(np.searchsorted(cum, total / 2))])
    return median, float(np.sum(w * x) / total)


def _forecasts(run: ReportRun, issue: Issue, section: dict[str, Any], add: Any) -> None:
    fc, sim = run.forecast, run.simulation
    rows = []
    for model_run in fc.runs:
        value = fc.value(model_run.model, issue.id)
        rows.append(
            {
                "model": model_run.model,
                "value": value,
                "label": issue.label(value),
                "notes": [
                    n.split(":", 1)[1].strip()
                    for n in model_run.notes
                    if n.startswith(f"{issue.id}:")
                ],
            }
        )
    section["forecasts"] = rows
    intervals: dict[str, list[charts.Interval]] = {}
    mc = []
    bands: list[dict[str, Any]] = []
    anchors: list[dict[str, Any]] = []
    if sim is not None:
        for model in sim.models:
            intervals[model] = []
            for future in sim.future_names:
                summary = sim.summary(future, model, issue.id)
                iv = charts.Interval(
                    future=future,
                    median=summary["median"],
                    i50=(summary["interval_50"][0], summary["interval_50"][1]),
                    i80=(summary["interval_80"][0], summary["interval_80"][1]),
                    counts=tuple(summary["histogram"]["counts"]),
                    edges=tuple(summary["histogram"]["edges"]),
                )
                intervals[model].append(iv)
                mc.append(
                    {
                        "model": model,
                        "future": future,
                        "median": summary["median"],
                        "i50": summary["interval_50"],
                        "i80": summary["interval_80"],
                        "label": issue.label(summary["median"]),
                        "bands": summary["bands"],
                    }
                )
        if mc and mc[0]["bands"]:
            anchors = [
                {"anchor": band["anchor"], "from": band["from"], "to": band["to"]}
                for band in mc[0]["bands"]
            ]
            bands = [
                {
                    "model": row["model"],
                    "future": row["future"],
                    "cells": [band["probability"] for band in row["bands"]],
                }
                for row in mc
            ]
    section["mc"] = mc
    section["bands"] = {"anchors": anchors, "rows": bands}
    section["chart_forecasts"] = add(
        f"forecasts-{issue.id}",
        "Every model's forecast: the diamond is the forecast from the inputs as given"
        + (
            "; bars show where the Monte Carlo draws fell under each future (thick: the middle "
            "50%, thin: the middle 80%, circle: the median; shading: the histogram)."
            if sim is not None
            else "."
        ),
        charts.forecasts_chart(
            issue, list(fc.models), [fc.value(m, issue.id) for m in fc.models], intervals
        ),
    )


def _dynamics(
    run: ReportRun,
    issue: Issue,
    section: dict[str, Any],
    add: Any,
    names: list[str],
    cols: list[str],
) -> None:
    s = run.scenario
    j = s.issue_ids.index(issue.id)
    out = []
    for model_run in run.forecast.runs:
        if not model_run.rounds:
            continue
        path = model_run.rounds[j]
        positions = np.array([state.positions for state in path])
        forecast_of = registry.get(model_run.model).forecast
        label = "median position" if forecast_of == "median" else "weighted mean position"
        chart = add(
            f"rounds-{model_run.model}-{issue.id}",
            f"Positions by round in the {model_run.model} model (one line per actor) and its "
            f"forecast, the {label} of each round (dashed).",
            charts.rounds_chart(
                issue,
                names,
                cols,
                positions,
                [float(getattr(state, forecast_of)) for state in path],
                model=model_run.model,
            ),
        )
        moves = []
        for state in path[1:]:
            for m in state.moves:
                moves.append(_move_row(s, state.round, m))
        table = [
            {"round": state.round, "median": state.median, "mean": state.mean} for state in path
        ]
        out.append({"model": model_run.model, "chart": chart, "moves": moves, "rounds": table})
    section["dynamics"] = out


def _move_row(s: Scenario, rnd: int, m: Any) -> dict[str, Any]:
    from detente.models.eum.steps import region_name

    mover, partner = s.actors[m.mover].label, s.actors[m.partner].label
    if hasattr(m, "eu_mover"):
        region = (
            region_name(m.eu_mover, m.eu_partner)
            .replace("(j ", f"({partner} ")
            .replace("(i ", f"({mover} ")
            .replace("i c", f"{mover} c")
        )
        seen = mover if m.view == "own" else partner
        reason = (
            f"As {seen} sees it, {mover} expects {m.eu_mover:+.3f} from challenging {partner} "
            f"and {partner} expects {m.eu_partner:+.3f} from challenging {mover}: {region}."
        )
    else:  # an smp move explains its own bargain
        said = m.explain([a.label for a in s.actors])
        reason = said[0].upper() + said[1:] + "."
    return {
        "round": rnd,
        "mover": mover,
        "partner": partner,
        "kind": m.kind,
        "old": m.old,
        "new": m.new,
        "reason": reason,
    }


def _eum_options(run: ReportRun) -> Any:
    from detente.forecast import resolve_models

    _, parsed = resolve_models(["eum"], {"eum": dict(run.forecast.run("eum").options)})
    return parsed["eum"]


def _dyads(
    run: ReportRun,
    issue: Issue,
    section: dict[str, Any],
    add: Any,
    palette: dict[str, str],
    focus: str,
) -> None:
    from detente.analysis.dyads import (
        crisis_incentives,
        dyad_map,
        future_names,
        misperceptions,
        round_views,
    )

    s = run.scenario
    options = _eum_options(run)
    label = {a: s.actor(a).label if a in s.actor_ids else a for a in _all_actor_ids(s)}
    futures = []
    panels: list[tuple[str, list[tuple[str, float, float]]]] = []
    for name in future_names(s):
        rounds = round_views(s, issue.id, options=options, future=name, rng=run.seed)
        if not rounds:
            continue
        first = rounds[0]
        mapped = (
            [d for d in dyad_map(first, focus) if d.i == focus] if focus in first.actors else []
        )
        if len(panels) < MAX_PANELS:
            panels.append((name, [(d.j, d.eu_i, d.eu_j) for d in mapped]))
        wrong: dict[tuple[str, str], list[int]] = {}
        first_views: dict[tuple[str, str], Any] = {}
        for rv in rounds:
            for m in misperceptions(rv):
                wrong.setdefault((m.i, m.j), []).append(rv.round)
                first_views.setdefault((m.i, m.j), m)
        futures.append(
            {
                "name": name,
                "events": [
                    {"round": rv.round, "events": list(rv.events)} for rv in rounds if rv.events
                ],
                "dyads": [
                    {
                        "other": label.get(d.j, d.j),
                        "eu_mine": d.eu_i,
                        "eu_theirs": d.eu_j,
                        "region": d.region,
                        "gives_way": label.get(d.gives_way, d.gives_way) if d.gives_way else None,
                    }
                    for d in mapped
                ],
                "misperceptions": [
                    {
                        "i": label.get(i, i),
                        "j": label.get(j, j),
                        "i_view": _view(first_views[(i, j)].i_view, label),
                        "j_view": _view(first_views[(i, j)].j_view, label),
                        "first": rounds_[0],
                        "rounds": len(rounds_),
                    }
                    for (i, j), rounds_ in wrong.items()
                ],
                "incentives": [
                    {
                        "actor": label.get(ci.actor, ci.actor),
                        "gain": ci.gain,
                        "target": label.get(ci.target, ci.target),
                    }
                    for ci in sorted(crisis_incentives(first), key=lambda ci: -ci.gain)
                ],
                "n_rounds": len(rounds),
            }
        )
    chart = None
    if panels:
        chart = add(
            f"quad-{issue.id}",
            f"The quad map from {charts.possessive(label.get(focus, focus))} viewpoint in round "
            "1: for every other "
            f"actor, what {label.get(focus, focus)} expects to gain by challenging it (across) "
            "and what it expects to gain by challenging "
            f"{label.get(focus, focus)} (up), as {label.get(focus, focus)} sees them.",
            charts.quad_chart(label.get(focus, focus), panels, palette, label),
        )
    section["dyads"] = {
        "viewpoint": label.get(focus, focus),
        "viewpoint_id": focus,
        "chart": chart,
        "futures": futures,
    }


def _view(view: tuple[str, str | None], label: dict[str, str]) -> str:
    region, who = view
    return f"{region}, {label.get(who, who)} gives way" if who else region


def _advice(run: ReportRun, issue: Issue, section: dict[str, Any], focus: str) -> None:
    from detente.analysis.advice import advise

    s = run.scenario
    if focus not in s.actor_ids:
        section["advice"] = None
        return
    options = dict(run.forecast.run("eum").options)
    result = advise(s, focus, model="eum", issue=issue.id, options=options)
    gain = abs(result.forecast - result.ideal) - abs(result.best_forecast - result.ideal)
    section["advice"] = {
        "focal": s.actor(focus).label,
        "model": "eum",
        "ideal": result.ideal,
        "forecast": result.forecast,
        "best_position": result.best_position,
        "best_forecast": result.best_forecast,
        "gain": gain,
        "levers": [
            {
                "actor": s.actor(lever.actor).label,
                "change": lever.change,
                "forecast": lever.forecast,
                "gain": lever.gain,
            }
            for lever in result.levers[:TOP_ROWS]
            if lever.gain > 0
        ],
    }


def _branches(run: ReportRun, issue: Issue, section: dict[str, Any], add: Any) -> None:
    from detente.forecast import resolve_models
    from detente.simulate import futures as all_futures
    from detente.simulate.tasks import future_forecast

    s = run.scenario
    if not s.timeline:
        section["branches"] = None
        return
    fc = run.forecast
    j = s.issue_ids.index(issue.id)
    _, parsed = resolve_models(list(fc.models), {r.model: dict(r.options) for r in fc.runs})
    models = tuple((name, parsed[name]) for name in fc.models)
    descriptions = _branch_descriptions(s)
    rows: list[dict[str, Any]] = [
        {
            "future": "inputs as given",
            "probability": None,
            "description": "No event of the timeline happens.",
            "points": {m: fc.value(m, issue.id) for m in fc.models},
            "mc": {},
        }
    ]
    for future in all_futures(s):
        values = future_forecast(s, future, models, rng=run.seed)
        mc = {}
        if run.simulation is not None and future.name in run.simulation.future_names:
            for m in fc.models:
                summary = run.simulation.summary(future.name, m, issue.id)
                mc[m] = {"median": summary["median"], "i80": summary["interval_80"]}
        rows.append(
            {
                "future": future.name,
                "probability": future.probability,
                "description": " ".join(
                    descriptions.get(part, "") for part in future.name.split("+")
                ).strip(),
                "points": {m: float(values[m][j]) for m in fc.models},
                "mc": mc,
            }
        )
    chart = add(
        f"branches-{issue.id}",
        "Each future of the timeline side by side: every model's forecast from the inputs as "
        "given, with the future's events applied.",
        charts.branches_chart(
            issue,
            [r["future"] for r in rows],
            list(fc.models),
            {m: [r["points"][m] for r in rows] for m in fc.models},
        ),
    )
    section["branches"] = {"rows": rows, "models": list(fc.models), "chart": chart}


def _branch_descriptions(s: Scenario) -> dict[str, str]:
    out = {}
    for event in s.timeline:
        for name, branch in event.branches.items():
            changes = [f"{k} = {v:g}" for k, v in branch.set.items()]
            changes += [f"{k} {v:+g}" for k, v in branch.shift.items()]
            changes += [f"{a.id} joins" for a in branch.add_actors]
            changes += [f"{a} leaves" for a in branch.remove_actors]
            when = event.name or str(event.at)
            text = f"{when}: {name}"
            if changes:
                text += f" ({'; '.join(changes)})"
            out[name] = text + "."
    return out


def _sensitivity(run: ReportRun, issue: Issue, section: dict[str, Any]) -> None:
    sim = run.simulation
    if sim is None or not sim.input_labels:
        section["sensitivity"] = None
        return
    future = sim.future_names[0]
    rhos = {m: sim.rank_correlations(future, m, issue.id) for m in sim.models}
    strength = {label: max(abs(rhos[m][label]) for m in sim.models) for label in sim.input_labels}
    top = sorted(sim.input_labels, key=lambda label: -strength[label])[:TOP_ROWS]
    section["sensitivity"] = {
        "future": future,
        "models": list(sim.models),
        "rows": [
            {"input": label, "cells": [rhos[m][label] for m in sim.models]}
            for label in top
            if strength[label] > 0
        ],
    }


# --- method notes -------------------------------------------------------------------------------


def _methods(run: ReportRun) -> list[dict[str, Any]]:
    out = []
    for model_run in run.forecast.runs:
        info = registry.get(model_run.model)
        out.append(
            {
                "name": info.name,
                "title": info.title,
                "summary": info.summary,
                "reference": info.reference,
                "iterative": info.iterative,
                "preset": model_run.options.get("preset"),
            }
        )
    return out
