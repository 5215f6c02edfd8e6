"""Settings: one URL chooses the backend; nothing connects at import or construction."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import GraphTarget, Settings
from app.errors import ConfigurationError


@pytest.mark.parametrize("url", [None, "", "embedded", "  embedded "])
def test_no_url_means_embedded(url: str | None) -> None:
    assert GraphTarget.parse(url).kind == "embedded"


def test_falkordb_url_names_host_port_and_graph() -> None:
    target = GraphTarget.parse("falkordb://db.example:6380/atlas")
    assert (target.kind, target.host, target.port, target.graph) == ("falkordb", "db.example", 6380, "atlas")


def test_falkordb_url_defaults() -> None:
    target = GraphTarget.parse("falkordb://db")
    assert (target.port, target.graph) == (6379, "socialatlas")


@pytest.mark.parametrize("url", ["neo4j://h:7687", "neo4j+s://cluster.example", "bolt://h", "bolt+s://h:7000"])
def test_neo4j_schemes(url: str) -> None:
    assert GraphTarget.parse(url).kind == "neo4j"


@pytest.mark.parametrize("url", ["postgres://h/db", "falkordb:///graph", "neo4j://", "http://x"])
def test_bad_urls_name_the_setting(url: str) -> None:
    with pytest.raises(ConfigurationError, match="SOCIALATLAS_GRAPH_URL"):
        GraphTarget.parse(url)


def test_settings_read_the_prefixed_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SOCIALATLAS_GRAPH_URL", "bolt://neo:7687")
    monkeypatch.setenv("SOCIALATLAS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOCIALATLAS_NEO4J_PASSWORD", "s3cret")
    settings = Settings()
    assert settings.target.kind == "neo4j"
    assert settings.data_dir == tmp_path
    assert settings.neo4j_password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)


def test_default_data_dir_is_per_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOCIALATLAS_DATA_DIR", raising=False)
    assert "socialatlas" in str(Settings().data_dir)


def test_importing_the_app_starts_nothing(tmp_path: Path) -> None:
    """Importing every module and building the API must not start a server or touch the data dir."""
    import subprocess
    import sys

    data_dir = tmp_path / "never-created"
    code = (
        "import app.cli.main, app.api.app, app.store.falkordb, app.store.neo4j, app.store.embedded\n"
        "app.api.app.create_app()\n"
    )
    env = {"SOCIALATLAS_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=Path(__file__).parent.parent,
    )
    assert result.returncode == 0, result.stderr
    assert not data_dir.exists()
