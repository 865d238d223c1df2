"""The backtest: every model and baseline forecasts every scoreable DEU III issue, then scores.

Each issue becomes a one-issue scenario (:meth:`~detente.backtest.Deu3Issue.to_scenario`) with
capabilities from one source, and every model runs on it through :func:`detente.forecast`, the
same path a user's scenario takes. A model that trades across issues (``joint`` in its
metadata) runs instead on all the issues of a proposal at once
(:func:`~detente.backtest.deu3.proposal_scenario`), and is scored on each. Three baselines need
no model: the median actor (the median of the positions of the actors taking part, unweighted),
the Commission's position and the reference point (status quo). A baseline is scored on the
issues where it exists (the Commission has no position on 5 issues, the reference point is
missing on 99).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from detente import models as registry
from detente._rng import seed_fields
from detente._version import __version__
from detente.backtest.calibrate import DEU3_SPREAD, Calibration, calibrate
from detente.backtest.capability import CAPABILITY_SOURCES, capabilities
from detente.backtest.deu3 import CITATION, Deu3, Deu3Issue, proposal_scenario
from detente.backtest.score import paired_bootstrap, point_scores
from detente.errors import InputError
from detente.forecasting import forecast, resolve_models

__all__ = [
    "BACKTEST_SCHEMA",
    "BASELINES",
    "MAX_BOOTSTRAP",
    "REFERENCE",
    "Backtest",
    "DatasetRef",
    "backtest",
    "default_models",
]

#: Version tag of the JSON document :meth:`Backtest.to_json` returns.
BACKTEST_SCHEMA = "detente.backtest/1"
#: The most Monte Carlo draws per issue the calibration takes (it keeps them all).
MAX_CALIBRATION_DRAWS = 100_000
#: The most bootstrap replicates: more only spend time and memory (replicates x proposals), and
#: 2,000 already fix a 95% interval's ends to well under a tenth of a point.
MAX_BOOTSTRAP = 100_000
#: The baselines scored beside the models.
BASELINES: tuple[str, ...] = ("median-actor", "commission", "reference-point")
#: The model every other is compared with in the bootstrap (the registry's reference model).
REFERENCE = registry.REFERENCE
_GROUPS = {"procedure": "procedure", "wave": "wave"}


def default_models() -> tuple[str, ...]:
    """Every registered model, in registry order."""
    return registry.names()


@dataclass(frozen=True, eq=False)  # holds DataFrames: compared by identity
class Backtest:
    """Forecasts of every model and baseline on every scored issue, and their scores.

    ``frame`` has one row per (issue, model): ``proposal``, ``issue``, ``code``, ``split``,
    ``procedure``, ``wave``, ``model``, ``forecast``, ``outcome``, ``error`` (absolute).
    ``unsettled`` counts, per dynamic model, the issues on which it stopped at its round limit
    without settling (its forecast there is the last round's).
    """

    split: str
    capability: str
    models: tuple[str, ...]
    options: dict[str, dict[str, Any]]
    seed: int
    n_boot: int
    data_sha256: str
    frame: pd.DataFrame
    calibration: Calibration | None = None
    unsettled: dict[str, int] | None = None
    detente_version: str = __version__

    @property
    def compared_with(self) -> str:
        """The model every other is compared with in the bootstrap."""
        return REFERENCE

    @property
    def dataset(self) -> DatasetRef:
        """The data set the backtest ran on, as the run store keeps it."""
        return DatasetRef.of(self)

    @property
    def names(self) -> tuple[str, ...]:
        """Models then baselines, in table order."""
        return self.models + BASELINES

    def scores(self, by: str | None = None) -> pd.DataFrame:
        """Point scores per model (and per ``procedure`` or ``wave`` when ``by`` is given)."""
        keys = ["model"] if by is None else [_GROUPS[by], "model"]
        rows = []
        for key, part in self.frame.groupby(keys, sort=False):
            labels = key if isinstance(key, tuple) else (key,)
            rows.append(
                dict(zip(keys, labels, strict=True)) | point_scores(part["error"].to_numpy())
            )
        table = pd.DataFrame(rows)
        order = {name: k for k, name in enumerate(self.names)}
        table["_order"] = table["model"].map(order)
        sort = ["_order"] if by is None else [_GROUPS[by], "_order"]
        return table.sort_values(sort).drop(columns="_order").reset_index(drop=True)

    def bootstrap(self) -> pd.DataFrame:
        """Each model's MAE minus ``compromise``'s on their common issues, with a 95% interval.

        Proposals are resampled (``n_boot`` replicates), with a generator seeded by ``seed``.
        """
        wide = self.frame.pivot(index=["proposal", "issue"], columns="model", values="error")
        rng = np.random.default_rng(self.seed)
        rows = []
        for name in self.names:
            if name == REFERENCE or REFERENCE not in wide:
                continue
            both = wide[[name, REFERENCE]].dropna()
            diff, lo, hi = paired_bootstrap(
                both[name].to_numpy(),
                both[REFERENCE].to_numpy(),
                both.index.get_level_values("proposal").to_numpy(),
                n_boot=self.n_boot,
                rng=rng,
            )
            rows.append({"model": name, "n": len(both), "diff": diff, "low": lo, "high": hi})
        return pd.DataFrame(rows, columns=["model", "n", "diff", "low", "high"])

    def _repr_html_(self) -> str:
        """The backtest in a notebook: the scores table of :meth:`to_markdown`."""
        from detente import _html

        n_issues = int(self.frame[["proposal", "issue"]].drop_duplicates().shape[0])
        rows = self._score_rows(self.scores())
        header = list(rows[0]) if rows else ["model"]
        return _html.block(
            f"DEU III backtest: {self.split} half, {_html.count(n_issues, 'scoreable issue')}",
            _html.line(
                f"Capability source: {self.capability}. Errors in points on the 0-100 scale. "
                f"Bootstrap seed {self.seed}, {self.n_boot} replicates over proposals."
            ),
            _html.table(header, ([r[h] for h in header] for r in rows), caption="Scores"),
            *(_html.line(text) for text in self._unsettled_lines() if text),
        )

    def to_json(self) -> dict[str, Any]:
        """The ``detente.backtest/1`` document."""

        def records(table: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {str(k): _plain(v) for k, v in row.items()}
                for row in table.to_dict(orient="records")
            ]

        doc: dict[str, Any] = {
            "schema": BACKTEST_SCHEMA,
            "dataset": {"id": "deu3", "sha256": self.data_sha256, "citation": CITATION},
            "split": self.split,
            "capability": self.capability,
            "issues": int(self.frame[["proposal", "issue"]].drop_duplicates().shape[0]),
            "models": list(self.models),
            "baselines": list(BASELINES),
            "options": self.options,
            **seed_fields(self.seed),
            "bootstrap_replicates": self.n_boot,
            "detente_version": self.detente_version,
            "scores": records(self.scores()),
            "compared_with": REFERENCE,
            "bootstrap": records(self.bootstrap()),
            "by_procedure": records(self.scores("procedure")),
            "by_wave": records(self.scores("wave")),
            "unsettled": dict(self.unsettled or {}),
        }
        if self.calibration is not None:
            doc["calibration"] = self.calibration.summary() | {
                "reliability": list(self.calibration.reliability)
            }
        return doc

    def to_markdown(self) -> str:
        """The tables as GitHub-flavoured markdown, ready to paste into a report."""
        n_issues = int(self.frame[["proposal", "issue"]].drop_duplicates().shape[0])
        lines = [
            f"# DEU III backtest: {self.split} half, {n_issues} scoreable issues",
            "",
            f"Capability source: {self.capability}. Errors in points on the 0-100 scale. "
            f"detente {self.detente_version}; data sha256 {self.data_sha256[:12]}; "
            f"bootstrap seed {self.seed}, {self.n_boot} replicates over proposals.",
            "",
            "## Scores",
            "",
            *_table(self._score_rows(self.scores())),
            *self._unsettled_lines(),
            "",
            f"## MAE difference from {REFERENCE} (paired bootstrap, 95% interval)",
            "",
            *_table(
                [
                    {
                        "model": r["model"],
                        "issues": f"{r['n']}",
                        "MAE diff": f"{r['diff']:+.2f}",
                        "95% interval": f"[{r['low']:+.2f}, {r['high']:+.2f}]",
                    }
                    for r in self.bootstrap().to_dict(orient="records")
                ]
            ),
        ]
        for by, title in (("procedure", "procedure"), ("wave", "wave")):
            table = self.scores(by)
            pivot = table.pivot(index="model", columns=by, values="mae").reindex(self.names)
            counts = table.groupby(by)["n"].max()
            lines += [
                "",
                f"## MAE by {title}",
                "",
                *_table(
                    [
                        {"model": name}
                        | {
                            f"{col} (n={counts[col]})": _fmt(pivot.loc[name, col])
                            for col in pivot.columns
                        }
                        for name in pivot.index
                    ]
                ),
            ]
        if self.calibration is not None:
            c = self.calibration.summary()
            lines += [
                "",
                f"## Calibration of {c['model']} under input uncertainty",
                "",
                f"{c['draws']} draws per issue, spread {c['spread']:g} of the scale on every "
                f"position and salience and of the value on every capability.",
                "",
                *_table(
                    [
                        {
                            "issues": f"{c['n']}",
                            "50% coverage": f"{c['coverage_50']:.2f}",
                            "80% coverage": f"{c['coverage_80']:.2f}",
                            "CRPS": f"{c['crps']:.2f}",
                            "MAE of median": f"{c['mae_of_median']:.2f}",
                        }
                    ]
                ),
                "",
                *_table(
                    [
                        {"nominal": f"{r['nominal']:.0%}", "observed": f"{r['observed']:.0%}"}
                        for r in self.calibration.reliability
                    ]
                ),
            ]
        return "\n".join(lines) + "\n"

    def _unsettled_lines(self) -> list[str]:
        n_issues = int(self.frame[["proposal", "issue"]].drop_duplicates().shape[0])
        lines = []
        for name, count in (self.unsettled or {}).items():
            lines += [
                "",
                f"{name} did not settle within its round limit on {count} of {n_issues} "
                "issues; its forecast there is the last round's.",
            ]
        return lines

    @staticmethod
    def _score_rows(table: pd.DataFrame) -> list[dict[str, str]]:
        return [
            {
                "model": r["model"],
                "issues": f"{r['n']}",
                "MAE": _fmt(r["mae"]),
                "RMSE": _fmt(r["rmse"]),
                "median AE": _fmt(r["median_ae"]),
                "within 5": _pct(r["within_5"]),
                "within 10": _pct(r["within_10"]),
                "within 20": _pct(r["within_20"]),
            }
            for r in table.to_dict(orient="records")
        ]


@dataclass(frozen=True)
class DatasetRef:
    """The data set a backtest ran on, as the run store keeps it in place of a scenario."""

    id: str
    name: str
    sha256: str
    citation: str
    split: str
    capability: str

    @classmethod
    def of(cls, bt: Backtest) -> DatasetRef:
        """The reference of a finished backtest."""
        return cls(
            id="deu3",
            name=f"DEU III, {bt.split} half, {bt.capability} capability",
            sha256=bt.data_sha256,
            citation=CITATION,
            split=bt.split,
            capability=bt.capability,
        )

    def model_dump(self, *, mode: str = "json") -> dict[str, Any]:
        """The reference as JSON data."""
        return asdict(self)

    def content_hash(self) -> str:
        """``sha256:`` digest of the data file."""
        return f"sha256:{self.sha256}"


def backtest(
    data: Deu3,
    *,
    split: str = "dev",
    models: Sequence[str] | None = None,
    capability: str = "equal",
    options: Mapping[str, Mapping[str, Any]] | None = None,
    seed: int = 0,
    n_boot: int = 2000,
    draws: int = 0,
    spread: float | None = None,
    calibrate_model: str = REFERENCE,
    progress: Callable[[int], None] | None = None,
) -> Backtest:
    """Score models and baselines on DEU III.

    Parameters
    ----------
    data
        The data set (:func:`~detente.backtest.load_deu3`).
    split
        ``dev`` (odd proposal numbers), ``test`` (even) or ``all``.
    models
        Registered model names (default: all); ``compromise`` is always added, as the
        reference of the bootstrap.
    capability
        ``equal``, ``gdp`` or ``council`` (:mod:`detente.backtest.capability`), the same for
        every model.
    options
        Per model name, its options.
    seed
        Seeds the bootstrap and the Monte Carlo draws (and stochastic models).
    n_boot
        Bootstrap replicates: 100 to :data:`MAX_BOOTSTRAP`.
    draws
        Monte Carlo draws per issue for the calibration of ``calibrate_model``; 0 skips it.
    spread
        The global input spread of the calibration (default :data:`DEU3_SPREAD`, chosen on
        the development half).
    progress
        Called with 1 after each issue (and each calibrated issue).

    Examples
    --------
    >>> from detente.backtest import backtest, load_deu3
    >>> bt = backtest(load_deu3(), split="all", models=["compromise"], n_boot=200)
    >>> round(float(bt.scores().set_index("model").loc["compromise", "mae"]), 2)
    23.64
    """
    names = list(dict.fromkeys([REFERENCE, *(models or default_models())]))
    if capability not in CAPABILITY_SOURCES:
        raise InputError(
            f"--capability is one of {', '.join(CAPABILITY_SOURCES)}, not '{capability}'"
        )
    if n_boot < 100:
        raise InputError(f"--bootstrap needs at least 100 replicates, not {n_boot}")
    if n_boot > MAX_BOOTSTRAP:
        raise InputError(
            f"--bootstrap {n_boot:,}: at most {MAX_BOOTSTRAP:,} replicates are allowed (2,000 "
            "already give the interval to well under a tenth of a point)"
        )
    if draws < 0:
        raise InputError(f"--draws must be 0 or more, not {draws}")
    if draws > MAX_CALIBRATION_DRAWS:
        raise InputError(
            f"--draws {draws:,}: the calibration takes at most {MAX_CALIBRATION_DRAWS:,} draws per "
            "issue (it keeps every issue's draws: 100,000 take about 150 MB)"
        )
    infos, parsed = resolve_models(names, options)
    resolved = {info.name: parsed[info.name].model_dump(mode="json") for info in infos}
    issues = data.select(split)
    root = np.random.SeedSequence(seed)
    issue_seeds = root.spawn(len(issues))
    rows: list[dict[str, Any]] = []
    unsettled: dict[str, int] = {}
    joint = [info.name for info in infos if info.joint]
    single = [name for name in names if name not in joint]

    def only(subset: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        return {name: given for name, given in (options or {}).items() if name in subset}

    together = _joint(data, split, joint, capability, only(joint), root, unsettled) if joint else {}
    for issue, child in zip(issues, issue_seeds, strict=True):
        scenario = issue.to_scenario(capabilities(issue, capability, data))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # counted below instead
            fc = forecast(scenario, single, options=only(single), rng=child, calibrate=False)
        for run in fc.runs:
            if run.unsettled:
                unsettled[run.model] = unsettled.get(run.model, 0) + 1
        values = {run.model: run.values[0] for run in fc.runs} | _baselines(issue)
        values |= together.get(issue.code, {})
        for name in (*names, *BASELINES):
            value = values[name]
            if value is None:
                continue
            rows.append(_row(issue, name, value))
        if progress is not None:
            progress(1)
    frame = pd.DataFrame(rows)
    calibration = None
    if draws > 0:
        calibration = calibrate(
            data,
            issues,
            model=calibrate_model,
            capability=capability,
            draws=draws,
            spread=DEU3_SPREAD if spread is None else spread,
            options=options,
            seed=seed,
            progress=progress,
        )
    return Backtest(
        split=split,
        capability=capability,
        models=tuple(names),
        options=resolved,
        seed=seed,
        n_boot=n_boot,
        data_sha256=data.sha256,
        frame=frame,
        calibration=calibration,
        unsettled=unsettled,
    )


def _joint(
    data: Deu3,
    split: str,
    names: Sequence[str],
    capability: str,
    options: Mapping[str, Mapping[str, Any]] | None,
    root: np.random.SeedSequence,
    unsettled: dict[str, int],
) -> dict[str, dict[str, float]]:
    """Issue code -> model -> forecast, for the models that run on a proposal's issues at once.

    Every issue of a proposal with at least 3 actors takes part, scored or not (an issue
    without a recorded outcome was negotiated all the same); the seeds are a second spawn of
    ``root``, so the per-issue models' draws do not change.
    """
    proposals: dict[int, list[Deu3Issue]] = {}
    for issue in data.select(split, scoreable=False):
        if len(issue.actors) >= 3:
            proposals.setdefault(issue.proposal, []).append(issue)
    seeds = root.spawn(len(proposals))
    out: dict[str, dict[str, float]] = {}
    for (_, group), child in zip(sorted(proposals.items()), seeds, strict=True):
        scenario = proposal_scenario(group, [capabilities(i, capability, data) for i in group])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # counted below instead
            fc = forecast(scenario, list(names), options=options, rng=child, calibrate=False)
        for run in fc.runs:
            if run.unsettled:
                unsettled[run.model] = unsettled.get(run.model, 0) + 1
            for j, issue in enumerate(group):
                out.setdefault(issue.code, {})[run.model] = float(run.values[j])
    return out


def _baselines(issue: Deu3Issue) -> dict[str, float | None]:
    commission = (
        float(issue.positions[issue.actors.index("com")]) if "com" in issue.actors else None
    )
    return {
        "median-actor": float(np.median(issue.positions)),
        "commission": commission,
        "reference-point": issue.reference_point,
    }


def _row(issue: Deu3Issue, model: str, value: float) -> dict[str, Any]:
    assert issue.outcome is not None
    return {
        "proposal": issue.proposal,
        "issue": issue.issue,
        "code": issue.code,
        "split": issue.split,
        "procedure": issue.procedure,
        "wave": issue.wave,
        "model": model,
        "forecast": float(value),
        "outcome": issue.outcome,
        "error": abs(float(value) - issue.outcome),
    }


def _fmt(x: float) -> str:
    return "-" if x != x else f"{x:.2f}"


def _pct(x: float) -> str:
    return "-" if x != x else f"{x:.0%}"


def _plain(v: Any) -> Any:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    if isinstance(v, float) and v != v:
        return None
    return v


def _table(rows: list[dict[str, str]]) -> list[str]:
    if not rows:
        return ["(none)"]
    head = list(rows[0])
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows]
    return out
