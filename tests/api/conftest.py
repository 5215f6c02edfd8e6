"""Fixtures for the HTTP API: the real app under uvicorn, on each available backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.api.app import create_app
from app.config import Settings
from app.store.base import GraphStore
from tests.api.support import serving


@pytest.fixture
def base_url(seeded_store: GraphStore) -> Iterator[str]:
    """The app over the real seed/ on each available backend (read-only: tests must not write)."""
    with serving(create_app(Settings(), seeded_store)) as url:
        yield url


@pytest.fixture
def writable_store(store: GraphStore) -> GraphStore:
    """An isolated graph on each available backend, seeded from the real seed/, that a test may change."""
    from app.resources import project_dir
    from app.runtime import sync_seed
    from app.schema import load_schema

    store.install_schema(load_schema())
    sync_seed(store, project_dir("seed"))
    return store
