"""``detente extract``: actors, quotes, stances and dated events from articles; a draft
scenario, or a comparison with an existing one. The extractor is imported when the command
runs, so ``detente --help`` stays light."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from detente.cli._console import JsonFlag, print_json, stderr, stdout
from detente.errors import InputError

__all__ = ["extract"]


def extract(
    articles: Annotated[
        list[Path], typer.Argument(help="Article files: plain text or saved HTML pages.")
    ],
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            help="Compare with this scenario (a file or a bundled name) instead of drafting: "
            "its evidence found, new quotes of its actors, actors and events it lacks.",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The articles' date (YYYY-MM-DD), for relative dates."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the draft scenario (YAML) to this file."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Find the actors, attributed quotes, stance cues and dated events of news articles.

    Every finding is the article's own words with its place in the text (--json gives the
    character offsets). With -o, write a draft scenario (draft: true) whose numbers are left
    to you: detente validate names each one. With --scenario, compare the articles with a
    scenario instead.

    Example: detente extract article.txt --as-of 2014-01-28 -o draft.yaml
    """
    from detente.evidence import extract as run_extract
    from detente.evidence import read_article

    date = _date(as_of)
    if scenario is not None and output is not None:
        raise InputError("give --scenario (compare) or -o (draft), not both")
    if output is not None:
        from detente._files import check_output

        check_output(output, what="draft")
    target = None
    if scenario is not None:
        from detente.scenario.bundled import open_scenario

        target = open_scenario(scenario)
    found = []
    for path in articles:
        try:
            article = read_article(path)
        except InputError as err:
            if len(articles) == 1:
                raise
            stderr.print(f"warning: skipped {err}", markup=False, highlight=False)
            continue
        result = run_extract(article, scenario=target, as_of=date)
        if not result.actors:
            stderr.print(
                f"warning: {path}: no actor found (no state, organisation or official the "
                "gazetteer or the scenario knows)",
                markup=False,
                highlight=False,
            )
        found.append(result)
    if not found:
        raise InputError("no article could be read: " + ", ".join(str(a) for a in articles))
    if not any(r.actors for r in found):
        raise InputError(
            "no actor found in " + ", ".join(r.article.name for r in found) + "; nothing to "
            "extract (is this a news article about a negotiation?)"
        )
    if target is not None:
        _compare(found, target, as_json)
        return
    if output is not None:
        _write_draft(found, output)
    if as_json:
        print_json({"schema": "detente.extract/1", "articles": [r.to_json() for r in found]})
    elif output is None:
        for result in found:
            _show(result)


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of {text!r}: not a date; give YYYY-MM-DD") from None


def _write_draft(found: list[Any], output: Path) -> None:
    from detente.evidence.draft import draft_document
    from detente.evidence.writing import draft_yaml, source_files
    from detente.scenario.io import write_text_atomic

    files, extra, hint = source_files(found, output)
    for path, text in extra:
        write_text_atomic(path, text)
    document = draft_document(list(zip(found, files, strict=True)))
    write_text_atomic(output, draft_yaml(document))
    quotes = sum(len(a.get("evidence", [])) for a in document["actors"])
    stderr.print(
        f"wrote {output}: draft scenario, {len(document['actors'])} actors, {quotes} quotes, "
        f"{len(document.get('timeline', []))} candidate events; check it with: "
        f"detente validate {output}{hint}",
        markup=False,
        highlight=False,
    )


def _show(result: Any) -> None:
    from rich.table import Table

    text = result.article.text
    date = result.as_of.isoformat() if result.as_of else "unknown (give --as-of)"
    stdout.print(
        f"[bold]{result.article.name}[/bold]  date: {date} ({result.date_from})", highlight=False
    )
    table = Table(title="Actors", title_justify="left")
    for column in ("Actor", "Name", "Mentions", "Seen as"):
        table.add_column(column, justify="right" if column == "Mentions" else "left")
    for a in result.actors:
        table.add_row(a.id, a.name, str(a.mentions), ", ".join(a.aliases))
    stdout.print(table)
    if result.ambiguous:
        shown = ", ".join(
            f"{m.text!r} at {m.start} ({' or '.join(m.candidates)})" for m in result.ambiguous
        )
        stdout.print(f"Ambiguous, not counted: {shown}", markup=False, highlight=False)
    table = Table(title="Quotes", title_justify="left")
    for column in ("Actor", "Speaker", "Kind", "Quote"):
        table.add_column(column)
    for q in result.quotes:
        table.add_row(q.actor or "-", q.person or q.speaker or "-", q.kind, _short(q.text, 90))
    stdout.print(table)
    table = Table(title="Stances", title_justify="left")
    for column in ("Holder", "Kind", "Target", "Bears on", "Cue", "Sentence"):
        table.add_column(column)
    for s in result.stances:
        table.add_row(
            s.holder or "-",
            s.kind,
            s.target or "-",
            s.bears_on,
            s.cue,
            _short(text[s.sentence[0] : s.sentence[1]], 70),
        )
    stdout.print(table)
    table = Table(title="Dated events", title_justify="left")
    for column in ("Date", "Precision", "Kind", "Words", "Sentence"):
        table.add_column(column)
    for e in result.events:
        table.add_row(
            e.date.isoformat() if e.date else "unresolved",
            e.precision,
            e.kind,
            e.words,
            _short(text[e.sentence[0] : e.sentence[1]], 70),
        )
    stdout.print(table)


def _compare(found: list[Any], target: Any, as_json: bool) -> None:
    from detente.evidence.draft import compare

    results = [(r, compare(r, target)) for r in found]
    if as_json:
        print_json(
            {
                "schema": "detente.extract-compare/1",
                "scenario": target.id,
                "articles": [{"file": r.article.name, **c.to_json()} for r, c in results],
            }
        )
        return
    for r, c in results:
        stdout.print(
            f"[bold]{r.article.name}[/bold] against scenario '{target.id}'", highlight=False
        )
        total = len(c.present) + len(c.absent)
        if c.absent:
            stdout.print(
                f"Evidence: {len(c.present)} of {total} quotes found; missing:", highlight=False
            )
            for actor, quote in c.absent:
                stdout.print(f"  {actor}: {_short(quote, 90)!r}", markup=False)
        else:
            stdout.print(
                f"Evidence: all present ({len(c.present)} of the scenario's quotes found "
                "verbatim in the article)",
                highlight=False,
            )
        stdout.print(f"Quotes already used as evidence: {len(c.used)}", highlight=False)
        stdout.print(f"New quotes of the scenario's actors: {len(c.new)}", highlight=False)
        for q in c.new:
            stdout.print(
                f"  {q.actor} ({q.person or q.speaker}): {_short(q.text, 90)!r}",
                markup=False,
                highlight=False,
            )
        unknown = ", ".join(f"{i} ({n}, {k}x)" for i, n, k in c.unknown_actors) or "none"
        stdout.print(
            f"Actors mentioned who are not in the scenario: {unknown}",
            markup=False,
            highlight=False,
        )
        stdout.print(f"Events not on the timeline: {len(c.new_events)}", highlight=False)
        for e in c.new_events:
            stdout.print(
                f"  {e.date.isoformat()} {e.kind}: {e.words!r}", markup=False, highlight=False
            )


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _relative(path: Path, folder: Path) -> str | None:
    try:
        return os.path.relpath(path.resolve(), folder.resolve())
    except ValueError:
        return None
