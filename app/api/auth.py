"""Who is asking: API keys and the roles they carry.

Keys are random tokens (`sa_` + 32 random bytes, URL-safe); only their SHA-256 is stored,
in the YAML file `Settings.keys_file` (SOCIALATLAS_API_KEYS_FILE, default api-keys.yaml in the data dir):

    keys:
      - name: anna
        role: curator
        sha256: 9f86d081…

A plain hash is enough because the keys have ~256 bits of entropy (nothing to brute-force);
comparison is constant-time. The file is read once and re-read only when it changes (so
`socialatlas apikey revoke` takes effect without a restart); a malformed file is a
ConfigurationError naming file, line and field, raised when the app is built.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, cast

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from app.config import Settings
from app.errors import ConfigurationError, Forbidden, Unauthenticated

KEY_PREFIX = "sa_"
KEY_BYTES = 32
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")

log = logging.getLogger(__name__)


class Role(Enum):
    """What a key may do. Every key may read; analysts may also run Cypher; curators may also edit."""

    READER = "reader"
    ANALYST = "analyst"
    CURATOR = "curator"


ROLE_NAMES = tuple(role.value for role in Role)


@dataclass(frozen=True)
class Principal:
    """The caller of one request: a named key with its role, or the anonymous reader."""

    name: str
    role: Role | None
    """None for an anonymous caller."""

    @property
    def anonymous(self) -> bool:
        return self.role is None


ANONYMOUS = Principal(name="anonymous", role=None)


@dataclass(frozen=True)
class KeyEntry:
    """One configured key: who holds it, what it may do, and the SHA-256 of the key (never the key)."""

    name: str
    role: Role
    sha256: str


def new_key() -> str:
    """A fresh random key, recognisable by its prefix (so a leaked one can be found by secret scanners)."""
    return KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)


def hash_key(key: str) -> str:
    """The hex SHA-256 of a key, as stored in the keys file."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _problem(path: Path, line: int | None, field: str, message: str) -> ConfigurationError:
    where = f"{path}:{line + 1}" if line is not None else str(path)
    return ConfigurationError(f"API keys file {where}: {field}: {message}")


def _line_of_key(mapping: Any, key: str) -> int | None:
    lc = getattr(mapping, "lc", None)
    return cast(int, lc.key(key)[0]) if lc is not None else None


