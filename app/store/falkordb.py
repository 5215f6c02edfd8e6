"""GraphStore on FalkorDB: the embedded server (default) or an external one.

Every redis/FalkorDB exception is translated into `app.errors` here. Design choices,
and why:

- **Own command loop, no client retries.** redis-py retries a command after a lost
  connection by default, which can apply a write twice. We disable that and tell
  apart a failure *before* the command reached the server (connecting; safe to
  retry) from one *after* it was sent (outcome unknown).
- **Crash recovery.** When the connection is lost, the embedded server is brought
  back with `ensure_running()` (it replays its AOF). Reads are then retried once.
  A write is retried only when it provably never reached the server; when it was
  sent and the reply was lost, we restart and raise BackendUnavailable ("may or may
  not have been applied") rather than risk applying it twice.
- **Schema cache.** FalkorDB's compact replies name labels and properties by
  number; the client caches the names per graph. We send the cached schema version
  with each query so the server refuses (without executing) when the graph changed
  under us, e.g. after another process swapped in a new graph; we then refresh and
  resend.
- **All-or-nothing batches.** FalkorDB has no multi-statement transactions, so
  `apply_atomically` builds the result on a copy (GRAPH.COPY keeps indexes and
  constraints; a test checks it), verifies it, and swaps it in with one RENAME,
  fenced by the writer lock. Plain writes, `install_schema` and `clear` take the
  same lock, so nothing written during an import is lost by the swap. The lock is a
  redis key per graph that a keeper thread extends while its holder lives; a dead
  holder's lock expires within `LOCK_TTL_MS`. (Other programs writing to an external
  FalkorDB do not know this lock.)
- **Values.** Results are plain Python (see base.py); FalkorDB local date-times come
  back naive, durations as ISO 8601 text. Parameters must be JSON-like: a `date`
  is refused with a hint (the client would write it unquoted), pass `d.isoformat()`
  and write `date($d)`. Reading a graph that does not exist yet creates it empty.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from datetime import time as dtime
from typing import Any

import redis
from falkordb import Edge, Graph, Node, Path
from falkordb import QueryResult as FalkorResult
from falkordb.helpers import stringify_param_value
from redis.backoff import NoBackoff
from redis.exceptions import (
    BusyLoadingError,
    RedisError,
    ResponseError,
)
from redis.exceptions import (
    ConnectionError as RedisConnectionError,
)
from redis.exceptions import (
    TimeoutError as RedisTimeoutError,
)
from redis.retry import Retry

from app.config import DEFAULT_GRAPH_NAME, Settings
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
from app.store.embedded import EmbeddedServer
from app.store.screening import screen_query

STAGING_SUFFIX = ":staging"
LOCK_PREFIX = "socialatlas:writer-lock:"
LOCK_TTL_MS = 15_000
"""How long a writer lock outlives a holder that died; a live holder extends it every third of this."""
LOCK_WAIT_S = 60.0
"""How long a write waits for another writer (e.g. an import) before BackendUnavailable."""
CONSTRAINT_WAIT_S = 60.0
CONNECT_TIMEOUT_S = 5.0
_NETWORK_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)

_ACQUIRE_SCRIPT = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end
return 0
"""
_EXTEND_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_SWAP_SCRIPT = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('rename', KEYS[2], KEYS[3])
return 1
"""


class _NotSent(Exception):
    """The connection failed before the command reached the server: it was not executed."""


class _MaybeSent(Exception):
    """The connection failed after the command was sent: it may or may not have been executed."""


class _OutcomeUnknown(BackendUnavailable):
    """A write was sent but its reply was lost."""


class _SwapOutcomeUnknown(BackendUnavailable):
    """The reply to the swap was lost and the server could not tell whether it happened."""


class _ClientProxy:
    """What falkordb's Graph talks to for its schema cache: always the store's current connection."""

    def __init__(self, store: FalkorStore) -> None:
        self._store = store

    def execute_command(self, *args: Any, **options: Any) -> Any:
        client: Any = self._store._connection()  # redis-py leaves execute_command untyped
        return client.execute_command(*args, **options)


def _engine_error(exc: ResponseError) -> QueryError:
    """Translate an error reply of the engine into our error types."""
    message = str(exc)
    lowered = message.lower()
    if "timed out" in lowered:
        return QueryTimeout(message)
    if "constraint violation" in lowered:
        return ConstraintViolation(message)
    if "read-only" in lowered or "readonly" in lowered or "read only" in lowered:
        return WriteRefused(f"only read queries are allowed here: {message}")
    return QueryError(message)


def _check_param(name: str, value: Any) -> None:
    """Refuse parameter types the FalkorDB client would turn into broken Cypher text."""
    if value is None or isinstance(value, bool | int | float | str):
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_param(name, item)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise QueryError(f"parameter ${name}: map keys must be strings, not {type(key).__name__}")
            _check_param(name, item)
        return
    if isinstance(value, date):
        raise QueryError(f"parameter ${name}: pass dates as ISO strings (d.isoformat()) and write date(${name})")
    raise QueryError(f"parameter ${name}: values of type {type(value).__name__} are not supported")


def _params_header(params: Params | None) -> str:
    """The `CYPHER name=value ...` prefix FalkorDB takes parameters in."""
    if not params:
        return ""
    parts = []
    for name, value in params.items():
        if not name or "`" in name:
            raise QueryError(f"invalid parameter name {name!r}")
        _check_param(name, value)
        try:
            parts.append(f"`{name}`={stringify_param_value(value)}")
        except ValueError as exc:
            raise QueryError(f"parameter ${name}: {exc}") from exc
    return "CYPHER " + " ".join(parts) + " "


def _iso_duration(value: Any) -> str:
    """A dateutil relativedelta (FalkorDB durations) as ISO 8601 text."""

    def part(units: tuple[tuple[str, str], ...]) -> str:
        return "".join(f"{getattr(value, attr)}{unit}" for attr, unit in units if getattr(value, attr))

    date_part = part((("years", "Y"), ("months", "M"), ("days", "D")))
    time_part = part((("hours", "H"), ("minutes", "M"), ("seconds", "S")))
    text = "P" + date_part + ("T" + time_part if time_part else "")
    return text if text != "P" else "PT0S"


def plain(value: Any) -> Any:
    """A FalkorDB result value as plain Python: nodes and relationships become property dicts, no engine ids."""
    if isinstance(value, Node):
        props = {key: plain(item) for key, item in (value.properties or {}).items()}
        props["_labels"] = list(value.labels or [])
        return props
    if isinstance(value, Edge):
        props = {key: plain(item) for key, item in (value.properties or {}).items()}
        props["_type"] = value.relation
        return props
    if isinstance(value, Path):
        return {"nodes": [plain(n) for n in value.nodes()], "relationships": [plain(e) for e in value.edges()]}
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, datetime | dtime):
        return value.replace(tzinfo=None)  # FalkorDB has local date-times only; the client tags them UTC
    if type(value).__name__ == "relativedelta":
        return _iso_duration(value)
    return value


def _summary(result: Any) -> WriteSummary:
    return WriteSummary(
        nodes_created=int(result.nodes_created),
        nodes_deleted=int(result.nodes_deleted),
        relationships_created=int(result.relationships_created),
        relationships_deleted=int(result.relationships_deleted),
        properties_set=int(result.properties_set),
    )


def _columns(result: Any) -> list[str]:
    return [str(column[1]) for column in result.header]


def _rows(result: Any) -> list[Row]:
    columns = _columns(result)
    return [dict(zip(columns, (plain(cell) for cell in record), strict=True)) for record in result.result_set]


def _module_version(modules: Any) -> str | None:
    """'FalkorDB 4.16.3' from MODULE LIST (the module is called 'graph', version 41603)."""
    for module in modules or []:
        info = module if isinstance(module, Mapping) else dict(zip(module[::2], module[1::2], strict=False))
        if info.get("name") == "graph":
            ver = int(info.get("ver", 0))
            return f"FalkorDB {ver // 10000}.{ver // 100 % 100}.{ver % 100}"
    return None


class _GraphReader:
    """Read access to one graph key (the staging graph during `apply_atomically`)."""

    def __init__(self, store: FalkorStore, graph: str) -> None:
        self._store = store
        self._graph = graph

    def read(self, query: str, params: Params | None = None) -> list[Row]:
        return self._store._read_on(self._graph, query, params)


class _LockKeeper:
    """A daemon thread that keeps this store's writer locks alive while they are held."""

    def __init__(self, extend: Callable[[str, str], None]) -> None:
        self._extend = extend
        self._held: dict[str, str] = {}
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, key: str, token: str) -> None:
        with self._mutex:
            self._held[token] = key
            if self._thread is None:
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="falkordb-lock-keeper", daemon=True)
                self._thread.start()

    def drop(self, token: str) -> None:
        with self._mutex:
            self._held.pop(token, None)

    def close(self) -> None:
        with self._mutex:
            thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        while not self._stop.wait(LOCK_TTL_MS / 3000):
            with self._mutex:
                held = list(self._held.items())
            for token, key in held:
                with contextlib.suppress(Exception):
                    self._extend(key, token)


