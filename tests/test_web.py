"""The browser workbench's routes, through FastAPI's TestClient (no browser: see
test_web_browser.py for the pages driven in Chromium)."""

from __future__ import annotations

import json
import re
import time
from html import unescape
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient

from detente.scenario import load
from detente.scenario.bundled import bundled
from detente.web import create_app

SHARED = Path(__file__).resolve().parents[2] / "shared"

# Two actors, one issue: the compromise model's forecast is the capability x salience weighted
# mean of the positions, by hand: A weighs 2 x 50 = 100, B 1 x 100 = 100, so (20 + 80) / 2 = 50.
TOY = """\
id: toy
name: Toy
issues:
  - id: tax
    name: Tax rate
    scale: {0: none, 100: all}
actors:
  - {id: A, name: Alpha, capability: 2, position: {tax: 20}, salience: {tax: 50}}
  - {id: B, name: Beta, capability: 1, position: {tax: 80}, salience: {tax: 100}}
"""


@pytest.fixture
def app_dirs(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "workspace", tmp_path / "runs.db"


@pytest.fixture
def client(app_dirs: tuple[Path, Path]) -> TestClient:
    workspace, store = app_dirs
    return TestClient(create_app(workspace=workspace, store=store), base_url="http://127.0.0.1")


def _upload(client: TestClient, filename: str, text: str | bytes) -> Any:
    data = text.encode() if isinstance(text, str) else text
    return client.post("/upload", files={"file": (filename, data)}, follow_redirects=False)


def _cells(html: str, table_id: str) -> list[list[str]]:
    """The text of each cell of the table ``table_id``, row by row (tags stripped)."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)
        ]
        for r in rows
    ]


# --- library, upload, download ------------------------------------------------------------------


def test_the_library_lists_bundled_and_workspace_scenarios(client: TestClient) -> None:
    assert _upload(client, "toy.yaml", TOY).headers["location"] == "/s/workspace/toy"
    rows = _cells(client.get("/").text, "library")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Six-party talks, May 2004"][1:4] == ["bundled", "2004-05-10", "6"]
    assert by_name["Toy"][1:] == ["workspace", "", "2", "Tax rate"]


@pytest.mark.parametrize(
    ("filename", "text"),
    [
        ("toy.yaml", TOY),
        (
            "toy.json",
            json.dumps(
                {
                    "id": "toy",
                    "name": "Toy",
                    "issues": [{"id": "tax"}],
                    "actors": [
                        {
                            "id": "A",
                            "capability": 2,
                            "position": {"tax": 20},
                            "salience": {"tax": 50},
                        },
                        {
                            "id": "B",
                            "capability": 1,
                            "position": {"tax": 80},
                            "salience": {"tax": 100},
                        },
                    ],
                }
            ),
        ),
        ("toy.csv", "Actor,Capability,Position,Salience\nA,2,20,50\nB,1,80,100\n"),
    ],
)
def test_an_upload_of_each_format_is_kept_in_the_workspace(
    client: TestClient, app_dirs: tuple[Path, Path], filename: str, text: str
) -> None:
    response = _upload(client, filename, text)
    assert response.status_code == 303
    name = response.headers["location"].rsplit("/", 1)[1]
    s = load(app_dirs[0] / f"{name}.yaml")
    assert [(a.capability, a.position[s.issue_ids[0]]) for a in s.actors] == [(2, 20), (1, 80)]


def test_an_excel_workbook_downloads_and_uploads_back(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    response = client.get("/s/bundled/six-party-2004/download?fmt=xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="six-party-2004.xlsx"' in response.headers["content-disposition"]
    assert response.content[:2] == b"PK"  # a zip package, not text
    back = _upload(client, "talks.xlsx", response.content)
    assert back.status_code == 303
    name = back.headers["location"].rsplit("/", 1)[1]
    original = bundled("six-party-2004")
    kept = load(app_dirs[0] / f"{name}.yaml")
    assert [a.id for a in kept.actors] == [a.id for a in original.actors]
    assert [a.position for a in kept.actors] == [a.position for a in original.actors]
    assert [a.capability for a in kept.actors] == [a.capability for a in original.actors]


def test_a_ktab_csv_upload_is_read_by_the_ktab_reader(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    text = (SHARED / "reference" / "ktab" / "dummyData_3Dim.csv").read_text()
    response = _upload(client, "dummy.csv", text)
    assert response.status_code == 303
    name = response.headers["location"].rsplit("/", 1)[1]
    s = load(app_dirs[0] / f"{name}.yaml")
    assert len(s.issues) == 3


@pytest.mark.parametrize(
    ("filename", "text", "said"),
    [
        ("bad.yaml", TOY.replace("capability: 2", "capability: -2"), "bad.yaml:"),
        ("bad.yaml", "issues: [\n", "bad.yaml"),
        ("bad.exe", "MZ", "'.exe' files are not read"),
        ("bad.yaml", "!!python/object:os.system {}\n", "bad.yaml"),
    ],
)
def test_a_bad_upload_says_why_and_keeps_nothing(
    client: TestClient, app_dirs: tuple[Path, Path], filename: str, text: str, said: str
) -> None:
    response = _upload(client, filename, text)
    assert response.status_code == 400
    assert said in unescape(response.text)
    assert list(app_dirs[0].iterdir()) == []
    assert client.get("/").status_code == 200  # the server keeps running


def test_an_upload_too_large_is_refused_with_the_limit(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    response = _upload(client, "big.yaml", b"#" * (2 * 1024 * 1024 + 10))
    assert response.status_code == 400
    assert "uploads are limited to 2 MiB" in response.text
    assert list(app_dirs[0].iterdir()) == []


def test_a_request_body_too_large_is_refused_before_it_is_read(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    response = _upload(client, "huge.yaml", b"#" * (9 * 1024 * 1024))
    assert response.status_code == 413
    assert "at most 8 MiB" in response.text
    assert not app_dirs[0].exists() or list(app_dirs[0].iterdir()) == []


@pytest.mark.parametrize(
    "filename", ["../../evil.yaml", "/etc/evil.yaml", "..\\..\\evil.yaml", "ｅｖｉｌ/../x.yaml"]
)
def test_an_upload_name_never_leaves_the_workspace(
    client: TestClient, app_dirs: tuple[Path, Path], filename: str
) -> None:
    response = _upload(client, filename, TOY)
    assert response.headers["location"] == "/s/workspace/toy"
    assert [p.name for p in app_dirs[0].iterdir()] == ["toy.yaml"]
    assert not (app_dirs[0].parent / "evil.yaml").exists()


@pytest.mark.parametrize(
    "name",
    ["..", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "ｔｏｙ", "toy%00", ".hidden", "a..b"],
)
def test_a_scenario_name_from_a_url_never_leaves_the_workspace(
    client: TestClient, name: str
) -> None:
    _upload(client, "toy.yaml", TOY)
    for url in (
        f"/s/workspace/{name}",
        f"/s/workspace/{name}/edit",
        f"/s/workspace/{name}/download?fmt=yaml",
        f"/api/scenarios/workspace/{name}",
    ):
        response = client.get(url)
        if response.request.url.raw_path.decode().split("?")[0] == url.split("?")[0]:
            assert response.status_code in (400, 404), url  # (httpx resolves a bare '..')
        assert "root:" not in response.text
        assert "id: toy" not in response.text


def test_a_symbolic_link_in_the_workspace_is_not_followed(
    client: TestClient, app_dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text(TOY)
    app_dirs[0].mkdir(exist_ok=True)
    (app_dirs[0] / "link.yaml").symlink_to(secret)
    response = client.get("/s/workspace/link/download?fmt=yaml")
    assert response.status_code == 400
    assert "symbolic link" in response.text
    assert "link" not in [row[0] for row in _cells(client.get("/").text, "library")]


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv"])
def test_a_download_uploads_back_to_the_same_scenario(
    client: TestClient, app_dirs: tuple[Path, Path], fmt: str
) -> None:
    _upload(client, "toy.yaml", TOY)
    response = client.get(f"/s/workspace/toy/download?fmt={fmt}")
    assert response.status_code == 200
    suffix = {"yaml": ".yaml", "json": ".json", "csv": "-common.csv"}[fmt]
    assert f'filename="toy{suffix}"' in response.headers["content-disposition"]
    again = _upload(client, f"again{suffix}", response.content)
    name = again.headers["location"].rsplit("/", 1)[1]
    first, second = load(app_dirs[0] / "toy.yaml"), load(app_dirs[0] / f"{name}.yaml")
    assert [(a.id, a.capability, list(a.position.values())) for a in first.actors] == [
        (a.id, a.capability, list(a.position.values())) for a in second.actors
    ]


def test_a_ktab_csv_download_is_ktab_csv(client: TestClient) -> None:
    _upload(client, "toy.yaml", TOY)
    text = client.get("/s/workspace/toy/download?fmt=ktab-csv").text
    assert text.splitlines()[0].split(",")[-2:] == ["2", "1"]  # actors, dimensions


def test_a_bundled_scenario_is_copied_to_edit(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    response = client.post("/s/bundled/six-party-2004/copy", follow_redirects=False)
    assert response.headers["location"] == "/s/workspace/six-party-2004/edit"
    assert (app_dirs[0] / "six-party-2004.yaml").is_file()
    assert client.post("/s/bundled/six-party-2004/delete").status_code in (404, 405)


# --- editor -------------------------------------------------------------------------------------


def _form(page: str) -> dict[str, str]:
    """The fields of the editor's form as the browser would post them."""
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]*)"', tag)
        if name and 'type="radio"' not in tag:
            value = re.search(r'value="([^"]*)"', tag)
            fields[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
    for name, value in re.findall(
        r'<textarea [^>]*?name="([^"]*)"[^>]*>(.*?)</textarea>', page, re.S
    ):
        value = value[1:] if value.startswith("\n") else value  # as a browser reads it
        fields[unescape(name)] = unescape(value)
    return fields


def test_saving_a_bundled_copy_unchanged_gives_the_same_scenario(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    import detente

    client.post("/s/bundled/six-party-2004/copy")
    form = _form(client.get("/s/workspace/six-party-2004/edit").text)
    response = client.post("/editor/save", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    saved = load(app_dirs[0] / "six-party-2004.yaml", check_evidence=False)
    assert saved.content_hash() == detente.bundled("six-party-2004").content_hash()


def test_an_edit_saved_is_read_by_the_cli(
    client: TestClient, app_dirs: tuple[Path, Path], cli: Any
) -> None:
    _upload(client, "toy.yaml", TOY)
    form = _form(client.get("/s/workspace/toy/edit").text)
    form["actor-0-capability"] = "3"
    form["issue-0-sq"] = "40"
    assert client.post("/editor/save", data=form, follow_redirects=False).status_code == 303
    done = cli("validate", str(app_dirs[0] / "toy.yaml"))
    assert done.code == 0, done.err
    s = load(app_dirs[0] / "toy.yaml")
    assert (s.actors[0].capability, s.issues[0].status_quo) == (3, 40)


def test_an_invalid_edit_shows_the_cli_message_beside_its_field_and_keeps_the_input(
    client: TestClient, app_dirs: tuple[Path, Path], cli: Any, tmp_path: Path
) -> None:
    _upload(client, "toy.yaml", TOY)
    before = (app_dirs[0] / "toy.yaml").read_text()
    form = _form(client.get("/s/workspace/toy/edit").text)
    form["actor-1-capability"] = "-5"
    form["actor-0-name"] = "Alpha renamed"
    response = client.post("/editor/save", data=form)
    assert response.status_code == 422
    assert (app_dirs[0] / "toy.yaml").read_text() == before
    page = unescape(response.text)
    # the message the CLI gives for the same mistake
    bad = tmp_path / "toy.yaml"
    bad.write_text(TOY.replace("capability: 1,", "capability: -5,"))
    said = cli("validate", str(bad)).err
    message = said.split("actors[B].capability: ", 1)[1].split("\n")[0].strip()
    assert f"actors[B].capability: {message}" in page
    field = re.search(r'id="f-actor-1-capability"[^>]*>', response.text).group(0)
    assert 'aria-invalid="true"' in field
    assert 'value="-5"' in field
    assert 'id="err-actor-1-capability"' in response.text
    assert 'value="Alpha renamed"' in response.text  # the other edit is kept too
    checked = client.post("/editor/validate", data=form).text
    assert 'data-field="actor-1-capability"' in checked


def test_a_stale_tab_cannot_overwrite_a_newer_save(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    _upload(client, "toy.yaml", TOY)
    first = _form(client.get("/s/workspace/toy/edit").text)
    second = dict(first)
    first["actor-0-capability"] = "7"
    assert client.post("/editor/save", data=first, follow_redirects=False).status_code == 303
    second["actor-0-capability"] = "9"
    response = client.post("/editor/save", data=second)
    assert response.status_code == 409
    assert "saved elsewhere" in response.text
    assert 'value="9"' in response.text  # the stale tab's edit is still in its form
    assert load(app_dirs[0] / "toy.yaml").actors[0].capability == 7


def test_a_scenario_is_built_row_by_row_and_pasted(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    form = _form(client.get("/new").text)
    form |= {"id": "built", "name": "Built", "issue-0-id": "tax"}
    form = _form(client.post("/editor/change", data=form | {"do": "add-issue"}).text)
    form["issue-1-id"] = "spend"
    form["grid"] = (
        "Actor\tCapability\tP1\tS1\tP2\tS2\nA\t2\t20\t50\t10\t60\nB\t1\t80\t100\t90\t40\n"
    )
    form = _form(client.post("/editor/change", data=form | {"do": "paste"}).text)
    assert (form["actor-1-id"], form["actor-1-pos-1"], form["actor-1-sal-1"]) == ("B", "90", "40")
    form = _form(client.post("/editor/change", data=form | {"do": "add-actor"}).text)
    form |= {
        "actor-2-id": "C",
        "actor-2-capability": "1",
        "actor-2-pos-0": "50",
        "actor-2-sal-0": "50",
        "actor-2-pos-1": "50",
        "actor-2-sal-1": "50",
    }
    form = _form(client.post("/editor/change", data=form | {"do": "remove:actor-0"}).text)
    assert "actor-0-id" not in form
    response = client.post("/editor/save", data=form, follow_redirects=False)
    assert response.headers["location"] == "/s/workspace/built"
    s = load(app_dirs[0] / "built.yaml")
    assert s.actor_ids == ("B", "C")
    assert s.issue_ids == ("tax", "spend")
    assert dict(s.actors[0].salience) == {"tax": 100, "spend": 40}


def test_a_new_scenario_does_not_overwrite_a_file_of_the_same_name(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    _upload(client, "toy.yaml", TOY)
    form = _form(client.get("/s/workspace/toy/edit").text)
    form["file"] = ""
    form["version"] = ""
    response = client.post("/editor/save", data=form, follow_redirects=False)
    assert response.headers["location"] == "/s/workspace/toy-2"
    assert (app_dirs[0] / "toy.yaml").read_text().count("id: toy") == 1


# --- what-if, forecast, simulate, analyses --------------------------------------------------------


def test_a_what_if_gives_each_static_forecast_and_its_change(client: TestClient) -> None:
    _upload(client, "toy.yaml", TOY)
    page = client.get("/s/workspace/toy/whatif").text
    assert 'name="A.position.tax"' in page
    assert len(_cells(page, "accuracy")) > 4  # how far to trust it, beside the forecasts
    assert {row[1] for row in _cells(page, "wi-table")[1:]} == {
        "compromise",
        "median",
        "momentum",
        "nash",
    }
    # B moved to 60: weights still 100 and 100, so the compromise is (20 + 60) / 2 = 40
    response = client.post("/s/workspace/toy/whatif", data={"B.position.tax": "60"})
    rows = {row[1]: row for row in _cells(response.text, "wi-table")[1:]}
    assert rows["compromise"][2:5] == ["50.00", "40.00", "-10.00"]
    assert "eum" not in rows
    dynamic = client.post("/s/workspace/toy/whatif", data={"dynamic": "1"})
    assert "eum" in {row[1] for row in _cells(dynamic.text, "wi-table")[1:]}
    bad = client.post("/s/workspace/toy/whatif", data={"B.position.tax": "lots"})
    assert bad.status_code == 422
    assert "not a number" in bad.text


def test_a_what_if_is_kept_as_a_variant(client: TestClient, app_dirs: tuple[Path, Path]) -> None:
    _upload(client, "toy.yaml", TOY)
    response = client.post(
        "/s/workspace/toy/whatif/keep",
        data={"B.position.tax": "60", "variant": "toy-b-softer"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/s/workspace/toy-b-softer"
    s = load(app_dirs[0] / "toy-b-softer.yaml")
    assert s.actors[1].position["tax"] == 60
    assert s.variant_of is not None
    assert s.variant_of is not None
    assert list(s.variant_of.overrides) == ["B.position.tax=60"]


def test_a_forecast_is_kept_and_shown_beside_the_accuracy_table(client: TestClient) -> None:
    _upload(client, "toy.yaml", TOY)
    response = client.post("/s/workspace/toy/forecast", follow_redirects=False)
    run_id = response.headers["location"].rsplit("/", 1)[1]
    page = client.get(f"/runs/{run_id}").text
    rows = {(r[0], r[2]): r[3] for r in _cells(page, "results")[1:]}
    assert rows[("compromise", "forecast")] == "50.00"
    accuracy = _cells(page, "accuracy")
    from detente.backtest import bundled_accuracy

    shipped = {m["model"] for m in bundled_accuracy()["models"]}
    assert {row[0] for row in accuracy[1:]} == shipped
    document = client.get(f"/api/runs/{run_id}").json()
    assert document["schema"] == "detente.run/1"
    assert document["id"] == run_id


def _wait(client: TestClient, html: str) -> str:
    job = re.search(r'hx-get="/jobs/([0-9a-f]+)"', html)
    for _ in range(600):
        if job is None:
            return html
        html = client.get(f"/jobs/{job.group(1)}").text
        job = re.search(r'hx-get="/jobs/([0-9a-f]+)"', html)
        time.sleep(0.05)
    raise AssertionError("the simulation did not finish")


def test_a_simulation_runs_in_the_background_and_is_kept(client: TestClient) -> None:
    _upload(client, "toy.yaml", TOY)
    started = client.post("/s/workspace/toy/simulate", data={"draws": "200", "seed": "3"})
    assert started.status_code == 200
    assert "<progress" in started.text
    done = _wait(client, started.text)
    run_id = re.search(r'href="/runs/([^"]+)" id="job-result"', done).group(1)
    run = client.get(f"/api/runs/{run_id}").json()
    assert run["kind"] == "simulate"
    assert run["seed"] == 3


@pytest.mark.parametrize(
    ("draws", "said"), [("0", "give 1 to 100,000"), ("100001", "give 1 to 100,000"), ("x", "whole")]
)
def test_a_simulation_too_large_is_refused(client: TestClient, draws: str, said: str) -> None:
    response = client.post("/s/bundled/six-party-2004/simulate", data={"draws": draws})
    assert response.status_code == 422
    assert said in response.text


def _many_actors(n: int) -> str:
    """A one-issue scenario of ``n`` actors, as YAML."""
    rows = "".join(
        f"  - {{id: A{k}, capability: {1 + k % 9}, position: {{tax: {k % 101}}}, "
        f"salience: {{tax: {10 + k % 90}}}}}\n"
        for k in range(n)
    )
    return "id: many\nissues:\n  - {id: tax, scale: {0: none, 100: all}}\nactors:\n" + rows


def test_a_simulation_of_many_actors_is_held_to_a_few_minutes_of_work(
    client: TestClient,
) -> None:
    # The work of a simulation grows with draws x actors^2: 100,000 draws were let through for
    # up to 1,000 actors, days of CPU. The budget is 20,000,000 draws x actors^2 (the largest
    # bundled scenario, 13 actors, at 100,000 draws takes 16,900,000): by hand, 100 actors may
    # have 20,000,000 / 100^2 = 2,000 draws and no more.
    from detente.scenario import loads
    from detente.web import operations

    _upload(client, "many.yaml", _many_actors(100))
    refused = client.post("/s/workspace/many/simulate", data={"draws": "2001"})
    assert refused.status_code == 422
    assert "at most 2,000 draws for 100 actors" in unescape(refused.text)
    api = client.post("/api/scenarios/workspace/many/simulate", json={"draws": 2001})
    assert api.status_code == 400
    assert "at most 2,000 draws for 100 actors" in api.json()["error"]
    many = loads(_many_actors(100), fmt="yaml")
    operations.check_simulation(many, 2000, "in-process")  # the budget itself is allowed
    operations.check_simulation(bundled("ktab-soe-pol-comp"), 100_000, "in-process")


def test_no_model_runs_on_more_actors_than_the_workbench_takes(client: TestClient) -> None:
    # Only a simulation was held to 1,000 actors: a forecast, the what-if, the analyses and
    # the report ran on any number (a 2 MiB upload holds tens of thousands; a forecast of
    # 1,000 takes seconds and grows with the square).
    _upload(client, "many.yaml", _many_actors(1001))
    api = client.post("/api/scenarios/workspace/many/forecast", json={"keep": False})
    assert api.status_code == 400
    assert "1,001 actors" in api.json()["error"]
    for method, url in (
        ("post", "/s/workspace/many/forecast"),
        ("get", "/s/workspace/many/whatif"),
        ("post", "/s/workspace/many/whatif"),
        ("get", "/s/workspace/many/dyads"),
        ("get", "/s/workspace/many/advice"),
        ("get", "/s/workspace/many/coalitions"),
        ("post", "/s/workspace/many/report"),
    ):
        response = getattr(client, method)(url, follow_redirects=False)
        assert response.status_code in (400, 422), url
        assert "at most 1,000" in unescape(response.text), url
    assert client.get("/s/workspace/many").status_code == 200  # it can still be read and edited


def test_the_api_simulation_is_the_cli_document(client: TestClient, cli: Any) -> None:
    api = client.post(
        "/api/scenarios/bundled/six-party-2004/simulate",
        json={"draws": 50, "seed": 1, "keep": False},
    )
    assert api.status_code == 200
    printed = json.loads(
        cli("simulate", "six-party-2004", "--draws", "50", "--rng", "1", "--json", "--no-store").out
    )
    assert api.json() == printed
    kept = client.post(
        "/api/scenarios/bundled/six-party-2004/simulate", json={"draws": 50, "seed": 1}
    )
    assert client.get(f"/api/runs/{kept.json()['run_id']}").json()["kind"] == "simulate"


def test_api_simulations_count_against_the_limit_of_running_simulations(
    client: TestClient,
) -> None:
    # The page runs at most two simulations at once; the JSON API ran any number side by side
    # (each a thread of the server, none cancellable), so a script could pin every core.
    started = [
        client.post("/s/bundled/six-party-2004/simulate", data={"draws": "100000", "seed": "1"})
        for _ in range(2)
    ]
    jobs = [re.search(r'hx-get="/jobs/([0-9a-f]+)"', r.text).group(1) for r in started]
    try:
        refused = client.post("/api/scenarios/bundled/six-party-2004/simulate", json={"draws": 10})
        assert refused.status_code == 400
        assert "2 simulations are running" in refused.json()["error"]
    finally:
        for job in jobs:
            client.post(f"/jobs/{job}/cancel")
        for job in jobs:
            _wait(client, client.get(f"/jobs/{job}").text)
    done = client.post("/api/scenarios/bundled/six-party-2004/simulate", json={"draws": 10})
    assert done.status_code == 200


def test_a_simulation_can_be_cancelled(client: TestClient) -> None:
    started = client.post(
        "/s/bundled/six-party-2004/simulate", data={"draws": "100000", "seed": "1"}
    )
    job = re.search(r'hx-get="/jobs/([0-9a-f]+)"', started.text).group(1)
    client.post(f"/jobs/{job}/cancel")
    page = _wait(client, client.get(f"/jobs/{job}").text)
    assert "cancelled after" in page or 'data-state="complete"' in page


def test_the_analyses_match_the_cli_json(client: TestClient, cli: Any) -> None:
    for page, command in (
        ("advice?actor=DPRK", ["advise", "--for", "DPRK"]),
        ("coalitions", ["coalitions"]),
        ("dyads?viewpoint=USA", ["dyads", "--viewpoint", "USA"]),
    ):
        api = client.get(f"/api/scenarios/bundled/six-party-2004/{page}").json()
        printed = json.loads(cli(*command, "six-party-2004", "--json").out)
        assert api == printed, command
        html = client.get(f"/s/bundled/six-party-2004/{page}")
        assert html.status_code == 200
        assert "<table" in html.text


def test_the_api_forecast_is_the_cli_document(client: TestClient, cli: Any) -> None:
    api = client.post(
        "/api/scenarios/bundled/six-party-2004/forecast",
        json={"set": {"USA.position.disarmament": 80}, "keep": False, "seed": 1},
    ).json()
    printed = json.loads(
        cli(
            "forecast",
            "six-party-2004",
            "--set",
            "USA.position.disarmament=80",
            "--json",
            "--no-store",
            "--rng",
            "1",
        ).out
    )
    assert api == printed
    assert client.get("/openapi.json").json()["paths"]["/api/runs"]


def test_the_api_reports_bad_input_as_json(client: TestClient) -> None:
    response = client.post("/api/scenarios/bundled/six-party-2004/simulate", json={"draws": 10**9})
    assert response.status_code == 400
    assert "give 1 to 100,000" in response.json()["error"]


# --- runs and the report ------------------------------------------------------------------------


def test_runs_are_listed_compared_exported_and_deleted(client: TestClient) -> None:
    _upload(client, "toy.yaml", TOY)
    first = client.post("/s/workspace/toy/forecast", follow_redirects=False)
    second = client.post("/s/bundled/six-party-2004/forecast", follow_redirects=False)
    a, b = (r.headers["location"].rsplit("/", 1)[1] for r in (first, second))
    listed = [row[2] for row in _cells(client.get("/runs").text, "runs")[1:]]
    assert listed == [b, a]
    only = [row[2] for row in _cells(client.get("/runs?scenario=toy").text, "runs")[1:]]
    assert only == [a]
    page = client.get(f"/runs/compare?a={a}&b={a}").text
    assert "The scenarios are identical." in page
    assert any(r[0] == "compromise" and r[5] == "+0.00" for r in _cells(page, "compare-table"))
    csv = client.get(f"/runs/{a}/export?fmt=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert {"model", "issue", "value"} <= set(csv.text.splitlines()[0].split(","))
    parquet = client.get(f"/runs/{a}/export?fmt=parquet")
    assert parquet.content[:4] == b"PAR1"
    assert client.get(f"/runs/{a}/export?fmt=exe").status_code == 400
    assert client.post(f"/runs/{a}/delete", follow_redirects=False).status_code == 303
    assert client.get(f"/runs/{a}").status_code == 400
    assert [r["id"] for r in client.get("/api/runs").json()["runs"]] == [b]


@pytest.mark.slow  # the study behind a report takes about 8 s here
def test_the_report_is_shown_and_downloadable(client: TestClient) -> None:
    _upload(client, "toy.yaml", TOY)
    response = client.post("/s/workspace/toy/report", follow_redirects=False)
    page = client.get(response.headers["location"]).text
    src = re.search(r'<iframe src="([^"]+)"', page).group(1)
    report = client.get(src)
    assert report.text.startswith("<!DOCTYPE html>")
    assert "<svg" in report.text
    download = client.get(src + "?download=1")
    assert "attachment" in download.headers["content-disposition"]
    charts = re.findall(r'href="(/runs/[^"]+/charts/[^"]+)"', page)
    assert len(charts) >= 4
    for url in charts[:2]:
        body = client.get(url).content
        assert body.startswith(b"\x89PNG") if url.endswith(".png") else b"<svg" in body[:200]
    assert client.get(charts[0].rsplit("/", 1)[0] + "/nothing.svg").status_code == 400


# --- safety -------------------------------------------------------------------------------------

NASTY = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.mark.parametrize("nasty", NASTY)
def test_every_user_string_is_escaped(client: TestClient, nasty: str) -> None:
    text = json.dumps(
        {
            "id": "nasty",
            "name": nasty,
            "description": nasty,
            "sources": [{"id": "src", "title": nasty}],
            "issues": [{"id": "tax", "name": nasty, "scale": {"0": nasty, "100": nasty}}],
            "actors": [
                {
                    "id": "A",
                    "name": nasty,
                    "aliases": [nasty],
                    "capability": 2,
                    "position": {"tax": 20},
                    "salience": {"tax": 50},
                    "evidence": [{"source": "src", "supports": "position", "quote": nasty}],
                },
                {
                    "id": "B",
                    "name": nasty,
                    "capability": 1,
                    "position": {"tax": 80},
                    "salience": {"tax": 100},
                },
            ],
        }
    )
    assert _upload(client, "nasty.json", text).status_code == 303
    run = client.post("/s/workspace/nasty/forecast", follow_redirects=False)
    for url in (
        "/",
        "/s/workspace/nasty",
        "/s/workspace/nasty/edit",
        "/s/workspace/nasty/whatif",
        run.headers["location"],
        "/runs",
    ):
        page = client.get(url).text
        assert nasty not in page, url
        assert "<script>alert" not in page, url
        assert "<img src=x" not in page, url
    assert nasty not in client.post("/s/workspace/nasty/whatif", data={}).text


def test_a_token_is_asked_of_every_request(app_dirs: tuple[Path, Path]) -> None:
    workspace, store = app_dirs
    client = TestClient(create_app(workspace=workspace, store=store, token="s3cret"))
    for url in ("/", "/api/runs", "/static/htmx.min.js", "/docs", "/openapi.json"):
        assert client.get(url).status_code == 401, url
    assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    first = client.get("/runs?token=s3cret", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/runs"
    assert client.get("/runs").status_code == 200  # the cookie it set


def test_the_token_link_redirects_only_within_the_workbench(app_dirs: tuple[Path, Path]) -> None:
    # The link with ?token= redirects to its own path without the token; a path that starts
    # with // redirected to another site ("//evil.example/x" is a link to evil.example).
    workspace, store = app_dirs
    client = TestClient(
        create_app(workspace=workspace, store=store, token="s3cret"), base_url="http://wb.lan"
    )
    for path in ("//evil.example/x", "/\\evil.example/x"):
        response = client.get(f"http://wb.lan{path}?token=s3cret", follow_redirects=False)
        assert response.status_code == 303, path
        location = response.headers["location"]
        assert location.startswith("/"), location
        assert location[1:2] not in ("/", "\\"), location


def test_a_request_from_another_site_cannot_change_anything(client: TestClient) -> None:
    for headers in (
        {"Origin": "http://evil.example"},
        {"Referer": "http://evil.example/x"},
        {"Origin": "null"},
    ):
        response = client.post("/s/bundled/six-party-2004/copy", headers=headers)
        assert response.status_code == 403
    same = client.post(
        "/s/bundled/six-party-2004/copy",
        headers={"Origin": "http://127.0.0.1"},
        follow_redirects=False,
    )
    assert same.status_code == 303


def test_a_page_of_another_name_cannot_reach_the_workbench_through_dns_rebinding(
    app_dirs: tuple[Path, Path],
) -> None:
    # A page at evil.example whose name the attacker re-points at 127.0.0.1 is, to the browser,
    # the same origin as itself: its requests carry Host (and Origin) evil.example, and without
    # a token nothing else told them apart. On the loopback address only a loopback name may
    # ask, so that page can neither read the library nor change it.
    workspace, store = app_dirs
    rebound = TestClient(
        create_app(workspace=workspace, store=store), base_url="http://evil.example:8765"
    )
    assert rebound.get("/").status_code == 403
    assert rebound.get("/api/scenarios").status_code == 403
    copied = rebound.post(
        "/s/bundled/six-party-2004/copy", headers={"Origin": "http://evil.example:8765"}
    )
    assert copied.status_code == 403
    assert not list(workspace.glob("*.yaml"))
    for base in ("http://127.0.0.1:8765", "http://localhost:8765", "http://[::1]:8765"):
        local = TestClient(create_app(workspace=workspace, store=store), base_url=base)
        assert local.get("/").status_code == 200, base
    # with a token, any name may ask (the token is the guard; --host 0.0.0.0 is reached by name)
    guarded = TestClient(
        create_app(workspace=workspace, store=store, token="s3cret"),
        base_url="http://workbench.lan:8765",
    )
    assert guarded.get("/", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_a_body_sent_in_chunks_is_held_to_the_same_size_limit(client: TestClient) -> None:
    # Without a Content-Length (Transfer-Encoding: chunked) the size was never checked: a
    # script could make the server hold a body of any size in memory.
    from detente.web.app import MAX_REQUEST_BYTES

    body = json.dumps({"text": "x" * (MAX_REQUEST_BYTES + 1024)}).encode()

    def chunks() -> Any:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    response = client.post(
        "/api/extract", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "at most 8 MiB" in response.text
    small = json.dumps({"text": "The talks resumed in Beijing."}).encode()
    fine = client.post(
        "/api/extract",
        content=iter([small[:10], small[10:]]),
        headers={"content-type": "application/json"},
    )
    assert fine.status_code == 200
    assert fine.json()["schema"] == "detente.extract/1"


def test_the_openapi_page_works_offline(client: TestClient) -> None:
    # FastAPI's own /docs (and /redoc) load their scripts from a CDN: offline the page was
    # blank, and online it sent a request off the machine.
    page = client.get("/docs")
    assert page.status_code == 200
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page.text)
    paths = client.get("/openapi.json").json()["paths"]
    for path, methods in paths.items():
        for method in methods:
            assert f"{method.upper()} {path}" in unescape(page.text), (method, path)
    assert 'href="/openapi.json"' in page.text
    assert client.get("/redoc").status_code == 404


def test_a_page_asked_without_its_fields_says_so_in_a_page(client: TestClient) -> None:
    # "Compare A and B" with a run ticked only as A (or none) answered FastAPI's raw JSON
    # {"detail": [...]}; a page request now gets a page naming the field, the API keeps JSON.
    for url in ("/runs/compare", "/runs/compare?a=x", "/runs/x/report.html?download=yes"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.headers["content-type"].startswith("text/html"), url
        assert "<h1" in response.text, url
    assert "b: field required" in unescape(client.get("/runs/compare?a=x").text).lower()
    api = client.get("/api/scenarios/bundled/six-party-2004/advice")
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"] == ["query", "actor"]


def test_a_page_refused_by_the_framework_is_a_page(client: TestClient) -> None:
    # A form field over the framework's 1 MiB (a large file in the text editor) and an unknown
    # address answered raw JSON ({"detail": ...}); pages now show an error page saying why.
    _upload(client, "toy.yaml", TOY)
    big = client.post("/s/workspace/toy/text", data={"text": "#" * (1100 * 1024)})
    assert big.status_code == 400
    assert big.headers["content-type"].startswith("text/html")
    assert "maximum size" in big.text
    assert client.get("/s/workspace/toy").status_code == 200  # the file is as it was
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert client.get("/api/no-such").json() == {"detail": "Not Found"}


def test_a_paste_larger_than_the_editor_takes_is_refused_and_the_form_kept(
    client: TestClient,
) -> None:
    # The form is held to 50,000 fields, but a paste made its rows without that check: 900
    # pasted rows on 125 issues made a 38 MB page in 11 s, that could not be posted back.
    # By hand: 300 rows x (id, capability, orig + 2 x 125) = 75,900 fields > 50,000.
    form = {"id": "wide", "name": "Kept"}
    for j in range(125):
        form |= {f"issue-{j}-id": f"i{j}", f"issue-{j}-min": "0", f"issue-{j}-max": "100"}
    row = ",".join(["A", "1"] + ["5"] * 250)
    grid = "\n".join(row.replace("A", f"A{k}", 1) for k in range(300))
    response = client.post("/editor/change", data=form | {"grid": grid, "do": "paste"})
    assert response.status_code == 422
    assert "75,900 fields" in response.text
    assert 'value="Kept"' in response.text  # the rest of the form as it was
    assert 'name="actor-0-id"' not in response.text


def test_the_dyads_round_shows_its_date_when_rounds_are_dated(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    # The document carries the round's date (as `detente dyads` prints it); the page showed
    # only "round 1". By hand: as_of 2004-05-10 + 30 days = 2004-06-09.
    client.post("/s/bundled/six-party-2004/copy")
    path = app_dirs[0] / "six-party-2004.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("\nas_of:", "\nround_days: 30\nas_of:", 1),
        encoding="utf-8",
    )
    page = client.get("/s/workspace/six-party-2004/dyads").text
    assert "round 1 (2004-06-09)" in page
    undated = client.get("/s/bundled/six-party-2004/dyads").text
    assert "round 1," in undated


def test_htmx_and_its_licence_are_served_from_the_package(client: TestClient) -> None:
    js = client.get("/static/htmx.min.js")
    assert js.status_code == 200
    assert "htmx" in js.text[:2000]
    assert "Zero-Clause BSD" in client.get("/static/htmx-LICENSE.txt").text
    page = client.get("/").text
    assert re.findall(r'src="([^"]+)"', page) == ["/static/htmx.min.js", "/static/app.js"]


def test_the_cli_loads_no_web_framework_until_serve_runs() -> None:
    import subprocess
    import sys

    code = (
        "import sys, detente.cli.app\n"
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette', 'detente.web') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_serve_without_the_web_extra_says_what_to_install() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['uvicorn'] = None; sys.argv = ['detente', 'serve']\n"
        "from detente.cli import main; main()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert "pip install 'detente[web]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_refuses_an_unknown_scenario(cli: Any) -> None:
    done = cli("serve", "no-such-case", "--port", "1")
    assert done.code == 2
    assert "no bundled scenario 'no-such-case'" in done.err


def test_uncertainty_ranges_are_edited_and_checked(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    _upload(client, "toy.yaml", TOY)
    form = _form(client.get("/s/workspace/toy/edit").text)
    form = _form(client.post("/editor/change", data=form | {"do": "add-range"}).text)
    form |= {
        "range-0-actor": "A",
        "range-0-input": "position.tax",
        "range-0-low": "30",
        "range-0-high": "10",
    }
    refused = client.post("/editor/save", data=form)
    assert refused.status_code == 422
    field = re.search(r'id="f-range-0-low"[^>]*>', refused.text).group(0)
    assert 'aria-invalid="true"' in field
    form["range-0-low"], form["range-0-mode"], form["range-0-high"] = "10", "20", "30"
    assert client.post("/editor/save", data=form, follow_redirects=False).status_code == 303
    s = load(app_dirs[0] / "toy.yaml")
    assert list(s.actors[0].uncertainty["position.tax"]) == [10, 20, 30]
    again = _form(client.get("/s/workspace/toy/edit").text)
    assert (again["range-0-low"], again["range-0-mode"], again["range-0-high"]) == (
        "10",
        "20",
        "30",
    )


def test_timeline_events_and_branches_are_edited(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    _upload(client, "toy.yaml", TOY)
    form = _form(client.get("/s/workspace/toy/edit").text)
    form = _form(client.post("/editor/change", data=form | {"do": "add-event"}).text)
    form |= {
        "event-0-at": "2",
        "event-0-name": "Election",
        "event-0-set": "A.capability+=1",
        "event-0-branches": "left 0.4: B.position.tax=60, A.salience.tax=80\nright 0.6:",
    }
    assert client.post("/editor/save", data=form, follow_redirects=False).status_code == 303
    s = load(app_dirs[0] / "toy.yaml")
    event = s.timeline[0]
    assert (event.at, event.name, dict(event.shift)) == (2, "Election", {"A.capability": 1})
    left, right = event.branches["left"], event.branches["right"]
    assert (left.probability, dict(left.set)) == (0.4, {"B.position.tax": 60, "A.salience.tax": 80})
    assert (right.probability, dict(right.set)) == (0.6, {})
    again = _form(client.get("/s/workspace/toy/edit").text)
    assert again["event-0-branches"].splitlines() == [
        "left 0.4: B.position.tax=60, A.salience.tax=80",
        "right 0.6: ",
    ]
    form["event-0-branches"] = "left 0.4: Z.position.tax=60\nright 0.6:"
    refused = client.post("/editor/validate", data=form).text
    assert 'data-field="event-0-branches"' in refused


def test_serve_on_another_address_prints_a_token_and_asks_for_it(tmp_path: Path) -> None:
    """127.0.0.2 is this machine too, but not the default address: a token is generated."""
    import os
    import socket
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, DETENTE_STORE=str(tmp_path / "runs.db"))
    env.pop("DETENTE_TOKEN", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "detente",
            "serve",
            "--host",
            "127.0.0.2",
            "--port",
            str(port),
            "--workspace",
            str(tmp_path / "ws"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = server.stderr.readline() if server.stderr else ""
        token = line.split("access token (shown once): ", 1)[1].strip()
        url = f"http://127.0.0.2:{port}/api/runs"
        status = None
        for _ in range(200):
            try:
                urllib.request.urlopen(url, timeout=1)
            except urllib.error.HTTPError as err:
                status = err.code
                break
            except OSError:
                time.sleep(0.05)
        assert status == 401
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.loads(response.read())["schema"] == "detente.runs/1"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_what_if_is_kept_as_a_branch_of_an_event(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    client.post("/s/bundled/six-party-2004/copy")
    page = client.get("/s/workspace/six-party-2004/whatif").text
    assert 'id="keep-branch"' in page
    import detente

    before = {
        k: b.probability for k, b in detente.bundled("six-party-2004").timeline[0].branches.items()
    }
    move = {"DPRK.position.disarmament": "30", "event": "1", "branch": "dprk-softens"}
    missing = client.post("/s/workspace/six-party-2004/whatif/branch", data=move)
    assert "give the new branch one between 0 and 1" in missing.text
    response = client.post(
        "/s/workspace/six-party-2004/whatif/branch",
        data=move | {"probability": "0.2"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    s = load(app_dirs[0] / "six-party-2004.yaml", check_evidence=False)
    branches = s.timeline[0].branches
    assert dict(branches["dprk-softens"].set) == {"DPRK.position.disarmament": 30}
    assert branches["dprk-softens"].probability == 0.2
    for key, p in before.items():  # the others share the remaining 0.8 as before
        assert branches[key].probability == pytest.approx(p * 0.8)
    again = client.post(
        "/s/workspace/six-party-2004/whatif/branch", data=move | {"probability": "0.1"}
    )
    assert again.status_code == 400
    assert "has a branch 'dprk-softens' already" in unescape(again.text)
    nothing = client.post("/s/workspace/six-party-2004/whatif/branch", data={"event": "1"})
    assert "changes nothing" in nothing.text


def _whatif_form(page: str) -> dict[str, str]:
    """What the what-if form posts as loaded: every slider's value and the hidden fields."""
    found = re.findall(r'<input type="range"[^>]* value="([^"]*)" name="([^"]+)"', page)
    form = {name: value for value, name in found}
    form.update(
        {
            n: unescape(v)
            for n, v in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page)
        }
    )
    return form


def test_a_what_if_from_a_stale_tab_is_not_kept(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    # The what-if form posts every slider, so its changes are the sliders that differ from the
    # saved file. When the file was saved since the page was loaded (another tab), the sliders
    # the user never moved differ from the newer save, and were kept as changes of their own:
    # the newer save was quietly undone in the branch (or the variant).
    client.post("/s/bundled/six-party-2004/copy")
    page = client.get("/s/workspace/six-party-2004/whatif").text
    form = _whatif_form(page)
    assert form["USA.capability"] == "100"
    path = app_dirs[0] / "six-party-2004.yaml"
    newer = path.read_text(encoding="utf-8").replace("capability: 100", "capability: 90", 1)
    path.write_text(newer, encoding="utf-8")  # saved in another tab
    moved = form | {"DPRK.position.disarmament": "30", "event": "1", "branch": "b"}
    for url in ("whatif/branch", "whatif/keep", "whatif"):
        response = client.post(
            f"/s/workspace/six-party-2004/{url}", data=moved | {"probability": "0.2"}
        )
        assert response.status_code == 409, url
        assert "reload" in unescape(response.text), url
    assert path.read_text(encoding="utf-8") == newer
    assert client.get("/").text.count("/s/workspace/") == 1  # no variant either
    fresh = _whatif_form(client.get("/s/workspace/six-party-2004/whatif").text)
    assert fresh["USA.capability"] == "90"
    kept = client.post(
        "/s/workspace/six-party-2004/whatif/branch",
        data=fresh
        | {"DPRK.position.disarmament": "30", "event": "1", "branch": "b", "probability": "0.2"},
        follow_redirects=False,
    )
    assert kept.status_code == 303
    s = load(path, check_evidence=False)
    assert dict(s.timeline[0].branches["b"].set) == {"DPRK.position.disarmament": 30}


def test_jobs_run_two_at_a_time_and_forget_the_oldest_finished() -> None:
    from detente.errors import InputError
    from detente.web.jobs import Jobs

    jobs = Jobs(limit=2, kept=3)
    import threading

    gate = threading.Event()
    first = jobs.start("a", 1, lambda job: (gate.wait(5), None))
    second = jobs.start("b", 1, lambda job: (gate.wait(5), None))
    with pytest.raises(InputError, match="2 simulations are running"):
        jobs.start("c", 1, lambda job: (None, None))
    gate.set()
    for job in (first, second):
        for _ in range(100):
            if job.state != "running":
                break
            time.sleep(0.01)
    later = [jobs.start(str(n), 1, lambda job: (None, "run")) for n in range(3)]
    time.sleep(0.1)
    assert jobs.get(first.id) is None  # forgotten: the oldest finished
    assert all(jobs.get(job.id) is job for job in later)
    assert (later[-1].state, later[-1].run_id) == ("complete", "run")


# --- from an article ----------------------------------------------------------------------------

ARTICLE_2004 = SHARED / "sources" / "000_e2c602dd4bc1eaf2.txt"
# Two mentions and a cue, written here: "Pyongyang" is DPRK and "Seoul" ROK (the gazetteer's
# capitals for governments); "Korea" alone could be either and must be marked ambiguous.
SHORT = "Pyongyang warned Seoul on Tuesday. <script>alert(1)</script> Korea waited."


def _read_article(client: TestClient, **fields: Any) -> Any:
    files = fields.pop("files", None)
    return client.post("/article", data=fields, files=files)


def _marks(page: str) -> list[tuple[str, str, str]]:
    """Each highlight of the article: its classes, its title and the words it marks."""
    body = page.split('id="article-marked"', 1)[1].split("</div>", 1)[0]
    return [
        (cls, unescape(title), unescape(words))
        for cls, title, words in re.findall(
            r'<mark class="([^"]+)" title="([^"]*)">(.*?)</mark>', body, re.S
        )
    ]


def test_an_article_is_shown_with_its_findings_marked_and_escaped(client: TestClient) -> None:
    page = _read_article(client, text=SHORT, as_of="2004-05-10").text
    marks = _marks(page)
    assert ("hl-mention", "actor DPRK", "Pyongyang") in marks
    assert ("hl-mention", "actor ROK", "Seoul") in marks
    assert ("hl-ambiguous", "ambiguous: DPRK or ROK", "Korea") in marks
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    actors = _cells(page, "found-actors")
    assert [row[:3] for row in actors[1:]] == [
        ["DPRK", "North Korea", "1"],
        ["ROK", "South Korea", "1"],
    ]


def test_the_seed_article_is_read_from_a_file_as_the_cli_reads_it(client: TestClient) -> None:
    page = _read_article(
        client, text="", files={"file": ("000.txt", ARTICLE_2004.read_bytes())}
    ).text
    quotes = _cells(page, "found-quotes")
    assert quotes[1] == ["DPRK", "Pyongyang", "term", "reward for freeze"]
    marked = [m for m in _marks(page) if "hl-quote" in m[0]]
    assert [m[1:] for m in marked] == [("term quote: Pyongyang (DPRK)", "reward for freeze ")]
    counts = {row[0]: row[2] for row in _cells(page, "found-actors")[1:]}
    assert counts["DPRK"] == "23"
    assert counts["USA"] == "16"
    assert 'id="save-draft"' in page


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"text": "   "}, "there is no text to read"),
        ({"text": "", "files": {"file": ("a.txt", b"\x00\x01\x02binary")}}, "binary file"),
        ({"text": "", "files": {"file": ("a.txt", b"r\xe9sum\xe9 of the talks")}}, "not UTF-8"),
        ({"text": "", "files": {"file": ("a.pdf", b"%PDF-1.4")}}, "plain-text (.txt)"),
        ({"text": "x" * (2 * 1024 * 1024 + 10)}, "limited to 2 MiB"),
        ({"text": SHORT, "as_of": "May 2004"}, "not a date"),
        ({"text": SHORT, "compare": "workspace/../../etc"}, "not a scenario name"),
    ],
)
def test_a_bad_article_says_why_and_keeps_the_text(
    client: TestClient, fields: dict[str, Any], said: str
) -> None:
    response = _read_article(client, **fields)
    assert response.status_code == 400
    assert said in unescape(response.text)
    assert 'id="article-error"' in response.text
    if fields.get("text", "").strip() and len(fields["text"]) < 1000:
        assert 'id="article-text"' in response.text
        assert "Pyongyang warned Seoul" in response.text


def _saved_draft(client: TestClient, **extra: str) -> str:
    page = _read_article(
        client, text="", files={"file": ("000.txt", ARTICLE_2004.read_bytes())}
    ).text
    form = _form(page.split('action="/article/draft"', 1)[1])
    form |= extra
    response = client.post("/article/draft", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_a_draft_is_saved_listed_and_its_missing_numbers_named(
    client: TestClient, app_dirs: tuple[Path, Path], cli: Any
) -> None:
    where = _saved_draft(client)
    assert where == "/s/workspace/draft-000"
    workspace = app_dirs[0]
    assert (workspace / "draft-000.txt").read_text(encoding="utf-8") == ARTICLE_2004.read_text(
        encoding="utf-8"
    ).replace("\r\n", "\n")
    result = cli("validate", str(workspace / "draft-000.yaml"))  # the CLI reads it as a draft
    assert result.code == 0
    assert "DRAFT" in result.out
    rows = {row[0]: row for row in _cells(client.get("/").text, "library")[1:]}
    assert rows["Draft from draft-000.txt draft: 16 numbers missing"][1:4] == ["workspace", "", "5"]
    page = client.get(where).text
    missing = [unescape(m) for m in re.findall(r"<li>(.*?)</li>", page.split('id="missing"')[1])]
    # 5 actors (DPRK, USA, ROK, CHN, IRQ), no issue: the issues, and 3 numbers for each actor
    assert len(missing) == 1 + 5 * 3
    assert any("actors[DPRK].capability: capability missing" in m for m in missing)
    forecast = client.post(where + "/forecast")
    assert forecast.status_code == 400
    assert "is a draft scenario (draft: true): 16 number(s) still missing" in unescape(
        forecast.text
    )


def test_a_draft_opens_in_the_editor_and_its_numbers_fill_it_in(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    where = _saved_draft(client)
    page = client.get(where + "/edit")
    assert page.status_code == 200
    form = _form(page.text)
    assert form["actor-0-id"] == "DPRK"
    assert form["actor-0-capability"] == ""
    form |= {"issue-0-id": "talks", "issue-0-min": "0", "issue-0-max": "100"}
    n = 0
    while f"actor-{n}-id" in form:
        form |= {f"actor-{n}-capability": "10", f"actor-{n}-pos-0": "50", f"actor-{n}-sal-0": "60"}
        n += 1
    assert n == 5
    assert client.post("/editor/save", data=form, follow_redirects=False).status_code == 303
    saved = load(app_dirs[0] / "draft-000.yaml")  # quotes checked against draft-000.txt
    assert [a.capability for a in saved.actors] == [10] * 5
    assert client.post(where + "/forecast", follow_redirects=False).status_code == 303


def test_a_draft_name_never_leaves_the_workspace(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    where = _saved_draft(client, name="../../etc/passwd")
    assert where.startswith("/s/workspace/")
    assert ".." not in where
    assert sorted(p.name for p in app_dirs[0].iterdir()) == [
        where.rsplit("/", 1)[1] + ".txt",
        where.rsplit("/", 1)[1] + ".yaml",
    ]


def test_a_draft_without_text_or_actors_is_refused(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    assert client.post("/article/draft", data={"text": " "}).status_code == 400
    response = client.post("/article/draft", data={"text": "The weather was fine all week."})
    assert response.status_code == 400
    assert "no actor found" in response.text
    assert not list(app_dirs[0].iterdir())  # nothing half-written


def test_an_article_is_compared_with_a_scenario(client: TestClient) -> None:
    source = SHARED / "sources"
    article = sorted(p for p in source.glob("*.txt") if p != ARTICLE_2004)[0]
    page = _read_article(
        client,
        text="",
        compare="bundled/six-party-2014",
        files={"file": (article.name, article.read_bytes())},
    ).text
    assert "Against the scenario 'six-party-2014'" in page
    assert "Evidence: all present" in page  # as `detente extract --scenario` says
    assert 'id="save-draft"' not in page


# --- a file broken by hand ----------------------------------------------------------------------


def test_a_broken_file_opens_in_the_text_editor_with_its_lines(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    _upload(client, "toy.yaml", TOY)
    path = app_dirs[0] / "toy.yaml"
    broken = TOY.replace("capability: 2", "capability: -2")
    path.write_text(broken, encoding="utf-8")
    rows = {row[0]: row for row in _cells(client.get("/").text, "library")[1:]}
    assert any(name.startswith("toy") and "fix it as text" in name for name in rows)
    for url in ("/s/workspace/toy", "/s/workspace/toy/edit"):
        page = client.get(url)
        assert page.status_code == 200
        assert 'id="source-text"' in page.text
        # the actor A's line in TOY, counted by hand: line 8
        assert 'data-line="8"' in page.text
        assert "actors[A].capability" in page.text
    form = _form(page.text)
    assert form["text"] == broken  # the file's text, exactly
    still = dict(form, text=broken.replace("capability: -2", "capability: oops"))
    response = client.post("/s/workspace/toy/text", data=still)
    assert response.status_code == 422
    assert "capability: oops" in response.text
    assert path.read_text(encoding="utf-8") == broken  # the file is untouched
    fixed = dict(form, text=TOY)
    assert (
        client.post("/s/workspace/toy/text", data=fixed, follow_redirects=False).status_code == 303
    )
    assert load(path).actors[0].capability == 2
    stale = dict(form, text=TOY.replace("capability: 2", "capability: 3"))
    response = client.post("/s/workspace/toy/text", data=stale)
    assert response.status_code == 409
    assert "saved elsewhere" in response.text
    assert load(path).actors[0].capability == 2


def test_invalid_yaml_shows_its_line_in_the_text_editor(
    client: TestClient, app_dirs: tuple[Path, Path]
) -> None:
    app_dirs[0].mkdir(parents=True, exist_ok=True)
    (app_dirs[0] / "bad.yaml").write_text("id: bad\nactors: [\n  {id: A\n", encoding="utf-8")
    page = client.get("/s/workspace/bad")
    assert page.status_code == 200
    assert 'id="source-text"' in page.text
    assert "line" in page.text
    assert "bad.yaml" in page.text
    assert client.get("/s/workspace/..%2Fbad/text").status_code in (400, 404)
    assert client.post("/s/workspace/.bad/text", data={"text": TOY}).status_code == 400


# --- a report of a stored forecast or simulation ------------------------------------------------


@pytest.mark.slow  # a study of the run's scenario is made again, as `detente report RUN` does
def test_a_stored_forecast_has_a_report(client: TestClient) -> None:
    _upload(client, "toy.yaml", TOY)
    where = client.post("/s/workspace/toy/forecast", follow_redirects=False).headers["location"]
    run = client.get(where).text
    assert 'id="open-report"' in run
    page = client.get(where + "/report")
    assert page.status_code == 200
    report = client.get(where + "/report.html")
    assert report.text.startswith("<!DOCTYPE html>")
    # the compromise forecast of TOY, by hand (see TOY): 50
    assert "50" in report.text
    assert where.rsplit("/", 1)[1] in report.text


def test_the_api_extract_is_the_cli_document(client: TestClient, cli: Any) -> None:
    text = ARTICLE_2004.read_text(encoding="utf-8")
    got = client.post("/api/extract", json={"text": text, "name": ARTICLE_2004.name}).json()
    result = cli("extract", str(ARTICLE_2004), "--json")
    expected = json.loads(result.out)
    expected["articles"][0]["file"] = ARTICLE_2004.name
    assert got == expected
    bad = client.post("/api/extract", json={"text": "  "})
    assert bad.status_code == 400
    assert "no text to read" in bad.json()["error"]


def test_a_superscript_digit_is_a_field_error_not_a_crash(client: TestClient) -> None:
    # "²".isdigit() is True but int("²") raises: an event's round and a row's origin must not
    # take it for a number
    _upload(client, "toy.yaml", TOY)
    form = _form(client.get("/s/workspace/toy/edit").text)
    form = _form(client.post("/editor/change", data=form | {"do": "add-event"}).text)
    form |= {"event-0-at": "²", "event-0-name": "Election", "event-0-orig": "²"}
    refused = client.post("/editor/save", data=form)
    assert refused.status_code == 422
    assert "Election" in refused.text  # the form comes back as typed
