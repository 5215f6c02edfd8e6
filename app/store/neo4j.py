"""The Neo4j 5 backend of `GraphStore`, for production (single server or cluster).

Importing this module never connects: the driver is created on first use. The
driver routes by itself with `neo4j://` / `neo4j+s://` URLs: every read runs in a
READ access-mode transaction (so a cluster sends it to a reader) and every write
in a WRITE one. All sessions share one bookmark manager, so a read always sees
the writes this store made before it, even when it lands on another cluster member.

Driver exceptions are translated into `app.errors` here (`translate_error`), and
driver values into plain Python values (`to_plain`): nothing above this module
imports `neo4j` or sees an element id.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime, time
from typing import Any, Final, NamedTuple
from urllib.parse import unquote, urlsplit, urlunsplit

import neo4j
import neo4j.spatial
import neo4j.time
from neo4j.api import BookmarkManager
from neo4j.exceptions import (
    AuthError,
    ConnectionPoolError,
    ConstraintError,
    DriverError,
    ForbiddenOnReadOnlyDatabase,
    IncompleteCommit,
    Neo4jError,
    NotALeader,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
from neo4j.exceptions import ConfigurationError as DriverConfigurationError
from neo4j.graph import Node, Path, Relationship

from app import __version__
from app.config import Settings
from app.errors import (
    AtomicApplyFailed,
    BackendUnavailable,
    ConfigurationError,
    ConstraintViolation,
    QueryError,
    QueryTimeout,
    SocialatlasError,
    WriteRefused,
)
from app.schema import Schema
from app.store.base import (
    DEFAULT_ANALYST_ROW_CAP,
    DEFAULT_ANALYST_TIMEOUT_MS,
    Health,
    Params,
    QueryResult,
    Reader,
    Row,
    Statement,
    WriteSummary,
)
from app.store.screening import screen_query

Auth = tuple[str, str]

DEFAULT_CONNECTION_TIMEOUT_S: Final = 5.0
"""Short, so that `health()` and a request against a dead server answer quickly."""
DEFAULT_MAX_RETRY_TIME_S: Final = 10.0
"""How long `read`/`write` retry transient failures (leader switch, restart) before giving up."""
CLEAR_BATCH_SIZE: Final = 10_000
DEFAULT_FETCH_SIZE: Final = 1000
"""Records per network round trip (the driver's own default)."""

# Neo4j status codes (https://neo4j.com/docs/status-codes/current/errors/all-errors/).
TIMEOUT_CODES: Final = frozenset(
    {
        "Neo.ClientError.Transaction.TransactionTimedOut",
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
        "Neo.TransientError.Transaction.TransactionTimedOut",  # older servers
        "Neo.TransientError.Statement.ExecutionTimeout",
        "Neo.ClientError.Procedure.ProcedureTimedOut",
    }
)
TERMINATION_CODES: Final = frozenset(
    {"Neo.ClientError.Transaction.Terminated", "Neo.ClientError.Transaction.LockClientStopped"}
)
"""A terminated transaction is a timeout when the server says so in the message."""
WRITE_REFUSED_CODES: Final = frozenset(
    {
        "Neo.ClientError.Statement.AccessMode",
        "Neo.ClientError.Fabric.AccessMode",
        "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
        "Neo.ClientError.General.WriteOnReadOnlyAccessDatabase",
        "Neo.ClientError.General.ReadOnly",
    }
)
CREDENTIAL_CODES: Final = frozenset(
    {"Neo.ClientError.Security.AuthenticationRateLimit", "Neo.ClientError.Security.CredentialsExpired"}
)


# --------------------------------------------------------------------------- errors


def _reason(exc: BaseException) -> str:
    """The server's own message when there is one (str() of a server error also repeats codes)."""
    message = exc.message if isinstance(exc, Neo4jError) else None
    text = str(message) if message else str(exc)
    return text or type(exc).__name__


def translate_error(
    exc: Exception, location: str = "the Neo4j server", *, read_transaction: bool = False
) -> SocialatlasError:
    """Map a driver or server exception to the project's error type; the original is chained.

    Checked in order: credentials, timeout, refused write, constraint, then by class. In a READ
    transaction (`read_transaction`) a cluster member's "not the leader" also means a refused write.
    """
    translated = _translate(exc, location, read_transaction)
    translated.__cause__ = exc
    return translated


def _translate(exc: Exception, location: str, read_transaction: bool) -> SocialatlasError:
    reason = _reason(exc)
    if isinstance(exc, Neo4jError):
        code = exc.code or ""
        if isinstance(exc, AuthError) or code in CREDENTIAL_CODES:
            return ConfigurationError(
                f"{location} refused the credentials ({reason}); "
                "check SOCIALATLAS_NEO4J_USER and SOCIALATLAS_NEO4J_PASSWORD"
            )
        if code == "Neo.ClientError.Database.DatabaseNotFound":
            return ConfigurationError(f"{location}: {reason}; check SOCIALATLAS_NEO4J_DATABASE")
        if code in TIMEOUT_CODES or (
            code in TERMINATION_CODES and ("timeout" in reason.lower() or "timed out" in reason.lower())
        ):
            return QueryTimeout(f"the query ran past its time limit: {reason}")
        if (
            code in WRITE_REFUSED_CODES
            or isinstance(exc, ForbiddenOnReadOnlyDatabase)
            or (read_transaction and isinstance(exc, NotALeader))
        ):
            return WriteRefused(f"writes are not allowed here: {reason}")
        if isinstance(exc, ConstraintError):
            return ConstraintViolation(reason)
        if isinstance(exc, TransientError) and "Memory" not in code:
            return BackendUnavailable(f"{location} cannot serve the request now: {reason}")
        return QueryError(reason)
    if isinstance(exc, IncompleteCommit):
        return BackendUnavailable(
            f"the connection to {location} broke while committing; the write may or may not have been applied"
        )
    if isinstance(exc, (ServiceUnavailable, SessionExpired, ConnectionPoolError)):
        return BackendUnavailable(f"{location} cannot be reached: {reason}")
    if isinstance(exc, DriverConfigurationError):
        return ConfigurationError(f"Neo4j driver configuration for {location}: {reason}")
    if isinstance(exc, DriverError):
        return QueryError(reason)
    return QueryError(f"{type(exc).__name__}: {reason}")


# --------------------------------------------------------------------------- values


def to_plain(value: Any) -> Any:
    """Turn a driver value into plain Python (see `app.store.base`); element ids are dropped."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Node):
        node: dict[str, Any] = {key: to_plain(item) for key, item in value.items()}
        node["_labels"] = sorted(value.labels)
        return node
    if isinstance(value, Relationship):
        rel: dict[str, Any] = {key: to_plain(item) for key, item in value.items()}
        rel["_type"] = value.type
        return rel
    if isinstance(value, Path):
        return {
            "nodes": [to_plain(n) for n in value.nodes],
            "relationships": [to_plain(r) for r in value.relationships],
        }
    if isinstance(value, (neo4j.time.DateTime, neo4j.time.Date, neo4j.time.Time)):
        native: datetime | date | time = value.to_native()
        return native
    if isinstance(value, neo4j.time.Duration):
        return value.iso_format()
    if isinstance(value, neo4j.spatial.Point):
        return {"srid": value.srid, "coordinates": list(value)}
    if isinstance(value, Mapping):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    to_native = getattr(value, "to_native", None)  # e.g. neo4j.vector.Vector (driver 6)
    if callable(to_native):
        return to_plain(to_native())
    return value


def _row(record: neo4j.Record) -> Row:
    return {key: to_plain(value) for key, value in zip(record.keys(), record.values(), strict=True)}


def _summary(counters: neo4j.SummaryCounters) -> WriteSummary:
    return WriteSummary(
        nodes_created=counters.nodes_created,
        nodes_deleted=counters.nodes_deleted,
        relationships_created=counters.relationships_created,
        relationships_deleted=counters.relationships_deleted,
        properties_set=counters.properties_set,
    )


def _params(params: Params | None) -> dict[str, Any]:
    return dict(params) if params else {}


# --------------------------------------------------------------------------- schema


def _quote(name: str) -> str:
    """Backtick-quote an identifier (labels and names come from the schema, but stay safe)."""
    return "`" + name.replace("`", "``") + "`"


def constraint_name(label: str, prop: str) -> str:
    return f"{label}_{prop}_unique"


def range_index_name(label: str, prop: str) -> str:
    return f"{label}_{prop}_range"


def fulltext_index_name(label: str) -> str:
    """Name of the full-text index of `label`, for `db.index.fulltext.queryNodes(name, $q)`."""
    return f"{label}_fulltext"


class SchemaObject(NamedTuple):
    """One constraint or index: its Neo4j name, a readable description, and the DDL creating it."""

    name: str
    description: str
    statement: str


def schema_objects(schema: Schema) -> list[SchemaObject]:
    """Every constraint and index the schema declares, in declaration order.

    A unique property gets a uniqueness constraint (which brings its own range index), so it
    gets no separate range index; every statement is `IF NOT EXISTS`, so installing is idempotent.
    """
    objects: list[SchemaObject] = []
    for node in schema.nodes.values():
        label = _quote(node.label)
        for prop in node.unique_properties:
            name = constraint_name(node.label, prop)
            objects.append(
                SchemaObject(
                    name,
                    f"unique constraint :{node.label}({prop})",
                    f"CREATE CONSTRAINT {_quote(name)} IF NOT EXISTS "
                    f"FOR (n:{label}) REQUIRE n.{_quote(prop)} IS UNIQUE",
                )
            )
        for prop in node.indexed_properties:
            if prop in node.unique_properties:
                continue
            name = range_index_name(node.label, prop)
            objects.append(
                SchemaObject(
                    name,
                    f"range index :{node.label}({prop})",
                    f"CREATE INDEX {_quote(name)} IF NOT EXISTS FOR (n:{label}) ON (n.{_quote(prop)})",
                )
            )
        if node.fulltext_properties:
            name = fulltext_index_name(node.label)
            props = ", ".join(f"n.{_quote(p)}" for p in node.fulltext_properties)
            objects.append(
                SchemaObject(
                    name,
                    f"full-text index :{node.label}({', '.join(node.fulltext_properties)})",
                    f"CREATE FULLTEXT INDEX {_quote(name)} IF NOT EXISTS FOR (n:{label}) ON EACH [{props}]",
                )
            )
    return objects


def schema_ddl(schema: Schema) -> list[str]:
    """The Neo4j DDL statements the schema declares (see `schema_objects`)."""
    return [obj.statement for obj in schema_objects(schema)]


# --------------------------------------------------------------------------- connection


def split_credentials(uri: str) -> tuple[str, Auth | None]:
    """Take `user:password@` out of a URL: the driver refuses it, and it must never be shown."""
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    return clean, (unquote(user), unquote(password))


class _TransactionReader:
    """A `Reader` bound to an open transaction, so `verify` sees the uncommitted result."""

    def __init__(self, tx: neo4j.Transaction, location: str) -> None:
        self._tx = tx
        self._location = location

    def read(self, query: str, params: Params | None = None) -> list[Row]:
        try:
            return [_row(record) for record in self._tx.run(query, _params(params))]
        except (Neo4jError, DriverError) as exc:
            raise translate_error(exc, self._location) from exc


class Neo4jStore:
    """`GraphStore` on a Neo4j 5 server or cluster, through the official driver."""

    backend = "neo4j"

    def __init__(
        self,
        uri: str,
        auth: Auth | None = None,
        database: str | None = None,
        *,
        connection_timeout: float = DEFAULT_CONNECTION_TIMEOUT_S,
        max_transaction_retry_time: float = DEFAULT_MAX_RETRY_TIME_S,
    ) -> None:
        """Remember where to connect; nothing connects until the first query.

        `auth` is (user, password), or None for a server without authentication; credentials
        in the URL (`bolt://user:pw@host`) are used when `auth` is not given.
        """
        clean_uri, url_auth = split_credentials(uri)
        self._uri = clean_uri
        self._auth = auth if auth is not None else url_auth
        self._database = database or None
        self._connection_timeout = connection_timeout
        self._max_retry_time = max_transaction_retry_time
        self._driver: neo4j.Driver | None = None
        self._bookmarks: BookmarkManager | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Neo4jStore:
        """The store SOCIALATLAS_GRAPH_URL / _NEO4J_USER / _NEO4J_PASSWORD / _NEO4J_DATABASE name.

        An empty password means a server without authentication (NEO4J_AUTH=none).
        """
        target = settings.target
        if target.kind != "neo4j":
            raise ConfigurationError(f"SOCIALATLAS_GRAPH_URL {settings.graph_url!r} is not a Neo4j URL")
        password = settings.neo4j_password.get_secret_value()
        auth = (settings.neo4j_user, password) if password else None
        return cls(target.url, auth, settings.neo4j_database)

    @property
    def uri(self) -> str:
        """The URL the driver connects to, without credentials."""
        return self._uri

    @property
    def database(self) -> str | None:
        return self._database

    @property
    def location(self) -> str:
        """Where the data lives, safe to show: URL without credentials, and the database."""
        return f"{self._uri} (database {self._database})" if self._database else self._uri

    # -- driver and sessions

    def _get_driver(self) -> tuple[neo4j.Driver, BookmarkManager]:
        with self._lock:
            if self._driver is None or self._bookmarks is None:
                try:
                    self._driver = neo4j.GraphDatabase.driver(
                        self._uri,
                        auth=self._auth,
                        connection_timeout=self._connection_timeout,
                        max_transaction_retry_time=self._max_retry_time,
                        user_agent=f"socialatlas/{__version__}",
                    )
                except (ValueError, DriverConfigurationError) as exc:
                    raise ConfigurationError(f"SOCIALATLAS_GRAPH_URL {self._uri!r}: {exc}") from exc
                self._bookmarks = neo4j.GraphDatabase.bookmark_manager()
            return self._driver, self._bookmarks

    def _session(self, access_mode: str, fetch_size: int = DEFAULT_FETCH_SIZE) -> neo4j.Session:
        """A session in `access_mode` (routing) sharing the store's bookmarks (read-your-writes)."""
        driver, bookmarks = self._get_driver()
        return driver.session(
            database=self._database,
            default_access_mode=access_mode,
            bookmark_manager=bookmarks,
            fetch_size=fetch_size,
        )

    @contextmanager
    def _translated(self, *, read_transaction: bool = False) -> Iterator[None]:
        """Turn every driver exception raised inside into the project's error type."""
        try:
            yield
        except (Neo4jError, DriverError) as exc:
            raise translate_error(exc, self.location, read_transaction=read_transaction) from exc

    # -- GraphStore

    def read(self, query: str, params: Params | None = None) -> list[Row]:
        """Run one of our own reads in a managed READ transaction (retried on transient failures)."""

        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            return [_row(record) for record in tx.run(query, _params(params))]

        with self._translated(read_transaction=True), self._session(neo4j.READ_ACCESS) as session:
            return session.execute_read(work)

    def write(self, query: str, params: Params | None = None) -> WriteSummary:
        """Run one write in a managed WRITE transaction: committed whole or not at all."""

        def work(tx: neo4j.ManagedTransaction) -> WriteSummary:
            return _summary(tx.run(query, _params(params)).consume().counters)

        with self._translated(), self._session(neo4j.WRITE_ACCESS) as session:
            return session.execute_write(work)

    def analyst_query(
        self,
        query: str,
        params: Params | None = None,
        *,
        timeout_ms: int = DEFAULT_ANALYST_TIMEOUT_MS,
        row_cap: int = DEFAULT_ANALYST_ROW_CAP,
    ) -> QueryResult:
        """Run someone else's query: READ access mode, server-side timeout, rows capped, never committed.

        The server refuses writes in a READ transaction and stops it past `timeout_ms` (it checks
        running transactions every `db.transaction.monitor.check.interval`, 2 s by default, so a
        timeout may fire up to that much later). Records are streamed and reading stops after
        `row_cap + 1`; the transaction is then rolled back, which also ends the query on the server.
        No retries: a failing analyst query is reported, not repeated.
        """
        screen_query(query)
        if row_cap < 1:
            raise ValueError("row_cap must be at least 1")
        rows: list[Row] = []
        truncated = False
        fetch_size = min(row_cap + 1, DEFAULT_FETCH_SIZE)
        with self._translated(read_transaction=True), self._session(neo4j.READ_ACCESS, fetch_size) as session:
            tx = session.begin_transaction(timeout=max(timeout_ms, 1) / 1000)
            try:
                result = tx.run(query, _params(params))
                columns = list(result.keys())
                for record in result:
                    if len(rows) >= row_cap:
                        truncated = True
                        break
                    rows.append(_row(record))
            finally:
                with suppress(Neo4jError, DriverError):
                    tx.close()  # roll back: an analyst query never commits anything
        return QueryResult(columns=columns, rows=rows, truncated=truncated)

    def apply_atomically(
        self,
        statements: Sequence[Statement],
        verify: Callable[[Reader], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> WriteSummary:
        """All statements, then `verify`, in one explicit transaction; committed only if all succeed.

        Not retried: `progress` has already been reported and `verify` may have side effects.
        A connection lost during the commit itself leaves the outcome unknown; that is raised as
        BackendUnavailable rather than AtomicApplyFailed, which promises the graph is unchanged.
        """
        total = len(statements)
        summary = WriteSummary()
        stage = "opening the transaction"
        try:
            with self._session(neo4j.WRITE_ACCESS) as session:
                tx = session.begin_transaction()
                try:
                    for number, statement in enumerate(statements, start=1):
                        stage = f"statement {number} of {total}"
                        result = tx.run(statement.query, _params(statement.params))
                        summary += _summary(result.consume().counters)
                        if progress is not None:
                            stage = f"progress report after statement {number} of {total}"
                            progress(number, total)
                    if verify is not None:
                        stage = "verification"
                        verify(_TransactionReader(tx, self.location))
                    stage = "commit"
                except BaseException:
                    with suppress(Neo4jError, DriverError):
                        tx.close()  # roll back
                    raise
                tx.commit()
        except IncompleteCommit as exc:
            raise translate_error(exc, self.location) from exc
        except Exception as exc:
            cause = translate_error(exc, self.location) if isinstance(exc, (Neo4jError, DriverError)) else exc
            raise AtomicApplyFailed(f"nothing was applied; {stage} failed: {cause}") from cause
        return summary

    def install_schema(self, schema: Schema) -> list[str]:
        """Create the declared constraints and indexes that are missing; returns what was created.

        Each entry reads like "unique constraint :Unit(uid)", as on FalkorDB. One schema command
        per transaction (Neo4j does not mix schema and data changes); the result counters tell
        whether `IF NOT EXISTS` created anything.
        """
        created: list[str] = []

        def work(tx: neo4j.ManagedTransaction, statement: str) -> bool:
            counters = tx.run(statement).consume().counters
            return counters.constraints_added > 0 or counters.indexes_added > 0

        with self._translated(), self._session(neo4j.WRITE_ACCESS) as session:
            for obj in schema_objects(schema):
                if session.execute_write(work, obj.statement):
                    created.append(obj.description)
        return created

    def health(self) -> Health:
        """Engine version and counts in one read; any failure is reported, never raised.

        An explicit transaction, not a retried one, so a dead server is reported within the
        connection timeout.
        """
        try:
            with self._translated(), self._session(neo4j.READ_ACCESS) as session:
                tx = session.begin_transaction(timeout=10.0)
                try:
                    components = tx.run(
                        "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"
                    ).data()
                    nodes = tx.run("MATCH (n) RETURN count(n) AS count").single(strict=True)["count"]
                    relationships = tx.run("MATCH ()-[r]->() RETURN count(r) AS count").single(strict=True)["count"]
                finally:
                    with suppress(Neo4jError, DriverError):
                        tx.close()
        except Exception as exc:
            return Health(backend=self.backend, location=self.location, reachable=False, detail=str(exc))
        return Health(
            backend=self.backend,
            location=self.location,
            reachable=True,
            engine_version=_engine_version(components),
            nodes=int(nodes),
            relationships=int(relationships),
        )

    def clear(self) -> None:
        """Delete every node and relationship in batches (constraints and indexes stay).

        Batches of `CLEAR_BATCH_SIZE` keep each transaction small; `CALL {} IN TRANSACTIONS`
        would need an auto-commit transaction, which the driver cannot retry.
        """

        def work(tx: neo4j.ManagedTransaction) -> int:
            record = tx.run(
                "MATCH (n) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted",
                {"batch": CLEAR_BATCH_SIZE},
            ).single(strict=True)
            return int(record["deleted"])

        with self._translated(), self._session(neo4j.WRITE_ACCESS) as session:
            while session.execute_write(work) > 0:
                pass

    def close(self) -> None:
        """Close the driver and its connections; a later call opens a new one."""
        with self._lock:
            driver, self._driver, self._bookmarks = self._driver, None, None
        if driver is not None:
            with suppress(Neo4jError, DriverError, OSError):
                driver.close()

    def __repr__(self) -> str:
        return f"Neo4jStore({self.location!r})"


def _engine_version(components: list[dict[str, Any]]) -> str | None:
    """'Neo4j 5.26.0 community' from `CALL dbms.components()`."""
    for component in components:
        if str(component.get("name", "")).startswith("Neo4j"):
            versions = component.get("versions") or []
            version = versions[0] if versions else "?"
            edition = component.get("edition")
            return f"Neo4j {version} {edition}" if edition else f"Neo4j {version}"
    return None
