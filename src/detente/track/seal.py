"""Sealed forecasts: a stored run frozen as a forecast of a question, with a digest.

A seal's ``detente.seal/1`` document holds the question (as written), the run's identity and
inputs (its id, kind, models and options, seed, the scenario's input hash, SHA-256 digests of
the stored scenario copy and of the run's output document), the time of sealing and, for every
model and branch, the forecast of the question's issue: its point and its distribution
(:func:`~detente.track.distribution.distribution_of`). Its ``digest`` is the SHA-256 of the
document's canonical JSON (:func:`canonical`) without its ``id`` and ``digest``; the seal's id
is ``seal-`` and the digest's first 12 hexadecimal digits.

:func:`check_document` recomputes the digest of a document alone (an exported seal, anywhere);
:func:`check_against_run` also recomputes everything the seal says of its run from the run as
stored now, and names what differs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any

import numpy as np

from detente.errors import InputError
from detente.track.distribution import distribution_of, forecast_keys
from detente.track.questions import threshold_of
from detente.track.scores import probability_met

if TYPE_CHECKING:
    from detente.store import StoredRun

__all__ = [
    "SEAL_SCHEMA",
    "canonical",
    "check_against_run",
    "check_document",
    "digest_of",
    "forecasts_digest",
    "seal_document",
    "sha256_of",
    "structure_problems",
]

#: Version tag of a seal's document.
SEAL_SCHEMA = "detente.seal/1"
#: Fields left out of the digest: the digest itself, and the id made from it.
_UNHASHED = ("id", "digest")


def canonical(value: Any) -> bytes:
    """The canonical JSON of ``value``: keys sorted, no spaces, UTF-8, no NaN.

    Floats are written by Python's shortest round-trip form, so a document read back from its
    JSON has the same canonical form.
    """
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_of(value: Any) -> str:
    """``sha256:`` and the hexadecimal SHA-256 of ``value``'s canonical JSON."""
    return "sha256:" + hashlib.sha256(canonical(value)).hexdigest()


def digest_of(document: dict[str, Any]) -> str:
    """The seal's digest: :func:`sha256_of` the document without its ``id`` and ``digest``."""
    return sha256_of({k: v for k, v in document.items() if k not in _UNHASHED})


