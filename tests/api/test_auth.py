"""API keys over real HTTP: who may read, unknown keys, anonymous_read off, the keys file itself."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.api.app import create_app
from app.api.auth import (
    ANONYMOUS,
    KEY_PREFIX,
    Principal,
    Role,
    authenticate,
    hash_key,
    parse_keys,
    read_keys_file,
    require_role,
    write_keys_file,
)
from app.config import Settings
from app.errors import ConfigurationError, Forbidden, Unauthenticated
from app.store.base import GraphStore
from tests.api.keys import bearer, keyed_settings, write_keys
from tests.api.support import data, error_codes, gql, serving

READ = "{ municipalities { uid } }"


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    return tmp_path / "keys.yaml"


@pytest.fixture
def keys(keys_file: Path) -> dict[str, str]:
    return write_keys(keys_file, reader="rita", analyst="ali", curator="anna")


@pytest.fixture
def open_url(seeded_store: GraphStore, keys_file: Path, keys: dict[str, str]) -> Iterator[str]:
    """The app with keys configured and anonymous reading allowed (the default)."""
    with serving(create_app(keyed_settings(keys_file), seeded_store)) as url:
        yield url


@pytest.fixture
def closed_url(seeded_store: GraphStore, keys_file: Path, keys: dict[str, str]) -> Iterator[str]:
    """The app with keys configured and anonymous reading off."""
    with serving(create_app(keyed_settings(keys_file, anonymous_read=False), seeded_store)) as url:
        yield url


def test_anonymous_callers_read_by_default(open_url: str) -> None:
    assert data(gql(open_url, READ))["municipalities"]


@pytest.mark.parametrize("style", ["bearer", "x-api-key"])
def test_a_known_key_reads_with_either_header(open_url: str, keys: dict[str, str], style: str) -> None:
    key = keys["reader"]
    headers = bearer(key) if style == "bearer" else {"X-API-Key": key}
    assert data(gql(open_url, READ, headers=headers))["municipalities"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer sa_not-a-key-anyone-has"},
        {"X-API-Key": "sa_not-a-key-anyone-has"},
        {"Authorization": "Basic cml0YTpzZWNyZXQ="},
        {"Authorization": "Bearer"},
    ],
    ids=["unknown-bearer", "unknown-x-api-key", "basic-auth", "empty-bearer"],
)
def test_an_unknown_or_malformed_key_is_never_read_as_anonymous(open_url: str, headers: dict[str, str]) -> None:
    body = gql(open_url, READ, headers=headers)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body.get("data") is None


def test_with_anonymous_read_off_a_key_is_needed(closed_url: str, keys: dict[str, str]) -> None:
    body = gql(closed_url, READ)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body.get("data") is None
    assert "API key" in body["errors"][0]["message"]
    for role in ("reader", "analyst", "curator"):
        assert data(gql(closed_url, READ, headers=bearer(keys[role])))["municipalities"]


def test_with_anonymous_read_off_the_schema_is_not_revealed(closed_url: str) -> None:
    """Refused before validation: no "did you mean" hints about field names for a caller without a key."""
    body = gql(closed_url, "{ municipalitie { uid } }")
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert "municipalities" not in str(body)
    introspection = gql(closed_url, "{ __schema { queryType { name } } }")
    assert error_codes(introspection) == ["UNAUTHENTICATED"]


def test_a_revoked_key_is_refused_without_a_restart(open_url: str, keys_file: Path, keys: dict[str, str]) -> None:
    assert data(gql(open_url, READ, headers=bearer(keys["reader"])))
    write_keys_file(keys_file, [entry for entry in read_keys_file(keys_file) if entry.name != "rita"])
    assert error_codes(gql(open_url, READ, headers=bearer(keys["reader"]))) == ["UNAUTHENTICATED"]
    assert data(gql(open_url, READ, headers=bearer(keys["curator"])))


def test_a_file_broken_while_running_keeps_the_last_good_keys(
    open_url: str, keys_file: Path, keys: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    assert data(gql(open_url, READ, headers=bearer(keys["reader"])))
    keys_file.write_text("keys:\n  - name: rita\n    role: boss\n    sha256: abc\n", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="app.api.auth"):
        assert data(gql(open_url, READ, headers=bearer(keys["reader"])))
    assert "malformed" in caplog.text
    assert keys["reader"] not in caplog.text


def test_the_graphiql_page_and_health_need_no_key(closed_url: str) -> None:
    assert httpx.get(f"{closed_url}/health", timeout=30).status_code == 200
    page = httpx.get(f"{closed_url}/graphql", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200


# The keys file and the functions, without HTTP.


def test_keys_are_random_prefixed_and_only_their_hash_is_stored(keys_file: Path, keys: dict[str, str]) -> None:
    text = keys_file.read_text(encoding="utf-8")
    assert len(set(keys.values())) == 3
    for key in keys.values():
        assert key.startswith(KEY_PREFIX)
        assert len(key) > 40
        assert key not in text
        assert hash_key(key) in text
    assert keys_file.stat().st_mode & 0o077 == 0, "the keys file is readable by its owner only"


def test_authenticate_maps_keys_to_principals(keys_file: Path, keys: dict[str, str], tmp_path: Path) -> None:
    settings = keyed_settings(keys_file)
    principal = authenticate({"authorization": f"bearer {keys['analyst']}"}, settings)
    assert (principal.name, principal.role) == ("ali", Role.ANALYST)
    assert authenticate({}, settings) is ANONYMOUS
    with pytest.raises(Unauthenticated):
        authenticate({"x-api-key": keys["analyst"] + "x"}, settings)
    with pytest.raises(Unauthenticated):
        authenticate({"x-api-key": keys["analyst"]}, Settings(data_dir=tmp_path / "elsewhere"))


def test_require_role() -> None:
    anna = Principal(name="anna", role=Role.CURATOR)
    assert require_role(ANONYMOUS, Role.READER) is ANONYMOUS
    assert require_role(anna, Role.CURATOR) is anna
    with pytest.raises(Unauthenticated):
        require_role(ANONYMOUS, Role.CURATOR)
    with pytest.raises(Forbidden, match="curator role; this needs analyst"):
        require_role(anna, Role.ANALYST)


def test_a_malformed_keys_file_stops_start_up_naming_file_line_and_field(
    keys_file: Path, seeded_store: GraphStore
) -> None:
    keys_file.write_text(
        "keys:\n  - name: anna\n    role: curator\n    sha256: " + "a" * 64 + "\n  - name: bo\n    role: admin\n"
        "    sha256: " + "b" * 64 + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as caught:
        create_app(keyed_settings(keys_file), seeded_store)
    assert f"{keys_file}:6" in str(caught.value)
    assert "keys[1].role" in str(caught.value)
    assert "'admin'" in str(caught.value)


def test_closing_anonymous_reading_without_keys_stops_start_up(seeded_store: GraphStore, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="holds no keys"):
        create_app(Settings(anonymous_read=False, data_dir=tmp_path), seeded_store)


def test_the_default_keys_file_is_in_the_data_dir_and_read_while_serving(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.keys_file == tmp_path / "api-keys.yaml"
    assert authenticate({}, settings) is ANONYMOUS
    keys = write_keys(settings.keys_file, curator="anna")  # as `socialatlas apikey add` does, server running
    assert authenticate({"x-api-key": keys["curator"]}, settings).name == "anna"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("keys: [", ":1: yaml"),
        ("- a\n- b\n", "keys: expected one top-level mapping"),
        ("keys: {}\n", ":1: keys: expected a list"),
        ("keys:\n  - anna\n", ":2: keys[0]: expected a mapping"),
        ("keys:\n  - name: anna\n    role: reader\n", "keys[0].sha256: missing"),
        ("keys:\n  - name: anna\n    role: reader\n    sha256: xyz\n", ":4: keys[0].sha256: expected 64 hex"),
        ("keys:\n  - name: anna\n    role: reader\n    key: sa_x\n    sha256: " + "a" * 64, ":4: keys[0].key: unknown"),
        (
            "keys:\n  - {name: anna, role: reader, sha256: " + "a" * 64 + "}\n"
            "  - {name: anna, role: curator, sha256: " + "b" * 64 + "}\n",
            ":3: keys[1].name: 'anna' is listed twice",
        ),
        (
            "keys:\n  - {name: anna, role: reader, sha256: " + "a" * 64 + "}\n"
            "  - {name: bo, role: curator, sha256: " + "A" * 64 + "}\n",
            "keys[1].sha256: the same key is listed twice",
        ),
        ("keys:\n  - {name: 'a b', role: reader, sha256: " + "a" * 64 + "}\n", "keys[0].name: 'a b'"),
    ],
)
def test_keys_file_problems_name_line_and_field(text: str, expected: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_keys(text, Path("keys.yaml"))
    assert expected in str(caught.value)
    assert str(caught.value).startswith("API keys file keys.yaml")


def test_an_empty_or_missing_keys_file_has_no_keys(tmp_path: Path) -> None:
    assert parse_keys("", Path("k.yaml")) == ()
    assert parse_keys("keys: []\n", Path("k.yaml")) == ()
    assert read_keys_file(tmp_path / "absent.yaml") == ()
