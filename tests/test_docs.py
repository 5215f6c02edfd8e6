"""The README stays true: its first screen has the two commands, CI runs the second,
and its configuration table lists every setting the code reads."""

from __future__ import annotations

import re
from pathlib import Path

from app.config import Settings

FIRST_SCREEN_LINES = 30


def _shell_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S)]


def test_first_screen_has_the_run_and_test_commands(repo_root: Path) -> None:
    first_screen = "\n".join((repo_root / "README.md").read_text(encoding="utf-8").splitlines()[:FIRST_SCREEN_LINES])
    run, test = _shell_blocks(first_screen)[:2]
    assert "pip install -e ." in run
    assert run.endswith("socialatlas serve")
    assert test == "./scripts/test.sh"


def test_ci_runs_exactly_the_readme_test_command(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    test_command = _shell_blocks(readme)[1]
    ci_lines = [
        line.strip()
        for line in (repo_root / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert ci_lines[-1] == test_command


def test_configuration_table_lists_every_setting(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(SOCIALATLAS_[A-Z0-9_]+)` \|", readme, flags=re.M))
    expected = {f"SOCIALATLAS_{name.upper()}" for name in Settings.model_fields}
    assert documented == expected


def test_schema_reference_is_generated_from_the_declaration(repo_root: Path) -> None:
    from app.schema import load_schema
    from app.schema.docs import render_markdown

    committed = (repo_root / "docs" / "schema.md").read_text(encoding="utf-8")
    assert committed == render_markdown(load_schema()), "run: socialatlas schema --markdown > docs/schema.md"
