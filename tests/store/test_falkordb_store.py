"""FalkorDB-only behaviour of FalkorStore, on the real engine (no mocks).

Most tests use `falkor_store` (an isolated graph on the session server); the crash and
lifecycle tests start a server of their own in a temporary data dir.
"""

from __future__ import annotations

import datetime
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

import app.store.falkordb as falkordb_module
from app.config import Settings
from app.errors import (
    AtomicApplyFailed,
    BackendUnavailable,
    ConfigurationError,
    ConstraintViolation,
    QueryError,
    QueryTimeout,
    WriteRefused,
)
from app.schema import load_schema
from app.store import open_store
from app.store.base import GraphStore, Reader, Statement
from app.store.embedded import EmbeddedServer, process_alive
from app.store.falkordb import STAGING_SUFFIX, FalkorStore


def _admin(store: FalkorStore) -> redis.Redis:
    assert store.server is not None
    return redis.Redis(unix_socket_path=str(store.server.socket_path), decode_responses=True, protocol=2)


def _dump(store: GraphStore) -> tuple[list[str], list[str]]:
    """Every node and relationship with all labels and properties, in a stable order."""
    nodes = store.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = store.read("MATCH (a)-[r]->(b) RETURN a.uid AS a, type(r) AS type, properties(r) AS props, b.uid AS b")
    return sorted(map(repr, nodes)), sorted(map(repr, rels))


def _schema_state(store: FalkorStore) -> tuple[list[str], list[str]]:
    indexes = store.read("CALL db.indexes() YIELD label, properties, types RETURN label, properties, types")
    constraints = store.read("CALL db.constraints() YIELD type, label, properties, status")
    return sorted(map(repr, indexes)), sorted(map(repr, constraints))


def _fill(store: GraphStore) -> None:
    store.write(
        "UNWIND range(1, 30) AS i CREATE (:Unit {uid: 'u' + toString(i), name: 'Enhed ' + toString(i), "
        "valid_from: date('2020-01-01')})"
    )
    store.write(
        "MATCH (a:Unit), (b:Unit) WHERE toInteger(substring(b.uid, 1)) = toInteger(substring(a.uid, 1)) + 1 "
        "CREATE (a)-[:PART_OF {since: date('2021-02-03'), note: 'x'}]->(b)"
    )


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 30
    while process_alive(pid):
        assert time.monotonic() < deadline, f"process {pid} did not exit"
        time.sleep(0.01)


def _kill_server(store: FalkorStore) -> EmbeddedServer:
    """kill -9 the store's embedded server and wait until it is gone; returns the server."""
    server = store.server
    assert server is not None
    assert server.pid is not None
    pid = server.pid
    os.kill(pid, signal.SIGKILL)
    _wait_gone(pid)
    return server


@pytest.fixture
def own_store(tmp_path: Path) -> Iterator[FalkorStore]:
    """A store on a server of its own, so a test may kill it."""
    server = EmbeddedServer(tmp_path / "data")
    store = FalkorStore.on_server(server, graph="g")
    try:
        yield store
    finally:
        store.close()
        server.stop()


# --- values --------------------------------------------------------------------------------


def test_nodes_relationships_and_paths_become_plain_values(falkor_store: FalkorStore) -> None:
    falkor_store.write(
        "CREATE (:Unit:Extra {uid: 'a', d: date($d), tags: ['x', 'y']})-[:PART_OF {w: 1.5}]->(:Unit {uid: 'b'})",
        {"d": "2019-08-01"},
    )
    [row] = falkor_store.read("MATCH p = (a {uid: 'a'})-[r]->(b) RETURN a, r, b, p, a.d AS d, {k: [1, 2]} AS m")
    a = {"uid": "a", "d": datetime.date(2019, 8, 1), "tags": ["x", "y"], "_labels": ["Unit", "Extra"]}
    assert row["a"] == a
    assert row["r"] == {"w": 1.5, "_type": "PART_OF"}
    assert row["b"] == {"uid": "b", "_labels": ["Unit"]}
    assert row["p"] == {"nodes": [a, row["b"]], "relationships": [row["r"]]}
    assert row["d"] == a["d"]
    assert row["m"] == {"k": [1, 2]}
    assert type(row["m"]) is dict


@pytest.mark.parametrize("text", ['quote " and \\ backslash', "line\nbreak", "æøå ÆØÅ – §52", "", "it's"])
def test_string_parameters_round_trip(falkor_store: FalkorStore, text: str) -> None:
    assert falkor_store.read("RETURN $t AS t", {"t": text}) == [{"t": text}]


