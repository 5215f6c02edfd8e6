"""Where the Neo4j test cases get their server, and the guard that keeps them off real data.

In order: the server SOCIALATLAS_TEST_NEO4J_URL names (with _USER, default `neo4j`, and
_PASSWORD, default none = no authentication, and optional _DATABASE); else a
`neo4j:5-community` container started once per session through testcontainers, when a
Docker engine answers; else the Neo4j cases are skipped with the reason. The check runs
once and its outcome is cached.

Neo4j community has one database, so isolation is by wiping it before each test. A
wipe must never hit real data: the first time the provider finds the database empty it
creates a marker index (`MARKER_INDEX`; an index, not a node, so the store handed out
is truly empty). A database that holds nodes but no marker was not filled by tests,
and the provider refuses (pytest.fail) to touch it.
"""

from __future__ import annotations

import os
import secrets
from typing import Any, Final, NoReturn

import pytest

from app.store.neo4j import Neo4jStore

NEO4J_IMAGE: Final = "neo4j:5-community"
MARKER_LABEL: Final = "SocialatlasTestMarker"
MARKER_INDEX: Final = "socialatlas_test_marker"
ENV_URL: Final = "SOCIALATLAS_TEST_NEO4J_URL"
ENV_USER: Final = "SOCIALATLAS_TEST_NEO4J_USER"
ENV_PASSWORD: Final = "SOCIALATLAS_TEST_NEO4J_PASSWORD"
ENV_DATABASE: Final = "SOCIALATLAS_TEST_NEO4J_DATABASE"


class Neo4jProvider:
    """One Neo4j store for the test session, found or started on first use."""

    def __init__(self) -> None:
        self._store: Neo4jStore | None = None
        self._container: Any = None  # testcontainers' Neo4jContainer, imported only when needed
        self._skip_reason: str | None = None
        self._failure: str | None = None

    def store_or_skip(self) -> Neo4jStore:
        """An empty store on the test server, or pytest.skip / pytest.fail with the reason."""
        if self._skip_reason is not None:
            pytest.skip(self._skip_reason)
        if self._failure is not None:
            pytest.fail(self._failure, pytrace=False)
        if self._store is None:
            self._store = self._open()
        try:
            self._prepare(self._store)
        except _Refused as refused:
            self._failure = str(refused)
            pytest.fail(self._failure, pytrace=False)
        return self._store

    def close(self) -> None:
        """Close the store and stop the container this provider started (never a server it was given)."""
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._container is not None:
            container, self._container = self._container, None
            container.stop()

    # -- finding a server

    def _open(self) -> Neo4jStore:
        url = os.environ.get(ENV_URL, "").strip()
        if url:
            return self._open_given(url)
        return self._open_container()

    def _open_given(self, url: str) -> Neo4jStore:
        """A server the developer named: if it does not answer, that is a failure, not a skip."""
        password = os.environ.get(ENV_PASSWORD) or None
        user = os.environ.get(ENV_USER) or "neo4j"
        store = Neo4jStore(
            url,
            (user, password) if password else None,
            os.environ.get(ENV_DATABASE) or None,
            max_transaction_retry_time=5.0,
        )
        health = store.health()
        if not health.reachable:
            store.close()
            self._failure = f"Neo4j backend: {ENV_URL}={store.location} does not answer: {health.detail}"
            pytest.fail(self._failure, pytrace=False)
        return store

    def _open_container(self) -> Neo4jStore:
        try:
            import docker

            docker.from_env().ping()
        except Exception as exc:  # DockerException within milliseconds when no engine runs
            self._skip(f"Neo4j backend: no Docker engine answered ({_one_line(exc)}) and {ENV_URL} is not set")
        try:
            try:
                from testcontainers.community.neo4j import Neo4jContainer
            except ImportError:  # testcontainers before the `community` package
                from testcontainers.neo4j import Neo4jContainer

            password = secrets.token_hex(16)  # Neo4j 5 wants at least 8 characters
            container = Neo4jContainer(NEO4J_IMAGE, password=password)
            container.start()
        except Exception as exc:
            self._skip(f"Neo4j backend: a Docker engine answered but {NEO4J_IMAGE} did not start: {_one_line(exc)}")
        self._container = container
        return Neo4jStore(container.get_connection_url(), ("neo4j", password))

    def _skip(self, reason: str) -> NoReturn:
        self._skip_reason = reason
        pytest.skip(reason)

    # -- the guard and the wipe

    def _prepare(self, store: Neo4jStore) -> None:
        """Check the marker, then empty the database: nodes, constraints and indexes (not the marker)."""
        nodes = int(store.read("MATCH (n) RETURN count(n) AS count")[0]["count"])
        marked = bool(store.read(f"SHOW INDEXES YIELD name WHERE name = '{MARKER_INDEX}' RETURN name"))
        if not marked:
            if nodes:
                raise _Refused(
                    f"Neo4j backend: refusing to wipe {store.location}: it holds {nodes} nodes and no "
                    f"'{MARKER_INDEX}' index, so its data was not created by the tests. Point "
                    f"{ENV_URL} at a database you can lose, or unset it to use a container."
                )
            store.write(f"CREATE INDEX {MARKER_INDEX} IF NOT EXISTS FOR (n:{MARKER_LABEL}) ON (n.created_by)")
        store.clear()
        for row in store.read("SHOW CONSTRAINTS YIELD name RETURN name"):
            store.write(f"DROP CONSTRAINT {_quote(row['name'])} IF EXISTS")
        indexes = store.read(
            "SHOW INDEXES YIELD name, type, owningConstraint "
            "WHERE type <> 'LOOKUP' AND owningConstraint IS NULL RETURN name"
        )
        for row in indexes:
            if row["name"] != MARKER_INDEX:
                store.write(f"DROP INDEX {_quote(row['name'])} IF EXISTS")


class _Refused(Exception):
    """The database holds data the tests did not create."""


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