def parse_keys(text: str, path: Path) -> tuple[KeyEntry, ...]:
    """The entries of a keys file's text; ConfigurationError naming file, line and field when malformed."""
    try:
        document: Any = _yaml().load(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise _problem(path, getattr(mark, "line", None), "yaml", str(error).splitlines()[0]) from None
    if document is None:
        return ()
    if not isinstance(document, Mapping) or set(document) - {"keys"}:
        raise _problem(path, 0, "keys", "expected one top-level mapping `keys:` holding a list")
    items = document.get("keys")
    if items is None:
        return ()
    if not isinstance(items, list):
        raise _problem(path, _line_of_key(document, "keys"), "keys", "expected a list of {name, role, sha256}")
    entries: list[KeyEntry] = []
    seen_names: set[str] = set()
    seen_hashes: set[str] = set()
    for index, item in enumerate(items):
        item_line = items.lc.item(index)[0] if hasattr(items, "lc") else None
        prefix = f"keys[{index}]"
        if not isinstance(item, Mapping):
            raise _problem(path, item_line, prefix, "expected a mapping with name, role, sha256")

        def line_of(key: str, item: Any = item, item_line: int | None = item_line) -> int | None:
            lc = getattr(item, "lc", None)
            return lc.key(key)[0] if lc is not None and key in item else item_line

        unknown = sorted(set(item) - {"name", "role", "sha256"})
        if unknown:
            raise _problem(path, line_of(unknown[0]), f"{prefix}.{unknown[0]}", "unknown field (name, role, sha256)")
        for required in ("name", "role", "sha256"):
            if not isinstance(item.get(required), str) or not item[required].strip():
                raise _problem(path, line_of(required), f"{prefix}.{required}", "missing or not text")
        name, role, digest = item["name"].strip(), item["role"].strip(), item["sha256"].strip().lower()
        if not NAME_PATTERN.match(name):
            raise _problem(path, line_of("name"), f"{prefix}.name", f"{name!r}: letters, digits, . _ @ - only")
        if role not in ROLE_NAMES:
            expected = ", ".join(ROLE_NAMES)
            raise _problem(path, line_of("role"), f"{prefix}.role", f"{role!r}: expected one of {expected}")
        if not _HEX64.match(digest):
            raise _problem(
                path, line_of("sha256"), f"{prefix}.sha256", "expected 64 hex digits (the SHA-256 of the key)"
            )
        if name in seen_names:
            raise _problem(path, line_of("name"), f"{prefix}.name", f"{name!r} is listed twice")
        if digest in seen_hashes:
            raise _problem(path, line_of("sha256"), f"{prefix}.sha256", "the same key is listed twice")
        seen_names.add(name)
        seen_hashes.add(digest)
        entries.append(KeyEntry(name=name, role=Role(role), sha256=digest))
    return tuple(entries)


def read_keys_file(path: Path) -> tuple[KeyEntry, ...]:
    """The entries of a keys file; a missing file has none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except OSError as error:
        raise _problem(path, None, "file", f"cannot be read: {error.strerror}") from None
    return parse_keys(text, path)


def write_keys_file(path: Path, entries: tuple[KeyEntry, ...] | list[KeyEntry]) -> None:
    """Write the entries (replacing the file atomically, readable by its owner only)."""
    document = {"keys": [{"name": e.name, "role": e.role.value, "sha256": e.sha256} for e in entries]}
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".tmp")
    with staging.open("w", encoding="utf-8") as stream:
        stream.write(
            "# Socialatlas API keys: only the SHA-256 of each key is kept. Manage with `socialatlas apikey`.\n"
        )
        _yaml().dump(document, stream)
    staging.chmod(0o600)
    staging.replace(path)


@dataclass(frozen=True)
class _Loaded:
    stamp: tuple[int, int] | None
    entries: tuple[KeyEntry, ...]


_cache: dict[Path, _Loaded] = {}
_cache_lock = threading.Lock()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_size)


def configured_keys(settings: Settings, *, strict: bool = False) -> tuple[KeyEntry, ...]:
    """The keys the settings name, read once and again only when the file changes.

    `strict` (at start-up) raises a malformed file's ConfigurationError; later, a file broken
    while the app runs is logged and the last good keys stay in force, so requests keep working.
    """
    path = settings.keys_file
    stamp = _stamp(path)
    with _cache_lock:
        cached = _cache.get(path)
        if cached is not None and cached.stamp == stamp:
            return cached.entries
        try:
            entries = read_keys_file(path)
        except ConfigurationError:
            if strict or cached is None:
                raise
            log.error("API keys file %s is malformed; keeping the keys read before", path, exc_info=True)
            return cached.entries
        _cache[path] = _Loaded(stamp, entries)
        return entries


def check_configuration(settings: Settings) -> None:
    """Read the keys file now, so a malformed one stops the app at start-up, not each request."""
    keys = configured_keys(settings, strict=True)
    if not settings.anonymous_read and not keys:
        raise ConfigurationError(
            f"SOCIALATLAS_ANONYMOUS_READ is false but the API keys file {settings.keys_file} holds no keys: no "
            "request could be served; add one with `socialatlas apikey add`"
        )


def _presented_key(headers: Mapping[str, str]) -> str | None:
    authorization = headers.get("authorization")
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthenticated("the Authorization header must be `Bearer <API key>`")
        return value.strip()
    key = headers.get("x-api-key")
    if key is not None:
        if not key.strip():
            raise Unauthenticated("the X-API-Key header is empty")
        return key.strip()
    return None


def authenticate(headers: Mapping[str, str], settings: Settings) -> Principal:
    """The principal a request's headers name; ANONYMOUS when they name none.

    Keys come as `Authorization: Bearer <key>` or `X-API-Key: <key>`. A key that is given but
    not known raises Unauthenticated: a mistyped or revoked key is never read as anonymous.
    (Whether anonymous callers may read at all is decided per operation: `anonymous_read`.)
    """
    key = _presented_key(headers)
    if key is None:
        return ANONYMOUS
    digest = hash_key(key)
    found: KeyEntry | None = None
    for entry in configured_keys(settings):
        if hmac.compare_digest(entry.sha256, digest):  # compare all: no timing hint of which one matched
            found = entry
    if found is None:
        raise Unauthenticated("the API key is not known (revoked, mistyped, or not in the configured keys file)")
    return Principal(name=found.name, role=found.role)


def require_role(principal: Principal, role: Role) -> Principal:
    """The principal, if its role allows `role`; raises Unauthenticated or Forbidden otherwise."""
    if role is Role.READER:
        return principal
    if principal.anonymous:
        raise Unauthenticated(f"this needs an API key with the {role.value} role")
    if principal.role is not role:
        raise Forbidden(
            f"the key {principal.name!r} has the {principal.role.value if principal.role else 'no'} role; "
            f"this needs {role.value}"
        )
    return principal