def test_date_objects_as_parameters_are_refused_with_a_hint(falkor_store: FalkorStore) -> None:
    with pytest.raises(QueryError, match=r"isoformat"):
        falkor_store.read("RETURN date($d) AS d", {"d": datetime.date(2020, 1, 1)})


def test_reading_a_graph_that_does_not_exist_yet_is_empty(falkor_store: FalkorStore) -> None:
    assert falkor_store.read("MATCH (n) RETURN n") == []
    assert falkor_store.read("RETURN 1 AS one") == [{"one": 1}]


def test_label_names_stay_right_after_another_store_rebuilds_the_graph(falkor_server: EmbeddedServer) -> None:
    """Compact replies number labels; a stale cache after a swap must not rename them."""
    first = FalkorStore.on_server(falkor_server, graph="relabel")
    second = FalkorStore.on_server(falkor_server, graph="relabel")
    try:
        first.write("CREATE (:Alpha {uid: 'a'}), (:Beta {uid: 'b'})")
        assert sorted(r["n"]["_labels"][0] for r in first.read("MATCH (n) RETURN n")) == ["Alpha", "Beta"]
        second.clear()
        second.write("CREATE (:Beta {uid: 'b', p: 1}), (:Alpha {uid: 'a', q: 2})")
        rows = {r["n"]["uid"]: r["n"] for r in first.read("MATCH (n) RETURN n")}
        assert rows == {"a": {"uid": "a", "q": 2, "_labels": ["Alpha"]}, "b": {"uid": "b", "p": 1, "_labels": ["Beta"]}}
    finally:
        first.clear()
        first.close()
        second.close()


# --- read-only, time limit, row cap ------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "CREATE (n:X)",
        "MERGE (n:X {uid: 'x'})",
        "MATCH (n) DETACH DELETE n",
        "MATCH (n) SET n.x = 1",
        "CREATE INDEX FOR (n:X) ON (n.p)",
        "CALL db.idx.fulltext.createNodeIndex('X', 'p')",
    ],
)
def test_analyst_writes_are_refused_by_the_database(falkor_store: FalkorStore, query: str) -> None:
    falkor_store.write("CREATE (:Unit {uid: 'keep'})")
    with pytest.raises(WriteRefused, match="read"):
        falkor_store.analyst_query(query)
    assert _dump(falkor_store)[0] == ["{'labels': ['Unit'], 'props': {'uid': 'keep'}}"]


def test_read_refuses_writes_too(falkor_store: FalkorStore) -> None:
    with pytest.raises(WriteRefused):
        falkor_store.read("CREATE (n:X)")


def test_syntax_errors_carry_the_engine_message(falkor_store: FalkorStore) -> None:
    with pytest.raises(QueryError, match="Invalid input") as caught:
        falkor_store.analyst_query("MATCH (n) RETURN n LIMIT")
    assert type(caught.value) is QueryError
    with pytest.raises(QueryError, match="Unknown function 'nosuch'"):
        falkor_store.analyst_query("RETURN nosuch(1)")


def test_analyst_time_limit_is_enforced_by_the_database(falkor_store: FalkorStore) -> None:
    # Not `UNWIND range(1, 100000000)`: range() builds its whole list before the time limit is checked
    # (measured: 2-6 s with a 100 ms limit). Nested small ranges stream, so the limit bites at once.
    with pytest.raises(QueryTimeout, match="timed out"):
        falkor_store.analyst_query(
            "UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y RETURN count(*)", timeout_ms=100
        )


def test_analyst_row_cap_truncates_and_says_so(falkor_store: FalkorStore) -> None:
    query = "UNWIND range(1, 10) AS x RETURN x, x * 2 AS double ORDER BY x"
    capped = falkor_store.analyst_query(query, row_cap=3)
    assert capped.columns == ["x", "double"]
    assert capped.rows == [{"x": 1, "double": 2}, {"x": 2, "double": 4}, {"x": 3, "double": 6}]
    assert capped.truncated
    exact = falkor_store.analyst_query(query, row_cap=10)
    assert (len(exact.rows), exact.truncated) == (10, False)
    empty = falkor_store.analyst_query("MATCH (n:Nothing) RETURN n.uid AS uid")
    assert (empty.columns, empty.rows, empty.truncated) == (["uid"], [], False)


# --- atomic apply ------------------------------------------------------------------------


