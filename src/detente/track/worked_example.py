"""The bundled worked example: the six-party question, sealed as of 2004-05-10 and resolved.

**Resolved after the fact.** The question, its rubric, the seals and the resolutions were all
written in 2026, long after the events; the seal times are fixed at the scenario's date
(2004-05-10) so that the record shows what the 2004 scenario forecast, not so that it passes
for a forecast sealed then. A real sealed forecast is sealed by ``detente seal`` at the time
it is made, before the outcome is known, and its seal time is the clock's.

The file ``data/six-party-2004-record.json`` is made by :func:`build` (``python -m
detente.track.worked_example`` writes it); a test checks that building it again gives the same
content, digests included.

The seals: one simulation of the bundled ``six-party-2004`` scenario, 1,000 draws, seed 2004,
both election branches side by side, every model but ``smp``; and one of ``smp`` on the same
scenario with the election moved to round 0 (``smp`` takes timeline events only before its
first turn, and the election falls in round 1): for ``smp`` each branch holds from the start.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from detente.errors import InputError

__all__ = [
    "DRAWS",
    "MODELS",
    "NOTE",
    "RECORD_FILE",
    "SEED",
    "build",
    "load",
]

#: Models sealed from the scenario as bundled (every registered model but ``smp``).
MODELS: tuple[str, ...] = ("compromise", "median", "nash", "momentum", "eum", "exchange")
#: Sealed from the scenario with the election at round 0 (it refuses events during its run).
AT_START: tuple[str, ...] = ("smp",)
SMP_NOTE = (
    "smp takes timeline events only before its first turn, so it was run with the election at "
    "round 0: each branch holds from the start, where the other models meet it at round 1."
)
DRAWS = 1000
SEED = 2004
QUESTION_ID = "six-party-first-agreement"
RECORD_FILE = "six-party-2004-record.json"
#: The version tag of the bundled file.
BUNDLE_SCHEMA = "detente.track-bundle/1"
AS_OF = dt.datetime(2004, 5, 10, tzinfo=dt.UTC)
NOTE = (
    "resolved after the fact, worked example: the question, rubric, seals and resolutions were "
    "written in 2026; the seal time is fixed at the scenario's date, 2004-05-10, to show what "
    "the 2004 scenario forecast. A real sealed forecast is sealed before the outcome is known."
)

RUBRIC = (
    "The outcome is the first agreement on the terms of North Korea's nuclear disarmament that "
    "the six parties adopt together (a joint statement or agreement of the six-party talks). "
    "Read two things from its text: (a) what North Korea commits to give up, and how much of it "
    "up front; (b) when and how it is rewarded. Place each on the scale at the anchor whose "
    "label it matches (the anchors below say which outcome matches which label). When (a) and "
    "(b) match the same anchor, that is the outcome; when they match different anchors, the "
    "outcome is 0.8 x (a's anchor) + 0.2 x (b's anchor): the scale measures what North Korea "
    "gives up before it is rewarded, so what it gives up weighs most."
)
ANCHORS: dict[float, str] = {
    0.0: "North Korea freezes its programme and is rewarded at once; it does not commit to "
    "dismantle anything",
    25.0: "a freeze rewarded now; dismantlement promised in principle, with no scope or date",
    50.0: "a freeze (shutting down, sealing) as the first step, each later step rewarded in "
    "turn: 'action for action'",
    75.0: "North Korea commits up front to abandon all its nuclear weapons and programmes; "
    "limited rewards (energy aid, security assurances) while it does so",
    100.0: "complete, verified, irreversible dismantlement carried out before any reward",
}
NO_OUTCOME = (
    "No outcome if the six parties adopt no joint text on the terms of disarmament by "
    "2007-12-31, or if the talks are abandoned before then."
)

SOURCES_2005 = (
    "Joint Statement of the Fourth Round of the Six-Party Talks, Beijing, 19 September 2005 "
    "(Ministry of Foreign Affairs of the People's Republic of China); text copied from "
    "https://iri.edu.ar/publicaciones_iri/anuario/CD%20Anuario%202006/Asia/SIX1.htm"
)
QUOTE_2005 = (
    "The DPRK committed to abandoning all nuclear weapons and existing nuclear programs and "
    "returning, at an early date, to the Treaty on the Non-Proliferation of Nuclear Weapons and "
    "to IAEA safeguards."
)
REASON_2005 = (
    "(a) North Korea commits to abandon all nuclear weapons and existing programmes, up front: "
    "the 75 anchor. (b) The rewards are limited (energy assistance, a security assurance) but "
    "phased 'commitment for commitment, action for action' (point 5 of the statement, outside "
    "the bundled excerpt), the 50 anchor's sequencing. 0.8 x 75 + 0.2 x 50 = 70."
)
SOURCES_2007 = (
    "Initial Actions for the Implementation of the Joint Statement, Beijing, 13 February 2007 "
    "(as released by the US Department of State, media note of 13 February 2007); text copied "
    "from https://www.scoop.co.nz/stories/WO0702/S00227/north-korea-denuclearization-action-"
    "plan.htm"
)
QUOTE_2007 = (
    "The Parties agreed to take coordinated steps to implement the Joint Statement in a phased "
    'manner in line with the principle of "action for action".'
)
REASON_2007 = (
    "Read as the first agreement that bound North Korea to acts: (a) in the initial phase it "
    "shuts down and seals the Yongbyon facility 'for the purpose of eventual abandonment' "
    "(section II, outside the bundled excerpt), a freeze as the first step: the 50 anchor; "
    "(b) emergency energy assistance (50,000 tons of "
    "heavy fuel oil first) rewards each step, 'action for action': the 50 anchor. Outcome 50."
)


def _sources() -> Path:
    return Path(str(resources.files("detente.track") / "data" / "sources"))


def _checked(quote: str, file: str) -> str:
    from detente.scenario.evidence import quote_in_file

    if not quote_in_file(quote, file, _sources()):
        raise InputError(f"the worked example's quote is not verbatim in {file}: {quote!r}")
    return f"verbatim in the bundled excerpt detente/track/data/sources/{file}"


def build() -> dict[str, Any]:
    """Run the worked example: the question, the seals of every model and branch, the two
    resolutions; the ``detente.track-bundle/1`` document."""
    import detente
    from detente.simulate import simulate
    from detente.store import StoredRun, record_simulation
    from detente.track.questions import make_question
    from detente.track.record import make_resolution
    from detente.track.seal import seal_document

    scenario = detente.bundled("six-party-2004")
    question = make_question(
        QUESTION_ID,
        scenario,
        "disarmament",
        resolves_by=dt.date(2007, 12, 31),
        rubric=RUBRIC,
        anchors=ANCHORS,
        no_outcome=NO_OUTCOME,
        title="Terms of the first six-party agreement on North Korea's disarmament",
        written_at=AS_OF,
        note=NOTE,
    )

    def stored(sim: Any, run_id: str) -> StoredRun:
        record = record_simulation(sim, started=AS_OF, finished=AS_OF)
        return StoredRun(
            id=run_id,
            kind=record.kind,
            status=record.status,
            created=AS_OF,
            started=AS_OF,
            finished=AS_OF,
            detente_version=record.detente_version,
            scenario_hash=record.scenario.content_hash(),
            scenario_data=record.scenario.model_dump(mode="json"),
            models={k: dict(v) for k, v in record.models.items()},
            seed=record.seed,
            engine=record.engine,
            frame=record.frame,
            document=json.loads(json.dumps(record.document, allow_nan=False)),
        )

    sim = simulate(scenario, list(MODELS), draws=DRAWS, rng=SEED)
    seal = seal_document(
        question, stored(sim, "worked-example-six-party-2004-simulate"), sealed_at=AS_OF, note=NOTE
    )
    (election,) = scenario.timeline
    at_start = type(scenario).model_validate(
        scenario.model_copy(
            update={"timeline": [election.model_copy(update={"at": 0})]}
        ).model_dump()
    )
    smp = simulate(at_start, list(AT_START), draws=DRAWS, rng=SEED)
    smp_seal = seal_document(
        question,
        stored(smp, "worked-example-six-party-2004-smp"),
        sealed_at=AS_OF,
        note=f"{NOTE} {SMP_NOTE}",
    )
    resolutions = [
        make_resolution(
            question,
            70.0,
            source=SOURCES_2005,
            quote=QUOTE_2005,
            reading="2005-joint-statement",
            branch="bush-reelected",
            reason=REASON_2005,
            resolved_at=dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
            quote_checked=_checked(QUOTE_2005, "six-party-joint-statement-2005-09-19.txt"),
            note=NOTE,
        ),
        make_resolution(
            question,
            50.0,
            source=SOURCES_2007,
            quote=QUOTE_2007,
            reading="2007-initial-actions",
            branch="bush-reelected",
            reason=REASON_2007,
            resolved_at=dt.datetime(2026, 11, 30, tzinfo=dt.UTC),
            quote_checked=_checked(QUOTE_2007, "six-party-initial-actions-2007-02-13.txt"),
            note=NOTE,
        ),
    ]
    return {
        "schema": BUNDLE_SCHEMA,
        "note": NOTE,
        "questions": [question],
        "seals": [seal, smp_seal],
        "resolutions": resolutions,
    }


def load() -> dict[str, Any]:
    """The bundled worked example, as shipped (``data/six-party-2004-record.json``)."""
    text = (resources.files("detente.track") / "data" / RECORD_FILE).read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def dumps(bundle: dict[str, Any]) -> str:
    """The bundle's text as shipped: indented JSON, keys in their order, a final newline."""
    return json.dumps(bundle, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def main() -> None:  # pragma: no cover (writes the package's data file)
    """Write ``data/six-party-2004-record.json`` afresh."""
    target = Path(__file__).parent / "data" / RECORD_FILE
    target.write_text(dumps(build()), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")


if __name__ == "__main__":  # pragma: no cover
    main()
