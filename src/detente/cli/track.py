"""``detente question``, ``seal``, ``verify``, ``resolve`` and ``track``: the track record.

A thin shell over :mod:`detente.track` and the run store's questions, seals and resolutions.
Every command takes ``--store PATH`` (default: ``DETENTE_STORE``, else ``runs.db`` in the user
data directory). Bad input is an :class:`~detente.errors.InputError` (exit status 2); a seal
that no longer matches its document or its run makes ``verify`` exit with status 1.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from detente.cli._console import JsonFlag, print_json, print_split, stderr, stdout
from detente.cli.runs import StoreOption
from detente.errors import InputError

if TYPE_CHECKING:
    from detente.store import RunStore
    from detente.track import Record

__all__ = ["question_app", "resolve", "seal", "track", "verify"]

question_app = typer.Typer(
    name="question",
    help="Write down questions to forecast, before the fact: what, by when, and how the outcome "
    "will be read.\n\nExample: detente question list",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

QuestionId = Annotated[str, typer.Argument(help="The question's id.")]


def _writer(store: Path | None, *, create: bool = False) -> RunStore:
    from detente.store import RunStore

    return RunStore(store, create=create)


def _reader(store: Path | None) -> RunStore:
    from detente.store import RunStore

    return RunStore(store, readonly=True)


def _anchors(items: list[str]) -> dict[float, str]:
    anchors: dict[float, str] = {}
    for item in items:
        point, sep, text = item.partition("=")
        try:
            value = float(point)
        except ValueError:
            value = float("nan")
        if not sep or value != value:
            raise InputError(
                f'--anchor {item!r}: write POINT="outcome that maps there", e.g. '
                '--anchor 75="commits to dismantle everything up front"'
            )
        anchors[value] = text
    return anchors


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} {text!r}: give a date as YYYY-MM-DD") from None


@question_app.command("add")
def add_question(
    question_id: QuestionId,
    scenario: Annotated[
        str, typer.Option(help="The scenario (a file, or a bundled scenario's name).")
    ] = "six-party-2004",
    issue: Annotated[
        str,
        typer.Option(
            help="What is forecast: an issue id ('disarmament'), or a threshold on one "
            "('disarmament >= 75')."
        ),
    ] = "",
    resolves_by: Annotated[
        str, typer.Option("--resolves-by", help="The date by which it resolves (YYYY-MM-DD).")
    ] = "",
    rubric: Annotated[
        str, typer.Option(help="How a real-world outcome is mapped onto the issue's scale.")
    ] = "",
    anchor: Annotated[
        list[str] | None,
        typer.Option(
            metavar='POINT="TEXT"',
            help="For an anchor point of the scale, the outcome that maps there (repeatable).",
        ),
    ] = None,
    no_outcome: Annotated[
        str, typer.Option("--no-outcome", help='What counts as "no outcome".')
    ] = "",
    title: Annotated[str | None, typer.Option(help="What is forecast, in words.")] = None,
    store: StoreOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Write down a question before the fact, with its resolution rubric.

    Example: detente question add dprk-75 --issue "disarmament >= 75" --resolves-by 2005-12-31
    --rubric "..." --anchor 75="..." --no-outcome "..."
    """
    from detente.scenario.bundled import open_scenario
    from detente.track import make_question

    for name, value in (("--issue", issue), ("--resolves-by", resolves_by)):
        if not value.strip():
            raise InputError(f"question add needs {name}")
    found = open_scenario(scenario)
    document = make_question(
        question_id,
        found,
        issue,
        resolves_by=_date(resolves_by, "--resolves-by"),
        rubric=rubric,
        anchors=_anchors(anchor or []),
        no_outcome=no_outcome,
        title=title,
    )
    _writer(store, create=True).add_question(question_id, document)
    if as_json:
        print_json(document)
    else:
        stderr.print(f"question {question_id} written", markup=False)


@question_app.command("list")
def list_questions(store: StoreOption = None, as_json: JsonFlag = False) -> None:
    """List the questions in the store.

    Example: detente question list
    """
    questions = _reader(store).questions()
    if as_json:
        print_json({"schema": "detente.questions/1", "questions": questions})
        return
    rows = [
        [
            q["id"],
            q["threshold"]["text"] if q["threshold"] else q["issue"]["id"],
            q["resolves_by"],
            q["scenario"]["id"],
        ]
        for q in questions
    ]
    print_split("Questions", ["Id", "Forecast", "Resolves by", "Scenario"], rows)


@question_app.command("show")
def show_question(question_id: QuestionId, store: StoreOption = None) -> None:
    """Print a question's document (its rubric included) as JSON.

    Example: detente question show dprk-75
    """
    print_json(_reader(store).question(question_id))


