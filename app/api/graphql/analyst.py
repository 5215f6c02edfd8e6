"""Cypher for analysts and dashboards: the library of named queries in cypher/ (`queries`,
`namedQuery`, any reader) and the analyst's own Cypher (`cypher`, analyst role).

Both run through `GraphStore.analyst_query`: the database enforces that the query only reads
(FalkorDB GRAPH.RO_QUERY, a Neo4j READ transaction) and stops it at the time limit; rows past the
cap are dropped. A READ transaction still allows reading files and URLs (LOAD CSV; APOC's
load/import/cypher.runFile procedures) and server introspection (dbms.*, SHOW …): those are
refused before the database sees the query, with QUERY_REFUSED (app/store/screening.py).
"""

from __future__ import annotations

import difflib
import math
import time
from collections.abc import Mapping
from typing import Annotated, Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.scalars import JSON

from app.api.auth import Role, require_role
from app.api.graphql.common import described
from app.api.graphql.context import GraphQLContext
from app.domain.queries import QueryDoc, list_queries, load_query
from app.errors import InvalidInput
from app.store.base import jsonable

Info = strawberry.Info[GraphQLContext, None]

ROW_CAP = strawberry.argument(name="rowCap", description="Most rows; may only lower the server's (analyst_row_cap).")


def _json_value(value: Any) -> Any:
    """A result value as JSON: dates as ISO text, nodes and relationships as dicts, odd floats as text."""
    value = jsonable(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _limit(argument: str, given: int | None, ceiling: int, setting: str) -> int:
    if given is None:
        return ceiling
    if given < 1:
        raise InvalidInput(argument, f"must be at least 1, not {given}")
    if given > ceiling:
        raise InvalidInput(argument, f"may only lower the server's limit of {ceiling} ({setting}), not raise it")
    return given


@strawberry.type(description="The result of an analyst's Cypher query.")
class CypherResult:
    columns: list[str] = strawberry.field(description="The query's RETURN columns, in order.")
    rows: list[JSON] = strawberry.field(
        description="One JSON object per row, keyed by column: dates as ISO text, nodes and relationships as "
        "objects of their properties with `_labels` / `_type`."
    )
    truncated: bool = strawberry.field(description="True when the row cap cut the result.")
    row_count: int = strawberry.field(description="Rows returned (at most the row cap).")
    elapsed_ms: int = strawberry.field(description="Time the query took, as measured by the API (ms).")
    timeout_ms: int = strawberry.field(description="The time limit the query ran under (ms).")
    row_cap: int = strawberry.field(description="The row cap the query ran under.")


@strawberry.type(description="A parameter of a named query, with an example value.")
class QueryParameter:
    name: str = strawberry.field(description="The parameter's name (without $).")
    meaning: str = strawberry.field(description="What it is.")
    example: str = strawberry.field(description="An example value as written in the query's header (JSON or text).")


@strawberry.type(description="A named, documented read-only query of the library in cypher/.")
class NamedQuery:
    name: str = strawberry.field(description="Its name (the file cypher/<name>.cypher).")
    purpose: str = strawberry.field(description="What it answers.")
    parameters: list[QueryParameter] = strawberry.field(description="Its parameters.")
    returns: list[str] = strawberry.field(description="The columns it returns, in order.")
    example_params: JSON = strawberry.field(description="Parameters that run it: the header's examples as JSON.")

    @classmethod
    def of(cls, doc: QueryDoc) -> NamedQuery:
        return cls(
            name=doc.name,
            purpose=doc.purpose,
            parameters=[QueryParameter(name=n, meaning=m, example=e) for n, (m, e) in doc.params.items()],
            returns=list(doc.returns),
            example_params=JSON(doc.example_params()),
        )


@strawberry.type(description="Read-only Cypher: the named query library, and analysts' own queries.")
class AnalystQuery:
    @described(
        "Run a read-only Cypher query (needs an API key with the analyst role). The database refuses "
        "writes (WRITE_REFUSED) and stops the query at the time limit (QUERY_TIMEOUT); rows past the cap "
        "are dropped (truncated). LOAD CSV, apoc./dbms./gds. procedures, USE and SHOW are refused "
        "(QUERY_REFUSED). Pass dates as ISO text in params and write date($d)."
    )
    async def cypher(
        self,
        info: Info,
        query: Annotated[str, strawberry.argument(description="The Cypher query.")],
        params: Annotated[
            JSON | None, strawberry.argument(description='Query parameters: a JSON object, e.g. {"uid": "aarhus"}.')
        ] = None,
        timeout_ms: Annotated[
            int | None,
            strawberry.argument(
                name="timeoutMs", description="Time limit (ms); may only lower the server's (analyst_timeout_ms)."
            ),
        ] = None,
        row_cap: Annotated[int | None, ROW_CAP] = None,
    ) -> CypherResult:
        context = info.context
        require_role(context.principal, Role.ANALYST)
        settings = context.settings
        timeout = _limit("timeoutMs", timeout_ms, settings.analyst_timeout_ms, "SOCIALATLAS_ANALYST_TIMEOUT_MS")
        cap = _limit("rowCap", row_cap, settings.analyst_row_cap, "SOCIALATLAS_ANALYST_ROW_CAP")
        if not query.strip():
            raise InvalidInput("query", "is empty")
        return await _run(context, query, _params(params), timeout, cap)

    @described("The library of named, documented read-only queries in cypher/ (run one with namedQuery).")
    def queries(self) -> list[NamedQuery]:
        return [NamedQuery.of(doc) for doc in list_queries()]

    @described(
        "Run a named query of the library (any reader may: the queries are reviewed and read-only) under the "
        "analyst time limit and row cap. Parameters it lacks are INVALID_INPUT naming them; `queries` lists "
        "each one's parameters with an example."
    )
    async def named_query(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(description="The query's name, e.g. 'org_tree_at_date'.")],
        params: Annotated[
            JSON | None, strawberry.argument(description='Its parameters: a JSON object, e.g. {"on": "2019-09-01"}.')
        ] = None,
        row_cap: Annotated[int | None, ROW_CAP] = None,
    ) -> CypherResult:
        context = info.context
        settings = context.settings
        cap = _limit("rowCap", row_cap, settings.analyst_row_cap, "SOCIALATLAS_ANALYST_ROW_CAP")
        known = {doc.name: doc for doc in list_queries()}
        doc = known.get(name)
        if doc is None:
            raise InvalidInput("name", f"no named query {name!r}", tuple(difflib.get_close_matches(name, known)))
        given = _params(params)
        missing = sorted(set(doc.params) - set(given))
        if missing:
            raise InvalidInput("params", f"{name} needs {', '.join(missing)}")
        return await _run(context, load_query(name), given, settings.analyst_timeout_ms, cap)


def _params(params: JSON | None) -> dict[str, Any]:
    if params is not None and not isinstance(params, Mapping):
        raise InvalidInput("params", "must be a JSON object of parameter names and values")
    return dict(params or {})


async def _run(context: GraphQLContext, query: str, params: dict[str, Any], timeout: int, cap: int) -> CypherResult:
    """Run a query read-only, timed and capped, and shape its rows as JSON."""
    started = time.perf_counter()
    result = await run_in_threadpool(context.store.analyst_query, query, params, timeout_ms=timeout, row_cap=cap)
    elapsed = round((time.perf_counter() - started) * 1000)
    return CypherResult(
        columns=list(result.columns),
        rows=[JSON({column: _json_value(row.get(column)) for column in result.columns}) for row in result.rows],
        truncated=result.truncated,
        row_count=len(result.rows),
        elapsed_ms=elapsed,
        timeout_ms=timeout,
        row_cap=cap,
    )
