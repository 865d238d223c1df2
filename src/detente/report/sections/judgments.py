"""Key judgments: the answer on one screen, first in the report, for someone who must brief.

Per issue, read from the stored study (nothing computed beyond choosing and rounding):

* **Forecast**: the *headline model*'s forecast in words (the nearest point of the scale) and
  numbers, with its calibrated 80% interval. The headline model is the model run with the
  lowest mean absolute error on DEU III in the accuracy figures the package ships (the first
  model run when none are shipped).
* **Weighted over the branches**: the study's combined answer
  (:mod:`detente.analysis.combined`) when the timeline has two futures or more; where an event's
  branches state no probability (each then has an equal share), the sentence says so.
* **Models disagree**: one sentence when the models' forecasts lie nearest to different points
  of the scale (on a scale without labels: more than a tenth of its range apart), naming the
  lowest and highest and which model has the better DEU III record.
* **Settlement by date**: P(settled by each date that matters), from the stored dated dynamics
  when the study has them (:func:`dated_dynamics`).
* **Main risk**: the largest crisis incentive and the most likely miscalculation (the pair whose
  two sides see their dyad differently in the most rounds), with their rounds (and dates, from
  the dated dynamics), under the most probable future.
* **What would change it**: the strongest lever of the advice, and the deciding branch (the
  futures under which the headline model's forecast is lowest and highest).
* **How far to trust it**: the headline model's DEU III accuracy and how far its calibrated 80%
  intervals held.

Every sentence is plain text (the template escapes it): names come from the scenario.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from detente.report.charts import possessive
from detente.report.document import StudyView
from detente.scenario.model import Issue

__all__ = ["DatedRisks", "Settlement", "dated_dynamics", "headline_model", "key_judgments"]


@dataclass(frozen=True)
class Settlement:
    """P(settled by ``by``) under ``future``, with its Monte Carlo standard error (``probability``
    None: no draws, ``settled`` is the point run's answer)."""

    by: str
    event: str | None
    round: int | None  # None: no round falls on or before ``by`` (a date before as_of)
    date: str | None
    probability: float | None
    se: float | None
    settled: bool
    future: str
    count: int | None = None  # draws settled by then, of ``draws``
    draws: int | None = None


@dataclass(frozen=True)
class DatedRisks:
    """What the dated dynamics add to the key judgments: settlement by the dates that matter,
    and the risks with their rounds and dates. ``incentive`` (``actor``, ``target``, ``gain``,
    ``round``, ``date``) and ``miscalculation`` (``i``, ``j``, ``probability``, ``round``,
    ``date``) replace the undated readings of the dyads when given."""

    model: str
    settlement: tuple[Settlement, ...] = ()
    incentive: Mapping[str, Any] | None = None
    miscalculation: Mapping[str, Any] | None = None


#: Futures whose settlement the key judgments list (the most probable first).
SETTLEMENT_FUTURES = 3


def dated_dynamics(found: Mapping[str, Any] | None, future: str | None) -> DatedRisks | None:
    """The dated dynamics of one issue as the key judgments read them (None: none stored).

    ``found`` is the issue's stored ``detente.dynamics/1`` document (the study's
    ``issues[k]["dynamics"]``); this is the one place that reads it. Settlement is listed for
    the :data:`SETTLEMENT_FUTURES` most probable futures, and only when the rounds are dated
    (undated, an event's round says nothing about the dates that matter); the risks are those of
    ``future`` (the most probable; the first when None), from the document's ``highlights``.
    """
    if not found or not found.get("futures"):
        return None
    futures = list(found["futures"])
    chosen = next((f for f in futures if f["name"] == future), futures[0])
    ranked = sorted(futures, key=lambda f: -(f.get("probability") or 0.0))
    settlement = tuple(
        Settlement(
            by=str(s["by"]),
            event=s.get("event"),
            round=None if s.get("round") is None else int(s["round"]),
            date=s.get("date"),
            probability=None if s.get("p") is None else float(s["p"]),
            se=None if s.get("se") is None else float(s["se"]),
            settled=bool(s.get("settled")),
            future=f["name"],
            count=s.get("count"),
            draws=s.get("draws"),
        )
        for f in ranked[:SETTLEMENT_FUTURES]
        for s in f.get("settled_by") or []
        if found.get("calendar") is not None
    )
    marks = chosen.get("highlights") or {}
    incentive = marks.get("incentive")
    wrong = marks.get("miscalculation")
    return DatedRisks(
        model=str(found.get("model", "")),
        settlement=settlement,
        incentive=None if not incentive else dict(incentive),
        miscalculation=None
        if not wrong
        else {k: v for k, v in wrong.items() if k != "p"} | {"probability": wrong["p"]},
    )


def headline_model(models: Sequence[str], accuracy: Mapping[str, Any] | None) -> tuple[str, bool]:
    """The model the key judgments lead with, and whether it was chosen by its DEU III record.

    >>> headline_model(["eum", "compromise"], {"rows": [{"model": "compromise", "mae": 26.0},
    ...                                                  {"model": "eum", "mae": 30.4}]})
    ('compromise', True)
    >>> headline_model(["eum", "nash"], None)
    ('eum', False)
    """
    ranked = [r for r in (accuracy or {}).get("rows", []) if r.get("mae") is not None]
    for row in sorted(ranked, key=lambda r: r["mae"]):
        if row["model"] in models:
            return str(row["model"]), True
    return models[0], False


def key_judgments(
    view: StudyView,
    issue: Issue,
    accuracy: Mapping[str, Any] | None,
    reliability: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The key judgments of one issue: ``rows`` of (``key``, heading, sentence)."""
    entries = {e["model"]: e for e in view.forecasts(issue.id)}
    found = view.analyses(issue.id)
    model, by_record = headline_model(list(entries), accuracy)
    head = entries[model]
    i80 = (head.get("calibrated") or {}).get("intervals", {}).get("80")
    rows: list[tuple[str, str, str]] = []
    if len(entries) == 1:
        chosen = "the only model run"
    elif by_record:
        chosen = "the model with the best record on DEU III of those run"
    else:
        chosen = "the first model run (no DEU III record is bundled)"
    text = f"{_label(head['label'])} ({_n(head['value'])} on {_scale(issue)}"
    text += f"; calibrated 80% interval {_n(i80[0])}–{_n(i80[1])})" if i80 else ")"
    rows.append(("forecast", "Forecast", f"{text}, by {model}, {chosen}."))
    futures = _futures(found)
    combined = (found.get("combined") or {}).get("models", {}).get(model)
    if combined is not None:
        weights = found["combined"]["weights"]
        shares = ", ".join(f"{name} {_pct(p)}" for name, p in weights.items())
        how = "the median of the draws of every future" if combined["draws"] else "the mean"
        text = f"{_label(issue.label(combined['point']))} ({_n(combined['point'])}"
        c80 = combined["interval_80"]
        text += f"; calibrated 80% interval {_n(c80[0])}–{_n(c80[1])})" if c80 else ")"
        # an event whose branches state no probability gives each an equal share: say so
        branched = [e for e in view.scenario.timeline if e.branches]
        unstated = [
            e.name or str(e.at)
            for e in branched
            if any(b.probability is None for b in e.branches.values())
        ]
        weighed = (
            "weighted equally over the futures"
            if unstated and len(unstated) == len(branched)
            else "weighted by the branches' probabilities"
        )
        text += f": {how}, {weighed}" + (f" ({shares})" if shares else "")
        if unstated:
            names = ", ".join(f"“{name}”" for name in unstated)
            text += f": the scenario gives no probability to the branches of {names}"
            text += ", which count equally" if len(unstated) < len(branched) else ""
        text += "."
        rows.append(("combined", "Weighted over the branches", text))
    disagree = _disagreement(list(entries.values()), model, accuracy, issue)
    if disagree:
        rows.append(("disagree", "The models disagree", disagree))
    likely = max(futures, key=lambda f: f[1])[0] if futures else None
    dated = dated_dynamics(found.get("dynamics"), likely)
    if dated is not None and dated.settlement:
        several = len({s.future for s in dated.settlement}) > 1
        rows.append(("settlement", "Settlement by date", _settlement(dated.settlement, several)))
    # an analysis left out is said so, not passed over
    why = f"Not analysed: {found['dyads_missing']}." if found.get("dyads_missing") else None
    risk = _risk(view, found.get("dyads"), likely, dated) or why
    if risk:
        rows.append(("risk", "Main risk", risk))
    change = _change(view, issue, found, model) or why
    if change:
        rows.append(("change", "What would change it", change))
    rows.append(("trust", "How far to trust it", _trust(model, accuracy, reliability)))
    return {
        "id": issue.id,
        "name": issue.name or issue.id,
        "model": model,
        "rows": [{"key": k, "heading": h, "text": t} for k, h, t in rows],
    }


# --- sentences --------------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{float(value):.1f}"


def _pct(value: float) -> str:
    return f"{100 * float(value):.0f}%"


def _label(text: str) -> str:
    return f"“{text}”" if text else "no label on the scale"


def _scale(issue: Issue) -> str:
    return f"{issue.min:g}–{issue.max:g}"


def _futures(found: Mapping[str, Any]) -> list[tuple[str, float]]:
    return [(b["future"], float(b["probability"] or 0.0)) for b in found.get("branches") or []]


def _disagreement(
    entries: list[dict[str, Any]],
    headline: str,
    accuracy: Mapping[str, Any] | None,
    issue: Issue,
) -> str | None:
    if not entries:
        return None
    low = min(entries, key=lambda e: e["value"])
    high = max(entries, key=lambda e: e["value"])
    span = f"from {low['model']} at {_n(low['value'])} to {high['model']} at {_n(high['value'])}."
    if issue.scale:
        labels = {e["label"] for e in entries}
        if len(labels) < 2:
            return None
        text = f"Their forecasts lie nearest to {len(labels)} different points of the scale, {span}"
    else:  # no labels to tell them apart: a tenth of the scale
        gap = float(high["value"]) - float(low["value"])
        if gap <= (issue.max - issue.min) / 10:
            return None
        text = (
            f"Their forecasts lie {_n(gap)} apart on a scale without labels (more than a tenth "
            f"of its range), {span}"
        )
    mae = {r["model"]: r["mae"] for r in (accuracy or {}).get("rows", []) if r.get("mae")}
    if low["model"] in mae and high["model"] in mae:
        better, worse = sorted((low["model"], high["model"]), key=lambda m: mae[m])
        text += (
            f" On DEU III {better} has the better record of the two (mean absolute error "
            f"{_n(mae[better])} against {_n(mae[worse])})"
        )
        if headline in mae and headline not in (low["model"], high["model"]):
            text += f"; {headline}, used above, the best of all ({_n(mae[headline])})"
        text += "."
    else:
        text += " No DEU III record is bundled to choose between them."
    return text


def _settlement(rows: Sequence[Settlement], many_futures: bool) -> str:
    parts = []
    for by in dict.fromkeys((s.by, s.event) for s in rows):
        found = [s for s in rows if (s.by, s.event) == by]
        # numbered rounds: "by" is the last round counted
        when = (f"by round {by[0]}" if by[0].isdigit() else f"by {by[0]}") + (
            f" ({by[1]})" if by[1] else ""
        )
        cells = []
        for s in found:
            if s.probability is None:
                value = "settled" if s.settled else "not settled (no draws)"
            else:
                value = _pct(s.probability) + (
                    # every draw or none: a standard error of 0 would claim certainty
                    f" ({s.count} of {s.draws} draws)"
                    if s.se == 0 and s.draws
                    else f" ± {_pct(s.se)}"
                    if s.se is not None
                    else ""
                )
            cells.append(value + (f" under {s.future}" if many_futures else ""))
        if found[0].round is None:
            last = "no round falls on or before it"
        else:
            last = f"the last round before it: round {found[0].round}" + (
                f", {found[0].date}" if found[0].date else ""
            )
        parts.append(f"{when}: {', '.join(cells)} ({last})")
    return "Probability that every position has settled " + "; ".join(parts) + "."


def _when(entry: Mapping[str, Any]) -> str:
    date = entry.get("date")
    return f"round {entry['round']}" + (f", {date}" if date else "")


def _risk(
    view: StudyView,
    dyads: Mapping[str, Any] | None,
    future: str | None,
    dated: DatedRisks | None,
) -> str | None:
    if not dyads or not dyads["futures"]:
        return None
    shown = next((f for f in dyads["futures"] if f["name"] == future), dyads["futures"][0])
    label = view.label
    parts = []
    incentive: Mapping[str, Any] | None = dated.incentive if dated else None
    if incentive is None and shown["incentives"] and shown["incentives"][0]["gain"] > 0:
        top = shown["incentives"][0]
        incentive = {**top, "round": dyads["round"]}
    if incentive is not None:
        parts.append(
            f"{label(incentive['actor'])} has the largest crisis incentive (expected gain "
            f"{float(incentive['gain']):.2f} from challenging {label(incentive['target'])}, "
            f"{_when(incentive)})"
        )
    wrong: Mapping[str, Any] | None = dated.miscalculation if dated else None
    if wrong is None and shown["misperceptions"]:
        top = max(shown["misperceptions"], key=lambda m: (m["rounds"], -m["first"]))
        wrong = {
            "i": top["i"],
            "j": top["j"],
            "round": top["first"],
            "rounds": top["rounds"],
            "of": shown["rounds"],
        }
    if wrong is not None:
        often = f" in {wrong['rounds']} of {wrong['of']} rounds" if "rounds" in wrong else ""
        chance = (
            f" (probability {_pct(wrong['probability'])} over the draws)"
            if wrong.get("probability") is not None
            else ""
        )
        at = "first" if "rounds" in wrong else "likeliest in"
        parts.append(
            f"the most likely miscalculation is between {label(wrong['i'])} and "
            f"{label(wrong['j'])}, who see their dyad differently{often}{chance}, {at} "
            f"{_when(wrong)}"
        )
    if not parts:
        return None
    text = "; ".join(parts)
    where = f" Under {shown['name']} ({dyads['model']} model)." if len(dyads["futures"]) > 1 else ""
    return text[0].upper() + text[1:] + "." + where


def _change(view: StudyView, issue: Issue, found: Mapping[str, Any], model: str) -> str | None:
    parts = []
    advice = found.get("advice")
    levers = [lever for lever in (advice or {}).get("levers", []) if lever["gain"] > 0]
    if advice and levers:
        top = max(levers, key=lambda lever: lever["gain"])
        focal = view.label(advice["focal"])
        parts.append(
            f"the strongest lever: persuading {view.label(top['actor'])} "
            f"{_lever(top['change'], view)} would move the {advice['model']} forecast from "
            f"{_n(advice['forecast'])} to "
            f"{_n(top['forecast'])}, {_n(top['gain'])} nearer {possessive(focal)} position"
        )
    branches = found.get("branches") or []
    points = [(b["future"], float(b["points"][model])) for b in branches if model in b["points"]]
    if len(points) > 1:
        low = min(points, key=lambda p: p[1])
        high = max(points, key=lambda p: p[1])
        if high[1] - low[1] > 1e-9:
            parts.append(
                f"the deciding branch: {model} gives {_n(high[1])} under {high[0]} and "
                f"{_n(low[1])} under {low[0]} (from the inputs as given, the events applied)"
            )
        else:
            parts.append(f"no branch of the timeline changes the {model} forecast")
    if not parts:
        return None
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def _trust(
    model: str, accuracy: Mapping[str, Any] | None, reliability: Mapping[str, Any] | None
) -> str:
    row = next((r for r in (accuracy or {}).get("rows", []) if r["model"] == model), None)
    if row is None or row.get("mae") is None:
        text = f"No DEU III accuracy figure is bundled for {model}"
    else:
        n = accuracy.get("n_issues") if accuracy else None
        text = (
            f"On {n if n is not None else 'the'} {accuracy['dataset'] if accuracy else 'DEU III'} "
            f"test issues {possessive(model)} forecasts fell {_n(row['mae'])} points from the "
            "outcome on average (0–100)"
        )
        if row.get("within_10") is not None:
            text += f", {_pct(row['within_10'])} within 10 points"
    held = next((r for r in (reliability or {}).get("rows", []) if r["model"] == model), None)
    if held is not None and reliability:
        at = list(reliability["nominal"]).index(0.8) if 0.8 in reliability["nominal"] else None
        if at is not None:
            text += (
                f"; its calibrated 80% intervals held {_pct(held['observed'][at])} of "
                f"outcomes out of fold on {reliability['decisions']} EU decisions"
            )
    return text + ". Learned on EU legislation: a negotiation unlike it may fall outside."


def _lever(change: str, view: StudyView) -> str:
    """An advice lever's change (``moves +10 toward USA``, ``salience -20``) as the words
    after "persuading X".

    >>> class V:
    ...     label = staticmethod(lambda a: {"USA": "United States"}.get(a, a))
    >>> _lever("salience -20", V()), _lever("salience +5.5", V())
    ('to lower its salience by 20', 'to raise its salience by 5.5')
    >>> _lever("moves -10 toward USA", V())
    'to move 10 toward United States'
    """
    found = re.fullmatch(r"salience ([+-])(\S+)", change)
    if found:
        return f"to {'raise' if found[1] == '+' else 'lower'} its salience by {found[2]}"
    found = re.fullmatch(r"moves [+-]?(\S+) toward (.+)", change)
    if found:
        return f"to move {found[1]} toward {view.label(found[2])}"
    return f"({change})"
