"""Per-request DataLoaders: one batched round trip per relationship hop, never one per row.

SKELETON — the entities helper fills this in and keeps the name `Loaders(store)`.
"""

from __future__ import annotations

from app.store.base import GraphStore


class Loaders:
    """Every DataLoader of one request; built fresh per request so nothing is cached across requests."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