def seal_document(
    question: dict[str, Any],
    run: StoredRun,
    *,
    sealed_at: dt.datetime | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """The ``detente.seal/1`` document of ``run`` as a forecast of ``question``.

    Parameters
    ----------
    question
        The question's ``detente.question/1`` document.
    run
        A stored forecast or simulation of the question's scenario.
    sealed_at
        The time of sealing (default: now, UTC).
    note
        Anything a reader should know (the worked example says it was sealed after the fact).

    Raises
    ------
    InputError
        The run is of another scenario, cannot be sealed (not a forecast or simulation), or has
        no forecast of the question's issue.
    """
    scenario_id = run.scenario_data.get("id")
    if scenario_id != question["scenario"]["id"]:
        raise InputError(
            f"run {run.id} is of scenario '{scenario_id}', and question {question['id']} asks "
            f"about scenario '{question['scenario']['id']}'"
        )
    issue_id = str(question["issue"]["id"])
    keys = [key for key in forecast_keys(run) if key[2] == issue_id]
    if not keys:
        raise InputError(f"run {run.id} has no forecast of issue '{issue_id}'")
    when = (sealed_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    document: dict[str, Any] = {
        "schema": SEAL_SCHEMA,
        "id": None,
        "digest": None,
        "sealed_at": when.isoformat(),
        "note": note,
        "question": question,
        "run": _run_identity(run),
        "forecasts": _forecasts(question, run, keys),
    }
    document["digest"] = digest_of(document)
    document["id"] = seal_id(document["digest"])
    return document


def seal_id(digest: str) -> str:
    """The seal's id: ``seal-`` and the digest's first 12 hexadecimal digits."""
    return "seal-" + digest.removeprefix("sha256:")[:12]


def _run_identity(run: StoredRun) -> dict[str, Any]:
    data = run.scenario_data
    return {
        "id": run.id,
        "kind": run.kind,
        "created": run.created.isoformat(),
        "detente_version": run.detente_version,
        "models": run.models,
        "seed": None if run.seed is None else str(run.seed),
        "engine": run.engine,
        "scenario": {
            "id": data.get("id"),
            "name": data.get("name", ""),
            "as_of": data.get("as_of"),
            "hash": _input_hash(run),
            "copy_sha256": sha256_of(data),
        },
        "document_sha256": sha256_of(run.document),
        "forecasts_sha256": forecasts_digest(run),
    }


def forecasts_digest(run: StoredRun) -> str:
    """``sha256:`` over the run's forecast rows as stored (every draw's, for a simulation):
    each column's name, then its values (text joined by the unit separator; numbers as
    little-endian doubles, NaN where empty), in the frame's order. A draw changed in the
    store changes it, even one that moves neither a quantile nor the median."""
    frame = run.frame
    rows = frame.loc[frame["quantity"].astype(str) == "forecast"]
    digest = hashlib.sha256()
    for column in sorted(rows.columns):
        digest.update(column.encode("utf-8") + b"\x1e")
        values = rows[column]
        if column == "value" or values.dtype.kind in "fiu":
            numbers = values.to_numpy(dtype="float64", na_value=np.nan)
            digest.update(numbers.astype("<f8").tobytes())
        else:
            digest.update("\x1f".join("" if v is None else str(v) for v in values).encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def _input_hash(run: StoredRun) -> str:
    """The scenario's content hash, recomputed from the stored copy (a copy changed since the
    run was kept then no longer matches the hash the run recorded)."""
    try:
        return run.scenario.content_hash()
    except Exception:  # a copy that no longer validates: its raw digest stands in, marked
        return "unreadable:" + sha256_of(run.scenario_data)


def _forecasts(
    question: dict[str, Any], run: StoredRun, keys: list[tuple[str, str | None, str]]
) -> list[dict[str, Any]]:
    threshold = threshold_of(question)
    out = []
    for model, branch, issue_id in keys:
        found = distribution_of(run, model, issue_id, branch)
        entry: dict[str, Any] = {
            "model": model,
            "options": run.models.get(model, {}),
            "branch": branch,
            "issue": issue_id,
            "point": found.point,
            "distribution": found.to_json(),
        }
        if threshold is not None:
            levels = found.levels or (0.5,)
            quantiles = found.quantiles or (found.point,)
            entry["probability"] = probability_met(levels, quantiles, *threshold)
        out.append(entry)
    return out


def structure_problems(document: Any) -> list[str]:
    """What a seal's document lacks to be read at all (a damaged or hand-edited file): its
    schema, its run's identity and every forecast's model, branch, issue, point and
    distribution. Empty when it can be read."""
    if not isinstance(document, dict) or document.get("schema") != SEAL_SCHEMA:
        found = document.get("schema") if isinstance(document, dict) else type(document).__name__
        return [f"not a {SEAL_SCHEMA} document (its schema is {found!r})"]
    problems = []
    run = document.get("run")
    if not isinstance(run, dict) or not isinstance(run.get("scenario"), dict):
        problems.append("the seal is damaged: its 'run' is missing or not an object")
    if not isinstance(document.get("question"), dict):
        problems.append("the seal is damaged: its 'question' is missing or not an object")
    forecasts = document.get("forecasts")
    if not isinstance(forecasts, list) or not forecasts:
        problems.append("the seal is damaged: its 'forecasts' are missing or empty")
        return problems
    for n, entry in enumerate(forecasts, start=1):
        missing = [
            key
            for key in ("model", "branch", "issue", "point", "distribution")
            if not isinstance(entry, dict) or key not in entry
        ]
        if missing:
            problems.append(
                f"the seal is damaged: forecast {n} lacks {', '.join(repr(k) for k in missing)}"
            )
            continue
        dist = entry["distribution"]
        if not isinstance(dist, dict) or not all(
            isinstance(dist.get(k), list) for k in ("levels", "quantiles")
        ):
            problems.append(f"the seal is damaged: forecast {n}'s distribution is not readable")
    return problems


def check_document(document: Any) -> list[str]:
    """What is wrong with a seal's document on its own: its structure, digest and id.

    Returns
    -------
    list of str
        Each problem in words; empty when the document is as it was sealed.
    """
    problems = structure_problems(document)
    if problems:
        return problems
    try:
        recomputed = digest_of(document)
    except (TypeError, ValueError) as err:
        return [f"the document cannot be put in canonical form: {err}"]
    if document.get("digest") != recomputed:
        problems.append(
            f"digest mismatch: the document says {document.get('digest')}, its content gives "
            f"{recomputed}: it was changed after sealing"
        )
    elif document.get("id") != seal_id(recomputed):
        problems.append(f"the seal's id {document.get('id')!r} is not the one its digest gives")
    return problems


def check_against_run(document: dict[str, Any], run: StoredRun) -> list[str]:
    """What differs between a seal and its run as stored now.

    Recomputes the scenario's input hash and the digest of its copy, the digest of the run's
    output document, its models and seed, and every sealed forecast (point and distribution)
    from the run's frame.

    Returns
    -------
    list of str
        Each difference in words; empty when the run is as it was sealed.
    """
    broken = structure_problems(document)
    if broken:
        return broken
    sealed = document["run"]
    problems = []
    try:
        now = _run_identity(run)
    except (InputError, KeyError, TypeError, ValueError) as err:
        return [f"run {run.id} can no longer be read as sealed: {err}"]
    if now["scenario"]["hash"] != sealed["scenario"].get("hash"):
        problems.append(
            f"the scenario changed: run {run.id}'s stored scenario copy now hashes to "
            f"{now['scenario']['hash']}, sealed as {sealed['scenario']['hash']}"
        )
    elif now["scenario"]["copy_sha256"] != sealed["scenario"].get("copy_sha256"):
        problems.append(f"the stored scenario copy of run {run.id} changed (same content hash)")
    if now["document_sha256"] != sealed.get("document_sha256"):
        problems.append(
            f"the run changed: run {run.id}'s output document now has digest "
            f"{now['document_sha256']}, sealed as {sealed.get('document_sha256')}"
        )
    if "forecasts_sha256" in sealed and now["forecasts_sha256"] != sealed["forecasts_sha256"]:
        problems.append(
            f"the run's stored forecasts changed (a draw, say): run {run.id}'s forecast rows now "
            f"have digest {now['forecasts_sha256']}, sealed as {sealed['forecasts_sha256']}"
        )
    for field in ("kind", "models", "seed"):
        if now[field] != sealed.get(field):
            problems.append(f"the run's {field} changed: {sealed.get(field)!r} -> {now[field]!r}")
    try:
        forecasts = _forecasts(
            document["question"],
            run,
            [(f["model"], f["branch"], f["issue"]) for f in document["forecasts"]],
        )
    except InputError as err:
        return [*problems, f"the run's forecasts changed: {err}"]
    for then, again in zip(document["forecasts"], forecasts, strict=True):
        if canonical(then) != canonical(again):
            where = f"model {then['model']}" + (
                f", branch {then['branch']}" if then["branch"] else ""
            )
            problems.append(
                f"the run's forecast changed ({where}): point {then['point']!r} sealed, "
                f"{again['point']!r} now"
                + ("" if then["point"] != again["point"] else " (its distribution differs)")
            )
    return problems
