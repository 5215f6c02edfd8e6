"""The GraphStore contract, run on every available backend through the `store` fixture.

Only Cypher that runs on both Neo4j 5 and FalkorDB (see cypher-portability.md).
"""

from __future__ import annotations

import datetime

import pytest

from app.errors import AtomicApplyFailed, ConstraintViolation, QueryError, QueryTimeout, WriteRefused
from app.schema import load_schema
from app.store.base import GraphStore, Reader, Statement, WriteSummary

BACKEND_NAMES = ("falkordb-embedded", "falkordb", "neo4j")


def _dump(store: GraphStore) -> tuple[list[str], list[str]]:
    """Every node and relationship with labels and properties, in a stable order."""
    nodes = store.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = store.read("MATCH (a)-[r]->(b) RETURN a.uid AS a, type(r) AS type, properties(r) AS props, b.uid AS b")
    return sorted(map(repr, nodes)), sorted(map(repr, rels))


def _fill(store: GraphStore) -> None:
    store.write(
        "UNWIND range(1, 5) AS i CREATE (:Unit {uid: 'u' + toString(i), name: 'Enhed ' + toString(i), "
        "valid_from: date('2020-01-01')})"
    )
    store.write(
        "MATCH (a:Unit {uid: 'u1'}), (b:Unit {uid: 'u2'}) CREATE (a)-[:PART_OF {since: date('2021-02-03')}]->(b)"
    )


def test_write_then_read_round_trip_with_iso_dates(store: GraphStore) -> None:
    summary = store.write(
        "CREATE (a:Unit {uid: $a, name: $name, valid_from: date($from)})"
        "-[:PART_OF {valid_from: date($from)}]->(b:Administration {uid: $b, unified: true, code: 7, share: 0.5})",
        {"a": "unit-1", "b": "adm-1", "name": "Børne- og Ungdomsforvaltningen", "from": "2019-08-01"},
    )
    assert summary == WriteSummary(nodes_created=2, relationships_created=1, properties_set=8)
    [row] = store.read(
        "MATCH (a:Unit)-[r:PART_OF]->(b) WHERE a.valid_from <= date($on) RETURN a, r, b, a.valid_from AS since",
        {"on": "2020-01-01"},
    )
    since = datetime.date(2019, 8, 1)
    name = "Børne- og Ungdomsforvaltningen"
    assert row["a"] == {"uid": "unit-1", "name": name, "valid_from": since, "_labels": ["Unit"]}
    assert row["r"] == {"valid_from": since, "_type": "PART_OF"}
    assert row["b"] == {"uid": "adm-1", "unified": True, "code": 7, "share": 0.5, "_labels": ["Administration"]}
    assert row["since"] == since
    assert type(row["since"]) is datetime.date
    assert store.read("MATCH (a:Unit) WHERE a.valid_from <= date($on) RETURN a.uid AS uid", {"on": "2019-07-31"}) == []


def test_rows_keep_lists_maps_and_nulls(store: GraphStore) -> None:
    [row] = store.read("RETURN [1, 'a', null] AS l, {k: 'v', n: null} AS m, null AS z, $p AS p", {"p": ["x", "y"]})
    assert row == {"l": [1, "a", None], "m": {"k": "v", "n": None}, "z": None, "p": ["x", "y"]}


def test_analyst_queries_are_read_only(store: GraphStore) -> None:
    _fill(store)
    before = _dump(store)
    for query in ("CREATE (:Unit {uid: 'x'})", "MATCH (n) DETACH DELETE n", "MATCH (n:Unit) SET n.name = 'y'"):
        with pytest.raises(WriteRefused):
            store.analyst_query(query)
    assert _dump(store) == before


def test_analyst_query_columns_rows_and_cap(store: GraphStore) -> None:
    result = store.analyst_query("UNWIND range(1, 5) AS x RETURN x, x * x AS square ORDER BY x", row_cap=2)
    assert result.columns == ["x", "square"]
    assert result.rows == [{"x": 1, "square": 1}, {"x": 2, "square": 4}]
    assert result.truncated
    assert not store.analyst_query("UNWIND range(1, 5) AS x RETURN x", row_cap=5).truncated


