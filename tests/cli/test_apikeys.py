"""`socialatlas apikey add | list | revoke`, run as a user runs them (no database needed)."""

from __future__ import annotations

from pathlib import Path

from app.api.auth import Role, authenticate, hash_key, read_keys_file
from app.config import Settings
from tests.cli_support import run_cli as socialatlas


def test_add_prints_the_key_once_and_stores_only_its_hash(tmp_path: Path) -> None:
    added = socialatlas("apikey", "add", "--name", "anna", "--role", "curator", data_dir=tmp_path)
    assert added.returncode == 0, added.stderr
    key = added.stdout.strip()
    assert key.startswith("sa_")
    assert "\n" not in key
    path = tmp_path / "api-keys.yaml"
    assert str(path) in added.stderr
    assert "The server reads this file" in added.stderr, "the data dir's file is the server's default"
    text = path.read_text(encoding="utf-8")
    assert key not in text
    assert hash_key(key) in text
    principal = authenticate({"x-api-key": key}, Settings(data_dir=tmp_path))
    assert (principal.name, principal.role) == ("anna", Role.CURATOR)


def test_add_to_another_file_says_which_setting_to_point_at_it(tmp_path: Path) -> None:
    elsewhere = tmp_path / "keys" / "api.yaml"
    added = socialatlas("apikey", "add", "-n", "bo", "-r", "reader", "--file", str(elsewhere), data_dir=tmp_path)
    assert added.returncode == 0, added.stderr
    assert f"SOCIALATLAS_API_KEYS_FILE={elsewhere}" in added.stderr


def test_add_uses_the_configured_file_or_the_one_given(tmp_path: Path) -> None:
    configured = tmp_path / "etc" / "keys.yaml"
    env = {"SOCIALATLAS_API_KEYS_FILE": str(configured)}
    first = socialatlas("apikey", "add", "--name", "ali", "--role", "analyst", data_dir=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert "The server reads this file" in first.stderr
    given = tmp_path / "other.yaml"
    second = socialatlas(
        "apikey", "add", "--name", "rita", "--role", "reader", "--file", str(given), data_dir=tmp_path, env=env
    )
    assert second.returncode == 0, second.stderr
    assert [e.name for e in read_keys_file(configured)] == ["ali"]
    assert [e.name for e in read_keys_file(given)] == ["rita"]
    assert not (tmp_path / "api-keys.yaml").exists()


def test_list_shows_names_and_roles_never_hashes(tmp_path: Path) -> None:
    for name, role in (("anna", "curator"), ("rita", "reader")):
        assert socialatlas("apikey", "add", "--name", name, "--role", role, data_dir=tmp_path).returncode == 0
    listed = socialatlas("apikey", "list", data_dir=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "anna" in listed.stdout
    assert "curator" in listed.stdout
    assert "rita" in listed.stdout
    assert "reader" in listed.stdout
    for entry in read_keys_file(tmp_path / "api-keys.yaml"):
        assert entry.sha256 not in listed.stdout + listed.stderr
    assert "2 key(s)" in listed.stderr


def test_list_of_no_keys(tmp_path: Path) -> None:
    listed = socialatlas("apikey", "list", data_dir=tmp_path)
    assert listed.returncode == 0
    assert "No keys" in listed.stderr


def test_revoke_removes_the_key(tmp_path: Path) -> None:
    added = socialatlas("apikey", "add", "--name", "anna", "--role", "curator", data_dir=tmp_path)
    socialatlas("apikey", "add", "--name", "rita", "--role", "reader", data_dir=tmp_path)
    revoked = socialatlas("apikey", "revoke", "anna", data_dir=tmp_path)
    assert revoked.returncode == 0, revoked.stderr
    path = tmp_path / "api-keys.yaml"
    assert [e.name for e in read_keys_file(path)] == ["rita"]
    assert hash_key(added.stdout.strip()) not in path.read_text(encoding="utf-8")
    again = socialatlas("apikey", "revoke", "anna", data_dir=tmp_path)
    assert again.returncode == 1
    assert "no key named 'anna'" in again.stderr
    assert "rita" in again.stderr


def test_bad_input_exits_1_with_the_field(tmp_path: Path) -> None:
    bad_role = socialatlas("apikey", "add", "--name", "anna", "--role", "admin", data_dir=tmp_path)
    assert bad_role.returncode == 1
    assert "INVALID_INPUT: role" in bad_role.stderr
    assert "reader, analyst, curator" in bad_role.stderr
    bad_name = socialatlas("apikey", "add", "--name", "a b", "--role", "reader", data_dir=tmp_path)
    assert bad_name.returncode == 1
    assert "INVALID_INPUT: name" in bad_name.stderr
    assert socialatlas("apikey", "add", "--name", "anna", "--role", "reader", data_dir=tmp_path).returncode == 0
    twice = socialatlas("apikey", "add", "--name", "anna", "--role", "curator", data_dir=tmp_path)
    assert twice.returncode == 1
    assert "already has a key" in twice.stderr
    assert not any("Traceback" in r.stderr for r in (bad_role, bad_name, twice))


def test_a_malformed_file_is_reported_with_line_and_field(tmp_path: Path) -> None:
    (tmp_path / "api-keys.yaml").write_text(
        "keys:\n  - name: anna\n    role: boss\n    sha256: " + "a" * 64 + "\n", encoding="utf-8"
    )
    listed = socialatlas("apikey", "list", data_dir=tmp_path)
    assert listed.returncode == 1
    assert "api-keys.yaml:3: keys[0].role" in listed.stderr
    assert "Traceback" not in listed.stderr


def test_help_has_examples(tmp_path: Path) -> None:
    for args in (("apikey", "--help"), ("apikey", "add", "--help")):
        shown = socialatlas(*args, data_dir=tmp_path)
        assert shown.returncode == 0
        assert "Examples:" in shown.stdout
        assert "socialatlas apikey add --name anna --role curator" in shown.stdout
