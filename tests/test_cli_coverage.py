"""`socialatlas coverage` on a small seed folder and document written by the test: no database involved."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import cli

DOCUMENT = textwrap.dedent(
    """\
    Ny organisering af Socialafdelingen
    Notatet beskriver den nye organisering.
    Baggrund
    Silkeborg Kommune samler to afdelinger.
    Myndighed
    Der etableres én samlet Myndighedssektion.
    Økonomi
    Der er én samlet bevilling.
    """
)

SEED = {
    "sources.yaml": """\
        sources:
          - uid: notat.txt
            name: Ny organisering af Socialafdelingen
            kind: dokument
            file: seeds/notat.txt
        """,
    "silkeborg.yaml": """\
        municipalities:
          - uid: silkeborg
            name: Silkeborg
            source:
              document: notat.txt
              section: Baggrund
              quote: Silkeborg Kommune samler to afdelinger.
        units:
          - uid: silkeborg-myndighedssektion
            name: Myndighedssektion
            kind: sektion
            part_of:
              - silkeborg
            sources:
              - document: notat.txt
                section: Myndighed
                quote: Der etableres én samlet Myndighedssektion.
              - document: notat.txt
                section: Myndigheder
                quote: Myndighedssektion
        """,
}


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    seed_dir, documents_dir = tmp_path / "seed", tmp_path / "shared"
    seed_dir.mkdir()
    (documents_dir / "seeds").mkdir(parents=True)
    (documents_dir / "seeds" / "notat.txt").write_text(DOCUMENT, encoding="utf-8")
    for name, text in SEED.items():
        (seed_dir / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return seed_dir, documents_dir


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["coverage", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_json_report_counts_facts_per_section(folders: tuple[Path, Path]) -> None:
    seed_dir, documents_dir = folders
    code, output = run("--json", "--seed-dir", str(seed_dir), "--documents-dir", str(documents_dir))
    assert code == 0, output
    (doc,) = json.loads(output)["documents"]
    # The unit and its PART_OF edge both cite 'Myndighed'; the municipality cites 'Baggrund'.
    assert {s["section"]: s["facts"] for s in doc["sections"]} == {
        "Ny organisering af Socialafdelingen": 0,
        "Baggrund": 1,
        "Myndighed": 2,
        "Økonomi": 0,
    }
    assert doc["facts"] == 3
    assert doc["sections_without_facts"] == ["Ny organisering af Socialafdelingen", "Økonomi"]
    assert doc["unmatched_sections"] == [{"section": "Myndigheder", "facts": 2, "suggestion": "Myndighed"}]


def test_table_lists_sections_without_facts_and_suspect_citations(folders: tuple[Path, Path]) -> None:
    seed_dir, documents_dir = folders
    code, output = run("--seed-dir", str(seed_dir), "--documents-dir", str(documents_dir))
    assert code == 0, output
    assert "Afsnit uden fakta" in output
    assert "- Økonomi (linje 7)" in output
    assert "4 afsnit, 2 med fakta, 2 uden; 3 fakta citerer dokumentet." in output
    assert "Citeret afsnit findes ikke i dokumentet: 'Myndigheder'" in output
    assert "mente du 'Myndighed'?" in output


def test_unknown_document_is_bad_input_with_suggestions(folders: tuple[Path, Path]) -> None:
    seed_dir, documents_dir = folders
    code, output = run("--document", "notat.tx", "--seed-dir", str(seed_dir), "--documents-dir", str(documents_dir))
    assert code == 1
    assert "notat.txt" in output


def test_missing_documents_folder_is_bad_input(folders: tuple[Path, Path], tmp_path: Path) -> None:
    seed_dir, _ = folders
    code, output = run("--seed-dir", str(seed_dir), "--documents-dir", str(tmp_path / "nowhere"))
    assert code == 1
    assert "SOCIALATLAS_DOCUMENTS_DIR" in output


def test_documents_dir_comes_from_the_setting(folders: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    seed_dir, documents_dir = folders
    monkeypatch.setenv("SOCIALATLAS_DOCUMENTS_DIR", str(documents_dir))
    code, output = run("--json", "--document", "notat.txt", "--seed-dir", str(seed_dir))
    assert code == 0, output
    assert [d["document"] for d in json.loads(output)["documents"]] == ["notat.txt"]


def test_help_has_examples() -> None:
    code, output = run("--help")
    assert code == 0
    assert "Examples" in output
    assert "socialatlas coverage --document" in output