class FalkorStore:
    """A Socialatlas graph in FalkorDB. Connects on first use; see the module docstring for the design."""

    backend: str

    def __init__(
        self,
        *,
        graph: str,
        server: EmbeddedServer | None = None,
        host: str | None = None,
        port: int | None = None,
        manages_server: bool = False,
    ) -> None:
        if server is None and host is None:
            raise ConfigurationError("FalkorStore needs an embedded server or a host")
        self.graph_name = graph
        self.backend = "falkordb-embedded" if server is not None else "falkordb"
        self._server = server
        self._host = host
        self._port = port or 6379
        self._manages_server = manages_server and server is not None
        self._client: redis.Redis | None = None
        self._graphs: dict[str, Any] = {}
        self._mutex = threading.RLock()
        self._keeper = _LockKeeper(self._extend_lock)
        self._closed = False
        if self._manages_server and server is not None:
            server.retain()

    def __repr__(self) -> str:
        return f"FalkorStore({self.location!r}, graph={self.graph_name!r})"

    # --- constructors --------------------------------------------------------------------

    @classmethod
    def from_settings(cls, settings: Settings) -> FalkorStore:
        """The store SOCIALATLAS_GRAPH_URL names: 'embedded' (data dir server) or falkordb://host:port/graph."""
        target = settings.target
        if target.kind == "embedded":
            server = EmbeddedServer.shared(settings.data_dir)
            return cls(graph=DEFAULT_GRAPH_NAME, server=server, manages_server=True)
        if target.kind == "falkordb":
            return cls.external(target.host or "localhost", target.port or 6379, target.graph)
        raise ConfigurationError(f"{target.url!r} is not a FalkorDB URL")

    @classmethod
    def on_server(cls, server: EmbeddedServer, graph: str = DEFAULT_GRAPH_NAME) -> FalkorStore:
        """A store on a server the caller manages (the caller stops it; `close()` does not)."""
        return cls(graph=graph, server=server)

    @classmethod
    def external(cls, host: str, port: int = 6379, graph: str = DEFAULT_GRAPH_NAME) -> FalkorStore:
        """A store on a FalkorDB server someone else runs."""
        return cls(graph=graph, host=host, port=port)

    @property
    def location(self) -> str:
        if self._server is not None:
            return str(self._server.data_dir)
        return f"falkordb://{self._host}:{self._port}/{self.graph_name}"

    @property
    def server(self) -> EmbeddedServer | None:
        return self._server

    # --- GraphStore ----------------------------------------------------------------------

    def read(self, query: str, params: Params | None = None) -> list[Row]:
        return self._read_on(self.graph_name, query, params)

    def write(self, query: str, params: Params | None = None) -> WriteSummary:
        with self._writer_lock():
            return _summary(self._execute(self.graph_name, query, params, read_only=False))

    def analyst_query(
        self,
        query: str,
        params: Params | None = None,
        *,
        timeout_ms: int = DEFAULT_ANALYST_TIMEOUT_MS,
        row_cap: int = DEFAULT_ANALYST_ROW_CAP,
    ) -> QueryResult:
        """Read-only (GRAPH.RO_QUERY) with the time limit enforced by FalkorDB.

        FalkorDB's only server-side row limit (RESULTSET_SIZE) is global to the server,
        so the cap is applied here: rows past `row_cap` are dropped before they are
        decoded and `truncated` is set. The server still produces them within the
        time limit.
        """
        screen_query(query)
        if row_cap < 1:
            raise QueryError("row_cap must be at least 1")
        cut: list[bool] = []

        def cap(raw: Any) -> Any:
            if isinstance(raw, list) and len(raw) == 3 and isinstance(raw[1], list) and len(raw[1]) > row_cap:
                cut.append(True)
                return [raw[0], raw[1][:row_cap], raw[2]]
            return raw

        result = self._execute(
            self.graph_name, query, params, read_only=True, timeout_ms=max(1, int(timeout_ms)), shape=cap
        )
        return QueryResult(columns=_columns(result), rows=_rows(result), truncated=bool(cut))

    def apply_atomically(
        self,
        statements: Sequence[Statement],
        verify: Callable[[Reader], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> WriteSummary:
        """Build the result on a copy of the graph, verify it, then swap it in with one fenced RENAME.

        On any failure the copy is deleted and the live graph was never touched.
        """
        live = self.graph_name
        staging = live + STAGING_SUFFIX
        total = len(statements)
        swapped = False
        with self._writer_lock() as token:
            try:
                self._delete_keys(staging)  # left over by an apply that crashed
                if self._run(["EXISTS", live], retry_if_sent=True):
                    self._run(["GRAPH.COPY", live, staging], retry_if_sent=False)
                else:
                    self._execute(staging, "RETURN 0", None, read_only=False)  # an empty graph
                summary = WriteSummary()
                for done, statement in enumerate(statements, start=1):
                    try:
                        summary += _summary(self._execute(staging, statement.query, statement.params, read_only=False))
                    except SocialatlasError as exc:
                        raise AtomicApplyFailed(f"statement {done} of {total} failed: {exc}") from exc
                    if progress is not None:
                        progress(done, total)
                if verify is not None:
                    try:
                        verify(_GraphReader(self, staging))
                    except Exception as exc:
                        raise AtomicApplyFailed(f"verification refused the result: {exc}") from exc
                swapped = self._swap(staging, live, token)
                return summary
            except (AtomicApplyFailed, _SwapOutcomeUnknown):
                raise
            except Exception as exc:
                raise AtomicApplyFailed(f"atomic apply failed; the graph is unchanged: {exc}") from exc
            finally:
                if not swapped:
                    with contextlib.suppress(SocialatlasError):
                        self._delete_keys(staging)
                with contextlib.suppress(SocialatlasError):
                    self._run(["DEL", f"telemetry{{{staging}}}"], retry_if_sent=True)

    def install_schema(self, schema: Schema) -> list[str]:
        """Range indexes, unique constraints (each on its range index) and full-text indexes the schema declares.

        Idempotent: what already exists is left alone, so a second run returns []. When nothing
        is missing, it neither waits for the writer lock nor writes.
        """
        if self._run(["EXISTS", self.graph_name], retry_if_sent=True) and self._schema_complete(schema):
            return []
        created: list[str] = []
        with self._writer_lock():
            graph = self.graph_name
            self._execute(graph, "RETURN 0", None, read_only=False)  # the graph must exist for GRAPH.CONSTRAINT
            ranges, fulltexts, constraints = self._existing_schema()
            pending: list[tuple[str, str]] = []
            for label, node in schema.nodes.items():
                for prop in node.indexed_properties:
                    if (label, prop) not in ranges and self._create_index(
                        f"CREATE INDEX FOR (n:`{label}`) ON (n.`{prop}`)", None
                    ):
                        created.append(f"range index :{label}({prop})")
                for prop in node.fulltext_properties:
                    if (label, prop) not in fulltexts and self._create_index(
                        "CALL db.idx.fulltext.createNodeIndex($label, $prop)", {"label": label, "prop": prop}
                    ):
                        created.append(f"full-text index :{label}({prop})")
                for prop in node.unique_properties:
                    status = constraints.get((label, prop))
                    if status == "OPERATIONAL":
                        continue
                    if status == "FAILED":
                        self._drop_constraint(label, prop)
                    if status == "PENDING" or self._create_constraint(label, prop):
                        pending.append((label, prop))
            for label, prop in self._await_constraints(pending):
                created.append(f"unique constraint :{label}({prop})")
        return created

    def health(self) -> Health:
        """Never raises: an unreachable backend is reported with `reachable=False` and the reason."""
        try:
            try:
                version = _module_version(self._run(["MODULE", "LIST"], retry_if_sent=True))
            except QueryError:  # e.g. an external server whose ACL forbids MODULE LIST
                version = None
            nodes = relationships = 0
            if self._run(["EXISTS", self.graph_name], retry_if_sent=True):
                nodes = self.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
                relationships = self.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
        except Exception as exc:
            return Health(self.backend, self.location, False, detail=str(exc))
        detail = f"graph {self.graph_name!r}"
        if self._server is not None:
            how = "started by this process" if self._server.owned else "attached"
            detail += f" on {self._server.socket_path}, server pid {self._server.pid} ({how})"
        return Health(self.backend, self.location, True, version, int(nodes), int(relationships), detail)

    def clear(self) -> None:
        """Delete the graph key (and FalkorDB's telemetry stream for it)."""
        with self._writer_lock():
            self._delete_keys(self.graph_name)
            self._run(["DEL", f"telemetry{{{self.graph_name}}}"], retry_if_sent=True)

    def close(self) -> None:
        """Close connections; stop the embedded server if this store opened it and is its last user."""
        with self._mutex:
            if self._closed:
                return
            self._closed = True
        self._keeper.close()  # outside the mutex: the keeper thread may be waiting for it
        self._disconnect(in_use=True)
        if self._manages_server and self._server is not None and self._server.release() == 0:
            self._server.stop()

    # --- queries ---------------------------------------------------------------------

    def _read_on(self, graph: str, query: str, params: Params | None) -> list[Row]:
        return _rows(self._execute(graph, query, params, read_only=True))

    def _graph(self, name: str) -> Any:
        """The falkordb Graph for `name`: it holds the label/property name cache for compact replies."""
        with self._mutex:
            graph = self._graphs.get(name)
            if graph is None:
                graph = self._graphs[name] = Graph(_ClientProxy(self), name)
            return graph

    def _execute(
        self,
        graph_name: str,
        query: str,
        params: Params | None,
        *,
        read_only: bool,
        timeout_ms: int | None = None,
        shape: Callable[[Any], Any] | None = None,
    ) -> Any:
        """Run one Cypher query and return the parsed falkordb result; errors come out translated."""
        text = _params_header(params) + query
        graph = self._graph(graph_name)
        created_graph = False
        for _attempt in range(4):
            args: list[Any] = [
                "GRAPH.RO_QUERY" if read_only else "GRAPH.QUERY",
                graph_name,
                text,
                "--compact",
                "version",
                int(graph.schema.version),
            ]
            if timeout_ms is not None:
                args += ["timeout", timeout_ms]
            try:
                raw = self._run(args, retry_if_sent=read_only)
            except QueryError as exc:
                if read_only and not created_graph and "empty key" in str(exc):
                    # Reading a graph that does not exist yet: it is empty, so create it and read that.
                    self._run(["GRAPH.QUERY", graph_name, "RETURN 0", "--compact"], retry_if_sent=True)
                    created_graph = True
                    continue
                raise
            if (
                isinstance(raw, list)
                and len(raw) == 2
                and isinstance(raw[0], ResponseError)
                and str(raw[0]) == "version mismatch"
            ):
                # Our name cache is stale (the graph changed or was swapped); the server did not run the query.
                self._guard(graph.schema.refresh, int(raw[1]))
                continue
            if shape is not None:
                raw = shape(raw)
            return self._guard(FalkorResult, graph, raw)
        raise BackendUnavailable(f"the schema of graph {graph_name!r} keeps changing; try again")

    def _guard(self, call: Callable[..., Any], *args: Any) -> Any:
        """Run client code that may talk to the server (schema refresh) with errors translated."""
        try:
            return call(*args)
        except ResponseError as exc:
            raise _engine_error(exc) from exc
        except _NETWORK_ERRORS as exc:
            raise BackendUnavailable(f"{self._where()} is not reachable: {exc}") from exc
        except RedisError as exc:
            raise BackendUnavailable(f"{self._where()}: {exc}") from exc
        except Exception as exc:
            raise QueryError(f"could not decode FalkorDB's reply: {exc!r}") from exc

    def _delete_keys(self, *keys: str) -> None:
        self._run(["DEL", *keys], retry_if_sent=True)
        with self._mutex:
            for key in keys:
                self._graphs.pop(key, None)

    # --- schema ----------------------------------------------------------------------

    def _existing_schema(
        self,
    ) -> tuple[set[tuple[str, str]], set[tuple[str, str]], dict[tuple[str, str], str]]:
        ranges: set[tuple[str, str]] = set()
        fulltexts: set[tuple[str, str]] = set()
        for row in self.read("CALL db.indexes() YIELD label, types, entitytype RETURN label, types, entitytype"):
            if row["entitytype"] != "NODE":
                continue
            for prop, kinds in row["types"].items():
                if "RANGE" in kinds:
                    ranges.add((row["label"], prop))
                if "FULLTEXT" in kinds:
                    fulltexts.add((row["label"], prop))
        constraints: dict[tuple[str, str], str] = {}
        for row in self.read(
            "CALL db.constraints() YIELD type, label, properties, entitytype, status "
            "RETURN type, label, properties, entitytype, status"
        ):
            if row["type"] == "UNIQUE" and row["entitytype"] == "NODE" and len(row["properties"]) == 1:
                constraints[(row["label"], row["properties"][0])] = row["status"]
        return ranges, fulltexts, constraints

    def _schema_complete(self, schema: Schema) -> bool:
        ranges, fulltexts, constraints = self._existing_schema()
        return all(
            all((label, prop) in ranges for prop in node.indexed_properties)
            and all((label, prop) in fulltexts for prop in node.fulltext_properties)
            and all(constraints.get((label, prop)) == "OPERATIONAL" for prop in node.unique_properties)
            for label, node in schema.nodes.items()
        )

    def _create_index(self, query: str, params: Params | None) -> bool:
        """Create one index; False when it is already there."""
        try:
            self._execute(self.graph_name, query, params, read_only=False)
        except QueryError as exc:
            if "already indexed" in str(exc) or "already exists" in str(exc):
                return False
            raise
        return True

    def _create_constraint(self, label: str, prop: str) -> bool:
        args = ["GRAPH.CONSTRAINT", "CREATE", self.graph_name, "UNIQUE", "NODE", label, "PROPERTIES", 1, prop]
        try:
            self._run(args, retry_if_sent=False)
        except QueryError as exc:
            if "already exists" in str(exc):
                return False
            raise
        return True

    def _drop_constraint(self, label: str, prop: str) -> None:
        args = ["GRAPH.CONSTRAINT", "DROP", self.graph_name, "UNIQUE", "NODE", label, "PROPERTIES", 1, prop]
        with contextlib.suppress(QueryError):
            self._run(args, retry_if_sent=False)

    def _await_constraints(self, pending: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Wait until new constraints are OPERATIONAL (FalkorDB builds them in the background)."""
        deadline = time.monotonic() + CONSTRAINT_WAIT_S
        waiting = list(pending)
        pause = 0.005
        while waiting:
            _, _, status = self._existing_schema()
            for label, prop in list(waiting):
                state = status.get((label, prop))
                if state == "OPERATIONAL":
                    waiting.remove((label, prop))
                elif state == "FAILED":
                    self._drop_constraint(label, prop)
                    raise ConstraintViolation(
                        f"cannot create the unique constraint on :{label}({prop}): existing nodes share a value"
                    )
            if waiting and time.monotonic() > deadline:
                raise BackendUnavailable(f"constraints {waiting} are still being built after {CONSTRAINT_WAIT_S:g} s")
            if waiting:
                time.sleep(pause)
                pause = min(pause * 2, 0.2)
        return pending

    # --- the writer lock ---------------------------------------------------------------

    def _lock_key(self) -> str:
        return LOCK_PREFIX + self.graph_name

    @contextlib.contextmanager
    def _writer_lock(self) -> Iterator[str]:
        """Hold this graph's writer lock: one writer at a time, so a swap cannot lose a write."""
        key, token = self._lock_key(), uuid.uuid4().hex
        deadline = time.monotonic() + LOCK_WAIT_S
        pause = 0.005
        while not self._run(["EVAL", _ACQUIRE_SCRIPT, 1, key, token, LOCK_TTL_MS], retry_if_sent=True):
            if time.monotonic() > deadline:
                raise BackendUnavailable(
                    f"graph {self.graph_name!r} is being written by someone else (lock {key}); try again later"
                )
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
        self._keeper.hold(key, token)
        try:
            yield token
        finally:
            self._keeper.drop(token)
            with contextlib.suppress(SocialatlasError):
                self._run(["EVAL", _RELEASE_SCRIPT, 1, key, token], retry_if_sent=True)

    def _extend_lock(self, key: str, token: str) -> None:
        self._run(["EVAL", _EXTEND_SCRIPT, 1, key, token, LOCK_TTL_MS], retry_if_sent=True, recover=False)

    def _swap(self, staging: str, live: str, token: str) -> bool:
        """RENAME staging over live, only while we still hold the lock. True once swapped."""
        try:
            swapped = self._run(["EVAL", _SWAP_SCRIPT, 3, self._lock_key(), staging, live, token], retry_if_sent=False)
        except _OutcomeUnknown:
            # The reply was lost: the server is back (or we could not bring it back). The rename happened iff
            # the staging key is gone, since it existed when we sent it.
            try:
                still_there = self._run(["EXISTS", staging], retry_if_sent=True)
            except SocialatlasError as exc:
                raise _SwapOutcomeUnknown(
                    f"lost the connection to {self._where()} while swapping in the new graph; whether it was "
                    f"applied is unknown until the server is back ({exc})"
                ) from exc
            if still_there:
                raise AtomicApplyFailed("lost the connection while swapping; the graph is unchanged") from None
            swapped = 1
        if not swapped:
            raise AtomicApplyFailed("the writer lock expired before the swap; the graph is unchanged")
        with self._mutex:
            self._graphs.pop(staging, None)
        return True

    # --- connection and recovery ---------------------------------------------------------

    def _where(self) -> str:
        if self._server is not None:
            return f"the embedded FalkorDB server ({self._server.socket_path})"
        return f"FalkorDB at {self._host}:{self._port}"

    def _connection(self) -> redis.Redis:
        """The redis client, created (and the embedded server started) on first use."""
        with self._mutex:
            if self._client is None:
                if self._closed:
                    raise BackendUnavailable(f"this store on {self.location} has been closed")
                if self._server is not None:
                    try:
                        self._server.ensure_running()
                    except SocialatlasError:
                        raise
                    except Exception as exc:
                        raise BackendUnavailable(f"cannot start or reach {self._where()}: {exc}") from exc
                    self._client = self._make_client(unix_socket_path=str(self._server.socket_path))
                else:
                    self._client = self._make_client(host=self._host, port=self._port, socket_keepalive=True)
            return self._client

    @staticmethod
    def _make_client(**kwargs: Any) -> redis.Redis:
        # No client-side retries: re-sending a write whose reply was lost could apply it twice.
        return redis.Redis(
            decode_responses=True,
            protocol=2,  # what FalkorDB's compact replies and the falkordb client are made for
            retry=Retry(NoBackoff(), 0),
            socket_connect_timeout=CONNECT_TIMEOUT_S,
            **kwargs,
        )

    def _disconnect(self, *, in_use: bool) -> None:
        """Drop the client; `in_use=False` leaves connections other threads are using to finish on their own."""
        with self._mutex:
            client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.connection_pool.disconnect(inuse_connections=in_use)

    def _recover(self) -> None:
        """After a lost connection: drop the pool and bring the embedded server back (it replays its AOF)."""
        self._disconnect(in_use=False)
        self._connection()

    def _run(self, args: Sequence[Any], *, retry_if_sent: bool, recover: bool = True) -> Any:
        """Send one command. Retried once after recovery when it never reached the server, or when it is safe
        to repeat (`retry_if_sent`); a write whose reply was lost raises _OutcomeUnknown instead."""
        failure: BaseException | None = None
        for attempt in range(2):
            try:
                client = self._connection()
            except BackendUnavailable:
                raise
            except Exception as exc:
                raise BackendUnavailable(f"{self._where()} is not reachable: {exc}") from exc
            try:
                return self._send(client, args)
            except _NotSent as exc:
                failure = exc.__cause__ or exc
            except _MaybeSent as exc:
                failure = exc.__cause__ or exc
                if not retry_if_sent:
                    if recover:
                        with contextlib.suppress(SocialatlasError):
                            self._recover()
                    raise _OutcomeUnknown(
                        f"lost the connection to {self._where()} after sending a write; it may or may not have "
                        f"been applied ({failure})"
                    ) from failure
            except ResponseError as exc:
                raise _engine_error(exc) from exc
            except RedisError as exc:
                raise BackendUnavailable(f"{self._where()}: {exc}") from exc
            if attempt == 0 and recover:
                try:
                    self._recover()
                except SocialatlasError as exc:
                    message = f"{self._where()} is not reachable and could not be restarted: {exc}"
                    raise BackendUnavailable(message) from failure
            else:
                break
        raise BackendUnavailable(f"{self._where()} is not reachable: {failure}") from failure

    @staticmethod
    def _send(client: redis.Redis, args: Sequence[Any]) -> Any:
        """One request/reply on a pooled connection, telling apart 'never sent' from 'reply lost'."""
        pool = client.connection_pool
        try:
            conn: Any = pool.get_connection()  # redis-py leaves the connection methods untyped
        except _NETWORK_ERRORS as exc:
            raise _NotSent() from exc
        try:
            try:
                conn.send_command(*args)
            except _NETWORK_ERRORS as exc:
                conn.disconnect()
                raise _NotSent() from exc  # an incomplete command is never executed
            try:
                return conn.read_response()
            except BusyLoadingError as exc:
                raise _NotSent() from exc  # the server refused it while loading its data
            except _NETWORK_ERRORS as exc:
                conn.disconnect()
                raise _MaybeSent() from exc
        finally:
            pool.release(conn)


__all__ = ["FalkorStore", "plain"]
