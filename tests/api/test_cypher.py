"""The analyst `cypher` field over real HTTP: roles, read-only, caps, timeouts, refusals, JSON values."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.api.app import create_app
from app.errors import QueryRefused
from app.store.base import GraphStore
from app.store.screening import screen_query
from tests.api.keys import bearer, keyed_settings, write_keys
from tests.api.support import data, error_codes, gql, serving

CYPHER = """
query($q: String!, $params: JSON, $timeoutMs: Int, $rowCap: Int) {
  cypher(query: $q, params: $params, timeoutMs: $timeoutMs, rowCap: $rowCap) {
    columns rows truncated rowCount elapsedMs timeoutMs rowCap
  }
}
"""

ROW_CAP = 50
TIMEOUT_MS = 2_000


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, str]:
    return write_keys(tmp_path / "keys.yaml", reader="rita", analyst="ali", curator="anna")


def _serve(store: GraphStore, tmp_path: Path) -> Any:
    settings = keyed_settings(tmp_path / "keys.yaml", analyst_row_cap=ROW_CAP, analyst_timeout_ms=TIMEOUT_MS)
    return serving(create_app(settings, store))


@pytest.fixture
def url(seeded_store: GraphStore, tmp_path: Path, keys: dict[str, str]) -> Iterator[str]:
    with _serve(seeded_store, tmp_path) as base:
        yield base


@pytest.fixture
def writable_url(writable_store: GraphStore, tmp_path: Path, keys: dict[str, str]) -> Iterator[str]:
    with _serve(writable_store, tmp_path) as base:
        yield base


def run(url: str, key: str | None, query: str, **variables: Any) -> dict[str, Any]:
    return gql(url, CYPHER, headers=bearer(key) if key else None, q=query, **variables)


def test_an_analyst_runs_a_query_and_gets_json_values(url: str, keys: dict[str, str]) -> None:
    body = run(
        url,
        keys["analyst"],
        "MATCH (m:Municipality) RETURN m.uid AS uid, m AS node, m.valid_from AS since ORDER BY uid",
    )
    result = data(body)["cypher"]
    assert result["columns"] == ["uid", "node", "since"]
    assert result["truncated"] is False
    assert result["rowCount"] == len(result["rows"]) >= 2
    assert result["elapsedMs"] >= 0
    assert (result["timeoutMs"], result["rowCap"]) == (TIMEOUT_MS, ROW_CAP)
    aarhus = next(row for row in result["rows"] if row["uid"] == "aarhus")
    assert aarhus["node"]["uid"] == "aarhus"
    assert aarhus["node"]["_labels"] == ["Municipality"]
    assert aarhus["since"] is None or isinstance(aarhus["since"], str)


def test_dates_come_back_as_iso_text(url: str, keys: dict[str, str]) -> None:
    result = data(run(url, keys["analyst"], "RETURN date('2019-08-01') AS d, [date('2024-01-01')] AS ds"))["cypher"]
    assert result["rows"] == [{"d": "2019-08-01", "ds": ["2024-01-01"]}]


def test_relationships_come_back_as_objects_with_their_type(url: str, keys: dict[str, str]) -> None:
    result = data(run(url, keys["analyst"], "MATCH ()-[r]->() RETURN r LIMIT 1"))["cypher"]
    [row] = result["rows"]
    assert isinstance(row["r"]["_type"], str)


def test_params_are_passed_through(url: str, keys: dict[str, str]) -> None:
    body = run(
        url,
        keys["analyst"],
        "MATCH (m:Municipality) WHERE m.uid IN $uids RETURN m.uid AS uid, $n + 1 AS n, date($on) AS on ORDER BY uid",
        params={"uids": ["aarhus", "kobenhavn"], "n": 41, "on": "2019-08-01"},
    )
    rows = data(body)["cypher"]["rows"]
    assert rows == [
        {"uid": "aarhus", "n": 42, "on": "2019-08-01"},
        {"uid": "kobenhavn", "n": 42, "on": "2019-08-01"},
    ]


def test_params_must_be_an_object(url: str, keys: dict[str, str]) -> None:
    body = run(url, keys["analyst"], "RETURN 1 AS x", params=[1, 2])
    assert error_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "params"


def test_a_write_is_refused_and_the_graph_is_unchanged(
    writable_url: str, writable_store: GraphStore, keys: dict[str, str]
) -> None:
    before = writable_store.read("MATCH (n) RETURN count(n) AS n")[0]["n"]
    for write in (
        "CREATE (:Municipality {uid: 'intruder', name: 'X'})",
        "MATCH (m:Municipality {uid: 'aarhus'}) SET m.name = 'Changed' RETURN m.name AS name",
        "MATCH (m:Municipality {uid: 'aarhus'}) DETACH DELETE m",
        "MERGE (x:Unit {uid: 'intruder'}) RETURN x",
    ):
        body = run(writable_url, keys["analyst"], write)
        assert error_codes(body) == ["WRITE_REFUSED"], (write, body)
        assert body["data"] is None
    assert writable_store.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == before
    assert writable_store.read("MATCH (m:Municipality {uid: 'aarhus'}) RETURN m.name AS name") == [{"name": "Aarhus"}]
    assert writable_store.read("MATCH (x {uid: 'intruder'}) RETURN count(x) AS n") == [{"n": 0}]


def test_no_key_is_unauthenticated_and_other_roles_are_forbidden(url: str, keys: dict[str, str]) -> None:
    body = run(url, None, "RETURN 1 AS x")
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["data"] is None
    for role in ("reader", "curator"):
        refused = run(url, keys[role], "RETURN 1 AS x")
        assert error_codes(refused) == ["FORBIDDEN"], role
        assert "analyst" in refused["errors"][0]["message"]


def test_the_row_cap_truncates(url: str, keys: dict[str, str]) -> None:
    result = data(run(url, keys["analyst"], "UNWIND range(1, 100) AS i RETURN i", rowCap=7))["cypher"]
    assert result["truncated"] is True
    assert result["rowCount"] == 7
    assert [row["i"] for row in result["rows"]] == [1, 2, 3, 4, 5, 6, 7]
    by_default = data(run(url, keys["analyst"], "UNWIND range(1, 100) AS i RETURN i"))["cypher"]
    assert (by_default["rowCount"], by_default["truncated"]) == (ROW_CAP, True)
    exact = data(run(url, keys["analyst"], "UNWIND range(1, 7) AS i RETURN i", rowCap=7))["cypher"]
    assert (exact["rowCount"], exact["truncated"]) == (7, False)


@pytest.mark.parametrize(
    ("argument", "value"),
    [("rowCap", ROW_CAP + 1), ("rowCap", 0), ("timeoutMs", TIMEOUT_MS + 1), ("timeoutMs", -5)],
)
def test_arguments_may_only_lower_the_server_limits(url: str, keys: dict[str, str], argument: str, value: int) -> None:
    body = run(url, keys["analyst"], "RETURN 1 AS x", **{argument: value})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == argument


def test_a_syntax_error_is_a_query_error(url: str, keys: dict[str, str]) -> None:
    body = run(url, keys["analyst"], "MATCH (n RETURN n")
    assert error_codes(body) == ["QUERY_ERROR"]


def test_a_slow_query_times_out(url: str, keys: dict[str, str]) -> None:
    """A cartesian product of every node three times (~10^8 rows on the seed): slow, without a huge list."""
    started = time.monotonic()
    body = run(url, keys["analyst"], "MATCH (a), (b), (c) RETURN count(*) AS n", timeoutMs=300)
    elapsed = time.monotonic() - started
    assert error_codes(body) == ["QUERY_TIMEOUT"]
    assert elapsed < 5, f"the timeout took {elapsed:.1f} s"


@pytest.mark.parametrize(
    "query",
    [
        "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
        "load  csv with headers from 'https://example.org/x.csv' AS row RETURN row",
        "CALL apoc.load.json('https://example.org/x.json') YIELD value RETURN value",
        "CALL `apoc`.cypher.runFile('x.cypher')",
        "RETURN apoc.util.sleep(10000) AS x",
        "CALL dbms.listConfig() YIELD name RETURN name",
        "USE system SHOW USERS",
        "SHOW TRANSACTIONS",
        "MATCH (n) CALL { USE other MATCH (m) RETURN m } RETURN n",
    ],
)
def test_file_url_and_server_access_is_refused_before_the_database(url: str, keys: dict[str, str], query: str) -> None:
    body = run(url, keys["analyst"], query)
    assert error_codes(body) == ["QUERY_REFUSED"], body
    assert "refused before running" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (m:Municipality) WHERE m.name <> 'LOAD CSV from apoc.load' RETURN count(m) AS n",
        "MATCH (m:Municipality) // apoc.load in a comment\nRETURN count(m) AS n",
        "MATCH (m:Municipality) /* SHOW USERS */ RETURN count(m) AS n",
        "MATCH (m:Municipality) WITH m.uid AS show RETURN count(show) AS n",
        'RETURN "it\\"s apoc.x" AS n',
    ],
)
def test_look_alikes_in_strings_comments_and_names_are_not_refused(query: str) -> None:
    screen_query(query)


def test_screen_query_names_what_it_found() -> None:
    with pytest.raises(QueryRefused, match="LOAD CSV"):
        screen_query("load csv from 'x' as l return l")
