"""The command line: output, the JSON contract, exit codes, and errors without tracebacks."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import detente
from detente.scenario import io


def test_version(cli) -> None:
    result = cli("--version")
    assert result.code == 0
    assert result.out.strip() == f"detente {detente.__version__}"


def test_forecast_default_is_six_party_2004(cli) -> None:
    result = cli("forecast")
    assert result.code == 0, result.err
    assert "Six-party talks, May 2004" in result.out
    assert "Terms of North Korea's nuclear disarmament" in result.out
    for model in ("compromise", "median", "nash"):
        assert model in result.out
    assert "United States" in result.out
    # the forecast table's rows, parsed: the weighted mean of the actors' numbers (worked out
    # here from the scenario), the weighted median and the Nash solution the docs state
    rows = dict(
        re.findall(r"^│ (compromise|median|nash|eum)\s*│\s*(\d+\.\d\d) │", result.out, re.M)
    )
    inputs = [(a.capability * a.salience["disarmament"], a.position["disarmament"])
              for a in detente.bundled("six-party-2004").actors]  # fmt: skip
    mean = sum(w * x for w, x in inputs) / sum(w for w, _ in inputs)
    assert rows == {"compromise": f"{mean:.2f}", "median": "55.00", "nash": "17.41", "eum": "55.00"}


def test_forecast_json_contract(cli) -> None:
    result = cli("forecast", "six-party-2004", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["schema"] == "detente.forecast/1"
    assert doc["detente_version"] == detente.__version__
    assert doc["run_id"] is not None
    from detente.store import RunStore

    stored = RunStore().get(doc["run_id"])
    assert stored.kind == "forecast"
    assert stored.document == doc
    s = detente.bundled("six-party-2004")
    assert doc["scenario"] == {"id": s.id, "name": s.name, "hash": s.content_hash()}
    assert doc["scenario"]["hash"].startswith("sha256:")
    (issue,) = doc["issues"]
    assert issue["id"] == "disarmament"
    by_model = {f["model"]: f for f in issue["forecasts"]}
    assert list(by_model) == ["compromise", "median", "nash", "eum"]
    # full precision: the JSON number is the float itself, not a rounded copy
    c, X, S = s.arrays()
    w = c * S[:, 0]
    assert by_model["compromise"]["value"] == float((w * X[:, 0]).sum() / w.sum())
    assert by_model["median"]["value"] == 55.0
    assert by_model["median"]["label"].startswith("freeze as a first step")
    assert by_model["nash"]["options"] == {"disagreement": "auto", "utility": "linear"}
    assert [a["id"] for a in doc["actors"]] == list(s.actor_ids)


def test_forecast_model_and_option(cli) -> None:
    result = cli(
        "forecast", "six-party-2004", "-m", "nash", "--option", "utility=quadratic", "--json"
    )
    assert result.code == 0, result.err
    (forecast,) = json.loads(result.out)["issues"][0]["forecasts"]
    assert forecast["options"]["utility"] == "quadratic"


def test_forecast_qualified_option(cli) -> None:
    result = cli("forecast", "emission-1994", "--option", "nash.disagreement=worst", "--json")
    assert result.code == 0, result.err
    forecasts = json.loads(result.out)["issues"][0]["forecasts"]
    assert forecasts[2]["options"]["disagreement"] == "worst"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["forecast", "nowhere"], "'nowhere' is neither a file nor a bundled scenario"),
        (["forecast", "emission-1994", "-m", "magic"], "unknown model 'magic'"),
        (
            ["forecast", "emission-1994", "--option", "utility=1", "-m", "eum"],
            "no model run here has an option 'utility'",
        ),
        (["forecast", "emission-1994", "--preset", "bdm"], "model eum: option 'preset'"),
        (["forecast", "emission-1994", "-m", "nash", "--rounds", "3"], "add --model eum"),
        (["forecast", "emission-1994", "--explain", "Atlantis"], "no actor 'Atlantis'"),
        (["forecast", "emission-1994", "--option", "nash.utility=cubic"], "option 'utility'"),
        (["forecast", "emission-1994", "--option", "justtext"], "must look like MODEL.NAME=VALUE"),
        (["export", "emission-1994", "--format", "ktab-csv"], "KTAB CSV positions are on 0-100"),
        (["export", "emission-1994", "--format", "xml"], "unknown format 'xml'"),
    ],
)
def test_usage_errors_exit_2(cli, args: list[str], message: str) -> None:
    result = cli(*args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_scenarios_lists_the_bundled_ones(cli) -> None:
    result = cli("scenarios", "--json")
    assert result.code == 0
    doc = json.loads(result.out)
    assert doc["schema"] == "detente.scenarios/1"
    ids = [s["id"] for s in doc["scenarios"]]
    assert ids == sorted(detente.bundled_names())
    assert "six-party-2014" in ids
    table = cli("scenarios")
    assert "six-party-2004" in table.out


def test_models_json(cli) -> None:
    doc = json.loads(cli("models", "--json").out)
    assert [m["name"] for m in doc["models"]] == list(detente.models.names())
    by_name = {m["name"]: m for m in doc["models"]}
    assert by_name["nash"]["options"] == {"disagreement": "auto", "utility": "linear"}
    assert by_name["eum"]["iterative"] is True
    assert by_name["eum"]["options"]["preset"] == "paper-literal"
    assert by_name["momentum"]["options"] == {"salience_power": 0.25, "push": 0.05}


def test_validate_counts_checked_quotes(cli, shared: Path, tmp_path: Path) -> None:
    path = tmp_path / "six.yaml"
    io.save(detente.bundled("six-party-2004"), path)
    result = cli("validate", str(path), "--sources", str(shared / "sources"))
    assert result.code == 0, result.err
    assert "21 evidence quote(s) checked verbatim\n" in result.out
    alone = cli("validate", str(path))  # the check could not run: that is no pass
    assert alone.code == 2
    assert "source file '000_e2c602dd4bc1eaf2.txt' not found" in alone.err
    allowed = cli("validate", str(path), "--allow-missing-sources")
    assert allowed.code == 0, allowed.err
    assert "0 evidence quote(s) checked verbatim, 21 not checked (source file not found)" in (
        allowed.out
    )


def test_schema_accepts_bundled_and_rejects_bad(cli, tmp_path: Path) -> None:
    result = cli("schema", "-o", str(tmp_path / "schema.json"))
    assert result.code == 0
    schema = json.loads((tmp_path / "schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == "detente scenario"
    assert schema["description"].startswith("Scenario file format of detente")
    for name in detente.bundled_names():
        jsonschema.validate(json.loads(io.dump_json(detente.bundled(name))), schema)
    bad = json.loads(io.dump_json(detente.bundled("emission-1994")))
    bad["actors"][0]["capability"] = "lots"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_import_export_round_trip(cli, shared: Path, tmp_path: Path) -> None:
    source = shared / "reference" / "ktab" / "SOE-Pol-Comp.csv"
    out = tmp_path / "soe.yaml"
    assert cli("import", str(source), "-o", str(out), "--id", "soe").code == 0
    assert detente.load(out).id == "soe"
    again = cli("import", str(source), "-o", str(out))
    assert again.code == 2
    assert "exists; pass --force" in again.err
    csv = tmp_path / "soe.csv"
    assert cli("export", str(out), "--format", "ktab-csv", "-o", str(csv)).code == 0
    back = tmp_path / "back.yaml"
    assert cli("import", str(csv), "-o", str(back), "--id", "soe").code == 0
    assert detente.load(back) == detente.load(out)


def test_import_common_csv(cli, tmp_path: Path) -> None:
    source = tmp_path / "emission.csv"
    source.write_text("Actor,Capability,Position,Salience\rA,1,4,0.5\rB,2,10,1\r")
    out = tmp_path / "emission.json"
    result = cli("import", str(source), "-o", str(out), "--issue", "delay")
    assert result.code == 0, result.err
    s = detente.load(out)
    assert s.actor("B").salience == {"delay": 100.0}


def test_export_prints_yaml(cli) -> None:
    result = cli("export", "emission-1994")
    assert result.code == 0
    assert io.loads(result.out) == detente.bundled("emission-1994")


def _detente() -> str:
    exe = shutil.which("detente", path=str(Path(sys.executable).parent))
    assert exe is not None, "the detente script is not installed beside this Python"
    return exe


def test_real_process_bad_input_exit_2_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "issues: [{id: t}]\nactors:\n"
        "  - {id: A, capability: -1, position: {t: 1}, salience: {t: 1}}\n"
    )
    proc = subprocess.run(
        [_detente(), "forecast", str(bad)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{bad}:3: actors[A].capability: must be >= 0, not -1" in proc.stderr
    assert "actors: only one actor (A)" not in proc.stderr  # field errors come first


def test_real_process_debug_shows_the_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [_detente(), "--debug", "forecast", str(tmp_path / "missing.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2  # the same status as without --debug
    assert "Traceback" in proc.stderr
    assert "is neither a file nor a bundled scenario" in proc.stderr


def test_real_process_usage_error_exit_2() -> None:
    proc = subprocess.run(
        [_detente(), "forecast", "--no-such-flag"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "No such option" in proc.stderr


def test_explain_says_who_moved_the_actor(cli) -> None:
    result = cli(
        "forecast",
        "emission-1994",
        "-m",
        "eum",
        "--preset",
        "scholz-code",
        "--rounds",
        "2",
        "--explain",
        "belgium",
    )
    assert result.code == 0, result.err
    assert "Why Belgium moved (eum, Delay before emission standards take effect)" in result.out
    assert "round 1: compromise with France, 7.000 -> 8.416" in result.out
    assert "Belgium's EU of challenging France is -0.1148" in result.out
    assert "France's EU of challenging Belgium is +0.2433" in result.out
    assert "region: compromise (France has the upper hand)" in result.out


def test_explain_on_the_six_party_talks(cli) -> None:
    result = cli("forecast", "six-party-2004", "--explain", "Pyongyang")
    assert result.code == 0, result.err
    assert "Why North Korea moved (eum" in result.out
    assert "round 1: confrontation with Russia, 10.000 -> 30.000" in result.out


def test_eum_rounds_in_json(cli) -> None:
    result = cli("forecast", "emission-1994", "-m", "eum", "--preset", "scholz-code", "--json")
    (eum,) = json.loads(result.out)["issues"][0]["forecasts"]
    assert eum["options"]["preset"] == "scholz-code"
    assert [r["round"] for r in eum["rounds"]] == list(range(11))
    first = eum["rounds"][1]
    assert first["median"] == pytest.approx(8.415932315426764, abs=1e-12)
    assert first["positions"]["Belgium"] == pytest.approx(8.415932315426764, abs=1e-12)
    assert [m["mover"] for m in first["moves"]] == ["Belgium", "Luxembourg", "Ireland"]
    assert first["moves"][0]["toward"] == "France"
    assert eum["value"] == eum["rounds"][-1]["median"]


def test_explain_with_json_is_refused(cli) -> None:
    result = cli("forecast", "--json", "--explain", "USA")
    assert result.code == 2
    assert "use it without --json" in result.err


def test_export_format_follows_the_suffix(cli, tmp_path: Path) -> None:
    out = tmp_path / "e.json"
    assert cli("export", "emission-1994", "-o", str(out)).code == 0
    assert json.loads(out.read_text())["id"] == "emission-1994"


def test_export_common_csv_needs_an_issue_when_there_are_several(cli, tmp_path: Path) -> None:
    result = cli("export", "ktab-dummy-3d", "--format", "csv")
    assert result.code == 2
    assert (
        "holds one issue and ktab-dummy-3d has 3 (Pstn1, Pstn2, Pstn3); pass --issue" in result.err
    )
    ok = cli("export", "ktab-dummy-3d", "--format", "csv", "--issue", "Pstn2")
    assert ok.code == 0
    assert ok.out.splitlines()[1] == "SActor-00,SActor-00,102.543,6.37,5.91"


def test_import_writes_scenario_files_only(cli, tmp_path: Path, shared: Path) -> None:
    source = shared / "reference" / "ktab" / "SOE-Pol-Comp.csv"
    result = cli("import", str(source), "-o", str(tmp_path / "out.csv"))
    assert result.code == 2
    assert "name it .yaml, .yml or .json" in result.err


def test_import_common_csv_with_a_scale(cli, tmp_path: Path) -> None:
    source = tmp_path / "years.csv"
    source.write_text("Actor,Capability,Position,Salience\nA,1,4,50\nB,2,10,100\n")
    out = tmp_path / "years.yaml"
    result = cli("import", str(source), "-o", str(out), "--scale-min", "4", "--scale-max", "10")
    assert result.code == 0, result.err
    issue = detente.load(out).issues[0]
    assert (issue.min, issue.max) == (4.0, 10.0)


def test_validate_a_folder(cli, tmp_path: Path) -> None:
    result = cli("validate", str(tmp_path))
    assert result.code == 2
    assert "is a folder, not a scenario file" in result.err


def test_unsettled_run_warns_in_one_line(cli) -> None:
    result = cli(
        "forecast",
        "emission-1994",
        "-m",
        "eum",
        "--preset",
        "scholz-code",
        "--option",
        "stop=stable",
        "--json",
    )
    assert result.code == 0
    assert result.err.startswith("warning: eum: the median did not settle")
    assert "RuntimeWarning" not in result.err
    json.loads(result.out)  # stdout is still pure JSON


def test_runs_are_kept_and_listed(cli) -> None:
    from detente.store import RunStore

    before = len(RunStore().list())
    result = cli("forecast", "emission-1994", "-m", "median")
    assert result.code == 0
    assert "kept as run " in result.out
    sim = cli(
        "simulate",
        "emission-1994",
        "-m",
        "compromise",
        "--draws",
        "50",
        "--spread",
        "0.1",
        "--rng",
        "3",
        "--json",
    )
    doc = json.loads(sim.out)
    stored = RunStore().get(doc["run_id"])
    assert (stored.kind, stored.seed, stored.engine) == ("simulate", 3, "in-process")
    assert (stored.frame["quantity"] == "forecast").sum() == 50  # plus summary rows
    assert len(RunStore().list()) == before + 2
    listed = cli("runs", "list", "--json")
    assert doc["run_id"] in {r["id"] for r in json.loads(listed.out)["runs"]}
    shown = cli("runs", "show", doc["run_id"], "--json")
    assert json.loads(shown.out)["document"] == doc


def test_no_store_keeps_nothing(cli) -> None:
    from detente.store import RunStore

    before = len(RunStore().list())
    result = cli("forecast", "emission-1994", "-m", "median", "--no-store", "--json")
    assert json.loads(result.out)["run_id"] is None
    assert len(RunStore().list()) == before


def test_unwritable_store_warns_and_still_prints(cli, tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DETENTE_STORE", str(blocker / "runs.db"))
    result = cli("forecast", "emission-1994", "-m", "median", "--json")
    assert result.code == 0
    assert json.loads(result.out)["run_id"] is None
    assert result.err.startswith("warning: the run was not kept in the store")
