"""Data access: one GraphStore interface, one module per backend."""

from __future__ import annotations

from app.config import Settings
from app.store.base import GraphStore, Health, QueryResult, Statement, WriteSummary


def open_store(settings: Settings | None = None) -> GraphStore:
    """Open the store the settings name; the embedded server starts on first use, not here."""
    settings = settings or Settings()
    target = settings.target
    if target.kind == "neo4j":
        from app.store.neo4j import Neo4jStore

        return Neo4jStore.from_settings(settings)
    from app.store.falkordb import FalkorStore

    return FalkorStore.from_settings(settings)


__all__ = ["GraphStore", "Health", "QueryResult", "Statement", "WriteSummary", "open_store"]
