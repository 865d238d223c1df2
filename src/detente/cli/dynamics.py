"""``detente dynamics``: crisis incentives, miscalculation, instability and settlement over the
rounds (and dates) of a model with dyads."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from detente.cli._console import (
    DropOption,
    IssueOption,
    JsonFlag,
    NoStore,
    PresetOption,
    RoundDaysOption,
    RoundsOption,
    ScenarioRef,
    SetOption,
    SettingsOption,
    SourcesDir,
    SpreadOption,
    literal,
    one_model_options,
    open_what_if,
    print_json,
    print_split,
    print_what_if,
    save_run,
    stdout,
    warnings_to_stderr,
    working,
)
from detente.errors import InputError

__all__ = ["dynamics"]


def dynamics(
    scenario: ScenarioRef = "six-party-2004",
    issue: IssueOption = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="A model with dyads (default: the first, the expected utility model).",
        ),
    ] = None,
    round_days: RoundDaysOption = None,
    draws: Annotated[
        int,
        typer.Option(help="Monte Carlo draws per future for the probabilities (0: none).", min=0),
    ] = 200,
    seed: Annotated[
        int | None,
        typer.Option("--rng", help="Seed of the draws (default: drawn and recorded).", min=0),
    ] = None,
    tolerance: Annotated[
        float,
        typer.Option(
            help="Scale points: a round is settled when every actor is within this of the "
            "model's forecast.",
            min=0.0,
        ),
    ] = 5.0,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="DATE|ROUND",
            help="Also give P(settled by) this date (YYYY-MM-DD, with dated rounds) or round "
            "(repeatable; the timeline's events are always given).",
        ),
    ] = None,
    future: Annotated[
        str | None, typer.Option(help="One future of the timeline (default: each in turn).")
    ] = None,
    spread: SpreadOption = 0.0,
    option: SettingsOption = None,
    preset: PresetOption = None,
    rounds: RoundsOption = None,
    as_json: JsonFlag = False,
    sources: SourcesDir = None,
    set_: SetOption = None,
    drop: DropOption = None,
    no_store: NoStore = False,
) -> None:
    """Crisis incentives, misperceived pairs, expected conflicts, instability and the
    probability of settlement, round by round (and date by date), under each future.

    Example: detente dynamics six-party-2004 --round-days 30 --by 2004-11-02
    """
    from detente.analysis.dyads import dyads_model
    from detente.analysis.dynamics import check_tolerance
    from detente.analysis.dynamics import dynamics as run_dynamics

    check_tolerance(tolerance)
    asked = [_parse_by(text) for text in by or []]
    s = open_what_if(scenario, sources, set_, drop).with_round_days(round_days)
    info = dyads_model(model)
    options = one_model_options(info.name, option, preset, rounds)
    started = dt.datetime.now(dt.UTC)
    doing = "dynamics over time" + (f" over {draws} draws per future" if draws else "")
    with warnings_to_stderr(), working(doing):
        result = run_dynamics(
            s,
            issue,
            model=info.name,
            options=options,
            draws=draws,
            rng=seed,
            spread=spread,
            tolerance=tolerance,
            by=asked,
            futures=[future] if future else None,
        )
    if not no_store:
        from dataclasses import replace

        from detente.store import record_dynamics

        kept = save_run(record_dynamics(result, started=started, finished=dt.datetime.now(dt.UTC)))
        result = replace(result, run_id=kept)
    document = result.to_json()
    if as_json:
        print_json(document)
        return
    print_what_if(s)
    for f in document["futures"]:
        _print_future(s, document, f)


def _parse_by(text: str) -> dt.date | int:
    """A ``--by`` value: a round number or an ISO date (InputError otherwise)."""
    value = text.strip()
    if value.isascii() and value.isdigit():  # not "²", a digit int() refuses
        return int(value)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"--by '{text}' is neither a date (YYYY-MM-DD) nor a round number"
        ) from None


def _round(r: dict[str, Any]) -> str:
    return f"{r['round']} ({r['date']})" if r["date"] else str(r["round"])


def _p(value: float | None) -> str:
    return "" if value is None else f" ({value:.2f})"


def _print_future(s: Any, doc: dict[str, Any], f: dict[str, Any]) -> None:
    issue = doc["issue"]
    draws = doc["draws"]
    head = f", {draws} draws" if draws else ", the inputs as given (no draws: no probabilities)"
    stdout.print(
        Text.assemble(
            (s.name or s.id, "bold"),
            ", future ",
            (f["name"], "bold"),
            f", {doc['model']} on {issue}{head}",
        )
    )
    table = Table(
        title=literal(
            f"Round by round: settled (every actor within {doc['tolerance']:g} of the "
            "forecast), misperceived pairs, expected conflicts"
            + (" (probabilities over the draws in brackets)" if draws else "")
        ),
        title_justify="left",
    )
    for column in ("Round", "Events", "Settled", "Misperceived", "Conflicts"):
        table.add_column(column, justify="left" if column in ("Round", "Events") else "right")
    for r in f["rounds"]:
        table.add_row(
            literal(_round(r)),
            literal(", ".join(r["events"])),
            ("yes" if r["settled"] else "no") + _p(r["p_settled"]),
            f"{r['misperceived']}{_p(r['p_misperceived'])}",
            f"{r['conflicts']}{_p(r['p_conflict'])}",
        )
    stdout.print(table)
    ids = list(dict.fromkeys(a["actor"] for r in f["rounds"] for a in r["actors"]))
    incentive_rows: list[list[str | Text]] = []
    unstable_rows: list[list[str | Text]] = []
    for r in f["rounds"]:
        found = {a["actor"]: a for a in r["actors"]}
        incentive_rows.append([_round(r), *(_incentive(found.get(a)) for a in ids)])
        unstable_rows.append([_round(r), *(_instability(found.get(a)) for a in ids)])
    print_split(
        literal(
            f"Crisis incentive on {issue}: best expected gain from a challenge, target"
            + (" (mean over the draws)" if draws else "")
        ),
        ["Round", *ids],
        incentive_rows,
        right=range(1, len(ids) + 1),
    )
    print_split(
        literal(
            f"Instability on {issue}: expected conflicts, and the share of capability x "
            "salience held by the opponents"
        ),
        ["Round", *ids],
        unstable_rows,
        right=range(1, len(ids) + 1),
    )
    for b in f["settled_by"]:
        at = f"round {b['by']}" if isinstance(b["by"], int) else b["by"]
        what = f"{at} ({b['event']})" if b["event"] else at
        counted = (
            f"last round counted: {b['round']}" + (f", {b['date']}" if b["date"] else "")
            if b["round"] is not None
            else "no round counts"
        )
        if b["p"] is None:
            answer = f"{'yes' if b['settled'] else 'no'} for the inputs as given"
        else:
            answer = f"{b['p']:.3f} +/- {b['se']:.3f} ({b['count']} of {b['draws']} draws)"
        stdout.print(literal(f"P(settled by {what}) = {answer}; {counted}"))
    stdout.print()


def _incentive(a: dict[str, Any] | None) -> str:
    if a is None:
        return "-"
    text = _signed(a["incentive"]) + (f" {a['target']}" if a["target"] else "")
    if a["incentive_mean"] is not None:
        text += f" ({_signed(a['incentive_mean'])})"
    return text


def _signed(value: float) -> str:
    """``value`` with its sign to three places, a negative zero shown as +0.000.

    >>> _signed(-0.0001), _signed(-0.25), _signed(1.3104)
    ('+0.000', '-0.250', '+1.310')
    """
    return f"{round(value, 3) or 0.0:+.3f}"


def _instability(a: dict[str, Any] | None) -> str:
    if a is None:
        return "-"
    return f"{a['conflicts']}, {a['conflict_weight']:.2f}"