def seal(
    run_id: Annotated[str, typer.Argument(help="A stored run's id (or a unique start of one).")],
    question: Annotated[str, typer.Option("--question", "-q", help="The question's id.")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Also write the seal's document to this file."),
    ] = None,
    store: StoreOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Seal a stored forecast or simulation as a forecast of a question (a vintage).

    The run can no longer be deleted, relabelled or annotated.

    Example: detente seal 20261123T0625 --question dprk-75
    """
    from detente._files import atomic_write, check_output
    from detente.track import seal_document

    if output is not None:
        check_output(output)
    runs = _writer(store)
    asked = runs.question(question)
    if runs.resolutions(question):
        raise InputError(
            f"question {question} is resolved already: a forecast is sealed before the fact"
        )
    run = runs.get(run_id)
    document = seal_document(asked, run)
    if dt.date.fromisoformat(asked["resolves_by"]) < dt.datetime.now(dt.UTC).date():
        stderr.print(
            f"warning: question {question} was to resolve by {asked['resolves_by']}: this seal "
            "is made after that date",
            markup=False,
        )
    runs.add_seal(document)
    if output is not None:
        text = json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
        atomic_write(output, lambda temporary: Path(temporary).write_text(text, "utf-8"))
    if as_json:
        print_json(document)
        return
    kinds = sorted({f["distribution"]["kind"] for f in document["forecasts"]})
    stderr.print(
        f"sealed run {run.id} as {document['id']} ({len(document['forecasts'])} forecasts, "
        f"{', '.join(kinds)}); digest {document['digest']}",
        markup=False,
    )
    if kinds == ["point"]:
        stderr.print(
            "note: the run has no draws: only its points are sealed, and their CRPS will be "
            "their absolute error",
            markup=False,
        )


def verify(
    what: Annotated[
        str,
        typer.Argument(metavar="SEAL_ID|FILE", help="A seal's id in the store, or a seal's file."),
    ],
    store: StoreOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Recompute a seal's digest (and, for a seal in the store, its run's forecasts and inputs).

    Exit status 1 when anything changed since sealing; every difference is named.

    Example: detente verify seal-2d0da05a7056
    """
    from detente.track import check_against_run, check_document

    path = Path(what)
    checked_run = False
    if path.suffix.lower() == ".json" or path.is_file():
        document = _read_document(path)
        problems = check_document(document)
        source = str(path)
    else:
        runs = _reader(store)
        found = runs.seal(what)
        document = found.document
        problems = check_document(document)
        broken = bool(problems) and not isinstance(document.get("run"), dict)
        if document.get("digest") != found.digest:
            problems.append(
                f"the store's digest column says {found.digest}, the document "
                f"{document.get('digest')}"
            )
        try:
            run = runs.get(found.run_id)
        except InputError as err:
            problems.append(f"the sealed run is gone from the store: {err}")
        else:
            if not broken:
                problems.extend(p for p in check_against_run(document, run) if p not in problems)
                checked_run = True
        source = f"the store {runs.path}"
    ok = not problems
    if as_json:
        print_json(
            {
                "schema": "detente.verify/1",
                "seal": document.get("id") if isinstance(document, dict) else None,
                "digest": document.get("digest") if isinstance(document, dict) else None,
                "source": source,
                "run_checked": checked_run,
                "ok": ok,
                "problems": problems,
            }
        )
    elif ok:
        stdout.print(
            f"seal {escape(str(document['id']))}: verified, digest {escape(document['digest'])}"
            + (
                " (the document, and its run as stored now)"
                if checked_run
                else " (the document alone: its run is not at hand)"
            )
        )
    else:
        for problem in problems:
            stderr.print(f"mismatch: {problem}", markup=False)
    if not ok:
        raise typer.Exit(1)


def _read_document(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file, and no seal has that id") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot be read ({err})") from None
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: not JSON ({err.msg}, line {err.lineno})") from None


def _outcome(text: str) -> float | None:
    if text.strip().lower() in {"none", "no-outcome"}:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"--outcome {text!r}: give a value on the issue's scale, or 'none' for no outcome"
        ) from None
    if value != value:
        raise InputError("--outcome: NaN is not an outcome; give 'none' for no outcome")
    return value