def test_analyst_query_errors(store: GraphStore) -> None:
    with pytest.raises(QueryError) as caught:
        store.analyst_query("MATCH (n RETURN n")
    assert not isinstance(caught.value, WriteRefused | QueryTimeout)
    with pytest.raises(QueryTimeout):
        store.analyst_query("UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y RETURN count(*)", timeout_ms=200)


def test_apply_atomically_applies_everything(store: GraphStore) -> None:
    _fill(store)
    progress: list[tuple[int, int]] = []
    seen: list[int] = []

    def verify(reader: Reader) -> None:
        seen.append(reader.read("MATCH (n:Unit) RETURN count(n) AS n")[0]["n"])

    summary = store.apply_atomically(
        [
            Statement("MATCH (n:Unit {uid: 'u1'}) SET n.name = $name", {"name": "Ny"}),
            Statement("CREATE (:Unit {uid: 'u6', name: 'Seks'})"),
            Statement("MATCH (n:Unit {uid: 'u5'}) DETACH DELETE n"),
        ],
        verify=verify,
        progress=lambda done, total: progress.append((done, total)),
    )
    assert (summary.nodes_created, summary.nodes_deleted) == (1, 1)
    assert progress == [(1, 3), (2, 3), (3, 3)]
    assert seen == [5]
    uids = sorted(r["uid"] for r in store.read("MATCH (n:Unit) RETURN n.uid AS uid"))
    assert uids == ["u1", "u2", "u3", "u4", "u6"]
    assert store.read("MATCH (n:Unit {uid: 'u1'}) RETURN n.name AS name") == [{"name": "Ny"}]


def test_apply_atomically_failing_statement_changes_nothing(store: GraphStore) -> None:
    _fill(store)
    before = _dump(store)
    statements = [
        Statement("MATCH (n:Unit {uid: 'u1'}) SET n.name = 'changed'"),
        Statement("CREATE (:Unit {uid: 'u9'})"),
        Statement("MATCH (n:Unit {uid: 'u2'}) DETACH DELETE n"),
        Statement("MATCH (n:Unit {uid: 'u3'}) RETURN n.name + nosuchfunction(1)"),
        Statement("CREATE (:Unit {uid: 'never'})"),
    ]
    with pytest.raises(AtomicApplyFailed) as caught:
        store.apply_atomically(statements)
    assert caught.value.__cause__ is not None
    assert _dump(store) == before


def test_apply_atomically_refused_by_verify_changes_nothing(store: GraphStore) -> None:
    _fill(store)
    before = _dump(store)

    def verify(reader: Reader) -> None:
        if reader.read("MATCH (n:Unit {uid: 'bad'}) RETURN count(n) AS n")[0]["n"]:
            raise ValueError("a bad unit")

    with pytest.raises(AtomicApplyFailed, match="a bad unit"):
        store.apply_atomically([Statement("CREATE (:Unit {uid: 'bad'})")], verify=verify)
    assert _dump(store) == before


def test_install_schema_is_idempotent_and_uid_is_unique(store: GraphStore) -> None:
    schema = load_schema()
    assert store.install_schema(schema)
    assert store.install_schema(schema) == []
    store.write("CREATE (:Unit {uid: 'same', name: 'A'})")
    with pytest.raises(ConstraintViolation):
        store.write("CREATE (:Unit {uid: 'same', name: 'B'})")
    assert store.read("MATCH (n:Unit) RETURN n.name AS name") == [{"name": "A"}]


def test_health_reports_backend_and_counts(store: GraphStore) -> None:
    _fill(store)
    health = store.health()
    assert health.reachable
    assert health.backend == store.backend
    assert health.backend in BACKEND_NAMES
    assert health.engine_version
    assert (health.nodes, health.relationships) == (5, 1)
    assert health.location
