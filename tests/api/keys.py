"""API keys for tests: a keys file with one key per role, and settings that use it.

keys = write_keys(tmp_path / "keys.yaml", curator="anna", reader="rita")
settings = keyed_settings(tmp_path / "keys.yaml")
gql(url, query, headers=bearer(keys["curator"]))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.api.auth import KeyEntry, Role, hash_key, new_key, read_keys_file, write_keys_file
from app.config import Settings


def write_keys(path: Path, **names_by_role: str) -> dict[str, str]:
    """Add one fresh key per role (`curator="anna"`) to the keys file at `path`; returns {role: plaintext key}.

    Entries already in the file stay, so tests can call it twice on one file.
    """
    entries = list(read_keys_file(path))
    keys: dict[str, str] = {}
    for role_name, name in names_by_role.items():
        role = Role(role_name)
        key = new_key()
        entries.append(KeyEntry(name=name, role=role, sha256=hash_key(key)))
        keys[role.value] = key
    write_keys_file(path, entries)
    return keys


def keyed_settings(path: Path, **overrides: Any) -> Settings:
    """Settings using the keys file at `path` (anonymous reading allowed unless overridden)."""
    return Settings(api_keys_file=path, **overrides)


def bearer(key: str) -> dict[str, str]:
    """The request headers that present `key`."""
    return {"Authorization": f"Bearer {key}"}