def test_apply_failing_midway_leaves_the_graph_exactly_as_before(falkor_store: FalkorStore) -> None:
    falkor_store.install_schema(load_schema())
    _fill(falkor_store)
    before, schema_before = _dump(falkor_store), _schema_state(falkor_store)
    statements = [
        Statement("MATCH (n:Unit {uid: 'u1'}) SET n.name = 'changed'"),
        Statement("CREATE (:Unit {uid: 'new1', name: 'Ny'})"),
        Statement("MATCH (n:Unit {uid: 'u2'}) DETACH DELETE n"),
        Statement("UNWIND range(1, 5) AS i CREATE (:Unit {uid: 'new' + toString(i)})"),  # new1 is taken
        Statement("CREATE (:Unit {uid: 'never'})"),
    ]
    seen: list[tuple[int, int]] = []
    with pytest.raises(AtomicApplyFailed, match="statement 4 of 5") as caught:
        falkor_store.apply_atomically(statements, progress=lambda done, total: seen.append((done, total)))
    assert isinstance(caught.value.__cause__, ConstraintViolation)
    assert seen == [(1, 5), (2, 5), (3, 5)]
    assert _dump(falkor_store) == before
    assert _schema_state(falkor_store) == schema_before
    assert not _admin(falkor_store).exists(falkor_store.graph_name + STAGING_SUFFIX)


def test_apply_refused_by_verify_leaves_the_graph_exactly_as_before(falkor_store: FalkorStore) -> None:
    _fill(falkor_store)
    before = _dump(falkor_store)
    seen: list[int] = []

    def verify(reader: Reader) -> None:
        seen.append(reader.read("MATCH (n:Unit) RETURN count(n) AS n")[0]["n"])
        raise ValueError("too many units")

    with pytest.raises(AtomicApplyFailed, match="too many units") as caught:
        falkor_store.apply_atomically([Statement("CREATE (:Unit {uid: 'extra'})")], verify=verify)
    assert isinstance(caught.value.__cause__, ValueError)
    assert seen == [31], "verify must see the result, not the live graph"
    assert _dump(falkor_store) == before


def test_apply_swaps_in_the_result_and_keeps_indexes_and_constraints(falkor_store: FalkorStore) -> None:
    falkor_store.install_schema(load_schema())
    _fill(falkor_store)
    schema_before = _schema_state(falkor_store)
    assert any("UNIQUE" in c for c in schema_before[1])
    summary = falkor_store.apply_atomically(
        [
            Statement("MATCH (n:Unit {uid: 'u1'}) SET n.name = $name", {"name": "Ændret"}),
            Statement("CREATE (:Unit {uid: 'extra', name: 'Ekstra'})"),
        ],
        verify=lambda reader: None,
    )
    assert (summary.nodes_created, summary.properties_set) == (1, 3)
    assert falkor_store.read("MATCH (n:Unit {uid: 'u1'}) RETURN n.name AS name") == [{"name": "Ændret"}]
    assert falkor_store.read("MATCH (n:Unit) RETURN count(n) AS n") == [{"n": 31}]
    assert _schema_state(falkor_store) == schema_before, "GRAPH.COPY must keep indexes and constraints"
    with pytest.raises(ConstraintViolation):
        falkor_store.write("CREATE (:Unit {uid: 'extra'})")
    assert not _admin(falkor_store).exists(falkor_store.graph_name + STAGING_SUFFIX)


