"""`socialatlas ask` as a user runs it: a real process on its own data dir, seeded once for the module."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_support import run_cli as socialatlas

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir seeded with the real seed/ through `python -m app seed` (ask seeds nothing itself)."""
    directory = tmp_path_factory.mktemp("ask") / "data"
    result = socialatlas("seed", data_dir=directory)
    assert result.returncode == 0, f"seed failed:\n{result.stdout}\n{result.stderr}"
    return directory


CENTRAL = ("ask", "--municipality", "Aarhus", "--age", "17", "--condition", "autisme")


def test_ask_json_is_the_answer(data_dir: Path) -> None:
    result = socialatlas(*CENTRAL, "--paragraph", "SEL §52", "--date", "2019-09-01", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == "resolved"
    assert [a["unit"] for a in answer["authority"]] == ["Unge, Job og Uddannelse"]
    assert answer["question"]["date"] == "2019-09-01"
    assert answer["question"]["paragraph_asked"] == "sel-52"
    assert {"rules", "sources", "paragraphs", "providers", "exceptions", "nearest", "inferred_steps"} <= set(answer)


def test_ask_prints_a_danish_answer(data_dir: Path) -> None:
    result = socialatlas(*CENTRAL, "--paragraph", "SEL §52", "--date", "2025-03-01", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    for expected in (
        "Status: afgjort",
        "Myndighed: Unge, Job og Uddannelse (driftsområde)",
        "Placering: Unge, Job og Uddannelse › Magistratsafdelingen for Sociale Forhold og Beskæftigelse › Aarhus",
        "Ledelse: Driftschef, Unge, Job og Uddannelse",
        "SEL §52 afløst af BL §32 fra 1. januar 2024",
        "✔ afgørende: Myndighed for ungdomsforanstaltninger efter SEL §52",
        "✗ afvist:",
        "Kilder",
        "003_5b2cd4c41ea65390.txt",
        "[udledt]",
        "Forklaring",
        "1. marts 2025",
    ):
        assert expected in text, f"{expected!r} not in:\n{text}"
    assert "\\[" not in text, "rich markup escaped twice"


def test_ask_before_the_reorganisation_and_an_exception(data_dir: Path) -> None:
    old = socialatlas(*CENTRAL, "--date", "2019-07-31", data_dir=data_dir)
    assert old.returncode == 0, old.stderr
    assert "Myndighed: Familier, Børn og Unge" in old.stdout
    assert "Undtagelser" in old.stdout
    sel41 = socialatlas("ask", "-m", "aarhus", "-a", "17", "-p", "§ 41", "-d", "2019-09-01", data_dir=data_dir)
    assert "Myndighed: Børn, Familier og Fællesskaber" in sel41.stdout


def test_ask_not_covered_names_the_nearest(data_dir: Path) -> None:
    result = socialatlas("ask", "-m", "Silkeborg", "-a", "17", "-c", "autisme", "-d", "2025-03-01", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "Status: ikke dækket" in result.stdout
    assert "Nærmeste regler" in result.stdout
    assert "Myndighedssektion" in result.stdout


@pytest.mark.parametrize(
    ("args", "field", "suggestion"),
    [
        (("-m", "Aarhuz", "-a", "17"), "municipality", "Aarhus"),
        (("-m", "Aarhus", "-a", "17", "-c", "autsime"), "conditions", "autisme"),
        (("-m", "Aarhus", "-a", "17", "-p", "§ 32"), "paragraph", "BL §32"),
        (("-m", "Aarhus", "-a", "-3"), "age", None),
        (("-m", "Aarhus", "-a", "17", "-k", "myndig"), "kind", "myndighed"),
        (("-m", "Aarhus", "-a", "17", "-d", "2019-13-01"), "date", None),
    ],
)
def test_ask_bad_input_exits_1_with_field_and_suggestions(
    data_dir: Path, args: tuple[str, ...], field: str, suggestion: str | None
) -> None:
    result = socialatlas("ask", *args, data_dir=data_dir)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"INVALID_INPUT: {field}:" in result.stderr
    if suggestion:
        assert suggestion in result.stderr


def test_ask_help_has_examples(tmp_path: Path) -> None:
    result = socialatlas("ask", "--help", data_dir=tmp_path / "data")
    assert result.returncode == 0
    assert "Examples" in result.stdout
    assert "--municipality Aarhus --age 17 --condition autisme" in result.stdout


def test_the_ask_module_imports_on_its_own() -> None:
    """`app.cli.main` imports `app.cli.ask` at its end; importing ask first must not be circular."""
    result = subprocess.run(
        [sys.executable, "-c", "import app.cli.ask"], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert result.returncode == 0, result.stderr
