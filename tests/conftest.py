"""Fixtures shared by every test: a graph store per available backend.

- Embedded FalkorDB is always available: one server for the session, in a
  temporary data dir; each test gets its own graph key, deleted afterwards.
- Neo4j is used when a Docker engine answers (testcontainers) or when
  SOCIALATLAS_TEST_NEO4J_URL is set; otherwise its cases are skipped, and the
  reason is printed in the summary (`-ra`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store.base import GraphStore
from app.store.embedded import EmbeddedServer
from app.store.falkordb import FalkorStore
from tests.neo4j_support import Neo4jProvider

BACKENDS = ("falkordb", "neo4j")


@pytest.fixture(scope="session")
def falkor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """One embedded FalkorDB server for the whole test session."""
    server = EmbeddedServer(tmp_path_factory.mktemp("falkordb"))
    server.ensure_running()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def neo4j_provider() -> Iterator[Neo4jProvider]:
    provider = Neo4jProvider()
    yield provider
    provider.close()


@pytest.fixture(params=BACKENDS)
def store(
    request: pytest.FixtureRequest, falkor_server: EmbeddedServer, neo4j_provider: Neo4jProvider
) -> Iterator[GraphStore]:
    """An empty, isolated graph on each available backend."""
    if request.param == "falkordb":
        falkor = FalkorStore.on_server(falkor_server, graph=f"test_{uuid.uuid4().hex[:12]}")
        try:
            yield falkor
        finally:
            falkor.clear()
            falkor.close()
        return
    neo4j = neo4j_provider.store_or_skip()
    try:
        yield neo4j
    finally:
        neo4j.clear()


@pytest.fixture
def falkor_store(falkor_server: EmbeddedServer) -> Iterator[FalkorStore]:
    """An isolated graph on the embedded server, for FalkorDB-only tests."""
    falkor = FalkorStore.on_server(falkor_server, graph=f"test_{uuid.uuid4().hex[:12]}")
    try:
        yield falkor
    finally:
        falkor.clear()
        falkor.close()


@pytest.fixture(scope="session")
def _seeded_falkor(falkor_server: EmbeddedServer) -> Iterator[FalkorStore]:
    """The real seed/ loaded once per session into its own graph; tests must only read it."""
    from app.resources import project_dir
    from app.runtime import sync_seed
    from app.schema import load_schema

    seeded = FalkorStore.on_server(falkor_server, graph=f"seeded_{uuid.uuid4().hex[:12]}")
    seeded.install_schema(load_schema())
    sync_seed(seeded, project_dir("seed"))
    yield seeded
    seeded.clear()
    seeded.close()


@pytest.fixture(params=BACKENDS)
def seeded_store(request: pytest.FixtureRequest, neo4j_provider: Neo4jProvider) -> Iterator[GraphStore]:
    """The real seed/ on each available backend, for read-only tests."""
    if request.param == "falkordb":
        yield request.getfixturevalue("_seeded_falkor")
        return
    from app.resources import project_dir
    from app.runtime import sync_seed
    from app.schema import load_schema

    neo4j = neo4j_provider.store_or_skip()
    neo4j.install_schema(load_schema())
    sync_seed(neo4j, project_dir("seed"))
    try:
        yield neo4j
    finally:
        neo4j.clear()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
