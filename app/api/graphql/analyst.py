"""The analyst's own Cypher: `cypher(query, params, timeoutMs, rowCap)`, for keys with the analyst role.

The database enforces that the query only reads (FalkorDB GRAPH.RO_QUERY, a Neo4j READ
transaction) and stops it at the time limit; rows past the cap are dropped. A READ transaction
still allows reading files and URLs (LOAD CSV; APOC's load/import/cypher.runFile procedures)
and server introspection (dbms.*, SHOW …): those are refused here, before the database sees
the query, with QUERY_REFUSED.
"""

from __future__ import annotations

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
from app.errors import InvalidInput
from app.store.base import jsonable

Info = strawberry.Info[GraphQLContext, None]


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


@strawberry.type(description="Read-only Cypher for analysts.")
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
        row_cap: Annotated[
            int | None,
            strawberry.argument(name="rowCap", description="Most rows; may only lower the server's (analyst_row_cap)."),
        ] = None,
    ) -> CypherResult:
        context = info.context
        require_role(context.principal, Role.ANALYST)
        settings = context.settings
        timeout = _limit("timeoutMs", timeout_ms, settings.analyst_timeout_ms, "SOCIALATLAS_ANALYST_TIMEOUT_MS")
        cap = _limit("rowCap", row_cap, settings.analyst_row_cap, "SOCIALATLAS_ANALYST_ROW_CAP")
        if not query.strip():
            raise InvalidInput("query", "is empty")
        if params is not None and not isinstance(params, Mapping):
            raise InvalidInput("params", "must be a JSON object of parameter names and values")
        started = time.perf_counter()
        result = await run_in_threadpool(
            context.store.analyst_query, query, dict(params or {}), timeout_ms=timeout, row_cap=cap
        )
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
