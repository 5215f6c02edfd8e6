"""A store proxy that counts round trips, for tests that bound how many a piece of work makes."""

from __future__ import annotations

import threading
from typing import Any

from app.store.base import GraphStore, Params, Row


class CountingStore:
    """Counts `read` calls (each one round trip; thread-safe, as the API reads from worker threads)
    and passes everything to the store it wraps."""

    def __init__(self, inner: GraphStore) -> None:
        self.inner = inner
        self.reads = 0
        self._lock = threading.Lock()

    def read(self, query: str, params: Params | None = None) -> list[Row]:
        with self._lock:
            self.reads += 1
        return self.inner.read(query, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
