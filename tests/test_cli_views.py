"""`socialatlas org | diff | timeline | changes | queries`, run as a user runs them: real processes
on a real embedded server with its own data dir, seeded once for the module with `socialatlas seed`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.store.embedded import EmbeddedServer
from tests.cli_support import run_cli as socialatlas

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data dir seeded once with the real seed/. The server is kept up for the module, so each
    command attaches to it instead of starting and stopping one of its own."""
    directory = tmp_path_factory.mktemp("views") / "data"
    server = EmbeddedServer(directory)
    server.ensure_running()
    try:
        seeded = socialatlas("seed", data_dir=directory, timeout=300)
        assert seeded.returncode == 0, seeded.stderr
        yield directory
    finally:
        server.stop()


def run_json(*args: str, data_dir: Path) -> Any:
    result = socialatlas(*args, "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("command", ["org", "diff", "timeline", "changes", "queries"])
def test_every_view_has_help_with_examples(command: str, tmp_path: Path) -> None:
    result = socialatlas(command, "--help", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Examples" in result.stdout
    assert f"socialatlas {command}" in result.stdout


def test_org_prints_the_tree_in_danish(data_dir: Path) -> None:
    result = socialatlas("org", "--municipality", "Aarhus", "--date", "2019-08-01", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "Organisation i Aarhus pr. 1. august 2019" in result.stdout
    assert "Unge, Job og Uddannelse driftsområde — ledes af Driftschef, Unge, Job og Uddannelse" in result.stdout
    assert "Magistratsafdelingen for Sociale Forhold og Beskæftigelse forvaltning" in result.stdout
    assert "Socialforvaltningen" not in result.stdout


def test_org_json_for_one_administration(data_dir: Path) -> None:
    tree = run_json("org", "-m", "København", "--administration", "SOF", "--date", "2025-01-01", data_dir=data_dir)
    assert tree["on"] == "2025-01-01"
    assert tree["municipality"]["uid"] == "kobenhavn"
    assert tree["root"]["uid"] == "kbh-sof"
    centres = {child["name"] for child in tree["root"]["children"] if child["kind"] == "center"}
    assert len(centres) == 6
    assert "Din sociale indgang" in centres
    before = run_json("org", "-m", "kobenhavn", "-a", "kbh-sof", "-d", "2024-12-31", data_dir=data_dir)
    assert sum(child["kind"] == "borgercenter" for child in before["root"]["children"]) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--municipality", "Arhus", "--date", "2019-08-01"], "did you mean 'Aarhus'"),
        (["--municipality", "Aarhus", "--date", "1. august 2019"], "not an ISO date"),
        (["--administration", "Socialforvaltningen", "--date", "2019-08-01"], "kbh-sof"),
        (["--date", "2019-08-01"], "give a municipality or an administration"),
    ],
)
def test_org_refuses_bad_input_with_exit_code_1(args: list[str], message: str, data_dir: Path) -> None:
    result = socialatlas("org", *args, data_dir=data_dir)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_diff_lists_the_moves_of_aarhus_2019(data_dir: Path) -> None:
    diff = run_json("diff", "aarhus-msb-2019", data_dir=data_dir)
    assert (diff["before_on"], diff["after_on"]) == ("2019-07-31", "2019-08-01")
    assert diff["moves"][0]["uid"] == "aarhus-msb-2019-enhedsforvaltning"
    moves = {move["uid"]: move for move in diff["moves"]}
    ungdom = moves["aarhus-msb-2019-ungdomscenteret-til-uju"]
    assert [r["uid"] for r in ungdom["from"]] == ["aarhus-msb-familier-boern-og-unge"]
    assert [r["uid"] for r in ungdom["to"]] == ["aarhus-msb-unge-job-og-uddannelse"]
    assert ungdom["sources"][0]["document"] == "003_5b2cd4c41ea65390.txt"
    assert "Socialforvaltningen" in {r["name"] for r in diff["disappeared"]}
    assert "Unge, Job og Uddannelse" in {r["name"] for r in diff["appeared"]}
    text = socialatlas("diff", "Borgernes MSB – et samlet MSB", data_dir=data_dir)
    assert text.returncode == 0, text.stderr
    for heading in ("Før: 31. juli 2019", "Efter: 1. august 2019", "Nye enheder:", "Ophørte enheder:", "Flytninger ("):
        assert heading in text.stdout


def test_diff_of_an_undated_proposal_shows_the_moves_only(data_dir: Path) -> None:
    diff = run_json("diff", "silkeborg-socialafdeling", data_dir=data_dir)
    assert diff["before"] == []
    assert diff["after"] == []
    assert diff["after_on"] is None
    assert diff["notes"]
    assert "silkeborg-flytning-samlet-myndighed" in {move["uid"] for move in diff["moves"]}
    text = socialatlas("diff", "silkeborg-socialafdeling", data_dir=data_dir)
    assert text.returncode == 0
    assert "Bemærk:" in text.stdout
    assert "Før:" not in text.stdout


def test_timeline_of_ungdomscenteret(data_dir: Path) -> None:
    timeline = run_json("timeline", "Ungdomscenteret", data_dir=data_dir)
    assert timeline["unit"]["uid"] == "aarhus-msb-ungdomscenteret"
    assert next((p["uid"], p["valid_to"]) for p in timeline["parents"]) == (
        "aarhus-msb-familier-boern-og-unge",
        "2019-07-31",
    )
    assert "aarhus-msb-2019-ungdomscenteret-til-uju" in {m["uid"] for m in timeline["moves"]}
    text = socialatlas("timeline", "aarhus-msb-ungdomscenteret", data_dir=data_dir)
    assert text.returncode == 0, text.stderr
    assert "Hører under" in text.stdout
    assert "fra 1. august 2019" in text.stdout
    assert "Omorganiseringer" in text.stdout


def test_changes_for_a_16_year_old_with_a_handicap(data_dir: Path) -> None:
    payload = run_json("changes", "aarhus-msb-2019", "--age", "16", "--condition", "handicap", data_dir=data_dir)
    assert payload["age"] == 16
    assert payload["conditions"] == ["handicap"]
    general = [c for c in payload["changes"] if c["kind"] == "myndighed" and c["without_paragraph"]]
    assert len(general) == 1
    assert general[0]["change"] == "moved"
    assert [u["name"] for u in general[0]["before"]["units"]] == ["Familier, Børn og Unge"]
    assert [u["name"] for u in general[0]["after"]["units"]] == ["Unge, Job og Uddannelse"]
    text = socialatlas("changes", "aarhus-msb-2019", "--age", "16", "-c", "handicap", data_dir=data_dir)
    assert text.returncode == 0, text.stderr
    assert "Hvad ændrede aarhus-msb-2019 for en 16-årig med handicap?" in text.stdout
    assert "flyttet" in text.stdout


def test_changes_of_an_undated_proposal_is_bad_input(data_dir: Path) -> None:
    result = socialatlas("changes", "silkeborg-socialafdeling", "--age", "40", data_dir=data_dir)
    assert result.returncode == 1
    assert "no effective date" in result.stderr


def test_queries_lists_the_library_and_prints_the_index(tmp_path: Path) -> None:
    listing = socialatlas("queries", data_dir=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert "org_tree_at_date" in listing.stdout
    assert "responsibilities_changed_in_reorganisation" in listing.stdout
    markdown = socialatlas("queries", "--markdown", data_dir=tmp_path)
    assert markdown.stdout == (REPO / "cypher" / "README.md").read_text(encoding="utf-8")
    docs = json.loads(socialatlas("queries", "--json", data_dir=tmp_path).stdout)
    org = next(doc for doc in docs if doc["name"] == "org_tree_at_date")
    assert org["params"]["on"]["example"] == "2019-08-01"
    assert org["example"].startswith("socialatlas cypher --file cypher/org_tree_at_date.cypher")


def test_a_query_example_runs_through_the_cypher_command(data_dir: Path) -> None:
    docs = json.loads(socialatlas("queries", "--json", data_dir=data_dir).stdout)
    org = next(doc for doc in docs if doc["name"] == "org_tree_at_date")
    args = ["cypher", "--file", "cypher/org_tree_at_date.cypher"]
    for name, param in org["params"].items():
        args += ["--param", f"{name}={param['example']}"]
    result = socialatlas(*args, "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["columns"] == org["returns"]