def test_apply_on_a_graph_that_does_not_exist_yet(falkor_store: FalkorStore) -> None:
    summary = falkor_store.apply_atomically([Statement("CREATE (:Unit {uid: 'first'})")])
    assert summary.nodes_created == 1
    assert falkor_store.read("MATCH (n) RETURN n.uid AS uid") == [{"uid": "first"}]
    falkor_store.clear()
    falkor_store.apply_atomically([])
    assert falkor_store.read("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]


def test_apply_does_not_swap_after_losing_the_writer_lock(falkor_store: FalkorStore) -> None:
    _fill(falkor_store)
    before = _dump(falkor_store)
    admin = _admin(falkor_store)

    def lose_the_lock(reader: Reader) -> None:
        admin.delete(falkordb_module.LOCK_PREFIX + falkor_store.graph_name)  # as if it had expired

    with pytest.raises(AtomicApplyFailed, match="lock"):
        falkor_store.apply_atomically([Statement("CREATE (:Unit {uid: 'late'})")], verify=lose_the_lock)
    assert _dump(falkor_store) == before


def test_writes_wait_for_the_writer_lock(falkor_server: EmbeddedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain write cannot slip in between the copy and the swap of an import (it would be lost)."""
    monkeypatch.setattr(falkordb_module, "LOCK_WAIT_S", 0.05)
    importer = FalkorStore.on_server(falkor_server, graph="locked")
    writer = FalkorStore.on_server(falkor_server, graph="locked")
    outcome: list[BaseException] = []

    def verify(reader: Reader) -> None:
        try:
            writer.write("CREATE (:Unit {uid: 'during'})")
        except BackendUnavailable as exc:
            outcome.append(exc)

    try:
        importer.apply_atomically([Statement("CREATE (:Unit {uid: 'import'})")], verify=verify)
        assert len(outcome) == 1
        assert "being written" in str(outcome[0])
        writer.write("CREATE (:Unit {uid: 'after'})")
        assert sorted(r["uid"] for r in importer.read("MATCH (n) RETURN n.uid AS uid")) == ["after", "import"]
    finally:
        importer.clear()
        importer.close()
        writer.close()


def test_a_complete_schema_does_not_wait_for_the_writer_lock(
    falkor_store: FalkorStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start-up runs install_schema; it must not block behind a long import when nothing is missing."""
    monkeypatch.setattr(falkordb_module, "LOCK_WAIT_S", 0.05)
    schema = load_schema()
    falkor_store.install_schema(schema)
    results: list[list[str]] = []
    falkor_store.apply_atomically([], verify=lambda reader: results.append(falkor_store.install_schema(schema)))
    assert results == [[]]


# --- schema ----------------------------------------------------------------------------


def test_install_schema_is_idempotent_and_enforces_unique_uid(falkor_store: FalkorStore) -> None:
    schema = load_schema()
    created = falkor_store.install_schema(schema)
    assert "unique constraint :Unit(uid)" in created
    assert "range index :Unit(valid_from)" in created
    assert "full-text index :Unit(name)" in created
    assert len(created) == len(set(created))
    assert falkor_store.install_schema(schema) == []
    _, constraints = _schema_state(falkor_store)
    assert all("OPERATIONAL" in c for c in constraints)
    assert len(constraints) == len(schema.nodes)

    falkor_store.write("CREATE (:Unit {uid: 'u1', name: 'Et center'})")
    with pytest.raises(ConstraintViolation):
        falkor_store.write("CREATE (:Unit {uid: 'u1', name: 'Igen'})")
    with pytest.raises(ConstraintViolation):
        falkor_store.write("CREATE (:Unit {uid: 'u2'}) WITH 1 AS x CREATE (:Unit {uid: 'u1'})")
    assert falkor_store.read("MATCH (n:Unit) RETURN n.uid AS uid") == [{"uid": "u1"}]
    hits = falkor_store.read("CALL db.idx.fulltext.queryNodes('Unit', 'center') YIELD node RETURN node.uid AS uid")
    assert hits == [{"uid": "u1"}]


def test_install_schema_over_duplicates_fails_cleanly(falkor_store: FalkorStore) -> None:
    falkor_store.write("CREATE (:Unit {uid: 'twin'}), (:Unit {uid: 'twin'})")
    with pytest.raises(ConstraintViolation, match=r":Unit\(uid\)"):
        falkor_store.install_schema(load_schema())
    assert "FAILED" not in repr(_schema_state(falkor_store)[1])
    falkor_store.write("MATCH (n:Unit {uid: 'twin'}) WITH n LIMIT 1 DELETE n")
    assert "unique constraint :Unit(uid)" in falkor_store.install_schema(load_schema())


# --- health ----------------------------------------------------------------------------


def test_health_reports_engine_and_counts(falkor_store: FalkorStore) -> None:
    empty = falkor_store.health()
    assert (empty.backend, empty.reachable, empty.nodes, empty.relationships) == ("falkordb-embedded", True, 0, 0)
    assert empty.engine_version is not None
    assert empty.engine_version.startswith("FalkorDB 4.")
    _fill(falkor_store)
    full = falkor_store.health()
    assert (full.nodes, full.relationships) == (30, 29)
    assert falkor_store.server is not None
    assert full.location == str(falkor_store.server.data_dir)


def test_health_of_an_unreachable_server_does_not_raise() -> None:
    store = FalkorStore.external("127.0.0.1", 1, "g")
    try:
        health = store.health()
        assert (health.backend, health.reachable, health.location) == ("falkordb", False, "falkordb://127.0.0.1:1/g")
        assert health.detail
        with pytest.raises(BackendUnavailable, match=r"127\.0\.0\.1:1"):
            store.read("RETURN 1")
    finally:
        store.close()


# --- crashes -----------------------------------------------------------------------------


def test_a_write_after_a_crash_is_applied_once(own_store: FalkorStore) -> None:
    own_store.write("CREATE (:Unit {uid: 'before'})")
    _kill_server(own_store)
    summary = own_store.write("CREATE (:Unit {uid: 'after'})")  # never reached the dead server: retried
    assert summary.nodes_created == 1
    assert sorted(r["uid"] for r in own_store.read("MATCH (n) RETURN n.uid AS uid")) == ["after", "before"]


def test_apply_survives_a_crash_before_it_and_its_result_is_durable(own_store: FalkorStore) -> None:
    own_store.install_schema(load_schema())
    own_store.apply_atomically([Statement("UNWIND range(1, 50) AS i CREATE (:Unit {uid: 'u' + toString(i)})")])
    _kill_server(own_store)
    assert own_store.read("MATCH (n:Unit) RETURN count(n) AS n") == [{"n": 50}]
    assert own_store.install_schema(load_schema()) == [], "indexes and constraints come back from the AOF"
    with pytest.raises(ConstraintViolation):
        own_store.write("CREATE (:Unit {uid: 'u1'})")


def test_a_write_whose_reply_is_lost_is_not_repeated(own_store: FalkorStore) -> None:
    """The connection drops after the write was sent: it ran, so retrying would apply it twice."""
    own_store.write("RETURN 0")
    admin = _admin(own_store)
    errors: list[BaseException] = []

    def slow_write() -> None:
        try:
            own_store.write("UNWIND range(1, 6000000) AS x WITH count(x) AS c CREATE (:Marker {c: c})")
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=slow_write)
    thread.start()
    deadline = time.monotonic() + 30
    victims: list[dict[str, Any]] = []
    while not victims:
        assert time.monotonic() < deadline, "the write never showed up as running"
        victims = [c for c in admin.client_list() if c["cmd"].lower() == "graph.query"]
    admin.client_kill_filter(_id=victims[0]["id"])
    thread.join()

    assert len(errors) == 1
    assert isinstance(errors[0], BackendUnavailable)
    assert "may or may not have been applied" in str(errors[0])
    while not own_store.read("MATCH (m:Marker) RETURN m"):  # the server finishes the query it received
        assert time.monotonic() < deadline, "the write was never applied"
        time.sleep(0.01)
    assert own_store.read("MATCH (m:Marker) RETURN count(m) AS n") == [{"n": 1}]


def test_restart_failure_is_backend_unavailable(own_store: FalkorStore) -> None:
    own_store.write("RETURN 0")
    server = _kill_server(own_store)
    manifest = server.data_dir / "appendonlydir" / "appendonly.aof.manifest"
    manifest.write_text("broken\n")
    with pytest.raises(BackendUnavailable, match="could not be restarted"):
        own_store.read("RETURN 1")
    assert not own_store.health().reachable


# --- constructors and lifecycle -------------------------------------------------------------


def test_from_settings_is_lazy_and_the_last_store_stops_the_server(tmp_path: Path) -> None:
    settings = Settings(graph_url="embedded", data_dir=tmp_path / "data")
    first = open_store(settings)
    second = open_store(settings)
    assert isinstance(first, FalkorStore)
    assert isinstance(second, FalkorStore)
    assert (first.backend, first.graph_name) == ("falkordb-embedded", "socialatlas")
    assert first.server is second.server
    assert first.server is not None
    server = first.server
    assert server.pid is None, "nothing starts before first use"
    first.write("CREATE (:Unit {uid: 'x'})")
    assert second.read("MATCH (n) RETURN n.uid AS uid") == [{"uid": "x"}]
    pid = server.pid
    assert pid is not None
    assert server.owned
    first.close()
    assert server.is_alive(), "another store still uses it"
    second.close()
    assert not process_alive(pid)


def test_from_settings_external_and_wrong_kind() -> None:
    external = FalkorStore.from_settings(Settings(graph_url="falkordb://db.example:6380/atlas"))
    assert (external.backend, external.location) == ("falkordb", "falkordb://db.example:6380/atlas")
    with pytest.raises(ConfigurationError):
        FalkorStore.from_settings(Settings(graph_url="bolt://neo:7687"))


def test_a_closed_store_refuses_work(falkor_server: EmbeddedServer) -> None:
    store = FalkorStore.on_server(falkor_server, graph="closed")
    store.close()
    with pytest.raises(BackendUnavailable, match="closed"):
        store.read("RETURN 1")
    assert falkor_server.is_alive(), "a store on a server it was given never stops it"