def resolve(
    question: QuestionId,
    outcome: Annotated[
        str,
        typer.Option(help="The outcome on the issue's scale, read by the rubric; 'none' for none."),
    ],
    source: Annotated[str, typer.Option(help="Where the outcome is documented.")],
    quote: Annotated[
        str | None, typer.Option(help="A verbatim quote from the source, as evidence.")
    ] = None,
    quote_file: Annotated[
        Path | None,
        typer.Option(
            "--quote-file",
            help="A copy of the source: the quote is checked to appear in it verbatim.",
        ),
    ] = None,
    reading: Annotated[
        str, typer.Option(help="Which reading of the question (when read against several).")
    ] = "main",
    branch: Annotated[
        str | None, typer.Option(help="The branch of the scenario's timeline that came true.")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why the rubric gives this value.")] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the current resolution (kept in history).")
    ] = False,
    store: StoreOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Record a question's outcome with its evidence; every sealed vintage is then scored.

    Example: detente resolve dprk-75 --outcome 70 --source "Joint Statement, Beijing,
    19 September 2005" --quote "The DPRK committed to abandoning all nuclear weapons"
    """
    from detente.track import make_resolution

    checked = None
    if quote_file is not None:
        from detente.scenario.evidence import quote_in_file

        if not quote:
            raise InputError("--quote-file checks a quote: give it with --quote")
        folder = quote_file.parent if str(quote_file.parent) else Path(".")
        if not quote_in_file(quote, quote_file.name, folder):
            raise InputError(f"--quote is not found verbatim in {quote_file}")
        checked = f"verbatim in {quote_file.name}"
    runs = _writer(store)
    asked = runs.question(question)
    if branch is not None:
        known = {
            str(f["branch"])
            for seal in runs.seals(question)
            for f in seal.document.get("forecasts") or []
            if isinstance(f, dict) and f.get("branch")
        }
        if known and branch not in known:
            raise InputError(
                f"--branch {branch!r}: the seals of {question} know the branches "
                f"{', '.join(sorted(known))}"
            )
    document = make_resolution(
        asked,
        _outcome(outcome),
        source=source,
        quote=quote,
        reading=reading,
        branch=branch,
        reason=reason,
        quote_checked=checked,
    )
    replaced = runs.add_resolution(question, reading, document, replace=replace)
    if as_json:
        print_json(document)
        return
    stderr.print(
        f"resolved {question} ({reading}): "
        + ("no outcome" if document["outcome"] is None else f"{document['outcome']:g}")
        + (" (the previous resolution is kept in the history)" if replaced else ""),
        markup=False,
    )


def track(
    question: Annotated[
        str | None, typer.Argument(help="Only this question (default: every question).")
    ] = None,
    export: Annotated[
        str | None,
        typer.Option(
            "--export", metavar="SEAL_ID", help="Write this seal's document (see --output)."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The file --export writes.")
    ] = None,
    example: Annotated[
        bool,
        typer.Option(
            "--example/--no-example", help="Show the bundled six-party worked example too."
        ),
    ] = True,
    store: StoreOption = None,
    as_json: JsonFlag = False,
) -> None:
    """The track record: every sealed vintage and model, scored against the outcome.

    The bundled worked example (the six-party question, resolved after the fact) is shown
    first, apart from the questions in your store.

    Example: detente track --json
    """
    if export is not None:
        _export(export, output, store)
        return
    if output is not None:
        raise InputError("--output is the file --export writes: give --export SEAL_ID with it")
    from detente.track import track_document

    records = []
    if example:
        records.append(_worked_example())
    user = _user_record(store)
    if user is not None:
        records.append(user)
    document = track_document(records)
    if question is not None:
        for record in document["records"]:
            record["questions"] = [
                q for q in record["questions"] if q["question"]["id"] == question
            ]
        if not any(record["questions"] for record in document["records"]):
            raise InputError(f"no question '{question}' in the track record")
    if as_json:
        print_json(document)
        return
    _print_track(document)


def _worked_example() -> Record:
    from detente.track import Record
    from detente.track.worked_example import load

    bundle = load()
    return Record(
        origin="bundled worked example",
        questions=bundle["questions"],
        seals=bundle["seals"],
        resolutions=bundle["resolutions"],
        note=bundle["note"],
    )


def intact_seals(seals: list[Any]) -> list[Any]:
    """The seals whose documents can be read; each damaged one is named on standard error and
    left out (one damaged seal does not take the whole record down)."""
    from detente.track import structure_problems

    intact = []
    for found in seals:
        broken = structure_problems(found.document)
        if broken:
            stderr.print(
                f"warning: seal {found.id} is left out of the record: {'; '.join(broken)} "
                f"(detente verify {found.id})",
                markup=False,
            )
            continue
        intact.append(found)
    return intact


def _user_record(store: Path | None) -> Record | None:
    from detente.store import MissingStoreError
    from detente.track import Record, check_against_run

    try:
        runs = _reader(store)
    except MissingStoreError:
        return None
    seals = intact_seals(runs.seals())
    checks: dict[str, list[str]] = {}
    for found in seals:
        try:
            checks[found.id] = check_against_run(found.document, runs.get(found.run_id))
        except InputError as err:
            checks[found.id] = [f"the sealed run is gone: {err}"]
    return Record(
        origin=f"your store ({runs.path})",
        questions=runs.questions(),
        seals=[found.document for found in seals],
        resolutions=[r.document for r in runs.resolutions()],
        history=[r.document for r in runs.resolutions(history=True) if not r.current],
        run_checks=checks,
    )


def _export(seal_id: str, output: Path | None, store: Path | None) -> None:
    from detente._files import atomic_write, check_output

    found = _reader(store).seal(seal_id)
    target = output or Path(f"{found.id}.json")
    check_output(target)
    text = json.dumps(found.document, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    atomic_write(target, lambda temporary: Path(temporary).write_text(text, "utf-8"))
    stderr.print(f"wrote {escape(str(target))}")


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _hit(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def _interval(ends: list[float] | None) -> str:
    return "-" if ends is None else f"{ends[0]:.1f}-{ends[1]:.1f}"


def _print_track(document: dict[str, Any]) -> None:
    shown = False
    for record in document["records"]:
        head = f"[bold]{escape(record['origin'])}[/bold]"
        if record["note"]:
            head += f"\n{escape(record['note'])}"
        stdout.print(head)
        if not record["questions"]:
            stdout.print("No questions yet (detente question add).\n")
            continue
        for entry in record["questions"]:
            shown = True
            _print_question(entry)
    if not shown:
        stdout.print("No track record yet.")


def _print_question(entry: dict[str, Any]) -> None:
    q = entry["question"]
    what = q["threshold"]["text"] if q["threshold"] else q["issue"]["id"]
    stdout.print(
        f"\nQuestion [bold]{escape(q['id'])}[/bold]: {escape(q['title'])} "
        f"({escape(what)}; resolves by {escape(q['resolves_by'])})"
    )
    for r in entry["resolutions"]:
        value = "no outcome" if r["outcome"] is None else f"{r['outcome']:g}"
        stdout.print(
            f"  resolved, reading {escape(r['reading'])}: {escape(value)}"
            + (f"; branch that came true: {escape(r['branch'])}" if r["branch"] else "")
            + f"\n    source: {escape(r['source'])}"
            + (f'\n    quote: "{escape(r["quote"])}"' if r["quote"] else "")
        )
    if entry["replaced"]:
        stdout.print(f"  ({len(entry['replaced'])} earlier resolution(s) replaced, kept)")
    if not entry["resolutions"]:
        stdout.print("  not resolved yet")
    for vintage in entry["vintages"]:
        status = "verified" if vintage["verified"] else "MISMATCH"
        stdout.print(
            f"  vintage {escape(vintage['sealed_at'][:10])}: seal {escape(vintage['seal'])}, "
            f"run {escape(vintage['run'])}, {status}"
        )
        for problem in vintage["problems"]:
            stdout.print(f"    mismatch: {escape(problem)}")
        headers = ["Reading", "Model", "Branch", "Point", "50%", "80%", "Outcome"]
        headers += ["|err|", "CRPS", "In 50%", "In 80%"]
        if q["threshold"]:
            headers += ["P(met)", "Brier"]
        rows = []
        for n, resolution in enumerate(entry["resolutions"] or [None]):
            for f in vintage["forecasts"]:
                s = f["scores"][n] if resolution is not None else None
                branch = f["branch"] or "-"
                if s is not None and s["branch_came_true"]:
                    branch += " *"
                row = [
                    "-" if resolution is None else resolution["reading"],
                    f["model"],
                    branch,
                    _number(f["point"]),
                    _interval(f["interval_50"]),
                    _interval(f["interval_80"]),
                ]
                if s is None:
                    row += ["-"] * 5
                else:
                    crps = _number(s["crps"]) + (" (point)" if s["crps_of"] == "point" else "")
                    outcome = "none" if s["outcome"] is None else f"{s['outcome']:g}"
                    row += [
                        outcome,
                        _number(s["abs_error"]),
                        crps,
                        _hit(s["in_50"]),
                        _hit(s["in_80"]),
                    ]
                if q["threshold"]:
                    row.append("-" if f["probability"] is None else f"{f['probability']:.2f}")
                    row.append("-" if s is None or s["brier"] is None else f"{s['brier']:.3f}")
                rows.append(row)
        title = f"{q['id']}, sealed {vintage['sealed_at'][:10]}"
        print_split(title, headers, rows, keys=3, right=range(3, len(headers)))
    if any(
        s["branch_came_true"]
        for v in entry["vintages"]
        for f in v["forecasts"]
        for s in f["scores"]
    ):
        stdout.print("  * the branch that came true")
