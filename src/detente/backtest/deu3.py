"""DEU III, the EU legislative decisions data set with known outcomes, read into scenarios.

The bundled file ``data/deu3.csv`` is a copy of DEU III (Arregui & Perarnaud 2022, data deposit
doi:10.34810/data53, CC BY 4.0), which merges the three DEU waves: 141 proposals, 364 issues,
1996-2019, with a row of GDP figures added. :func:`load_deu3` reads it (or another file with the
same layout), applies the data set's missing-value rules and returns one :class:`Deu3Issue` per
row; :meth:`Deu3Issue.to_scenario` makes a one-issue :class:`~detente.scenario.Scenario` of it.

Rules, from the data set's README:

- blanks, ``999`` and any value outside [0, 100] are missing;
- an actor takes part in an issue when it has both a position and a salience there;
- an issue is *scoreable* when it has an outcome and at least 3 taking part (351 issues);
- proposals with an odd ``prnrnmc`` are the development half, even ones the test half.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from detente.errors import InputError, ScenarioError
from detente.scenario.model import Actor, Issue, Scenario, Source

__all__ = [
    "ACTORS",
    "ACTOR_NAMES",
    "CITATION",
    "DEU3_SHA256",
    "MAX_DATA_BYTES",
    "SPLITS",
    "Deu3",
    "Deu3Issue",
    "load_deu3",
    "proposal_scenario",
]

#: A DEU III file larger than this is refused before it is read (the bundled copy is 88 kB).
MAX_DATA_BYTES = 16 * 1024 * 1024

#: Actor codes in the file's column order: the Commission, the Parliament, then member states.
ACTORS: tuple[str, ...] = (
    "com", "ep", "at", "be", "bu", "cr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "el", "hu",
    "ie", "it", "lv", "lt", "lu", "mt", "nl", "pl", "pt", "ro", "si", "sk", "es", "se", "uk",
)  # fmt: skip

ACTOR_NAMES: dict[str, str] = {
    "com": "European Commission",
    "ep": "European Parliament",
    "at": "Austria",
    "be": "Belgium",
    "bu": "Bulgaria",
    "cr": "Croatia",
    "cy": "Cyprus",
    "cz": "Czech Republic",
    "dk": "Denmark",
    "ee": "Estonia",
    "fi": "Finland",
    "fr": "France",
    "de": "Germany",
    "el": "Greece",
    "hu": "Hungary",
    "ie": "Ireland",
    "it": "Italy",
    "lv": "Latvia",
    "lt": "Lithuania",
    "lu": "Luxembourg",
    "mt": "Malta",
    "nl": "Netherlands",
    "pl": "Poland",
    "pt": "Portugal",
    "ro": "Romania",
    "si": "Slovenia",
    "sk": "Slovakia",
    "es": "Spain",
    "se": "Sweden",
    "uk": "United Kingdom",
}

#: Which issues a backtest scores: the development half, the test half, or both.
SPLITS: tuple[str, ...] = ("dev", "test", "all")

#: SHA-256 of the bundled copy (as given in the data set's README).
DEU3_SHA256 = "3fbb9606abecb9d0725d7cb7077543c53331f5ec8b50f5294672644f354d5170"

CITATION = (
    "Arregui, J. & Perarnaud, C. (2022). A new dataset on legislative decision-making in the "
    "European Union: the DEU III dataset. Journal of European Public Policy 29(1). Data: "
    "doi:10.34810/data53, licensed CC BY 4.0. Waves I and II: Thomson, Stokman, Achen & "
    "Koenig (eds.), The European Union Decides (2006); Thomson et al. (2012)."
)

_HEADER = (
    ["prnrnmc", "isnrnmc", "prnr", "prname", "isnr", "type", "council", "proc", "counvte"]
    + ["proccde", "issues", "intro", "finact"]
    + [f"p{a}" for a in ACTORS]
    + [f"s{a}" for a in ACTORS]
    + ["rp", "out"]
)
_MIN_ACTORS = 3


@dataclass(frozen=True, eq=False)  # holds arrays: compared by identity
class Deu3Issue:
    """One controversial issue of one proposal, with the actors that took part in it.

    ``actors`` are the codes of :data:`ACTORS` with both a position and a salience;
    ``positions`` and ``saliences`` (0-100) follow their order. ``reference_point`` (the status
    quo) and ``outcome`` are ``None`` when missing. ``wave`` is the DEU wave (1: proposals
    introduced 1996-2000 in the EU of 15; 2: 2003-2008, after the 2004 enlargement; 3: 2012-2018).
    """

    proposal: int
    issue: int
    code: str
    proposal_name: str
    instrument: str
    council: str
    procedure: str
    voting: str
    introduced: dt.date
    actors: tuple[str, ...]
    positions: np.ndarray
    saliences: np.ndarray
    reference_point: float | None
    outcome: float | None
    line: int

    @property
    def split(self) -> str:
        """``"dev"`` for odd proposal numbers, ``"test"`` for even ones."""
        return "dev" if self.proposal % 2 == 1 else "test"

    @property
    def wave(self) -> int:
        """The DEU wave, by introduction date (before 2002: 1; before 2011: 2; else 3)."""
        if self.introduced.year < 2002:
            return 1
        return 2 if self.introduced.year < 2011 else 3

    @property
    def scoreable(self) -> bool:
        """Has an outcome and at least 3 actors with a position and a salience."""
        return self.outcome is not None and len(self.actors) >= _MIN_ACTORS

    def to_scenario(self, capabilities: Sequence[float] | np.ndarray | None = None) -> Scenario:
        """This issue as a one-issue scenario (the reference point as its status quo).

        Parameters
        ----------
        capabilities
            One per taking-part actor, in :attr:`actors` order (default: 1 each); see
            :mod:`detente.backtest.capability`.
        """
        caps = np.ones(len(self.actors)) if capabilities is None else np.asarray(capabilities)
        if caps.shape != (len(self.actors),):
            raise ValueError(f"need {len(self.actors)} capabilities, got shape {caps.shape}")
        issue_id = f"i{self.issue}"
        return Scenario(
            id=f"deu3-{self.code}",
            name=f"{self.proposal_name} ({self.code})",
            as_of=self.introduced,
            description=(
                f"DEU III issue {self.issue} of proposal {self.proposal}: {self.instrument}, "
                f"{self.procedure}, {self.voting}, {self.council} Council."
            ),
            sources=[Source(id="deu3", title="DEU III data set", author=CITATION)],
            issues=[
                Issue(
                    id=issue_id,
                    name=self.code,
                    min=0,
                    max=100,
                    status_quo=self.reference_point,
                )
            ],
            actors=[
                Actor(
                    id=code,
                    name=ACTOR_NAMES[code],
                    capability=float(cap),
                    position={issue_id: float(x)},
                    salience={issue_id: float(s)},
                )
                for code, cap, x, s in zip(
                    self.actors, caps, self.positions, self.saliences, strict=True
                )
            ],
        )


def proposal_scenario(
    issues: Sequence[Deu3Issue], capabilities: Sequence[Sequence[float] | np.ndarray]
) -> Scenario:
    """The issues of one proposal as one scenario, for models that trade across issues.

    Every actor taking part in some issue is an actor of the scenario, with the capability
    ``capabilities`` gives it (one sequence per issue, in its :attr:`~Deu3Issue.actors` order;
    an actor's capability must not differ between the issues). On an issue it took no part in
    an actor has salience 0 (no stake: it carries no weight and trades nothing there) and sits
    at the reference point (or the middle of the scale when there is none).
    """
    if not issues:
        raise ValueError("a proposal scenario needs at least one issue")
    if len({i.proposal for i in issues}) != 1:
        raise ValueError("the issues of a proposal scenario must come from one proposal")
    caps: dict[str, float] = {}
    for issue, row in zip(issues, capabilities, strict=True):
        for code, cap in zip(issue.actors, row, strict=True):
            if caps.setdefault(code, float(cap)) != float(cap):
                raise ValueError(f"{code}: capability differs between the issues of a proposal")
    codes = [a for a in ACTORS if a in caps]
    first = issues[0]
    issue_ids = [f"i{i.issue}" for i in issues]
    actors = []
    for code in codes:
        position, salience = {}, {}
        for issue, issue_id in zip(issues, issue_ids, strict=True):
            if code in issue.actors:
                k = issue.actors.index(code)
                position[issue_id] = float(issue.positions[k])
                salience[issue_id] = float(issue.saliences[k])
            else:
                rp = issue.reference_point
                position[issue_id] = 50.0 if rp is None else float(rp)
                salience[issue_id] = 0.0
        actors.append(
            Actor(
                id=code,
                name=ACTOR_NAMES[code],
                capability=caps[code],
                position=position,
                salience=salience,
            )
        )
    return Scenario(
        id=f"deu3-proposal-{first.proposal}",
        name=first.proposal_name,
        as_of=first.introduced,
        description=(
            f"DEU III proposal {first.proposal}: {len(issues)} issues ({first.instrument}, "
            f"{first.procedure}, {first.voting}, {first.council} Council)."
        ),
        sources=[Source(id="deu3", title="DEU III data set", author=CITATION)],
        issues=[
            Issue(id=issue_id, name=i.code, min=0, max=100, status_quo=i.reference_point)
            for issue_id, i in zip(issue_ids, issues, strict=True)
        ],
        actors=actors,
    )


@dataclass(frozen=True)
class Deu3:
    """The whole data set: every issue, the GDP row and the file's digest."""

    issues: tuple[Deu3Issue, ...]
    gdp: dict[str, float]
    sha256: str
    path: str

    def select(self, split: str = "all", *, scoreable: bool = True) -> tuple[Deu3Issue, ...]:
        """The issues of one half (``dev``, ``test`` or ``all``), by default only scoreable ones."""
        if split not in SPLITS:
            raise InputError(f"--split is one of {', '.join(SPLITS)}, not '{split}'")
        return tuple(
            i
            for i in self.issues
            if (split == "all" or i.split == split) and (i.scoreable or not scoreable)
        )


def load_deu3(path: str | Path | None = None) -> Deu3:
    """Read DEU III: the bundled copy, or a file with the same layout.

    Raises
    ------
    InputError
        The file is missing, not tab-separated text with the 75 DEU III columns, or has a row
        whose ids or date cannot be read (the message names the file, line and column).

    Examples
    --------
    >>> from detente.backtest import load_deu3
    >>> data = load_deu3()
    >>> len(data.issues), len(data.select("all")), len(data.select("dev")), data.gdp["de"]
    (364, 351, 180, 4.1)
    """
    if path is None:
        raw = (resources.files("detente.backtest") / "data" / "deu3.csv").read_bytes()
        name = "deu3.csv (bundled)"
    else:
        raw = _read_data(Path(path))
        name = str(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{name}: not UTF-8 text (byte {err.start})") from err
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    if not rows or rows[0] != _HEADER:
        got = rows[0] if rows else []
        missing = [c for c in _HEADER if c not in got]
        raise InputError(
            f"{name}:1: not the DEU III layout (tab-separated, 75 columns from prnrnmc to out)"
            + (f"; missing columns: {', '.join(missing[:8])}" if missing else "")
        )
    if len(rows) < 3:
        raise InputError(f"{name}: no issues after the header and the GDP row")
    col = {c: k for k, c in enumerate(_HEADER)}
    gdp = {a: _number(rows[1][col[f"p{a}"]]) for a in ACTORS}
    issues = tuple(_issue(row, col, name, line) for line, row in enumerate(rows[2:], start=3))
    return Deu3(
        issues=issues,
        gdp={a: v for a, v in gdp.items() if v is not None},
        sha256=hashlib.sha256(raw).hexdigest(),
        path=name,
    )


def _read_data(path: Path) -> bytes:
    """The bytes of a DEU III file the user named: refused, before reading, when it is not a
    regular file (a device or a named pipe would be read forever) or over :data:`MAX_DATA_BYTES`."""
    from detente.scenario._text import path_kind

    def fail(reason: str) -> InputError:
        return InputError(f"{path}: cannot read the DEU III file: {reason}")

    try:
        kind = path_kind(path)
    except ScenarioError as err:  # a name too long, a NUL, no permission to look
        raise fail(err.problems[0].message.removeprefix("cannot be read: ")) from None
    if kind == "missing":
        raise fail("No such file or directory")
    if kind != "file":
        raise fail(
            (
                "it is a folder"
                if kind == "folder"
                else "it is not a regular file (a named pipe, device or socket)"
            )
            + "; give the file"
        )
    try:
        # O_NONBLOCK: should the path become a pipe after the check, opening it does not block
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise fail("it is not a regular file (a named pipe, device or socket)")
            raw = handle.read(MAX_DATA_BYTES + 1)
    except OSError as err:
        raise fail(err.strerror or str(err)) from None
    if len(raw) > MAX_DATA_BYTES:
        raise fail(
            f"it is over {MAX_DATA_BYTES // 1024**2} MB, and DEU III files are limited to that "
            "(the bundled copy takes 88 kB)"
        )
    return raw


def _issue(row: list[str], col: dict[str, int], name: str, line: int) -> Deu3Issue:
    if len(row) != len(_HEADER):
        raise InputError(f"{name}:{line}: {len(row)} columns, DEU III rows have {len(_HEADER)}")

    def field(c: str) -> str:
        return row[col[c]].strip()

    try:
        proposal, issue = int(field("prnrnmc")), int(field("isnrnmc"))
    except ValueError as err:
        raise InputError(f"{name}:{line}: prnrnmc/isnrnmc must be whole numbers") from err
    positions = [_score(field(f"p{a}")) for a in ACTORS]
    saliences = [_score(field(f"s{a}")) for a in ACTORS]
    taking_part = [
        k for k in range(len(ACTORS)) if positions[k] is not None and saliences[k] is not None
    ]
    return Deu3Issue(
        proposal=proposal,
        issue=issue,
        code=field("isnr"),
        proposal_name=field("prname"),
        instrument=field("type"),
        council=field("council"),
        procedure=field("proc"),
        voting=field("counvte"),
        introduced=_date(field("intro"), name, line),
        actors=tuple(ACTORS[k] for k in taking_part),
        positions=np.array([positions[k] for k in taking_part], dtype=float),
        saliences=np.array([saliences[k] for k in taking_part], dtype=float),
        reference_point=_score(field("rp")),
        outcome=_score(field("out")),
        line=line,
    )


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _score(text: str) -> float | None:
    """A 0-100 value, or None for blanks, 999 and anything off the scale."""
    value = _number(text)
    return value if value is not None and 0.0 <= value <= 100.0 else None


def _date(text: str, name: str, line: int) -> dt.date:
    """``intro``: ``DD-MM-YY`` or ``DD-MM-YYYY``; a spreadsheet turned some into ``20DD-MM-YY``.

    In the damaged form the day went into the century digits: ``2014-07-04`` was ``14-07-04``
    (14 July 2004), and ``1930-05-05`` was ``30-05-05``.
    """
    parts = text.split("-")
    try:
        if len(parts) == 3 and len(parts[0]) == 4:
            day, month, year = int(parts[0][2:]), int(parts[1]), int(parts[2])
        else:
            day, month, year = int(parts[0]), int(parts[1]), int(parts[2])
        if year < 100:
            year += 1900 if year > 50 else 2000
        return dt.date(year, month, day)
    except (ValueError, IndexError) as err:
        raise InputError(
            f"{name}:{line}: intro '{text}' is not a date (DD-MM-YY or DD-MM-YYYY)"
        ) from err
