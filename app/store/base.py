"""The one small interface every layer above the data access uses.

Each backend (embedded/external FalkorDB, Neo4j) implements `GraphStore` in its
own module. Results are plain Python values: str, int, float, bool, None,
`datetime.date`, lists and dicts. A node or relationship returned by a query
becomes a dict of its properties plus `_labels` / `_type`; engine ids never leave
the backend module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from app.schema import Schema

Params = Mapping[str, Any]
Row = dict[str, Any]

DEFAULT_ANALYST_TIMEOUT_MS = 5_000
DEFAULT_ANALYST_ROW_CAP = 1_000


def jsonable(value: Any) -> Any:
    """A result value as JSON-ready data: dates as ISO text, tuples as lists; everything else as it is."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class Statement:
    """One parameterised Cypher statement of an atomic batch."""

    query: str
    params: Params = field(default_factory=dict)


@dataclass(frozen=True)
class QueryResult:
    """Rows of an analyst query, with the columns in order and whether the row cap cut them."""

    columns: list[str]
    rows: list[Row]
    truncated: bool = False


@dataclass(frozen=True)
class WriteSummary:
    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0

    def __add__(self, other: WriteSummary) -> WriteSummary:
        return WriteSummary(
            self.nodes_created + other.nodes_created,
            self.nodes_deleted + other.nodes_deleted,
            self.relationships_created + other.relationships_created,
            self.relationships_deleted + other.relationships_deleted,
            self.properties_set + other.properties_set,
        )


@dataclass(frozen=True)
class Health:
    """What /health and `socialatlas doctor` report."""

    backend: str
    location: str
    reachable: bool
    engine_version: str | None = None
    nodes: int | None = None
    relationships: int | None = None
    detail: str | None = None


class Reader(Protocol):
    def read(self, query: str, params: Params | None = None) -> list[Row]: ...


@runtime_checkable
class GraphStore(Protocol):
    """A graph database holding one Socialatlas graph."""

    backend: str
    """Short backend name: 'falkordb-embedded', 'falkordb' or 'neo4j'."""

    def read(self, query: str, params: Params | None = None) -> list[Row]:
        """Run a read query of our own; the database refuses writes."""
        ...

    def write(self, query: str, params: Params | None = None) -> WriteSummary:
        """Run one write statement; it applies whole or not at all.

        Raises BackendUnavailable when the connection broke after the statement was sent: the
        outcome is then unknown, and the write is not retried, so it cannot apply twice.
        """
        ...

    def analyst_query(
        self,
        query: str,
        params: Params | None = None,
        *,
        timeout_ms: int = DEFAULT_ANALYST_TIMEOUT_MS,
        row_cap: int = DEFAULT_ANALYST_ROW_CAP,
    ) -> QueryResult:
        """Run someone else's query: read-only and time-limited by the database, capped at `row_cap` rows.

        Raises WriteRefused for a write, QueryTimeout past the limit, QueryError otherwise.
        """
        ...

    def apply_atomically(
        self,
        statements: Sequence[Statement],
        verify: Callable[[Reader], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> WriteSummary:
        """Apply all statements, then `verify` against the result, or leave the graph as it was.

        `verify` raises to refuse the result. `progress(done, total)` is called after each statement.
        Raises AtomicApplyFailed (with the cause chained) when anything fails and the graph is
        known to be unchanged; BackendUnavailable in the one case where the commit's answer was
        lost and the database cannot be asked. `verify` and `progress` must not write through
        the same store (the writer lock is held).
        """
        ...

    def install_schema(self, schema: Schema) -> list[str]:
        """Create the constraints and indexes the schema declares; idempotent. Returns what was created."""
        ...

    def health(self) -> Health:
        """Reachability, engine version and counts; never raises."""
        ...

    def clear(self) -> None:
        """Delete the whole graph (tests and `seed --replace` only)."""
        ...

    def close(self) -> None:
        """Release connections; an embedded server this process started is stopped."""
        ...
